//! A call's second leg in the signalling core: voxgate as a back-to-back user agent rings a
//! human agent's phone (its registered binding, else its configured address) with an
//! INVITE carrying our offer, answers a digest challenge once when `[center.outbound]`
//! gives credentials, ACKs the 2xx and hands the answered leg's media to the call task.
//! CANCEL while it rings, BYE once up; the agent's BYE, re-INVITE and INFO reach the call
//! as leg commands. One leg per call.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Instant;

use rand::Rng;
use sip::sdp::{self, LocalCaps, SessionDescription};
use sip::{
    DialogId, HeaderName, Host, MediaType, Method, NameAddr, Peer, Request, RequestBuilder,
    Response, StatusCode, TransactionId, Transport, Uri, call_id_from, tag_from,
};

use super::call::{CallCommand, LegMedia, LocalSource};
use super::logic::LegEvent;
use super::media::MediaParams;
use super::ports::PortLease;
use super::signalling::Core;

/// One call's second leg.
pub(crate) struct OutLeg {
    agent: String,
    invite: Request,
    tx: TransactionId,
    hop: Peer,
    offer: SessionDescription,
    caps: LocalCaps,
    /// The RTP socket and port until the leg is answered (then the call task owns them).
    media: Option<(UdpSocket, PortLease)>,
    pub(crate) dialog: Option<DialogId>,
    rang: bool,
    authed: bool,
    up: bool,
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
        let target = self.target(agent)?;
        let (lease, socket) = self.bind_rtp().map_err(str::to_owned)?;
        let session_id = self.rng.random_range(1..u64::from(u32::MAX));
        let caps = LocalCaps::new(self.cfg.advertise.to_string(), lease.port(), session_id);
        let offer = sdp::offer(&caps);
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
        self.legs.insert(
            no,
            OutLeg {
                agent: agent.to_owned(),
                invite,
                tx,
                hop: target.hop,
                offer,
                caps,
                media: Some((socket, lease)),
                dialog: None,
                rang: false,
                authed: false,
                up: false,
            },
        );
        Ok(())
    }

    /// Where `agent`'s phone is: its newest registration, else its configured URI.
    fn target(&self, agent: &str) -> Result<Target, String> {
        if let Some(b) = self.registrar.lookup(agent) {
            return Ok(Target {
                uri: b.uri.clone(),
                hop: b.source,
            });
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
        Ok(Target {
            hop: Peer::new(SocketAddr::new(ip, port), transport),
            uri,
        })
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
            return self.leg_answered(now, no, resp);
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
        if matches!(status.code(), 401 | 407) && self.retry_with_credentials(now, no, resp) {
            return;
        }
        if let Some(leg) = self.legs.remove(&no) {
            tracing::info!(call = no, agent = %leg.agent, status = status.code(), "agent leg refused");
            self.command(no, CallCommand::Leg(LegEvent::Failed(Some(status.code()))));
        }
    }

    /// The leg's INVITE got no final answer.
    pub(crate) fn leg_timed_out(&mut self, id: TransactionId) {
        if let Some(no) = self.leg_tx.remove(&id)
            && self.legs.get(&no).is_some_and(|l| !l.up)
        {
            self.legs.remove(&no);
            self.command(no, CallCommand::Leg(LegEvent::Failed(None)));
        }
    }

    /// A 2xx: ACK it (again, for a retransmission) and start the leg's media.
    fn leg_answered(&mut self, now: Instant, no: u64, resp: &Response) {
        let Some(dialog) = DialogId::uac(&resp.head) else {
            return;
        };
        let Some(leg) = self.legs.get_mut(&no) else {
            return;
        };
        leg.dialog = Some(dialog.clone());
        let (hop, cseq, transport) = (leg.hop, leg.invite.head.cseq.clone(), leg.hop.transport);
        let via = self.via(transport);
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
        let media = LegMedia {
            socket,
            lease,
            params,
            local,
        };
        self.command(no, CallCommand::LegUp(Box::new(media)));
    }

    /// Answers a challenge to the leg's INVITE once, when credentials are configured.
    fn retry_with_credentials(&mut self, now: Instant, no: u64, resp: &Response) -> bool {
        let Some(auth) = self.cfg.outbound.clone() else {
            return false;
        };
        let Some(leg) = self.legs.get_mut(&no).filter(|l| !l.authed) else {
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
        if let Some(leg) = self.legs.get_mut(&no) {
            leg.invite = invite;
            leg.tx = tx;
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
            if let Err(e) = self.txl.cancel(now, leg.tx) {
                tracing::debug!(call = no, error = %e, "leg not cancelled");
            }
            // Its 200 may cross our CANCEL: that dialog is ACKed and hung up.
            if self.cancelled_legs.len() < 1024 {
                self.cancelled_legs.insert(leg.tx, leg.hop);
            }
            return;
        }
        let Some(dialog) = leg.dialog else { return };
        let via = self.via(leg.hop.transport);
        let Some(d) = self.dialogs.get_mut(&dialog) else {
            return;
        };
        if let Ok(bye) = d.bye(via)
            && let Ok(id) = self.txl.send_request(now, bye.clone(), leg.hop)
        {
            self.requests.insert(id, bye);
            self.byes.insert(id);
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
        let (via, bye_via) = (self.via(hop.transport), self.via(hop.transport));
        let Some(d) = self.dialogs.get_mut(&dialog) else {
            return;
        };
        let ack = d.ack_for_2xx(&cseq, via);
        let bye = d.bye(bye_via).ok();
        self.txl.send_stateless(hop, ack.into());
        if let Some(bye) = bye
            && let Ok(tx) = self.txl.send_request(now, bye.clone(), hop)
        {
            self.requests.insert(tx, bye);
            self.byes.insert(tx);
        }
        tracing::info!("an agent answered a cancelled ring: hung up");
    }

    /// The call whose second leg is in `dialog`.
    pub(crate) fn leg_of(&self, dialog: &DialogId) -> Option<u64> {
        self.legs
            .iter()
            .find(|(_, l)| l.dialog.as_ref() == Some(dialog))
            .map(|(no, _)| *no)
    }

    /// A request in a leg's dialog: BYE ends the leg; a re-INVITE (hold) is answered from
    /// the leg's capabilities; INFO carries digits.
    pub(crate) fn leg_request(
        &mut self,
        now: Instant,
        id: TransactionId,
        req: &Request,
        kind: sip::RequestKind,
        no: u64,
    ) {
        match kind {
            sip::RequestKind::Bye => {
                self.respond(now, id, Response::for_request(req, StatusCode::OK));
                if let Some(leg) = self.legs.remove(&no) {
                    self.leg_tx.retain(|_, n| *n != no);
                    tracing::info!(call = no, agent = %leg.agent, "the agent hung up");
                }
                self.command(no, CallCommand::Leg(LegEvent::Ended));
            }
            sip::RequestKind::ReInvite => self.leg_reinvite(now, id, req, no),
            sip::RequestKind::Info => {
                self.respond(now, id, Response::for_request(req, StatusCode::OK));
                if let Some(d) = super::requests::dtmf_relay_digit(req) {
                    self.command(no, CallCommand::LegDigit(d));
                }
            }
            sip::RequestKind::Refer { refer_to } => self.leg_refer(now, id, req, &refer_to, no),
            sip::RequestKind::Ack => {}
            _ => self.refuse(now, id, req, sip::UasError::NotImplemented),
        }
    }

    /// The agent transfers the call (blind REFER) to another agent, named by the user part
    /// of Refer-To: 202, a NOTIFY that it is done, BYE to the agent, and the call told to
    /// ring the other agent. Anyone but a configured agent is refused with 403 (outside
    /// numbers need an outgoing trunk voxgate does not have yet).
    fn leg_refer(
        &mut self,
        now: Instant,
        id: TransactionId,
        req: &Request,
        refer_to: &NameAddr,
        no: u64,
    ) {
        let target = sip::sip_user(&refer_to.uri).filter(|u| self.is_agent(u));
        let Some(target) = target else {
            tracing::info!(
                call = no,
                "agent REFER to someone who is not an agent: refused"
            );
            let resp = Response::for_request(req, StatusCode::FORBIDDEN);
            return self.respond(now, id, resp);
        };
        self.respond(now, id, Response::for_request(req, StatusCode::ACCEPTED));
        let Some(leg) = self.legs.get(&no) else {
            return;
        };
        let (hop, dialog) = (leg.hop, leg.dialog.clone());
        let via = self.via(hop.transport);
        let notify = dialog.and_then(|d| self.dialogs.get_mut(&d)).and_then(|d| {
            d.refer_notify(via, Some(req.head.cseq.seq), StatusCode::OK)
                .ok()
        });
        if let Some(notify) = notify
            && let Ok(tx) = self.txl.send_request(now, notify.clone(), hop)
        {
            self.requests.insert(tx, notify);
        }
        tracing::info!(call = no, to = %target, "the agent transferred the call");
        self.drop_leg(now, no);
        self.command(no, CallCommand::Leg(LegEvent::Referred(target)));
    }

    /// Whether `id` names a configured agent.
    fn is_agent(&self, id: &str) -> bool {
        self.cfg.agent_uris.contains_key(id) || self.registrar.knows(id)
    }

    fn leg_reinvite(&mut self, now: Instant, id: TransactionId, req: &Request, no: u64) {
        let Some(leg) = self.legs.get_mut(&no) else {
            return;
        };
        leg.caps.session_version += 1;
        let (caps, transport) = (leg.caps.clone(), leg.hop.transport);
        let offer = std::str::from_utf8(&req.body)
            .ok()
            .and_then(|t| SessionDescription::parse(t).ok());
        let answered = offer.and_then(|o| sdp::answer(&o, &caps).ok());
        let Some(answer) = answered else {
            let e = sip::UasError::from(sdp::NegotiationError::NoCommonCodec);
            return self.refuse(now, id, req, e);
        };
        let Some(params) = MediaParams::from_negotiated(&answer.audio) else {
            let e = sip::UasError::from(sdp::NegotiationError::NoCommonCodec);
            return self.refuse(now, id, req, e);
        };
        let ok = Response::for_request(req, StatusCode::OK)
            .with_header(HeaderName::Contact, self.contact(transport))
            .with_body(&MediaType::sdp(), answer.sdp.to_string().into_bytes());
        let _ = self.dialogs.on_response_sent(req, &ok);
        self.respond(now, id, ok);
        tracing::info!(call = no, hold = params.on_hold, "agent re-INVITE");
        self.command(no, CallCommand::LegUpdate(params));
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
