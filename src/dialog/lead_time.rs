//! How far ahead a booking is, from the day and time the caller says it is now and when the
//! booking is: "It's Tuesday night and I've got a visit booked for tomorrow morning" is
//! between about 6 and 17 hours' notice, so a "less than 24 hours' notice" tier is the one
//! that applies — not the "at least 24 hours' notice: free" sentence closest in meaning.
//! "It's Thursday morning, about nine o'clock, and my lesson is tomorrow at two in the
//! afternoon" is 29 hours. Read only when the caller speaks of cancelling, moving or notice.
//! Pure text rules; no models.

use std::sync::LazyLock;

use regex::Regex;

use super::clock;
use super::slots::{day_of, is_day_name};
use super::tiers;
use super::words::{number_word, regex, tokens};

/// Hours after midnight, as a range `[from, to]`.
type Span = (f64, f64);

/// Words of changing a booking: without one, "tomorrow" is no notice given.
static CHANGING: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:cancel\w*|move|moving|rearrange\w*|reschedul\w*|postpone\w*|put (?:it|this|that) off|change (?:it|the|my)|notice|pull out|call (?:it|this) off)\b",
    )
});

/// "It's Tuesday night", "it is now about 9am": what the caller says the time is.
static NOW: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:it's|it is|it’s|right now it's|it's now|it is now)\b"));

/// "My lesson is in two hours", "it starts in three days' time": how far ahead, said outright.
static IN_TIME: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:is|'s|’s|are|starts?|begins?)\s+in\s+(?:about\s+|around\s+|roughly\s+|just\s+)?(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a few)\s+(minute|hour|day|week)s?\b",
    )
});

/// "nine o'clock": an hour said without am or pm.
static O_CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s*o'?clock\b",
    )
});

/// How many hours ahead the caller's booking is, as a range `(least, most)`, when they say
/// both when it is and (for a day other than today) when now is; `None` otherwise.
pub(crate) fn hours_ahead(text: &str) -> Option<Span> {
    if !CHANGING.is_match(text) {
        return None;
    }
    if let Some(c) = IN_TIME.captures(text) {
        let hours = tiers::number(&c[1])? * tiers::hours_in(&c[2]);
        return Some((hours, hours));
    }
    let clauses = clauses(text);
    let (booking, day_offset) = clauses.iter().find_map(|c| Some((c, offset(c)?)))?;
    let said_now = said_now(&clauses);
    let now = said_now.as_deref().and_then(time_of);
    let at = time_of(booking).unwrap_or(BOOKING_HOURS);
    let now = match (now, day_offset) {
        (Some(now), _) => now,
        // "My lesson's later today": within the day whatever the time now.
        (None, Offset::Days(0)) => (0.0, at.1),
        (None, _) => (0.0, 24.0),
    };
    let days = match day_offset {
        Offset::Days(d) => d,
        Offset::Weekday(then) => {
            let today = said_now.as_deref().and_then(named_day)?;
            match (then + 7 - today) % 7 {
                0 => 7,
                d => d,
            }
        }
    };
    let base = f64::from(days) * 24.0;
    let least = (base + at.0 - now.1).max(0.0);
    let most = base + at.1 - now.0;
    (most >= least).then_some((least, most))
}

/// What the caller says of now: the clause saying "it's …" and those after it until one says
/// when the booking is ("it's Thursday morning, about nine o'clock, and my lesson is…").
fn said_now(clauses: &[String]) -> Option<String> {
    let from = clauses.iter().position(|c| NOW.is_match(c))?;
    let said: Vec<&str> = clauses[from..]
        .iter()
        .enumerate()
        .take_while(|(i, c)| *i == 0 || offset(c).is_none() && !NOW.is_match(c))
        .map(|(_, c)| c.as_str())
        .collect();
    Some(said.join(", "))
}

/// The hours in which bookings are usually made, when the caller gives no time.
const BOOKING_HOURS: Span = (7.0, 21.0);

/// When a clause says the booking is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Offset {
    /// Days after today.
    Days(u32),
    /// A named day of the week (Monday = 0).
    Weekday(u32),
}

/// The caller's words split into clauses: at punctuation and at "and" / "but".
fn clauses(text: &str) -> Vec<String> {
    static SPLIT: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)[,.;?!]|\band\b|\bbut\b|\bso\b"));
    SPLIT
        .split(text)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// The day a clause says the booking is on: "tomorrow", "today", "the day after tomorrow",
/// "this afternoon", or a day's name in a clause that is not the caller's now.
fn offset(clause: &str) -> Option<Offset> {
    let t = tokens(clause);
    let has = |w: &str| t.iter().any(|x| x == w);
    if clause.to_lowercase().contains("day after tomorrow") {
        return Some(Offset::Days(2));
    }
    if has("tomorrow") || has("tomorrow's") {
        return Some(Offset::Days(1));
    }
    let this_part = t
        .windows(2)
        .any(|p| p[0] == "this" && matches!(p[1].as_str(), "afternoon" | "evening" | "morning"));
    if has("today") || has("today's") || has("tonight") || this_part && !NOW.is_match(clause) {
        return Some(Offset::Days(0));
    }
    if NOW.is_match(clause) {
        return None;
    }
    named_day(clause).map(Offset::Weekday)
}

/// The day of the week a clause names (Monday = 0).
fn named_day(clause: &str) -> Option<u32> {
    tokens(clause)
        .iter()
        .filter(|w| is_day_name(w.trim_end_matches("'s")))
        .find_map(|w| day_of(w.trim_end_matches("'s")))
        .and_then(|i| u32::try_from(i).ok())
}

/// The time a clause gives: a clock time ("at two in the afternoon", "9am"), an hour with
/// the part of the day ("morning, about nine o'clock"), or the part of the day alone.
fn time_of(clause: &str) -> Option<Span> {
    let part = part_of_day(clause);
    if let Some(m) = clock::asked(clause) {
        let h = f64::from(m) / 60.0;
        return Some((h, h));
    }
    if let Some(c) = O_CLOCK.captures(clause) {
        let n: f64 = c[1]
            .parse()
            .ok()
            .or_else(|| number_word(&c[1].to_lowercase())?.parse().ok())?;
        let h = match part {
            Some((from, _)) if from >= 12.0 => n % 12.0 + 12.0,
            Some(_) => n % 12.0,
            None if (7.0..=11.0).contains(&n) => n,
            None => n % 12.0 + 12.0,
        };
        return Some((h, h));
    }
    part
}

/// The hours of a part of the day a clause names ("morning", "tonight", "teatime").
fn part_of_day(clause: &str) -> Option<Span> {
    tokens(clause).iter().find_map(|w| {
        Some(match w.as_str() {
            "morning" => (6.0, 12.0),
            "lunchtime" | "midday" | "noon" => (11.5, 14.0),
            "afternoon" => (12.0, 17.0),
            "teatime" => (16.0, 18.5),
            "evening" => (17.0, 22.0),
            "night" | "tonight" => (19.0, 24.0),
            _ => return None,
        })
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tonight_for_tomorrow_morning_is_less_than_a_day() {
        let (least, most) = hours_ahead(
            "It's Tuesday night and I've got a visit booked for tomorrow morning but I need to \
             cancel. Is there a charge for that?",
        )
        .unwrap();
        assert!(least >= 0.0 && most < 24.0, "{least} {most}");
    }

    #[test]
    fn a_clock_time_now_and_then_give_the_hours() {
        let h = hours_ahead(
            "Um, it's Thursday morning, about nine o'clock, and my lesson is tomorrow at two \
             in the afternoon. If I cancel it right now, what do I have to pay?",
        );
        assert_eq!(h, Some((29.0, 29.0)));
        let h =
            hours_ahead("It's Monday at 10am. Can I move my Wednesday lesson at 10am for free?");
        assert_eq!(h, Some((48.0, 48.0)));
    }

    #[test]
    fn a_time_from_now_is_read_as_said() {
        assert_eq!(
            hours_ahead("My appointment is in two hours. Can I still cancel it?"),
            Some((2.0, 2.0))
        );
        assert_eq!(
            hours_ahead("If I cancel, do I get my money back in 5 days?"),
            None
        );
    }

    #[test]
    fn today_is_within_the_day() {
        let (_, most) = hours_ahead("My appointment is this afternoon, can I cancel?").unwrap();
        assert!(most <= 17.0);
    }

    #[test]
    fn without_a_change_or_a_time_no_notice_is_read() {
        // Nothing is cancelled or moved.
        assert_eq!(
            hours_ahead("It's going to be boiling hot tomorrow. Can I drive in flip-flops?"),
            None
        );
        // Tomorrow from an unknown hour is anywhere from a few hours to two days.
        let (least, most) = hours_ahead("Can I cancel tomorrow's lesson?").unwrap();
        assert!(least < 24.0 && most > 24.0);
    }
}
