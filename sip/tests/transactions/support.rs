//! Message templates and a virtual-time driver for the transaction tests.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::{
    Message, Method, Peer, Request, Response, StatusCode, Timers, TransactionEvent,
    TransactionLayer, Transmit, Transport,
};

pub(crate) fn layer() -> TransactionLayer {
    TransactionLayer::new(Timers::default(), 0x5eed)
}

pub(crate) fn peer(transport: Transport) -> Peer {
    let addr: SocketAddr = "192.0.2.10:5060".parse().unwrap();
    Peer::new(addr, transport)
}

pub(crate) fn udp() -> Peer {
    peer(Transport::Udp)
}

pub(crate) fn tcp() -> Peer {
    peer(Transport::Tcp)
}

pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub(crate) fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

pub(crate) fn parse(text: &str) -> Message {
    let text = text.replace('\n', "\r\n");
    Message::parse(text.as_bytes()).unwrap()
}

pub(crate) fn request(text: &str) -> Request {
    match parse(text) {
        Message::Request(r) => r,
        Message::Response(r) => panic!("expected a request, got {}", r.status),
    }
}

/// A request like the ones a UAC at client.atlanta.example.com sends.
pub(crate) fn req(method: &str, branch: &str, call_id: &str, cseq: u32) -> Request {
    request(&format!(
        "{method} sip:bob@biloxi.example.com SIP/2.0\n\
         Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch={branch}\n\
         Max-Forwards: 70\n\
         Route: <sip:p1.example.com;lr>\n\
         From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\n\
         To: Bob <sip:bob@biloxi.example.com>\n\
         Call-ID: {call_id}\n\
         CSeq: {cseq} {method}\n\
         Contact: <sip:alice@client.atlanta.example.com>\n\
         Content-Length: 0\n\n"
    ))
}

pub(crate) fn invite(branch: &str) -> Request {
    req(
        "INVITE",
        branch,
        "3848276298220188511@atlanta.example.com",
        1,
    )
}

pub(crate) fn options(branch: &str) -> Request {
    req("OPTIONS", branch, "opt-1@atlanta.example.com", 1)
}

/// A response to `request` with To tag `tag`.
pub(crate) fn answer(request: &Request, code: u16, tag: &str) -> Response {
    Response::for_request(request, StatusCode::new(code).unwrap()).with_to_tag(tag)
}

/// The ACK a UAC sends for a 2xx: a new branch, the response's To tag.
pub(crate) fn ack_for_2xx(invite: &Request, ok: &Response, branch: &str) -> Request {
    let mut ack = invite.clone();
    ack.method = Method::Ack;
    ack.head.cseq.method = Method::Ack;
    ack.head.to = ok.head.to.clone();
    ack.head.via[0].params.set("branch", Some(branch));
    ack
}

/// The ACK a UAC transaction sends for a non-2xx: the INVITE's branch, the response's To.
pub(crate) fn ack_for_error(invite: &Request, error: &Response) -> Request {
    let mut ack = ack_for_2xx(invite, error, "");
    ack.head.via = invite.head.via.clone();
    ack
}

pub(crate) fn transmits(layer: &mut TransactionLayer) -> Vec<Transmit> {
    std::iter::from_fn(|| layer.poll_transmit()).collect()
}

pub(crate) fn events(layer: &mut TransactionLayer) -> Vec<TransactionEvent> {
    std::iter::from_fn(|| layer.poll_event()).collect()
}

/// What happened at one instant of a virtual-time run.
#[derive(Debug)]
pub(crate) enum Seen {
    Sent(Transmit),
    Event(TransactionEvent),
}

/// Fires every timer up to and including `t0 + until`, in deadline order, and returns what
/// came out with its offset from `t0`.
pub(crate) fn run(
    layer: &mut TransactionLayer,
    t0: Instant,
    until: Duration,
) -> Vec<(Duration, Seen)> {
    let mut out = Vec::new();
    while let Some(at) = layer.poll_timeout() {
        if at > t0 + until {
            break;
        }
        layer.handle_timeout(at);
        for t in transmits(layer) {
            out.push((at - t0, Seen::Sent(t)));
        }
        for e in events(layer) {
            out.push((at - t0, Seen::Event(e)));
        }
    }
    out
}

/// Offsets at which a message was sent during a run.
pub(crate) fn send_times(seen: &[(Duration, Seen)]) -> Vec<Duration> {
    seen.iter()
        .filter(|(_, s)| matches!(s, Seen::Sent(_)))
        .map(|(at, _)| *at)
        .collect()
}

/// Events seen during a run.
pub(crate) fn run_events(seen: &[(Duration, Seen)]) -> Vec<(Duration, &TransactionEvent)> {
    seen.iter()
        .filter_map(|(at, s)| match s {
            Seen::Event(e) => Some((*at, e)),
            Seen::Sent(_) => None,
        })
        .collect()
}

pub(crate) fn as_request(t: &Transmit) -> &Request {
    match &t.message {
        Message::Request(r) => r,
        Message::Response(r) => panic!("expected a request, sent {}", r.status),
    }
}

pub(crate) fn as_response(t: &Transmit) -> &Response {
    match &t.message {
        Message::Response(r) => r,
        Message::Request(r) => panic!("expected a response, sent {}", r.method),
    }
}

/// Offsets from 0 given in milliseconds.
pub(crate) fn offsets(list: &[u64]) -> Vec<Duration> {
    list.iter().map(|n| ms(*n)).collect()
}
