//! The four state machines behind one type, so the layer can store and drive them alike.

use super::client_invite::ClientInvite;
use super::client_non_invite::ClientNonInvite;
use super::common::{Common, Ctx};
use super::event::{TransactionError, TransactionId, TransactionState};
use super::server_invite::ServerInvite;
use super::server_non_invite::ServerNonInvite;
use crate::message::{Request, Response};

#[derive(Debug)]
/// Boxed: the machines differ in size and the map holds many of them.
pub(super) enum Machine {
    InviteClient(Box<ClientInvite>),
    NonInviteClient(Box<ClientNonInvite>),
    InviteServer(Box<ServerInvite>),
    NonInviteServer(Box<ServerNonInvite>),
}

impl Machine {
    pub(super) fn common(&self) -> &Common {
        match self {
            Machine::InviteClient(t) => &t.c,
            Machine::NonInviteClient(t) => &t.c,
            Machine::InviteServer(t) => &t.c,
            Machine::NonInviteServer(t) => &t.c,
        }
    }

    pub(super) fn common_mut(&mut self) -> &mut Common {
        match self {
            Machine::InviteClient(t) => &mut t.c,
            Machine::NonInviteClient(t) => &mut t.c,
            Machine::InviteServer(t) => &mut t.c,
            Machine::NonInviteServer(t) => &mut t.c,
        }
    }

    pub(super) fn state(&self) -> TransactionState {
        match self {
            Machine::InviteClient(t) => t.state(),
            Machine::NonInviteClient(t) => t.state(),
            Machine::InviteServer(t) => t.state(),
            Machine::NonInviteServer(t) => t.state(),
        }
    }

    /// The request a client transaction sent.
    pub(super) fn client_request(&self) -> Option<&Request> {
        match self {
            Machine::InviteClient(t) => Some(t.request()),
            Machine::NonInviteClient(t) => Some(t.request()),
            Machine::InviteServer(_) | Machine::NonInviteServer(_) => None,
        }
    }

    /// Fires every timer due now, earliest first.
    pub(super) fn on_timeout(&mut self, cx: &mut Ctx<'_>) {
        for timer in self.common_mut().timers.take_due(cx.now) {
            match self {
                Machine::InviteClient(t) => t.on_timer(timer, cx),
                Machine::NonInviteClient(t) => t.on_timer(timer, cx),
                Machine::InviteServer(t) => t.on_timer(timer, cx),
                Machine::NonInviteServer(t) => t.on_timer(timer),
            }
            if self.common().is_done() {
                return;
            }
        }
    }

    /// A response for a client transaction.
    pub(super) fn on_response(&mut self, response: Response, cx: &mut Ctx<'_>) {
        match self {
            Machine::InviteClient(t) => t.on_response(response, cx),
            Machine::NonInviteClient(t) => t.on_response(response, cx),
            Machine::InviteServer(_) | Machine::NonInviteServer(_) => {}
        }
    }

    /// A retransmitted request for a server transaction.
    pub(super) fn on_retransmission(&self, cx: &mut Ctx<'_>) {
        match self {
            Machine::InviteServer(t) => t.on_retransmission(cx),
            Machine::NonInviteServer(t) => t.on_retransmission(cx),
            Machine::InviteClient(_) | Machine::NonInviteClient(_) => {}
        }
    }

    /// A response from the TU (or the layer) for a server transaction.
    pub(super) fn respond(
        &mut self,
        response: Response,
        cx: &mut Ctx<'_>,
    ) -> Result<(), TransactionError> {
        match self {
            Machine::InviteServer(t) => t.respond(response, cx),
            Machine::NonInviteServer(t) => t.respond(response, cx),
            Machine::InviteClient(_) | Machine::NonInviteClient(_) => {
                Err(TransactionError::NotServer)
            }
        }
    }

    /// A CANCEL held until a provisional response arrived, now due, with its identifier.
    pub(super) fn take_held_cancel(
        &mut self,
        cx: &mut Ctx<'_>,
    ) -> Option<(TransactionId, Request)> {
        match self {
            Machine::InviteClient(t) => t.take_held_cancel(cx),
            _ => None,
        }
    }
}
