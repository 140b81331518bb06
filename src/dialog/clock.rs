//! Times of day: the one a caller gives ("eleven at night", "at 7pm"), the bands a table row
//! gives ("10pm to 8am"), and whether a band holds the time — so "what's the callout at eleven
//! at night?" is answered from the night band's row, as a named day picks a day's row. Owns
//! these readings only; minutes after midnight throughout.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::kb::Chunk;
use super::near_rows;
use super::prompt::Passage;
use super::words::{number_word, regex};

/// A clock time with am/pm ("11pm", "10:30 a.m.") or a named one, its groups suffixed `n`.
fn time(n: u8) -> String {
    format!(
        r"(?:(?P<h{n}>\d{{1,2}})(?:[:.](?P<m{n}>\d{{2}}))?\s*(?P<p{n}>am|pm|a\.m\.|p\.m\.)|(?:12\s*)?(?P<n{n}>midnight|noon|midday))"
    )
}

/// A time said with the part of the day ("eleven at night", "7 o'clock in the evening").
static SPOKEN: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?:\s*o'?clock)?\s+(?:at (night)|in the (evening|afternoon|morning)|(tonight)|this (evening|afternoon|morning))\b",
    )
});
static AT: LazyLock<Regex> = LazyLock::new(|| regex(&format!(r"(?i)\b{}", time(1))));
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    let (start, end) = (time(1), time(2));
    regex(&format!(r"(?i)\b{start}\s*(?:to|-|–|—|until|till)\s*{end}"))
});

/// The time of day the caller gives, if any.
pub(crate) fn asked(question: &str) -> Option<u32> {
    if let Some(c) = SPOKEN.captures(question) {
        let h = c[1]
            .parse::<u32>()
            .ok()
            .or_else(|| number_word(&c[1].to_lowercase())?.parse().ok())?;
        let part = (2..=6)
            .find_map(|i| c.get(i))
            .map(|m| m.as_str().to_lowercase())?;
        let hour = match part.as_str() {
            "morning" => h % 12,
            // "Two at night" is early morning; "eleven at night" (and "tonight") the evening.
            "night" | "tonight" if h < 6 || h == 12 => h % 12,
            _ => h % 12 + 12,
        };
        return Some(hour * 60);
    }
    minutes(&AT.captures(question)?, 1)
}

/// The bands (start, end) a text gives: "10pm to 8am", "8:30am-5pm", "noon to midnight".
fn bands(text: &str) -> Vec<(u32, u32)> {
    RANGE
        .captures_iter(text)
        .filter_map(|c| Some((minutes(&c, 1)?, minutes(&c, 2)?)))
        .collect()
}

/// The time read from the groups suffixed `n`.
fn minutes(c: &regex::Captures<'_>, n: u8) -> Option<u32> {
    let group = |g: &str| {
        c.name(&format!("{g}{n}"))
            .map(|m| m.as_str().to_lowercase())
    };
    if let Some(named) = group("n") {
        return Some(if named == "midnight" { 0 } else { 12 * 60 });
    }
    let h: u32 = group("h")?.parse().ok().filter(|h| (1..=12).contains(h))?;
    let m: u32 = group("m").map_or(Some(0), |m| m.parse().ok().filter(|m| *m < 60))?;
    let pm = group("p")?.starts_with('p');
    Some((h % 12 + if pm { 12 } else { 0 }) * 60 + m)
}

/// Whether a band holds a time; a band that ends where it starts is the whole day, and one
/// that ends before it starts runs past midnight.
fn holds((start, end): (u32, u32), t: u32) -> bool {
    match start.cmp(&end) {
        std::cmp::Ordering::Less => (start..end).contains(&t),
        std::cmp::Ordering::Greater => t >= start || t < end,
        std::cmp::Ordering::Equal => true,
    }
}

/// Whether `text` (a table row) fits the time of day the question gives: a row giving bands
/// must hold it in one of them. Rows giving no band, and questions giving no time, fit.
pub(crate) fn band_fits(question: &str, text: &str) -> bool {
    let Some(t) = asked(question) else {
        return true;
    };
    let bands = bands(text);
    bands.is_empty() || bands.iter().any(|b| holds(*b, t))
}

/// The rows of the tables of the top three passages `near` whose band holds the time the
/// caller gives ("eleven at night": the "10pm to 8am" row) and which are not among `near`
/// already: retrieval cannot rank rows by a time they only hold in a range.
pub(crate) fn band_rows(chunks: &[Arc<Chunk>], near: &[Passage], question: &str) -> Vec<Passage> {
    let Some(t) = asked(question) else {
        return Vec::new();
    };
    near_rows::rows(chunks, near, |c| {
        bands(&c.text).iter().any(|b| holds(*b, t))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_read_as_said() {
        assert_eq!(
            asked("It's gone eleven at night, what's the callout?"),
            Some(23 * 60)
        );
        assert_eq!(asked("two at night"), Some(2 * 60));
        assert_eq!(asked("at 7 o'clock in the evening"), Some(19 * 60));
        assert_eq!(asked("seven in the morning"), Some(7 * 60));
        assert_eq!(asked("Can you come at 10:30pm?"), Some(22 * 60 + 30));
        assert_eq!(asked("at midnight"), Some(0));
        assert_eq!(asked("How much is a callout on Sunday?"), None);
        // A count of hours is not a time of day.
        assert_eq!(asked("It takes 2 hours, what does it cost?"), None);
    }

    #[test]
    fn a_row_must_hold_the_asked_time() {
        let night = "Night\nNight, day: any day. Night, times: 10pm to 8am. Night, fee: £149.";
        let evening = "Evening\nEvening, times: 6pm to 10pm. Evening, fee: £119.";
        let q = "It's gone eleven at night. What's the callout fee?";
        assert!(band_fits(q, night));
        assert!(!band_fits(q, evening));
        assert!(band_fits("What's the fee at 9pm?", evening));
        assert!(!band_fits("What's the fee at 9pm?", night));
        assert!(band_fits("What's the fee at 3am?", night));
        assert!(band_fits(q, "Bank holiday, times: any time. Fee: £159."));
        assert!(band_fits("What's the evening fee?", night));
        assert_eq!(
            bands("open 8:30am-5pm, or noon to midnight, 9am to 12 noon"),
            [(510, 1020), (720, 0), (540, 720)]
        );
    }
}
