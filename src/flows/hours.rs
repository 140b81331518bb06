//! Opening hours: "mon-fri 08:00-20:00, sat 09:00-17:00" in a named time zone, with closed
//! dates. Pure: the instant to judge is an argument.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// When a service is open.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenHours {
    /// The IANA time zone the hours are written in.
    pub tz: String,
    zone: TimeZone,
    /// Open spans: days of the week (bit 0 = Monday) and minutes of the day, end exclusive.
    spans: Vec<(u8, u16, u16)>,
    /// Dates on which the service is closed all day.
    pub holidays: Vec<Date>,
}

/// Day names; any prefix of three letters or more names the day ("mon", "monday", "tues").
const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl OpenHours {
    /// Parses `hours` ("mon-fri 08:00-20:00, sat 09:00-17:00"; "daily 09:00-17:00"; a day
    /// group may have several ranges) in zone `tz`, closed on `holidays`.
    pub fn parse(tz: &str, hours: &str, holidays: Vec<Date>) -> Result<OpenHours, String> {
        let zone = jiff::tz::db().get(tz).map_err(|_| {
            format!("unknown time zone `{tz}` (use an IANA name such as Europe/London)")
        })?;
        let mut spans = Vec::new();
        for group in hours.split(',').map(str::trim) {
            let mut words = group.split_whitespace();
            let days = words
                .next()
                .ok_or_else(|| "empty opening-hours group (two commas?)".to_string())
                .and_then(day_set)?;
            let mut any = false;
            for range in words {
                let (from, to) = time_range(range)?;
                spans.push((days, from, to));
                any = true;
            }
            if !any {
                return Err(format!(
                    "`{group}` names days but no hours (like 09:00-17:00)"
                ));
            }
        }
        Ok(OpenHours {
            tz: tz.to_string(),
            zone,
            spans,
            holidays,
        })
    }

    /// Whether the service is open at `at`.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let local = at.to_zoned_datetime(self.zone.clone());
        if self.holidays.contains(&local.date()) {
            return false;
        }
        let day = 1u8 << (local.weekday().to_monday_zero_offset() as u8);
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        self.spans
            .iter()
            .any(|&(days, from, to)| days & day != 0 && (from..to).contains(&minute))
    }
}

/// "mon-fri", "sat", "daily", "mon,wed" is two groups (commas split groups).
fn day_set(word: &str) -> Result<u8, String> {
    let word = word.to_ascii_lowercase();
    if word == "daily" {
        return Ok(0x7f);
    }
    let index = |d: &str| {
        DAYS.iter()
            .position(|x| d.len() >= 3 && x.starts_with(d))
            .ok_or_else(|| format!("`{d}` is not a day (mon, tue, …, sun, or daily)"))
    };
    match word.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (index(a)?, index(b)?);
            if a > b {
                return Err(format!(
                    "`{word}` runs backwards; write the days in week order (mon-sun)"
                ));
            }
            Ok((a..=b).fold(0, |set, d| set | 1 << d))
        }
        None => Ok(1 << index(&word)?),
    }
}

/// "08:00-20:00" → minutes [480, 1200); "24:00" ends a day.
fn time_range(range: &str) -> Result<(u16, u16), String> {
    let (a, b) = range
        .split_once('-')
        .ok_or_else(|| format!("`{range}` is not a time range like 09:00-17:00"))?;
    let (from, to) = (minute_of_day(a)?, minute_of_day(b)?);
    if from >= to {
        return Err(format!(
            "`{range}` ends before it starts; split a range past midnight in two days"
        ));
    }
    Ok((from, to))
}

fn minute_of_day(t: &str) -> Result<u16, String> {
    let bad = || format!("`{t}` is not a time (HH:MM, 00:00 to 24:00)");
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Parses a date written as YYYY-MM-DD.
pub fn date(text: &str) -> Result<Date, String> {
    text.parse::<Date>()
        .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn hours_are_judged_in_their_zone_and_closed_on_holidays() {
        let h = OpenHours::parse(
            "Europe/London",
            "mon-fri 08:00-20:00, sat 09:00-12:00 13:00-17:00",
            vec![date("2026-12-25").unwrap()],
        )
        .unwrap();
        // Friday 4 December 2026, 07:59 and 08:00 in London (UTC in winter).
        assert!(!h.is_open(at("2026-12-04T07:59:00Z")));
        assert!(h.is_open(at("2026-12-04T08:00:00Z")));
        assert!(!h.is_open(at("2026-12-04T20:00:00Z")));
        // Saturday's lunch break, Sunday, Christmas (a Friday).
        assert!(h.is_open(at("2026-12-05T11:59:00Z")));
        assert!(!h.is_open(at("2026-12-05T12:30:00Z")));
        assert!(!h.is_open(at("2026-12-06T10:00:00Z")));
        assert!(!h.is_open(at("2026-12-25T10:00:00Z")));
        // Summer time: 08:00 in London is 07:00 UTC.
        assert!(h.is_open(at("2026-07-01T07:00:00Z")));
    }

    #[test]
    fn bad_hours_say_what_is_wrong() {
        let e = |h: &str| OpenHours::parse("Europe/London", h, Vec::new()).unwrap_err();
        assert!(e("fri-mon 09:00-17:00").contains("backwards"));
        assert!(e("mon-fri 22:00-02:00").contains("past midnight"));
        assert!(e("mon-fri").contains("no hours"));
        assert!(e("funday 09:00-17:00").contains("not a day"));
        assert!(e("mon 9-17").contains("not a time"));
        assert!(
            OpenHours::parse("Mars/Olympus", "daily 00:00-24:00", Vec::new())
                .unwrap_err()
                .contains("unknown time zone")
        );
    }
}
