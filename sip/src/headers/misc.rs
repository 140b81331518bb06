//! Small typed header values: media types (Content-Type, Accept), option-tag lists
//! (Require, Supported, Unsupported, Proxy-Require, Allow), and scalar numbers.

use std::fmt;

use super::HeaderError;
use crate::params::{ParamSyntax, Params};
use crate::text::{
    find_any, find_byte, is_token, parse_digits, split_commas, split_once_byte, trim_lws,
};

/// A media type `type/subtype;params`, or a media range with `*` in Accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    /// Top-level type (`application`), lower case.
    pub kind: String,
    /// Subtype (`sdp`), lower case.
    pub subtype: String,
    /// Parameters.
    pub params: Params,
}

impl MediaType {
    /// `application/sdp`.
    pub fn sdp() -> Self {
        Self::new("application", "sdp")
    }

    /// A media type without parameters.
    pub fn new(kind: &str, subtype: &str) -> Self {
        Self {
            kind: kind.to_ascii_lowercase(),
            subtype: subtype.to_ascii_lowercase(),
            params: Params::new(),
        }
    }

    /// Parses `type SLASH subtype *(SEMI param)`.
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        let (kind, subtype, params) = split_media_type(s)?;
        Ok(Self {
            kind: kind.to_ascii_lowercase(),
            subtype: subtype.to_ascii_lowercase(),
            params: Params::parse(params, ParamSyntax::Header)?,
        })
    }

    /// Whether [`MediaType::parse`] accepts `s` (the same error if not), without
    /// building the value.
    pub(crate) fn check(s: &str) -> Result<(), HeaderError> {
        let (_, _, params) = split_media_type(s)?;
        Params::parse(params, ParamSyntax::Header)?;
        Ok(())
    }

    /// Parses an Accept value: a list of media ranges (empty elements skipped).
    pub fn parse_list(s: &str) -> Result<Vec<Self>, HeaderError> {
        split_commas(s)
            .ok_or(HeaderError::Quote)?
            .into_iter()
            .filter(|v| !v.is_empty())
            .map(MediaType::parse)
            .collect()
    }

    /// Whether this type (as a range, `*` allowed) covers `other`.
    pub fn matches(&self, other: &MediaType) -> bool {
        let part = |a: &str, b: &str| a == "*" || a.eq_ignore_ascii_case(b);
        part(&self.kind, &other.kind) && part(&self.subtype, &other.subtype)
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}{}", self.kind, self.subtype, self.params)
    }
}

/// Splits a media type into its checked type and subtype tokens and its raw parameters.
fn split_media_type(s: &str) -> Result<(&str, &str, &str), HeaderError> {
    let s = trim_lws(s);
    let (kind, rest) = split_once_byte(s, b'/').ok_or(HeaderError::Token)?;
    let rest = trim_lws(rest);
    let end = find_any(rest, b"; \t").unwrap_or(rest.len());
    let (subtype, params) = rest.split_at(end);
    let kind = trim_lws(kind);
    if !is_token(kind) || !is_token(subtype) {
        return Err(HeaderError::Token);
    }
    Ok((kind, subtype, params))
}

/// Parses a comma-separated token list (option tags, methods, encodings); empty elements
/// are skipped, anything that is not a token is an error.
pub fn parse_token_list(s: &str) -> Result<Vec<String>, HeaderError> {
    split_commas(s)
        .ok_or(HeaderError::Quote)?
        .into_iter()
        .filter(|v| !v.is_empty())
        .map(|t| {
            if is_token(t) {
                Ok(t.to_owned())
            } else {
                Err(HeaderError::Token)
            }
        })
        .collect()
}

/// Parses Max-Forwards: 0 to 255.
pub fn parse_max_forwards(s: &str) -> Result<u8, HeaderError> {
    parse_digits(trim_lws(s))
        .and_then(|n| u8::try_from(n).ok())
        .ok_or(HeaderError::Number)
}

/// Parses a delta-seconds value (Expires, Min-Expires). Values beyond 2^32-1 saturate,
/// as RFC 4475 §3.1.2.4 allows ("treat them as if they contained the default").
pub fn parse_delta_seconds(s: &str) -> Result<u32, HeaderError> {
    let s = trim_lws(s);
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(HeaderError::Number);
    }
    Ok(parse_digits(s).map_or(u32::MAX, |n| u32::try_from(n).unwrap_or(u32::MAX)))
}

/// Retry-After: seconds, an optional comment, parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryAfter {
    /// Seconds to wait.
    pub seconds: u32,
    /// Parameters such as `duration`.
    pub params: Params,
}

impl RetryAfter {
    /// Parses `delta-seconds [comment] *(SEMI param)`; the comment is dropped.
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        let s = trim_lws(s);
        let end = s.find([';', ' ', '\t', '(']).unwrap_or(s.len());
        let seconds = parse_digits(&s[..end])
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(HeaderError::Number)?;
        let mut rest = trim_lws(&s[end..]);
        if rest.starts_with('(') {
            let close = find_byte(rest, b')').ok_or(HeaderError::Token)?;
            rest = &rest[close + 1..];
        }
        Ok(Self {
            seconds,
            params: Params::parse(rest, ParamSyntax::Header)?,
        })
    }
}

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.seconds, self.params)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        let m = MediaType::parse("multipart/mixed;boundary=7a9cbec02ceef655").unwrap();
        assert_eq!(m.params.get("boundary"), Some(Some("7a9cbec02ceef655")));
        assert_eq!(MediaType::parse(&m.to_string()).unwrap(), m);
        let accept = MediaType::parse_list(
            "application/sdp, application/pkcs7-mime, multipart/mixed, message/sip",
        )
        .unwrap();
        assert_eq!(accept.len(), 4);
        assert!(MediaType::parse("*/*").unwrap().matches(&MediaType::sdp()));
        assert!(
            !MediaType::parse("text/plain")
                .unwrap()
                .matches(&MediaType::sdp())
        );
        assert!(MediaType::parse("application").is_err());
    }

    #[test]
    fn scalars() {
        assert_eq!(parse_max_forwards("0068"), Ok(68));
        assert!(parse_max_forwards("300").is_err());
        assert_eq!(parse_delta_seconds("3600"), Ok(3600));
        assert_eq!(
            parse_delta_seconds("100000000000000000000000"),
            Ok(u32::MAX)
        );
        assert!(parse_delta_seconds("-1").is_err());
        let r = RetryAfter::parse("18000 (in a meeting);duration=3600").unwrap();
        assert_eq!(r.seconds, 18000);
        assert_eq!(RetryAfter::parse(&r.to_string()).unwrap(), r);
        assert!(RetryAfter::parse("949302838503028349304023988").is_err());
        assert_eq!(
            parse_token_list("100rel, timer,,replaces").unwrap().len(),
            3
        );
        assert!(parse_token_list("a b").is_err());
    }
}
