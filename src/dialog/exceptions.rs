//! A "no" with the way it can be done: asked "Can I just give the engineer cash when he's
//! finished?", "our engineers can't take cash" is the answer, and the same passage's "Cash, at
//! the office counter only, up to £500." is what the caller needs next. Owns this pairing
//! only; the quote chooses the "no".

use super::unknown::topical;
use super::words::{content, is_negated};
use crate::speech::tts::sentences;

/// `spoken` (the quoted sentences of `passage`), followed — when it is one sentence saying
/// "no" — by the passage's first other sentence that opens with a thing the question names
/// (one the "no" names too, or any if the sentence is an item of a list) and says "yes" to it.
pub(crate) fn with_way_it_can(passage: &str, question: &str, spoken: Vec<String>) -> Vec<String> {
    let [line] = spoken.as_slice() else {
        return spoken;
    };
    if !is_negated(line) {
        return spoken;
    }
    let asked = topical(question);
    let denied = content(line);
    let body = passage.split_once('\n').map_or(passage, |(_, b)| b);
    // The thing is named by the "no" too, or the way is an item of the passage's list ("our
    // hygienists can't take payment" → "…: cash, at the reception desk only").
    let way = sentences(body).into_iter().find(|s| {
        s.trim() != line.trim()
            && !is_negated(s)
            && content(item(s))
                .first()
                .is_some_and(|w| asked.contains(w) && (denied.contains(w) || item(s) != s))
    });
    match way {
        Some(way) => vec![line.clone(), way],
        None => spoken,
    }
}

/// A list item without the lead-in the chunker gives it ("We accept the following ways to
/// pay: cash, at the office counter only" → "cash, at the office counter only").
fn item(sentence: &str) -> &str {
    sentence
        .rsplit_once(": ")
        .map_or(sentence, |(_, item)| item)
}

#[cfg(test)]
mod tests {
    use super::*;

    // As the chunker writes a list: each item after its lead-in.
    const PAY: &str = "Payments > How you can pay\nWe accept the following ways to pay: cards, \
        on the engineer's card reader. We accept the following ways to pay: bank transfer, \
        using the details on your invoice. We accept the following ways to pay: cash, at the \
        office counter only, up to £500. We don't accept American Express or cheques, and our \
        engineers can't take cash.";

    #[test]
    fn a_no_is_followed_by_the_way_it_can_be_done() {
        let no = "We don't accept American Express or cheques, and our engineers can't take cash.";
        let q = "Can I just give the engineer cash when he's finished the job?";
        assert_eq!(
            with_way_it_can(PAY, q, vec![no.to_string()]),
            vec![
                no.to_string(),
                "We accept the following ways to pay: cash, at the office counter only, up to \
                 £500."
                    .to_string()
            ]
        );
        // A list item naming what was asked completes a "no" that does not name it.
        let staff = "Our engineers can't take payment at your home.";
        let passage = format!("{PAY} {staff}");
        let q = "Can I pay the engineer in cash?";
        assert_eq!(
            with_way_it_can(&passage, q, vec![staff.to_string()]).len(),
            2
        );
        // A "no" about something else, or a "yes", is spoken alone.
        let q = "Can I pay by cheque?";
        assert_eq!(with_way_it_can(PAY, q, vec![no.to_string()]).len(), 1);
        let yes = "We accept the following ways to pay: bank transfer, using the details on                    your invoice.";
        let q = "Can I pay by bank transfer?";
        assert_eq!(with_way_it_can(PAY, q, vec![yes.to_string()]).len(), 1);
    }
}
