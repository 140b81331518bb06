//! The knowledge base's words, counted once per change: every content word (stemmed, as
//! [`crate::dialog::words::content`] reads them) with the number of chunks that say it, and the
//! words that name table rows and columns. The agent asks these on every turn (is a word of the
//! caller's one the knowledge base never uses? is it rare here? does it name a row?); reading
//! them off the chunks each time re-stemmed the whole knowledge base several times per turn.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::Chunk;
use crate::dialog::words::{content, final_e_apart, one_edit_apart};

/// The words of one version of the knowledge base (rebuilt with the index on each change).
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    /// Content word → how many chunks say it.
    chunks_with: HashMap<String, usize>,
    /// The content words of every chunk's `names` (row labels, column headers, headings).
    names: HashSet<String>,
    /// The content words of table column headers only (not row labels, not headings).
    columns: HashSet<String>,
    /// `names` that are column words, and those that are not (row labels, headings).
    column_names: HashSet<String>,
    row_names: HashSet<String>,
    chunks: usize,
}

impl Vocabulary {
    /// The words of `chunks`.
    pub(crate) fn of(chunks: &[Arc<Chunk>]) -> Vocabulary {
        let mut chunks_with: HashMap<String, usize> = HashMap::new();
        for c in chunks {
            let own: HashSet<String> = content(&c.text).into_iter().collect();
            for w in own {
                *chunks_with.entry(w).or_default() += 1;
            }
        }
        let names: HashSet<String> = chunks
            .iter()
            .flat_map(|c| c.names.iter())
            .flat_map(|n| content(n))
            .collect();
        let columns: HashSet<String> = chunks.iter().flat_map(|c| column_words(c)).collect();
        Vocabulary {
            chunks_with,
            column_names: names.intersection(&columns).cloned().collect(),
            row_names: names.difference(&columns).cloned().collect(),
            names,
            columns,
            chunks: chunks.len(),
        }
    }

    /// A vocabulary of `words` alone, each said once (for tests of the rules that ask it).
    #[cfg(test)]
    pub(crate) fn knowing(words: &[&str]) -> Vocabulary {
        Vocabulary {
            chunks_with: words.iter().map(|w| (w.to_string(), 1)).collect(),
            chunks: 1,
            ..Vocabulary::default()
        }
    }

    /// Whether some chunk says content word `word`.
    pub(crate) fn knows(&self, word: &str) -> bool {
        self.chunks_with.contains_key(word)
    }

    /// The words that name table rows and columns anywhere in the knowledge base.
    pub(crate) fn names(&self) -> &HashSet<String> {
        &self.names
    }

    /// The words of the table column headers.
    pub(crate) fn columns(&self) -> &HashSet<String> {
        &self.columns
    }

    /// The [`Vocabulary::names`] that are column words, and those that are not.
    pub(crate) fn names_by_kind(&self) -> (&HashSet<String>, &HashSet<String>) {
        (&self.column_names, &self.row_names)
    }

    /// Whether the knowledge base says `word` in few chunks (at most one in twenty, or two):
    /// a word that names a topic of its own rather than what the whole business is about
    /// ("tyres" in a storage company's knowledge, not "crossing" in a ferry line's).
    pub(crate) fn is_rare(&self, word: &str) -> bool {
        let most = (self.chunks / 20).max(2);
        self.chunks_with.get(word).copied().unwrap_or(0) <= most
    }

    /// The words of `asked` (content words) that no chunk says, each once; a spelling
    /// variant one edit apart ("installments", "instalments") is the same word, and so is
    /// another form of an -e verb ("agreed", "agreeing").
    pub(crate) fn unknown<'a>(&self, asked: &'a [String]) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        for a in asked {
            if out.contains(&a.as_str()) || self.knows(a) {
                continue;
            }
            if !self
                .chunks_with
                .keys()
                .any(|w| one_edit_apart(a, w) || final_e_apart(a, w))
            {
                out.push(a);
            }
        }
        out
    }
}

/// The content words of a table row's column headers: its `names` after the label, less the
/// headings above the table.
fn column_words(c: &Chunk) -> Vec<String> {
    let headings: Vec<&str> = c.section.split(" > ").collect();
    c.names
        .iter()
        .skip(1)
        .filter(|n| !headings.contains(&n.as_str()))
        .flat_map(|n| content(n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(text: &str, names: &[&str]) -> Arc<Chunk> {
        Arc::new(Chunk {
            id: "kb.md#x".into(),
            file: "kb.md".into(),
            section: "Prices".into(),
            line: 1,
            text: text.into(),
            names: names.iter().map(|n| n.to_string()).collect(),
        })
    }

    #[test]
    fn counts_words_per_chunk_and_keeps_names_and_columns_apart() {
        let chunks = vec![
            chunk(
                "Prices\nGold plan: monthly price 20 dollars",
                &["Gold", "Monthly price", "Prices"],
            ),
            chunk("Prices\nSilver plan costs less, plan for plan", &[]),
            chunk("Opening hours\nWe open at nine", &[]),
        ];
        let v = Vocabulary::of(&chunks);
        assert!(v.knows("plan") && v.knows("open"));
        assert_eq!(
            v.chunks_with.get("plan"),
            Some(&2),
            "counted once per chunk"
        );
        assert!(v.names().contains("gold") && v.names().contains("monthly"));
        assert!(v.columns().contains("monthly"), "a column header");
        assert!(!v.columns().contains("gold"), "a row label is not a column");
        assert!(v.is_rare("silver"), "in one chunk of three");
    }

    #[test]
    fn unknown_words_allow_one_spelling_edit_and_are_listed_once() {
        let chunks = vec![chunk("Payment\nPay in three instalments", &[])];
        let v = Vocabulary::of(&chunks);
        let asked: Vec<String> = ["installment", "student", "student", "pay"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert_eq!(v.unknown(&asked), vec!["student"]);
    }
}
