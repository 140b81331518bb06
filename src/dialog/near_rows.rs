//! Rows of the tables the top passages belong to that a detail of the question picks although
//! retrieval ranked them lower: the row whose time band holds the caller's time ("eleven at
//! night": the "10pm to 8am" row, see [`super::clock`]), and the row of a price per the period
//! the caller asks it for ("Boiler Plus for a year": the "Annual price" row, whose words
//! share nothing with "a year" and lose to "Callouts per year"). Owns finding those rows only.

use std::sync::Arc;

use super::extremes::table_of;
use super::kb::Chunk;
use super::prompt::Passage;
use super::slots::{Kind, Slot, periods};

/// The rows of the tables of the top three passages `near` that `picks` keeps and that are
/// not among `near` already. A prose passage stands for the tables of its own section.
pub(crate) fn rows(
    chunks: &[Arc<Chunk>],
    near: &[Passage],
    picks: impl Fn(&Chunk) -> bool,
) -> Vec<Passage> {
    let tables: Vec<(&str, &str)> = near
        .iter()
        .filter(|p| !p.id.starts_with("tool:"))
        .take(3)
        .filter_map(|p| chunks.iter().find(|c| c.id == p.id))
        .map(|c| {
            let table = if c.names.is_empty() {
                c.section.as_str()
            } else {
                table_of(&c.section)
            };
            (c.file.as_str(), table)
        })
        .collect();
    chunks
        .iter()
        .filter(|c| !c.names.is_empty() && near.iter().all(|p| p.id != c.id))
        .filter(|c| tables.contains(&(c.file.as_str(), table_of(&c.section))))
        .filter(|c| picks(c))
        .map(|c| Passage::of(c))
        .collect()
}

/// The rows whose label names the period of the price asked per a period ("a year",
/// "monthly"): "Annual price", "Price per week".
pub(crate) fn period_rows(chunks: &[Arc<Chunk>], near: &[Passage], slot: Slot) -> Vec<Passage> {
    let Some(period) = slot.period.filter(|_| slot.kind == Some(Kind::Price)) else {
        return Vec::new();
    };
    rows(chunks, near, |c| {
        c.names
            .first()
            .is_some_and(|label| periods(label).contains(&period))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialog::kb::chunker::chunk_document;

    const PLANS: &str = "# Plans\n\nOur plans side by side.\n\n\
        |  | Basic | Plus |\n|---|---|---|\n\
        | Monthly price | £14 | £21 |\n| Annual price | £154 | £231 |\n\
        | Callouts per year | 2 | 4 |\n";

    fn chunks() -> Vec<Arc<Chunk>> {
        chunk_document("plans.md", PLANS)
            .into_iter()
            .map(Arc::new)
            .collect()
    }

    fn passage(chunks: &[Arc<Chunk>], label: &str) -> Passage {
        let c = chunks
            .iter()
            .find(|c| c.names.first().is_some_and(|l| l == label));
        Passage::of(c.expect("row"))
    }

    #[test]
    fn a_price_per_year_finds_the_annual_row() {
        let chunks = chunks();
        let near = [passage(&chunks, "Callouts per year")];
        let slot = Slot::of("How much is Plus per year?");
        let rows = period_rows(&chunks, &near, slot);
        let labels: Vec<&str> = rows.iter().map(|p| p.names[0].as_str()).collect();
        assert_eq!(labels, ["Annual price"]);
    }

    #[test]
    fn no_period_or_no_price_adds_no_row() {
        let chunks = chunks();
        let near = [passage(&chunks, "Callouts per year")];
        for q in ["How much is Plus?", "How many callouts do I get a year?"] {
            assert!(period_rows(&chunks, &near, Slot::of(q)).is_empty(), "{q}");
        }
    }
}
