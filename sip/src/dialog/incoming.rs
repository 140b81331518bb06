//! What arrives within a dialog (RFC 3261 §12.2.2, §13–§15): requests from the peer, the
//! responses the peer sends to our requests, and the responses we send to theirs.

use super::create::record_route;
use super::{Dialog, DialogError, DialogId, DialogState};
use crate::headers::{HeaderName, NameAddr};
use crate::message::{Head, Request, Response};
use crate::method::Method;
use crate::status::StatusCode;

/// An in-dialog request accepted by [`Dialog::handle_request`], for the TU.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DialogRequest {
    /// The dialog it belongs to.
    pub id: DialogId,
    /// What it asks for.
    pub kind: RequestKind,
}

/// What an accepted in-dialog request asks the TU to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestKind {
    /// The ACK for a 2xx we sent (it may carry the SDP answer). Never answered.
    Ack,
    /// The peer hung up: the dialog is terminated; answer 200 (and 487 to an INVITE still
    /// pending on an early dialog).
    Bye,
    /// A re-INVITE (hold, resume, codec change): the remote target is refreshed; answer it
    /// (2xx with our SDP, or 488), then report the answer with
    /// [`Dialog::on_response_sent`].
    ReInvite,
    /// A REFER (RFC 3515): answer 202, then report progress with
    /// [`Dialog::refer_notify`].
    Refer {
        /// Where the peer asks us to send the call.
        refer_to: NameAddr,
    },
    /// An INFO (RFC 6086), e.g. DTMF.
    Info,
    /// Anything else (OPTIONS, NOTIFY, UPDATE, MESSAGE, PRACK, CANCEL…): for the TU.
    Other,
}

impl Dialog {
    /// Checks a request the peer sent within this dialog (§12.2.2): its CSeq must be above
    /// the last one (ACK and CANCEL excepted), a re-INVITE must not collide with another
    /// INVITE (§14.2) and refreshes the remote target, and a BYE terminates the dialog.
    pub fn handle_request(&mut self, req: &Request) -> Result<DialogRequest, DialogError> {
        if DialogId::uas(&req.head).as_ref() != Some(&self.id) {
            return Err(DialogError::NoDialog);
        }
        if self.state == DialogState::Terminated {
            return Err(DialogError::Terminated);
        }
        let kind = match &req.method {
            Method::Ack => RequestKind::Ack,
            Method::Cancel => RequestKind::Other,
            method => {
                self.check_cseq(req.head.cseq.seq)?;
                self.dispatch(method, req)?
            }
        };
        Ok(DialogRequest {
            id: self.id.clone(),
            kind,
        })
    }

    fn check_cseq(&mut self, seq: u32) -> Result<(), DialogError> {
        if let Some(last) = self.remote_seq.filter(|last| seq <= *last) {
            return Err(DialogError::CSeqOutOfOrder { got: seq, last });
        }
        self.remote_seq = Some(seq);
        Ok(())
    }

    fn dispatch(&mut self, method: &Method, req: &Request) -> Result<RequestKind, DialogError> {
        Ok(match method {
            Method::Bye => {
                self.state = DialogState::Terminated;
                RequestKind::Bye
            }
            Method::Invite => {
                if self.sent_invite.is_some() {
                    return Err(DialogError::RequestPending);
                }
                if self.received_invite.is_some() {
                    return Err(DialogError::InviteInProgress);
                }
                self.received_invite = Some(req.head.cseq.seq);
                self.refresh_target(&req.head);
                RequestKind::ReInvite
            }
            Method::Refer => {
                let refer_to = req
                    .head
                    .headers
                    .get(&HeaderName::ReferTo)
                    .and_then(|v| NameAddr::parse(v).ok())
                    .ok_or(DialogError::MissingReferTo)?;
                RequestKind::Refer { refer_to }
            }
            Method::Info => RequestKind::Info,
            Method::Update => {
                self.refresh_target(&req.head);
                RequestKind::Other
            }
            _ => RequestKind::Other,
        })
    }

    /// A response the peer sent to a request we sent within this dialog. A final response
    /// ends our INVITE in progress; a 2xx to an INVITE or UPDATE refreshes the remote target;
    /// a 2xx to the initial INVITE confirms an early dialog (recomputing the route set) and
    /// any other final response to it terminates the dialog, as do 408 and 481 (§12.2.1.2).
    pub fn handle_response(&mut self, resp: &Response) -> Result<(), DialogError> {
        if DialogId::uac(&resp.head).as_ref() != Some(&self.id) {
            return Err(DialogError::NoDialog);
        }
        if self.state == DialogState::Terminated || resp.status.is_provisional() {
            return Ok(());
        }
        let (seq, method) = (resp.head.cseq.seq, &resp.head.cseq.method);
        let is_invite = *method == Method::Invite;
        if is_invite && self.sent_invite == Some(seq) {
            self.sent_invite = None;
        }
        let initial = is_invite && seq == self.initial_cseq && self.state == DialogState::Early;
        if resp.status.is_success() {
            if initial {
                self.route_set = record_route(&resp.head)?;
                self.route_set.reverse();
                self.state = DialogState::Confirmed;
            }
            if is_invite || *method == Method::Update {
                self.refresh_target(&resp.head);
            }
        } else if initial || ends_dialog(resp.status) {
            self.state = DialogState::Terminated;
        }
        Ok(())
    }

    /// A response we send to a request the peer sent within this dialog. A final response
    /// ends their INVITE in progress; for the initial INVITE a 2xx confirms an early dialog
    /// and anything else terminates it. A 2xx to an INVITE or UPDATE with a Contact updates
    /// our Contact.
    pub fn on_response_sent(&mut self, resp: &Response) -> Result<(), DialogError> {
        if DialogId::uas(&resp.head).as_ref() != Some(&self.id) {
            return Err(DialogError::NoDialog);
        }
        if self.state == DialogState::Terminated || resp.status.is_provisional() {
            return Ok(());
        }
        let (seq, method) = (resp.head.cseq.seq, &resp.head.cseq.method);
        let is_invite = *method == Method::Invite;
        if is_invite && self.received_invite == Some(seq) {
            self.received_invite = None;
        }
        if is_invite && seq == self.initial_cseq && self.state == DialogState::Early {
            self.state = if resp.status.is_success() {
                DialogState::Confirmed
            } else {
                DialogState::Terminated
            };
        }
        if resp.status.is_success()
            && (is_invite || *method == Method::Update)
            && let Some(contact) = resp.head.contact()
        {
            self.local_contact = contact;
        }
        Ok(())
    }

    /// A target refresh: the remote target becomes the message's Contact, when it has one.
    fn refresh_target(&mut self, head: &Head) {
        if let Some(contact) = head.contact() {
            self.remote_target = contact.uri;
        }
    }
}

/// 408 and 481 to a request within a dialog end it (§12.2.1.2).
fn ends_dialog(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::CALL_DOES_NOT_EXIST
}
