//! Questions that ask for the extreme of a table's prices — "what's the cheapest membership
//! you do?", "your most expensive unit" — answered by comparing every row of the table the
//! question retrieved, never by the row that happened to rank first. Owns the comparison
//! only; the rows come from the knowledge base.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::kb::Chunk;
use super::slots::{Kind, Slot, is_slot_word};
use super::words::{content, is_generic, tokens};
use crate::speech::tts::sentences;

/// Which end of the prices is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extreme {
    Lowest,
    Highest,
}

/// The extreme a question asks for, if it asks for one of prices.
pub(crate) fn asked(question: &str) -> Option<Extreme> {
    let t = tokens(question);
    let has = |w: &str| t.iter().any(|x| x == w);
    let pricey = ["price", "prices", "cost", "fee", "rate", "deal"]
        .iter()
        .any(|w| has(w));
    if has("cheapest") {
        return Some(Extreme::Lowest);
    }
    if (has("least") && has("expensive")) || ((has("lowest") || has("minimum")) && pricey) {
        return Some(Extreme::Lowest);
    }
    if has("dearest") || has("priciest") || (has("most") && has("expensive")) {
        return Some(Extreme::Highest);
    }
    if (has("highest") || has("maximum")) && pricey {
        return Some(Extreme::Highest);
    }
    None
}

/// An amount of money in a sentence: "£19.99", "$5", "12.50 pounds".
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)[£$€]\s?(\d[\d,]*(?:\.\d+)?)|\b(\d[\d,]*(?:\.\d+)?)\s*(?:pounds|dollars|euros)\b",
    )
    .unwrap_or_else(|e| unreachable!("the amount pattern compiles: {e}"))
});

/// The first amount of money in `sentence`, as a number.
fn amount(sentence: &str) -> Option<f64> {
    let caps = AMOUNT.captures(sentence)?;
    let digits = caps
        .get(1)
        .or_else(|| caps.get(2))?
        .as_str()
        .replace(',', "");
    digits.parse().ok()
}

/// The answer to a question asking for `extreme` (its words and slot in `asked`) from the
/// table of the row chunk `row_id`: every row under the same section of the same file.
/// Rows are compared only when they are the things asked about: the question names the
/// table's first column or its heading ("the cheapest membership": a table of memberships),
/// and no row is itself a price ("Monthly price", "Joining fee": a transposed table, whose
/// rows are different facts).
pub(crate) fn answer(
    chunks: &[Arc<Chunk>],
    row_id: &str,
    (text, slot): (&str, Slot),
    extreme: Extreme,
) -> Option<(String, String)> {
    let row = chunks.iter().find(|c| c.id == row_id)?;
    let table: Vec<&Arc<Chunk>> = chunks
        .iter()
        .filter(|c| c.file == row.file && !c.names.is_empty())
        .filter(|c| table_of(&c.section) == table_of(&row.section))
        .collect();
    let (heading, last) = row.section.rsplit_once(" > ")?;
    let kind = last.split_once(": ").map_or("", |(k, _)| k);
    let asked = content(text);
    let names_things = content(&format!("{heading} {kind}"))
        .iter()
        .any(|w| !is_generic(w) && asked.contains(w));
    let priced_rows = table.iter().any(|c| {
        let label = c.section.rsplit(" > ").next().unwrap_or(&c.section);
        let label = label.split_once(": ").map_or(label, |(_, l)| l);
        content(label).iter().any(|w| is_slot_word(w))
    });
    if !names_things || priced_rows {
        return None;
    }
    let rows: Vec<(String, String)> = table
        .iter()
        .map(|c| (c.id.clone(), c.text.clone()))
        .collect();
    pick(&rows, slot, extreme)
}

/// The section of a table row's chunk without the row's own last segment.
pub(crate) fn table_of(section: &str) -> &str {
    section
        .rsplit_once(" > ")
        .map_or(section, |(table, _)| table)
}

/// The row of `rows` (each an id and its chunk text: a heading line, then one sentence per
/// cell) whose price is the `extreme` one: in each row the first sentence stating a price
/// that fits the question's slot (its period, when it names one). Answers with that
/// sentence and the row's id; `None` when fewer than two rows state a price or the extreme
/// is shared.
fn pick(rows: &[(String, String)], slot: Slot, extreme: Extreme) -> Option<(String, String)> {
    if slot.kind.is_some_and(|k| k != Kind::Price) {
        return None;
    }
    let price = Slot {
        kind: Some(Kind::Price),
        period: slot.period,
    };
    let mut priced: Vec<(f64, String, &str)> = Vec::new();
    for (id, text) in rows {
        let body = text.split_once('\n').map_or(text.as_str(), |(_, b)| b);
        let found = sentences(body)
            .into_iter()
            .find_map(|s| price.fits(&s).then(|| amount(&s)).flatten().map(|a| (a, s)));
        if let Some((a, s)) = found {
            priced.push((a, s, id));
        }
    }
    if priced.len() < 2 {
        return None;
    }
    priced.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (end, next) = match extreme {
        Extreme::Lowest => (&priced[0], &priced[1]),
        Extreme::Highest => (&priced[priced.len() - 1], &priced[priced.len() - 2]),
    };
    if end.0 == next.0 {
        return None;
    }
    let word = match extreme {
        Extreme::Lowest => "cheapest",
        Extreme::Highest => "most expensive",
    };
    Some((format!("The {word} is {}", end.1), end.2.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rows() -> Vec<(String, String)> {
        [
            ("off-peak", "Memberships > Options\nOff-Peak, monthly price: £19.99.\nOff-Peak, joining fee: £12."),
            ("student", "Memberships > Options\nStudent, monthly price: £17.50.\nStudent, joining fee: £7.50."),
            ("premium", "Memberships > Options\nPremium, monthly price: £44.99.\nPremium, joining fee: none."),
        ]
        .iter()
        .map(|(id, t)| (id.to_string(), t.to_string()))
        .collect()
    }

    #[test]
    fn the_extreme_of_the_first_price_of_each_row_is_picked() {
        let slot = Slot::default();
        let (line, id) = pick(&rows(), slot, Extreme::Lowest).unwrap();
        assert_eq!(
            (line.as_str(), id.as_str()),
            ("The cheapest is Student, monthly price: £17.50.", "student")
        );
        let (line, id) = pick(&rows(), slot, Extreme::Highest).unwrap();
        assert_eq!(id, "premium", "{line}");
        assert!(
            pick(&rows()[..1], slot, Extreme::Lowest).is_none(),
            "one row compares nothing"
        );
    }

    #[test]
    fn questions_asking_for_an_extreme_price() {
        assert_eq!(
            asked("What's the cheapest membership you do?"),
            Some(Extreme::Lowest)
        );
        assert_eq!(
            asked("Which unit is the least expensive?"),
            Some(Extreme::Lowest)
        );
        assert_eq!(
            asked("What's your most expensive plan?"),
            Some(Extreme::Highest)
        );
        assert_eq!(
            asked("What's the highest price for a van?"),
            Some(Extreme::Highest)
        );
        assert_eq!(asked("What's the biggest unit?"), None);
        assert_eq!(asked("How much is the Student membership?"), None);
    }
}
