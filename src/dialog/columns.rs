//! Which column a figure the model states came from. A table row read with several columns
//! ("Price, manual" under "Kickstart 10", "Confident 20", "Fast Track 10-day") gives one
//! figure per column; a model answering "how much is the two-week crash course in a manual?"
//! from that row may state any of them, and every one is in the passage. A figure is only
//! supported when the caller's words or the model's own sentence name the column of a cell
//! that gives it ("the Confident 20 course costs £680" tells the caller which one it is), or
//! the passages also give it outside the table's cells. Owns this check only.

use std::collections::HashSet;

use super::cells::Said;
use super::prompt::Passage;
use super::words::{content, is_generic, is_number};
use crate::speech::tts::sentences;

/// The cells of the row passages with two cells or more that give figures, and the figures
/// the passages give elsewhere.
#[derive(Debug, Default)]
pub(crate) struct Columns {
    cells: Vec<Cell>,
    elsewhere: HashSet<String>,
    question: Said,
    /// Columns the question describes by their other cells (see [`Columns::with_table`]).
    described: HashSet<String>,
}

/// One cell: its figures, its column (", header:") and the header's naming words.
#[derive(Debug)]
struct Cell {
    figures: HashSet<String>,
    column: String,
    header: Vec<String>,
}

/// The figures of `text` as the grounding check compares them.
fn figures(text: &str) -> HashSet<String> {
    content(text)
        .into_iter()
        .filter(|w| is_number(w))
        .map(|w| w.trim_end_matches(".00").to_string())
        .collect()
}

impl Columns {
    /// The cells of `passages` (the model's) and the caller's `question`.
    pub(crate) fn of(passages: &[Passage], question: &str) -> Columns {
        let mut cells = Vec::new();
        let mut elsewhere = HashSet::new();
        for p in passages {
            let row = row_cells(p);
            if row.len() < 2 {
                elsewhere.extend(figures(&p.text));
                continue;
            }
            let body = p.text.split_once('\n').map_or("", |(_, b)| b);
            let heading = p.text.split_once('\n').map_or(p.text.as_str(), |(h, _)| h);
            elsewhere.extend(figures(heading));
            let mut own = Vec::new();
            for s in sentences(body) {
                // The figures of a cell are its value's ("Kickstart 10: None" gives none).
                let value = s.split_once(':').map_or(s.as_str(), |(_, v)| v);
                let lower = s.to_lowercase();
                match row.iter().find(|(cell, _)| lower.contains(cell)) {
                    Some((column, header)) => own.push(Cell {
                        figures: figures(value),
                        column: column.clone(),
                        header: header.clone(),
                    }),
                    None => elsewhere.extend(figures(&s)),
                }
            }
            // One cell with a figure leaves the model no column to choose ("nearest office:
            // the Mill", "distance from that office: 4 miles").
            if own.iter().filter(|c| !c.figures.is_empty()).count() < 2 {
                elsewhere.extend(own.into_iter().flat_map(|c| c.figures));
            } else {
                cells.extend(own);
            }
        }
        Columns {
            cells,
            elsewhere,
            question: Said::of(question),
            described: HashSet::new(),
        }
    }

    /// Also reads the columns the question describes by their cells in `table` (the rows of
    /// the passages' tables): two words or more of the question in one cell of one column,
    /// and not all in any other column's cells ("the two-week crash course" describes "Fast
    /// Track 10-day", whose length cell says "10 weekdays (2 weeks)"; "the bundle of five
    /// hours" does not describe "Fast Track 5-day", whose "5" and "hours" are two cells').
    pub(crate) fn with_table(mut self, table: &[Passage]) -> Columns {
        // Each column's cells, as sets of content words.
        let mut cells: Vec<(String, Vec<HashSet<String>>)> = Vec::new();
        for p in table {
            let row = row_cells(p);
            // The row's sentences, not its heading line ("Opening hours: Learner pool").
            let body = p.text.split_once('\n').map_or("", |(_, b)| b);
            for s in sentences(body) {
                let lower = s.to_lowercase();
                let Some((column, _)) = row.iter().find(|(cell, _)| lower.contains(cell)) else {
                    continue;
                };
                let value = lower.split_once(':').map_or("", |(_, v)| v);
                // "Weeks" is a generic word but with "2" it describes a course's length.
                let words = content(value).into_iter().collect();
                match cells.iter_mut().find(|(c, _)| c == column) {
                    Some((_, all)) => all.push(words),
                    None => cells.push((column.clone(), vec![words])),
                }
            }
        }
        let asked = &self.question.words;
        let holds = |cells: &[HashSet<String>], w: &String| cells.iter().any(|c| c.contains(w));
        for (column, own) in &cells {
            // The words of the question one cell of the column holds, the most of any cell:
            // "2 weeks" is one cell's, not "5" from one and "hours" from another.
            let hits: HashSet<&String> = own
                .iter()
                .map(|cell| asked.iter().filter(|w| cell.contains(*w)).collect())
                .max_by_key(|hits: &HashSet<&String>| hits.len())
                .unwrap_or_default();
            let alone = cells
                .iter()
                .filter(|(c, _)| c != column)
                .all(|(_, other)| !hits.iter().all(|w| holds(other, w)));
            if hits.len() >= 2 && alone {
                self.described.insert(column.clone());
            }
        }
        self
    }

    /// The cell of a row whose label the question names, in the one column the question
    /// describes by its other cells ("the two-week crash course in a manual": "Price,
    /// manual" under "Fast Track 10-day"): its sentence and its row's id. `None` unless
    /// exactly one such cell is in `passages`.
    pub(crate) fn described_cell(&self, passages: &[Passage]) -> Option<(String, String)> {
        let mut described = self.described.iter();
        let (Some(column), None) = (described.next(), described.next()) else {
            return None;
        };
        let mut found = passages
            .iter()
            .filter(|p| {
                p.names
                    .first()
                    .is_some_and(|l| !l.trim().is_empty() && self.question.names(l))
            })
            .filter_map(|p| {
                let body = p.text.split_once('\n').map_or("", |(_, b)| b);
                sentences(body)
                    .into_iter()
                    .find(|s| s.to_lowercase().contains(column.as_str()))
                    .map(|s| (s, p.id.clone()))
            });
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// Whether figure `n` of the model's `sentence` comes only from cells whose column
    /// neither the question nor the sentence names.
    pub(crate) fn unnamed(&self, n: &str, sentence: &str) -> bool {
        if self.elsewhere.contains(n) {
            return false;
        }
        let mut giving = self
            .cells
            .iter()
            .filter(|c| c.figures.contains(n))
            .peekable();
        if giving.peek().is_none() {
            return false;
        }
        let own = Said::of(sentence);
        giving.all(|c| {
            !self.described.contains(&c.column)
                && !self.question.names_any(&c.header)
                && !own.names_any(&c.header)
                && !self.by_default(c)
        })
    }

    /// Whether cell `c` is in the column a caller means who names none: "Standard", "Adult",
    /// or "Regular" ("what's a swim if I pay on the day?" is the standard
    /// price), unless the question names another column of the cells ("for a junior").
    fn by_default(&self, c: &Cell) -> bool {
        const DEFAULT: &[&str] = &["standard", "adult", "regular", "normal"];
        c.header
            .first()
            .is_some_and(|w| DEFAULT.contains(&w.as_str()))
            && !self
                .cells
                .iter()
                .any(|o| o.column != c.column && self.question.names_any(&o.header))
    }
}

/// A row passage's cells: for each column header (not the label, not a heading above the
/// table) the text that opens its cell's sentence (", header:") and the header's naming
/// words. Empty for prose.
fn row_cells(p: &Passage) -> Vec<(String, Vec<String>)> {
    let Some(label) = p.names.first() else {
        return Vec::new();
    };
    let text = p.text.to_lowercase();
    p.names
        .iter()
        .skip(1)
        .filter(|h| *h != label)
        .filter_map(|h| {
            let cell = format!(", {}:", h.to_lowercase());
            let words = content(h).into_iter().filter(|w| !is_generic(w)).collect();
            text.contains(&cell).then_some((cell, words))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialog::kb::chunker::chunk_document;

    const COURSES: &str = "# Courses\n\nOur four courses.\n\n\
        |  | Kickstart 10 | Confident 20 | Fast Track 10-day |\n|---|---|---|---|\n\
        | Price, manual | £350 | £680 | £1,240 |\n| Price, automatic | £380 | £740 | £1,360 |\n";

    /// The table rows of `markdown`, as passages.
    fn rows_of(markdown: &str) -> Vec<Passage> {
        chunk_document("courses.md", markdown)
            .iter()
            .filter(|c| !c.names.is_empty())
            .map(Passage::of)
            .collect()
    }

    fn passages() -> Vec<Passage> {
        rows_of(COURSES)
    }

    #[test]
    fn a_figure_from_a_column_nobody_named_is_unnamed() {
        let q = "How much is the two-week crash course if I'm learning in a manual?";
        let c = Columns::of(&passages(), q);
        assert!(c.unnamed("680", "The two-week crash course costs £680."));
        assert!(c.unnamed("740", "The two-week crash course costs £740."));
        // The model's sentence naming the column tells the caller which one it is.
        assert!(!c.unnamed("680", "The Confident 20 course costs £680."));
        // A figure that no cell gives is another check's business.
        assert!(!c.unnamed("99", "It costs £99."));
    }

    #[test]
    fn the_cell_of_a_named_row_in_the_described_column_is_read() {
        let courses = "# Courses\n\n\
            |  | Kickstart 10 | Fast Track 10-day |\n|---|---|---|\n\
            | Hours must be used within | 12 weeks | 10 weekdays (2 weeks) |\n\
            | Price, manual | £350 | £1,240 |\n| Price, automatic | £380 | £1,360 |\n";
        let rows = rows_of(courses);
        let q = "How much is the two-week crash course if I'm learning in a manual?";
        let prices = &rows[1..];
        let cell = Columns::of(prices, q)
            .with_table(&rows)
            .described_cell(prices);
        let (sentence, id) = cell.expect("the manual price of Fast Track 10-day");
        assert!(
            sentence.ends_with("Fast Track 10-day: £1,240."),
            "{sentence}"
        );
        assert!(id.ends_with("price-manual"), "{id}");
        // No row named ("how much is it?"), or no column described: no cell.
        let q = "How much is the two-week crash course?";
        assert_eq!(
            Columns::of(prices, q)
                .with_table(&rows)
                .described_cell(prices),
            None
        );
        let q = "How much is a course in a manual?";
        assert_eq!(
            Columns::of(prices, q)
                .with_table(&rows)
                .described_cell(prices),
            None
        );
    }

    #[test]
    fn a_column_is_described_by_words_of_one_of_its_cells() {
        let courses = "# Courses\n\n\
            |  | Kickstart 10 | Fast Track 5-day |\n|---|---|---|\n\
            | Hours must be used within | 12 weeks | 5 weekdays in a row |\n\
            | Previous experience | None | At least 10 hours |\n\
            | Price, automatic | £380 | £705 |\n";
        let rows = rows_of(courses);
        let prices = &rows[2..];
        let q = "What does the bundle of five hours cost if I learn in an automatic?";
        let c = Columns::of(prices, q).with_table(&rows);
        assert_eq!(c.described_cell(prices), None, "5 and hours are two cells'");
        let q = "What does the five weekdays in a row one cost in an automatic?";
        let c = Columns::of(prices, q).with_table(&rows);
        assert!(
            c.described_cell(prices)
                .is_some_and(|(s, _)| s.ends_with("£705."))
        );
    }

    #[test]
    fn a_column_the_caller_names_supports_its_figure() {
        let c = Columns::of(&passages(), "What's Confident 20 in a manual?");
        assert!(!c.unnamed("680", "It costs £680."));
        assert!(c.unnamed("350", "It costs £350."));
    }

    #[test]
    fn a_column_described_by_its_other_cells_is_named() {
        let md = "# Courses\n\n\
            |  | Kickstart 10 | Fast Track 5-day | Fast Track 10-day |\n|---|---|---|---|\n\
            | Length | 12 weeks | 5 weekdays | 10 weekdays (2 weeks) |\n\
            | Deposit | None | £150 | £250 |\n";
        let rows: Vec<Passage> = chunk_document("c.md", md).iter().map(Passage::of).collect();
        let deposit: Vec<Passage> = rows
            .iter()
            .filter(|p| p.names.first().is_some_and(|l| l == "Deposit"))
            .cloned()
            .collect();
        let q = "What's the deposit on the two-week crash course?";
        let c = Columns::of(&deposit, q);
        assert!(c.unnamed("250", "The deposit is £250."));
        let c = Columns::of(&deposit, q).with_table(&rows);
        assert!(!c.unnamed("250", "The deposit is £250."));
        assert!(c.unnamed("150", "The deposit is £150."));
        // One word ("weeks" is in two columns' cells) describes nothing.
        let c = Columns::of(&deposit, "What's the deposit on the weeks course?").with_table(&rows);
        assert!(c.unnamed("250", "The deposit is £250."));
    }

    #[test]
    fn the_standard_column_is_meant_when_none_is_named() {
        let md = "# Prices\n\n| Activity | Standard (16+) | Junior (under 16) | Concession |\n\
            |---|---|---|---|\n| Swim | £5.10 | £3.20 | £3.60 |\n";
        let rows: Vec<Passage> = chunk_document("p.md", md).iter().map(Passage::of).collect();
        let c = Columns::of(&rows, "What's a swim if I pay on the day?");
        assert!(!c.unnamed("5.10", "A swim is £5.10."));
        assert!(c.unnamed("3.20", "A swim is £3.20."));
        // Another column named: the standard one is not meant.
        let c = Columns::of(&rows, "What's a swim for a junior?");
        assert!(c.unnamed("5.10", "A swim is £5.10."));
    }

    #[test]
    fn a_row_with_one_figure_needs_no_column() {
        let md = "# Centres\n\n| Centre | Nearest office | Distance from that office |\n\
            |---|---|---|\n| Crossways | Riverside (the Mill) | 4 miles |\n";
        let rows: Vec<Passage> = chunk_document("c.md", md).iter().map(Passage::of).collect();
        let c = Columns::of(&rows, "How far is Crossways from the Mill?");
        assert!(!c.unnamed("4", "Crossways is 4 miles from the Mill."));
    }

    #[test]
    fn prose_and_one_column_rows_need_no_column() {
        let prose = Passage {
            id: "p".into(),
            text: "Prices\nA single lesson costs £38.".into(),
            names: Vec::new(),
        };
        let c = Columns::of(&[prose], "How much is a lesson?");
        assert!(!c.unnamed("38", "A lesson costs £38."));
        let kv = "# Fees\n\n| Fee | Amount |\n|---|---|\n| Admin fee | £25 |\n";
        let rows: Vec<Passage> = chunk_document("fees.md", kv)
            .iter()
            .map(Passage::of)
            .collect();
        let c = Columns::of(&rows, "What's the admin fee?");
        assert!(!c.unnamed("25", "The admin fee is £25."));
    }
}
