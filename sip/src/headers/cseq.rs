//! CSeq (RFC 3261 §20.16): a sequence number below 2^31 and a method.

use std::fmt;

use super::HeaderError;
use crate::method::Method;
use crate::text::{find_any, parse_digits, trim_lws};

/// A CSeq value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CSeq {
    /// The sequence number (less than 2^31).
    pub seq: u32,
    /// The method.
    pub method: Method,
}

impl CSeq {
    /// Parses `1*DIGIT LWS Method`.
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        let s = trim_lws(s);
        let end = find_any(s, b" \t").ok_or(HeaderError::Token)?;
        let seq = parse_digits(&s[..end])
            .filter(|n| *n < 1 << 31)
            .ok_or(HeaderError::Number)?;
        let method = Method::parse(trim_lws(&s[end..])).ok_or(HeaderError::Token)?;
        Ok(Self {
            seq: seq as u32,
            method,
        })
    }
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parse_print() {
        let c = CSeq::parse("0009   INVITE").unwrap();
        assert_eq!((c.seq, &c.method), (9, &Method::Invite));
        assert_eq!(c.to_string(), "9 INVITE");
        assert!(CSeq::parse("36893488147419103232 REGISTER").is_err());
        assert!(CSeq::parse("2147483648 INVITE").is_err());
        assert!(CSeq::parse("INVITE").is_err());
        assert!(CSeq::parse("1 INV ITE").is_err());
    }
}
