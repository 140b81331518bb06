//! What a question asks for, and whether a sentence of the knowledge base gives it.
//!
//! The slot is the kind of fact asked for (a price, a duration, a time of day) and, for a
//! price, the period it is per ("a month"). The names are the words that pick one row of a
//! table (a plan, a site, a day of the week). A table holds look-alike facts side by side —
//! the weekly and the monthly price, Saturday's and Sunday's hours — and a sentence that is
//! close in meaning to the question can still be its neighbour's: these checks are what keep
//! such a sentence from being spoken. Pure text rules; no models.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::words::{content, is_number, one_edit_apart, regex, tokens};

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
    /// "What's his Gas Safe ID number?", "my policy number": a code with three digits or more.
    Code,
    /// "How big is the large unit?": a measure ("10 x 10 ft", "3.5 tonnes", "120 cm").
    Size,
    /// "How far is the test centre?": a distance ("4 miles", "200 metres", "a 10-minute
    /// walk", "next door").
    Distance,
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

static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)[£$€¥]\s?\d|\d\s?(?:pounds?|quid|dollars?|euros?|pence|p|cents?|gbp|usd|eur|yuan|rmb)\b|\b(?:free|no charge|no cost|no extra cost|at no cost|included|nothing|half price|\d+ ?%)|\b(?:half|full|double|twice)\s+(?:the\s+|our\s+|its\s+)?(?:[a-z-]+\s+)?(?:price|fee|cost|charge|rate|fare)\b",
    )
});
/// What comes free in an allowance ("50 free miles", "free minutes", "one month free"): not
/// a price.
static ALLOWANCE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\bfree\s+(?:miles?|km|kilometres?|kilometers?|minutes?|mins?|hours?|days?|nights?|weeks?|months?|texts?|calls?|data|gb|mb|allowance)\b|\b(?:\d+|a|an|one|two|three|four|six|twelve)\s+(?:extra\s+)?(?:miles?|minutes?|hours?|days?|nights?|weeks?|months?)\s+free\b",
    )
});
/// An amount given off or towards something ("£400 towards a new boiler", "10% off
/// labour", "the contribution is £250"): a reduction, not the price of the thing.
static REDUCTION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:[£$€¥]\s?\d[\d,.]*|\d+(?:\.\d+)?\s?%)\s+(?:towards|toward|off)\b|\b(?:contribution|discount|rebate|cashback)\b[^.;]*?(?:[£$€¥]\s?\d[\d,]*(?:\.\d+)?|\d+(?:\.\d+)?\s?%)",
    )
});
/// A bare amount with pence ("Small box — 2.50"), a price when it is not a time of day.
static PENCE: LazyLock<Regex> = LazyLock::new(|| regex(r"\b\d+\.\d{2}\b"));
/// A time of day that cannot be an amount: "8.30 am", "17:30".
static TIME_OF_DAY: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b")
});
static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|forty|forty-eight|sixty|ninety|several|few)(?:\s*(?:to|-|–|or)\s*\S+)?\s*(?:full\s+|working\s+|business\s+|calendar\s+|clear\s+)?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|fortnights?|months?|years?|yrs?|nights?)\b|\b(?:same|next)[ -](?:day|working day|business day)\b|\b(?:immediately|straight away|right away|instantly|overnight|at once)\b",
    )
});
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*(?:-|–|—|to)\s*\d{1,2}\b|\b(?:noon|midday|midnight|closed|24 hours|24/7|around the clock|24-hour)\b|\b\d+\s*(?:minutes?|mins?|hours?)\s+(?:before|after|prior to)\b",
    )
});

static COUNT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty|hundred|unlimited|no|none|couple)\b",
    )
});
/// Numbers that are not a count of things: money ("€37.50"), measures ("up to 5 m") and
/// shares ("10%").
static NOT_COUNTED: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)[£$€¥]\s?\d[\d,]*(?:\.\d+)?|\b\d[\d,]*(?:\.\d+)?\s?(?:pounds?|quid|dollars?|euros?|pence|p|cents?|gbp|usd|eur|yuan|rmb|m|cm|mm|km|kg|g|t|tonnes?|metres?|meters?|ft|feet|inches|lbs?|litres?|l)\b|\b\d+(?:\.\d+)?\s?%|\b\d+\.\d{2}\b",
    )
});

/// A measure: a length, an area, a volume or a weight with its unit, or dimensions.
static SIZE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b\d+(?:\.\d+)?\s?(?:x|×|by)\s?\d|\b\d+(?:\.\d+)?\s?(?:m|cm|mm|km|ft|feet|foot|inch|inches|sq|square|metres?|meters?|kg|kilos?|tonnes?|lbs?|litres?|liters?|cubic|seats?|seater)\b",
    )
});

/// A distance: a length with its unit, a walk or drive in minutes ("five minutes from the
/// station"), or a place as near as can be ("opposite the station", "round the corner"; not
/// "beside the building", which says where, not how far).
static DISTANCE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b\d+(?:[.,]\d+)?\s?(?:miles?|mi|km|kilometres?|kilometers?|metres?|meters?|m|yards?|yds?|feet|ft)\b|\b(?:\d+|a|one|two|three|four|five|ten|fifteen|twenty|thirty)[ -]?(?:minutes?|mins?)(?:'s?|’s?)?\s+(?:walk|drive|ride|away|by car|on foot|from)\b|\b(?:next door|opposite|across the road|across the street|round the corner|around the corner|a short walk|walking distance)\b",
    )
});

/// A code: three digits or more, or letters and digits together ("GS-4821").
static CODE: LazyLock<Regex> = LazyLock::new(|| regex(r"\d{3,}|\b[A-Za-z]{1,4}-?\d{2,}"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| regex(r"[\w.+-]+@[\w-]+\.[\w.-]+"));
/// A phone number: international ("+44 …"), a national one opening with 0 ("01632 960 418",
/// "0800 111 999"), or eight digits or more ("(555) 123-4567"); not "registration number
/// 604218".
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\+\d(?:[\s().-]*\d){5,}|\b0\d(?:[\s().-]*\d){4,}|\d(?:[\s().-]*\d){7,}")
});

/// Which period a word names ("monthly", "months" → Month).
pub(crate) fn period_of(word: &str) -> Option<Period> {
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
pub(crate) fn periods(text: &str) -> Vec<Period> {
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
        // "How far in advance can I book?" asks how long before, not how far away.
        let far_ahead = follows("how", &["far"])
            && t.iter()
                .any(|w| matches!(w.as_str(), "advance" | "ahead" | "beforehand" | "before"));
        let distance = follows("how", &["far"]) && !far_ahead
            || follows("what", &["distance"])
            || follows("what's", &["distance"]);
        let duration = far_ahead
            || follows("how", &["long", "soon", "quickly", "quick", "fast"])
            || follows("how", &["many"]) && t.iter().any(|w| units.contains(&w.as_str()))
            || follows("much", &["notice", "time", "warning"])
            // "What's your response time?": a time that is waited is a duration.
            || t.windows(2).any(|p| {
                matches!(
                    p[0].as_str(),
                    "response" | "waiting" | "wait" | "turnaround" | "processing" | "lead"
                        | "travel" | "journey" | "reply"
                ) && p[1] == "time"
            });
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
            || follows("your", &["hours"])
            // "When do you close?" ("when is live chat open?" may be answered by a day or
            // "during opening hours").
            || has("when")
                && t.iter()
                    .any(|w| matches!(w.as_str(), "close" | "closes" | "shut" | "shuts"))
            // "What are the gate hours?": hours that are not counted are opening times (but
            // not "the admin fee on unused block hours").
            || has("hours") && !t.iter().any(|w| is_number(w) || w == "many" || names_charge(w));
        // "Does the price include VAT?" asks yes or no, and "when do you put your prices
        // up?" a time of year, not an amount ("when you refund hours, what's the fee?" does).
        let asks_when = has("when")
            && !t
                .iter()
                .any(|w| matches!(w.as_str(), "what" | "what's" | "which"));
        // "What do I pay each time you come out?", "what would it cost me?"
        let what_paid = t.windows(4).any(|p| {
            p[0] == "what"
                && matches!(
                    p[1].as_str(),
                    "do" | "does" | "did" | "will" | "would" | "should" | "must"
                )
                && matches!(p[3].as_str(), "pay" | "charge" | "cost")
        });
        // "What's the family membership a month?": what a thing is per period is its price
        // (not what it allows: "what's the data allowance a month?").
        let what_per = (has("what's") || follows("what", &["is", "are", "would", "will"]))
            && t.windows(2).any(|p| {
                matches!(p[0].as_str(), "a" | "per")
                    && matches!(
                        p[1].as_str(),
                        "month" | "week" | "year" | "day" | "night" | "hour"
                    )
            })
            && !t.iter().any(|w| {
                matches!(
                    w.as_str(),
                    "allowance"
                        | "limit"
                        | "included"
                        | "include"
                        | "number"
                        | "data"
                        | "minutes"
                        | "texts"
                        | "passes"
                        | "visits"
                        | "sessions"
                        | "classes"
                        | "time"
                        | "times"
                        | "many"
                )
            });
        let price = follows("how", &["much"])
            || what_paid
            || what_per && !is_yes_no(&t)
            || follows("the", &["damage"])
            || !is_yes_no(&t) && !asks_when && t.iter().any(|w| names_charge(w));
        let count = follows("how", &["many"]);
        // "How big is the large unit?", "what size is the van?" (not "which size do I need?",
        // answered by a row's name).
        let size = follows(
            "how",
            &[
                "big", "large", "tall", "wide", "high", "heavy", "small", "deep",
            ],
        ) || follows("what", &["size", "dimensions"]) && !has("need")
            || has("dimensions");
        let email =
            (has("email") || has("e-mail")) && (has("address") || follows("your", &["email"]));
        let phone = ["phone", "telephone", "call", "ring", "dial"]
            .iter()
            .any(|w| has(w))
            && has("number");
        let code = t.windows(2).any(|p| {
            matches!(
                p[0].as_str(),
                "id" | "reference"
                    | "registration"
                    | "policy"
                    | "account"
                    | "membership"
                    | "serial"
                    | "licence"
                    | "license"
                    | "booking"
                    | "order"
                    | "customer"
            ) && p[1] == "number"
        }) && (has("what") || has("what's") || has("which"));
        // "The daytime price or the evening price?" asks which, not how much.
        let kind = if super::asks::alternatives(question).is_some() {
            None
        } else if email {
            Some(Kind::Email)
        } else if phone {
            Some(Kind::Phone)
        } else if code {
            Some(Kind::Code)
        } else if distance {
            Some(Kind::Distance)
        } else if duration {
            Some(Kind::Duration)
        } else if clock {
            Some(Kind::Clock)
        } else if price {
            Some(Kind::Price)
        } else if count {
            Some(Kind::Count)
        } else if size {
            Some(Kind::Size)
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
    /// A follow-up that names a table column the question before did not ("and what does
    /// it cover me up to?" after a weekly price) asks for another fact: nothing is inherited.
    /// `columns` holds the content words of the knowledge base's column headers.
    pub(crate) fn of_turn(
        text: &str,
        context: Option<&str>,
        columns: &std::collections::HashSet<String>,
    ) -> Slot {
        let own = Slot::of(text);
        let Some(before_text) = context else {
            return own;
        };
        let before_words = content(before_text);
        let new_column = content(text).iter().any(|w| {
            columns.contains(w) && !is_slot_word(w) && !is_number(w) && !before_words.contains(w)
        });
        // "And when does it apply?" after a fee asks its own question: when, where, who or
        // why is never the price or the hours asked before.
        let own_question = tokens(text)
            .iter()
            .any(|w| matches!(w.as_str(), "when" | "where" | "who" | "why" | "whom"));
        if new_column || own.kind.is_none() && own_question {
            return own;
        }
        let before = Slot::of(before_text);
        let kind = own.kind.or(before.kind);
        // "And per month?" after a weekly price names its own period without a price word.
        let own_period = own.period.or_else(|| {
            (kind == Some(Kind::Price))
                .then(|| price_period(&tokens(text)))
                .flatten()
        });
        let period = match own_period {
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
            Some(Kind::Price) => {
                // "The free miles" are an allowance, not a price.
                let sentence = ALLOWANCE.replace_all(sentence, "");
                AMOUNT.is_match(&sentence)
                    || PENCE.is_match(&sentence) && !TIME_OF_DAY.is_match(&sentence)
            }
            Some(Kind::Duration) => DURATION.is_match(sentence),
            Some(Kind::Clock) => CLOCK.is_match(sentence),
            // "How many cars fit on the boat?" is not answered by a car's fare.
            Some(Kind::Count) => COUNT.is_match(&NOT_COUNTED.replace_all(sentence, " ")),
            Some(Kind::Email) => EMAIL.is_match(sentence),
            Some(Kind::Phone) => PHONE.is_match(sentence),
            Some(Kind::Code) => CODE.is_match(sentence),
            Some(Kind::Size) => SIZE.is_match(sentence),
            Some(Kind::Distance) => DISTANCE.is_match(sentence),
        };
        let period_ok = match self.period {
            None => true,
            Some(p) => periods(sentence).contains(&p),
        };
        kind_ok && period_ok
    }
}

/// What the question's own words narrow its slot to, checked on a sentence:
/// - "how many *classes*": the counted thing is in the sentence;
/// - "the *joining* fee", "the deposit": the kind of charge is in the sentence;
/// - "when do you *close*": a single time that says it is an opening time is not the
///   closing time (and the other way round); a range gives both;
/// - "what do I pay…": an amount that only caps something is not it;
/// - with no slot, "when do I get…": the sentence says when ([`super::when_asked`]).
pub(crate) fn narrowed_fits(question: &str, slot: Slot, sentence: &str) -> bool {
    let t = tokens(question);
    let have = content(sentence);
    // "What's the hygienist's own registration number?" is not answered by the practice's.
    if matches!(slot.kind, Some(Kind::Code | Kind::Phone | Kind::Email))
        && owners(question).iter().any(|o| !have.contains(o))
    {
        return false;
    }
    let has = |w: &str| {
        let w = super::words::stem(w);
        have.iter().any(|h| *h == w || one_edit_apart(h, &w))
    };
    match slot.kind {
        Some(Kind::Count) => {
            let counted = t
                .windows(3)
                .find(|p| p[0] == "how" && p[1] == "many")
                .map(|p| p[2].as_str())
                // "How many times a year can I call you out?" counts call-outs: "times"
                // is a slot word.
                .filter(|w| !super::words::is_stopword(w) && !is_slot_word(w));
            counted.is_none_or(has)
        }
        Some(Kind::Price) => {
            // "How much is a new boiler?" is not answered by "£400 towards a new boiler".
            if only_reductions(sentence) && !t.iter().any(|w| asks_reduction(w)) {
                return false;
            }
            // "What do I pay each time you come out?" is not answered by the repair limit.
            if only_caps(sentence) && !asks_cap(question) {
                return false;
            }
            let charge = |w: &str| matches!(w, "fee" | "fees" | "charge" | "charges");
            let qualifiers = t
                .windows(2)
                .filter(|p| charge(&p[1]))
                .map(|p| p[0].as_str());
            // The kind of amount named as a thing ("the deposit", "my refund"), not a verb
            // ("when you refund unused hours, what's the admin fee?" asks for the fee).
            let kinds = t
                .iter()
                .enumerate()
                .filter(|&(i, w)| {
                    matches!(
                        w.as_str(),
                        "deposit" | "excess" | "fine" | "refund" | "callout" | "call-out"
                    ) && (i == 0
                        || !matches!(t[i - 1].as_str(), "you" | "we" | "i" | "they" | "to"))
                })
                .map(|(_, w)| w.as_str());
            qualifiers
                .filter(|w| {
                    !super::words::is_stopword(w) && !is_slot_word(w) && !is_number(w) && !charge(w)
                })
                .chain(kinds)
                .all(has)
        }
        Some(Kind::Clock) => {
            let (asks_open, asks_close) = ends_named(&t);
            if asks_open == asks_close || TIME_OF_DAY.find_iter(sentence).count() >= 2 {
                return true;
            }
            let (says_open, says_close) = ends_named(&tokens(sentence));
            if asks_close {
                !says_open || says_close
            } else {
                !says_close || says_open
            }
        }
        Some(Kind::Duration) => {
            // "Valid for 3 years" says how long a thing lasts, not how long it takes to come.
            let validity = |w: &str| {
                matches!(
                    w,
                    "valid" | "validity" | "expire" | "expires" | "expiry" | "last" | "lasts"
                )
            };
            let says_valid = tokens(sentence).iter().any(|w| validity(w) && w != "last");
            !says_valid || t.iter().any(|w| validity(w) || w == "good")
        }
        _ => super::when_asked::when_fits(question, slot, sentence),
    }
}

/// Whether `t` (tokens) says opening, and whether it says closing.
fn ends_named(t: &[String]) -> (bool, bool) {
    let opens = t
        .iter()
        .any(|w| matches!(w.as_str(), "open" | "opens" | "opening"));
    let closes = t.iter().any(|w| {
        matches!(
            w.as_str(),
            "close" | "closes" | "closing" | "shut" | "shuts"
        )
    });
    (opens, closes)
}

/// The times that start and the times that end the time ranges of some passages ("9am–1pm"),
/// as [`clock_key`]s: read once per turn, asked of each sentence the model says.
#[derive(Debug, Default)]
pub(crate) struct Ranges {
    starts: Vec<String>,
    ends: Vec<String>,
}

impl Ranges {
    pub(crate) fn of(passages: &str) -> Ranges {
        static RANGE: LazyLock<Regex> = LazyLock::new(|| {
            regex(
                r"(?i)\b(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?|noon|midday)\s*(?:–|—|-|to|until|till)\s*(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)|noon|midday|midnight)",
            )
        });
        let mut ranges = Ranges::default();
        for c in RANGE.captures_iter(passages) {
            ranges.starts.push(clock_key(&c[1]));
            ranges.ends.push(clock_key(&c[2]));
        }
        ranges
    }
}

/// Whether the one time `sentence` gives is the asked end of the passages' `ranges`: "when
/// does the learner pool shut on Sundays?" is not answered by the 9am that opens "9am–1pm"
/// (nor "when do you open?" by a range's end). A sentence giving two times, a question asking
/// neither end or both, or a time no range holds passes.
pub(crate) fn range_end_fits(question: &str, sentence: &str, ranges: &Ranges) -> bool {
    let (asks_open, asks_close) = ends_named(&tokens(question));
    let given: Vec<String> = TIME_OF_DAY
        .find_iter(sentence)
        .map(|m| clock_key(m.as_str()))
        .collect();
    if asks_open == asks_close || given.len() != 1 {
        return true;
    }
    let time = &given[0];
    let (wrong, right) = match asks_close {
        true => (&ranges.starts, &ranges.ends),
        false => (&ranges.ends, &ranges.starts),
    };
    !wrong.contains(time) || right.contains(time)
}

/// A time of day as a key to compare: lowercase, no spaces, ":00" and "." read alike.
fn clock_key(time: &str) -> String {
    time.to_lowercase()
        .replace(' ', "")
        .replace('.', ":")
        .replace(":00", "")
}

/// Words that compare ("the cheapest membership", "your top level").
fn is_superlative(w: &str) -> bool {
    matches!(
        w,
        "cheapest"
            | "dearest"
            | "most"
            | "least"
            | "lowest"
            | "highest"
            | "biggest"
            | "largest"
            | "smallest"
            | "top"
            | "best"
            | "longest"
            | "shortest"
            | "fastest"
            | "quickest"
            | "earliest"
            | "latest"
            | "maximum"
            | "minimum"
    )
}

/// Whether a sentence may answer a question that compares: only one that states the
/// comparison itself ("our cheapest plan is…"); a single row or a plain price picked by
/// similarity would be a guess.
/// A limit ("the most I can put on a voucher", "the smallest amount") is also stated by a
/// range, which gives both ends ("any amount from £20 to £500"), or by "up to" and "at least".
/// A deadline ("the latest I can pay", "the earliest you can take me") is stated by "by 6pm",
/// "no later than", "until", "at least 2 days before".
/// The latest or earliest moment of a window ("the latest the engineer could turn up") is
/// stated by the window itself ("afternoon: 12 noon to 4pm").
pub(crate) fn comparison_fits(question: &str, sentence: &str) -> bool {
    !asks_comparison(question)
        || compares(sentence)
        || asks_limit(question) && states_limit(sentence)
        || asks_deadline(question) && states_deadline(sentence)
        || asks_moment(question) && TIME_WINDOW.is_match(sentence)
}

/// Whether a question asks for the latest or earliest moment of something.
fn asks_moment(question: &str) -> bool {
    tokens(question)
        .iter()
        .any(|w| matches!(w.as_str(), "latest" | "earliest"))
}

/// Two times of day joined as a window: "12 noon to 4pm", "8am–6pm", "from 9:30 until 1".
static TIME_WINDOW: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?|\bnoon|\bmidday|\bmidnight)\s*(?:to|until|till|–|-|—)\s*(?:\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}|noon|midday|midnight)\b",
    )
});

/// Whether a question asks for the last or first moment something may be done: "the latest
/// I can pay", "what's the earliest you can take me?" (not "your latest offer").
fn asks_deadline(question: &str) -> bool {
    let t = tokens(question);
    t.windows(3).any(|p| {
        matches!(p[0].as_str(), "latest" | "earliest")
            && [&p[1], &p[2]].iter().any(|w| {
                matches!(
                    w.as_str(),
                    "i" | "you" | "we" | "can" | "could" | "should" | "must" | "to"
                )
            })
    })
}

/// A deadline: "by 6pm", "no later than Friday", "until noon", "at least 2 days before",
/// "up to 24 hours before".
static DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:by|no later than|not later than|until|till|before)\s+(?:\d|noon|midday|midnight|the\b|[a-z]+day\b)|\b(?:at least|up to|no less than)\s+\S+\s+\S+\s+(?:before|ahead|in advance|beforehand)",
    )
});

fn states_deadline(sentence: &str) -> bool {
    DEADLINE.is_match(sentence)
}

/// The figures the texts give only as reductions ("£400 towards a new boiler", "the
/// contribution is £250"), never as an amount of their own in any of them.
pub(crate) fn reduction_figures<'a>(texts: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    let texts: Vec<&str> = texts.into_iter().collect();
    let figures = |text: &str| -> Vec<String> {
        content(text).into_iter().filter(|w| is_number(w)).collect()
    };
    let inside: HashSet<String> = texts
        .iter()
        .flat_map(|t| REDUCTION.find_iter(t))
        .flat_map(|m| figures(m.as_str()))
        .collect();
    if inside.is_empty() {
        return inside;
    }
    let outside: HashSet<String> = texts
        .iter()
        .flat_map(|t| figures(&REDUCTION.replace_all(t, " ")))
        .collect();
    &inside - &outside
}

/// Whether a sentence says a reduction ("towards", "off", "contribution", "discount").
pub(crate) fn says_reduction(sentence: &str) -> bool {
    REDUCTION.is_match(sentence)
}

/// An amount that caps something ("Repair limit per claim, Basic: £800", "we pay up to
/// £1,000"): what the business pays at most, not what the caller pays.
static CAP: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:limit|limits|maximum|max|cap|capped)\b[^.;£$€¥\d]*?[£$€¥]\s?\d|\b(?:up to|at most|no more than)\s+[£$€¥]\s?\d",
    )
});

/// Whether every amount in `sentence` is a cap.
fn only_caps(sentence: &str) -> bool {
    let caps = CAP.find_iter(sentence).count();
    caps > 0 && AMOUNT.find_iter(sentence).count() <= caps
}

/// Whether the question asks for a cap rather than a price ("what's the most you'll pay?",
/// "how much does it cover?"; not "cover" written as a name, "Landlord Cover").
fn asks_cap(question: &str) -> bool {
    question.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        matches!(
            w,
            "cover" | "covers" | "covered" | "covering" | "pays" | "payout" | "towards"
        ) || matches!(
            w.to_lowercase().as_str(),
            "limit" | "limits" | "maximum" | "max" | "most" | "cap" | "capped" | "up"
        )
    })
}

/// Whether every amount a sentence gives is a reduction ("£250 towards a replacement").
fn only_reductions(sentence: &str) -> bool {
    let reductions = REDUCTION.find_iter(sentence).count();
    reductions > 0 && AMOUNT.find_iter(sentence).count() <= reductions
}

/// A word that asks for a reduction rather than a price.
fn asks_reduction(w: &str) -> bool {
    matches!(
        w,
        "discount"
            | "discounts"
            | "off"
            | "towards"
            | "toward"
            | "contribution"
            | "contribute"
            | "reduction"
            | "reduced"
            | "cheaper"
            | "concession"
            | "concessions"
    )
}

/// A word that asks for an amount ("cost", "fee", "deposit", "quid", "what's your callout?").
fn names_charge(w: &str) -> bool {
    matches!(
        w,
        "callout"
            | "call-out"
            | "cost"
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
            | "deposit"
            | "excess"
            | "quid"
    )
}

/// Whether a question asks for one end of a range rather than comparing rows. ("The latest
/// I can pay" asks for a deadline, said with "by", not a range.)
fn asks_limit(question: &str) -> bool {
    tokens(question).iter().any(|w| {
        matches!(
            w.as_str(),
            "most"
                | "least"
                | "smallest"
                | "largest"
                | "biggest"
                | "maximum"
                | "minimum"
                | "highest"
                | "lowest"
                | "longest"
                | "shortest"
        )
    })
}

/// A range or a bound: "from £20 to £500", "between 2 and 6", "£20–£500", "up to 3",
/// "at least 17", "no more than", "a minimum of".
static LIMIT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:from|between)\s+[£$€¥]?\d[\d,.:]*\s*\w*\s+(?:to|and|until|till)\s+[£$€¥]?\d|[£$€¥]?\d[\d,.]*\s*(?:–|-|—)\s*[£$€¥]?\d|\b(?:up to|at most|no more than|at least|no less than|not more than|a minimum of|a maximum of)\s+[£$€¥]?\d",
    )
});

fn states_limit(sentence: &str) -> bool {
    LIMIT.is_match(sentence)
}

/// Whether a text compares ("cheapest", "top", "most"…); "on top of" (as well as) and "top
/// up" compare nothing.
pub(crate) fn compares(text: &str) -> bool {
    let t = tokens(text);
    let word = |i: usize| t.get(i).map_or("", String::as_str);
    (0..t.len()).any(|i| {
        let on_top_of = i > 0 && word(i - 1) == "on" && word(i + 1) == "of";
        is_superlative(&t[i]) && !(t[i] == "top" && (on_top_of || word(i + 1) == "up"))
    })
}

/// Whether a question asks for a comparison: its asked sentences compare. "I'm on the
/// cheapest one, the Basic plan. How long until someone's out?" tells which plan and asks no
/// comparison.
pub(crate) fn asks_comparison(question: &str) -> bool {
    compares(&super::asks::asked_part(question))
}

/// Whether a question asks yes or no: it opens (after fillers) with an auxiliary verb.
pub(crate) fn is_yes_no(t: &[String]) -> bool {
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
        // "For the whole year", "a full month".
        let per = matches!(
            before,
            Some("per" | "a" | "an" | "each" | "every" | "the" | "whole" | "full")
        );
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
pub(crate) fn day_of(word: &str) -> Option<usize> {
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

/// Whether `text` names days ("on Sundays", "weekdays", "during the week"): rows for other
/// days are then told apart by the days, not asked about.
pub(crate) fn says_days(text: &str) -> bool {
    mentions_day(&tokens(text)) || text.to_lowercase().contains("during the week")
}

/// Whether `word` is a day word ("saturday", "weekday") that `text` says by the days it
/// covers ("weekend", "Monday to Friday").
pub(crate) fn day_covered(word: &str, text: &str) -> bool {
    mentions_day(&[word.to_string()]) && covers_days(text) && days_fit(word, text)
}

/// A full or plural day name (not "mon"/"sat": too easily another word).
pub(crate) fn is_day_name(w: &str) -> bool {
    DAYS.iter()
        .any(|d| w == *d || w.strip_suffix('s') == Some(d))
}

/// Whether a sentence names any day ("Monday to Friday", "any day", "weekends").
pub(crate) fn covers_days(sentence: &str) -> bool {
    days_covered(sentence).iter().any(|d| *d)
}

/// The days a sentence covers: named days, ranges ("Monday to Friday", "Mon–Fri"),
/// "weekdays", "weekends", "every day", "any day", "daily", "7 days a week".
fn days_covered(sentence: &str) -> [bool; 7] {
    let lower = sentence.to_lowercase().replace(['–', '—', '-'], " to ");
    let t = tokens(&lower);
    let mut out = [false; 7];
    if lower.contains("every day")
        || lower.contains("any day")
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

/// The days a question names ("on Sundays").
fn asked_days(question: &str) -> Vec<usize> {
    tokens(question)
        .iter()
        .filter(|w| is_day_name(w))
        .filter_map(|w| day_of(w))
        .collect()
}

/// The groups of days a question asks about: "weekdays" / "during the week" (Monday to
/// Friday), "weekends"; a sentence about any day of a group is about it.
fn asked_day_groups(question: &str) -> Vec<std::ops::Range<usize>> {
    let t = tokens(question);
    let mut out = Vec::new();
    if t.iter().any(|w| w == "weekday" || w == "weekdays")
        || question.to_lowercase().contains("during the week")
    {
        out.push(0..5);
    }
    if t.iter().any(|w| w == "weekend" || w == "weekends") {
        out.push(5..7);
    }
    out
}

/// Whether a prose sentence is about the days the question asks about: one that names days
/// must cover the asked ones, and one about (bank or public) holidays answers only a
/// question about holidays.
pub(crate) fn days_fit(question: &str, sentence: &str) -> bool {
    let covered = days_covered(sentence);
    let names_days = covered.iter().any(|d| *d);
    if names_days {
        if asked_days(question).iter().any(|&d| !covered[d]) {
            return false;
        }
        if asked_day_groups(question)
            .into_iter()
            .any(|g| !covered[g].iter().any(|d| *d))
        {
            return false;
        }
    }
    !(names_holiday(sentence) && !names_holiday(question) && !names_days)
}

/// Whether `text` names a holiday ("bank holiday", "Christmas Day", "New Year's Eve"): a
/// sentence about one does not answer a question about an ordinary day ("when does the
/// learner pool shut on a Sunday?" is not answered by "closed all day on Christmas Day").
fn names_holiday(text: &str) -> bool {
    let t = text.to_lowercase();
    [
        "holiday",
        "christmas",
        "xmas",
        "boxing day",
        "new year",
        "easter",
        "good friday",
        "festive",
    ]
    .iter()
    .any(|h| t.contains(h))
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
    if asked_days(question).iter().any(|&d| !covered[d]) {
        return false;
    }
    let said = content(question);
    // The pattern is read only when the word is said.
    let extra = content("extra");
    let more_charged = said.iter().any(|w| extra.contains(w)) && says_more_charged(question);
    // "If I *pay* monthly" does the act; it names no "Pay-as-you-go" row.
    let acts = verbs_said(question);
    said.into_iter()
        .filter(|w| !is_number(w) && w.len() >= 3 && !(more_charged && extra.contains(w)))
        .filter(|w| vocabulary.contains(w) && !is_slot_word(w) && !is_day_name(w))
        .filter(|w| !acts.contains(w))
        .all(|w| have.iter().any(|h| *h == w || one_edit_apart(h, &w)))
}

/// The words a question uses as the caller's own acts: right after a subject pronoun or
/// "to", or after a pronoun and its modal or "have" ("if I *pay* monthly", "can we *swim*",
/// "I'd like to *book*", "I've *lost*", "to have *paid*"), stemmed as [`content`] stems them.
fn verbs_said(question: &str) -> Vec<String> {
    const SUBJECTS: &[&str] = &["i", "we", "you", "they", "he", "she", "to"];
    const MODALS: &[&str] = &[
        "can", "could", "will", "would", "should", "might", "must", "do", "don't", "just",
    ];
    let t = tokens(question);
    let after = |i: usize| {
        let prev = i.checked_sub(1).map(|j| t[j].as_str());
        let before = i.checked_sub(2).map(|j| t[j].as_str());
        prev.is_some_and(|p| {
            SUBJECTS.contains(&p)
                || matches!(
                    p,
                    "i'll" | "we'll" | "i'd" | "we'd" | "i've" | "we've" | "you've" | "they've"
                )
        }) || (prev.is_some_and(|p| MODALS.contains(&p) || matches!(p, "have" | "has" | "had"))
            && before.is_some_and(|b| SUBJECTS.contains(&b)))
    };
    // "…but *paying* for the whole year": a verb's -ing form before its object or preposition.
    let gerund = |i: usize| {
        t[i].ends_with("ing")
            && t.get(i + 1).is_some_and(|n| {
                matches!(
                    n.as_str(),
                    "for" | "by" | "in" | "on" | "at" | "the" | "a" | "an" | "my" | "it" | "our"
                )
            })
    };
    (0..t.len())
        .filter(|&i| after(i) || gerund(i))
        .flat_map(|i| content(&t[i]))
        .collect()
}

/// Whose number or address a question asks for: the content words said with a possessive
/// "'s" ("the *hygienist*'s number", "Gareth *Bell*'s ID"), not "what's", "it's" or "that's".
fn owners(question: &str) -> Vec<String> {
    tokens(question)
        .iter()
        .filter_map(|w| w.strip_suffix("'s").or_else(|| w.strip_suffix("’s")))
        .filter(|w| !super::words::is_stopword(w) && !is_day_name(w))
        .filter(|w| {
            !matches!(
                *w,
                "what" | "who" | "where" | "today" | "tomorrow" | "tonight" | "yesterday"
            )
        })
        .flat_map(content)
        .collect()
}

/// Whether "extra" follows a verb of paying ("Do you charge extra to come out to me?"): it
/// says "more", and names no column such as "Each extra 30 minutes".
fn says_more_charged(question: &str) -> bool {
    static MORE: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"(?i)\b(?:charge[sd]?|charging|pay|paying|paid|costs?|costing)\s+(?:me\s+|you\s+|us\s+)?extra\b",
        )
    });
    MORE.is_match(question)
}

/// Whether a table row's names agree with the caller's figures: a thing the question counts
/// ("the bundle of five *hours*") is not a row or column named by another figure ("Fast
/// Track 5-*day*", "Confident 20"). Only the names before a row sentence's colon are read:
/// its value may be any figure ("24 hours' notice").
pub(crate) fn figures_fit(question: &str, sentence: &str) -> bool {
    let Some((names, _)) = sentence.split_once(':') else {
        return true;
    };
    let asked = counted_figures(question);
    let numbers: Vec<String> = content(names)
        .into_iter()
        .filter(|w| is_number(w))
        .collect();
    if asked.is_empty() || numbers.is_empty() {
        return true;
    }
    let counted = counted_figures(names);
    asked
        .iter()
        .any(|(n, unit)| numbers.contains(n) && counted.iter().all(|(m, u)| m != n || u == unit))
}

/// Whether a table row's lengths agree with the caller's: "a two-hour lesson" is not the
/// row whose cell says "length: 1 hour". Only cells that are a count and nothing else are
/// read ("Double lesson, length: 2 hours"): a count in a row's name or beside other words
/// ("24 hours' notice: free") is a rule, not the thing's size.
pub(crate) fn counts_fit(question: &str, row: &str) -> bool {
    let cells: Vec<(String, String)> = crate::speech::tts::sentences(row)
        .iter()
        .filter_map(|s| {
            s.split_once(": ")
                .map(|(_, v)| v.trim_end_matches('.').to_string())
        })
        .filter(|v| v.split_whitespace().count() == 2)
        .flat_map(|v| counted_figures(&v))
        .collect();
    /// A count in its dimension's smallest unit: minutes, days, months, or as said.
    fn measure((n, unit): &(String, String)) -> Option<(f64, &str)> {
        let (scale, dimension) = match unit.as_str() {
            "minute" => (1.0, "time"),
            "hour" => (60.0, "time"),
            "week" => (7.0, "day"),
            "year" => (12.0, "month"),
            other => (1.0, other),
        };
        Some((n.parse::<f64>().ok()? * scale, dimension))
    }
    let cells: Vec<(f64, &str)> = cells.iter().filter_map(measure).collect();
    counted_figures(question)
        .iter()
        .filter_map(measure)
        .all(|(n, dimension)| {
            let mut same = cells.iter().filter(|(_, d)| *d == dimension).peekable();
            same.peek().is_none() || same.any(|(m, _)| *m == n)
        })
}

/// The figures of a text with the unit they count ("5 hours", "five-day", "10 days" →
/// `("5", "hour")`, `("5", "day")`, `("10", "day")`).
fn counted_figures(text: &str) -> Vec<(String, String)> {
    let words: Vec<String> = tokens(text)
        .iter()
        .flat_map(|t| t.split('-').map(str::to_string).collect::<Vec<_>>())
        .collect();
    words
        .windows(2)
        .filter_map(|p| {
            let n = if is_number(&p[0]) {
                p[0].clone()
            } else {
                super::words::number_word(&p[0])?.to_string()
            };
            let unit = p[1].strip_suffix('s').unwrap_or(&p[1]);
            matches!(
                unit,
                "minute" | "hour" | "day" | "week" | "month" | "year" | "night" | "lesson"
            )
            .then(|| (n, unit.to_string()))
        })
        .collect()
}

/// Whether a table row's label is what the question asks about: at least half of the
/// label's own words (those that are not a price, period or generic word) are in the
/// question. "Cutting off your padlock if you lose the key" is not "how much is a padlock?";
/// a label made only of slot words ("Monthly price") always fits.
pub(crate) fn label_fits(question: &str, label: &str) -> bool {
    // "Gate access, every day": what follows a comma qualifies the row (days, variants) and
    // is checked by `names_fit`; the row is named by the first part.
    let label = label.split(',').next().unwrap_or(label);
    // "Riverside office (the Mill)": the nickname in brackets names the row as well.
    if let Some((main, rest)) = label.split_once('(')
        && let Some(nickname) = rest.strip_suffix(')')
        && names_by_nickname(question, nickname)
        && !main.trim().is_empty()
    {
        return true;
    }
    // "Monday to Friday" is the row a question about weekdays asks for. (Any asked day
    // will do: `question` may be a follow-up with the question before, "…on Saturdays? And
    // Sundays?", whose own days `names_fit` checks.)
    let label_days = days_covered(label);
    let (days, groups) = (asked_days(question), asked_day_groups(question));
    if label_days.contains(&true) && (!days.is_empty() || !groups.is_empty()) {
        return days.iter().any(|&d| label_days[d])
            || groups.iter().any(|g| g.clone().any(|d| label_days[d]));
    }
    // "How many times can I call you out?" names the row "Callouts per year".
    let mut asked = content(question);
    asked.extend(super::words::particle_compounds(question));
    // "Junior Active (ages 14–15)": a bracket with a figure bounds the row; the words before
    // it name it ("the Mill" in "Riverside office (the Mill)" names it too).
    let label = label
        .split_once('(')
        .filter(|(_, bracket)| bracket.chars().any(|c| c.is_ascii_digit()))
        .map(|(main, _)| main.trim())
        .filter(|main| !main.is_empty())
        .unwrap_or(label);
    let own = naming_words(label);
    let is_asked = |w: &String| asked.iter().any(|a| a == w || one_edit_apart(a, w));
    let found = own.iter().filter(|w| is_asked(w)).count();
    // A label is a noun phrase whose last word is its head: "Replacement access fob" is
    // what "how much is a new fob?" asks about.
    let head = label_head(label).is_some_and(|h| is_asked(&h));
    found * 2 >= own.len() || head
}

/// The words of a row label that name it: not figures, slot words or generic words, and not
/// a bound's word ("Adult (16 and over)" is not "bring my kayak over"; "Maximum boiler age"
/// is what "my boiler's eleven years old, can I get cover?" measures against).
fn naming_words(label: &str) -> Vec<String> {
    content(label)
        .into_iter()
        .filter(|w| !is_number(w) && !is_slot_word(w) && !super::words::is_generic(w))
        // "Sign-up" also gives its parts: "up" names nothing.
        .filter(|w| !super::words::is_stopword(w))
        .filter(|w| {
            !matches!(
                w.as_str(),
                "over"
                    | "under"
                    | "above"
                    | "below"
                    | "more"
                    | "less"
                    | "maximum"
                    | "minimum"
                    | "max"
                    | "min"
            )
        })
        .collect()
}

/// Whether every word of a row's bracketed nickname ("the Mill", "the town office") is in the
/// question; a bracket of numbers and bounds ("16 and over") names nothing.
fn names_by_nickname(question: &str, nickname: &str) -> bool {
    let asked = content(question);
    let own = naming_words(nickname);
    !own.is_empty()
        && own
            .iter()
            .all(|w| asked.iter().any(|a| a == w || one_edit_apart(a, w)))
}

/// Whether the thing the question names with a row label's word is that row: the word the
/// caller says right after it ("a small *box*") must be in the row (`row`: its heading and
/// the sentence read), or the two words be a phrase of the whole row (`whole`: "the Eastgate
/// pool from *Eastgate Central*", its station's cell), when the knowledge base uses that word
/// elsewhere (`known`). "How much is a small box?" is not the small unit's row, while "the
/// small unit" and "the off-peak plan" (a word the knowledge base never uses) are.
pub(crate) fn label_phrase_fits(
    question: &str,
    label: &str,
    (row, whole): (&str, &str),
    known: &super::kb::Vocabulary,
) -> bool {
    let own: Vec<String> = content(label);
    let have = content(row);
    let t = tokens(question);
    for (i, w) in t.iter().enumerate() {
        let w = super::words::stem(w);
        if !own.contains(&w) {
            continue;
        }
        let Some(next) = t.get(i + 1) else { continue };
        if super::words::is_stopword(next)
            || is_number(next)
            || super::words::number_word(next).is_some()
            || is_day_name(next)
            || looks_like_verb(next)
        {
            continue;
        }
        let next = super::words::stem(next);
        if own.contains(&next)
            || is_slot_word(&next)
            || super::words::is_generic(&next)
            || PLACEHOLDERS.contains(&next.as_str())
        {
            continue;
        }
        let in_row = have.iter().any(|h| *h == next || one_edit_apart(h, &next));
        if !in_row && !says_phrase(whole, &w, &next) && known.knows(&next) {
            return false;
        }
    }
    true
}

/// Nouns that stand for whatever the label names ("a one-off *job*" is the "One-off repair"
/// row, "the basic *option*" the Basic plan): they name no other thing.
const PLACEHOLDERS: &[&str] = &[
    "job", "jobs", "work", "one", "ones", "kind", "type", "sort", "option", "options", "deal",
];

/// Whether `text` says word `a` right before word `b` (both stemmed).
fn says_phrase(text: &str, a: &str, b: &str) -> bool {
    let t: Vec<String> = tokens(text).iter().map(|w| super::words::stem(w)).collect();
    t.windows(2).any(|p| p[0] == a && p[1] == b)
}

/// Whether a word is likely a verb ("the overlock *taken* off", "the van *to* move"): only a
/// noun after a label's word names another thing.
fn looks_like_verb(w: &str) -> bool {
    w.ends_with("ed")
        || w.ends_with("en")
        || w.ends_with("ing")
        || matches!(
            w,
            "get"
                | "got"
                | "take"
                | "put"
                | "need"
                | "want"
                | "have"
                | "cost"
                | "costs"
                | "pay"
                | "go"
                | "come"
                | "use"
                | "keep"
                | "store"
                | "move"
                | "hire"
                | "rent"
                | "book"
                | "open"
                | "close"
        )
}

/// The head noun of a short label: its last content word, when the label is a plain noun
/// phrase of at most four words (no clause: "Cutting off your padlock if you lose the key"
/// is about cutting, not the key).
fn label_head(label: &str) -> Option<String> {
    let t = tokens(label);
    if t.len() > 4 || t.iter().any(|w| super::words::is_stopword(w)) {
        return None;
    }
    content(label)
        .into_iter()
        .rev()
        .find(|w| !is_number(w) && !is_slot_word(w))
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

/// Whether a text names a day or a table's row or column (not by a word it says as the
/// caller's own act: "I've *paid*" names no "Apple Pay" row).
pub(crate) fn gives_names(text: &str, vocabulary: &std::collections::HashSet<String>) -> bool {
    let acts = verbs_said(text);
    tokens(text).iter().any(|w| is_day_name(w))
        || content(text).iter().any(|w| {
            vocabulary.contains(w) && !is_slot_word(w) && !is_number(w) && !acts.contains(w)
        })
}

/// Words that say what kind of fact is asked, in any use: the slot words, and "warning",
/// which asks for a duration only after "how much" ([`Slot::of`]) and so names no row.
pub(crate) fn says_kind_of_fact(w: &str) -> bool {
    is_slot_word(w) || matches!(w, "warn" | "warning" | "number")
}

/// Words that say what kind of fact is asked (a price, a period), not which row.
pub(crate) fn is_slot_word(w: &str) -> bool {
    period_of(w).is_some()
        || matches!(
            w,
            // "How many times": `tim` is how "times" stems.
            "times"
                | "tim"
                | "cost"
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
                | "far"
                | "distance"
        )
}

#[cfg(test)]
#[path = "slots_tests.rs"]
mod tests;
