//! Random sequences of requests, responses, TU commands and time advances built from a few
//! templates: the layer never panics, and once every timer has fired (after the TU has
//! answered what it was asked and cancelled what it started) nothing is left.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use sip::{Request, TransactionEvent, TransactionId, TransactionLayer, TransactionState};

use crate::support::*;

const METHODS: [&str; 4] = ["INVITE", "OPTIONS", "ACK", "CANCEL"];
const CODES: [u16; 5] = [100, 180, 200, 486, 603];

#[derive(Debug, Clone)]
enum Op {
    /// A request from the network; branch 3 means no branch (RFC 2543 matching).
    Request {
        method: usize,
        dialog: u8,
        branch: u8,
        tagged: bool,
        reliable: bool,
    },
    /// The TU answers the n-th server transaction it was given.
    Respond {
        pick: usize,
        code: usize,
    },
    /// The TU starts a client transaction.
    Send {
        invite: bool,
        branch: u8,
        reliable: bool,
    },
    /// A response for the n-th client transaction.
    Response {
        pick: usize,
        code: usize,
        tag: u8,
    },
    /// A response matching nothing.
    Stray {
        branch: u8,
        code: usize,
    },
    Cancel {
        pick: usize,
    },
    TransportError {
        pick: usize,
    },
    Advance {
        ms: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..4usize, 0..3u8, 0..4u8, any::<bool>(), any::<bool>()).prop_map(
            |(method, dialog, branch, tagged, reliable)| Op::Request { method, dialog, branch, tagged, reliable }
        ),
        2 => (0..8usize, 0..CODES.len()).prop_map(|(pick, code)| Op::Respond { pick, code }),
        2 => (any::<bool>(), 0..4u8, any::<bool>())
            .prop_map(|(invite, branch, reliable)| Op::Send { invite, branch, reliable }),
        3 => (0..8usize, 0..CODES.len(), 0..2u8)
            .prop_map(|(pick, code, tag)| Op::Response { pick, code, tag }),
        1 => (0..3u8, 0..CODES.len()).prop_map(|(branch, code)| Op::Stray { branch, code }),
        1 => (0..8usize).prop_map(|pick| Op::Cancel { pick }),
        1 => (0..8usize).prop_map(|pick| Op::TransportError { pick }),
        3 => (0..40_000u64).prop_map(|ms| Op::Advance { ms }),
    ]
}

fn inbound(method: usize, dialog: u8, branch: u8, tagged: bool) -> Request {
    let m = METHODS[method % METHODS.len()];
    let mut r = req(
        m,
        &format!("z9hG4bK-in{branch}"),
        &format!("call-{dialog}"),
        1,
    );
    if branch == 3 {
        r.head.via[0].params.remove("branch");
    }
    if tagged {
        r.head.to.set_tag("srv");
    }
    r
}

struct World {
    l: TransactionLayer,
    now: Instant,
    servers: Vec<(TransactionId, Request)>,
    clients: Vec<(TransactionId, Request)>,
}

impl World {
    fn drain(&mut self) {
        transmits(&mut self.l);
        for e in events(&mut self.l) {
            if let TransactionEvent::Request { id, request, .. } = e {
                self.servers.push((id, request));
            }
        }
    }

    fn pick<T: Clone>(list: &[T], n: usize) -> Option<T> {
        (!list.is_empty()).then(|| list[n % list.len()].clone())
    }

    fn apply(&mut self, op: Op) {
        let now = self.now;
        match op {
            Op::Request {
                method,
                dialog,
                branch,
                tagged,
                reliable,
            } => {
                let r = inbound(method, dialog, branch, tagged);
                self.l
                    .handle_request(now, r, if reliable { tcp() } else { udp() });
            }
            Op::Respond { pick, code } => {
                if let Some((id, r)) = Self::pick(&self.servers, pick) {
                    let _ = self.l.respond(now, id, answer(&r, CODES[code], "srv"));
                }
            }
            Op::Send {
                invite,
                branch,
                reliable,
            } => {
                let m = if invite { "INVITE" } else { "OPTIONS" };
                let r = req(m, &format!("z9hG4bK-out{branch}"), "out-call", 1);
                let peer = if reliable { tcp() } else { udp() };
                if let Ok(id) = self.l.send_request(now, r.clone(), peer) {
                    self.clients.push((id, r));
                }
            }
            Op::Response { pick, code, tag } => {
                if let Some((_, r)) = Self::pick(&self.clients, pick) {
                    self.l
                        .handle_response(now, answer(&r, CODES[code], &format!("t{tag}")), udp());
                }
            }
            Op::Stray { branch, code } => {
                let r = invite(&format!("z9hG4bK-stray{branch}"));
                self.l
                    .handle_response(now, answer(&r, CODES[code], "x"), udp());
            }
            Op::Cancel { pick } => {
                if let Some((id, _)) = Self::pick(&self.clients, pick) {
                    let _ = self.l.cancel(now, id);
                }
            }
            Op::TransportError { pick } => {
                let all: Vec<TransactionId> = self
                    .clients
                    .iter()
                    .chain(&self.servers)
                    .map(|(id, _)| *id)
                    .collect();
                if let Some(id) = Self::pick(&all, pick) {
                    self.l.transport_error(now, id);
                }
            }
            Op::Advance { ms } => self.advance(Duration::from_millis(ms)),
        }
        self.drain();
    }

    /// Moves the clock, firing each deadline on the way as a runtime would.
    fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        while let Some(at) = self.l.poll_timeout().filter(|at| *at <= end) {
            assert!(at >= self.now, "deadline in the past");
            self.now = at;
            self.l.handle_timeout(at);
            self.drain();
        }
        self.now = end;
        assert!(self.l.poll_timeout().is_none_or(|at| at > end));
    }

    /// The TU answers every request still waiting and cancels its INVITEs; then every
    /// timer fires.
    fn finish(&mut self) {
        let now = self.now;
        for (id, r) in self.servers.clone() {
            if matches!(
                self.l.state(id),
                Some(TransactionState::Trying | TransactionState::Proceeding)
            ) {
                self.l.respond(now, id, answer(&r, 486, "srv")).unwrap();
            }
        }
        for (id, _) in self.clients.clone() {
            let _ = self.l.cancel(now, id);
        }
        self.drain();
        for _ in 0..10_000 {
            let Some(at) = self.l.poll_timeout() else {
                break;
            };
            self.now = at;
            self.l.handle_timeout(at);
            self.drain();
        }
        assert!(self.l.poll_timeout().is_none());
        assert!(self.l.is_empty(), "{} transactions left", self.l.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_traffic_never_panics_and_drains(ops in prop::collection::vec(op(), 0..60)) {
        let mut w = World {
            l: layer(),
            now: Instant::now(),
            servers: Vec::new(),
            clients: Vec::new(),
        };
        for op in ops {
            w.apply(op);
        }
        w.finish();
    }
}
