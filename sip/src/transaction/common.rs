//! What every state machine shares: its identity and peer, its armed timers, and the
//! context an input is handled in (the time, the timer values, the output queues).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::event::{TransactionEvent, TransactionId, Transmit};
use super::timer::{Timer, TimerTable, Timers};
use crate::message::Message;
use crate::transport::Peer;

/// Messages to send and events for the TU, in the order they were produced.
#[derive(Debug, Default)]
pub(super) struct Out {
    pub(super) transmits: VecDeque<Transmit>,
    pub(super) events: VecDeque<TransactionEvent>,
}

/// The context one input is handled in.
pub(super) struct Ctx<'a> {
    pub(super) now: Instant,
    pub(super) timers: &'a Timers,
    pub(super) out: &'a mut Out,
}

impl Ctx<'_> {
    /// Queues an event for the TU.
    pub(super) fn emit(&mut self, event: TransactionEvent) {
        self.out.events.push_back(event);
    }
}

/// The part of a transaction every state machine has.
#[derive(Debug)]
pub(super) struct Common {
    pub(super) id: TransactionId,
    pub(super) peer: Peer,
    pub(super) timers: TimerTable,
    done: bool,
}

impl Common {
    pub(super) fn new(id: TransactionId, peer: Peer) -> Self {
        Self {
            id,
            peer,
            timers: TimerTable::default(),
            done: false,
        }
    }

    /// Whether messages travel over a reliable transport.
    pub(super) fn reliable(&self) -> bool {
        self.peer.is_reliable()
    }

    /// Queues `message` for the peer.
    pub(super) fn send(&self, cx: &mut Ctx<'_>, message: Message) {
        cx.out.transmits.push_back(Transmit {
            peer: self.peer,
            message,
        });
    }

    /// Arms `timer` to fire `after` from now.
    pub(super) fn arm(&mut self, cx: &Ctx<'_>, timer: Timer, after: Duration) {
        self.timers.arm(timer, cx.now, after);
    }

    /// Arms a retransmit timer, over unreliable transports only.
    pub(super) fn arm_retransmit(&mut self, cx: &Ctx<'_>, timer: Timer, after: Duration) {
        if !self.reliable() {
            self.arm(cx, timer, after);
        }
    }

    /// Enters a state that absorbs retransmissions for `after` over unreliable transports
    /// (Timers D, I, J, K); over reliable ones there are none, so the transaction ends now.
    pub(super) fn linger(&mut self, cx: &Ctx<'_>, timer: Timer, after: Duration) {
        self.timers.clear();
        if self.reliable() {
            self.terminate();
        } else {
            self.arm(cx, timer, after);
        }
    }

    /// Ends the transaction: the layer removes it.
    pub(super) fn terminate(&mut self) {
        self.done = true;
        self.timers.clear();
    }

    /// Whether the transaction has ended.
    pub(super) fn is_done(&self) -> bool {
        self.done
    }

    /// Reports a transport failure and ends the transaction (RFC 3261 §17.1.4, §17.2.4).
    pub(super) fn transport_error(&mut self, cx: &mut Ctx<'_>) {
        cx.emit(TransactionEvent::TransportError { id: self.id });
        self.terminate();
    }
}
