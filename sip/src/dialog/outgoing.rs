//! Requests we send within a dialog (RFC 3261 §12.2.1.1): Request-URI and Route from the
//! remote target and the route set (loose or strict routing), CSeq, tags, Contact; and the
//! re-INVITE retry interval after a 491 (§14.1).

use std::time::Duration;

use super::{Dialog, DialogError, DialogState};
use crate::builder::{MAX_FORWARDS, push_routes};
use crate::headers::{CSeq, HeaderName, Headers, MediaType, NameAddr, Via};
use crate::message::{Head, Request};
use crate::method::Method;
use crate::uri::Uri;

impl Dialog {
    /// A request of `method` within the dialog, with the next local CSeq and the caller's
    /// Via (a fresh branch). ACK takes the CSeq number of our last INVITE instead (see
    /// [`Dialog::ack_for_2xx`]); CANCEL is not an in-dialog request. An INVITE is refused
    /// while another is in progress in either direction (§14.1); a BYE ends the dialog.
    pub fn request(&mut self, method: Method, via: Via) -> Result<Request, DialogError> {
        match method {
            Method::Cancel => return Err(DialogError::NotAllowed(method)),
            Method::Ack => {
                let seq = self.last_invite.ok_or(DialogError::NotAllowed(method))?;
                return Ok(self.build(Method::Ack, seq, via));
            }
            _ => {}
        }
        if self.state == DialogState::Terminated {
            return Err(DialogError::Terminated);
        }
        if method == Method::Bye && self.state == DialogState::Early && !self.owner {
            return Err(DialogError::NotAllowed(method));
        }
        if method == Method::Invite
            && (self.sent_invite.is_some() || self.received_invite.is_some())
        {
            return Err(DialogError::InviteInProgress);
        }
        let seq = self.next_local_seq()?;
        let req = self.build(method.clone(), seq, via);
        match method {
            Method::Invite => {
                self.sent_invite = Some(seq);
                self.last_invite = Some(seq);
            }
            Method::Bye => self.state = DialogState::Terminated,
            _ => {}
        }
        Ok(req)
    }

    /// The ACK for a 2xx to the INVITE whose CSeq was `invite_cseq` (RFC 3261 §13.2.2.4):
    /// same CSeq number, method ACK, routed like any in-dialog request, no body (add one with
    /// [`Request::with_body`] when the 2xx carried the offer). Allowed after the dialog
    /// terminated, to answer retransmitted 2xx.
    pub fn ack_for_2xx(&self, invite_cseq: &CSeq, via: Via) -> Request {
        self.build(Method::Ack, invite_cseq.seq, via)
    }

    /// A BYE (ends the dialog as soon as it is built, §15).
    pub fn bye(&mut self, via: Via) -> Result<Request, DialogError> {
        self.request(Method::Bye, via)
    }

    /// A re-INVITE carrying our new SDP offer: hold is `a=sendonly` or `a=inactive` (or the
    /// legacy `c=0.0.0.0`), resume is `a=sendrecv`. The dialog does not read the SDP.
    pub fn reinvite(&mut self, via: Via, sdp: Vec<u8>) -> Result<Request, DialogError> {
        Ok(self
            .request(Method::Invite, via)?
            .with_body(&MediaType::sdp(), sdp))
    }

    /// An INFO (RFC 6086) with a body, e.g. `application/dtmf-relay`. An Info-Package header
    /// can be added to the returned request.
    pub fn info(
        &mut self,
        via: Via,
        content_type: &MediaType,
        body: Vec<u8>,
    ) -> Result<Request, DialogError> {
        Ok(self
            .request(Method::Info, via)?
            .with_body(content_type, body))
    }

    /// How long to wait before retrying our re-INVITE after a 491 (RFC 3261 §14.1), from a
    /// caller-supplied random number: 2.1–4 s if we own the Call-ID, 0–2 s otherwise, in
    /// units of 10 ms. The caller arms the timer.
    pub fn retry_after_491(&self, random: u32) -> Duration {
        let tens_of_ms = if self.owner {
            210 + random % 191
        } else {
            random % 201
        };
        Duration::from_millis(u64::from(tens_of_ms) * 10)
    }

    fn next_local_seq(&mut self) -> Result<u32, DialogError> {
        let next = match self.local_seq {
            None => 1,
            Some(s) => s
                .checked_add(1)
                .filter(|n| *n < 1 << 31)
                .ok_or(DialogError::CSeqExhausted)?,
        };
        self.local_seq = Some(next);
        Ok(next)
    }

    /// Assembles an in-dialog request.
    fn build(&self, method: Method, seq: u32, via: Via) -> Request {
        let (uri, routes) = self.uri_and_routes();
        let mut headers = Headers::new();
        push_routes(&mut headers, &routes);
        if method != Method::Bye {
            headers.push(HeaderName::Contact, self.local_contact.to_string());
        }
        let mut from = self.local_uri.clone();
        from.set_tag(&self.id.local_tag);
        let mut to = self.remote_uri.clone();
        if !self.id.remote_tag.is_empty() {
            to.set_tag(&self.id.remote_tag);
        }
        let head = Head {
            via: vec![via],
            from,
            to,
            call_id: self.id.call_id.clone(),
            cseq: CSeq {
                seq,
                method: method.clone(),
            },
            max_forwards: Some(MAX_FORWARDS),
            headers,
        };
        Request {
            method,
            uri,
            head,
            body: Vec::new(),
        }
    }

    /// Request-URI and Route headers (§12.2.1.1). With no route set: the remote target, no
    /// Route. A loose-routing first hop (`lr`): the remote target, Route = route set. A
    /// strict-routing first hop: that URI becomes the Request-URI, Route = the rest of the
    /// route set followed by the remote target.
    fn uri_and_routes(&self) -> (Uri, Vec<NameAddr>) {
        let Some(first) = self.route_set.first() else {
            return (self.remote_target.clone(), Vec::new());
        };
        if is_loose(first) {
            return (self.remote_target.clone(), self.route_set.clone());
        }
        let mut routes: Vec<NameAddr> = self.route_set.iter().skip(1).cloned().collect();
        routes.push(NameAddr::new(self.remote_target.clone()));
        (request_uri(&first.uri), routes)
    }
}

fn is_loose(route: &NameAddr) -> bool {
    route.uri.as_sip().is_some_and(|u| u.params.contains("lr"))
}

/// A Route URI used as Request-URI, without what a Request-URI may not carry (§19.1.1:
/// the `method` parameter and headers).
fn request_uri(uri: &Uri) -> Uri {
    let mut uri = uri.clone();
    if let Uri::Sip(u) = &mut uri {
        u.params.remove("method");
        u.headers.clear();
    }
    uri
}
