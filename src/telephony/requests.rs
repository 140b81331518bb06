//! What the signalling core answers to each new request: out-of-dialog OPTIONS, INVITE and
//! REGISTER, and in-dialog BYE, re-INVITE, INFO and the rest, routed to their call. Every
//! refusal goes through [`UasError`] so it carries the right status and headers.

use std::time::Instant;

use rand::Rng;
use sip::{
    MediaType, Method, Peer, Request, RequestKind, Response, StatusCode, TransactionId, UasError,
    check_request, options_response, tag_from,
};

use super::call::CallCommand;
use super::signalling::{CallState, Core};
use super::summary::HangupCause;

/// Methods this UAS serves (the Allow header); REGISTER too when agents' phones may register.
pub(crate) const ALLOW: [Method; 7] = [
    Method::Invite,
    Method::Ack,
    Method::Cancel,
    Method::Bye,
    Method::Options,
    Method::Info,
    Method::Notify,
];

/// The methods served: [`ALLOW`], and REGISTER when `registrar` is true.
fn allowed(registrar: bool) -> Vec<Method> {
    let mut m = ALLOW.to_vec();
    if registrar {
        m.push(Method::Register);
    }
    m
}

fn allow_header(registrar: bool) -> String {
    let methods = allowed(registrar);
    let names: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
    names.join(", ")
}

impl Core {
    /// A new request (server transaction `id`).
    pub(crate) fn on_request(&mut self, now: Instant, id: TransactionId, req: Request, peer: Peer) {
        if let Err(rejection) = check_request(&req, &self.policy) {
            crate::metrics::metrics().sip_refused(crate::metrics::SipRefusal::BadRequest);
            self.refuse(now, id, &req, UasError::from(rejection));
            return;
        }
        if req.head.to.tag().is_some() {
            self.in_dialog(now, id, &req);
            return;
        }
        match req.method {
            Method::Invite => self.on_invite(now, id, req, peer),
            Method::Options => {
                let tag = self.tag();
                let allow = allowed(self.registrar.serves());
                let resp = options_response(&req, &allow, &[MediaType::sdp()], &[], &tag);
                self.respond(now, id, resp);
            }
            Method::Register if self.registrar.serves() => {
                self.on_register(now, id, &req, peer);
            }
            Method::Bye | Method::Info | Method::Update | Method::Prack | Method::Notify => {
                self.refuse(now, id, &req, UasError::Dialog(sip::DialogError::NoDialog));
            }
            _ => {
                let allow = allow_header(self.registrar.serves());
                self.refuse(now, id, &req, UasError::MethodNotAllowed { allow });
            }
        }
    }

    /// A request with a To tag: checked by its dialog, then acted on.
    fn in_dialog(&mut self, now: Instant, id: TransactionId, req: &Request) {
        let accepted = match self.dialogs.handle_request(req) {
            Ok(a) => a,
            Err(e) => return self.refuse(now, id, req, UasError::from(e)),
        };
        let call = self
            .calls
            .iter()
            .find(|(_, c)| c.dialog == accepted.id)
            .map(|(no, _)| *no);
        if call.is_none()
            && let Some(no) = self.leg_of(&accepted.id)
        {
            return self.leg_request(now, id, req, accepted.kind, no);
        }

        match accepted.kind {
            RequestKind::Bye => {
                self.respond(now, id, Response::for_request(req, StatusCode::OK));
                if let Some(no) = call {
                    self.end_call(no, HangupCause::CallerBye);
                }
            }
            RequestKind::ReInvite => match call {
                Some(no) => self.on_reinvite(now, id, req, no),
                None => self.refuse(now, id, req, UasError::Dialog(sip::DialogError::NoDialog)),
            },
            RequestKind::Info => {
                self.respond(now, id, Response::for_request(req, StatusCode::OK));
                if let (Some(no), Some(digit)) = (call, dtmf_relay_digit(req)) {
                    self.command(no, CallCommand::Digit(digit));
                }
            }
            RequestKind::Ack => {}
            _ if req.method == Method::Notify => self.on_notify(now, id, req, call),
            _ if req.method == Method::Options => {
                let allow = allowed(self.registrar.serves());
                let resp = options_response(req, &allow, &[MediaType::sdp()], &[], "");
                self.respond(now, id, resp);
            }
            _ => self.refuse(now, id, req, UasError::NotImplemented),
        }
    }

    /// A REGISTER from an agent's phone: answered by the registrar; a wrong password counts
    /// against the source like a failed call.
    fn on_register(&mut self, now: Instant, id: TransactionId, req: &Request, peer: Peer) {
        let tag = self.tag();
        let (resp, verdict) = self.registrar.handle(now, req, peer, &tag);
        if verdict == super::registrar::Verdict::AuthFailed {
            crate::metrics::metrics().sip_refused(crate::metrics::SipRefusal::AuthFailed);
            self.admission.strike(now, peer.addr.ip());
            tracing::info!(source = %peer.addr.ip(), "REGISTER refused: wrong credentials");
        }
        self.respond(now, id, resp);
        self.report_phones_now();
    }

    /// Sends a command to an answered call.
    pub(crate) fn command(&mut self, no: u64, cmd: CallCommand) {
        if let Some(CallState::Active(tx)) = self.calls.get(&no).map(|c| &c.state)
            && tx.try_send(cmd).is_err()
        {
            tracing::warn!(call = no, "call task busy: command dropped");
        }
    }

    /// Answers `req` with the response for `err` (nothing when none is due).
    pub(crate) fn refuse(&mut self, now: Instant, id: TransactionId, req: &Request, err: UasError) {
        let tag = self.tag();
        let random = self.rng.random();
        if let Some(resp) = err.response(req, &tag, random) {
            self.respond(now, id, resp);
        }
    }

    /// Sends `resp` on server transaction `id`.
    pub(crate) fn respond(&mut self, now: Instant, id: TransactionId, resp: Response) {
        if let Err(e) = self.txl.respond(now, id, resp) {
            tracing::debug!(error = %e, "response not sent");
        }
    }

    /// A fresh To tag.
    pub(crate) fn tag(&mut self) -> String {
        tag_from(self.rng.random())
    }
}

/// The digit of an INFO with an `application/dtmf-relay` body (`Signal=5`).
pub(crate) fn dtmf_relay_digit(req: &Request) -> Option<char> {
    let ct = req.head.content_type()?;
    if !ct.subtype.to_ascii_lowercase().contains("dtmf") {
        return None;
    }
    let body = std::str::from_utf8(&req.body).ok()?;
    let line = body
        .lines()
        .find(|l| l.trim_start().to_ascii_lowercase().starts_with("signal"))?;
    let (_, value) = line.split_once('=')?;
    let c = value.trim().chars().next()?.to_ascii_uppercase();
    rtp::Digit::from_char(c).map(rtp::Digit::to_char)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn info(ct: &str, body: &str) -> Request {
        let text = format!(
            "INFO sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n\
             From: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>;tag=2\r\nCall-ID: x\r\n\
             CSeq: 3 INFO\r\nMax-Forwards: 70\r\nContent-Type: {ct}\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        match sip::Message::parse(text.as_bytes()).unwrap() {
            sip::Message::Request(r) => r,
            sip::Message::Response(_) => unreachable!(),
        }
    }

    #[test]
    fn dtmf_relay_bodies_give_their_digit() {
        let r = info("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
        assert_eq!(dtmf_relay_digit(&r), Some('5'));
        let r = info("application/dtmf-relay", "Signal= #\r\n");
        assert_eq!(dtmf_relay_digit(&r), Some('#'));
        let r = info("text/plain", "Signal=5\r\n");
        assert_eq!(dtmf_relay_digit(&r), None);
        let r = info("application/dtmf-relay", "Signal=x\r\n");
        assert_eq!(dtmf_relay_digit(&r), None);
    }

    #[test]
    fn allow_lists_the_served_methods() {
        assert_eq!(
            allow_header(false),
            "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY"
        );
        assert_eq!(
            allow_header(true),
            "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, REGISTER"
        );
    }
}
