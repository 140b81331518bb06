//! The INVITE client transaction (RFC 3261 §17.1.1 with the RFC 6026 Accepted state), and
//! the CANCEL it may be asked for (§9.1).

use std::time::Duration;

use super::build::{ack_for, cancel_for};
use super::common::{Common, Ctx};
use super::event::{TransactionError, TransactionEvent, TransactionId, TransactionState};
use super::timer::Timer;
use crate::message::{Message, Request, Response};

/// What the INVITE client transaction waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Any response; retransmitting (Timer A) until Timer B.
    Calling,
    /// A final response.
    Proceeding,
    /// Timer D, re-sending the ACK for each retransmitted non-2xx final response.
    Completed,
    /// Timer M, passing every 2xx to the TU.
    Accepted,
}

/// Where the CANCEL for this INVITE stands.
#[derive(Debug)]
enum Cancel {
    None,
    /// Requested before any provisional response: held until one arrives (§9.1).
    Held(TransactionId),
    /// Sent (or dropped with the INVITE's end).
    Sent,
}

#[derive(Debug)]
pub(super) struct ClientInvite {
    pub(super) c: Common,
    request: Request,
    state: State,
    /// The next Timer A interval.
    interval: Duration,
    /// The ACK for the non-2xx final response, once Completed.
    ack: Option<Request>,
    cancel: Cancel,
}

impl ClientInvite {
    /// Sends `request` and enters Calling.
    pub(super) fn start(mut c: Common, request: Request, cx: &mut Ctx<'_>) -> Self {
        c.send(cx, Message::Request(request.clone()));
        c.arm_retransmit(cx, Timer::A, cx.timers.t1);
        c.arm(cx, Timer::B, cx.timers.t1x64());
        Self {
            c,
            request,
            state: State::Calling,
            interval: cx.timers.t1,
            ack: None,
            cancel: Cancel::None,
        }
    }

    /// The request that created the transaction.
    pub(super) fn request(&self) -> &Request {
        &self.request
    }

    pub(super) fn state(&self) -> TransactionState {
        match self.state {
            State::Calling => TransactionState::Calling,
            State::Proceeding => TransactionState::Proceeding,
            State::Completed => TransactionState::Completed,
            State::Accepted => TransactionState::Accepted,
        }
    }

    pub(super) fn on_response(&mut self, response: Response, cx: &mut Ctx<'_>) {
        let status = response.status;
        match self.state {
            State::Calling | State::Proceeding if status.is_provisional() => {
                if self.state == State::Calling {
                    self.c.timers.disarm(Timer::A);
                    self.c.timers.disarm(Timer::B);
                    self.state = State::Proceeding;
                }
                self.pass(response, cx);
            }
            State::Calling | State::Proceeding if status.is_success() => {
                self.state = State::Accepted;
                self.c.timers.clear();
                self.c.arm(cx, Timer::M, cx.timers.t1x64());
                self.pass(response, cx);
            }
            State::Calling | State::Proceeding => {
                self.state = State::Completed;
                let ack = ack_for(&self.request, &response);
                self.c.send(cx, Message::Request(ack.clone()));
                self.ack = Some(ack);
                self.c.linger(cx, Timer::D, cx.timers.timer_d());
                self.pass(response, cx);
            }
            State::Completed if status.is_final() && !status.is_success() => {
                if let Some(ack) = &self.ack {
                    self.c.send(cx, Message::Request(ack.clone()));
                }
            }
            State::Accepted if status.is_success() => self.pass(response, cx),
            State::Completed | State::Accepted => {}
        }
    }

    fn pass(&self, response: Response, cx: &mut Ctx<'_>) {
        cx.emit(TransactionEvent::Response {
            id: self.c.id,
            response,
        });
    }

    pub(super) fn on_timer(&mut self, timer: Timer, cx: &mut Ctx<'_>) {
        match (timer, self.state) {
            (Timer::A, State::Calling) => {
                self.c.send(cx, Message::Request(self.request.clone()));
                self.interval = self.interval.saturating_mul(2);
                self.c.arm(cx, Timer::A, self.interval);
            }
            (Timer::B, State::Calling | State::Proceeding) => {
                cx.emit(TransactionEvent::Timeout { id: self.c.id });
                self.c.terminate();
            }
            (Timer::D, State::Completed) | (Timer::M, State::Accepted) => self.c.terminate(),
            _ => {}
        }
    }

    /// Asks for a CANCEL under the reserved identifier `id`. Returns the CANCEL when it
    /// must go out now; before any provisional response it is held (§9.1).
    pub(super) fn cancel(
        &mut self,
        id: TransactionId,
        cx: &mut Ctx<'_>,
    ) -> Result<Option<Request>, TransactionError> {
        if !matches!(self.cancel, Cancel::None) {
            return Err(TransactionError::AlreadyCancelled);
        }
        match self.state {
            State::Completed | State::Accepted => Err(TransactionError::AlreadyFinal),
            State::Calling => {
                self.cancel = Cancel::Held(id);
                Ok(None)
            }
            State::Proceeding => Ok(Some(self.send_cancel(cx))),
        }
    }

    /// The held CANCEL and its identifier, once a provisional response has arrived.
    pub(super) fn take_held_cancel(
        &mut self,
        cx: &mut Ctx<'_>,
    ) -> Option<(TransactionId, Request)> {
        match (&self.cancel, self.state) {
            (Cancel::Held(id), State::Proceeding) => {
                let id = *id;
                Some((id, self.send_cancel(cx)))
            }
            _ => None,
        }
    }

    /// Marks the CANCEL sent; if no final response follows within 64·T1 the transaction
    /// gives up (§9.1), so an unanswered INVITE cannot live forever.
    fn send_cancel(&mut self, cx: &mut Ctx<'_>) -> Request {
        self.cancel = Cancel::Sent;
        self.c.arm(cx, Timer::B, cx.timers.t1x64());
        cancel_for(&self.request)
    }
}
