//! Fixtures for the dialog tests: realistic messages as a softphone behind a proxy sends
//! them, and helpers that parse, print and re-parse.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use sip::{
    DialogRequest, DialogState, Dialogs, HeaderName, Host, MediaType, Message, Method, NameAddr,
    Request, RequestBuilder, RequestKind, Response, StatusCode, Uri, Via, branch_from,
    call_id_from, tag_from,
};

/// Our address, as the runtime would put it in Via and Contact.
pub(crate) const OUR_IP: [u8; 4] = [192, 0, 2, 10];
/// Our Contact.
pub(crate) const OUR_CONTACT: &str = "<sip:voxgate@192.0.2.10:5060>";
/// The caller's dialog values.
pub(crate) const CALL_ID: &str = "7f3a9e2d6a1b4c5f@203.0.113.5";
pub(crate) const CALLER_TAG: &str = "b1f5a2c9";
pub(crate) const CALLER_CONTACT: &str = "sip:alice-0x55d3@203.0.113.5:5060;transport=udp";

/// Our To tag for the UAS call.
pub(crate) fn our_tag() -> String {
    tag_from(0x5eed_0001)
}

/// A Via for a request we send, with a branch made from `n`.
pub(crate) fn via(n: u64) -> Via {
    Via::new("UDP", Host::V4(OUR_IP.into()), Some(5060), &branch_from(n))
}

/// Parses a request, replacing `\n` by CRLF and filling Content-Length.
pub(crate) fn request(text: &str) -> Request {
    match Message::parse(&wire(text)).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => panic!("expected a request"),
    }
}

/// Parses a response like [`request`].
pub(crate) fn response(text: &str) -> Response {
    match Message::parse(&wire(text)).unwrap() {
        Message::Response(r) => r,
        Message::Request(_) => panic!("expected a response"),
    }
}

/// Headers and body separated by a blank line; Content-Length computed from the body.
fn wire(text: &str) -> Vec<u8> {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let head = head.trim_start().replace('\n', "\r\n");
    let body = body.replace('\n', "\r\n");
    format!("{head}\r\nContent-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Prints a request and parses it back: the two must be equal.
pub(crate) fn rt_req(req: &Request) -> Request {
    let back = Message::parse(&req.to_bytes()).unwrap();
    assert_eq!(
        back,
        Message::Request(req.clone()),
        "{}",
        String::from_utf8_lossy(&req.to_bytes())
    );
    req.clone()
}

/// Prints a response and parses it back: the two must be equal.
pub(crate) fn rt_resp(resp: &Response) -> Response {
    let back = Message::parse(&resp.to_bytes()).unwrap();
    assert_eq!(
        back,
        Message::Response(resp.clone()),
        "{}",
        String::from_utf8_lossy(&resp.to_bytes())
    );
    resp.clone()
}

/// SDP with a direction attribute (`sendrecv`, `sendonly`, `inactive`).
pub(crate) fn sdp(ip: &str, version: u32, direction: &str) -> String {
    format!(
        "v=0\no=- 1723467215 {version} IN IP4 {ip}\ns=-\nc=IN IP4 {ip}\nt=0 0\n\
         m=audio 10350 RTP/AVP 0 8 101\na=rtpmap:0 PCMU/8000\na=rtpmap:8 PCMA/8000\n\
         a=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\na={direction}\n"
    )
}

/// The INVITE a baresip softphone sends to voxgate's support number, after two proxies
/// (both record-routing; the nearest to us is on top).
pub(crate) fn caller_invite() -> Request {
    request(&format!(
        "INVITE sip:support@192.0.2.10:5060 SIP/2.0
Record-Route: <sip:198.51.100.7;lr;ftag=b1f5a2c9;did=a4e.1f1>
Record-Route: <sip:198.51.100.2;transport=udp;lr>
Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK4b43.8c2e9b84.0
Via: SIP/2.0/UDP 198.51.100.2;branch=z9hG4bK91ad.53e2.0;i=4a1
Via: SIP/2.0/UDP 203.0.113.5:5060;received=203.0.113.5;rport=5060;branch=z9hG4bK7a1c4f8e09d1c5fc
Max-Forwards: 68
To: <sip:support@voxgate.example>
From: \"Alice\" <sip:alice@example.org>;tag={CALLER_TAG}
Call-ID: {CALL_ID}
CSeq: 21398 INVITE
Contact: <{CALLER_CONTACT}>
User-Agent: baresip v3.10.1 (x86_64/linux)
Allow: INVITE,ACK,BYE,CANCEL,OPTIONS,NOTIFY,SUBSCRIBE,INFO,MESSAGE,UPDATE,REFER
Supported: replaces,norefersub
Content-Type: application/sdp

{}",
        sdp("203.0.113.5", 1723467215, "sendrecv")
    ))
}

/// A request from the caller inside the UAS dialog, through the proxies.
pub(crate) fn from_caller(
    method: &str,
    cseq: u32,
    to_tag: &str,
    extra: &str,
    body: &str,
) -> Request {
    let sep = if extra.is_empty() { "" } else { "\n" };
    request(&format!(
        "{method} {CALLER_CONTACT_BACK} SIP/2.0
Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK4b43.{method}{cseq}.0
Via: SIP/2.0/UDP 203.0.113.5:5060;received=203.0.113.5;rport=5060;branch=z9hG4bK{method}{cseq}x
Max-Forwards: 69
To: <sip:support@voxgate.example>;tag={to_tag}
From: \"Alice\" <sip:alice@example.org>;tag={CALLER_TAG}
Call-ID: {CALL_ID}
CSeq: {cseq} {method}{sep}{extra}

{body}"
    ))
}

/// The Request-URI of the caller's in-dialog requests: our Contact.
const CALLER_CONTACT_BACK: &str = "sip:voxgate@192.0.2.10:5060";

/// Answers the caller's INVITE with 180 and 200 (our tag, our Contact, SDP in the 200).
pub(crate) fn answer(dialogs: &mut Dialogs, invite: &Request) -> DialogRequest {
    let tag = our_tag();
    let ringing = Response::for_request(invite, StatusCode::RINGING)
        .with_to_tag(&tag)
        .with_header(HeaderName::Contact, OUR_CONTACT);
    let id = dialogs
        .on_response_sent(invite, &rt_resp(&ringing))
        .unwrap()
        .unwrap();
    assert_eq!(dialogs.get(&id).unwrap().state(), DialogState::Early);
    let ok = Response::for_request(invite, StatusCode::OK)
        .with_to_tag(&tag)
        .with_header(HeaderName::Contact, OUR_CONTACT)
        .with_body(
            &MediaType::sdp(),
            sdp("192.0.2.10", 1, "sendrecv").into_bytes(),
        );
    assert_eq!(
        dialogs.on_response_sent(invite, &rt_resp(&ok)).unwrap(),
        Some(id.clone())
    );
    let dialog = dialogs.get(&id).unwrap();
    assert_eq!(dialog.state(), DialogState::Confirmed);
    assert!(!dialog.received_invite_pending());
    let ack = from_caller("ACK", 21398, &tag, "", "");
    let matched = dialogs.handle_request(&ack).unwrap();
    assert_eq!(matched.kind, RequestKind::Ack);
    matched
}

/// The agent's phone, through two proxies (p1 nearest to us), answering our INVITE.
pub(crate) fn agent_response(
    invite: &Request,
    status: StatusCode,
    tag: &str,
    record_route: &str,
) -> Response {
    let resp = Response::for_request(invite, status)
        .with_to_tag(tag)
        .with_header(
            HeaderName::Contact,
            "<sip:agent1@10.1.2.3:5062;transport=udp>",
        )
        .with_header(HeaderName::RecordRoute, record_route)
        .with_header(HeaderName::UserAgent, "Yealink SIP-T54W 96.86.0.100");
    let resp = if status.is_success() {
        resp.with_body(
            &MediaType::sdp(),
            sdp("10.1.2.3", 1, "sendrecv").into_bytes(),
        )
    } else {
        resp
    };
    rt_resp(&resp)
}

/// Our INVITE to agent 1's phone.
pub(crate) fn agent_invite() -> Request {
    let invite = RequestBuilder::new(
        Method::Invite,
        Uri::parse("sip:agent1@pbx.example").unwrap(),
    )
    .from(
        NameAddr::parse("\"Voxgate\" <sip:voxgate@gw.example>").unwrap(),
        &tag_from(42),
    )
    .to(NameAddr::parse("<sip:agent1@pbx.example>").unwrap())
    .call_id(call_id_from(0xfeed, &Host::Domain("gw.example".into())))
    .cseq(101)
    .via(via(10))
    .contact(NameAddr::parse(OUR_CONTACT).unwrap())
    .route(NameAddr::parse("<sip:p1.example.net;lr>").unwrap())
    .header(
        HeaderName::Allow,
        "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY",
    )
    .body(
        &MediaType::sdp(),
        sdp("192.0.2.10", 1, "sendrecv").into_bytes(),
    )
    .build()
    .unwrap();
    rt_req(&invite)
}

pub(crate) const LOOSE_RR: &str = "<sip:p2.example.net;lr>, <sip:p1.example.net;lr>";
