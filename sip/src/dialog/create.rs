//! Dialog creation (RFC 3261 §12.1): the UAS side from an INVITE and the 1xx/2xx we send,
//! the UAC side from our INVITE and a 1xx/2xx we receive.

use super::{Dialog, DialogError, DialogId, DialogState};
use crate::headers::{HeaderName, NameAddr};
use crate::message::{Head, Request, Response};
use crate::method::Method;

impl Dialog {
    /// The UAS side: `invite` arrived and we send `response` (a 101–199 with our To tag, or
    /// a 2xx). The route set is the INVITE's Record-Route in order, the remote target its
    /// Contact; our Contact is the response's.
    pub fn uas(invite: &Request, response: &Response) -> Result<Dialog, DialogError> {
        if !creates_dialog(invite, response) {
            return Err(DialogError::CannotCreate);
        }
        let id = DialogId::uas(&response.head).ok_or(DialogError::CannotCreate)?;
        let remote_target = invite
            .head
            .contact()
            .ok_or(DialogError::MissingContact)?
            .uri;
        let local_contact = response.head.contact().ok_or(DialogError::MissingContact)?;
        let early = !response.status.is_success();
        let seq = invite.head.cseq.seq;
        Ok(Dialog {
            id,
            state: if early {
                DialogState::Early
            } else {
                DialogState::Confirmed
            },
            owner: false,
            local_seq: None,
            remote_seq: Some(seq),
            local_uri: without_tag(&invite.head.to),
            remote_uri: without_tag(&invite.head.from),
            remote_target,
            route_set: record_route(&invite.head)?,
            secure: is_secure(invite),
            local_contact,
            initial_cseq: seq,
            last_invite: None,
            sent_invite: None,
            received_invite: early.then_some(seq),
        })
    }

    /// The UAC side: we sent `invite` and received `response` (a 101–199 with a To tag, or
    /// a 2xx). The route set is the response's Record-Route reversed, the remote target its
    /// Contact (a provisional response without one leaves the Request-URI).
    pub fn uac(invite: &Request, response: &Response) -> Result<Dialog, DialogError> {
        if !creates_dialog(invite, response) {
            return Err(DialogError::CannotCreate);
        }
        let id = DialogId::uac(&response.head).ok_or(DialogError::CannotCreate)?;
        let early = !response.status.is_success();
        let remote_target = match response.head.contact() {
            Some(c) => c.uri,
            None if early => invite.uri.clone(),
            None => return Err(DialogError::MissingContact),
        };
        let local_contact = invite.head.contact().ok_or(DialogError::MissingContact)?;
        let mut route_set = record_route(&response.head)?;
        route_set.reverse();
        let seq = invite.head.cseq.seq;
        Ok(Dialog {
            id,
            state: if early {
                DialogState::Early
            } else {
                DialogState::Confirmed
            },
            owner: true,
            local_seq: Some(seq),
            remote_seq: None,
            local_uri: without_tag(&invite.head.from),
            remote_uri: without_tag(&invite.head.to),
            remote_target,
            route_set,
            secure: is_secure(invite),
            local_contact,
            initial_cseq: seq,
            last_invite: Some(seq),
            sent_invite: early.then_some(seq),
            received_invite: None,
        })
    }
}

/// An initial INVITE (no To tag) and a 101–299 response to it carrying a To tag.
pub(super) fn creates_dialog(req: &Request, resp: &Response) -> bool {
    req.method == Method::Invite
        && req.head.to.tag().is_none()
        && resp.head.cseq.method == Method::Invite
        && resp.head.cseq.seq == req.head.cseq.seq
        && resp.head.call_id == req.head.call_id
        && resp.status.code() > 100
        && resp.status.code() < 300
        && resp.head.to.tag().is_some()
}

/// The Record-Route addresses, top first.
pub(super) fn record_route(head: &Head) -> Result<Vec<NameAddr>, DialogError> {
    head.addresses(&HeaderName::RecordRoute)
        .map_err(|_| DialogError::BadHeader(HeaderName::RecordRoute))
}

fn without_tag(addr: &NameAddr) -> NameAddr {
    let mut a = addr.clone();
    a.params.remove("tag");
    a
}

/// RFC 3261 §12.1.1/§12.1.2: TLS (on the hop the topmost Via describes) and a SIPS
/// Request-URI.
fn is_secure(invite: &Request) -> bool {
    let sips = invite.uri.as_sip().is_some_and(|u| u.secure);
    let tls = invite
        .head
        .top_via()
        .is_some_and(|v| v.transport == "TLS" || v.transport == "WSS");
    sips && tls
}
