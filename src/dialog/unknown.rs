//! Words the knowledge base never uses: whether a question that retrieval matched only
//! loosely is about something the operator's documents do not mention, so that the agent hands
//! off rather than answer from the nearest passage. Reads the knowledge base's
//! [`Vocabulary`]; the semantic threshold that overrides it is the turn's.

use super::asks;
use super::colloquial;
use super::kb::{Hit, Vocabulary};
use super::slots::says_kind_of_fact;
use super::words::{self, content};

/// Whether a question that retrieval matched only loosely asks about something the
/// knowledge base never mentions: a content word of four or more letters that no chunk
/// contains ("student" in "do you have a student discount?"), for a third or more of its
/// topical words. A close semantic match (at least `sure`: a paraphrase, "used bicycles" for
/// "second-hand bikes") is trusted as it is.
pub(super) fn has_unknown_words(v: &Vocabulary, hits: &[Hit], text: &str, sure: f32) -> bool {
    if hits.first().is_some_and(|h| h.semantic >= sure) {
        return false;
    }
    // Read as said and with colloquial words written out ("nicked" → "stolen theft"):
    // off topic only when both readings are.
    off_topic(v, text) && off_topic(v, &colloquial::standardised_for(text, &|w| v.knows(w)))
}

/// Whether a third or more of `text`'s topical words appear in no chunk.
fn off_topic(v: &Vocabulary, text: &str) -> bool {
    let asked = topical(text);
    let unknown = v.unknown(&asked);
    // One odd detail ("…in a different colour?") is not a new topic; a third of the
    // question's words is.
    let off_topic = !asked.is_empty() && unknown.len() * 3 >= asked.len();
    if off_topic {
        tracing::debug!(
            ?unknown,
            of = asked.len(),
            "agent: words the knowledge base never mentions"
        );
    }
    off_topic
}

/// Whether a yes/no question asks if something exists or is offered ("do you do motorbike
/// lessons?", "is there a cash machine near there?") that the knowledge base never
/// names: a topical word of the thing that no chunk contains, as said and with colloquial
/// words written out. A sentence close in meaning ("our lessons are only given in our own
/// cars") does not answer it: the knowledge base cannot say yes to what it never mentions.
/// (A whole chunk as close as a paraphrase does, which the caller checks: "used bicycles"
/// for an FAQ's "second-hand bikes".) So does one asking whether an act the knowledge base
/// never names may be done ("Can you extend it for me?").
pub(super) fn asks_for_unknown_thing(v: &Vocabulary, text: &str) -> bool {
    if asks_unknown_act(v, text) {
        return true;
    }
    let Some(thing) = asks::asked_to_exist(text) else {
        return false;
    };
    let said = topical(&thing);
    let said = v.unknown(&said);
    let standard = topical(&colloquial::standardised_for(&thing, &|w| v.knows(w)));
    let missing = !said.is_empty() && !v.unknown(&standard).is_empty();
    if missing {
        tracing::debug!(
            ?said,
            "agent: asked whether something the knowledge base never names exists"
        );
    }
    missing
}

/// Whether a yes/no question asks if an act may be done ("Can you extend it for me?") whose
/// verb no chunk uses, as said or written out: the knowledge base cannot say yes or no to an
/// act it never names.
fn asks_unknown_act(v: &Vocabulary, text: &str) -> bool {
    let Some(verb) = asks::asked_act(text) else {
        return false;
    };
    let unknown = never_said(v, &verb);
    if unknown {
        tracing::debug!(
            %verb,
            "agent: asked whether an act the knowledge base never names may be done"
        );
    }
    unknown
}

/// Whether a yes/no question asks if a known act may be done to, with or by something the
/// knowledge base never names ("Can I pay for a new boiler *on finance*?"): a passage about
/// paying for boilers, however close, cannot say yes or no to finance.
pub(super) fn asks_act_on_unknown_thing(v: &Vocabulary, text: &str) -> bool {
    let object = asks::asked_act_means(text).unwrap_or_default();
    let unknown = never_said(v, &object);
    if unknown {
        let said = topical(&object);
        let words = v.unknown(&said);
        tracing::debug!(
            ?words,
            "agent: asked whether an act may be done on something never named"
        );
    }
    unknown
}

/// Whether `words` hold a topical word no chunk contains, as said and written out.
fn never_said(v: &Vocabulary, words: &str) -> bool {
    let said = topical(words);
    let standard = topical(&colloquial::standardised_for(words, &|w| v.knows(w)));
    !said.is_empty() && !v.unknown(&said).is_empty() && !v.unknown(&standard).is_empty()
}

/// The topical words of `text`: content words of four or more letters that are not numbers,
/// generic words, adverbs of manner ("completely"), nor words that say what kind of fact is
/// asked ("how much *warning*", "the *price*").
pub(super) fn topical(text: &str) -> Vec<String> {
    content(text)
        .into_iter()
        .filter(|w| w.len() >= 4 && !words::is_number(w) && !words::is_generic(w))
        .filter(|w| !words::is_manner_adverb(w))
        .filter(|w| !says_kind_of_fact(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_act_the_knowledge_base_never_names_is_unknown() {
        let v = Vocabulary::knowing(&["voucher", "valid", "month", "exchange", "cash", "repair"]);
        assert!(asks_for_unknown_thing(
            &v,
            "My voucher ran out last month. Can you extend it for me?"
        ));
        // A known act, or a colloquial word for one ("fix" is written "repair").
        assert!(!asks_for_unknown_thing(&v, "Can I exchange my voucher?"));
        assert!(!asks_for_unknown_thing(&v, "Can you fix it?"));
        // A known act done a way the knowledge base never names.
        assert!(asks_act_on_unknown_thing(
            &v,
            "Can I pay for my repair on finance?"
        ));
        assert!(!asks_act_on_unknown_thing(
            &v,
            "Can I pay for my repair with cash?"
        ));
        // Words that are not the means ("later", "while") are no unknown way.
        assert!(!asks_act_on_unknown_thing(
            &v,
            "Can I exchange it for a bigger one later?"
        ));
        assert!(!asks_act_on_unknown_thing(
            &v,
            "Can I pay by cash while I'm there?"
        ));
    }
}
