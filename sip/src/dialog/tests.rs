//! Unit tests for the corners of the dialog rules that the end-to-end tests do not reach.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::headers::{HeaderName, Via};
use crate::message::{Message, Request, Response};
use crate::method::Method;
use crate::status::StatusCode;
use crate::uri::Host;

fn req(text: &str) -> Request {
    let text = text.trim_start().replace('\n', "\r\n") + "\r\n";
    match Message::parse(text.as_bytes()).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => panic!("not a request"),
    }
}

fn invite(uri: &str, transport: &str, from_tag: &str) -> Request {
    req(&format!(
        "INVITE {uri} SIP/2.0
Via: SIP/2.0/{transport} 203.0.113.5:5061;branch=z9hG4bK1
From: <sip:alice@example.org>{from_tag}
To: <sip:gw@example.com>
Call-ID: c1@203.0.113.5
CSeq: 7 INVITE
Contact: <sips:alice@203.0.113.5:5061>
"
    ))
}

fn via() -> Via {
    Via::new(
        "TLS",
        Host::Domain("gw.example.com".into()),
        None,
        "z9hG4bKx",
    )
}

fn answered(invite: &Request, status: StatusCode) -> Response {
    Response::for_request(invite, status)
        .with_to_tag("g1")
        .with_header(HeaderName::Contact, "<sips:gw@192.0.2.10:5061>")
}

#[test]
fn secure_only_over_tls_with_sips() {
    let tls = invite("sips:gw@example.com", "TLS", ";tag=a");
    assert!(
        Dialog::uas(&tls, &answered(&tls, StatusCode::OK))
            .unwrap()
            .is_secure()
    );
    let udp = invite("sips:gw@example.com", "UDP", ";tag=a");
    assert!(
        !Dialog::uas(&udp, &answered(&udp, StatusCode::OK))
            .unwrap()
            .is_secure()
    );
    let sip = invite("sip:gw@example.com", "TLS", ";tag=a");
    assert!(
        !Dialog::uac(&sip, &answered(&sip, StatusCode::OK))
            .unwrap()
            .is_secure()
    );
}

#[test]
fn local_misuse_is_refused() {
    let inv = invite("sip:gw@example.com", "UDP", ";tag=a");
    let mut d = Dialog::uas(&inv, &answered(&inv, StatusCode::OK)).unwrap();
    assert_eq!(
        d.request(Method::Cancel, via()),
        Err(DialogError::NotAllowed(Method::Cancel))
    );
    // The UAS has sent no INVITE: there is nothing to ACK.
    assert_eq!(
        d.request(Method::Ack, via()),
        Err(DialogError::NotAllowed(Method::Ack))
    );
    d.local_seq = Some((1 << 31) - 1);
    assert_eq!(
        d.request(Method::Info, via()),
        Err(DialogError::CSeqExhausted)
    );
    assert_eq!(d.local_seq(), Some((1 << 31) - 1));
    assert_eq!(
        DialogError::CSeqExhausted.status(),
        StatusCode::SERVER_INTERNAL_ERROR
    );
}

#[test]
fn rfc2543_peer_without_from_tag() {
    let inv = invite("sip:gw@example.com", "UDP", "");
    let mut d = Dialog::uas(&inv, &answered(&inv, StatusCode::OK)).unwrap();
    assert_eq!(d.id().remote_tag, "");
    let bye = d.bye(via()).unwrap();
    assert_eq!(bye.head.to.tag(), None);
    assert_eq!(bye.head.from.tag(), Some("g1"));
}

#[test]
fn missing_contacts() {
    let mut inv = invite("sip:gw@example.com", "UDP", ";tag=a");
    let no_contact = Response::for_request(&inv, StatusCode::OK).with_to_tag("g1");
    assert_eq!(
        Dialog::uas(&inv, &no_contact),
        Err(DialogError::MissingContact)
    );
    assert_eq!(
        Dialog::uac(&inv, &no_contact),
        Err(DialogError::MissingContact)
    );
    // A 180 without Contact leaves the Request-URI as the remote target.
    let ringing = Response::for_request(&inv, StatusCode::RINGING).with_to_tag("g1");
    let d = Dialog::uac(&inv, &ringing).unwrap();
    assert_eq!(d.remote_target(), &inv.uri);
    inv.head.headers.remove(&HeaderName::Contact);
    assert_eq!(
        Dialog::uas(&inv, &answered(&inv, StatusCode::OK)),
        Err(DialogError::MissingContact)
    );
    let trying = Response::for_request(&inv, StatusCode::TRYING).with_to_tag("g1");
    assert_eq!(Dialog::uac(&inv, &trying), Err(DialogError::CannotCreate));
}

#[test]
fn timeouts_and_481_end_the_dialog() {
    for status in [StatusCode::REQUEST_TIMEOUT, StatusCode::CALL_DOES_NOT_EXIST] {
        let inv = invite("sip:gw@example.com", "UDP", ";tag=a");
        let mut d = Dialog::uac(&inv, &answered(&inv, StatusCode::OK)).unwrap();
        let info = d.request(Method::Info, via()).unwrap();
        let mut other = Response::for_request(&info, status);
        other.head.to.set_tag("other");
        assert_eq!(d.handle_response(&other), Err(DialogError::NoDialog));
        let declined = Response::for_request(&info, StatusCode::NOT_ACCEPTABLE_HERE);
        d.handle_response(&declined).unwrap();
        assert_eq!(d.state(), DialogState::Confirmed);
        d.handle_response(&Response::for_request(&info, status))
            .unwrap();
        assert_eq!(d.state(), DialogState::Terminated);
    }
}

#[test]
fn early_uac_dialog_recomputes_route_set_on_2xx() {
    let inv = invite("sip:gw@example.com", "UDP", ";tag=a");
    let ringing =
        answered(&inv, StatusCode::RINGING).with_header(HeaderName::RecordRoute, "<sip:old;lr>");
    let mut d = Dialog::uac(&inv, &ringing).unwrap();
    assert_eq!(d.route_set().len(), 1);
    let ok = Response::for_request(&inv, StatusCode::OK)
        .with_to_tag("g1")
        .with_header(HeaderName::Contact, "<sip:gw@192.0.2.99>")
        .with_header(HeaderName::RecordRoute, "<sip:b;lr>, <sip:a;lr>");
    d.handle_response(&ok).unwrap();
    assert_eq!(d.state(), DialogState::Confirmed);
    let routes: Vec<String> = d.route_set().iter().map(ToString::to_string).collect();
    assert_eq!(routes, ["<sip:a;lr>", "<sip:b;lr>"]);
    assert_eq!(d.remote_target().to_string(), "sip:gw@192.0.2.99");
}

#[test]
fn update_refreshes_targets_both_ways() {
    let inv = invite("sip:gw@example.com", "UDP", ";tag=a");
    let mut d = Dialog::uas(&inv, &answered(&inv, StatusCode::OK)).unwrap();
    let mut update = inv.clone();
    update.method = Method::Update;
    update.head.to.set_tag("g1");
    update.head.cseq = crate::headers::CSeq {
        seq: 8,
        method: Method::Update,
    };
    update
        .head
        .headers
        .set(HeaderName::Contact, "<sip:alice@203.0.113.77>");
    assert_eq!(d.handle_request(&update).unwrap().kind, RequestKind::Other);
    assert_eq!(d.remote_target().to_string(), "sip:alice@203.0.113.77");
    let ok = Response::for_request(&update, StatusCode::OK)
        .with_header(HeaderName::Contact, "<sip:gw@192.0.2.11>");
    d.on_response_sent(&ok).unwrap();
    assert_eq!(d.local_contact().to_string(), "<sip:gw@192.0.2.11>");
    let bye = d.bye(via()).unwrap();
    assert_eq!(bye.uri.to_string(), "sip:alice@203.0.113.77");
}
