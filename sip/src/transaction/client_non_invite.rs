//! The non-INVITE client transaction (RFC 3261 §17.1.2).

use std::time::Duration;

use super::common::{Common, Ctx};
use super::event::{TransactionEvent, TransactionState};
use super::timer::Timer;
use crate::message::{Message, Request, Response};

/// What the non-INVITE client transaction waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Any response; retransmitting with Timer E doubling up to T2.
    Trying,
    /// A final response; retransmitting every T2.
    Proceeding,
    /// Timer K, absorbing response retransmissions.
    Completed,
}

#[derive(Debug)]
pub(super) struct ClientNonInvite {
    pub(super) c: Common,
    request: Request,
    state: State,
    /// The next Timer E interval.
    interval: Duration,
}

impl ClientNonInvite {
    /// Sends `request` and enters Trying.
    pub(super) fn start(mut c: Common, request: Request, cx: &mut Ctx<'_>) -> Self {
        c.send(cx, Message::Request(request.clone()));
        c.arm_retransmit(cx, Timer::E, cx.timers.t1);
        c.arm(cx, Timer::F, cx.timers.t1x64());
        Self {
            c,
            request,
            state: State::Trying,
            interval: cx.timers.t1,
        }
    }

    /// The request that created the transaction.
    pub(super) fn request(&self) -> &Request {
        &self.request
    }

    pub(super) fn state(&self) -> TransactionState {
        match self.state {
            State::Trying => TransactionState::Trying,
            State::Proceeding => TransactionState::Proceeding,
            State::Completed => TransactionState::Completed,
        }
    }

    pub(super) fn on_response(&mut self, response: Response, cx: &mut Ctx<'_>) {
        if self.state == State::Completed {
            return;
        }
        if response.status.is_provisional() {
            self.state = State::Proceeding;
        } else {
            self.state = State::Completed;
            self.c.linger(cx, Timer::K, cx.timers.t4);
        }
        cx.emit(TransactionEvent::Response {
            id: self.c.id,
            response,
        });
    }

    pub(super) fn on_timer(&mut self, timer: Timer, cx: &mut Ctx<'_>) {
        match (timer, self.state) {
            (Timer::E, State::Trying | State::Proceeding) => {
                self.c.send(cx, Message::Request(self.request.clone()));
                self.interval = match self.state {
                    State::Proceeding => cx.timers.t2,
                    _ => cx.timers.backoff(self.interval),
                };
                self.c.arm(cx, Timer::E, self.interval);
            }
            (Timer::F, State::Trying | State::Proceeding) => {
                cx.emit(TransactionEvent::Timeout { id: self.c.id });
                self.c.terminate();
            }
            (Timer::K, State::Completed) => self.c.terminate(),
            _ => {}
        }
    }
}
