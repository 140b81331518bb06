//! Internal bookkeeping: every index entry goes when its transaction does.

use std::time::{Duration, Instant};

use super::TransactionLayer;
use crate::message::{Message, Request};
use crate::status::StatusCode;
use crate::transaction::TransactionEvent;
use crate::transaction::timer::Timers;
use crate::transport::{Peer, Transport};

fn invite(branch: &str, call_id: &str) -> Option<Request> {
    let text = format!(
        "INVITE sip:bob@example.com SIP/2.0\r\n\
         Via: SIP/2.0/UDP a.example.com;branch={branch}\r\n\
         From: <sip:alice@example.com>;tag=1\r\n\
         To: <sip:bob@example.com>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 INVITE\r\n\r\n"
    );
    match Message::parse(text.as_bytes()) {
        Ok(Message::Request(r)) => Some(r),
        _ => None,
    }
}

fn assert_consistent(l: &TransactionLayer) {
    assert_eq!(l.keys.len(), l.transactions.len());
    for (key, entry) in &l.transactions {
        let id = entry.machine.common().id;
        assert_eq!(l.keys.get(&id), Some(key));
        assert_eq!(entry.deadline, entry.machine.common().timers.next());
    }
    let with_deadline = l.transactions.values().filter(|e| e.deadline.is_some());
    assert_eq!(l.deadlines.len(), with_deadline.count());
    assert!(l.merged.values().all(|id| l.keys.contains_key(id)));
    assert!(l.acks.values().all(|id| l.keys.contains_key(id)));
}

#[test]
fn indexes_empty_out_with_the_transactions() {
    let mut l = TransactionLayer::new(Timers::default(), 7);
    let t0 = Instant::now();
    let peer = Peer::new(([192, 0, 2, 1], 5060).into(), Transport::Udp);
    for (i, branch) in ["z9hG4bK-1", "z9hG4bK-2", "z9hG4bK-3"].iter().enumerate() {
        let Some(inv) = invite(branch, &format!("call-{i}")) else {
            panic!("template does not parse");
        };
        l.handle_request(t0, inv, peer);
    }
    let ids: Vec<_> = std::iter::from_fn(|| l.poll_event())
        .filter_map(|e| match e {
            TransactionEvent::Request { id, request, .. } => Some((id, request)),
            _ => None,
        })
        .collect();
    assert_eq!((ids.len(), l.merged.len()), (3, 3));
    for (n, (id, request)) in ids.iter().enumerate() {
        let status = [StatusCode::OK, StatusCode::BUSY_HERE, StatusCode::RINGING][n];
        let response = crate::message::Response::for_request(request, status).with_to_tag("t");
        assert!(l.respond(t0, *id, response).is_ok());
        assert_consistent(&l);
    }
    assert_eq!(l.acks.len(), 1);
    // The one left Proceeding after its 180 ends once answered.
    let (last, request) = &ids[2];
    let busy = crate::message::Response::for_request(request, StatusCode::BUSY_HERE);
    assert!(l.respond(t0, *last, busy.with_to_tag("t")).is_ok());
    l.handle_timeout(t0 + Duration::from_secs(3600));
    assert_consistent(&l);
    assert!(l.is_empty() && l.merged.is_empty() && l.acks.is_empty());
    assert!(l.deadlines.is_empty());
}

#[test]
fn layer_tags_differ() {
    let mut l = TransactionLayer::new(Timers::default(), 0);
    let (a, b) = (l.make_tag(), l.make_tag());
    assert_ne!(a, b);
    assert_eq!(a.len(), 16);
    assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
}
