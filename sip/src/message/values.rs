//! Checks of header values made while parsing: Call-ID, Via lists, and the headers the
//! stack and the UAS checks read later (so that a message that parsed never fails there).
//! The checks accept exactly what the typed parsers accept, with the same errors, but avoid
//! building values that would be thrown away.

use crate::headers::{
    HeaderError, HeaderName, MediaType, NameAddr, Via, parse_delta_seconds, parse_token_list,
};
use crate::text::{is_token, is_word, split_commas, split_once_byte, trim_lws};

use super::limits::uri_params;

/// `callid = word [ "@" word ]`.
pub(super) fn parse_call_id(v: &str) -> Result<String, HeaderError> {
    let ok = match split_once_byte(v, b'@') {
        Some((a, b)) => is_word(a) && is_word(b),
        None => is_word(v),
    };
    if ok {
        Ok(v.to_owned())
    } else {
        Err(HeaderError::Token)
    }
}

/// Appends the Vias of one (trimmed) field value, as `Via::parse_list` would. A value
/// without `,` or `"` is a single Via: parsed straight into `out`, with no temporary lists.
pub(super) fn push_vias(out: &mut Vec<Via>, v: &str) -> Result<(), HeaderError> {
    if v.bytes().any(|c| c == b',' || c == b'"') {
        out.extend(Via::parse_list(v)?);
    } else {
        out.push(Via::parse(v)?);
    }
    Ok(())
}

/// Accepts exactly what `NameAddr::parse_list` accepts, with the same error, without
/// keeping the addresses; returns the most parameters one address (or its URI) carries.
/// Without `,` or `"` the (trimmed) value is a single address.
fn check_name_addrs(v: &str) -> Result<usize, HeaderError> {
    if !v.bytes().any(|c| c == b',' || c == b'"') {
        return NameAddr::parse(v).map(params);
    }
    let mut most = 0;
    for element in split_commas(v).ok_or(HeaderError::Quote)? {
        most = most.max(params(NameAddr::parse(element)?));
    }
    Ok(most)
}

/// Accepts exactly what [`parse_token_list`] accepts, with the same error, without building
/// the list. Without `"` or `<` in the value, top-level commas are all its commas.
fn check_token_list(v: &str) -> Result<(), HeaderError> {
    if v.bytes().any(|c| c == b'"' || c == b'<') {
        return parse_token_list(v).map(drop);
    }
    let mut rest = Some(v);
    while let Some(r) = rest {
        let (element, tail) = match split_once_byte(r, b',') {
            Some((e, t)) => (e, Some(t)),
            None => (r, None),
        };
        let element = trim_lws(element);
        if !element.is_empty() && !is_token(element) {
            return Err(HeaderError::Token);
        }
        rest = tail;
    }
    Ok(())
}

/// The parameters of an address: its own, or its URI's if it has more.
fn params(a: NameAddr) -> usize {
    a.params.len().max(uri_params(&a.uri))
}

/// Validates the headers the stack and the UAS checks read later, so that a message that
/// parsed never fails there. Returns the most parameters one address in the value carries
/// (0 for headers that are not addresses), for the caller to hold against its limit.
pub(super) fn check_other(name: &HeaderName, v: &str) -> Result<usize, HeaderError> {
    let params = match name {
        HeaderName::Contact if trim_lws(v) == "*" => 0,
        HeaderName::Contact | HeaderName::Route | HeaderName::RecordRoute | HeaderName::ReplyTo => {
            check_name_addrs(v)?
        }
        HeaderName::ReferTo => params(NameAddr::parse(v)?),
        _ => {
            check_value(name, v)?;
            0
        }
    };
    Ok(params)
}

/// The checks of [`check_other`] for values that are not addresses.
fn check_value(name: &HeaderName, v: &str) -> Result<(), HeaderError> {
    match name {
        HeaderName::ContentType => MediaType::check(v),
        HeaderName::Accept => MediaType::parse_list(v).map(drop),
        HeaderName::Expires | HeaderName::MinExpires => parse_delta_seconds(v).map(drop),
        HeaderName::Require
        | HeaderName::ProxyRequire
        | HeaderName::Supported
        | HeaderName::Unsupported
        | HeaderName::Allow
        | HeaderName::ContentEncoding => check_token_list(v),
        HeaderName::RetryAfter => crate::headers::RetryAfter::parse(v).map(drop),
        _ => Ok(()),
    }
}
