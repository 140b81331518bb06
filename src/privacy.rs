//! Personal data in logs: caller numbers, SIP URIs, Call-IDs and transcripts are typed so that
//! printing them never shows the clear value by default.
//!
//! Owns: [`Redacted`], the stable identifier hash [`stable_hash`] and the masking of card
//! numbers, security codes, expiry dates and PINs in transcripts ([`mask_numbers`], in
//! `mask`; [`hide_digits`] for log lines). Must not touch:
//! logging configuration, storage (the store decides what it keeps; see
//! `store::CallerPolicy`).

use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

mod mask;

pub use mask::{Carry, hide_digits, mask_numbers, mask_utterance};

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn log_text_has_no_digits_at_all() {
        assert_eq!(hide_digits("card is for 111111."), "card is for ######.");
        assert_eq!(hide_digits("卡号４１"), "卡号##");
        assert_eq!(
            hide_digits("four one one one, 四一一一 at 10:30"),
            "# # # #, #### at ##:##"
        );
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
