//! What a question asks for, and whether a sentence of the knowledge base gives it.
//!
//! The slot is the kind of fact asked for (a price, a duration, a time of day) and, for a
//! price, the period it is per ("a month"). The names are the words that pick one row of a
//! table (a plan, a site, a day of the week). A table holds look-alike facts side by side —
//! the weekly and the monthly price, Saturday's and Sunday's hours — and a sentence that is
//! close in meaning to the question can still be its neighbour's: these checks are what keep
//! such a sentence from being spoken. Pure text rules; no models.

use std::sync::LazyLock;

use regex::Regex;

use super::words::{content, is_number, one_edit_apart, tokens};

/// The kind of fact a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Price,
    Duration,
    Clock,
    /// "How many …" (not a duration): a number.
    Count,
    /// "What's your email address?": an address with an `@`.
    Email,
    /// "What's your phone number?": a number of six digits or more.
    Phone,
}

/// What a price is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Period {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// What one question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Slot {
    pub(crate) kind: Option<Kind>,
    pub(crate) period: Option<Period>,
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("valid regex: {e}"))
}

static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)[£$€¥]\s?\d|\d\s?(?:pounds?|quid|dollars?|euros?|pence|p|cents?|gbp|usd|eur|yuan|rmb)\b|\b(?:free|no charge|no cost|no extra cost|at no cost|included|nothing|half price|\d+ ?%)",
    )
});
static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|forty|forty-eight|sixty|ninety|several|few)(?:\s*(?:to|-|–|or)\s*\S+)?\s*(?:full\s+|working\s+|business\s+|calendar\s+|clear\s+)?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|fortnights?|months?|years?|yrs?|nights?)\b|\b(?:same|next)[ -](?:day|working day|business day)\b|\b(?:immediately|straight away|right away|instantly|overnight|at once)\b",
    )
});
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*(?:-|–|—|to)\s*\d{1,2}\b|\b(?:noon|midday|midnight|closed|24 hours|24/7|around the clock|24-hour)\b",
    )
});

static COUNT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty|hundred|unlimited|no|none|single|couple)\b",
    )
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| regex(r"[\w.+-]+@[\w-]+\.[\w.-]+"));
static PHONE: LazyLock<Regex> = LazyLock::new(|| regex(r"\+?\d(?:[\s().-]*\d){5,}"));

/// Which period a word names ("monthly", "months" → Month).
fn period_of(word: &str) -> Option<Period> {
    Some(match word {
        "hour" | "hours" | "hourly" | "hr" => Period::Hour,
        "day" | "days" | "daily" | "night" | "nightly" => Period::Day,
        "week" | "weeks" | "weekly" | "wk" => Period::Week,
        "month" | "months" | "monthly" | "mo" | "calendar-month" => Period::Month,
        "year" | "years" | "yearly" | "annual" | "annually" | "yr" => Period::Year,
        _ => return None,
    })
}

/// Whether a word names a period ("month", "weekly").
pub(crate) fn is_period_word(word: &str) -> bool {
    period_of(word).is_some()
}

/// The periods a text names.
fn periods(text: &str) -> Vec<Period> {
    let mut out: Vec<Period> = tokens(text).iter().filter_map(|w| period_of(w)).collect();
    out.dedup();
    out
}

impl Slot {
    /// The slot of a caller's question.
    pub(crate) fn of(question: &str) -> Slot {
        let t = tokens(question);
        let has = |w: &str| t.iter().any(|x| x == w);
        let follows = |a: &str, bs: &[&str]| {
            t.windows(2)
                .any(|p| p[0] == a && bs.iter().any(|b| p[1] == *b))
                || t.windows(3)
                    .any(|p| p[0] == a && bs.iter().any(|b| p[2] == *b))
        };
        let units = [
            "minutes", "hours", "days", "weeks", "months", "years", "nights",
        ];
        let duration = follows("how", &["long", "soon", "quickly", "fast"])
            || follows("how", &["many"]) && t.iter().any(|w| units.contains(&w.as_str()))
            || follows("much", &["notice", "time", "warning"]);
        let clock = follows("what", &["time"])
            || follows(
                "when",
                &["open", "close", "opens", "closes", "shut", "shuts"],
            )
            || t.windows(2).any(|p| {
                matches!(p[0].as_str(), "opening" | "closing" | "office" | "access")
                    && matches!(p[1].as_str(), "hours" | "times" | "time")
            })
            || (has("open") || has("opened") || has("hours")) && mentions_day(&t)
            || follows("open", &["until", "till", "late", "early"])
            || follows("your", &["hours"]);
        // "Does the price include VAT?" asks yes or no, not for an amount.
        let price = follows("how", &["much"])
            || !is_yes_no(&t)
                && t.iter().any(|w| {
                    matches!(
                        w.as_str(),
                        "cost"
                            | "costs"
                            | "price"
                            | "prices"
                            | "priced"
                            | "fee"
                            | "fees"
                            | "charge"
                            | "rate"
                            | "rates"
                            | "cheapest"
                            | "quid"
                    )
                });
        let count = follows("how", &["many"]);
        let email =
            (has("email") || has("e-mail")) && (has("address") || follows("your", &["email"]));
        let phone = (has("phone") || has("telephone") || has("call")) && has("number");
        let kind = if email {
            Some(Kind::Email)
        } else if phone {
            Some(Kind::Phone)
        } else if duration {
            Some(Kind::Duration)
        } else if clock {
            Some(Kind::Clock)
        } else if price {
            Some(Kind::Price)
        } else if count {
            Some(Kind::Count)
        } else {
            None
        };
        let period = match kind {
            Some(Kind::Price) => price_period(&t),
            _ => None,
        };
        Slot { kind, period }
    }

    /// The slot of a turn that may be a follow-up: its own kind and period where it names
    /// them ("how much is that one per month?"), else those of the question before ("and on
    /// Sundays?" asks for the same opening time).
    pub(crate) fn of_turn(text: &str, context: Option<&str>) -> Slot {
        let own = Slot::of(text);
        let Some(before) = context.map(Slot::of) else {
            return own;
        };
        let kind = own.kind.or(before.kind);
        let period = match own.period {
            Some(p) => Some(p),
            None if kind == Some(Kind::Price) && own.kind.is_none() => before.period,
            None => None,
        };
        Slot { kind, period }
    }

    /// Whether `sentence` gives what was asked: a fact of the asked kind and, for a price
    /// per a period, that period (a weekly price does not answer "per month").
    pub(crate) fn fits(&self, sentence: &str) -> bool {
        let kind_ok = match self.kind {
            None => true,
            Some(Kind::Price) => AMOUNT.is_match(sentence),
            Some(Kind::Duration) => DURATION.is_match(sentence),
            Some(Kind::Clock) => CLOCK.is_match(sentence),
            Some(Kind::Count) => COUNT.is_match(sentence),
            Some(Kind::Email) => EMAIL.is_match(sentence),
            Some(Kind::Phone) => PHONE.is_match(sentence),
        };
        let period_ok = match self.period {
            None => true,
            Some(p) => periods(sentence).contains(&p),
        };
        kind_ok && period_ok
    }
}

/// Whether a question asks yes or no: it opens (after fillers) with an auxiliary verb.
fn is_yes_no(t: &[String]) -> bool {
    let first = t.iter().find(|w| {
        !matches!(
            w.as_str(),
            "um" | "uh"
                | "er"
                | "erm"
                | "hi"
                | "hello"
                | "hey"
                | "yeah"
                | "yes"
                | "so"
                | "ok"
                | "okay"
                | "well"
                | "oh"
                | "right"
                | "sorry"
                | "and"
                | "also"
                | "just"
                | "quick"
                | "question"
        )
    });
    first.is_some_and(|w| {
        matches!(
            w.as_str(),
            "do" | "does"
                | "did"
                | "is"
                | "are"
                | "was"
                | "were"
                | "can"
                | "could"
                | "will"
                | "would"
                | "should"
                | "have"
                | "has"
                | "may"
                | "shall"
                | "isn't"
                | "aren't"
                | "don't"
                | "doesn't"
        )
    })
}

/// The period of a price question: "per month", "a month", "monthly", "each week"…
fn price_period(t: &[String]) -> Option<Period> {
    for (i, w) in t.iter().enumerate() {
        let Some(p) = period_of(w) else { continue };
        let before = i.checked_sub(1).map(|j| t[j].as_str());
        let adjective = matches!(
            w.as_str(),
            "hourly"
                | "daily"
                | "nightly"
                | "weekly"
                | "monthly"
                | "yearly"
                | "annual"
                | "annually"
        );
        let per = matches!(before, Some("per" | "a" | "an" | "each" | "every" | "the"));
        if adjective || per {
            return Some(p);
        }
    }
    None
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The weekday (0 = Monday) a token names: full names, plurals and short forms.
fn day_of(word: &str) -> Option<usize> {
    let w = word.trim_end_matches('.');
    DAYS.iter().position(|d| {
        w == *d || w.strip_suffix('s') == Some(d) || (w.len() >= 3 && d.starts_with(w))
    })
}

fn mentions_day(t: &[String]) -> bool {
    t.iter().any(|w| is_day_name(w))
        || t.iter()
            .any(|w| matches!(w.as_str(), "weekend" | "weekends" | "weekday" | "weekdays"))
}

/// A full or plural day name (not "mon"/"sat": too easily another word).
fn is_day_name(w: &str) -> bool {
    DAYS.iter()
        .any(|d| w == *d || w.strip_suffix('s') == Some(d))
}

/// The days a sentence covers: named days, ranges ("Monday to Friday", "Mon–Fri"),
/// "weekdays", "weekends", "every day", "daily", "7 days a week".
fn days_covered(sentence: &str) -> [bool; 7] {
    let lower = sentence.to_lowercase().replace(['–', '—', '-'], " to ");
    let t = tokens(&lower);
    let mut out = [false; 7];
    if lower.contains("every day")
        || lower.contains("7 days")
        || lower.contains("seven days")
        || t.iter().any(|w| w == "daily")
    {
        return [true; 7];
    }
    for (i, w) in t.iter().enumerate() {
        match w.as_str() {
            "weekdays" | "weekday" => out[..5].iter_mut().for_each(|d| *d = true),
            "weekends" | "weekend" => out[5..].iter_mut().for_each(|d| *d = true),
            _ => {}
        }
        let Some(a) = day_of(w).filter(|_| w.len() >= 3) else {
            continue;
        };
        out[a] = true;
        let range_to = t
            .get(i + 1)
            .filter(|x| matches!(x.as_str(), "to" | "through" | "thru" | "until"))
            .and_then(|_| t.get(i + 2))
            .and_then(|x| day_of(x));
        if let Some(b) = range_to {
            let mut d = a;
            while d != b {
                out[d] = true;
                d = (d + 1) % 7;
            }
            out[b] = true;
        }
    }
    out
}

/// Whether a table-row sentence (with its heading) is about every name the question gives.
/// `vocabulary` holds the knowledge base's row labels, column headers and the headings
/// above tables (content words): a question word found there names a row or a column, and
/// a sentence that lacks it is a neighbour's fact. Weekdays are covered by ranges.
pub(crate) fn names_fit(
    question: &str,
    sentence: &str,
    vocabulary: &std::collections::HashSet<String>,
) -> bool {
    let have: Vec<String> = content(sentence);
    let covered = days_covered(sentence);
    let t = tokens(question);
    let asked_days: Vec<usize> = t
        .iter()
        .filter(|w| is_day_name(w))
        .filter_map(|w| day_of(w))
        .collect();
    if asked_days.iter().any(|&d| !covered[d]) {
        return false;
    }
    content(question)
        .into_iter()
        .filter(|w| !is_number(w) && w.len() >= 3)
        .filter(|w| vocabulary.contains(w) && !is_slot_word(w) && !is_day_name(w))
        .all(|w| have.iter().any(|h| *h == w || one_edit_apart(h, &w)))
}

/// Whether a table row's label is what the question asks about: at least half of the
/// label's own words (those that are not a price, period or generic word) are in the
/// question. "Cutting off your padlock if you lose the key" is not "how much is a padlock?";
/// a label made only of slot words ("Monthly price") always fits.
pub(crate) fn label_fits(question: &str, label: &str) -> bool {
    let asked = content(question);
    let own: Vec<String> = content(label)
        .into_iter()
        .filter(|w| !is_number(w) && !is_slot_word(w) && !super::words::is_generic(w))
        .collect();
    let found = own
        .iter()
        .filter(|w| asked.iter().any(|a| a == *w || one_edit_apart(a, w)))
        .count();
    found * 2 >= own.len()
}

/// The words whose names a follow-up asks about: its own when it gives any ("and on
/// Sundays?", "what about the large one?"), else the question before's ("how much is that
/// one per month?" is still about the large unit).
pub(crate) fn names_source<'a>(
    text: &'a str,
    context: Option<&'a str>,
    vocabulary: &std::collections::HashSet<String>,
) -> &'a str {
    let Some(before) = context else { return text };
    if gives_names(text, vocabulary) {
        text
    } else {
        before
    }
}

/// Whether a text names a day or a table's row or column.
pub(crate) fn gives_names(text: &str, vocabulary: &std::collections::HashSet<String>) -> bool {
    tokens(text).iter().any(|w| is_day_name(w))
        || content(text)
            .iter()
            .any(|w| vocabulary.contains(w) && !is_slot_word(w) && !is_number(w))
}

/// Words that say what kind of fact is asked (a price, a period), not which row.
fn is_slot_word(w: &str) -> bool {
    period_of(w).is_some()
        || matches!(
            w,
            "cost"
                | "price"
                | "fee"
                | "charge"
                | "rate"
                | "amount"
                | "much"
                | "many"
                | "long"
                | "hour"
                | "open"
                | "opening"
                | "close"
                | "closing"
                | "time"
                | "per"
                | "value"
                | "detail"
                | "option"
                | "weekday"
                | "weekend"
        )
}

#[cfg(test)]
#[path = "slots_tests.rs"]
mod tests;
