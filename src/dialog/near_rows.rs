//! Rows of the tables the top passages belong to that a detail of the question picks although
//! retrieval ranked them lower: the row whose time band holds the caller's time ("eleven at
//! night": the "10pm to 8am" row, see [`super::clock`]), and the row of a price per the period
//! the caller asks it for ("Boiler Plus for a year": the "Annual price" row, whose words
//! share nothing with "a year" and lose to "Callouts per year"); and, the other way, a row
//! the caller's words rule out because they name a variant of it ("Price, manual" rules out
//! "Price, automatic"). Owns finding and ruling out those rows only.

use std::collections::HashSet;
use std::sync::Arc;

use super::extremes::table_of;
use super::kb::Chunk;
use super::prompt::Passage;
use super::slots::{Kind, Slot, is_day_name, periods};
use super::words::{content, is_generic, is_number, is_stopword};

/// The rows of the tables of the top three passages `near` that `picks` keeps and that are
/// not among `near` already. A prose passage stands for the tables of its own section.
pub(crate) fn rows(
    chunks: &[Arc<Chunk>],
    near: &[Passage],
    picks: impl Fn(&Chunk) -> bool,
) -> Vec<Passage> {
    let ids: Vec<&str> = near
        .iter()
        .filter(|p| !p.id.starts_with("tool:"))
        .take(3)
        .map(|p| p.id.as_str())
        .collect();
    row_chunks(chunks, &ids)
        .into_iter()
        .filter(|c| picks(c))
        .map(|c| Passage::of(c))
        .collect()
}

/// The rows of the tables of the chunks `near` (ids) that are not among them; a prose chunk
/// stands for the tables of its own section.
pub(crate) fn row_chunks<'c>(chunks: &'c [Arc<Chunk>], near: &[&str]) -> Vec<&'c Arc<Chunk>> {
    let tables: Vec<(&str, &str)> = near
        .iter()
        .filter_map(|id| chunks.iter().find(|c| c.id == *id))
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
        .filter(|c| !c.names.is_empty() && !near.contains(&c.id.as_str()))
        .filter(|c| tables.contains(&(c.file.as_str(), table_of(&c.section))))
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

/// Whether table row `p` is ruled out by a variant of it among `all` that the caller names:
/// rows whose labels agree before their comma and differ after it ("Price, manual" and
/// "Price, automatic"), when the caller's words name the other's variant words and none of
/// `p`'s ("the two-week course in a manual"). `text` is the caller's turn; `context`, the
/// question before a follow-up, is read only when the turn names no variant itself ("and in
/// an automatic?" after a question about a manual asks about the automatic).
pub(crate) fn ruled_out(p: &Passage, all: &[Passage], text: &str, context: Option<&str>) -> bool {
    let Some((head, own)) = variant(p) else {
        return false;
    };
    let others: Vec<HashSet<String>> = all
        .iter()
        .filter(|q| q.id != p.id)
        .filter_map(variant)
        .filter(|(h, v)| *h == head && *v != own)
        .map(|(_, v)| v)
        .collect();
    let named = |said: &str| {
        let said: HashSet<String> = content(said).into_iter().collect();
        let mine = !own.is_disjoint(&said);
        let theirs = others.iter().any(|v| !v.is_disjoint(&said));
        (mine, theirs)
    };
    let (mine, theirs) = match named(text) {
        (false, false) => context.map_or((false, false), named),
        turn => turn,
    };
    theirs && !mine
}

/// A row label's part before its first comma (lower-cased) and the words that name its
/// variant after it: not figures, days or generic words ("Price, automatic" → "price",
/// {automatic}).
fn variant(p: &Passage) -> Option<(String, HashSet<String>)> {
    let (head, rest) = p.names.first()?.split_once(',')?;
    let words: HashSet<String> = content(rest)
        .into_iter()
        .filter(|w| !is_number(w) && !is_day_name(w) && !is_generic(w) && !is_stopword(w))
        .collect();
    (!words.is_empty()).then(|| (head.trim().to_lowercase(), words))
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

    const COURSES: &str = "# Courses\n\nOur courses.\n\n\
        |  | Kickstart 10 | Fast Track 10-day |\n|---|---|---|\n\
        | Price, manual | £350 | £1,240 |\n| Price, automatic | £380 | £1,360 |\n\
        | Deposit to book | None | £250 |\n";

    #[test]
    fn a_variant_the_caller_names_rules_out_its_siblings() {
        let chunks = chunk_document("courses.md", COURSES);
        let all: Vec<Passage> = chunks.iter().map(Passage::of).collect();
        let row = |label: &str| {
            let names = |p: &&Passage| p.names.first().is_some_and(|l| l == label);
            all.iter().find(names).expect("row")
        };
        let (manual, automatic) = (row("Price, manual"), row("Price, automatic"));
        let q = "How much is the two-week crash course if I'm learning in a manual?";
        assert!(ruled_out(automatic, &all, q, None));
        assert!(!ruled_out(manual, &all, q, None));
        // Naming neither, or both, rules nothing out; a row with no variant is never.
        assert!(!ruled_out(
            automatic,
            &all,
            "How much is the crash course?",
            None
        ));
        let both = "Is it dearer in an automatic than a manual?";
        assert!(!ruled_out(automatic, &all, both, None));
        assert!(!ruled_out(row("Deposit to book"), &all, q, None));
        // A follow-up names its own variant; one that names none keeps the question's.
        let before = Some("How much is the ten-day course in a manual?");
        assert!(!ruled_out(automatic, &all, "And in an automatic?", before));
        assert!(ruled_out(manual, &all, "And in an automatic?", before));
        assert!(ruled_out(automatic, &all, "And the deposit?", before));
    }
}
