//! Look-alike facts the question does not choose between: "how long until I get my deposit
//! back?" when the knowledge base has a unit's deposit and a van's, each refunded in its own
//! time; "how long is the crossing to Skellan?" when two routes call there. Quoting either is
//! a wrong fact half the time, so the agent asks which one is meant ("Do you mean Port Alder –
//! Skellan, or Skellan – Tollmore?") and reads the caller's reply as a follow-up.
//!
//! Owns the rule only ([`which`]); the quote finds the two candidates, the turn asks.

use std::collections::HashSet;

use super::words::content;

/// One candidate answer: what it is about (a table row's label, else its section's last
/// heading) and its sentence.
pub(crate) struct Candidate<'a> {
    pub(crate) about: &'a str,
    pub(crate) sentence: &'a str,
}

/// The two names to ask between when `a` and `b` give different facts and the caller's
/// words (`said`: the question and the one before a follow-up) name neither: each must have a
/// word the other lacks, and the caller must have said none of those words.
pub(crate) fn which(said: &str, a: &Candidate<'_>, b: &Candidate<'_>) -> Option<(String, String)> {
    if digits(a.sentence) == digits(b.sentence) {
        return None;
    }
    let (wa, wb): (HashSet<String>, HashSet<String>) = (
        content(a.about).into_iter().collect(),
        content(b.about).into_iter().collect(),
    );
    let only_a: Vec<&String> = wa.difference(&wb).collect();
    let only_b: Vec<&String> = wb.difference(&wa).collect();
    if only_a.is_empty() || only_b.is_empty() {
        return None;
    }
    let said: HashSet<String> = content(said).into_iter().collect();
    if only_a.iter().chain(&only_b).any(|w| said.contains(*w)) {
        return None;
    }
    Some((a.about.trim().to_string(), b.about.trim().to_string()))
}

/// The runs of digits of a sentence, as a set ("£200 … within 3 working days" → {200, 3}).
fn digits(sentence: &str) -> HashSet<String> {
    sentence
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

/// What the agent says to ask.
pub(crate) fn question((a, b): &(String, String)) -> String {
    format!("Do you mean {a}, or {b}?")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c<'a>(about: &'a str, sentence: &'a str) -> Candidate<'a> {
        Candidate { about, sentence }
    }

    #[test]
    fn two_routes_to_the_same_port_are_asked_between() {
        let a = c(
            "Port Alder – Skellan",
            "Port Alder – Skellan, crossing time: 40 min.",
        );
        let b = c(
            "Skellan – Tollmore",
            "Skellan – Tollmore, crossing time: 25 min.",
        );
        let Some(asked) = which("How long is the crossing to Skellan?", &a, &b) else {
            panic!("two routes to Skellan are look-alikes");
        };
        assert_eq!(
            asked,
            ("Port Alder – Skellan".into(), "Skellan – Tollmore".into())
        );
        assert_eq!(
            question(&asked),
            "Do you mean Port Alder – Skellan, or Skellan – Tollmore?"
        );
    }

    #[test]
    fn a_question_naming_one_or_the_same_fact_twice_is_not_asked_about() {
        let a = c("Port Alder – Skellan", "Crossing time: 40 min.");
        let b = c("Skellan – Tollmore", "Crossing time: 25 min.");
        assert_eq!(which("How long from Port Alder to Skellan?", &a, &b), None);
        let b = c("Skellan – Tollmore", "Crossing time: 40 min.");
        assert_eq!(which("How long is the crossing to Skellan?", &a, &b), None);
        // Nothing tells them apart by name: nothing to ask.
        let b = c("Port Alder – Skellan", "Crossing time: 25 min.");
        assert_eq!(which("How long is the crossing?", &a, &b), None);
    }
}
