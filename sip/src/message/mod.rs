//! SIP messages (RFC 3261 §7): requests and responses with typed core headers
//! (Via, From, To, Call-ID, CSeq, Max-Forwards), the remaining header fields in order, and
//! a body. Parsing lives in `parse`, printing in `print`, stream framing in `framing`,
//! size and count limits in `limits`.

mod error;
mod framing;
#[cfg(test)]
mod framing_tests;
mod limits;
mod parse;
mod print;
mod start_line;
mod values;

pub use error::{LimitedField, ParseError, ParseErrorKind};
pub use framing::{StreamDecoder, StreamItem};
pub use limits::Limits;

use crate::headers::{CSeq, Contact, HeaderError, HeaderName, Headers, MediaType, NameAddr, Via};
use crate::method::Method;
use crate::status::StatusCode;
use crate::uri::Uri;

/// The header fields every request and response carries, typed, plus the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Via values, topmost first.
    pub via: Vec<Via>,
    /// From.
    pub from: NameAddr,
    /// To.
    pub to: NameAddr,
    /// Call-ID.
    pub call_id: String,
    /// CSeq.
    pub cseq: CSeq,
    /// Max-Forwards (absent in RFC 2543 requests and in most responses).
    pub max_forwards: Option<u8>,
    /// Every other header field, in order. Content-Length is not kept: it is derived from
    /// the body when printing.
    pub headers: Headers,
}

impl Head {
    /// Contact values (all Contact fields, lists flattened).
    pub fn contacts(&self) -> Result<Vec<Contact>, HeaderError> {
        let mut out = Vec::new();
        for v in self.headers.get_all(&HeaderName::Contact) {
            out.extend(Contact::parse_list(v)?);
        }
        Ok(out)
    }

    /// The first Contact address, if any.
    pub fn contact(&self) -> Option<NameAddr> {
        self.contacts().ok()?.into_iter().find_map(|c| match c {
            Contact::Addr(a) => Some(a),
            Contact::Star => None,
        })
    }

    /// Addresses of every field named `name` (Route, Record-Route), lists flattened.
    pub fn addresses(&self, name: &HeaderName) -> Result<Vec<NameAddr>, HeaderError> {
        let mut out = Vec::new();
        for v in self.headers.get_all(name) {
            out.extend(NameAddr::parse_list(v)?);
        }
        Ok(out)
    }

    /// Content-Type, when present and valid.
    pub fn content_type(&self) -> Option<MediaType> {
        MediaType::parse(self.headers.get(&HeaderName::ContentType)?).ok()
    }

    /// Tokens of every field named `name` (Require, Supported, Allow…), lists flattened;
    /// invalid fields are skipped (the parser has already rejected them).
    pub fn tokens(&self, name: &HeaderName) -> Vec<String> {
        self.headers
            .get_all(name)
            .filter_map(|v| crate::headers::parse_token_list(v).ok())
            .flatten()
            .collect()
    }

    /// The topmost Via.
    pub fn top_via(&self) -> Option<&Via> {
        self.via.first()
    }
}

/// A request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The Request-URI.
    pub uri: Uri,
    /// Header fields.
    pub head: Head,
    /// The body (bytes; may be binary).
    pub body: Vec<u8>,
}

/// A response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// The reason phrase (may be empty, may be UTF-8).
    pub reason: String,
    /// Header fields.
    pub head: Head,
    /// The body.
    pub body: Vec<u8>,
}

/// A request or a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A response.
    Response(Response),
}

impl Message {
    /// Parses one message from a datagram (RFC 3261 §18.3: Content-Length is optional; bytes
    /// after the body it announces are ignored).
    pub fn parse(datagram: &[u8]) -> Result<Message, ParseError> {
        parse::parse_datagram(datagram, &Limits::default())
    }

    /// Parses with explicit size limits.
    pub fn parse_with(datagram: &[u8], limits: &Limits) -> Result<Message, ParseError> {
        parse::parse_datagram(datagram, limits)
    }

    /// The header fields.
    pub fn head(&self) -> &Head {
        match self {
            Message::Request(r) => &r.head,
            Message::Response(r) => &r.head,
        }
    }

    /// Prints the message in wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }
}

impl Response {
    /// A response to `req` (RFC 3261 §8.2.6): copies Via, From, To, Call-ID and CSeq;
    /// no body. The caller adds a To tag where one is needed ([`Response::with_to_tag`]).
    pub fn for_request(req: &Request, status: StatusCode) -> Response {
        let mut headers = Headers::new();
        // Record-Route is echoed in responses that can create a dialog (§12.1.1).
        if matches!(
            req.method,
            Method::Invite | Method::Subscribe | Method::Refer
        ) {
            for rr in req.head.headers.get_all(&HeaderName::RecordRoute) {
                headers.push(HeaderName::RecordRoute, rr);
            }
        }
        Response {
            status,
            reason: status.reason().to_owned(),
            head: Head {
                via: req.head.via.clone(),
                from: req.head.from.clone(),
                to: req.head.to.clone(),
                call_id: req.head.call_id.clone(),
                cseq: req.head.cseq.clone(),
                max_forwards: None,
                headers,
            },
            body: Vec::new(),
        }
    }

    /// Adds a To tag when the request had none.
    pub fn with_to_tag(mut self, tag: &str) -> Response {
        if self.head.to.tag().is_none() {
            self.head.to.set_tag(tag);
        }
        self
    }

    /// Adds a header field.
    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Response {
        self.head.headers.push(name, value);
        self
    }

    /// Sets the body and its Content-Type.
    pub fn with_body(mut self, content_type: &MediaType, body: Vec<u8>) -> Response {
        self.head
            .headers
            .set(HeaderName::ContentType, content_type.to_string());
        self.body = body;
        self
    }
}

impl Request {
    /// Sets the body and its Content-Type.
    pub fn with_body(mut self, content_type: &MediaType, body: Vec<u8>) -> Request {
        self.head
            .headers
            .set(HeaderName::ContentType, content_type.to_string());
        self.body = body;
        self
    }
}

impl From<Request> for Message {
    fn from(r: Request) -> Self {
        Message::Request(r)
    }
}

impl From<Response> for Message {
    fn from(r: Response) -> Self {
        Message::Response(r)
    }
}
