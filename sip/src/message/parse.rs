//! The message parser: start line, header lines (with unfolding and compact names), typed
//! checks of the headers the stack relies on, and the body by Content-Length.

use std::borrow::Cow;

use super::error::{LimitedField, ParseError, ParseErrorKind as K, Salvage};
use super::limits::{Limits, check_head, exceeds};
use super::start_line::{StartLine, is_status_line};
use super::values::{check_other, parse_call_id, push_vias};
use super::{Head, Message, Request, Response};
use crate::headers::{CSeq, HeaderError, HeaderName, Headers, NameAddr, Via, parse_max_forwards};
use crate::text::{is_token, parse_digits, split_once_byte, trim_lws, trim_lws_end};

/// How the body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Framing {
    /// UDP: Content-Length optional, the datagram ends the message.
    Datagram,
    /// TCP/TLS: Content-Length mandatory.
    Stream,
}

/// Parses the first message in a datagram.
pub(super) fn parse_datagram(buf: &[u8], limits: &Limits) -> Result<Message, ParseError> {
    let start = skip_leading_crlf(buf);
    if start == buf.len() {
        return Err(ParseError::new(K::Empty));
    }
    // A datagram ends the message even when the blank line after the headers is missing
    // (RFC 4475's baddn arrives that way): everything left is the header section.
    let rest = &buf[start..];
    let (text_end, body_start) = find_head_end(rest, 0).unwrap_or_else(|| {
        let text_end = rest.strip_suffix(b"\n").map_or(rest.len(), <[u8]>::len);
        (text_end, rest.len())
    });
    let available = rest.len() - body_start;
    let pending = parse_head(&rest[..text_end], Framing::Datagram, available, limits)?;
    let body = rest[body_start..body_start + pending.body_len].to_vec();
    Ok(pending.finish(body))
}

/// Number of CR/LF bytes before the start line (RFC 3261 §7.5 says to ignore them).
fn skip_leading_crlf(buf: &[u8]) -> usize {
    buf.iter()
        .take_while(|c| matches!(c, b'\r' | b'\n'))
        .count()
}

/// Where the header section ends: `(offset of the blank line, offset of the body)`,
/// relative to `buf`. Accepts CRLF CRLF and, leniently, LF LF. The search starts at
/// `from`: the caller knows no blank line starts before it.
pub(super) fn find_head_end(buf: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut from = from;
    while let Some(i) = find_lf(buf, from) {
        match (buf.get(i + 1), buf.get(i + 2)) {
            (Some(b'\n'), _) => return Some((i, i + 2)),
            (Some(b'\r'), Some(b'\n')) => return Some((i, i + 3)),
            _ => from = i + 1,
        }
    }
    None
}

/// Offset of the first LF at or after `from`, eight bytes at a time.
fn find_lf(buf: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(chunk) = buf.get(i..i + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
        // A zero byte in `x` is an LF in the chunk; the lowest flagged byte is exact.
        let x = u64::from_le_bytes(chunk) ^ (ONES * u64::from(b'\n'));
        let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
        if zeros != 0 {
            return Some(i + (zeros.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let tail = buf.get(i..)?;
    tail.iter().position(|&c| c == b'\n').map(|p| i + p)
}

/// A message whose header section parsed and passed every check; only its body, of
/// `body_len` bytes, is still to come.
#[derive(Debug)]
pub(super) struct Pending {
    start_line: StartLine,
    head: Head,
    /// Length of the body (Content-Length, or what the datagram holds).
    pub(super) body_len: usize,
}

impl Pending {
    /// The message with its body (`body_len` bytes).
    pub(super) fn finish(self, body: Vec<u8>) -> Message {
        match self.start_line {
            StartLine::Request(method, uri) => Message::Request(Request {
                method,
                uri,
                head: self.head,
                body,
            }),
            StartLine::Response(status, reason) => Message::Response(Response {
                status,
                reason,
                head: self.head,
                body,
            }),
        }
    }
}

/// Parses and checks a header section (`head`: the bytes before the blank line). For a
/// datagram, `available` is the number of bytes after the blank line; a stream ignores it
/// (its body is still arriving) and needs a Content-Length. Every limit but the body's
/// arrival is checked here, so a stream refuses an oversized body before it comes.
pub(super) fn parse_head(
    head: &[u8],
    framing: Framing,
    available: usize,
    limits: &Limits,
) -> Result<Pending, ParseError> {
    if head.len() > limits.max_head {
        return Err(ParseError::new(K::TooLarge));
    }
    let text = std::str::from_utf8(head).map_err(|_| ParseError::new(K::NotUtf8))?;
    let (start_line, fields) = split_fields(text, limits)?;
    // Built only on failure: it copies header values, and most messages parse.
    let with_salvage = |mut e: ParseError| {
        e.salvage = salvage(start_line, &fields);
        e
    };
    let start_line = StartLine::parse(start_line, limits).map_err(with_salvage)?;
    let (head, content_length) = build_head(&fields, limits).map_err(with_salvage)?;
    check_head(&head, limits).map_err(with_salvage)?;
    let body_len = match (content_length, framing) {
        (Some(n), _) if n > limits.max_body => {
            return Err(with_salvage(ParseError::new(K::TooLarge)));
        }
        (Some(n), Framing::Datagram) if n > available => {
            return Err(with_salvage(ParseError::in_header(
                K::BodyTruncated,
                HeaderName::ContentLength,
            )));
        }
        (Some(n), _) => n,
        (None, Framing::Datagram) if available > limits.max_body => {
            return Err(with_salvage(ParseError::new(K::TooLarge)));
        }
        (None, Framing::Datagram) => available,
        (None, Framing::Stream) => return Err(with_salvage(ParseError::new(K::NoContentLength))),
    };
    if body_len > limits.max_sdp_body
        && head
            .content_type()
            .is_some_and(|t| t.kind == "application" && t.subtype == "sdp")
    {
        let e = exceeds(
            LimitedField::SdpBody,
            limits.max_sdp_body,
            Some(HeaderName::ContentLength),
        );
        return Err(with_salvage(e));
    }
    if let StartLine::Request(method, _) = &start_line
        && head.cseq.method != *method
    {
        return Err(with_salvage(ParseError::in_header(
            K::CSeqMismatch,
            HeaderName::CSeq,
        )));
    }
    Ok(Pending {
        start_line,
        head,
        body_len,
    })
}

/// Unfolded `(name, value)` header fields, values borrowed unless a fold was undone.
type Fields<'a> = Vec<(&'a str, Cow<'a, str>)>;

/// Splits the header section into the start line and unfolded `(name, value)` fields.
fn split_fields<'a>(text: &'a str, limits: &Limits) -> Result<(&'a str, Fields<'a>), ParseError> {
    let mut lines = lines(text);
    let start_line = lines
        .next()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| ParseError::new(K::Empty))?;
    let mut fields: Vec<(&str, Cow<'a, str>)> = Vec::with_capacity(16);
    for line in lines {
        if line.starts_with([' ', '\t']) {
            // A continuation line: unfold into the previous field.
            let (_, value) = fields
                .last_mut()
                .ok_or_else(|| ParseError::new(K::HeaderLine))?;
            let mut v = std::mem::take(value).into_owned();
            v.push_str(line);
            *value = Cow::Owned(v);
            continue;
        }
        let (name, value) =
            split_once_byte(line, b':').ok_or_else(|| ParseError::new(K::HeaderLine))?;
        let name = trim_lws_end(name);
        if !is_token(name) {
            return Err(ParseError::new(K::HeaderLine));
        }
        fields.push((name, Cow::Borrowed(value)));
        if fields.len() > limits.max_headers {
            return Err(ParseError::new(K::TooLarge));
        }
    }
    Ok((start_line, fields))
}

/// The lines of the header section: `text.split('\n')` with a CR before each LF removed.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        let (line, tail) = match find_lf(r.as_bytes(), 0) {
            Some(i) => (r.get(..i)?, r.get(i + 1..)),
            None => (r, None),
        };
        rest = tail;
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

/// Keeps the raw values needed to answer a malformed request.
fn salvage(start_line: &str, fields: &[(&str, Cow<'_, str>)]) -> Option<Box<Salvage>> {
    if is_status_line(start_line) {
        return None;
    }
    let mut s = Salvage {
        method: start_line.split(' ').next().unwrap_or_default().to_owned(),
        ..Salvage::default()
    };
    for (name, value) in fields {
        let v = Some(trim_lws(value).to_owned());
        match HeaderName::from_token(name) {
            HeaderName::Via => s.via.push(trim_lws(value).to_owned()),
            HeaderName::From if s.from.is_none() => s.from = v,
            HeaderName::To if s.to.is_none() => s.to = v,
            HeaderName::CallId if s.call_id.is_none() => s.call_id = v,
            HeaderName::CSeq if s.cseq.is_none() => s.cseq = v,
            _ => {}
        }
    }
    Some(Box::new(s))
}

/// The typed core headers being collected.
#[derive(Default)]
struct Core {
    via: Vec<Via>,
    from: Option<NameAddr>,
    to: Option<NameAddr>,
    call_id: Option<String>,
    cseq: Option<CSeq>,
    max_forwards: Option<u8>,
    content_length: Option<usize>,
}

/// Builds the typed head from the fields, in one pass: every check here costs O(1) per
/// field on top of parsing its value (single-valued names already seen are kept in a
/// list of at most a dozen entries, not searched for in the header list).
fn build_head(
    fields: &[(&str, Cow<'_, str>)],
    limits: &Limits,
) -> Result<(Head, Option<usize>), ParseError> {
    let mut core = Core::default();
    let mut headers = Headers::with_capacity(fields.len());
    let mut seen_single: Vec<HeaderName> = Vec::new();
    for (raw_name, value) in fields {
        let name = HeaderName::from_token(raw_name);
        let value = trim_lws(value);
        if value.len() > limits.max_header_value {
            let limit = limits.max_header_value;
            return Err(exceeds(LimitedField::HeaderValue, limit, Some(name)));
        }
        let err = |kind| ParseError::in_header(kind, name.clone());
        let herr = |e| ParseError::in_header(K::Header(e), name.clone());
        match &name {
            HeaderName::Via => {
                push_vias(&mut core.via, value).map_err(herr)?;
                if core.via.len() > limits.max_vias {
                    return Err(exceeds(LimitedField::Vias, limits.max_vias, Some(name)));
                }
            }
            HeaderName::From => {
                set_once(&mut core.from, NameAddr::parse(value).map_err(herr)?).map_err(err)?
            }
            HeaderName::To => {
                set_once(&mut core.to, NameAddr::parse(value).map_err(herr)?).map_err(err)?
            }
            HeaderName::CallId => {
                set_once(&mut core.call_id, parse_call_id(value).map_err(herr)?).map_err(err)?
            }
            HeaderName::CSeq => {
                set_once(&mut core.cseq, CSeq::parse(value).map_err(herr)?).map_err(err)?
            }
            HeaderName::MaxForwards => {
                set_once(
                    &mut core.max_forwards,
                    parse_max_forwards(value).map_err(herr)?,
                )
                .map_err(err)?;
            }
            HeaderName::ContentLength => {
                let n = parse_digits(value)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| herr(HeaderError::Number))?;
                set_once(&mut core.content_length, n).map_err(err)?;
            }
            other => {
                let params = check_other(other, value).map_err(herr)?;
                if params > limits.max_params {
                    let limit = limits.max_params;
                    return Err(exceeds(LimitedField::Params, limit, Some(name)));
                }
                if other.is_single_valued() {
                    if seen_single.contains(other) {
                        return Err(err(K::Duplicate));
                    }
                    seen_single.push(other.clone());
                }
                headers.push(other.clone(), value);
            }
        }
    }
    let missing = |name| ParseError::in_header(K::Missing, name);
    if core.via.is_empty() {
        return Err(missing(HeaderName::Via));
    }
    let head = Head {
        via: core.via,
        from: core.from.ok_or_else(|| missing(HeaderName::From))?,
        to: core.to.ok_or_else(|| missing(HeaderName::To))?,
        call_id: core.call_id.ok_or_else(|| missing(HeaderName::CallId))?,
        cseq: core.cseq.ok_or_else(|| missing(HeaderName::CSeq))?,
        max_forwards: core.max_forwards,
        headers,
    };
    Ok((head, core.content_length))
}

fn set_once<T>(slot: &mut Option<T>, value: T) -> Result<(), K> {
    if slot.is_some() {
        return Err(K::Duplicate);
    }
    *slot = Some(value);
    Ok(())
}
