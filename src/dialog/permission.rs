//! Questions whether something is allowed ("My daughter's in Stage 2 and she wants to wear
//! goggles. Is she allowed to?", "Can they wear screw-in studs on the pitch?") and whether a
//! sentence answers one: it must say yes or no, may or must, or what is accepted. A sentence
//! that only mentions the thing ("Reception sells goggles for £6.95", an FAQ pair's answer to
//! "Do you sell swimming kit?") answers another question (see `quote::faq_answer`). Owns
//! these word tests only.

use std::sync::LazyLock;

use regex::Regex;

use super::words::{regex, tokens};

/// Whether the caller's last question asks if something is allowed: "can / could / may" with
/// someone other than the agent as its subject ("can I…", "could my son…"), or "is / am / are
/// … allowed / permitted / ok to".
pub(crate) fn asks_permission(text: &str) -> bool {
    static ASKS: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"(?i)^(?:(?:so|and|but|well|um|er|oh|ok|okay|right|then),?\s+)*(?:(?:can|could|may)\s+(?:i|we|they|he|she|my|our|his|her|their|kids|children|people|guests|visitors|members)\b|(?:is|am|are)\s+(?:i|we|they|he|she|it|that|my|our|his|her|their)\b.*\b(?:allowed|permitted|ok|okay|alright|all right|fine)\b)",
        )
    });
    last_question(text).is_some_and(|q| ASKS.is_match(q.trim()))
}

/// The last sentence of `text` that ends in a question mark.
fn last_question(text: &str) -> Option<&str> {
    text.split_inclusive(['.', '!', '?'])
        .rfind(|s| s.trim_end().ends_with('?'))
}

/// Whether `sentence` says whether something may be done: yes or no, a modal, a negation, or
/// a word of what is allowed, accepted or required.
pub(crate) fn answers_permission(sentence: &str) -> bool {
    tokens(sentence).iter().any(|w| {
        w.ends_with("n't")
            || matches!(
                w.as_str(),
                "yes"
                    | "no"
                    | "not"
                    | "never"
                    | "nobody"
                    | "none"
                    | "can"
                    | "cannot"
                    | "may"
                    | "must"
                    | "should"
                    | "need"
                    | "needs"
                    | "only"
                    | "unless"
                    | "except"
                    | "allowed"
                    | "allow"
                    | "allows"
                    | "permitted"
                    | "welcome"
                    | "accept"
                    | "accepts"
                    | "accepted"
                    | "fine"
                    | "ok"
                    | "okay"
                    | "free"
                    | "required"
                    | "requires"
                    | "banned"
                    | "prohibited"
                    | "forbidden"
                    | "restricted"
                    | "suitable"
                    | "have"
                    | "has"
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_whether_something_is_allowed() {
        for t in [
            "My daughter's in Stage 2 and she really wants to wear goggles. Is she allowed to?",
            "The lads have screw-in studs. Can they wear them on your 3G pitch?",
            "Can I bring my own food in?",
            "So could my son come with me?",
            "Is it ok to park round the back?",
        ] {
            assert!(asks_permission(t), "{t}");
        }
        for t in [
            "Can you tell me when you open?",
            "Is there a car park?",
            "How much is a swim?",
            "Can I bring my dog? How much is it?",
        ] {
            assert!(!asks_permission(t), "{t}");
        }
    }

    #[test]
    fn an_answer_says_yes_no_may_or_must() {
        for s in [
            "On the 3G pitch: no metal or screw-in studs.",
            "Children in Stages 1 to 3 can wear goggles.",
            "We accept all major cards.",
            "Dogs are welcome in the garden.",
            "Goggles aren't allowed in lessons.",
        ] {
            assert!(answers_permission(s), "{s}");
        }
        assert!(!answers_permission(
            "Reception sells goggles for £6.95, swim hats for £3.50 and nose clips for £2.40."
        ));
    }
}
