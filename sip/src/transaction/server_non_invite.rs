//! The non-INVITE server transaction (RFC 3261 §17.2.2).

use super::common::{Common, Ctx};
use super::event::{TransactionError, TransactionState};
use super::timer::Timer;
use crate::message::{Message, Response};

/// What the non-INVITE server transaction waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A response from the TU; retransmitted requests are absorbed silently.
    Trying,
    /// A final response from the TU; retransmitted requests get the latest provisional.
    Proceeding,
    /// Timer J; retransmitted requests get the final response again.
    Completed,
}

#[derive(Debug)]
pub(super) struct ServerNonInvite {
    pub(super) c: Common,
    state: State,
    /// The latest response sent.
    last: Option<Response>,
}

impl ServerNonInvite {
    /// Enters Trying for a new request.
    pub(super) fn start(c: Common) -> Self {
        Self {
            c,
            state: State::Trying,
            last: None,
        }
    }

    pub(super) fn state(&self) -> TransactionState {
        match self.state {
            State::Trying => TransactionState::Trying,
            State::Proceeding => TransactionState::Proceeding,
            State::Completed => TransactionState::Completed,
        }
    }

    /// A retransmitted request: re-send the latest response, if any.
    pub(super) fn on_retransmission(&self, cx: &mut Ctx<'_>) {
        if let Some(response) = &self.last {
            self.c.send(cx, Message::Response(response.clone()));
        }
    }

    /// Sends the TU's response.
    pub(super) fn respond(
        &mut self,
        response: Response,
        cx: &mut Ctx<'_>,
    ) -> Result<(), TransactionError> {
        if self.state == State::Completed {
            return Err(TransactionError::AlreadyFinal);
        }
        self.c.send(cx, Message::Response(response.clone()));
        if response.status.is_provisional() {
            self.state = State::Proceeding;
        } else {
            self.state = State::Completed;
            self.c.linger(cx, Timer::J, cx.timers.t1x64());
        }
        self.last = Some(response);
        Ok(())
    }

    pub(super) fn on_timer(&mut self, timer: Timer) {
        if timer == Timer::J && self.state == State::Completed {
            self.c.terminate();
        }
    }
}
