//! Personal data in logs: caller numbers, SIP URIs, Call-IDs and transcripts are typed so that
//! printing them never shows the clear value by default.
//!
//! Owns: [`Redacted`], the stable identifier hash [`stable_hash`] and the masking of card
//! numbers and other long digit runs in transcripts ([`mask_numbers`]; [`hide_digits`] for
//! log lines). Must not touch:
//! logging configuration, storage (the store decides what it keeps; see
//! `store::CallerPolicy`).

use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// A value that must not appear in logs. `Debug` and `Display` print `***` followed by a short
/// hash keyed per process: equal values print the same within one run (so log lines correlate),
/// yet the hash cannot be reversed by trying every phone number offline.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Redacted<T>(T);

impl<T> Redacted<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The clear value, for the code that really needs it (never for logs).
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the clear value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Redacted<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

fn process_key() -> &'static std::collections::hash_map::RandomState {
    static KEY: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    KEY.get_or_init(std::collections::hash_map::RandomState::new)
}

impl<T: Hash> fmt::Display for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = process_key().hash_one(&self.0);
        write!(f, "***{:08x}", h as u32)
    }
}

impl<T: Hash> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redacted({self})")
    }
}

/// A stable, unkeyed 128-bit hex digest of an identifier (a Call-ID) for file names and call
/// records: the same in every run, so logs, recordings and the store agree. Call-IDs are random
/// enough that this does not expose them; do not use it for phone numbers (use [`Redacted`]).
pub fn stable_hash(value: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"voxgate-id:")
        .chain_update(value.as_bytes())
        .finalize();
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        use fmt::Write;
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Digit runs this long or longer are identifiers (accounts, IDs, phone numbers): masked.
const ID_DIGITS: usize = 9;
/// Digits left visible at the end of a masked run.
const KEEP_DIGITS: usize = 4;
/// Separators allowed inside one run between digit groups (at most two in a row):
/// "4111 1111", "4111-1111", "4111, 1111" as a recognizer writes a number read out.
const SEPARATORS: [char; 4] = [' ', '-', ',', '.'];

/// `text` with every payment card number (13–19 digits passing the Luhn check) and every
/// other run of nine or more digits masked: each digit but the last four becomes `*`,
/// separators stay ("4111 1111 1111 1111" → "**** **** **** 1111"). Digits in a run may be
/// separated by up to two of space, dash, comma or dot. Shorter numbers (amounts, times,
/// PIN-length codes) are kept. Digits written as words ("four one one one …") count the
/// same: a run of them that would be masked as digits has its words masked (`****`).
pub fn mask_numbers(text: &str) -> String {
    mask_digit_runs(&mask_digit_words(text))
}

/// The digit a word names ("four" → 4, "oh" → 0), punctuation around it ignored.
fn digit_word(token: &str) -> Option<u32> {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let core = token
        .trim_matches(|c: char| SEPARATORS.contains(&c) || c == '?' || c == '!')
        .to_ascii_lowercase();
    if core == "oh" {
        return Some(0);
    }
    WORDS
        .iter()
        .position(|w| *w == core)
        .and_then(|d| u32::try_from(d).ok())
}

/// Masks runs of digit words (space-separated) long enough to be a card or an identifier,
/// keeping the words of the last four digits.
fn mask_digit_words(text: &str) -> String {
    let tokens: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let run = tokens[i..]
            .iter()
            .take_while(|t| digit_word(t).is_some())
            .count();
        let digits: Vec<u32> = tokens[i..i + run]
            .iter()
            .filter_map(|t| digit_word(t))
            .collect();
        let card = (13..=19).contains(&digits.len()) && luhn_valid(&digits);
        if run > 0 && (card || digits.len() >= ID_DIGITS) {
            for (k, t) in tokens[i..i + run].iter().enumerate() {
                if run - k > KEEP_DIGITS {
                    let tail: String = t.chars().rev().take_while(|c| !c.is_alphabetic()).collect();
                    out.push(format!("****{}", tail.chars().rev().collect::<String>()));
                } else {
                    out.push((*t).to_owned());
                }
            }
            i += run;
        } else {
            out.push(tokens[i].to_owned());
            i += 1;
        }
    }
    out.join(" ")
}

/// Masks runs of ASCII digits (see [`mask_numbers`]).
fn mask_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let end = run_end(&chars, i);
        let run = &chars[i..end];
        let digits: Vec<u32> = run.iter().filter_map(|c| c.to_digit(10)).collect();
        let card = (13..=19).contains(&digits.len()) && luhn_valid(&digits);
        if card || digits.len() >= ID_DIGITS {
            let mut left = digits.len();
            for &c in run {
                if c.is_ascii_digit() {
                    out.push(if left > KEEP_DIGITS { '*' } else { c });
                    left -= 1;
                } else {
                    out.push(c);
                }
            }
        } else {
            out.extend(run);
        }
        i = end;
    }
    out
}

/// `text` for a log line: every digit hidden (`#`), whatever the run's length, so even a
/// card number recognized piece by piece in partial transcripts never reaches the logs.
pub fn hide_digits(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// The end of the digit run starting at `start`: digits, with short separator runs
/// between them.
fn run_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    let mut j = start;
    while j < chars.len() {
        if chars[j].is_ascii_digit() {
            j += 1;
            end = j;
            continue;
        }
        let seps = chars[j..]
            .iter()
            .take_while(|c| SEPARATORS.contains(c))
            .count();
        if seps == 0 || seps > 2 || !chars.get(j + seps).is_some_and(char::is_ascii_digit) {
            break;
        }
        j += seps;
    }
    end
}

/// The Luhn check of card numbers.
fn luhn_valid(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2 == 1, d * 2) {
            (true, dd) if dd > 9 => dd - 9,
            (true, dd) => dd,
            (false, _) => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn card_numbers_keep_only_their_last_four_digits() {
        assert_eq!(
            mask_numbers("my card number is 4111 1111 1111 1111."),
            "my card number is **** **** **** 1111."
        );
        assert_eq!(
            mask_numbers("card 5500-0000-0000-0004 please"),
            "card ****-****-****-0004 please"
        );
        assert_eq!(mask_numbers("4111111111111111"), "************1111");
        assert_eq!(
            mask_numbers("It's 4111, 1111, 1111, 1111."),
            "It's ****, ****, ****, 1111."
        );
        // Amex, 15 digits.
        assert_eq!(mask_numbers("378282246310005"), "***********0005");
    }

    #[test]
    fn a_long_run_failing_luhn_is_still_masked_as_an_identifier() {
        assert!(!luhn_valid(&[
            4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2
        ]));
        assert_eq!(mask_numbers("4111 1111 1111 1112"), "**** **** **** 1112");
        assert_eq!(
            mask_numbers("account 123456789, thanks"),
            "account *****6789, thanks"
        );
    }

    #[test]
    fn short_numbers_amounts_and_times_are_kept() {
        for text in [
            "my PIN is 1234",
            "it costs $25.50 at 10:30",
            "order 4711 arrived on 12 March 2024",
            "press 1, then 2",
            "call 555 1234",
        ] {
            assert_eq!(mask_numbers(text), text);
        }
        // Separated by a word, two numbers are not one run.
        assert_eq!(mask_numbers("1234 and 5678 9012"), "1234 and 5678 9012");
    }

    #[test]
    fn digits_written_as_words_are_masked_like_digits() {
        assert_eq!(
            mask_numbers(
                "it is four one one one, one one one one, one one one one, one one one one."
            ),
            "it is **** **** **** ****, **** **** **** ****, **** **** **** ****, one one one one."
        );
        assert_eq!(
            mask_numbers("my number is one two three four five six seven eight nine"),
            "my number is **** **** **** **** **** six seven eight nine"
        );
        for text in ["one two three", "Oh, one more thing", "press one, then two"] {
            assert_eq!(mask_numbers(text), text);
        }
    }

    #[test]
    fn log_text_has_no_digits_at_all() {
        assert_eq!(hide_digits("card is for 111111."), "card is for ######.");
    }

    #[test]
    fn masking_twice_changes_nothing_more() {
        let once = mask_numbers("4111 1111 1111 1111 and 987654321");
        assert_eq!(mask_numbers(&once), once);
        assert!(!once.contains("4111"));
    }

    #[test]
    fn the_clear_value_never_appears() {
        let number = Redacted::new(String::from("+4915112345678"));
        for shown in [
            format!("{number}"),
            format!("{number:?}"),
            format!("{number:#?}"),
        ] {
            assert!(!shown.contains("12345678"), "{shown}");
            assert!(!shown.contains("+49"), "{shown}");
            assert!(shown.contains("***"), "{shown}");
        }
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Call {
            from: Redacted<&'static str>,
        }
        let shown = format!(
            "{:?}",
            Call {
                from: Redacted::new("sip:alice@example.com")
            }
        );
        assert!(!shown.contains("alice"), "{shown}");
        assert_eq!(number.expose(), "+4915112345678");
    }

    #[test]
    fn equal_values_print_alike_within_a_run() {
        let a = Redacted::new("0301234567");
        let b = Redacted::new("0301234567");
        let c = Redacted::new("0301234568");
        assert_eq!(a.to_string(), b.to_string());
        assert_ne!(a.to_string(), c.to_string());
    }

    #[test]
    fn stable_hash_is_stable_and_short() {
        let h = stable_hash("a84b4c76e66710@pc33.atlanta.com");
        assert_eq!(h.len(), 32);
        assert_eq!(h, stable_hash("a84b4c76e66710@pc33.atlanta.com"));
        assert_ne!(h, stable_hash("a84b4c76e66711@pc33.atlanta.com"));
        assert!(!h.contains("atlanta"));
    }
}
