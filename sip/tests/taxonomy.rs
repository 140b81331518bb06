//! The error taxonomy: each refusal the issue lists is produced by the layer that owns it,
//! wrapped in `UasError`, and answered with the right status and the headers that status
//! requires. (482 and 487 are answered by the transaction layer itself; see
//! tests/transactions.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sip::sdp::{LocalCaps, SessionDescription};
use sip::*;

fn request(text: &str) -> Request {
    match Message::parse(text.replace('\n', "\r\n").as_bytes()).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => panic!("request expected"),
    }
}

fn invite(extra: &str, body: &str) -> Request {
    request(&format!(
        "INVITE sip:support@voxgate.example SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKt1\n\
         Max-Forwards: 70\nFrom: <sip:caller@example.net>;tag=c1\nTo: <sip:support@voxgate.example>\n\
         Call-ID: tax1@192.0.2.7\nCSeq: 1 INVITE\nContact: <sip:caller@192.0.2.7>\n{extra}\n{body}"
    ))
}

/// The status and reparsed response `err` earns for `req`.
fn answer(err: UasError, req: &Request) -> Response {
    let resp = err.response(req, "vg1", 7).expect("answered");
    let Message::Response(r) = Message::parse(&resp.to_bytes()).unwrap() else {
        panic!()
    };
    assert_eq!(r.head.to.tag(), Some(req.head.to.tag().unwrap_or("vg1")));
    assert_eq!(r.head.call_id, req.head.call_id);
    r
}

const SDP_G729: &str = "v=0\no=- 1 1 IN IP4 192.0.2.7\ns=-\nc=IN IP4 192.0.2.7\nt=0 0\nm=audio 4000 RTP/AVP 18\na=rtpmap:18 G729/8000\n";

#[test]
fn parse_failures_are_400_or_505() {
    let bad = b"INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: 1\r\nCSeq: 99999999999 INVITE\r\n\r\n";
    let e = UasError::from(Message::parse(bad).unwrap_err());
    assert_eq!(e.status(), Some(StatusCode::BAD_REQUEST));
    let v3 = b"OPTIONS sip:a@b SIP/3.0\r\nVia: SIP/3.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: 1\r\nCSeq: 1 OPTIONS\r\n\r\n";
    let e = UasError::from(Message::parse(v3).unwrap_err());
    assert_eq!(e.status(), Some(StatusCode::VERSION_NOT_SUPPORTED));
}

#[test]
fn uas_checks_give_415_416_420_with_their_headers() {
    let policy = UasPolicy::default();
    let req = invite("Content-Type: text/plain\nContent-Length: 5\n", "hello");
    let r = answer(check_request(&req, &policy).unwrap_err().into(), &req);
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        r.head.headers.get(&HeaderName::Accept),
        Some("application/sdp")
    );

    let req = invite("Require: 100rel, foo\nContent-Length: 0\n", "");
    let r = answer(check_request(&req, &policy).unwrap_err().into(), &req);
    assert_eq!(r.status, StatusCode::BAD_EXTENSION);
    assert_eq!(
        r.head.headers.get(&HeaderName::Unsupported),
        Some("100rel, foo")
    );

    let mut req = invite("Content-Length: 0\n", "");
    req.uri = Uri::parse("mailto:support@voxgate.example").unwrap();
    let r = answer(check_request(&req, &policy).unwrap_err().into(), &req);
    assert_eq!(r.status, StatusCode::UNSUPPORTED_URI_SCHEME);
}

#[test]
fn unacceptable_and_broken_sdp_give_488_and_400() {
    let caps = LocalCaps::new("192.0.2.1", 20000, 1);
    let req = invite("Content-Type: application/sdp\n", SDP_G729);
    let offer = SessionDescription::parse(&String::from_utf8_lossy(&req.body)).unwrap();
    let err = sip::sdp::answer(&offer, &caps).unwrap_err();
    assert_eq!(
        answer(err.into(), &req).status,
        StatusCode::NOT_ACCEPTABLE_HERE
    );
    let broken = SessionDescription::parse("v=0\r\nthis is not sdp\r\n").unwrap_err();
    assert_eq!(answer(broken.into(), &req).status, StatusCode::BAD_REQUEST);
}

#[test]
fn dialog_refusals_give_481_and_491() {
    let mut dialogs = Dialogs::new();
    let bye = request(
        "BYE sip:support@voxgate.example SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKb\n\
         From: <sip:caller@example.net>;tag=c1\nTo: <sip:support@voxgate.example>;tag=gone\n\
         Call-ID: nosuch@192.0.2.7\nCSeq: 2 BYE\nContent-Length: 0\n\n",
    );
    let err = dialogs.handle_request(&bye).unwrap_err();
    assert_eq!(
        answer(err.into(), &bye).status,
        StatusCode::CALL_DOES_NOT_EXIST
    );
    let r = answer(DialogError::RequestPending.into(), &bye);
    assert_eq!(r.status, StatusCode::REQUEST_PENDING);
}

#[test]
fn gateway_refusals_carry_their_headers() {
    let req = invite("Content-Length: 0\n", "");
    assert_eq!(
        answer(UasError::TooManyHops, &req).status,
        StatusCode::TOO_MANY_HOPS
    );
    assert_eq!(answer(UasError::Busy, &req).status, StatusCode::BUSY_HERE);
    let r = answer(UasError::Overloaded { retry_after: 30 }, &req);
    assert_eq!(
        (r.status, r.head.headers.get(&HeaderName::RetryAfter)),
        (StatusCode::SERVICE_UNAVAILABLE, Some("30"))
    );
    let r = answer(
        UasError::MethodNotAllowed {
            allow: "INVITE, ACK, BYE".into(),
        },
        &req,
    );
    assert_eq!(
        r.head.headers.get(&HeaderName::Allow),
        Some("INVITE, ACK, BYE")
    );
}

#[test]
fn acks_are_never_answered() {
    let ack = request(
        "ACK sip:support@voxgate.example SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKa\n\
         From: <sip:caller@example.net>;tag=c1\nTo: <sip:support@voxgate.example>;tag=x\n\
         Call-ID: a@192.0.2.7\nCSeq: 1 ACK\nContent-Length: 0\n\n",
    );
    assert!(UasError::Busy.response(&ack, "t", 0).is_none());
}
