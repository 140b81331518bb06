//! Rules by threshold: "72 hours' notice or more: no charge; between 24 and 72 hours: half the
//! price; less than 24 hours: the full price". When the caller says how far ahead (or how long
//! ago) something is — "a full week ahead", "two months before it starts", "I bought it three
//! weeks ago" — and the knowledge base gives such tiers, the one tier whose range holds the
//! caller's figure is the answer; the sentence closest in meaning is often a neighbour. The
//! same for an amount of money: "the quote came to about six hundred quid, do I put money
//! down?" against "Under £300: no deposit; £300 to £1,000: £100; over £1,000: 25%". Pure
//! text rules; no models.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::colloquial::standardised;
use super::extremes::table_of;
use super::kb::Chunk;
use super::lead_time;
use super::words::{content, one_edit_apart, regex};
use crate::speech::tts::sentences;

/// A number as callers and operators write it.
const NUMBER: &str = r"\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|forty-eight|a couple of|couple of|a few|few";
/// A unit of time, with its plural and possessive ("hours'", "week's").
const UNIT: &str = r"(minute|hour|day|week|fortnight|month|year)(?:s'|'s|s)?";

/// "a full week ahead", "two months before", "48 hours' notice", "three weeks ago".
static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?:(less than|under|within|fewer than|more than|over|at least)\s+)?({NUMBER})\s+(?:full\s+|whole\s+|clear\s+|working\s+|calendar\s+)?{UNIT}\s+(?:ahead|before|beforehand|in advance|early|prior|notice|away|out|ago)\b"
    ))
});
/// "between 24 and 72 hours", "14 to 28 days".
static BETWEEN: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?:between\s+)?({NUMBER})\s*(?:{UNIT})?\s*(?:and|to|-|–)\s*({NUMBER})\s*{UNIT}"
    ))
});
/// "at least 72 hours", "more than 28 days", "72 hours' notice or more".
static AT_LEAST: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?:at least|more than|over|no less than|upwards of)\s+({NUMBER})\s*{UNIT}|\b({NUMBER})\s*{UNIT}(?:\s+notice)?\s+or\s+(?:more|longer|over)\b"
    ))
});
/// "less than 24 hours", "within 14 days", "under a week".
static LESS_THAN: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?:less than|under|within|fewer than|up to|no more than)\s+({NUMBER})\s*{UNIT}|\b({NUMBER})\s*{UNIT}(?:\s+notice)?\s+or\s+(?:less|fewer|under)\b"
    ))
});

/// The value of a number word or figure.
pub(crate) fn number(s: &str) -> Option<f64> {
    let s = s.trim().to_lowercase();
    Some(match s.as_str() {
        "a" | "an" | "one" => 1.0,
        "a couple of" | "couple of" | "two" => 2.0,
        "a few" | "few" | "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "forty-eight" => 48.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        _ => return s.replace(',', "").parse().ok(),
    })
}

/// A figure the caller gives that a rule's tiers may hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Figure {
    /// How far ahead, or how long ago, in hours: at least the first, at most the second
    /// (one figure when the caller says it outright).
    Hours(f64, f64),
    /// An amount of money, in the currency's units (the currency is not compared).
    Money(f64),
}

/// The caller's figure: how far ahead or how long ago (see [`asked_hours`]), else the one
/// amount of money they say. `None` when they give neither, or two different ones.
pub(crate) fn asked(text: &str) -> Option<Figure> {
    asked_hours(text)
        .map(|h| Figure::Hours(h, h))
        .or_else(|| lead_time::hours_ahead(text).map(|(least, most)| Figure::Hours(least, most)))
        .or_else(|| asked_money(text).map(Figure::Money))
}

/// Number words said before "hundred", "thousand" or a currency.
const MONEY_WORDS: &str = r"a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety";

/// "£600", "$1,200", "£2k", "600 pounds", "six hundred quid", "two grand".
static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)[£$€]\s?(\d[\d,]*(?:\.\d+)?)\s*(k|thousand|grand)?\b|\b(\d[\d,]*(?:\.\d+)?|{MONEY_WORDS})\s*(hundred|thousand|grand|k)?\s*(?:pounds|quid|dollars|bucks|euros)\b|\b(\d+|{MONEY_WORDS})\s+(grand)\b"
    ))
});

/// The one amount of money `text` says; `None` when it says none or two different ones.
fn asked_money(text: &str) -> Option<f64> {
    let times = |m: Option<regex::Match<'_>>| match m.map(|m| m.as_str().to_lowercase()) {
        Some(m) if m == "hundred" => 100.0,
        Some(m) if matches!(m.as_str(), "thousand" | "grand" | "k") => 1000.0,
        _ => 1.0,
    };
    let mut found = MONEY.captures_iter(text).filter_map(|c| {
        let (n, unit) = [(1, 2), (3, 4), (5, 6)]
            .into_iter()
            .find_map(|(n, u)| Some((c.get(n)?, c.get(u))))?;
        Some(number(n.as_str())? * times(unit))
    });
    let first = found.next()?;
    found.all(|v| v == first).then_some(first)
}

/// The content words said just after an amount ("a £100 *deposit*", "£50 *for the
/// deposit*"): what the amount is of.
fn amount_of(text: &str) -> Vec<String> {
    MONEY
        .find_iter(text)
        .flat_map(|m| {
            let after: Vec<&str> = text[m.end()..].split_whitespace().take(3).collect();
            content(&after.join(" "))
        })
        .collect()
}

/// An amount as a tier states it: "£1,000", "$250.50".
const AMOUNT: &str = r"[£$€]\s?(\d[\d,]*(?:\.\d+)?)";

/// "£300 to £1,000", "between $50 and $100".
static MONEY_BETWEEN: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)(?:\bbetween\s+)?{AMOUNT}\s*(?:and|to|-|–)\s*{AMOUNT}"
    ))
});
/// "over £1,000", "£500 or more".
static MONEY_AT_LEAST: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?:at least|more than|over|above|no less than|upwards of)\s+{AMOUNT}|{AMOUNT}\s+(?:or|and)\s+(?:more|over|above)\b"
    ))
});
/// "under £300", "up to £50", "£50 or less".
static MONEY_LESS_THAN: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?:less than|under|below|up to|no more than)\s+{AMOUNT}|{AMOUNT}\s+or\s+(?:less|under|below)\b"
    ))
});

/// The range of amounts a tier sentence covers: `[low, high)`.
fn money_range(sentence: &str) -> Option<(f64, f64)> {
    let amount = |m: Option<regex::Match<'_>>| number(m?.as_str());
    if let Some(c) = MONEY_BETWEEN.captures(sentence) {
        let (a, b) = (amount(c.get(1))?, amount(c.get(2))?);
        return Some((a.min(b), a.max(b)));
    }
    if let Some(c) = MONEY_AT_LEAST.captures(sentence) {
        return Some((
            amount(c.get(1)).or_else(|| amount(c.get(2)))?,
            f64::INFINITY,
        ));
    }
    let c = MONEY_LESS_THAN.captures(sentence)?;
    Some((0.0, amount(c.get(1)).or_else(|| amount(c.get(2)))?))
}

/// Hours in one unit of time.
pub(crate) fn hours_in(unit: &str) -> f64 {
    match unit.to_lowercase().as_str() {
        "minute" => 1.0 / 60.0,
        "hour" => 1.0,
        "day" => 24.0,
        "week" => 168.0,
        "fortnight" => 336.0,
        "month" => 730.0,
        _ => 8760.0,
    }
}

/// How far ahead (or how long ago), in hours, the caller says something is; `None` when
/// they give no such figure or two different ones.
pub(crate) fn asked_hours(text: &str) -> Option<f64> {
    // "Less than a day's notice" is just under a day; "more than a week" just over.
    let nudge = |q: Option<regex::Match<'_>>| match q.map(|m| m.as_str().to_lowercase()) {
        Some(q) if matches!(q.as_str(), "more than" | "over" | "at least") => 1.001,
        Some(_) => 0.999,
        None => 1.0,
    };
    let mut found = LEAD.captures_iter(text).filter_map(|c| {
        Some(number(c.get(2)?.as_str())? * hours_in(c.get(3)?.as_str()) * nudge(c.get(1)))
    });
    let first = found.next()?;
    found.all(|h| h == first).then_some(first)
}

/// The range of hours a tier sentence covers: `[low, high)`.
fn range(sentence: &str) -> Option<(f64, f64)> {
    let hours = |n: Option<regex::Match<'_>>, u: Option<regex::Match<'_>>| {
        Some(number(n?.as_str())? * hours_in(u?.as_str()))
    };
    if let Some(c) = BETWEEN.captures(sentence) {
        let unit = c.get(4);
        let (a, b) = (hours(c.get(1), c.get(2).or(unit))?, hours(c.get(3), unit)?);
        return Some((a.min(b), a.max(b)));
    }
    if let Some(c) = AT_LEAST.captures(sentence) {
        let low = hours(c.get(1), c.get(2)).or_else(|| hours(c.get(3), c.get(4)))?;
        return Some((low, f64::INFINITY));
    }
    let c = LESS_THAN.captures(sentence)?;
    let high = hours(c.get(1), c.get(2)).or_else(|| hours(c.get(3), c.get(4)))?;
    Some((0.0, high))
}

/// The chunks a tier may be in beside `top`: its own section, or every row of its table.
fn group<'a>(chunks: &'a [Arc<Chunk>], top: &Chunk) -> Vec<&'a Arc<Chunk>> {
    chunks
        .iter()
        .filter(|c| match top.names.is_empty() {
            true => c.section == top.section,
            false => !c.names.is_empty() && table_of(&c.section) == table_of(&top.section),
        })
        .collect()
}

/// The tiers that meet another at a boundary ("72 hours or more" and "between 24 and 72
/// hours"; "1 to 7 days" and "8 to 14 days"): one rule's steps, not another rule's figure in
/// the same section ("if your instructor arrives more than 15 minutes late").
fn connected<T: Clone>(tiers: &[(T, T, (f64, f64))]) -> Vec<(T, T, (f64, f64))> {
    let meet = |a: f64, b: f64| {
        a.is_finite() && b.is_finite() && a > 0.0 && (a - b).abs() <= a.max(b) * 0.15
    };
    tiers
        .iter()
        .enumerate()
        .filter(|(i, (_, _, (low, high)))| {
            tiers
                .iter()
                .enumerate()
                .any(|(j, (_, _, (l, h)))| *i != j && (meet(*low, *h) || meet(*high, *l)))
        })
        .map(|(_, t)| t.clone())
        .collect()
}

/// The tier sentence that holds `hours`, with its chunk's id: from the rule (a section, or a
/// table) whose headings say the most of the question's words — at least one — among the
/// top passages' rules and every other rule of the knowledge base ("cancel a *lesson* two
/// days before" is the lessons' rule even when retrieval ranked a course's first). A rule
/// counts only when it states two tiers or more that meet and exactly one holds the figure;
/// between rules saying as much of the question, a retrieved one wins (one that holds no tier
/// leaves nothing to answer), and two of the same standing giving different tiers answer
/// nothing.
pub(crate) fn answer(
    chunks: &[Arc<Chunk>],
    top_ids: &[&str],
    figure: Figure,
    question: &str,
) -> Option<(String, String)> {
    // "Put any money down" says "deposit" as a heading would.
    let mut said = content(question);
    said.extend(content(&standardised(question)));
    let named = amount_of(question);
    let mut seen: HashSet<(&str, bool)> = HashSet::new();
    // (sentence, chunk id, heading words said, whether a top passage's rule)
    let mut found: Vec<(String, String, usize, bool)> = Vec::new();
    // The most a retrieved rule's headings say of the question, tiers or not.
    let mut retrieved_says = 0;
    let tops = top_ids
        .iter()
        .filter_map(|id| chunks.iter().find(|c| c.id == *id))
        .map(|c| (c, true));
    for (c, retrieved) in tops.chain(chunks.iter().map(|c| (c, false))) {
        let heading = rule_of(c);
        let rule = (heading, c.names.is_empty());
        if !seen.insert(rule) {
            continue;
        }
        if retrieved {
            retrieved_says = retrieved_says.max(heading_overlap(heading, &said));
        }
        // "A £100 deposit": the amount is of what the rule gives, not what it is keyed on.
        if matches!(figure, Figure::Money(_)) && heading_overlap(heading, &named) > 0 {
            continue;
        }
        if let Some((sentence, id)) = tier_of(chunks, c, figure) {
            found.push((sentence, id, heading_overlap(heading, &said), retrieved));
        }
    }
    // The most heading words said, then a retrieved rule before the rest.
    // A retrieved rule saying as much that holds no tier for the figure ("cancel a *class*
    // ten hours before" where the classes' tiers are not read) is not answered by another
    // rule's tier (the hall bookings' "less than 48 hours").
    let best = found
        .iter()
        .map(|(_, _, n, r)| (*n, *r))
        .max()
        .filter(|(n, _)| *n >= 1)
        .filter(|&(n, retrieved)| retrieved || n > retrieved_says)?;
    let mut top = found.into_iter().filter(|(_, _, n, r)| (*n, *r) == best);
    let (sentence, id, _, _) = top.next()?;
    top.all(|(s, _, _, _)| s == sentence)
        .then_some((sentence, id))
}

/// The headings of the rule a chunk belongs to: its section, or for a table row the table's
/// (a row's section ends with its label, a tier itself: "Less than 14 days…").
fn rule_of(c: &Chunk) -> &str {
    match c.names.is_empty() {
        true => c.section.as_str(),
        false => table_of(&c.section),
    }
}

/// How many of the question's content words (`said`) a section's headings say.
fn heading_overlap(section: &str, said: &[String]) -> usize {
    let mut heading = content(section);
    heading.dedup();
    // "cancelling" and "cancel" meet one letter apart once stemmed.
    heading
        .iter()
        .filter(|w| said.iter().any(|a| a == *w || one_edit_apart(a, w)))
        .count()
}

/// How a tier sentence's range is read: in hours, or in money.
type RangeOf = fn(&str) -> Option<(f64, f64)>;

/// The tier of `top`'s section (or table) that holds `figure`, with its chunk's id. An
/// amount on a bound ("£1,000" against "£300 to £1,000" and "over £1,000") is held by none.
fn tier_of(chunks: &[Arc<Chunk>], top: &Chunk, figure: Figure) -> Option<(String, String)> {
    let ((least, most), range): ((f64, f64), RangeOf) = match figure {
        Figure::Hours(least, most) => ((least, most), range),
        Figure::Money(m) => ((m, m), money_range),
    };
    let tiers: Vec<(String, String, (f64, f64))> = group(chunks, top)
        .into_iter()
        .flat_map(|c| {
            let body = c.text.split_once('\n').map_or("", |(_, b)| b);
            sentences(body)
                .into_iter()
                .filter_map(|s| range(&s).map(|r| (s, c.id.clone(), r)))
                .collect::<Vec<_>>()
        })
        .collect();
    let tiers = connected(&tiers);
    if matches!(figure, Figure::Money(_))
        && tiers
            .iter()
            .any(|(_, _, (low, high))| *low == least || *high == least)
    {
        return None;
    }
    let mut holding = tiers.into_iter().filter(|(_, _, (low, high))| {
        *low <= least && (most < *high || least < most && most <= *high)
    });
    let (sentence, id, _) = holding.next()?;
    holding.next().is_none().then_some((sentence, id))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_callers_figure_is_read_in_hours() {
        assert_eq!(
            asked_hours("so that's a full week ahead, will I pay?"),
            Some(168.0)
        );
        assert_eq!(
            asked_hours("If I cancel two months before it starts"),
            Some(1460.0)
        );
        assert_eq!(asked_hours("I'm giving 48 hours' notice"), Some(48.0));
        assert_eq!(asked_hours("I bought it three weeks ago"), Some(504.0));
        assert!(asked_hours("And what if it's less than a day's notice?").unwrap() < 24.0);
        // A duration that is not a lead time, or none.
        assert_eq!(
            asked_hours("my instructor was twenty-five minutes late"),
            None
        );
        assert_eq!(asked_hours("How long until I get my deposit back?"), None);
    }

    #[test]
    fn tier_sentences_give_their_range() {
        assert_eq!(
            range("72 hours' notice or more: no charge, and the hours go back on your account."),
            Some((72.0, f64::INFINITY))
        );
        assert_eq!(
            range("Between 24 and 72 hours' notice: you pay half the lesson price."),
            Some((24.0, 72.0))
        );
        assert_eq!(
            range("Less than 24 hours' notice, or not turning up: you pay the full price."),
            Some((0.0, 24.0))
        );
        assert_eq!(
            range("14 to 28 days before the start, what happens: Deposit is kept."),
            Some((336.0, 672.0))
        );
        assert_eq!(
            range("at least 72 hours before departure: a full refund"),
            Some((72.0, f64::INFINITY))
        );
        assert_eq!(range("Refunds are paid back to your card."), None);
    }

    #[test]
    fn an_amount_of_money_is_read_as_said() {
        let money = |t: &str| {
            asked(t).and_then(|f| match f {
                Figure::Money(m) => Some(m),
                Figure::Hours(..) => None,
            })
        };
        assert_eq!(
            money("the quote came to about six hundred quid"),
            Some(600.0)
        );
        assert_eq!(money("it's £1,250 all in"), Some(1250.0));
        assert_eq!(money("roughly two grand, is that right?"), Some(2000.0));
        assert_eq!(money("$80 or so"), Some(80.0));
        // Two different amounts, or none: no figure.
        assert_eq!(money("was it £40 or £60?"), None);
        assert_eq!(money("how much is the deposit?"), None);
        assert_eq!(
            money_range("£300 to £1,000, deposit: £100."),
            Some((300.0, 1000.0))
        );
        assert_eq!(
            money_range("Under £300, deposit: No deposit."),
            Some((0.0, 300.0))
        );
        assert_eq!(
            money_range("Over £1,000, for example a new boiler, deposit: 25% of the quote."),
            Some((1000.0, f64::INFINITY))
        );
        assert_eq!(money_range("The deposit is £100."), None);
    }

    #[test]
    fn the_money_tier_holding_the_amount_answers() {
        let chunks = vec![chunk(
            "f.md#deposits",
            "Payments > Deposits",
            "Whether you pay a deposit depends on the quote. Under £300: no deposit. \
             £300 to £1,000: £100. Over £1,000: 25% of the quote.",
        )];
        let q = "The quote came to about six hundred quid. Do I have to put money down first?";
        let figure = asked(q).unwrap();
        let (line, _) = answer(&chunks, &["f.md#deposits"], figure, q).unwrap();
        assert_eq!(line, "£300 to £1,000: £100.");
        // The amount of what the rule gives is not what it is keyed on.
        let q = "I paid a £100 deposit. Do I get it back if I cancel?";
        assert_eq!(
            answer(&chunks, &["f.md#deposits"], asked(q).unwrap(), q),
            None
        );
        // On a bound, no tier answers: "£1,000" is in both readings.
        let q = "It's £1,000 exactly, what deposit do I pay?";
        assert_eq!(
            answer(&chunks, &["f.md#deposits"], asked(q).unwrap(), q),
            None
        );
    }

    fn chunk(id: &str, section: &str, text: &str) -> Arc<Chunk> {
        Arc::new(Chunk {
            id: id.to_string(),
            file: "f.md".to_string(),
            section: section.to_string(),
            line: 1,
            text: format!("{section}\n{text}"),
            names: Vec::new(),
        })
    }

    #[test]
    fn the_tier_holding_the_figure_answers() {
        let chunks = vec![
            chunk(
                "f.md#cancelling",
                "Cancelling",
                "How much you pay depends on notice. 72 hours' notice or more: no charge. \
                 Between 24 and 72 hours' notice: half the price. Less than 24 hours' \
                 notice: the full price. If we arrive more than 15 minutes late, you get the \
                 time back.",
            ),
            chunk(
                "f.md#refunds",
                "Refunds",
                "Refunds reach your card within 10 days.",
            ),
        ];
        let (line, id) = answer(
            &chunks,
            &["f.md#cancelling"],
            Figure::Hours(168.0, 168.0),
            "cancelling a week ahead",
        )
        .unwrap();
        assert_eq!(
            (line.as_str(), id.as_str()),
            ("72 hours' notice or more: no charge.", "f.md#cancelling")
        );
        let (line, _) = answer(
            &chunks,
            &["f.md#cancelling"],
            Figure::Hours(30.0, 30.0),
            "cancelling",
        )
        .unwrap();
        assert!(line.starts_with("Between 24 and 72"));
        // Found by its heading although retrieval ranked another section first.
        assert!(
            answer(
                &chunks,
                &["f.md#refunds"],
                Figure::Hours(30.0, 30.0),
                "cancelling"
            )
            .is_some()
        );
        // A rule whose headings say nothing of the question answers nothing.
        assert_eq!(
            answer(
                &chunks,
                &["f.md#cancelling"],
                Figure::Hours(30.0, 30.0),
                "a refund"
            ),
            None
        );
    }

    #[test]
    fn a_retrieved_rule_holding_no_tier_is_not_answered_by_another_rules() {
        let chunks = vec![
            chunk(
                "hire.md#cancelling",
                "Hall hire > Cancelling a booking",
                "Cancel at least 48 hours before your slot for a full refund. With less than \
                 48 hours' notice we can't give a refund.",
            ),
            chunk(
                "classes.md#cancelling",
                "Classes > Cancelling a class booking",
                "Cancel in good time so someone else can have your place; late cancellations \
                 are charged.",
            ),
        ];
        let q = "I'm booked on a class tomorrow at 7am. If I cancel my booking now, am I charged?";
        assert_eq!(
            answer(
                &chunks,
                &["classes.md#cancelling"],
                Figure::Hours(10.0, 10.0),
                q
            ),
            None
        );
        // Retrieved, the hall's rule answers.
        assert!(
            answer(
                &chunks,
                &["hire.md#cancelling"],
                Figure::Hours(10.0, 10.0),
                q
            )
            .is_some()
        );
    }
}
