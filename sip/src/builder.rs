//! Requests a UAC originates outside any dialog (RFC 3261 §8.1.1: INVITE to an agent's
//! phone, OPTIONS, REGISTER…) and the responses a UAS sends without a dialog: OPTIONS
//! answers (§11.2) and rejections found by the request checks (§8.2).
//!
//! Randomness comes in as numbers: [`branch_from`], [`tag_from`] and [`call_id_from`] turn
//! the caller's random values into the tokens the protocol needs.

use crate::headers::{BRANCH_MAGIC, CSeq, HeaderName, Headers, MediaType, NameAddr, Via};
use crate::message::{Head, Request, Response};
use crate::method::Method;
use crate::status::StatusCode;
use crate::text::{is_token, is_word};
use crate::uri::{Host, Uri};
use crate::validate::Rejection;

/// The Max-Forwards of every request a UAC originates (RFC 3261 §8.1.1.6).
pub(crate) const MAX_FORWARDS: u8 = 70;

/// Why [`RequestBuilder::build`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No From address was given.
    #[error("request has no From address")]
    MissingFrom,
    /// The From tag is not a token.
    #[error("From tag is not a token")]
    BadTag,
    /// No Call-ID was given, or it is not `word [@ word]`.
    #[error("request has no valid Call-ID")]
    MissingCallId,
    /// No Via was given.
    #[error("request has no Via")]
    MissingVia,
    /// An INVITE without a Contact (RFC 3261 §8.1.1.8).
    #[error("INVITE has no Contact")]
    MissingContact,
    /// A CSeq number of 2^31 or more.
    #[error("CSeq number must be below 2^31")]
    CSeqTooLarge,
}

/// Builds a request outside a dialog. Required: From (with its tag), Call-ID and Via. To
/// defaults to the Request-URI, CSeq to 1 and Max-Forwards to 70.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    method: Method,
    uri: Uri,
    from: Option<NameAddr>,
    to: NameAddr,
    call_id: Option<String>,
    cseq: u32,
    via: Option<Via>,
    max_forwards: u8,
    contact: Option<NameAddr>,
    routes: Vec<NameAddr>,
    headers: Headers,
    body: Option<(MediaType, Vec<u8>)>,
}

impl RequestBuilder {
    /// Starts a request of `method` to `uri`.
    pub fn new(method: Method, uri: Uri) -> Self {
        Self {
            method,
            to: NameAddr::new(uri.clone()),
            uri,
            from: None,
            call_id: None,
            cseq: 1,
            via: None,
            max_forwards: MAX_FORWARDS,
            contact: None,
            routes: Vec::new(),
            headers: Headers::new(),
            body: None,
        }
    }

    /// Sets From, with its tag (RFC 3261 §8.1.1.3; see [`tag_from`]).
    pub fn from(mut self, mut addr: NameAddr, tag: &str) -> Self {
        addr.set_tag(tag);
        self.from = Some(addr);
        self
    }

    /// Sets To (without a tag: the request is outside a dialog).
    pub fn to(mut self, mut addr: NameAddr) -> Self {
        addr.params.remove("tag");
        self.to = addr;
        self
    }

    /// Sets the Call-ID (see [`call_id_from`]).
    pub fn call_id(mut self, id: impl Into<String>) -> Self {
        self.call_id = Some(id.into());
        self
    }

    /// Sets the CSeq number (the method is the request's).
    pub fn cseq(mut self, seq: u32) -> Self {
        self.cseq = seq;
        self
    }

    /// Sets the one Via (see [`Via::new`] and [`branch_from`]).
    pub fn via(mut self, via: Via) -> Self {
        self.via = Some(via);
        self
    }

    /// Overrides Max-Forwards (70 by default).
    pub fn max_forwards(mut self, hops: u8) -> Self {
        self.max_forwards = hops;
        self
    }

    /// Sets Contact.
    pub fn contact(mut self, addr: NameAddr) -> Self {
        self.contact = Some(addr);
        self
    }

    /// Appends a Route (a pre-loaded route set, e.g. an outbound proxy with `;lr`).
    pub fn route(mut self, addr: NameAddr) -> Self {
        self.routes.push(addr);
        self
    }

    /// Appends any other header field.
    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push(name, value);
        self
    }

    /// Sets the body and its Content-Type.
    pub fn body(mut self, content_type: &MediaType, body: Vec<u8>) -> Self {
        self.body = Some((content_type.clone(), body));
        self
    }

    /// Checks the required parts and assembles the request.
    pub fn build(self) -> Result<Request, BuildError> {
        let from = self.from.ok_or(BuildError::MissingFrom)?;
        if !from.tag().is_some_and(is_token) {
            return Err(BuildError::BadTag);
        }
        let call_id = self
            .call_id
            .filter(|c| valid_call_id(c))
            .ok_or(BuildError::MissingCallId)?;
        let via = self.via.ok_or(BuildError::MissingVia)?;
        if self.cseq >= 1 << 31 {
            return Err(BuildError::CSeqTooLarge);
        }
        if self.method == Method::Invite && self.contact.is_none() {
            return Err(BuildError::MissingContact);
        }
        let mut headers = Headers::new();
        push_routes(&mut headers, &self.routes);
        if let Some(c) = &self.contact {
            headers.push(HeaderName::Contact, c.to_string());
        }
        for h in self.headers.iter() {
            headers.push(h.name.clone(), h.value.clone());
        }
        let head = Head {
            via: vec![via],
            from,
            to: self.to,
            call_id,
            cseq: CSeq {
                seq: self.cseq,
                method: self.method.clone(),
            },
            max_forwards: Some(self.max_forwards),
            headers,
        };
        let req = Request {
            method: self.method,
            uri: self.uri,
            head,
            body: Vec::new(),
        };
        Ok(match self.body {
            Some((ct, body)) => req.with_body(&ct, body),
            None => req,
        })
    }
}

/// Appends one Route field per address, in order.
pub(crate) fn push_routes(headers: &mut Headers, routes: &[NameAddr]) {
    for r in routes {
        headers.push(HeaderName::Route, r.to_string());
    }
}

fn valid_call_id(c: &str) -> bool {
    match c.split_once('@') {
        Some((a, b)) => is_word(a) && is_word(b),
        None => is_word(c),
    }
}

/// Lower-case RFC 4648 base 32, most significant digit first, `digits` wide.
fn base32(mut n: u128, digits: usize) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = vec![b'a'; digits];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A Via branch: the RFC 3261 magic cookie followed by `random` in base 32.
pub fn branch_from(random: u64) -> String {
    format!("{BRANCH_MAGIC}{}", base32(u128::from(random), 13))
}

/// A From/To tag: `random` in base 32 (13 characters).
pub fn tag_from(random: u64) -> String {
    base32(u128::from(random), 13)
}

/// A Call-ID: `random` in base 32 (26 characters), `@`, and our host.
pub fn call_id_from(random: u128, host: &Host) -> String {
    format!("{}@{host}", base32(random, 26))
}

/// A 200 answer to OPTIONS (RFC 3261 §11.2) listing what we allow, accept and support.
/// It is given even when Max-Forwards is 0: the request has reached its UAS.
pub fn options_response(
    req: &Request,
    allow: &[Method],
    accept: &[MediaType],
    supported: &[&str],
    to_tag: &str,
) -> Response {
    let mut resp = Response::for_request(req, StatusCode::OK).with_to_tag(to_tag);
    let allow: Vec<&str> = allow.iter().map(Method::as_str).collect();
    let accept: Vec<String> = accept.iter().map(ToString::to_string).collect();
    for (name, values) in [
        (HeaderName::Allow, allow.join(", ")),
        (HeaderName::Accept, accept.join(", ")),
        (HeaderName::Supported, supported.join(", ")),
    ] {
        if !values.is_empty() {
            resp.head.headers.push(name, values);
        }
    }
    resp
}

/// The response for a request [`check_request`](crate::check_request) refused: its status
/// and the headers it names (Unsupported, Accept, Accept-Encoding). A 401 still needs its
/// WWW-Authenticate challenge from the caller.
pub fn rejection_response(req: &Request, rejection: &Rejection, to_tag: &str) -> Response {
    let mut resp = Response::for_request(req, rejection.status).with_to_tag(to_tag);
    for (name, value) in &rejection.headers {
        resp.head.headers.push(name.clone(), value.clone());
    }
    resp
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn uri(s: &str) -> Uri {
        Uri::parse(s).unwrap()
    }

    fn via() -> Via {
        Via::new(
            "UDP",
            Host::V4([192, 0, 2, 10].into()),
            Some(5060),
            &branch_from(7),
        )
    }

    #[test]
    fn random_tokens() {
        assert_eq!(branch_from(0), "z9hG4bKaaaaaaaaaaaaa");
        assert_eq!(tag_from(u64::MAX), "p777777777777");
        assert_eq!(tag_from(1).len(), 13);
        let host = Host::V6("2001:db8::1".parse().unwrap());
        let id = call_id_from(u128::MAX, &host);
        assert!(id.ends_with("@[2001:db8::1]") && valid_call_id(&id), "{id}");
        assert!(Via::new("UDP", host, None, &branch_from(u64::MAX)).is_rfc3261());
    }

    #[test]
    fn builds_options_and_rejects_incomplete() {
        let req = RequestBuilder::new(Method::Options, uri("sip:pbx.example.com"))
            .from(
                NameAddr::parse("<sip:voxgate@192.0.2.10>").unwrap(),
                &tag_from(3),
            )
            .call_id(call_id_from(9, &Host::Domain("gw.example".into())))
            .via(via())
            .cseq(7)
            .header(HeaderName::Accept, "application/sdp")
            .build()
            .unwrap();
        assert_eq!(req.head.to.uri, req.uri);
        assert_eq!(req.head.max_forwards, Some(70));
        let Message::Request(back) = Message::parse(&req.to_bytes()).unwrap() else {
            panic!("not a request");
        };
        assert_eq!(back, req);
        let bare = RequestBuilder::new(Method::Invite, uri("sip:a@b"));
        assert_eq!(bare.clone().build(), Err(BuildError::MissingFrom));
        let from = NameAddr::parse("<sip:x@y>").unwrap();
        let bad_tag = bare.clone().from(from.clone(), "a b").build();
        assert_eq!(bad_tag, Err(BuildError::BadTag));
        let tagged = bare.from(from, "t1").via(via());
        assert_eq!(tagged.clone().build(), Err(BuildError::MissingCallId));
        let with_id = tagged.call_id("abc@host");
        assert_eq!(with_id.clone().build(), Err(BuildError::MissingContact));
        let too_big = with_id
            .contact(NameAddr::parse("<sip:x@y>").unwrap())
            .cseq(1 << 31);
        assert_eq!(too_big.build(), Err(BuildError::CSeqTooLarge));
    }
}
