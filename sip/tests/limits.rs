//! Length and count limits on peer input (`Limits`): each field at its limit parses, one
//! byte or one item over it is a `ParseError` naming the field, answered 400 (513 for an
//! SDP body), on datagrams and streams alike; nothing is truncated and nothing panics.
#![allow(clippy::unwrap_used)]

use sip::{
    HeaderName, LimitedField, Limits, Message, ParseError, ParseErrorKind, StreamDecoder,
    StreamItem,
};

/// An INVITE with the given Request-URI, Call-ID, From tag, branch, extra Via lines and
/// extra header lines, and an `application/sdp` body of `sdp_len` bytes.
struct Spec {
    ruri: String,
    call_id: String,
    tag: String,
    branch: String,
    extra_vias: usize,
    extra: String,
    sdp_len: usize,
}

impl Default for Spec {
    fn default() -> Self {
        Self {
            ruri: "sip:bob@example.com".into(),
            call_id: "a84b4c76e66710@pc33.example.com".into(),
            tag: "1928301774".into(),
            branch: "z9hG4bK776asdhds".into(),
            extra_vias: 0,
            extra: String::new(),
            sdp_len: 0,
        }
    }
}

impl Spec {
    fn bytes(&self) -> Vec<u8> {
        let vias: String = (0..self.extra_vias)
            .map(|i| format!("Via: SIP/2.0/TCP proxy{i}.example.com;branch=z9hG4bK{i}\r\n"))
            .collect();
        let mut m = format!(
            "INVITE {} SIP/2.0\r\n\
             Via: SIP/2.0/TCP pc33.example.com;branch={}\r\n\
             {vias}\
             Max-Forwards: 70\r\n\
             From: <sip:alice@example.com>;tag={}\r\n\
             To: <sip:bob@example.com>\r\n\
             Call-ID: {}\r\n\
             CSeq: 314159 INVITE\r\n\
             {}\
             Content-Type: application/sdp\r\n\
             Content-Length: {}\r\n\r\n",
            self.ruri, self.branch, self.tag, self.call_id, self.extra, self.sdp_len
        )
        .into_bytes();
        m.extend(std::iter::repeat_n(b'v', self.sdp_len));
        m
    }
}

/// Parses as a datagram and from a stream (pushed in 7-byte pieces); both must agree.
fn parse_both(bytes: &[u8]) -> Result<Message, ParseError> {
    let datagram = Message::parse(bytes);
    let mut d = StreamDecoder::default();
    let mut items = Vec::new();
    for chunk in bytes.chunks(7) {
        d.push(chunk);
        while let Some(item) = d.next() {
            items.push(item);
        }
    }
    let stream = match items.pop() {
        Some(Ok(StreamItem::Message(m))) => Ok(*m),
        Some(Err(e)) => Err(e),
        other => panic!("stream gave {other:?}"),
    };
    assert!(items.is_empty());
    assert_eq!(stream, datagram);
    datagram
}

/// Asserts the message is refused for `field` over `limit`, with `status`, and that the
/// stateless answer names the field in its reason phrase.
fn assert_refused(spec: &Spec, field: LimitedField, limit: usize, status: u16) {
    let e = parse_both(&spec.bytes()).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Exceeds { field, limit }, "{e}");
    assert_eq!(e.status().map(|s| s.code()), Some(status));
    let answer = String::from_utf8(e.error_response().unwrap()).unwrap();
    let status_line = answer.lines().next().unwrap();
    assert!(status_line.starts_with(&format!("SIP/2.0 {status} ")));
    assert!(
        status_line.contains(&format!("{field} over the limit of {limit}")),
        "{status_line}"
    );
    // The answer goes back along the Via with the request's Call-ID, untruncated (so
    // reading it back needs limits as loose as the request's fields are long).
    let loose = Limits {
        max_call_id: usize::MAX,
        max_tag: usize::MAX,
        max_branch: usize::MAX,
        max_vias: usize::MAX,
        max_params: usize::MAX,
        ..Limits::default()
    };
    let Message::Response(r) = Message::parse_with(answer.as_bytes(), &loose).unwrap() else {
        panic!("not a response");
    };
    assert_eq!(r.head.call_id, spec.call_id);
}

fn accepted(spec: &Spec) -> Message {
    parse_both(&spec.bytes()).unwrap_or_else(|e| panic!("refused: {e}"))
}

#[test]
fn call_id_length() {
    let limit = Limits::default().max_call_id;
    let at = Spec {
        call_id: format!("{}@h", "c".repeat(limit - 2)),
        ..Spec::default()
    };
    assert_eq!(accepted(&at).head().call_id.len(), limit);
    let over = Spec {
        call_id: format!("{}@h", "c".repeat(limit - 1)),
        ..Spec::default()
    };
    assert_refused(&over, LimitedField::CallId, limit, 400);
}

#[test]
fn tag_and_branch_length() {
    let d = Limits::default();
    accepted(&Spec {
        tag: "t".repeat(d.max_tag),
        branch: format!("z9hG4bK{}", "b".repeat(d.max_branch - 7)),
        ..Spec::default()
    });
    let tag = Spec {
        tag: "t".repeat(d.max_tag + 1),
        ..Spec::default()
    };
    assert_refused(&tag, LimitedField::Tag, d.max_tag, 400);
    let branch = Spec {
        branch: format!("z9hG4bK{}", "b".repeat(d.max_branch - 6)),
        ..Spec::default()
    };
    assert_refused(&branch, LimitedField::Branch, d.max_branch, 400);
}

#[test]
fn request_uri_length() {
    let limit = Limits::default().max_request_uri;
    let user = |n: usize| format!("sip:{}@example.com", "u".repeat(n));
    let base = user(0).len();
    accepted(&Spec {
        ruri: user(limit - base),
        ..Spec::default()
    });
    let over = Spec {
        ruri: user(limit - base + 1),
        ..Spec::default()
    };
    assert_refused(&over, LimitedField::RequestUri, limit, 400);
}

#[test]
fn header_value_length() {
    let limit = Limits::default().max_header_value;
    accepted(&Spec {
        extra: format!("Subject: {}\r\n", "s".repeat(limit)),
        ..Spec::default()
    });
    // A value made long by folding counts as a whole.
    let half = "s".repeat(limit / 2);
    let over = Spec {
        extra: format!("Subject: {half}\r\n {half}\r\n"),
        ..Spec::default()
    };
    assert_refused(&over, LimitedField::HeaderValue, limit, 400);
    let e = parse_both(&over.bytes()).unwrap_err();
    assert_eq!(e.header, Some(HeaderName::Subject));
}

#[test]
fn via_count() {
    let limit = Limits::default().max_vias;
    let at = Spec {
        extra_vias: limit - 1,
        ..Spec::default()
    };
    assert_eq!(accepted(&at).head().via.len(), limit);
    let over = Spec {
        extra_vias: limit,
        ..Spec::default()
    };
    assert_refused(&over, LimitedField::Vias, limit, 400);
}

#[test]
fn parameter_count() {
    let limit = Limits::default().max_params;
    let params = |n: usize| (0..n).map(|i| format!(";p{i}=v")).collect::<String>();
    accepted(&Spec {
        ruri: format!("sip:bob@example.com{}", params(limit)),
        ..Spec::default()
    });
    let ruri = Spec {
        ruri: format!("sip:bob@example.com{}", params(limit + 1)),
        ..Spec::default()
    };
    assert_refused(&ruri, LimitedField::Params, limit, 400);
    let tag = Spec {
        tag: format!("t{}", params(limit)),
        ..Spec::default()
    };
    assert_refused(&tag, LimitedField::Params, limit, 400);
    let branch = Spec {
        branch: format!("z9hG4bK1{}", params(limit)),
        ..Spec::default()
    };
    assert_refused(&branch, LimitedField::Params, limit, 400);
    // Addresses kept as raw header values count too: a Contact URI, a Route.
    accepted(&Spec {
        extra: format!("Contact: <sip:a@192.0.2.1{}>\r\n", params(limit)),
        ..Spec::default()
    });
    for name in ["Contact", "Route", "Record-Route", "Refer-To"] {
        let over = Spec {
            extra: format!("{name}: <sip:a@192.0.2.1{}>\r\n", params(limit + 1)),
            ..Spec::default()
        };
        assert_refused(&over, LimitedField::Params, limit, 400);
    }
    let second = Spec {
        extra: format!("Contact: <sip:a@h>, <sip:b@h>;x{}\r\n", params(limit)),
        ..Spec::default()
    };
    assert_refused(&second, LimitedField::Params, limit, 400);
}

#[test]
fn sdp_body_size() {
    let limit = Limits::default().max_sdp_body;
    let at = Spec {
        sdp_len: limit,
        ..Spec::default()
    };
    let Message::Request(r) = accepted(&at) else {
        panic!("not a request");
    };
    assert_eq!(r.body.len(), limit);
    let over = Spec {
        sdp_len: limit + 1,
        ..Spec::default()
    };
    assert_refused(&over, LimitedField::SdpBody, limit, 513);
}

/// On a stream, an SDP body over the limit is refused once the header section is in,
/// before the body is sent.
#[test]
fn stream_refuses_big_sdp_before_its_body() {
    let spec = Spec {
        sdp_len: 100_000,
        ..Spec::default()
    };
    let bytes = spec.bytes();
    let head_len = bytes.len() - spec.sdp_len;
    let mut d = StreamDecoder::default();
    d.push(&bytes[..head_len]);
    let e = d.next().unwrap().unwrap_err();
    assert!(matches!(
        e.kind,
        ParseErrorKind::Exceeds {
            field: LimitedField::SdpBody,
            ..
        }
    ));
}

/// The limits are settings: raising one lets the field through, lowering refuses it.
#[test]
fn limits_are_configurable() {
    let spec = Spec {
        call_id: "c".repeat(300),
        ..Spec::default()
    };
    let loose = Limits {
        max_call_id: 300,
        ..Limits::default()
    };
    assert!(Message::parse_with(&spec.bytes(), &loose).is_ok());
    let tight = Limits {
        max_call_id: 8,
        ..Limits::default()
    };
    let e = Message::parse_with(&Spec::default().bytes(), &tight).unwrap_err();
    assert_eq!(
        e.kind,
        ParseErrorKind::Exceeds {
            field: LimitedField::CallId,
            limit: 8
        }
    );
}

/// Thousands of header lines and a long run of single-valued extension headers parse in
/// one pass (the duplicate check does not search the header list per field), and a
/// duplicate at the very end is still caught.
#[test]
fn many_headers_and_duplicates() {
    let limits = Limits {
        max_headers: 10_000,
        max_head: 1 << 20,
        ..Limits::default()
    };
    let many: String = (0..5000).map(|i| format!("X-N{i}: {i}\r\n")).collect();
    let spec = Spec {
        extra: format!("Expires: 60\r\nEvent: foo\r\n{many}"),
        ..Spec::default()
    };
    let m = Message::parse_with(&spec.bytes(), &limits).unwrap();
    assert_eq!(m.head().headers.len(), 5003);
    let dup = Spec {
        extra: format!("Expires: 60\r\n{many}Expires: 61\r\n"),
        ..Spec::default()
    };
    let e = Message::parse_with(&dup.bytes(), &limits).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Duplicate);
    assert_eq!(e.header, Some(HeaderName::Expires));
}

/// The reason phrase names a peer's extension header only when its name is short, so a
/// long name is not reflected back.
#[test]
fn long_header_names_are_not_echoed() {
    let limit = Limits::default().max_header_value;
    let name = format!("X-{}", "n".repeat(100));
    let spec = Spec {
        extra: format!("{name}: {}\r\n", "v".repeat(limit + 1)),
        ..Spec::default()
    };
    let e = Message::parse(&spec.bytes()).unwrap_err();
    let answer = String::from_utf8(e.error_response().unwrap()).unwrap();
    let status_line = answer.lines().next().unwrap();
    assert_eq!(
        status_line,
        format!("SIP/2.0 400 Bad Request (header value length over the limit of {limit})")
    );
    let short = Spec {
        extra: format!("X-Short: {}\r\n", "v".repeat(limit + 1)),
        ..Spec::default()
    };
    let e = Message::parse(&short.bytes()).unwrap_err();
    let answer = String::from_utf8(e.error_response().unwrap()).unwrap();
    assert!(answer.starts_with("SIP/2.0 400 Bad Request (X-Short: header value length"));
}
