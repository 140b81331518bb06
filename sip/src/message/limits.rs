//! Size and count limits on peer input ([`Limits`]) and the checks of the typed header
//! fields against them. The parser calls these checks for datagrams and streams alike;
//! this module does not parse anything itself.

use super::Head;
use super::error::{LimitedField, ParseError, ParseErrorKind};
use crate::headers::{HeaderName, NameAddr};
use crate::uri::Uri;

/// Size and count limits applied while parsing peer input. Every field has a default
/// (see [`Limits::default`]) chosen to accept every valid message of RFC 4475 (whose
/// `longreq` carries a 141-byte Call-ID, a 155-byte tag, a 216-byte branch and 34 Vias)
/// with room to spare, while bounding what one peer can make the parser build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest header section in bytes (default 32 KiB). Over it: 513.
    pub max_head: usize,
    /// Largest body in bytes (default 256 KiB). Over it: 513.
    pub max_body: usize,
    /// Most header lines (default 256). Over it: 513.
    pub max_headers: usize,
    /// Longest header value in bytes, after unfolding (default 8 KiB). Over it: 400.
    pub max_header_value: usize,
    /// Longest Call-ID in bytes (default 256). RFC 3261 sets no bound; stacks generate 32
    /// to ~100 bytes (a UUID or random hex, `@host`), and PJSIP's default URL buffer, the
    /// tightest common bound on such strings, is 256. Over it: 400.
    pub max_call_id: usize,
    /// Longest From or To tag in bytes (default 256). Over it: 400.
    pub max_tag: usize,
    /// Longest Via branch in bytes (default 256). Over it: 400.
    pub max_branch: usize,
    /// Longest Request-URI in bytes (default 1024, Kamailio's `MAX_URI_SIZE`). Over it: 400.
    pub max_request_uri: usize,
    /// Most Via values (default 70). A request stops after 70 hops when it starts with the
    /// Max-Forwards RFC 3261 §8.1.1.6 recommends, so it cannot legitimately carry more
    /// Vias than that. Over it: 400.
    pub max_vias: usize,
    /// Most parameters on one value: the Request-URI, each Via, and each address (with its
    /// URI) of From, To, Contact, Route, Record-Route, Reply-To and Refer-To (default 64).
    /// Over it: 400.
    pub max_params: usize,
    /// Largest `application/sdp` body in bytes (default 32 KiB; an audio offer is 1–3 KiB,
    /// and the SDP parser itself stops at 1024 lines). Over it: 513.
    pub max_sdp_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_head: 32 * 1024,
            max_body: 256 * 1024,
            max_headers: 256,
            max_header_value: 8 * 1024,
            max_call_id: 256,
            max_tag: 256,
            max_branch: 256,
            max_request_uri: 1024,
            max_vias: 70,
            max_params: 64,
            max_sdp_body: 32 * 1024,
        }
    }
}

/// The error for `field` over `limit`, found in header `header` (if any).
pub(super) fn exceeds(field: LimitedField, limit: usize, header: Option<HeaderName>) -> ParseError {
    let mut e = ParseError::new(ParseErrorKind::Exceeds { field, limit });
    e.header = header;
    e
}

/// Checks one count or length against its limit.
fn at_most(
    n: usize,
    limit: usize,
    field: LimitedField,
    header: HeaderName,
) -> Result<(), ParseError> {
    if n > limit {
        return Err(exceeds(field, limit, Some(header)));
    }
    Ok(())
}

/// The parameters of a URI (SIP or tel); other schemes carry none we parse.
pub(super) fn uri_params(uri: &Uri) -> usize {
    match uri {
        Uri::Sip(u) => u.params.len(),
        Uri::Tel(t) => t.params.len(),
        Uri::Other { .. } => 0,
    }
}

fn check_name_addr(a: &NameAddr, header: HeaderName, limits: &Limits) -> Result<(), ParseError> {
    let tag = a.tag().map_or(0, str::len);
    at_most(tag, limits.max_tag, LimitedField::Tag, header.clone())?;
    let params = a.params.len().max(uri_params(&a.uri));
    at_most(params, limits.max_params, LimitedField::Params, header)
}

/// Checks the Request-URI's length before it is parsed.
pub(super) fn check_request_uri_len(uri: &str, limits: &Limits) -> Result<(), ParseError> {
    if uri.len() > limits.max_request_uri {
        return Err(exceeds(
            LimitedField::RequestUri,
            limits.max_request_uri,
            None,
        ));
    }
    Ok(())
}

/// Checks the parsed Request-URI's parameters.
pub(super) fn check_request_uri(uri: &Uri, limits: &Limits) -> Result<(), ParseError> {
    if uri_params(uri) > limits.max_params {
        return Err(exceeds(LimitedField::Params, limits.max_params, None));
    }
    Ok(())
}

/// Checks the typed core fields of a parsed header section: Call-ID, tags, branches,
/// parameter counts. Via count and value lengths are checked while the fields are read.
pub(super) fn check_head(head: &Head, limits: &Limits) -> Result<(), ParseError> {
    at_most(
        head.call_id.len(),
        limits.max_call_id,
        LimitedField::CallId,
        HeaderName::CallId,
    )?;
    check_name_addr(&head.from, HeaderName::From, limits)?;
    check_name_addr(&head.to, HeaderName::To, limits)?;
    for via in &head.via {
        let branch = via.branch().map_or(0, str::len);
        at_most(
            branch,
            limits.max_branch,
            LimitedField::Branch,
            HeaderName::Via,
        )?;
        at_most(
            via.params.len(),
            limits.max_params,
            LimitedField::Params,
            HeaderName::Via,
        )?;
    }
    Ok(())
}
