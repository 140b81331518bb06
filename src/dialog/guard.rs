//! Guardrails on what the caller says, checked before anything else: requests for a person,
//! crisis or self-harm language, threats, and requests for legal, medical or financial advice
//! each hand the call to a person at once. Patterns are word-bounded regular expressions over
//! the lowercased text; they are deliberately broad (a needless transfer costs a minute of an
//! agent's time, a missed crisis costs far more). Owns the patterns only.

use std::sync::LazyLock;

use regex::RegexSet;

use super::HandoffReason;

/// The rules after crisis, strongest first: the first group that matches decides the reason.
static RULES: LazyLock<Vec<(HandoffReason, RegexSet)>> = LazyLock::new(|| {
    let build = |patterns: &[&str]| {
        RegexSet::new(patterns.iter().map(|p| format!(r"(?i)\b(?:{p})\b")))
            .unwrap_or_else(|e| unreachable!("guard patterns are valid: {e}"))
    };
    vec![
        (HandoffReason::Threat, build(THREAT)),
        (HandoffReason::AskedForPerson, build(PERSON)),
        (HandoffReason::RegulatedAdvice, build(ADVICE)),
    ]
});

const THREAT: &[&str] = &[
    r"(?:i|we)(?:'ll|'m|'re| will| am| are)?(?: going to| gonna)? (?:kill|hurt|shoot|stab|beat up|attack|punch|murder) (?:you|u|someone|somebody|people|everyone|him|her|them|your \w+)",
    r"(?:plant a |a )?bomb|blow up (?:your|the) \w+|burn (?:it |you |your \w+ |the \w+ )?down|set fire to",
    r"i(?:'ll| will) (?:find|get) (?:you|where you)",
    r"you(?:'ll| will) (?:regret|pay for) (?:this|it)",
    r"i (?:have|got|carry) a (?:gun|knife|weapon)",
];

const PERSON: &[&str] = &[
    r"(?:speak|talk|chat) (?:to|with) (?:a |an |the |some |your )?(?:real |live |actual )?(?:person|human|someone|somebody|agent|representative|rep|operator|manager|supervisor|people|man|woman|colleague|member of staff|staff)",
    r"(?:real|live|actual) (?:person|human|agent)",
    r"human (?:being|agent|please)",
    r"(?:put|get) me through",
    r"(?:transfer|connect) me",
    r"(?:customer service|an?) (?:agent|representative|operator)(?: please)?$",
    r"(?:agent|operator|representative|human|person)(?:,)? please",
    r"^(?:an? )?(?:agent|operator|representative|human|person)$",
    r"not (?:a|this) (?:robot|machine|bot)",
    r"(?:stop|enough)(?: with)? (?:the )?(?:robot|machine|bot)",
];

const ADVICE: &[&str] = &[
    // legal
    r"sue|suing|lawsuit|lawyer|attorney|solicitor|legal (?:advice|action|case)|take (?:you|them|it) to court|small claims",
    // medical
    r"medication|medicine|prescription|doctor|diagnos\w*|symptoms?|dosage|ibuprofen|paracetamol|aspirin|allerg\w+ reaction|pregnan\w*|blood pressure|is it safe to (?:take|eat|drink)",
    // financial
    r"invest\w*|stock market|(?:buy|sell|trade) (?:stocks|shares)|shares in|pension|mortgage|tax (?:advice|return)|financial advice|retirement savings",
];

/// The reason to hand off at once, if the caller's words call for one: crisis language
/// ([`super::crisis`], English and Mandarin) before everything else.
pub(crate) fn check(caller_text: &str) -> Option<HandoffReason> {
    if super::crisis::judge(caller_text).is_some() {
        return Some(HandoffReason::Crisis);
    }
    let text = normalise(caller_text);
    RULES
        .iter()
        .find(|(_, set)| set.is_match(&text))
        .map(|(reason, _)| *reason)
}

/// Lowercase, curly quotes straightened, runs of white space and trailing punctuation
/// trimmed (so `^…$` rules see a bare "Agent, please." as `agent, please`).
fn normalise(text: &str) -> String {
    let t = text.replace(['\u{2019}', '\u{2018}'], "'").to_lowercase();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    t.trim_matches(|c: char| c.is_ascii_punctuation() && c != '\'')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(t: &str) -> Option<&'static str> {
        check(t).map(HandoffReason::as_str)
    }

    #[test]
    fn asks_for_a_person() {
        for t in [
            "I want to talk to a person.",
            "Can I speak to a human please?",
            "put me through to someone",
            "Agent.",
            "operator please",
            "I'd like to speak with a real person",
            "Could you connect me with your manager?",
            "Transfer me now.",
        ] {
            assert_eq!(reason(t), Some("asked_for_person"), "{t}");
        }
    }

    #[test]
    fn crisis_and_threats_come_first() {
        assert_eq!(reason("I don't want to live anymore"), Some("crisis"));
        assert_eq!(
            reason("I keep thinking about hurting myself"),
            Some("crisis")
        );
        assert_eq!(
            reason("I'm suicidal, let me talk to someone"),
            Some("crisis")
        );
        assert_eq!(
            reason("I will hurt you if my parcel is late"),
            Some("threat")
        );
        assert_eq!(
            reason("I'm going to burn down your warehouse"),
            Some("threat")
        );
    }

    #[test]
    fn regulated_advice() {
        assert_eq!(
            reason("Should I sue the courier?"),
            Some("regulated_advice")
        );
        assert_eq!(
            reason("Can I take ibuprofen with this?"),
            Some("regulated_advice")
        );
        assert_eq!(
            reason("Should I invest my savings in shares?"),
            Some("regulated_advice")
        );
    }

    #[test]
    fn routine_questions_pass() {
        for t in [
            "How long do I have to return a lamp?",
            "Can a neighbour take in my parcel for me?",
            "Do you accept cryptocurrency?",
            "What is your phone number?",
            "My personal details are wrong on the invoice",
            "Can you assemble the furniture for me?",
            "I'd like to cancel my order",
            "Is the oak table in stock?",
            "Will cleaning spray hurt the wood?",
            "Do you sell kitchen knives?",
        ] {
            assert_eq!(reason(t), None, "{t}");
        }
    }
}
