//! The one sentence of the top passage that gives the kind of fact asked, read when the
//! model could not say it: "If I send you an email, how quick do you get back to people?" —
//! the email section's "We reply to emails within 1 working day." is its only duration.
//! Owns this choice only; the turn decides when to read it.

use super::colloquial::expand;
use super::prompt::Passage;
use super::quote::{Fit, leans_back, refers_elsewhere};
use super::unknown::topical;
use super::words::{content, tokens};
use crate::speech::tts::sentences;

/// The sentence of `top` (the first passage the caller may be told) that is its only one
/// to give the asked kind of fact (`fit.slot`) the way the question narrows it — or its only
/// one to give it as a figure — when that sentence itself says a topical word of the
/// question (or the written word for a colloquial one). `None` for a question asking no kind of fact (a yes or no, a "what happens"),
/// or when two sentences give one.
pub(crate) fn sole_fact(top: &Passage, fit: &Fit<'_>) -> Option<String> {
    fit.slot.kind?;
    let giving = giving(top, fit);
    // "Isn't checked overnight" is a duration in words; "within 1 working day" a figure.
    let figured: Vec<&String> = giving
        .iter()
        .filter(|s| s.contains(|c: char| c.is_ascii_digit()))
        .collect();
    tracing::debug!(id = %top.id, ?giving, "agent: sentences giving the asked kind of fact");
    let only: &str = match (giving.as_slice(), figured.as_slice()) {
        ([only], _) => only,
        (_, [only]) => only,
        _ => return None,
    };
    let own = content(only);
    // "Nicked" is said as "stolen" or "theft" in the knowledge base.
    let says_topic = topical(&expand(fit.text)).iter().any(|w| own.contains(w));
    (says_topic && !leans_back(only)).then(|| only.to_string())
}

/// The one sentence of `p` that gives the asked kind of fact (as [`sole_fact`] reads it)
/// *and* is about what was asked — its first word of content is a topical word of the
/// question (or the written word of a colloquial one; "*Refunds* are paid back …"): a
/// passage retrieval ranked below the top may hold it ("And how long does the refund take?"
/// — "Refunds are paid back … within 10 working days." beside two notice periods). `None`
/// when two such sentences, or none, are there.
pub(crate) fn topical_fact(p: &Passage, fit: &Fit<'_>) -> Option<String> {
    fit.slot.kind?;
    // "How much notice …": the notice is the duration asked for, not what it is about.
    let measured = measured_noun(fit.text);
    let topic: Vec<String> = topical(&expand(fit.text))
        .into_iter()
        .filter(|w| measured.as_ref() != Some(w))
        .collect();
    let mut about: Vec<String> = giving(p, fit)
        .into_iter()
        .filter(|s| !leans_back(s))
        .filter(|s| content(s).first().is_some_and(|w| topic.contains(w)))
        .collect();
    tracing::debug!(id = %p.id, ?about, "agent: sentences of the asked kind about the topic");
    match about.len() {
        1 => about.pop(),
        _ => None,
    }
}

/// The sentences of `p`'s body that give what `fit` asks and do not point elsewhere for it.
fn giving(p: &Passage, fit: &Fit<'_>) -> Vec<String> {
    let body = p.text.split_once('\n').map_or("", |(_, b)| b);
    let all = sentences(body);
    fit.fitting(p, all.iter().map(String::as_str))
        .into_iter()
        .filter(|s| !refers_elsewhere(s))
        .map(str::to_string)
        .collect()
}

/// The noun after "how much" ("how much notice", "how much warning"), in content form.
fn measured_noun(question: &str) -> Option<String> {
    let t = tokens(question);
    t.windows(3)
        .find(|w| w[0] == "how" && w[1] == "much")
        .and_then(|w| content(&w[2]).into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialog::kb::Vocabulary;
    use crate::dialog::slots::Slot;

    const EMAIL: &str = "Contact > Email\nWe reply to emails within 1 working day. Please don't \
        email about emergencies, because the inbox isn't checked overnight or at weekends.";

    fn sole(passage: &str, question: &str) -> Option<String> {
        let vocabulary = Vocabulary::knowing(&["email", "reply", "inbox", "letter"]);
        let fit = Fit::new(Slot::of(question), question, None, &vocabulary);
        let top = Passage {
            id: "contact.md#email".into(),
            text: passage.into(),
            names: Vec::new(),
        };
        sole_fact(&top, &fit)
    }

    #[test]
    fn the_one_figure_of_the_asked_kind_is_read() {
        let q = "If I send you an email, how quick do you normally get back to people?";
        assert_eq!(
            sole(EMAIL, q).as_deref(),
            Some("We reply to emails within 1 working day.")
        );
    }

    #[test]
    fn two_figures_of_the_kind_or_none_name_no_sentence() {
        let two = format!("{EMAIL} Letters are answered within 10 working days.");
        let q = "How quick do you answer?";
        assert_eq!(sole(&two, q), None);
        // Asks no kind of fact: a yes or no.
        assert_eq!(sole(EMAIL, "Can I email you about an emergency?"), None);
    }

    #[test]
    fn a_colloquial_word_says_its_written_one() {
        let claims = "Protection > Making a claim\nReport any loss to your site office within \
            48 hours, and tell the police about any theft.";
        let q = "If something gets nicked from my unit, how quickly have I got?";
        assert!(sole(claims, q).is_some_and(|s| s.contains("48 hours")));
    }

    #[test]
    fn the_one_figure_about_the_topic_is_read_beside_others() {
        let later = "Payments > Cancelling a plan later\nYou can cancel at any time by giving us \
            30 days' notice. Your last payment is taken at the end of the 30 days' notice. \
            Refunds are paid back to the original payment method within 10 working days.";
        let q = "And how long does the refund take to come through?";
        let vocabulary = Vocabulary::knowing(&["refund", "notice", "payment"]);
        let fit = Fit::new(Slot::of(q), q, None, &vocabulary);
        let p = Passage {
            id: "payments.md#later".into(),
            text: later.into(),
            names: Vec::new(),
        };
        assert_eq!(sole_fact(&p, &fit), None);
        assert!(topical_fact(&p, &fit).is_some_and(|s| s.contains("10 working days")));
        // Two sentences open with the refund: neither is read.
        let two = Passage {
            text: format!("{later} Refunds to a card can take up to 5 days to show."),
            ..p.clone()
        };
        assert_eq!(topical_fact(&two, &fit), None);
        // The notice asked for says nothing of what it is notice of.
        let q = "How much notice do I need to give to get the deposit back?";
        let fit = Fit::new(Slot::of(q), q, None, &vocabulary);
        let p = Passage {
            text: "Plans > Price changes\nWe give at least 28 days' written notice of any price \
                change."
                .into(),
            ..p
        };
        assert_eq!(topical_fact(&p, &fit), None);
    }

    #[test]
    fn a_sentence_not_about_what_was_asked_is_not_read() {
        // The one duration is about emails; the question is about letters.
        assert_eq!(sole(EMAIL, "How quick do you answer a letter?"), None);
    }
}
