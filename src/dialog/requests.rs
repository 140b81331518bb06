//! What the caller asks the agent to *do* on their own account rather than to tell: "can you
//! book me onto the 7am spin?", "could you cancel my membership?", "when's my next payment?
//! My membership number's 40217". The agent reads knowledge; it books, cancels and looks up
//! nobody's account (an operator's tool may, see `tools.rs`), so such a turn goes to a
//! person. Owns these word tests only.

use std::sync::LazyLock;

use regex::Regex;

use super::words::regex;

/// Whether the caller asks the agent to act for them: a request ("can you / could you /
/// please …") whose verb changes a booking, an account or a payment and whose object is
/// theirs ("me", "my", "us", "our", someone of theirs).
pub(crate) fn asks_to_act_for_caller(text: &str) -> bool {
    static ACT: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"(?i)\b(?:(?:can|could|would|will)\s+(?:you|u|someone|somebody)(?:\s+please)?(?:\s+just)?|please(?:\s+just)?|i'?d\s+like\s+you\s+to|i\s+want\s+you\s+to|i\s+need\s+you\s+to)\s+(?:book|rebook|cancel|reschedule|move|change|put|sign|add|remove|take|freeze|pause|unfreeze|refund|transfer|switch|upgrade|downgrade|renew|reserve|enrol|enroll|register|update|amend|send|arrange|waive)\s+(?:me|us|my|our|him|her|them|his|their)\b",
        )
    });
    ACT.is_match(text) || gives_own_account(text)
}

/// Whether the caller gives the number of their own account, booking or membership ("my
/// membership number's 40217"): what follows is about that account.
fn gives_own_account(text: &str) -> bool {
    static OWN: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"(?i)\bmy\s+(?:membership|member|account|customer|booking|reference|contract|policy)\s+(?:number|no\.?|id|reference|ref)(?:'s|\s+is)?\s*:?\s*[a-z]{0,3}[-\s]?\d{3,}",
        )
    });
    OWN.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_to_act_on_the_callers_own_account() {
        for t in [
            "Can you book me onto the 7am spin tomorrow please?",
            "Could you cancel my membership from the end of the month?",
            "Please freeze my membership for two months.",
            "I'd like you to move our booking to Saturday.",
            "Can you just put me down for the swimming lessons?",
            "Can you tell me when my next direct debit's coming out? My membership number's 40217.",
            "my account number is AB-123456, what do I owe?",
        ] {
            assert!(asks_to_act_for_caller(t), "{t}");
        }
    }

    #[test]
    fn questions_about_the_rules_are_no_requests() {
        for t in [
            "Can you freeze a membership if you're injured?",
            "Can I book a class without being a member?",
            "How do I cancel my membership?",
            "Can you cancel a class booking for free?",
            "Could you tell me what time the pool opens?",
            "Do you send a reminder before my lesson?",
            "What's my membership number for if I lose the card?",
        ] {
            assert!(!asks_to_act_for_caller(t), "{t}");
        }
    }
}
