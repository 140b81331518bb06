//! INVITE handling in the signalling core: admission (call limit, shutdown → 503), the RTP
//! port and socket, the SDP answer (488 when nothing fits), 180 with our To tag, then 200
//! with the answer once the ring time has passed, which starts the call task; re-INVITEs
//! (hold, resume, new address) answered from the call's own capabilities. An INVITE without
//! SDP gets our offer in the 200, and the call starts when the ACK brings the answer.

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
use super::summary::{HangupCause, unix_ms};
use crate::metrics::{SipRefusal, metrics};
use crate::privacy::Redacted;

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
    /// The negotiated stream; `None` until the ACK answers our offer (offerless INVITE).
    params: Option<MediaParams>,
    /// Our offer, when the INVITE had none.
    offer: Option<SessionDescription>,
    pub(crate) started_ms: u64,
    /// When the INVITE arrived (for the setup-time metric).
    received: Instant,
}

impl Pending {
    /// The dialled user and the caller (From user) of the INVITE.
    fn parties(&self) -> (Option<String>, Redacted<Option<String>>) {
        let dialled = sip::sip_user(&self.invite.uri);
        let caller = sip::sip_user(&self.invite.head.from.uri);
        (dialled, Redacted::new(caller))
    }
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
        if !self.secure_enough(&req, peer) {
            let tag = self.tag();
            let resp = Response::for_request(&req, StatusCode::FORBIDDEN).with_to_tag(&tag);
            tracing::info!(source = %peer.addr.ip(), "call refused: TLS is required");
            metrics().sip_refused(SipRefusal::Insecure);
            return self.respond(now, id, resp);
        }
        if self.stopping.is_some() || self.calls.len() >= self.cfg.max_calls {
            metrics().sip_refused(SipRefusal::Busy);
            return self.refuse_busy(now, id, &req);
        }
        let offer = match parse_offer(&req) {
            Ok(o) => o,
            Err(e) => {
                metrics().sip_refused(SipRefusal::BadRequest);
                return self.refuse(now, id, &req, e);
            }
        };
        let (lease, socket) = match self.bind_rtp() {
            Ok(bound) => bound,
            Err(why) => {
                tracing::warn!(
                    free = self.ports.available(),
                    "{why}: call refused with 503"
                );
                metrics().sip_refused(SipRefusal::NoPorts);
                return self.refuse_busy(now, id, &req);
            }
        };
        let session_id = self.rng.random_range(1..u64::from(u32::MAX));
        // Our own offer (an offerless INVITE) is plain RTP unless SRTP is required: a peer
        // without SRTP cannot answer an RTP/SAVP offer.
        let srtp = match (&offer, self.srtp_policy()) {
            (None, sdp::SrtpPolicy::Optional(_)) => sdp::SrtpPolicy::Off,
            (_, policy) => policy,
        };
        let caps = LocalCaps::new(self.cfg.advertise.to_string(), lease.port(), session_id)
            .with_srtp(srtp);
        let (sdp_out, params, our_offer) = match offer {
            Some(offer) => match negotiate(&offer, &caps) {
                Ok((answer, params)) => (answer, Some(params), None),
                Err(e) => {
                    metrics().sip_refused(SipRefusal::BadRequest);
                    return self.refuse(now, id, &req, e);
                }
            },
            None => {
                let ours = sdp::offer(&caps);
                (ours.clone(), None, Some(ours))
            }
        };
        let rtcp_addr = SocketAddr::new(self.cfg.media_bind, lease.port() + 1);
        let rtcp = params
            .as_ref()
            .filter(|p| !p.rtcp_mux)
            .and_then(|_| bind_nonblocking(rtcp_addr).ok());
        let tag = self.tag();
        let contact = self.contact(peer.transport);
        let ringing = Response::for_request(&req, StatusCode::RINGING)
            .with_to_tag(&tag)
            .with_header(HeaderName::Contact, contact.clone());
        let ok = Response::for_request(&req, StatusCode::OK)
            .with_to_tag(&tag)
            .with_header(HeaderName::Contact, contact)
            .with_body(&MediaType::sdp(), sdp_out.to_string().into_bytes());
        let dialog = match self.dialogs.on_response_sent(&req, &ringing) {
            Ok(Some(d)) => d,
            _ => {
                metrics().sip_refused(SipRefusal::Other);
                return self.refuse(now, id, &req, UasError::NotImplemented);
            }
        };
        self.respond(now, id, ringing);
        let no = self.next_call;
        self.next_call += 1;
        tracing::info!(
            call = no,
            late_offer = params.is_none(),
            port = lease.port(),
            "incoming call"
        );
        let pending = Pending {
            invite: req.clone(),
            ok,
            socket,
            rtcp,
            lease,
            params,
            offer: our_offer,
            started_ms: unix_ms(),
            received: now,
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

    /// SDES-SRTP for a new call, with a fresh key: required with `sip.require_secure`,
    /// otherwise offered and accepted when the caller offers it.
    fn srtp_policy(&mut self) -> sdp::SrtpPolicy {
        let key = sdp::SdesKey::new(self.rng.random());
        if self.cfg.require_secure {
            sdp::SrtpPolicy::Required(key)
        } else {
            sdp::SrtpPolicy::Optional(key)
        }
    }

    /// Whether a call may start over this transport: `sips:` and `sip.require_secure` need
    /// TLS (RFC 5630: a SIPS URI is reached over TLS only).
    fn secure_enough(&self, req: &Request, peer: Peer) -> bool {
        let sips = req.uri.as_sip().is_some_and(|u| u.secure);
        peer.transport == Transport::Tls || !(sips || self.cfg.require_secure)
    }

    /// Refuses an INVITE with 503 + Retry-After (at capacity, or shutting down) and records
    /// the lost call.
    fn refuse_busy(&mut self, now: Instant, id: TransactionId, req: &Request) {
        self.refuse(now, id, req, overloaded());
        let no = self.next_call;
        self.next_call += 1;
        let cause = if self.stopping.is_some() {
            HangupCause::Shutdown
        } else {
            HangupCause::Busy
        };
        tracing::info!(call = no, cause = cause.as_str(), "call refused");
        self.record_unanswered(no, req.head.call_id.clone(), unix_ms(), cause);
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

    /// Sends the 200 of a ringing call and starts its task (or waits for the ACK's answer).
    fn answer(&mut self, now: Instant, no: u64) {
        let Some(mut entry) = self.calls.remove(&no) else {
            return;
        };
        let p = match std::mem::replace(&mut entry.state, CallState::Moving) {
            CallState::Ringing(p) => p,
            state => {
                entry.state = state;
                self.calls.insert(no, entry);
                return;
            }
        };
        let _ = self.dialogs.on_response_sent(&p.invite, &p.ok);
        self.respond(now, entry.invite_tx, p.ok.clone());
        metrics().call_setup(now.saturating_duration_since(p.received));
        match p.params.clone() {
            Some(params) => self.start_task(no, entry, *p, params),
            None => {
                entry.state = CallState::AwaitingAck(p);
                self.calls.insert(no, entry);
            }
        }
    }

    /// The ACK for our 200 arrived: for an offerless INVITE it carries the answer, and the
    /// call starts (or ends with BYE when the answer is missing or unusable).
    pub(crate) fn on_ack(&mut self, id: TransactionId, ack: &Request) {
        let Some(no) = self.by_invite.get(&id).copied() else {
            return;
        };
        let Some(mut entry) = self.calls.remove(&no) else {
            return;
        };
        let mut p = match std::mem::replace(&mut entry.state, CallState::Moving) {
            CallState::AwaitingAck(p) => p,
            state => {
                entry.state = state;
                self.calls.insert(no, entry);
                return;
            }
        };
        let audio = p.offer.as_ref().and_then(|offer| {
            let text = std::str::from_utf8(&ack.body).ok()?;
            let answer = SessionDescription::parse(text).ok()?;
            sdp::accept_answer(offer, &answer).ok()
        });
        match audio.as_ref().and_then(MediaParams::from_negotiated) {
            Some(params) => {
                if !params.rtcp_mux {
                    let addr = SocketAddr::new(self.cfg.media_bind, p.lease.port() + 1);
                    p.rtcp = bind_nonblocking(addr).ok();
                }
                self.start_task(no, entry, *p, params);
            }
            None => {
                tracing::info!(call = no, "the ACK brought no usable answer: hanging up");
                entry.state = CallState::AwaitingAck(p);
                self.calls.insert(no, entry);
                self.hang_up(no, HangupCause::MediaError);
            }
        }
    }

    /// Starts the task of an answered call and registers it.
    fn start_task(&mut self, no: u64, mut entry: CallEntry, p: Pending, params: MediaParams) {
        let (tx, rx) = mpsc::channel(CALL_QUEUE);
        metrics().call_started();
        let peer_ip = entry.peer.addr.ip();
        entry.state = CallState::Active(tx);
        let call_id = entry.call_id.clone();
        self.calls.insert(no, entry);
        let (dialled, caller) = p.parties();
        let info = CallInfo {
            call_no: no,
            call_id: Redacted::new(call_id.clone()),
            dialled,
            caller,
            codec: if params.codec == rtp::G711::Ulaw {
                "PCMU"
            } else {
                "PCMA"
            },
            ptime_ms: params.ptime_ms,
        };
        let setup = CallSetup {
            call_no: no,
            call_id,
            started_ms: p.started_ms,
            socket: p.socket,
            rtcp_socket: p.rtcp,
            lease: p.lease,
            params,
            local: LocalSource {
                ssrc: self.rng.random(),
                seq: self.rng.random(),
                timestamp: self.rng.random(),
            },
            timeout: self.cfg.media_timeout,
            source: (self.cfg.media_source, peer_ip),
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
        if let CallState::Ringing(p) = &entry.state {
            let tag = entry.dialog.local_tag.clone();
            if let Some(resp) = overloaded().response(&p.invite, &tag, 0) {
                self.respond(Instant::now(), entry.invite_tx, resp);
            }
        }
        self.end_entry(no, &entry, HangupCause::Shutdown);
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
        let no_offer = UasError::from(sdp::NegotiationError::NoCommonCodec);
        let result = parse_offer(req)
            .and_then(|offer| offer.ok_or(no_offer))
            .and_then(|offer| negotiate(&offer, &caps));
        let (answer, params) = match result {
            Ok(a) => a,
            Err(e) => return self.refuse(now, id, req, e),
        };
        let ok = Response::for_request(req, StatusCode::OK)
            .with_header(HeaderName::Contact, self.contact(transport))
            .with_body(&MediaType::sdp(), answer.to_string().into_bytes());
        let _ = self.dialogs.on_response_sent(req, &ok);
        self.respond(now, id, ok);
        tracing::info!(call = no, hold = params.on_hold, "re-INVITE");
        self.command(no, super::call::CallCommand::Update(params));
    }

    /// Our Contact for `transport`.
    pub(crate) fn contact(&self, transport: Transport) -> String {
        let addr = SocketAddr::new(self.cfg.advertise, self.cfg.sip_port);
        match transport {
            Transport::Tcp => format!("<sip:voxgate@{addr};transport=tcp>"),
            Transport::Tls => {
                let port = self.cfg.tls_port.unwrap_or(self.cfg.sip_port);
                let addr = SocketAddr::new(self.cfg.advertise, port);
                format!("<sip:voxgate@{addr};transport=tls>")
            }
            _ => format!("<sip:voxgate@{addr}>"),
        }
    }

    /// Leases a port and binds its RTP socket (non-blocking, for tokio); the error says
    /// precisely what ran out.
    pub(crate) fn bind_rtp(&mut self) -> Result<(PortLease, UdpSocket), &'static str> {
        let mut why = "no RTP port free: every port of media.rtp_port_min..max is in use";
        for _ in 0..BIND_ATTEMPTS {
            let lease = self.ports.lease(self.rng.random()).ok_or(why)?;
            let addr = SocketAddr::new(self.cfg.media_bind, lease.port());
            match bind_nonblocking(addr) {
                Ok(s) => return Ok((lease, s)),
                Err(e) if is_out_of_descriptors(&e) => {
                    return Err("out of file descriptors (raise `ulimit -n` or lower \
                                calls.max_calls / sip.limits.tcp_max_connections)");
                }
                Err(e) => {
                    tracing::debug!(%addr, error = %e, "RTP port unavailable");
                    why = "no RTP port could be bound: the free ones are taken by other programs";
                }
            }
        }
        Err(why)
    }
}

/// The SDP offer of an INVITE, `None` when it has no body (offerless INVITE); 400 when it
/// does not parse.
fn parse_offer(req: &Request) -> Result<Option<SessionDescription>, UasError> {
    if req.body.is_empty() {
        return Ok(None);
    }
    let text = std::str::from_utf8(&req.body)
        .map_err(|_| UasError::from(sdp::NegotiationError::NoCommonCodec))?;
    SessionDescription::parse(text)
        .map(Some)
        .map_err(UasError::from)
}

/// Our answer to `offer` and the stream it sets up (488 when nothing fits).
fn negotiate(
    offer: &SessionDescription,
    caps: &LocalCaps,
) -> Result<(SessionDescription, MediaParams), UasError> {
    let answer = sdp::answer(offer, caps)?;
    let params = MediaParams::from_negotiated(&answer.audio)
        .ok_or(UasError::from(sdp::NegotiationError::NoCommonCodec))?;
    Ok((answer.sdp, params))
}

/// Whether an I/O error is the process's or the system's descriptor table being full
/// (EMFILE 24, ENFILE 23).
pub(crate) fn is_out_of_descriptors(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(23 | 24))
}

/// A UDP socket bound to `addr`, non-blocking (for tokio).
pub(crate) fn bind_nonblocking(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    let socket = UdpSocket::bind(addr)?;
    socket.set_nonblocking(true)?;
    Ok(socket)
}
