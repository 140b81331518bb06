//! Names a knowledge base gives its own places and things: "our terminal is on Fisher Row in
//! Port Alder, and everyone just calls it "the Row"". A caller who says "the Row" means Port
//! Alder, which is how the timetable and the price tables name it. Found by text rules in the
//! knowledge base's sentences (a quoted or capitalised name after "known as", "calls it",
//! "also called", "nicknamed"), so an operator's new nickname works without configuration.
//! Owns the rules and the rewriting of a question only.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::kb::Chunk;
use super::words::{is_stopword, regex, tokens};
use crate::speech::tts::sentences;

/// A name the knowledge base defines, and the proper names it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Alias {
    /// Lowercase words of the alias ("the", "row").
    words: Vec<String>,
    /// The proper names before it in its sentence ("Fisher Row", "Port Alder").
    names: Vec<String>,
}

/// "known (locally) as "X"", "calls it "X"", "also called X", "nicknamed X": the alias in
/// group 1 (quoted) or 2 (a capitalised name, "also called the Depot"). Quotes are needed
/// after "calls it" ("we call it a day" names nothing).
static DEFINES: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?:\b(?:known|referred to)(?:\s+\w+){0,2}?\s+as|\bcalls?\s+it|\balso\s+called|\bnicknamed|\baka)\s+[*_]*["“']([^"”'*_]{2,30})["”'][*_]*|(?:\b(?:known|referred to)(?:\s+\w+){0,2}?\s+as|\balso\s+called|\bnicknamed)\s+[*_]{0,2}((?:the\s+)?[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3})"#,
    )
});
/// A run of capitalised words ("Port Alder", "On Tollmore").
static PROPER: LazyLock<Regex> = LazyLock::new(|| regex(r"\b[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*"));

/// The aliases the chunks define.
pub(crate) fn defined(chunks: &[Arc<Chunk>]) -> Vec<Alias> {
    let mut out: Vec<Alias> = Vec::new();
    for chunk in chunks {
        for s in sentences(&chunk.text) {
            for alias in in_sentence(&s) {
                if !out.contains(&alias) {
                    out.push(alias);
                }
            }
        }
    }
    out
}

/// The aliases one sentence defines.
fn in_sentence(sentence: &str) -> Vec<Alias> {
    let mut out = Vec::new();
    for m in DEFINES.captures_iter(sentence) {
        let Some(alias) = m.get(1).or_else(|| m.get(2)) else {
            continue;
        };
        let before = &sentence[..m.get(0).map_or(0, |w| w.start())];
        let names: Vec<String> = PROPER
            .find_iter(before)
            .filter_map(|p| proper_name(p.as_str()))
            .collect();
        let words = tokens(alias.as_str());
        if names.is_empty() || words.is_empty() {
            continue;
        }
        out.push(Alias { words, names });
    }
    out
}

/// A capitalised run without the function words a sentence may open with ("On Tollmore" →
/// "Tollmore"; "Our" → nothing).
fn proper_name(run: &str) -> Option<String> {
    let words: Vec<&str> = run
        .split_whitespace()
        .skip_while(|w| is_stopword(&w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// `question` with what each alias it says stands for written after it: "at the Row" → "at
/// the Row (Fisher Row, Port Alder)". Unchanged when it says none.
pub(crate) fn resolve(question: &str, aliases: &[Alias]) -> String {
    let said = tokens(question);
    let mut added: Vec<&str> = Vec::new();
    for a in aliases {
        let n = a.words.len();
        let says = n <= said.len() && said.windows(n).any(|w| w == a.words.as_slice());
        if says {
            added.extend(a.names.iter().map(String::as_str));
        }
    }
    if added.is_empty() {
        return question.to_string();
    }
    added.dedup();
    format!("{question} ({})", added.join(", "))
}

/// A question as [`resolve`] left it, split into the caller's own words and the names it
/// added ("And in the hybrid? (Automatic, Toyota Yaris Hybrid)" → "And in the hybrid?",
/// "Automatic, Toyota Yaris Hybrid"); the names are empty when nothing was added.
pub(crate) fn split_resolved(question: &str) -> (&str, &str) {
    question
        .strip_suffix(')')
        .and_then(|q| q.rsplit_once(" ("))
        .unwrap_or((question, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resolved_question_splits_back_into_the_callers_words_and_the_names() {
        let a = in_sentence("Our terminal is in Port Alder, known as \"the Row\".");
        let q = resolve("Is there parking at the Row?", &a);
        assert_eq!(
            split_resolved(&q),
            ("Is there parking at the Row?", "Port Alder")
        );
        assert_eq!(split_resolved("Is it open?"), ("Is it open?", ""));
    }

    #[test]
    fn a_nickname_the_knowledge_base_gives_is_understood() {
        let a = in_sentence(
            "Our mainland terminal is on Fisher Row in Port Alder, and almost everyone just \
             calls it **\"the Row\"**.",
        );
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].names, ["Fisher Row", "Port Alder"]);
        let b = in_sentence(
            "On Tollmore we use the slipway at Ardcross, known locally as \"the Slip\".",
        );
        assert_eq!(b[0].names, ["Tollmore", "Ardcross"]);
        let c = in_sentence("Bristol North, also called the Depot, is in Filton.");
        assert_eq!(c[0].names, ["Bristol North"]);
        let all = [a, b, c].concat();
        assert_eq!(
            resolve("When does the office at the Row open?", &all),
            "When does the office at the Row open? (Fisher Row, Port Alder)"
        );
        assert_eq!(
            resolve("When does the office at the depot open?", &all),
            "When does the office at the depot open? (Bristol North)"
        );
        // "the Row" is not "row" alone, nor a word inside another.
        assert_eq!(
            resolve("Which row is my seat in?", &all),
            "Which row is my seat in?"
        );
    }

    #[test]
    fn plain_words_define_nothing() {
        assert!(in_sentence("We call it a day at 6 pm.").is_empty());
        assert!(in_sentence("It is known as the best ferry.").is_empty());
        assert!(in_sentence("known as \"the Row\"").is_empty());
    }
}
