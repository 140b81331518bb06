//! Blind transfer of a call by REFER (RFC 3515): the logic asks (`CallAction::Transfer`),
//! the core sends REFER in the call's dialog, and the caller's side reports the referred
//! call in NOTIFYs whose `message/sipfrag` body is a status line. A refused or unanswered
//! REFER, or a final failure in a NOTIFY, is a failed transfer; a final 2xx is a connected
//! one. The outcome goes to the call as a command; what happens next is the logic's choice.

use std::time::Instant;

use sip::{HeaderName, NameAddr, Request, Response, StatusCode, TransactionId, sipfrag_status};

use super::call::CallCommand;
use super::logic::{TransferOutcome, fits_a_header};
use super::signalling::Core;

impl Core {
    /// Sends REFER to `to` in call `no`'s dialog; the call hears at once when it cannot.
    pub(crate) fn send_refer(&mut self, no: u64, to: &str) {
        let sent = self.try_refer(no, to);
        match sent {
            Ok(()) => tracing::info!(call = no, "transfer: REFER sent"),
            Err(why) => {
                tracing::info!(call = no, %why, "transfer not started");
                self.command(no, CallCommand::Transferred(TransferOutcome::Failed(None)));
            }
        }
    }

    fn try_refer(&mut self, no: u64, to: &str) -> Result<(), String> {
        if !fits_a_header(to) {
            return Err("the URI has characters a header cannot carry".into());
        }
        let target = NameAddr::parse(&format!("<{to}>")).map_err(|e| format!("bad URI: {e}"))?;
        let entry = self.calls.get(&no).ok_or("the call is gone")?;
        let (dialog, transport) = (entry.dialog.clone(), entry.peer.transport);
        let hop = self.next_hop(entry);
        let via = self.via(transport);
        let dialog = self.dialogs.get_mut(&dialog).ok_or("no dialog")?;
        let refer = dialog.refer(via, &target).map_err(|e| e.to_string())?;
        let id = self
            .txl
            .send_request(Instant::now(), refer.clone(), hop)
            .map_err(|e| e.to_string())?;
        self.requests.insert(id, refer);
        self.refers.insert(id, no);
        Ok(())
    }

    /// The final answer to a request of ours: a REFER's refusal fails its transfer (a 2xx
    /// means the NOTIFYs will tell).
    pub(crate) fn refer_answered(&mut self, id: TransactionId, status: StatusCode) {
        let Some(no) = self.refers.remove(&id) else {
            return;
        };
        if status.is_success() {
            tracing::info!(call = no, status = status.code(), "transfer accepted");
        } else {
            tracing::info!(call = no, status = status.code(), "transfer refused");
            let outcome = TransferOutcome::Failed(Some(status.code()));
            self.command(no, CallCommand::Transferred(outcome));
        }
    }

    /// A NOTIFY in call `call`'s dialog: answered 200; a `refer` event whose body is a final
    /// status ends the transfer.
    pub(crate) fn on_notify(
        &mut self,
        now: Instant,
        id: TransactionId,
        req: &Request,
        call: Option<u64>,
    ) {
        self.respond(now, id, Response::for_request(req, StatusCode::OK));
        let is_refer = req
            .head
            .headers
            .get(&HeaderName::Event)
            .is_some_and(|e| e.trim().to_ascii_lowercase().starts_with("refer"));
        let (Some(no), true) = (call, is_refer) else {
            return;
        };
        let Some(status) = sipfrag_status(&req.body).filter(|s| s.is_final()) else {
            return;
        };
        let outcome = if status.is_success() {
            TransferOutcome::Connected
        } else {
            TransferOutcome::Failed(Some(status.code()))
        };
        tracing::info!(call = no, status = status.code(), "transfer ended");
        self.command(no, CallCommand::Transferred(outcome));
    }
}
