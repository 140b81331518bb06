//! What callers' input and webhooks' answers mean to a flow: a spoken menu choice, spoken
//! digits, caller numbers compared, a collected value checked (length, pattern, Luhn), a
//! JSON answer stored in variables. Pure functions.

use std::collections::HashMap;

use super::model::{Checksum, Collect, Target};

/// The option a caller's words choose: the one named earliest in what they said ("one" and
/// "1" name key options too).
pub(super) fn spoken_choice<'m>(
    options: &'m [(String, Target)],
    said: &str,
) -> Option<&'m (String, Target)> {
    let words: Vec<String> = said
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| digit_word(&w.to_lowercase()).unwrap_or_else(|| w.to_lowercase()))
        .collect();
    let position = |choice: &str| {
        let want: Vec<&str> = choice.split_whitespace().collect();
        (0..words.len()).find(|&i| {
            words.len() - i >= want.len()
                && want
                    .iter()
                    .enumerate()
                    .all(|(j, w)| stem(&words[i + j]) == stem(w))
        })
    };
    options
        .iter()
        .filter_map(|o| position(&o.0).map(|p| (p, o)))
        .min_by_key(|(p, _)| *p)
        .map(|(_, o)| o)
}

/// The digits in what the caller said ("one oh four, two 3 3" → "104233").
pub(super) fn spoken_digits(text: &str) -> String {
    let joined = crate::dialog::tools::join_spoken_digits(text);
    joined.chars().filter(char::is_ascii_digit).collect()
}

/// "order" and "orders" are the same choice.
fn stem(w: &str) -> &str {
    w.strip_suffix('s').filter(|s| s.len() >= 3).unwrap_or(w)
}

fn digit_word(w: &str) -> Option<String> {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    WORDS.iter().position(|x| *x == w).map(|d| d.to_string())
}

/// Caller numbers compare on their digits (and a leading `+`), so `+44 20 7946 0000` and
/// `+442079460000` agree.
pub(super) fn same_number(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

pub(super) fn valid(c: &Collect, value: &str) -> bool {
    let len_ok = (c.min..=c.max).contains(&value.len());
    let pattern_ok = c.pattern.as_ref().is_none_or(|p| p.0.is_match(value));
    let sum_ok = match c.checksum {
        None => true,
        Some(Checksum::Luhn) => luhn(value),
    };
    len_ok && pattern_ok && sum_ok
}

/// The Luhn mod-10 check.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// A webhook's JSON in variables: the whole value compact under `into`, and each top-level
/// field of an object under `into.field` (strings without quotes). At most 64 fields, each
/// at most 1 KiB: a hostile endpoint cannot fill a call's memory.
pub(super) fn store_json(
    vars: &mut HashMap<String, String>,
    into: &str,
    value: &serde_json::Value,
) {
    let text = |v: &serde_json::Value| -> String {
        let s = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        s.chars().take(1024).collect()
    };
    vars.insert(into.to_string(), text(value));
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map.iter().take(64) {
            if super::parse::valid_name(k) {
                vars.insert(format!("{into}.{k}"), text(v));
            }
        }
    }
}
