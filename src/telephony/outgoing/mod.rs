//! A call's second leg in the signalling core: voxgate as a back-to-back user agent rings a
//! human agent's phones — every registered binding at once (a desk phone and a softphone),
//! else its configured address — with an INVITE each carrying the same offer, answers a
//! digest challenge once per phone when `[center.outbound]` gives credentials, ACKs the
//! first 2xx, cancels the other phones (a 2xx of theirs that crosses the CANCEL is ACKed
//! and hung up) and hands the answered leg's media to the call task. CANCEL while it rings,
//! BYE once up; the agent's requests in the dialog are `in_dialog`'s. One leg per call.

mod in_dialog;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Instant;

use rand::Rng;
use sip::sdp::{self, LocalCaps, SessionDescription};
use sip::{
    DialogId, HeaderName, Host, MediaType, Method, NameAddr, Peer, Request, RequestBuilder,
    Response, TransactionId, Transport, Uri, call_id_from, tag_from,
};

use super::call::{CallCommand, LegMedia, LocalSource};
use super::logic::LegEvent;
use super::media::MediaParams;
use super::ports::PortLease;
use super::signalling::Core;

/// Phones of one agent rung at once, at most (the registrar keeps as many bindings).
const MAX_FORKS: usize = super::registrar::MAX_CONTACTS;

/// One phone rung: its INVITE, the transaction and where it goes.
struct Attempt {
    invite: Request,
    tx: TransactionId,
    hop: Peer,
    authed: bool,
}

/// One call's second leg.
pub(crate) struct OutLeg {
    agent: String,
    /// The phones still ringing (before the answer); the answering one (after).
    attempts: Vec<Attempt>,
    /// Where the answered phone is (in-dialog requests go there).
    hop: Peer,
    offer: SessionDescription,
    caps: LocalCaps,
    /// The RTP socket and port until the leg is answered (then the call task owns them).
    media: Option<(UdpSocket, PortLease)>,
    pub(crate) dialog: Option<DialogId>,
    rang: bool,
    up: bool,
    /// The last refusal, told when every phone refused.
    refused: Option<u16>,
}

/// Where an agent's phone is: the Request-URI and the next hop.
struct Target {
    uri: Uri,
    hop: Peer,
}

impl Core {
    /// The logic of call `no` asks to ring `agent`.
    pub(crate) fn dial_agent(&mut self, now: Instant, no: u64, agent: &str) {
        match self.try_dial(now, no, agent) {
            Ok(()) => tracing::info!(call = no, %agent, "ringing an agent"),
            Err(why) => {
                tracing::info!(call = no, %agent, %why, "agent not rung");
                self.command(no, CallCommand::Leg(LegEvent::Failed(None)));
            }
        }
    }

    fn try_dial(&mut self, now: Instant, no: u64, agent: &str) -> Result<(), String> {
        if self.legs.contains_key(&no) {
            return Err("the call already has a second leg".into());
        }
        if !self.calls.contains_key(&no) {
            return Err("the call is gone".into());
        }
        let targets = self.targets(agent)?;
        let (lease, socket) = self.bind_rtp().map_err(str::to_owned)?;
        let session_id = self.rng.random_range(1..u64::from(u32::MAX));
        let caps = LocalCaps::new(self.cfg.advertise.to_string(), lease.port(), session_id);
        let offer = sdp::offer(&caps);
        let mut attempts = Vec::new();
        for target in targets {
            match self.ring(now, no, target, &offer) {
                Ok(a) => attempts.push(a),
                Err(e) => tracing::info!(call = no, %agent, error = %e, "a phone not rung"),
            }
        }
        let hop = attempts.first().ok_or("no phone could be rung")?.hop;
        self.legs.insert(
            no,
            OutLeg {
                agent: agent.to_owned(),
                attempts,
                hop,
                offer,
                caps,
                media: Some((socket, lease)),
                dialog: None,
                rang: false,
                up: false,
                refused: None,
            },
        );
        Ok(())
    }

    /// Sends `offer` to one phone of call `no`'s agent.
    fn ring(
        &mut self,
        now: Instant,
        no: u64,
        target: Target,
        offer: &SessionDescription,
    ) -> Result<Attempt, String> {
        let transport = target.hop.transport;
        let host = host_of(self.cfg.advertise);
        let from = NameAddr::parse(&format!("\"voxgate\" <sip:voxgate@{}>", self.local_addr()))
            .map_err(|e| e.to_string())?;
        let to = NameAddr::new(target.uri.clone());
        let via = self.via(transport);
        let contact = NameAddr::parse(&self.contact(transport)).map_err(|e| e.to_string())?;
        let invite = RequestBuilder::new(Method::Invite, target.uri)
            .from(from, &tag_from(self.rng.random()))
            .to(to)
            .call_id(call_id_from(self.rng.random(), &host))
            .cseq(1)
            .via(via)
            .contact(contact)
            .body(&MediaType::sdp(), offer.to_string().into_bytes())
            .build()
            .map_err(|e| e.to_string())?;
        let tx = self
            .txl
            .send_request(now, invite.clone(), target.hop)
            .map_err(|e| e.to_string())?;
        self.requests.insert(tx, invite.clone());
        self.leg_tx.insert(tx, no);
        Ok(Attempt {
            invite,
            tx,
            hop: target.hop,
            authed: false,
        })
    }

    /// Where `agent`'s phones are: every registration, newest first, else its configured URI.
    fn targets(&self, agent: &str) -> Result<Vec<Target>, String> {
        let bound: Vec<Target> = self
            .registrar
            .bindings_of(agent)
            .into_iter()
            .take(MAX_FORKS)
            .map(|b| Target {
                uri: b.uri.clone(),
                hop: b.source,
            })
            .collect();
        if !bound.is_empty() {
            return Ok(bound);
        }
        let uri = self
            .cfg
            .agent_uris
            .get(agent)
            .ok_or("the agent's phone is not registered and has no configured uri")?;
        let uri = Uri::parse(uri).map_err(|e| e.to_string())?;
        let sip = uri.as_sip().ok_or("not a SIP URI")?;
        let ip = match &sip.host {
            Host::V4(v4) => IpAddr::V4(*v4),
            Host::V6(v6) => IpAddr::V6(*v6),
            Host::Domain(d) => return Err(format!("{d}: names are not resolved, give an address")),
        };
        let tcp = sip
            .params
            .get("transport")
            .flatten()
            .is_some_and(|t| t.eq_ignore_ascii_case("tcp"));
        let transport = if tcp { Transport::Tcp } else { Transport::Udp };
        let port = sip.port.unwrap_or(5060);
        Ok(vec![Target {
            hop: Peer::new(SocketAddr::new(ip, port), transport),
            uri,
        }])
    }

    /// A response on a leg's INVITE transaction `id`; `dialog` is what the dialog layer
    /// made of it.
    pub(crate) fn leg_response(&mut self, now: Instant, id: TransactionId, resp: &Response) {
        if let Some(hop) = self.cancelled_legs.get(&id).copied() {
            return self.answered_too_late(now, id, hop, resp);
        }
        let Some(no) = self.leg_tx.get(&id).copied() else {
            return;
        };
        let status = resp.status;
        if status.is_success() {
            // The mapping stays: a retransmitted 2xx (our ACK lost) is ACKed again.
            return self.leg_answered(now, no, id, resp);
        }
        if status.is_final() {
            self.leg_tx.remove(&id);
        }
        if matches!(status.code(), 180 | 183) {
            if let Some(leg) = self.legs.get_mut(&no).filter(|l| !l.rang) {
                leg.rang = true;
                self.command(no, CallCommand::Leg(LegEvent::Ringing));
            }
            return;
        }
        if !status.is_final() {
            return;
        }
        if matches!(status.code(), 401 | 407) && self.retry_with_credentials(now, no, id, resp) {
            return;
        }
        self.attempt_over(no, id, Some(status.code()));
    }

    /// One phone of call `no`'s leg refused (`status`) or never answered: when it was the
    /// last one ringing, the leg failed.
    fn attempt_over(&mut self, no: u64, id: TransactionId, status: Option<u16>) {
        let Some(leg) = self.legs.get_mut(&no).filter(|l| !l.up) else {
            return;
        };
        leg.attempts.retain(|a| a.tx != id);
        leg.refused = status.or(leg.refused);
        if !leg.attempts.is_empty() {
            return;
        }
        let refused = leg.refused;
        if let Some(leg) = self.legs.remove(&no) {
            tracing::info!(call = no, agent = %leg.agent, status = ?refused, "agent leg refused");
            self.command(no, CallCommand::Leg(LegEvent::Failed(refused)));
        }
    }

    /// A phone's INVITE got no final answer.
    pub(crate) fn leg_timed_out(&mut self, id: TransactionId) {
        if let Some(no) = self.leg_tx.remove(&id) {
            self.attempt_over(no, id, None);
        }
    }

    /// A 2xx on phone `id`: ACK it (again, for a retransmission); the first answer wins —
    /// the other phones are cancelled — and starts the leg's media.
    fn leg_answered(&mut self, now: Instant, no: u64, id: TransactionId, resp: &Response) {
        let Some(dialog) = DialogId::uac(&resp.head) else {
            return;
        };
        let Some(leg) = self.legs.get_mut(&no) else {
            return;
        };
        if leg.up && leg.dialog.as_ref() != Some(&dialog) {
            // Another phone answered too, at the same moment: it is hung up.
            let hop = leg.hop;
            return self.answered_too_late(now, id, hop, resp);
        }
        let Some(answering) = leg.attempts.iter().position(|a| a.tx == id) else {
            return;
        };
        leg.dialog = Some(dialog.clone());
        let a = &leg.attempts[answering];
        let (hop, cseq) = (a.hop, a.invite.head.cseq.clone());
        leg.hop = hop;
        let via = self.via(hop.transport);
        if let Some(d) = self.dialogs.get(&dialog) {
            let ack = d.ack_for_2xx(&cseq, via);
            self.txl.send_stateless(hop, ack.into());
        }
        let Some(leg) = self.legs.get_mut(&no) else {
            return;
        };
        if leg.up {
            return;
        }
        leg.up = true;
        // The answering phone stays (its retransmitted 2xx is ACKed again); the rest stop.
        let mut others = std::mem::take(&mut leg.attempts);
        leg.attempts.push(others.swap_remove(answering));
        for other in others {
            self.cancel_attempt(now, no, &other);
        }
        let Some(leg) = self.legs.get_mut(&no) else {
            return;
        };
        let params = std::str::from_utf8(&resp.body)
            .ok()
            .and_then(|t| SessionDescription::parse(t).ok())
            .and_then(|answer| sdp::accept_answer(&leg.offer, &answer).ok())
            .as_ref()
            .and_then(MediaParams::from_negotiated);
        let (Some(params), Some((socket, lease))) = (params, leg.media.take()) else {
            tracing::info!(
                call = no,
                "the agent's answer has no usable audio: hanging it up"
            );
            self.drop_leg(now, no);
            self.command(no, CallCommand::Leg(LegEvent::Failed(None)));
            return;
        };
        tracing::info!(call = no, agent = %leg.agent, "agent answered");
        let local = LocalSource {
            ssrc: self.rng.random(),
            seq: self.rng.random(),
            timestamp: self.rng.random(),
        };
        let rtcp = (!params.rtcp_mux)
            .then(|| SocketAddr::new(self.cfg.media_bind, lease.port() + 1))
            .and_then(|addr| super::invite::bind_nonblocking(addr).ok());
        let media = LegMedia {
            socket,
            rtcp,
            lease,
            params,
            local,
        };
        self.command(no, CallCommand::LegUp(Box::new(media)));
    }

    /// Answers a challenge to the leg's INVITE once, when credentials are configured.
    fn retry_with_credentials(
        &mut self,
        now: Instant,
        no: u64,
        id: TransactionId,
        resp: &Response,
    ) -> bool {
        let Some(auth) = self.cfg.outbound.clone() else {
            return false;
        };
        let Some(leg) = self
            .legs
            .get_mut(&no)
            .and_then(|l| l.attempts.iter_mut().find(|a| a.tx == id))
            .filter(|a| !a.authed)
        else {
            return false;
        };
        let proxy = resp.status.code() == 407;
        let (ask, give) = if proxy {
            (
                HeaderName::ProxyAuthenticate,
                HeaderName::ProxyAuthorization,
            )
        } else {
            (HeaderName::WwwAuthenticate, HeaderName::Authorization)
        };
        let challenges: Vec<sip::auth::Challenge> = resp
            .head
            .headers
            .get_all(&ask)
            .filter_map(|v| v.parse().ok())
            .collect();
        let Some(c) = sip::auth::choose_challenge(&challenges) else {
            return false;
        };
        let uri = leg.invite.uri.to_string();
        let cnonce = format!("{:016x}", rand::random::<u64>());
        let Ok(creds) = sip::auth::answer(c, &auth.0, &auth.1, "INVITE", &uri, &cnonce, 1) else {
            return false;
        };
        leg.authed = true;
        let mut invite = leg.invite.clone();
        invite.head.cseq.seq += 1;
        invite.head.headers.set(give, creds.to_string());
        let hop = leg.hop;
        let via = self.via(hop.transport);
        invite.head.via = vec![via];
        let Ok(tx) = self.txl.send_request(now, invite.clone(), hop) else {
            return false;
        };
        self.requests.insert(tx, invite.clone());
        self.leg_tx.insert(tx, no);
        if let Some(a) = self
            .legs
            .get_mut(&no)
            .and_then(|l| l.attempts.iter_mut().find(|a| a.tx == id))
        {
            a.invite = invite;
            a.tx = tx;
        }
        true
    }

    /// Ends call `no`'s second leg: CANCEL while it rings, BYE once answered.
    pub(crate) fn drop_leg(&mut self, now: Instant, no: u64) {
        let Some(leg) = self.legs.remove(&no) else {
            return;
        };
        self.leg_tx.retain(|_, n| *n != no);
        if !leg.up {
            for a in &leg.attempts {
                self.cancel_attempt(now, no, a);
            }
            return;
        }
        if let Some(dialog) = leg.dialog {
            self.bye_in(now, &dialog, leg.hop);
        }
    }

    /// Stops one phone ringing. Its 200 may cross our CANCEL: that dialog is ACKed and hung
    /// up (`answered_too_late`).
    fn cancel_attempt(&mut self, now: Instant, no: u64, a: &Attempt) {
        self.leg_tx.remove(&a.tx);
        if let Err(e) = self.txl.cancel(now, a.tx) {
            tracing::debug!(call = no, error = %e, "a ring not cancelled");
        }
        if self.cancelled_legs.len() < 1024 {
            self.cancelled_legs.insert(a.tx, a.hop);
        }
    }

    /// A final answer to a leg's INVITE after we cancelled it: a 2xx (the agent picked up as
    /// the caller left) is ACKed and hung up at once; anything final forgets it.
    fn answered_too_late(&mut self, now: Instant, id: TransactionId, hop: Peer, resp: &Response) {
        if !resp.status.is_final() {
            return;
        }
        self.cancelled_legs.remove(&id);
        if !resp.status.is_success() {
            return;
        }
        let (Some(dialog), Some(invite)) = (DialogId::uac(&resp.head), self.requests.get(&id))
        else {
            return;
        };
        let cseq = invite.head.cseq.clone();
        let via = self.via(hop.transport);
        let Some(d) = self.dialogs.get(&dialog) else {
            return;
        };
        let ack = d.ack_for_2xx(&cseq, via);
        self.txl.send_stateless(hop, ack.into());
        self.bye_in(now, &dialog, hop);
        tracing::info!("an agent answered a cancelled ring: hung up");
    }

    /// Our SIP address (advertised IP and port).
    fn local_addr(&self) -> SocketAddr {
        SocketAddr::new(self.cfg.advertise, self.cfg.sip_port)
    }
}

fn host_of(ip: IpAddr) -> Host {
    match ip {
        IpAddr::V4(v4) => Host::V4(v4),
        IpAddr::V6(v6) => Host::V6(v6),
    }
}
