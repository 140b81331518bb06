//! A table row the caller names by one of its cells instead of its label, and the column they
//! ask for: "Which zone is Tarnside in?" names the row whose area is Tarnside (its label is
//! the postcode district "KZ5") and the column "Zone" — that cell is the answer. Owns this
//! check only; a row named by its label is `cells.rs`'s.

use std::sync::LazyLock;

use regex::Regex;

use super::cells::{Asking, Said, all_here};
use super::kb::{Chunk, Hit};
use super::words::{content, is_generic, is_number, regex, upper_first};
use crate::speech::tts::sentences;

/// The parts one cell lists ("Ravensgill and High Scarth", "Zones C and D").
static PARTS: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\s+(?:and|or|&)\s+|\s*[,/;]\s*"));

/// One cell of a row: its column header and its value, as the row's sentences write them
/// (a value's first letter lower-cased unless it looks like a name: "tarnside").
#[derive(Debug, PartialEq)]
struct Cell {
    header: String,
    value: String,
}

/// The one cell of the top three hits whose column header the caller names, in a row the
/// caller names by exactly one other of its cells: its sentence ("Tarnside (KZ5), zone: Zone
/// B.") and the row's id. The naming cell must be said whole (or one of the parts it lists),
/// hold a word the knowledge base says in few places (`rare`: "Tarnside", not "gas
/// engineer"), and every topical word of the question the knowledge base knows must be in the
/// row. `None` when no cell or more than one is named, or for a yes-or-no question or a
/// choice.
pub(crate) fn keyed_cell(
    hits: &[Hit],
    asking: &Asking,
    rare: &dyn Fn(&str) -> bool,
) -> Option<(String, String)> {
    let mut named = hits
        .iter()
        .take(3)
        .filter(|h| all_here(&h.chunk, &asking.known))
        .flat_map(|h| {
            asked_cells(&h.chunk, asking, rare)
                .into_iter()
                .map(|sentence| (sentence, h.chunk.id.clone()))
        });
    let first = named.next()?;
    if named.next().is_some() {
        return None;
    }
    tracing::debug!(id = %first.1, sentence = %first.0, "agent: the question names a row by a cell");
    Some(first)
}

/// The sentences of the cells of row `c` whose header the caller names, when one other cell
/// of it (and only one) names the row.
fn asked_cells(c: &Chunk, asking: &Asking, rare: &dyn Fn(&str) -> bool) -> Vec<String> {
    let Some(label) = c.names.first() else {
        return Vec::new();
    };
    let cells = cells_of(c, label);
    let keys: Vec<&Cell> = cells
        .iter()
        .filter(|cell| names_row(&cell.value, &asking.said.words, rare))
        .collect();
    let [key] = keys[..] else {
        return Vec::new();
    };
    cells
        .iter()
        .filter(|cell| cell.header != key.header)
        .filter(|cell| asking.said.names(without_per(&cell.header)))
        .filter(|cell| {
            let row_named = |new: &Said| names_row(&key.value, &new.words, rare);
            asking.binds(row_named, without_per(&cell.header))
        })
        .map(|cell| {
            let row = match label.trim() {
                "" => key.value.clone(),
                label => format!("{} ({label})", key.value),
            };
            format!("{}, {}: {}.", upper_first(&row), cell.header, cell.value)
        })
        .collect()
}

/// The cells of a row chunk, read back from its sentences ("KZ5, zone: Zone B.").
fn cells_of(c: &Chunk, label: &str) -> Vec<Cell> {
    let body = c.text.split_once('\n').map_or("", |(_, b)| b);
    let lead = format!("{label}, ");
    sentences(body)
        .iter()
        .filter_map(|s| {
            let s = s.trim().trim_end_matches('.');
            let s = if label.trim().is_empty() {
                s
            } else {
                s.strip_prefix(&lead)?
            };
            let (header, value) = s.split_once(": ")?;
            Some(Cell {
                header: header.trim().to_string(),
                value: value.trim().to_string(),
            })
        })
        .collect()
}

/// Whether the caller names the row by the cell `value`: every word of it, or of one part it
/// lists, said — and one of them a word, not a number, that the knowledge base says rarely.
fn names_row(value: &str, said: &[String], rare: &dyn Fn(&str) -> bool) -> bool {
    PARTS.split(value).any(|part| {
        let words: Vec<String> = content(part)
            .into_iter()
            .filter(|w| !is_generic(w))
            .collect();
        !words.is_empty()
            && words.iter().all(|w| said.contains(w))
            && words
                .iter()
                .any(|w| w.len() >= 3 && !is_number(w) && rare(w))
    })
}

/// A header without what its figure is per ("travel charge per visit" → "travel charge"):
/// the caller asking the travel charge names the column without saying "per visit".
fn without_per(header: &str) -> &str {
    header.find(" per ").map_or(header, |i| &header[..i]).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialog::cells::tests::hits_of;

    const AREAS: &str = "# Service areas\n\n\
        | Postcode district | Area | Zone | Travel charge per visit |\n|---|---|---|---|\n\
        | KZ4 | Oakridge and Mossley Bridge | Zone B | £15 |\n\
        | KZ5 | Tarnside | Zone B | £15 |\n\
        | KZ8 | Ravensgill and High Scarth | Zone D | £35 |\n";

    const STAFF: &str = "# Engineers\n\n\
        | Engineer | Job | Van |\n|---|---|---|\n\
        | Dev Okafor | Gas engineer | Van 1 |\n\
        | Priya Samra | Gas engineer | Van 4 |\n";

    /// The answer from the rows of `markdown`, in a knowledge base that also says `elsewhere`.
    fn ask_in(markdown: &str, elsewhere: &str, q: &str) -> Option<String> {
        let words = content(&format!("{markdown}\n{elsewhere}"));
        let knows = |w: &str| words.iter().any(|x| x == w);
        let rare = |w: &str| words.iter().filter(|x| *x == w).count() <= 1;
        let asking = Asking::of(q, None, &knows)?;
        keyed_cell(&hits_of(markdown), &asking, &rare).map(|(s, _)| s)
    }

    fn ask(markdown: &str, q: &str) -> Option<String> {
        ask_in(markdown, "", q)
    }

    #[test]
    fn a_row_named_by_a_cell_gives_the_asked_column() {
        assert_eq!(
            ask(AREAS, "Which zone is Tarnside in?").as_deref(),
            Some("Tarnside (KZ5), zone: Zone B.")
        );
        let charge = ask(AREAS, "I'm up in Ravensgill, what's your travel charge?");
        assert_eq!(
            charge.as_deref(),
            Some("Ravensgill and High Scarth (KZ8), travel charge per visit: £35.")
        );
    }

    #[test]
    fn a_common_cell_a_yes_or_no_or_no_column_names_nothing() {
        for q in [
            "Which van is the gas engineer in?",
            "Is Tarnside in Zone B?",
            "Tell me about Tarnside.",
            "Which zone is Tarnside or Ravensgill in?",
        ] {
            let hits = if q.contains("van") { STAFF } else { AREAS };
            assert_eq!(ask(hits, q), None, "{q}");
        }
    }

    #[test]
    fn a_row_that_lacks_a_topical_word_of_the_question_is_not_the_answer() {
        let q = "Which zone is the Tarnside depot car park in?";
        assert!(
            ask(AREAS, q).is_some(),
            "words the knowledge base never says are colour"
        );
        let parking = "# Parking\n\nThe depot car park is behind the office.\n";
        assert_eq!(ask_in(AREAS, parking, q), None);
    }

    #[test]
    fn a_follow_up_asks_another_column_of_the_row_named_before() {
        let words = content(AREAS);
        let knows = |w: &str| words.iter().any(|x| x == w);
        let rare = |w: &str| words.iter().filter(|x| *x == w).count() <= 1;
        let before = "Which zone is Tarnside in?";
        let asking = Asking::of("And what's the travel charge there?", Some(before), &knows);
        let answer = keyed_cell(&hits_of(AREAS), &asking.expect("no yes or no"), &rare);
        assert_eq!(
            answer.map(|(s, _)| s).as_deref(),
            Some("Tarnside (KZ5), travel charge per visit: £15.")
        );
    }

    #[test]
    fn cells_are_read_back_from_the_row_sentences() {
        let hits = hits_of(AREAS);
        let row = &hits[1].chunk;
        let cells = cells_of(row, &row.names[0]);
        assert_eq!(cells.len(), 3, "{cells:?}");
        assert_eq!(
            cells[0],
            Cell {
                header: "area".into(),
                value: "tarnside".into()
            }
        );
        assert_eq!(without_per("travel charge per visit"), "travel charge");
    }
}
