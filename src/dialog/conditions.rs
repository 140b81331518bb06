//! A figure a sentence gives only as a condition ("*If you cancel within those 14 days*, you
//! get a full refund"): the 14 days are when the caller must cancel, not how long the refund
//! takes. Asked how long something *takes*, such a sentence gives a duration of something
//! else, unless the condition itself says what the question asks about. Asked how long
//! *before* something happens, the condition is the answer ("If it is unpaid 21 days after
//! it was due, we overlock your unit"). Pure text rules.

use super::slots::{Kind, Slot};
use super::unknown::topical;
use super::words::{content, tokens};

/// Words opening a clause that states a condition rather than a fact.
const OPENERS: [&str; 6] = [
    "if ",
    "unless ",
    "provided ",
    "providing ",
    "as long as ",
    "so long as ",
];

/// Whether `question` asks how long something takes, and `sentence` gives a duration only in
/// condition clauses that say none of the question's topical words, while its other clauses
/// say one of them.
pub(crate) fn figure_only_in_condition(question: &str, slot: Slot, sentence: &str) -> bool {
    if slot.kind != Some(Kind::Duration) || !asks_time_taken(question) {
        return false;
    }
    let kind = Slot {
        kind: slot.kind,
        period: None,
    };
    let topic = topical(question);
    let clauses: Vec<&str> = sentence
        .split([',', ';', ':', '—', '–'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let (giving, rest): (Vec<&str>, Vec<&str>) = clauses.iter().partition(|c| kind.fits(c));
    let says_topic = |c: &&str| content(c).iter().any(|w| topic.contains(w));
    !giving.is_empty()
        && giving.iter().all(|c| is_condition(c) && !says_topic(c))
        && rest.iter().any(says_topic)
}

/// "How long does the refund take?", "how long will it take to fix?".
fn asks_time_taken(question: &str) -> bool {
    tokens(question)
        .iter()
        .any(|t| matches!(t.as_str(), "take" | "takes" | "taking" | "took"))
}

fn is_condition(clause: &str) -> bool {
    let lower = clause.to_lowercase();
    OPENERS.iter().any(|o| lower.starts_with(o))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFUND: &str = "If you cancel within those 14 days, you get a full refund.";

    #[test]
    fn a_condition_does_not_give_what_is_asked_about_the_rest() {
        let how_long = Slot::of("How long does the refund take to come through?");
        assert!(figure_only_in_condition(
            "How long does the refund take to come through?",
            how_long,
            REFUND
        ));
    }

    #[test]
    fn a_condition_saying_the_topic_answers() {
        let q = "How long do I have to cancel?";
        assert!(!figure_only_in_condition(q, Slot::of(q), REFUND));
    }

    #[test]
    fn a_condition_answers_how_long_before() {
        let q = "How long before you lock me out if I don't pay?";
        let s = "If it is unpaid 21 days after it was due, we overlock your unit: we put our own lock on it.";
        assert!(!figure_only_in_condition(q, Slot::of(q), s));
    }

    #[test]
    fn a_fact_clause_is_no_condition() {
        let q = "How long do returns take?";
        let s = "Within 30 days of delivery, returns are free.";
        assert!(!figure_only_in_condition(q, Slot::of(q), s));
        let s = "Refunds are paid back to the original payment method within 10 working days.";
        assert!(!figure_only_in_condition(
            "How long does the refund take to come through?",
            Slot::of("How long does the refund take to come through?"),
            s
        ));
    }
}
