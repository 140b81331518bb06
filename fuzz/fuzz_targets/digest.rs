//! The digest `Authorization` (`Credentials`) and `WWW-Authenticate` (`Challenge`) header
//! value parsers on arbitrary text. Must never panic; what parses prints to text that parses
//! back equal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::auth::{Challenge, Credentials};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(c) = text.parse::<Credentials>() {
        let printed = c.to_string();
        assert_eq!(printed.parse::<Credentials>().as_ref(), Ok(&c), "{printed}");
    }
    if let Ok(c) = text.parse::<Challenge>() {
        let printed = c.to_string();
        assert_eq!(printed.parse::<Challenge>().as_ref(), Ok(&c), "{printed}");
    }
});
