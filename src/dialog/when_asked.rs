//! Whether a sentence says when, for a question asking when: "when do I get the certificate
//! through?" is answered by "certificates are emailed by the end of the next working day after
//! the visit", not by "your landlord must book and pay for the certificate", which is about the
//! certificate too but says nothing of when. Pure text rules; no models.

use std::sync::LazyLock;

use regex::Regex;

use super::slots::Slot;
use super::words::regex;

/// When something happens: a day, a date, a time, a period or a moment relative to another
/// ("by the end of the next working day after the visit", "before we start", "on the day").
static SAYS_WHEN: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\d|\b(?:after|before|within|until|till|by|once|during|while|as soon as|straight away|right away|immediately|at once|same day|next day|on the day|at the (?:end|start|time)|every|each|daily|weekly|monthly|yearly|annually|today|tomorrow|tonight|morning|afternoon|evening|night|weekend|weekday|noon|midday|midnight|(?:mon|tues|wednes|thurs|fri|satur|sun)days?|january|february|march|april|may|june|july|august|september|october|november|december|spring|summer|autumn|winter|christmas|new year|easter|holiday|holidays|minutes?|hours?|days?|weeks?|months?|years?|when|whenever|then|first|last|later|soon|anytime|any time|always|never)\b",
    )
});

/// "When do I get…", "when will you…", "by when…": the question asks when something happens.
static ASKS_WHEN: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:when|what day|which day|what date)(?:\s+(?:do|does|did|will|would|can|could|is|are|was|were|should|shall|must|might)\b|'s\b|’s\b)|\bby when\b",
    )
});

/// When something happens, said outright: a number, a named day, date, season or part of
/// the day, or a fixed moment ("the next working day", "straight away", "within"), not only
/// a moment relative to another ("before we visit", "once it's done").
static SAYS_WHEN_OUTRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\d|\b(?:within|as soon as|straight away|right away|immediately|at once|same day|next (?:working |business )?day|on the day|every|each|daily|weekly|monthly|yearly|annually|today|tomorrow|tonight|morning|afternoon|evening|weekend|weekday|noon|midday|midnight|(?:mon|tues|wednes|thurs|fri|satur|sun)days?|january|february|march|april|(?:in|from|until|by|of|early|mid|late|end of) may|june|july|august|september|october|november|december|spring|summer|autumn|winter|christmas|new year|easter|(?:a|an|one|two|three|four|five|six|seven|ten|twelve|few|several) (?:minutes?|hours?|days?|weeks?|months?|years?))\b",
    )
});

/// Whether the question asks when something happens and has no slot of its own.
pub(crate) fn asks_when(question: &str, slot: Slot) -> bool {
    slot.kind.is_none() && ASKS_WHEN.is_match(question)
}

/// Whether a sentence says when outright (see [`SAYS_WHEN_OUTRIGHT`]).
pub(crate) fn says_when_outright(sentence: &str) -> bool {
    SAYS_WHEN_OUTRIGHT.is_match(sentence)
}

/// Whether `sentence` says when, if the question asks when (a question with a slot of its
/// own is judged by that slot).
pub(crate) fn when_fits(question: &str, slot: Slot, sentence: &str) -> bool {
    slot.kind.is_some() || !ASKS_WHEN.is_match(question) || SAYS_WHEN.is_match(sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_when_question_is_answered_by_a_sentence_saying_when() {
        let none = Slot::default();
        let asks = "Once the check's done on my rental, when do I get the certificate through?";
        let who = "If you are a tenant, your landlord must book and pay for the certificate.";
        let when = "Certificates are emailed by the end of the next working day after the visit.";
        assert!(!when_fits(asks, none, who));
        assert!(when_fits(asks, none, when));
        // "When" telling a story asks nothing of the sort.
        let story = "When I rang last week nobody answered. Who do I complain to?";
        assert!(when_fits(story, none, who));
    }

    #[test]
    fn a_moment_relative_to_another_is_not_said_outright() {
        let asks = "When do I get the certificate through?";
        assert!(asks_when(asks, Slot::default()));
        let before = "We need the landlord's permission before we visit a rented home.";
        assert!(when_fits(asks, Slot::default(), before));
        assert!(!says_when_outright(before));
        assert!(says_when_outright(
            "Certificates are emailed by the end of the next working day after the visit."
        ));
        assert!(says_when_outright(
            "We send a reminder 4 weeks before it is due."
        ));
        // "May" the modal is no month.
        assert!(!says_when_outright(
            "It may be a frozen pipe, so the landlord must call us."
        ));
        assert!(says_when_outright("Prices go up in May."));
    }
}
