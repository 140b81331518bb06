//! Two complete user agents — each a `TransactionLayer` plus `Dialogs` and a small TU — call
//! each other over a simulated UDP link in virtual time: a clean call, lost INVITE/200/ACK,
//! an ACK that never arrives, BYE from either side, CANCEL before answer, and 481 for a
//! dialog that does not exist. Nothing sleeps and no socket is opened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use sip::*;

const SDP: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";

/// What the callee's TU does with a new INVITE.
#[derive(Clone, Copy, PartialEq)]
enum Callee {
    Answer,
    RingOnly,
}

struct Ua {
    addr: SocketAddr,
    txl: TransactionLayer,
    dialogs: Dialogs,
    /// Requests by the transaction that carries them (ours and the peer's).
    requests: HashMap<TransactionId, Request>,
    /// A readable log of what the TU saw.
    log: Vec<String>,
    next: u64,
    callee: Callee,
}

impl Ua {
    fn new(last_octet: u8, callee: Callee) -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::new(127, 0, 0, last_octet), 5060)),
            txl: TransactionLayer::new(Timers::default(), u64::from(last_octet)),
            dialogs: Dialogs::new(),
            requests: HashMap::new(),
            log: Vec::new(),
            next: u64::from(last_octet) << 32,
            callee,
        }
    }

    fn via(&mut self) -> Via {
        self.next += 1;
        let host = match self.addr.ip() {
            std::net::IpAddr::V4(v4) => Host::V4(v4),
            std::net::IpAddr::V6(v6) => Host::V6(v6),
        };
        Via::new("UDP", host, Some(self.addr.port()), &branch_from(self.next))
    }

    fn contact(&self) -> NameAddr {
        NameAddr::parse(&format!("<sip:ua@{}>", self.addr)).unwrap()
    }

    fn saw(&self, needle: &str) -> usize {
        self.log.iter().filter(|l| l.as_str() == needle).count()
    }
}

struct Pair {
    now: Instant,
    start: Instant,
    uas: [Ua; 2],
    /// (deliver at, to index, from address, bytes)
    wire: Vec<(Instant, usize, SocketAddr, Vec<u8>)>,
    /// Returns true to drop a message in flight.
    drop: Box<dyn FnMut(&Message) -> bool>,
}

const CALLER: usize = 0;
const CALLEE: usize = 1;

impl Pair {
    fn new(callee: Callee) -> Self {
        let now = Instant::now();
        Self {
            now,
            start: now,
            uas: [Ua::new(1, callee), Ua::new(2, callee)],
            wire: Vec::new(),
            drop: Box::new(|_| false),
        }
    }

    fn peer_of(&self, i: usize) -> Peer {
        Peer::new(self.uas[1 - i].addr, Transport::Udp)
    }

    fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// The caller sends an INVITE; returns its transaction.
    fn call(&mut self) -> TransactionId {
        let peer = self.peer_of(CALLER);
        let ua = &mut self.uas[CALLER];
        let via = ua.via();
        let invite =
            RequestBuilder::new(Method::Invite, Uri::parse("sip:support@127.0.0.2").unwrap())
                .from(
                    NameAddr::parse("<sip:caller@127.0.0.1>").unwrap(),
                    &tag_from(7),
                )
                .call_id(call_id_from(42, &Host::V4(Ipv4Addr::LOCALHOST)))
                .via(via)
                .contact(ua.contact())
                .body(&MediaType::sdp(), SDP.as_bytes().to_vec())
                .build()
                .unwrap();
        let id = ua.txl.send_request(self.now, invite.clone(), peer).unwrap();
        ua.requests.insert(id, invite);
        id
    }

    /// UA `i` sends BYE in its (only) dialog.
    fn hang_up(&mut self, i: usize) {
        let (now, peer) = (self.now, self.peer_of(i));
        let ua = &mut self.uas[i];
        let id = ua
            .dialogs
            .iter()
            .next()
            .map(|d| d.id().clone())
            .expect("a dialog");
        let via = ua.via();
        let bye = ua.dialogs.get_mut(&id).unwrap().bye(via).unwrap();
        let tid = ua.txl.send_request(now, bye.clone(), peer).unwrap();
        ua.requests.insert(tid, bye);
    }

    /// Runs until `d` of virtual time has passed (bounded in steps).
    fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        for _ in 0..100_000 {
            self.flush();
            let next = [
                self.wire.iter().map(|w| w.0).min(),
                self.uas[0].txl.poll_timeout(),
                self.uas[1].txl.poll_timeout(),
            ]
            .into_iter()
            .flatten()
            .min();
            match next {
                Some(t) if t <= until => self.now = self.now.max(t),
                _ => {
                    self.now = until;
                    return;
                }
            }
            self.deliver();
            for ua in &mut self.uas {
                ua.txl.handle_timeout(self.now);
            }
        }
        panic!("the pair did not settle");
    }

    fn deliver(&mut self) {
        let now = self.now;
        let (due, later): (Vec<_>, Vec<_>) = self.wire.drain(..).partition(|w| w.0 <= now);
        self.wire = later;
        for (_, to, from, bytes) in due {
            let peer = Peer::new(from, Transport::Udp);
            match Message::parse(&bytes).expect("what a UA sends parses") {
                Message::Request(r) => self.uas[to].txl.handle_request(now, r, peer),
                Message::Response(r) => self.uas[to].txl.handle_response(now, r, peer),
            }
        }
    }

    /// Moves transmits onto the wire and lets each TU react to its events, until quiet.
    fn flush(&mut self) {
        loop {
            let mut busy = false;
            for i in 0..2 {
                while let Some(t) = self.uas[i].txl.poll_transmit() {
                    busy = true;
                    let to = usize::from(t.peer.addr == self.uas[1].addr);
                    if !(self.drop)(&t.message) {
                        let at = self.now + Duration::from_millis(10);
                        self.wire
                            .push((at, to, self.uas[i].addr, t.message.to_bytes()));
                    }
                }
                while let Some(ev) = self.uas[i].txl.poll_event() {
                    busy = true;
                    self.react(i, ev);
                }
            }
            if !busy {
                return;
            }
        }
    }

    fn react(&mut self, i: usize, ev: TransactionEvent) {
        let (now, peer) = (self.now, self.peer_of(i));
        let ua = &mut self.uas[i];
        match ev {
            TransactionEvent::Request { id, request, .. } => {
                ua.log.push(format!("request {}", request.method));
                let responses = tu_responses(ua, &request);
                for resp in responses {
                    ua.dialogs.on_response_sent(&request, &resp).unwrap();
                    ua.txl.respond(now, id, resp).unwrap();
                }
                ua.requests.insert(id, request);
            }
            TransactionEvent::Response { id, response } => {
                let req = ua.requests.get(&id).cloned().expect("our request");
                ua.log
                    .push(format!("response {} {}", response.status, req.method));
                let dialog = ua.dialogs.handle_response(&req, &response);
                if req.method == Method::Invite && response.status.is_success() {
                    let via = ua.via();
                    let id = dialog.unwrap().expect("a 2xx to INVITE makes a dialog");
                    let ack = ua
                        .dialogs
                        .get(&id)
                        .unwrap()
                        .ack_for_2xx(&req.head.cseq, via);
                    ua.txl.send_stateless(peer, ack.into());
                }
            }
            TransactionEvent::AckReceived { .. } => ua.log.push("ack".into()),
            TransactionEvent::AckTimeout { id } => {
                ua.log.push("ack timeout".into());
                // §13.3.1.4: no ACK for our 2xx: confirm and immediately end the dialog.
                let req = ua.requests.get(&id).cloned().unwrap();
                let did = ua
                    .dialogs
                    .iter()
                    .find(|d| d.id().call_id == req.head.call_id)
                    .map(|d| d.id().clone());
                if let Some(did) = did {
                    let via = ua.via();
                    if let Ok(bye) = ua.dialogs.get_mut(&did).unwrap().bye(via) {
                        let tid = ua.txl.send_request(now, bye.clone(), peer).unwrap();
                        ua.requests.insert(tid, bye);
                    }
                }
            }
            TransactionEvent::Cancelled { .. } => ua.log.push("cancelled".into()),
            TransactionEvent::Timeout { .. } => ua.log.push("timeout".into()),
            other => ua.log.push(format!("{other:?}").chars().take(40).collect()),
        }
    }

    fn dialog_state(&self, i: usize) -> Option<DialogState> {
        self.uas[i].dialogs.iter().next().map(Dialog::state)
    }
}

/// The TU's answers to a request: ring and answer an INVITE (or only ring), 200 for
/// in-dialog requests, the taxonomy's answer for anything the dialogs refuse.
fn tu_responses(ua: &mut Ua, req: &Request) -> Vec<Response> {
    let tag = "callee-tag";
    if req.method == Method::Invite && req.head.to.tag().is_none() {
        let ringing = Response::for_request(req, StatusCode::RINGING)
            .with_to_tag(tag)
            .with_header(HeaderName::Contact, ua.contact().to_string());
        if ua.callee == Callee::RingOnly {
            return vec![ringing];
        }
        let ok = Response::for_request(req, StatusCode::OK)
            .with_to_tag(tag)
            .with_header(HeaderName::Contact, ua.contact().to_string())
            .with_body(&MediaType::sdp(), SDP.as_bytes().to_vec());
        return vec![ringing, ok];
    }
    match ua.dialogs.handle_request(req) {
        Ok(_) => vec![Response::for_request(req, StatusCode::OK)],
        Err(e) => UasError::from(e)
            .response(req, tag, 0)
            .into_iter()
            .collect(),
    }
}

fn is(m: &Message, method: Method) -> bool {
    matches!(m, Message::Request(r) if r.method == method)
}

fn is_status(m: &Message, code: u16) -> bool {
    matches!(m, Message::Response(r) if r.status.code() == code)
}

#[test]
fn clean_call_and_caller_hangs_up() {
    let mut p = Pair::new(Callee::Answer);
    p.call();
    p.run_for(Duration::from_secs(1));
    assert_eq!(p.dialog_state(CALLER), Some(DialogState::Confirmed));
    assert_eq!(p.dialog_state(CALLEE), Some(DialogState::Confirmed));
    assert_eq!(p.uas[CALLEE].saw("ack"), 1);
    p.hang_up(CALLER);
    p.run_for(Duration::from_secs(1));
    assert_eq!(p.uas[CALLER].saw("response 200 BYE"), 1);
    assert_eq!(p.dialog_state(CALLER), Some(DialogState::Terminated));
    assert_eq!(p.dialog_state(CALLEE), Some(DialogState::Terminated));
    p.run_for(Duration::from_secs(64));
    assert!(
        p.uas[CALLER].txl.is_empty() && p.uas[CALLEE].txl.is_empty(),
        "transactions left behind"
    );
}

#[test]
fn lost_invite_200_and_ack_are_recovered_by_retransmission() {
    let mut p = Pair::new(Callee::Answer);
    let mut dropped = (false, false, false);
    p.drop = Box::new(move |m| {
        let first = |seen: &mut bool| !std::mem::replace(seen, true);
        (is(m, Method::Invite) && first(&mut dropped.0))
            || (is_status(m, 200) && first(&mut dropped.1))
            || (is(m, Method::Ack) && first(&mut dropped.2))
    });
    p.call();
    p.run_for(Duration::from_secs(5));
    assert_eq!(
        p.uas[CALLEE].saw("request INVITE"),
        1,
        "retransmitted INVITE reached the TU"
    );
    assert_eq!(p.uas[CALLEE].saw("ack"), 1);
    assert_eq!(p.dialog_state(CALLER), Some(DialogState::Confirmed));
    assert_eq!(p.dialog_state(CALLEE), Some(DialogState::Confirmed));
    assert!(
        p.uas[CALLER].saw("response 200 INVITE") >= 2,
        "the 2xx was retransmitted"
    );
}

#[test]
fn an_ack_that_never_comes_ends_the_call_with_bye() {
    let mut p = Pair::new(Callee::Answer);
    p.drop = Box::new(|m| is(m, Method::Ack));
    p.call();
    p.run_for(Duration::from_secs(31));
    assert_eq!(p.uas[CALLEE].saw("ack timeout"), 0, "gave up before 64·T1");
    p.run_for(Duration::from_secs(2));
    assert_eq!(p.uas[CALLEE].saw("ack timeout"), 1);
    p.run_for(Duration::from_secs(1));
    assert_eq!(p.uas[CALLER].saw("request BYE"), 1);
    assert_eq!(p.dialog_state(CALLER), Some(DialogState::Terminated));
}

#[test]
fn callee_hangs_up() {
    let mut p = Pair::new(Callee::Answer);
    p.call();
    p.run_for(Duration::from_secs(1));
    p.hang_up(CALLEE);
    p.run_for(Duration::from_secs(1));
    assert_eq!(p.uas[CALLER].saw("request BYE"), 1);
    assert_eq!(p.uas[CALLEE].saw("response 200 BYE"), 1);
    assert_eq!(p.dialog_state(CALLER), Some(DialogState::Terminated));
}

#[test]
fn cancel_before_answer_gets_487() {
    let mut p = Pair::new(Callee::RingOnly);
    let invite = p.call();
    p.run_for(Duration::from_millis(100));
    assert_eq!(p.uas[CALLER].saw("response 180 INVITE"), 1);
    let now = p.now;
    let cancel = p.uas[CALLER].txl.cancel(now, invite).unwrap();
    let req = p.uas[CALLER].requests[&invite].clone();
    p.uas[CALLER].requests.insert(
        cancel,
        Request {
            method: Method::Cancel,
            ..req
        },
    );
    p.run_for(Duration::from_secs(1));
    assert_eq!(p.uas[CALLEE].saw("cancelled"), 1);
    assert_eq!(p.uas[CALLER].saw("response 487 INVITE"), 1);
    assert_eq!(p.uas[CALLER].saw("response 200 CANCEL"), 1);
    assert_eq!(
        p.dialog_state(CALLER),
        Some(DialogState::Terminated),
        "the early dialog ended"
    );
    assert!(p.elapsed() < Duration::from_secs(2));
}

#[test]
fn bye_for_an_unknown_dialog_gets_481() {
    let mut p = Pair::new(Callee::Answer);
    p.call();
    p.run_for(Duration::from_secs(1));
    let (now, peer) = (p.now, p.peer_of(CALLER));
    let ua = &mut p.uas[CALLER];
    let id = ua.dialogs.iter().next().unwrap().id().clone();
    let via = ua.via();
    let mut bye = ua.dialogs.get_mut(&id).unwrap().bye(via).unwrap();
    bye.head.call_id = "no-such-call@127.0.0.1".into();
    let tid = ua.txl.send_request(now, bye.clone(), peer).unwrap();
    ua.requests.insert(tid, bye);
    p.run_for(Duration::from_secs(1));
    assert_eq!(p.uas[CALLER].saw("response 481 BYE"), 1);
    assert_eq!(
        p.dialog_state(CALLEE),
        Some(DialogState::Confirmed),
        "the real call is untouched"
    );
}
