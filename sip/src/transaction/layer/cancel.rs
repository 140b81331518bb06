//! CANCEL on both sides: the command that cancels a client INVITE (§9.1) and the handling
//! of a received CANCEL (§9.2).

use std::time::Instant;

use super::TransactionLayer;
use crate::message::Request;
use crate::method::Method;
use crate::status::StatusCode;
use crate::transaction::build::reply;
use crate::transaction::event::{TransactionError, TransactionId};
use crate::transaction::key::TransactionKey;
use crate::transaction::machine::Machine;
use crate::transport::Peer;

impl TransactionLayer {
    /// Cancels INVITE client transaction `id` (RFC 3261 §9.1) and returns the identifier
    /// of the CANCEL's own client transaction, whose response and timeout events carry it.
    /// Before any provisional response has arrived the CANCEL is held and sent when one
    /// does; if a final response comes first it is never sent. Once the INVITE has a
    /// final response this fails with [`TransactionError::AlreadyFinal`]. If no final
    /// response follows within 64·T1 of the CANCEL the INVITE times out.
    pub fn cancel(
        &mut self,
        now: Instant,
        id: TransactionId,
    ) -> Result<TransactionId, TransactionError> {
        let key = self.key_of(id)?;
        let cancel_id = self.allocate_id();
        let outcome = self.with_tx(now, &key, |entry, cx| {
            let peer = entry.machine.common().peer;
            match &mut entry.machine {
                Machine::InviteClient(tx) => Ok(tx.cancel(cancel_id, cx)?.map(|r| (r, peer))),
                Machine::NonInviteClient(_) => Err(TransactionError::NotInvite),
                Machine::InviteServer(_) | Machine::NonInviteServer(_) => {
                    Err(TransactionError::NotClient)
                }
            }
        });
        let ready = outcome.unwrap_or(Err(TransactionError::UnknownTransaction))?;
        if let Some((cancel, peer)) = ready {
            self.start_cancel(now, cancel_id, cancel, peer);
        }
        Ok(cancel_id)
    }

    /// Starts the client transaction of a CANCEL under its reserved identifier. If the TU
    /// has already sent a CANCEL with this branch itself, that one stands.
    pub(super) fn start_cancel(
        &mut self,
        now: Instant,
        id: TransactionId,
        cancel: Request,
        peer: Peer,
    ) {
        let Some(key) = TransactionKey::client(&cancel) else {
            return;
        };
        if !self.transactions.contains_key(&key) {
            self.start_client(now, id, key, cancel, peer);
        }
    }

    /// A new CANCEL (§9.2): 200 and a 487 for the INVITE it matches while that is still
    /// Proceeding (with a [`Cancelled`](crate::transaction::TransactionEvent::Cancelled)
    /// event); 200 alone once the INVITE has a final response; 481 when it matches no
    /// INVITE. Both responses carry the same To tag.
    pub(super) fn on_cancel(
        &mut self,
        now: Instant,
        cancel: Request,
        peer: Peer,
        key: TransactionKey,
    ) {
        let to_tag = cancel.head.to.tag().map(str::to_owned);
        let target = TransactionKey::server_as(&cancel, &Method::Invite, to_tag)
            .filter(|k| matches!(self.machine(k), Some(Machine::InviteServer(_))));
        let known_tag = match target.as_ref().and_then(|k| self.machine(k)) {
            Some(Machine::InviteServer(tx)) => tx.local_tag().map(str::to_owned),
            _ => None,
        };
        let tag = known_tag.unwrap_or_else(|| self.make_tag());
        let status = match target {
            Some(_) => StatusCode::OK,
            None => StatusCode::CALL_DOES_NOT_EXIST,
        };
        let response = reply(&cancel, status, &tag);
        self.start_server(now, key.clone(), cancel, peer, false);
        self.with_tx(now, &key, |entry, cx| entry.machine.respond(response, cx));
        if let Some(target) = target {
            self.with_tx(now, &target, |entry, cx| {
                if let Machine::InviteServer(tx) = &mut entry.machine {
                    tx.cancel(&tag, cx);
                }
            });
        }
    }

    fn machine(&self, key: &TransactionKey) -> Option<&Machine> {
        self.transactions.get(key).map(|e| &e.machine)
    }
}
