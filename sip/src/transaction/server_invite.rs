//! The INVITE server transaction (RFC 3261 §17.2.1 with the RFC 6026 Accepted state). It
//! also does two things RFC 3261 gives the UAS core: retransmitting a 2xx until its ACK
//! arrives (§13.3.1.4) and answering CANCEL with 487 (§9.2).

use std::time::Duration;

use super::build::{reply, trying_for};
use super::common::{Common, Ctx};
use super::event::{TransactionError, TransactionEvent, TransactionState};
use super::timer::Timer;
use crate::message::{Message, Request, Response};
use crate::status::StatusCode;

/// What the INVITE server transaction waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A final response from the TU (sending 100 Trying itself after 200 ms).
    Proceeding,
    /// The ACK for the non-2xx final response; retransmitting it (Timer G) until Timer H.
    Completed,
    /// Timer I, absorbing ACK retransmissions.
    Confirmed,
    /// Timer L, absorbing INVITE retransmissions; until `acked`, retransmitting the 2xx.
    Accepted { acked: bool },
}

#[derive(Debug)]
pub(super) struct ServerInvite {
    pub(super) c: Common,
    request: Request,
    state: State,
    /// The next Timer G (or 2xx retransmit) interval.
    interval: Duration,
    /// The latest provisional response sent.
    provisional: Option<Response>,
    /// The final response sent.
    last_final: Option<Response>,
}

impl ServerInvite {
    /// Enters Proceeding for a new INVITE; the 100 Trying timer starts.
    pub(super) fn start(mut c: Common, request: Request, cx: &mut Ctx<'_>) -> Self {
        c.arm(cx, Timer::Trying, cx.timers.auto_trying());
        Self {
            c,
            request,
            state: State::Proceeding,
            interval: cx.timers.t1,
            provisional: None,
            last_final: None,
        }
    }

    pub(super) fn state(&self) -> TransactionState {
        match self.state {
            State::Proceeding => TransactionState::Proceeding,
            State::Completed => TransactionState::Completed,
            State::Confirmed => TransactionState::Confirmed,
            State::Accepted { .. } => TransactionState::Accepted,
        }
    }

    /// Whether a CANCEL would still have an effect.
    pub(super) fn is_proceeding(&self) -> bool {
        self.state == State::Proceeding
    }

    /// The To tag of the final response, else of the latest provisional response.
    pub(super) fn local_tag(&self) -> Option<&str> {
        let latest = self.last_final.as_ref().or(self.provisional.as_ref())?;
        latest.head.to.tag()
    }

    /// The To tag of the final response (an RFC 2543 ACK must present it).
    pub(super) fn final_tag(&self) -> Option<&str> {
        self.last_final.as_ref()?.head.to.tag()
    }

    /// A retransmitted INVITE: re-send the latest response where RFC 3261 says to.
    pub(super) fn on_retransmission(&self, cx: &mut Ctx<'_>) {
        let again = match self.state {
            State::Proceeding => self.provisional.as_ref(),
            State::Completed => self.last_final.as_ref(),
            State::Confirmed | State::Accepted { .. } => None,
        };
        if let Some(response) = again {
            self.c.send(cx, Message::Response(response.clone()));
        }
    }

    /// Sends the TU's response.
    pub(super) fn respond(
        &mut self,
        response: Response,
        cx: &mut Ctx<'_>,
    ) -> Result<(), TransactionError> {
        if self.state != State::Proceeding {
            return Err(TransactionError::AlreadyFinal);
        }
        self.c.send(cx, Message::Response(response.clone()));
        let status = response.status;
        if status.is_provisional() {
            self.c.timers.disarm(Timer::Trying);
            self.provisional = Some(response);
            return Ok(());
        }
        self.c.timers.clear();
        self.interval = cx.timers.t1;
        if status.is_success() {
            // §13.3.1.4 retransmits over every transport: the ACK is end-to-end.
            self.state = State::Accepted { acked: false };
            self.c.arm(cx, Timer::L, cx.timers.t1x64());
            self.c.arm(cx, Timer::Resend2xx, self.interval);
        } else {
            self.state = State::Completed;
            self.c.arm_retransmit(cx, Timer::G, self.interval);
            self.c.arm(cx, Timer::H, cx.timers.t1x64());
        }
        self.last_final = Some(response);
        Ok(())
    }

    /// An ACK for this transaction: by branch for a non-2xx, by dialog for a 2xx.
    pub(super) fn on_ack(&mut self, ack: Request, cx: &mut Ctx<'_>) {
        match self.state {
            State::Completed => {
                self.state = State::Confirmed;
                self.c.linger(cx, Timer::I, cx.timers.t4);
            }
            State::Accepted { acked: false } => {
                self.state = State::Accepted { acked: true };
                self.c.timers.disarm(Timer::Resend2xx);
                cx.emit(TransactionEvent::AckReceived { id: self.c.id, ack });
            }
            State::Proceeding | State::Confirmed | State::Accepted { acked: true } => {}
        }
    }

    /// CANCEL while Proceeding: answer the INVITE with 487, tagged `tag` unless the
    /// request already had a To tag, and tell the TU. Returns whether it had an effect.
    pub(super) fn cancel(&mut self, tag: &str, cx: &mut Ctx<'_>) -> bool {
        if !self.is_proceeding() {
            return false;
        }
        let terminated = reply(&self.request, StatusCode::REQUEST_TERMINATED, tag);
        if self.respond(terminated, cx).is_err() {
            return false;
        }
        cx.emit(TransactionEvent::Cancelled { id: self.c.id });
        true
    }

    pub(super) fn on_timer(&mut self, timer: Timer, cx: &mut Ctx<'_>) {
        match (timer, self.state) {
            (Timer::Trying, State::Proceeding) if self.provisional.is_none() => {
                let trying = trying_for(&self.request);
                self.c.send(cx, Message::Response(trying.clone()));
                self.provisional = Some(trying);
            }
            (Timer::G, State::Completed) | (Timer::Resend2xx, State::Accepted { acked: false }) => {
                if let Some(response) = &self.last_final {
                    self.c.send(cx, Message::Response(response.clone()));
                }
                self.interval = cx.timers.backoff(self.interval);
                self.c.arm(cx, timer, self.interval);
            }
            (Timer::H, State::Completed) | (Timer::L, State::Accepted { acked: false }) => {
                cx.emit(TransactionEvent::AckTimeout { id: self.c.id });
                self.c.terminate();
            }
            (Timer::I, State::Confirmed) | (Timer::L, State::Accepted { acked: true }) => {
                self.c.terminate();
            }
            _ => {}
        }
    }
}
