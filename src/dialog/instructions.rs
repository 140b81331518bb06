//! Questions asking what to do, and sentences that tell the caller what to do: "My neighbour
//! reckons the pipe outside is frozen. What do I do about that?" is answered by "Pour warm
//! water, not boiling water, over the pipe to thaw it", not by "It may be a frozen
//! condensate pipe", which is about the pipe too but tells the caller nothing to do. Pure
//! text rules; no models.

use std::sync::LazyLock;

use regex::Regex;

use super::words::{regex, tokens};

/// "What do I do (about it)?", "what should we do?", "what do I need to do now?", "what's
/// the first thing I should do?": the question asks for an action of the caller's.
static ASKS_WHAT_TO_DO: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\bwhat(?:'s|’s| is)?\b[^?.!]*?\b(?:(?:do|should|shall|can|must|could)\s+(?:i|we)(?:\s+(?:need|have|got|ought)\s+to)?|(?:i|we)\s+(?:should|must|need to|have to|ought to|can))(?:\s+\w+ly)?\s+do\b|\banything\s+(?:(?:else\s+)?(?:i|we)\s+(?:need|have|should|must|ought)(?:\s+to)?)\s+do\b|\b(?:do|should|must)\s+(?:i|we)\s+(?:need\s+to\s+|have\s+to\s+)?do\s+anything\b",
    )
});

/// Verbs that open an instruction ("Pour warm water…", "Turn off the supply…", "Call us…").
const INSTRUCTING_VERBS: &[&str] = &[
    "arrive", "avoid", "book", "bring", "call", "check", "clear", "close", "come", "contact",
    "don't", "email", "fill", "follow", "get", "go", "keep", "leave", "let", "look", "make",
    "move", "never", "open", "phone", "pour", "press", "put", "read", "remember", "reset",
    "restart", "ring", "send", "switch", "take", "tell", "text", "thaw", "try", "turn", "unplug",
    "use", "visit", "wait", "wear",
];

/// Whether the question asks what the caller should do (see [`ASKS_WHAT_TO_DO`]).
pub(crate) fn asks_what_to_do(question: &str) -> bool {
    ASKS_WHAT_TO_DO.is_match(question)
}

/// Whether a sentence tells the reader what to do: it (or its main clause after an "If …,"
/// lead) opens with an instructing verb, or it says "you should / need to / must / can
/// try…" or "please".
pub(crate) fn instructs(sentence: &str) -> bool {
    let main = match sentence.split_once(',') {
        Some((lead, rest))
            if tokens(lead).first().is_some_and(|w| {
                matches!(w.as_str(), "if" | "when" | "once" | "after" | "before")
            }) =>
        {
            rest
        }
        _ => sentence,
    };
    let words = tokens(main);
    let opening = words.iter().map(String::as_str).find(|w| {
        !matches!(
            *w,
            "then" | "first" | "just" | "simply" | "always" | "please"
        )
    });
    opening.is_some_and(|w| INSTRUCTING_VERBS.contains(&w))
        || words.windows(2).any(|p| {
            p[0] == "you" && matches!(p[1].as_str(), "should" | "need" | "must" | "can" | "could")
        })
        || words.iter().any(|w| w == "please")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_asking_what_to_do() {
        for q in [
            "My neighbour reckons the pipe outside is frozen. What do I do about that?",
            "What should we do now?",
            "I can smell gas. What's the first thing I should do?",
            "What do I need to do to cancel?",
            "I've booked my first spin class. Is there anything I need to do, like get there early?",
            "Do I need to do anything before the engineer comes?",
        ] {
            assert!(asks_what_to_do(q), "{q}");
        }
        for q in [
            "What do you do about frozen pipes?",
            "What does the plan cover?",
            "How much do I pay?",
        ] {
            assert!(!asks_what_to_do(q), "{q}");
        }
    }

    #[test]
    fn an_instruction_against_a_description() {
        assert!(instructs(
            "Pour warm water, not boiling water, over the pipe to thaw it, then reset the boiler."
        ));
        assert!(instructs(
            "If the pressure drops below 1 bar, you can top it up with the filling loop."
        ));
        assert!(instructs(
            "If you smell gas, turn off the supply at the meter."
        ));
        assert!(!instructs(
            "It may be a frozen condensate pipe, the plastic pipe that runs from the boiler."
        ));
        assert!(!instructs(
            "Our engineers carry the common parts in their vans."
        ));
    }
}
