//! Guardrails on what the caller says, checked before anything else: requests for a person,
//! crisis or self-harm language, threats, and requests for legal, medical or financial advice
//! each hand the call to a person at once. Patterns are word-bounded regular expressions over
//! the lowercased text; they are deliberately broad (a needless transfer costs a minute of an
//! agent's time, a missed crisis costs far more). A regulated topic the business's own
//! knowledge covers ("a repeat prescription" at a vet's, "your mortgage rates" at a bank's) is
//! a routine question unless the caller asks for advice on it ("should I…", "is it safe…").
//! Owns the patterns only.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

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
    ]
});

/// Asking for advice ([`ADVICE_ASKED`]).
static ASKED: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(ADVICE_ASKED.iter().map(|p| format!(r"(?i)\b(?:{p})\b")))
        .unwrap_or_else(|e| unreachable!("guard patterns are valid: {e}"))
});

/// The regulated topics, one alternation (the words matched are looked up in the knowledge).
static TOPICS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\b(?:{})\b", ADVICE.join("|")))
        .unwrap_or_else(|e| unreachable!("guard patterns are valid: {e}"))
});

const THREAT: &[&str] = &[
    r"(?:i|we)(?:'ll|'m|'re| will| am| are)?(?: going to| gonna)? (?:kill|hurt|shoot|stab|beat up|attack|punch|murder) (?:you|u|someone|somebody|people|everyone|him|her|them|your \w+)",
    r"(?:plant a |a )?bomb|blow up (?:your|the) \w+|burn (?:it |you |your \w+ |the \w+ )?down|set fire to",
    r"i(?:'ll| will) (?:find|get) (?:you|where you)",
    r"you(?:'ll| will) (?:regret|pay for) (?:this|it)",
    r"i (?:have|got|carry) a (?:gun|knife|weapon)",
];

const PERSON: &[&str] = &[
    r"(?:speak|talk|chat) (?:to|with) (?:a |an |the |some |your )?(?:real |live |actual )?(?:duty |shift |centre |center |branch |store |office |general |head |team )?(?:person|human|someone|somebody|agent|representative|rep|operator|manager|supervisor|people|man|woman|colleague|member of staff|staff)",
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

/// Asking for advice on a regulated topic, whatever the knowledge covers: a judgement about
/// the caller's own case.
const ADVICE_ASKED: &[&str] = &[
    r"should (?:i|we|he|she|they) (?:take|give|stop|start|keep taking|increase|reduce|double|mix|sue|invest|buy|sell|see a|get a)",
    r"is it (?:safe|ok|okay|alright|dangerous|harmful) (?:to|for|if) (?:take|give|eat|drink|mix|use|me|him|her|them|my|a|an|the)",
    r"(?:can|could|may) (?:i|we|he|she|they) (?:take|give|have|mix) .{0,40}(?:with|alongside|on top of|while)",
    r"what (?:dose|dosage)|how (?:much|many) .{0,30}(?:should|can|do) (?:i|we) (?:give|take)",
    r"(?:would|do|can|could) you (?:recommend|advise)|what would you (?:do|advise|recommend)",
    r"diagnos\w*|symptoms?|dosage|do (?:i|we) need (?:a|to see a|to get a) (?:lawyer|solicitor|attorney|doctor)",
];

/// Regulated topics: advice unless the knowledge base covers every one the caller names.
const ADVICE: &[&str] = &[
    // legal
    r"sue|suing|lawsuit|lawyer|attorney|solicitor|legal (?:advice|action|case)|take (?:you|them|it) to court|small claims",
    // medical
    r"medication|medicine|prescription|doctor|diagnos\w*|symptoms?|dosage|ibuprofen|paracetamol|aspirin|allerg\w+ reaction|pregnan\w*|blood pressure",
    // financial
    r"invest\w*|stock market|(?:buy|sell|trade) (?:stocks|shares)|shares in|pension|mortgage|tax (?:advice|return)|financial advice|retirement savings",
];

/// The reason to hand off at once, if the caller's words call for one: crisis language
/// ([`super::crisis`], English and Mandarin) before everything else. `covers` says whether the
/// knowledge base speaks of a regulated topic's word ("prescription").
pub(crate) fn check(caller_text: &str, covers: &dyn Fn(&str) -> bool) -> Option<HandoffReason> {
    if super::crisis::judge(caller_text).is_some() {
        return Some(HandoffReason::Crisis);
    }
    let text = normalise(caller_text);
    RULES
        .iter()
        .find(|(_, set)| set.is_match(&text))
        .map(|(reason, _)| *reason)
        .or_else(|| {
            let mut topics = TOPICS.find_iter(&text).peekable();
            let advice = topics.peek().is_some()
                && (ASKED.is_match(&text) || topics.any(|m| !covers(m.as_str())));
            advice.then_some(HandoffReason::RegulatedAdvice)
        })
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
        check(t, &|_| false).map(HandoffReason::as_str)
    }

    /// What a vet's or a bank's knowledge covers.
    fn covered(t: &str) -> Option<&'static str> {
        let known = [
            "prescription",
            "medication",
            "mortgage",
            "doctor",
            "pension",
        ];
        check(t, &|w| known.contains(&w)).map(HandoffReason::as_str)
    }

    #[test]
    fn a_regulated_topic_the_knowledge_covers_is_a_routine_question() {
        for t in [
            "How much is a repeat prescription?",
            "Can I order my dog's medication online?",
            "What's your two-year fixed mortgage rate?",
            "Is there a doctor on site on Sundays?",
            "Can I transfer my pension to you?",
            "Would you recommend the annual plan?",
        ] {
            assert_eq!(covered(t), None, "{t}");
        }
        for t in [
            "Should I stop the medication if she's sick?",
            "How much medication should I give him?",
            "Is it safe to give my cat paracetamol?",
            "Can I take the prescription with ibuprofen?",
            "Would you recommend a mortgage or renting?",
            "She has symptoms of a cold, what's wrong with her?",
            "How much is a prescription for insulin and a lawyer's letter?",
        ] {
            assert_eq!(covered(t), Some("regulated_advice"), "{t}");
        }
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
            "I'd like to speak to the duty manager, please.",
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
            "Would you recommend the oak table or the pine one?",
            "Is it safe to leave my parcel in the porch?",
        ] {
            assert_eq!(reason(t), None, "{t}");
        }
    }
}
