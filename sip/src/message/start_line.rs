//! The start line: request line (method, Request-URI within its length limit, version)
//! or status line (version, code, reason phrase). Header fields are `parse`'s.

use super::error::{ParseError, ParseErrorKind as K};
use super::limits::{Limits, check_request_uri, check_request_uri_len};
use crate::method::Method;
use crate::status::StatusCode;
use crate::text::parse_digits;
use crate::uri::{Uri, UriError};

/// Whether a start line is a status line (`SIP/…`). Compares bytes: slicing the `str` at 4
/// would panic when a multi-byte character straddles that offset.
pub(super) fn is_status_line(line: &str) -> bool {
    line.as_bytes()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"SIP/"))
}

/// A parsed request line or status line.
#[derive(Debug)]
pub(super) enum StartLine {
    /// Method and Request-URI.
    Request(Method, Uri),
    /// Status code and reason phrase.
    Response(StatusCode, String),
}

impl StartLine {
    pub(super) fn parse(line: &str, limits: &Limits) -> Result<Self, ParseError> {
        if is_status_line(line) {
            return Self::status_line(line);
        }
        // Method SP Request-URI SP SIP-Version: exactly one SP between, none around.
        let mut parts = line.splitn(3, ' ');
        let (Some(method), Some(uri), Some(version)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(ParseError::new(K::StartLine));
        };
        let method = Method::parse(method).ok_or_else(|| ParseError::new(K::StartLine))?;
        check_version(version)?;
        check_request_uri_len(uri, limits)?;
        let uri = Uri::parse(uri).map_err(|e| ParseError::new(K::RequestUri(e)))?;
        if uri.as_sip().is_some_and(|u| !u.headers.is_empty()) {
            return Err(ParseError::new(K::RequestUri(UriError::Header)));
        }
        check_request_uri(&uri, limits)?;
        Ok(StartLine::Request(method, uri))
    }

    fn status_line(line: &str) -> Result<Self, ParseError> {
        let mut parts = line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        check_version(version)?;
        let code = parts.next().unwrap_or_default();
        let status = (code.len() == 3)
            .then(|| parse_digits(code))
            .flatten()
            .and_then(|c| StatusCode::new(c as u16))
            .ok_or_else(|| ParseError::new(K::StatusCode))?;
        let reason = parts.next().unwrap_or_default();
        if reason.contains(|c: char| c.is_control() && c != '\t') {
            return Err(ParseError::new(K::StartLine));
        }
        Ok(StartLine::Response(status, reason.to_owned()))
    }
}

/// `SIP/2.0`, case-insensitive; another well-formed version is a 505.
fn check_version(v: &str) -> Result<(), ParseError> {
    let numbers = v
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("SIP/"))
        .and_then(|_| {
            let (major, minor) = v[4..].split_once('.')?;
            Some((parse_digits(major)?, parse_digits(minor)?))
        });
    match numbers {
        Some((2, 0)) => Ok(()),
        Some(_) => Err(ParseError::new(K::Version(v.to_owned()))),
        None => Err(ParseError::new(K::StartLine)),
    }
}
