//! Requests in an answered second leg's dialog: the agent's BYE ends the leg, a re-INVITE
//! (hold) is answered from the leg's capabilities, INFO carries digits, and a blind REFER to
//! another agent transfers the call (anyone else: 403).

use std::time::Instant;

use sip::sdp::{self, SessionDescription};
use sip::{
    DialogId, HeaderName, MediaType, NameAddr, Request, Response, StatusCode, TransactionId,
};

use super::super::call::CallCommand;
use super::super::logic::LegEvent;
use super::super::media::MediaParams;
use super::super::signalling::Core;

impl Core {
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
                if let Some(d) = super::super::requests::dtmf_relay_digit(req) {
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
}
