//! Messages from the network: matching them to transactions (§17.1.3, §17.2.3), ACKs for
//! 2xx (§13.3.1.4), merged requests (§8.2.2.2) and stray responses.

use std::time::Instant;

use super::TransactionLayer;
use crate::message::{Request, Response};
use crate::method::Method;
use crate::status::StatusCode;
use crate::transaction::build::reply;
use crate::transaction::common::{Common, Ctx};
use crate::transaction::event::{TransactionEvent, TransactionId};
use crate::transaction::key::{DialogAckKey, MergeKey, TransactionKey, sent_by};
use crate::transaction::machine::Machine;
use crate::transaction::server_invite::ServerInvite;
use crate::transaction::server_non_invite::ServerNonInvite;
use crate::transport::Peer;
use crate::validate::check_response;

impl TransactionLayer {
    /// A request from `peer`. A new one creates a server transaction and a
    /// [`TransactionEvent::Request`]; a retransmission is absorbed (re-sending the latest
    /// response where RFC 3261 says to); ACK and CANCEL are handled as §17.2.3 and §9.2
    /// say; a merged request gets 482. Requests without a Via are dropped.
    pub fn handle_request(&mut self, now: Instant, request: Request, peer: Peer) {
        if request.method == Method::Ack {
            return self.on_ack(now, request, peer);
        }
        let Some(key) = TransactionKey::server(&request) else {
            return;
        };
        if self.transactions.contains_key(&key) {
            self.with_tx(now, &key, |entry, cx| entry.machine.on_retransmission(cx));
            return;
        }
        if request.method == Method::Cancel {
            return self.on_cancel(now, request, peer, key);
        }
        if request.head.to.tag().is_none() && self.merged.contains_key(&MergeKey::of(&request)) {
            let response = reply(&request, StatusCode::LOOP_DETECTED, &self.make_tag());
            self.start_server(now, key.clone(), request, peer, false);
            self.with_tx(now, &key, |entry, cx| entry.machine.respond(response, cx));
            return;
        }
        let id = self.start_server(now, key, request.clone(), peer, true);
        self.out
            .events
            .push_back(TransactionEvent::Request { id, request, peer });
    }

    /// Whether `request` is a retransmission of a request whose server transaction this
    /// layer already has, so a policy in front of the layer can let it through without
    /// checking it again.
    pub fn has_server_transaction(&self, request: &Request) -> bool {
        TransactionKey::server(request).is_some_and(|k| self.transactions.contains_key(&k))
    }

    /// A response from `peer`. One for a client transaction goes to it; a stray 2xx to an
    /// INVITE sent from here becomes a [`TransactionEvent::StrayResponse`]; anything else
    /// is dropped, as are responses with more than one Via or a sent-by that is not ours
    /// (§8.1.3.3, §18.1.2).
    pub fn handle_response(&mut self, now: Instant, response: Response, peer: Peer) {
        if check_response(&response).is_err() {
            return;
        }
        let (Some(key), Some(via)) = (
            TransactionKey::for_response(&response),
            response.head.top_via(),
        ) else {
            return;
        };
        let theirs = sent_by(via);
        let ours = match self.transactions.get(&key) {
            Some(entry) => entry
                .machine
                .client_request()
                .and_then(|r| r.head.top_via()),
            None => return self.on_stray(response, peer, theirs),
        };
        if ours.map(sent_by) != Some(theirs) {
            return;
        }
        let held = self.with_tx(now, &key, |entry, cx| {
            entry.machine.on_response(response, cx);
            let peer = entry.machine.common().peer;
            entry
                .machine
                .take_held_cancel(cx)
                .map(|(id, cancel)| (id, cancel, peer))
        });
        if let Some((id, cancel, peer)) = held.flatten() {
            self.start_cancel(now, id, cancel, peer);
        }
    }

    fn on_stray(
        &mut self,
        response: Response,
        peer: Peer,
        theirs: (crate::uri::Host, Option<u16>),
    ) {
        let invite_2xx =
            response.head.cseq.method == Method::Invite && response.status.is_success();
        if invite_2xx && self.sent_by.contains(&theirs) {
            self.out
                .events
                .push_back(TransactionEvent::StrayResponse { response, peer });
        }
    }

    /// An ACK: for a non-2xx final response it matches the INVITE server transaction by
    /// key; for a 2xx it matches by dialog; otherwise the TU gets it.
    fn on_ack(&mut self, now: Instant, ack: Request, peer: Peer) {
        let by_key = TransactionKey::ack_candidates(&ack)
            .into_iter()
            .find(
                |(key, check_tag)| match self.transactions.get(key).map(|e| &e.machine) {
                    Some(Machine::InviteServer(tx)) => {
                        !check_tag || tx.final_tag() == ack.head.to.tag()
                    }
                    _ => false,
                },
            )
            .map(|(key, _)| key);
        let by_dialog = || {
            let id = self.acks.get(&DialogAckKey::for_ack(&ack))?;
            self.keys.get(id).cloned()
        };
        let Some(key) = by_key.or_else(by_dialog) else {
            self.out
                .events
                .push_back(TransactionEvent::StrayAck { ack, peer });
            return;
        };
        self.with_tx(now, &key, |entry, cx| {
            if let Machine::InviteServer(tx) = &mut entry.machine {
                tx.on_ack(ack, cx);
            }
        });
    }

    /// Creates a server transaction for a new request; `index` enters it in the
    /// merged-request index.
    pub(super) fn start_server(
        &mut self,
        now: Instant,
        key: TransactionKey,
        request: Request,
        peer: Peer,
        index: bool,
    ) -> TransactionId {
        let id = self.allocate_id();
        let merge_key = index.then(|| MergeKey::of(&request));
        let c = Common::new(id, peer);
        let machine = if request.method == Method::Invite {
            let mut cx = Ctx {
                now,
                timers: &self.timers,
                out: &mut self.out,
            };
            Machine::InviteServer(Box::new(ServerInvite::start(c, request, &mut cx)))
        } else {
            Machine::NonInviteServer(Box::new(ServerNonInvite::start(c)))
        };
        self.insert(key, machine, merge_key);
        id
    }
}
