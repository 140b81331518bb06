//! INVITE handling in the signalling core: admission (call limit, shutdown → 503), the RTP
//! port and socket, the SDP answer (488 when nothing fits), 180 with our To tag, then 200
//! with the answer once the ring time has passed, which starts the call task; re-INVITEs
//! (hold, resume, new address) answered from the call's own capabilities.

use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

use rand::Rng;
use sip::sdp::{self, LocalCaps, SessionDescription};
use sip::{
    HeaderName, MediaType, Peer, Request, Response, StatusCode, TransactionId, Transport, UasError,
};
use tokio::sync::mpsc;

use super::call::{CallSetup, LocalSource};
use super::logic::CallInfo;
use super::media::MediaParams;
use super::ports::PortLease;
use super::signalling::{CallEntry, CallState, Core, RETRY_AFTER};
use super::summary::unix_ms;

/// Commands queued per call.
const CALL_QUEUE: usize = 16;
/// Ports tried when binding an RTP socket fails (taken by another process).
const BIND_ATTEMPTS: usize = 8;

/// An INVITE answered with 180 whose 200 is due after the ring time.
pub(crate) struct Pending {
    invite: Request,
    ok: Response,
    socket: UdpSocket,
    rtcp: Option<UdpSocket>,
    lease: PortLease,
    params: MediaParams,
    started_ms: u64,
}

/// Why an INVITE is refused before a call exists.
fn overloaded() -> UasError {
    UasError::Overloaded {
        retry_after: RETRY_AFTER,
    }
}

impl Core {
    /// A new INVITE (no To tag).
    pub(crate) fn on_invite(&mut self, now: Instant, id: TransactionId, req: Request, peer: Peer) {
        if self.stopping.is_some() || self.calls.len() >= self.cfg.max_calls {
            return self.refuse(now, id, &req, overloaded());
        }
        let offer = match parse_offer(&req) {
            Ok(o) => o,
            Err(e) => return self.refuse(now, id, &req, e),
        };
        let Some((lease, socket)) = self.bind_rtp() else {
            tracing::warn!("no RTP port free");
            return self.refuse(now, id, &req, overloaded());
        };
        let session_id = self.rng.random_range(1..u64::from(u32::MAX));
        let caps = LocalCaps::new(self.cfg.advertise.to_string(), lease.port(), session_id);
        let answer = match sdp::answer(&offer, &caps) {
            Ok(a) => a,
            Err(e) => return self.refuse(now, id, &req, UasError::from(e)),
        };
        let Some(params) = MediaParams::from_negotiated(&answer.audio) else {
            let e = UasError::from(sdp::NegotiationError::NoCommonCodec);
            return self.refuse(now, id, &req, e);
        };
        let rtcp = (!answer.audio.rtcp_mux)
            .then(|| bind_nonblocking(SocketAddr::new(self.cfg.media_bind, lease.port() + 1)).ok())
            .flatten();
        let tag = self.tag();
        let contact = self.contact(peer.transport);
        let ringing = Response::for_request(&req, StatusCode::RINGING)
            .with_to_tag(&tag)
            .with_header(HeaderName::Contact, contact.clone());
        let ok = Response::for_request(&req, StatusCode::OK)
            .with_to_tag(&tag)
            .with_header(HeaderName::Contact, contact)
            .with_body(&MediaType::sdp(), answer.sdp.to_string().into_bytes());
        let dialog = match self.dialogs.on_response_sent(&req, &ringing) {
            Ok(Some(d)) => d,
            _ => return self.refuse(now, id, &req, UasError::NotImplemented),
        };
        self.respond(now, id, ringing);
        let no = self.next_call;
        self.next_call += 1;
        tracing::info!(call = no, codec = ?answer.audio.codec, ptime = params.ptime_ms, port = lease.port(), "incoming call");
        let pending = Pending {
            invite: req.clone(),
            ok,
            socket,
            rtcp,
            lease,
            params,
            started_ms: unix_ms(),
        };
        self.calls.insert(
            no,
            CallEntry {
                call_id: req.head.call_id.clone(),
                dialog,
                peer,
                invite_tx: id,
                caps,
                state: CallState::Ringing(Box::new(pending)),
            },
        );
        self.by_invite.insert(id, no);
        self.ringing.push((now + self.cfg.ring, no));
        self.answer_due(now);
    }

    /// Answers every call whose ring time has passed.
    pub(crate) fn answer_due(&mut self, now: Instant) {
        let due: Vec<u64> = self
            .ringing
            .iter()
            .filter(|r| r.0 <= now)
            .map(|r| r.1)
            .collect();
        self.ringing.retain(|r| r.0 > now);
        for no in due {
            self.answer(now, no);
        }
    }

    /// Sends the 200 of a ringing call and starts its task.
    fn answer(&mut self, now: Instant, no: u64) {
        let (tx, rx) = mpsc::channel(CALL_QUEUE);
        let Some(entry) = self.calls.get_mut(&no) else {
            return;
        };
        let CallState::Ringing(_) = &entry.state else {
            return;
        };
        let CallState::Ringing(p) = std::mem::replace(&mut entry.state, CallState::Active(tx))
        else {
            return;
        };
        let (id, call_id) = (entry.invite_tx, entry.call_id.clone());
        let _ = self.dialogs.on_response_sent(&p.invite, &p.ok);
        self.respond(now, id, p.ok);
        let info = CallInfo {
            call_no: no,
            codec: if p.params.codec == rtp::G711::Ulaw {
                "PCMU"
            } else {
                "PCMA"
            },
            ptime_ms: p.params.ptime_ms,
        };
        let setup = CallSetup {
            call_no: no,
            call_id,
            started_ms: p.started_ms,
            socket: p.socket,
            rtcp_socket: p.rtcp,
            lease: p.lease,
            params: p.params,
            local: LocalSource {
                ssrc: self.rng.random(),
                seq: self.rng.random(),
                timestamp: self.rng.random(),
            },
            timeout: self.cfg.media_timeout,
            logic: (self.logic)(&info),
            commands: rx,
            events: self.events_tx.clone(),
            summaries: self.summaries.clone(),
        };
        self.tasks.spawn(super::call::run(setup));
    }

    /// Refuses a ringing call with 503 (shutdown began).
    pub(crate) fn reject_ringing(&mut self, no: u64) {
        self.ringing.retain(|r| r.1 != no);
        let Some(entry) = self.calls.remove(&no) else {
            return;
        };
        self.by_invite.remove(&entry.invite_tx);
        self.dialogs.remove(&entry.dialog);
        if let CallState::Ringing(p) = entry.state {
            let tag = entry.dialog.local_tag.clone();
            if let Some(resp) = overloaded().response(&p.invite, &tag, 0) {
                self.respond(Instant::now(), entry.invite_tx, resp);
            }
        }
    }

    /// A re-INVITE of call `no`: answered from the call's capabilities (same port), and the
    /// call task told the new direction and address.
    pub(crate) fn on_reinvite(&mut self, now: Instant, id: TransactionId, req: &Request, no: u64) {
        let Some(entry) = self.calls.get_mut(&no) else {
            return;
        };
        entry.caps.session_version += 1;
        let caps = entry.caps.clone();
        let transport = entry.peer.transport;
        let result =
            parse_offer(req).and_then(|offer| sdp::answer(&offer, &caps).map_err(UasError::from));
        let answer = match result {
            Ok(a) => a,
            Err(e) => return self.refuse(now, id, req, e),
        };
        let Some(params) = MediaParams::from_negotiated(&answer.audio) else {
            let e = UasError::from(sdp::NegotiationError::NoCommonCodec);
            return self.refuse(now, id, req, e);
        };
        let ok = Response::for_request(req, StatusCode::OK)
            .with_header(HeaderName::Contact, self.contact(transport))
            .with_body(&MediaType::sdp(), answer.sdp.to_string().into_bytes());
        let _ = self.dialogs.on_response_sent(req, &ok);
        self.respond(now, id, ok);
        tracing::info!(call = no, hold = params.on_hold, "re-INVITE");
        self.command(no, super::call::CallCommand::Update(params));
    }

    /// Our Contact for `transport`.
    fn contact(&self, transport: Transport) -> String {
        let addr = SocketAddr::new(self.cfg.advertise, self.cfg.sip_port);
        match transport {
            Transport::Tcp => format!("<sip:voxgate@{addr};transport=tcp>"),
            _ => format!("<sip:voxgate@{addr}>"),
        }
    }

    /// Leases a port and binds its RTP socket (non-blocking, for tokio).
    fn bind_rtp(&mut self) -> Option<(PortLease, UdpSocket)> {
        for _ in 0..BIND_ATTEMPTS {
            let lease = self.ports.lease()?;
            let addr = SocketAddr::new(self.cfg.media_bind, lease.port());
            match bind_nonblocking(addr) {
                Ok(s) => return Some((lease, s)),
                Err(e) => tracing::debug!(%addr, error = %e, "RTP port unavailable"),
            }
        }
        None
    }
}

/// The SDP offer of an INVITE (400 when it does not parse, 488 when absent: offerless
/// INVITEs are not supported yet).
fn parse_offer(req: &Request) -> Result<SessionDescription, UasError> {
    if req.body.is_empty() {
        return Err(UasError::from(sdp::NegotiationError::NoCommonCodec));
    }
    let text = std::str::from_utf8(&req.body)
        .map_err(|_| UasError::from(sdp::NegotiationError::NoCommonCodec))?;
    SessionDescription::parse(text).map_err(UasError::from)
}

/// A UDP socket bound to `addr`, non-blocking (for tokio).
fn bind_nonblocking(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    let socket = UdpSocket::bind(addr)?;
    socket.set_nonblocking(true)?;
    Ok(socket)
}
