//! The generator's messages and packets: INVITE with the offer, ACK and BYE, the 200's
//! answer (media address and key), and the protected media each way.
//!
//! Owns: the wire side of [`super::Uac`]. Must not touch: the schedule.

use std::net::SocketAddr;
use std::time::Instant;

use anyhow::Result;

use super::{Call, PAYLOAD, State, Uac};
use voxgate::rtp::{SrtpContext, SrtpSuite};
use voxgate::sip::sdp::{CryptoAttribute, SdesKey, SdesSuite, SessionDescription};

/// RTP header (12) + payload + the longest tag (10), rounded up.
const PACKET: usize = 12 + PAYLOAD + 16;

impl Uac {
    /// Sends the INVITE of call `i`.
    pub(super) fn invite(&mut self, i: usize) -> Result<()> {
        let port = self.calls[i].media.local_addr()?.port();
        let (proto, crypto) = if self.srtp {
            let key = SdesKey::new(self.calls[i].local_key);
            let attr = CryptoAttribute::new(1, SdesSuite::AesCm128HmacSha1_80, &key);
            ("RTP/SAVP", format!("a=crypto:{attr}\r\n"))
        } else {
            ("RTP/AVP", String::new())
        };
        let sdp = format!(
            "v=0\r\no=gen 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {port} {proto} 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
             a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n{crypto}"
        );
        let msg = self.request(i, "INVITE", 1, &sdp);
        let c = &mut self.calls[i];
        c.msg = msg;
        c.state = State::Inviting;
        c.first_sent = Instant::now();
        c.sent_at = c.first_sent;
        self.sip.send_to(c.msg.as_bytes(), self.target)?;
        Ok(())
    }

    /// A request of call `i`; an SDP `body` when not empty.
    pub(super) fn request(&self, i: usize, method: &str, cseq: u32, body: &str) -> String {
        let c = &self.calls[i];
        let local = self.sip.local_addr().unwrap_or(self.target);
        let uri = format!("sip:svc@{}", self.target);
        let to = if c.to.is_empty() {
            format!("<{uri}>")
        } else {
            c.to.clone()
        };
        let ctype = if body.is_empty() {
            ""
        } else {
            "Content-Type: application/sdp\r\n"
        };
        format!(
            "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-gen-{i}-{cseq}{method}-{}\r\n\
             From: <sip:gen@{local}>;tag=gen{i}\r\nTo: {to}\r\nCall-ID: {}\r\n\
             CSeq: {cseq} {method}\r\nContact: <sip:gen@{local}>\r\nMax-Forwards: 70\r\n\
             {ctype}Content-Length: {}\r\n\r\n{body}",
            std::process::id(),
            c.call_id,
            body.len()
        )
    }

    /// A SIP message from voxgate: final responses to INVITE and BYE.
    pub(super) fn on_sip(&mut self, data: &[u8]) -> Result<()> {
        let Some(r) = Response::parse(data) else {
            return Ok(());
        };
        let Some(&i) = self.by_id.get(&r.call_id) else {
            return Ok(());
        };
        match (self.calls[i].state, r.method.as_str(), r.code) {
            (State::Inviting, "INVITE", 200) => {
                let setup = self.calls[i].first_sent.elapsed();
                self.setup_us.push(setup.as_secs_f64() * 1e6);
                self.calls[i].to = r.to.clone();
                let ack = self.request(i, "ACK", 1, "");
                self.sip.send_to(ack.as_bytes(), self.target)?;
                self.answer(i, &r.body);
            }
            (State::Inviting, "INVITE", 300..) => self.calls[i].state = State::Failed,
            (State::Up, "INVITE", 200) => {
                // A retransmitted 200: ACK it again.
                let ack = self.request(i, "ACK", 1, "");
                self.sip.send_to(ack.as_bytes(), self.target)?;
            }
            (State::Byeing, "BYE", 200..) => self.calls[i].state = State::Done,
            _ => {}
        }
        Ok(())
    }

    /// The answer of call `i`: where to send media and, for SRTP, the contexts.
    fn answer(&mut self, i: usize, body: &str) {
        let srtp = self.srtp;
        let c: &mut Call = &mut self.calls[i];
        let Ok(sdp) = SessionDescription::parse(body) else {
            c.state = State::Failed;
            return;
        };
        let Some(m) = sdp.media.first().filter(|m| m.port != 0) else {
            c.state = State::Failed;
            return;
        };
        c.remote = Some(SocketAddr::new(self.target.ip(), m.port));
        c.state = State::Up;
        if !srtp {
            return;
        }
        let key = m
            .crypto_attributes()
            .into_iter()
            .find(|a| a.sdes_suite() == Some(SdesSuite::AesCm128HmacSha1_80))
            .and_then(|a| a.single_key());
        let suite = SrtpSuite::AesCm128HmacSha1_80;
        match key {
            Some(k) => {
                c.out = SrtpContext::new(suite, &c.local_key).ok();
                c.inbound = SrtpContext::new(suite, k.as_bytes()).ok();
            }
            None => {
                self.no_key += 1;
                c.state = State::Failed;
            }
        }
    }

    /// One 20 ms PCMU packet on call `i`.
    pub(super) fn send_media(&mut self, i: usize) -> Result<()> {
        let mut pkt = [0u8; PACKET];
        let c = &mut self.calls[i];
        let Some(remote) = c.remote else {
            return Ok(());
        };
        pkt[0] = 0x80;
        pkt[1] = 0;
        pkt[2..4].copy_from_slice(&c.seq.to_be_bytes());
        pkt[4..8].copy_from_slice(&c.ts.to_be_bytes());
        pkt[8..12].copy_from_slice(&c.ssrc.to_be_bytes());
        pkt[12..12 + PAYLOAD].copy_from_slice(&self.tone);
        let mut len = 12 + PAYLOAD;
        if let Some(out) = c.out.as_mut() {
            len = out.protect_rtp_in_place(&mut pkt, len)?;
        }
        c.seq = c.seq.wrapping_add(1);
        c.ts = c.ts.wrapping_add(PAYLOAD as u32);
        // A full socket buffer on loopback drops the packet; voxgate sees a loss.
        if c.media.send_to(&pkt[..len], remote).is_ok() {
            c.tx += 1;
        }
        Ok(())
    }

    /// Reads what call `i` received since the last tick; each packet must unprotect.
    pub(super) fn read_media(&mut self, i: usize) {
        let c = &mut self.calls[i];
        while let Ok(n) = c.media.recv(&mut self.buf) {
            let ok = match c.inbound.as_mut() {
                Some(ctx) => ctx.unprotect_rtp_in_place(&mut self.buf[..n]).is_ok(),
                None => n >= 12 && self.buf[0] >> 6 == 2,
            };
            if ok {
                c.rx_ok += 1;
            } else {
                c.rx_bad += 1;
            }
        }
    }
}

/// The parts of a response the generator needs.
struct Response {
    code: u16,
    method: String,
    call_id: String,
    to: String,
    body: String,
}

impl Response {
    fn parse(data: &[u8]) -> Option<Response> {
        let text = std::str::from_utf8(data).ok()?;
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
        let mut lines = head.split("\r\n");
        let code = lines
            .next()?
            .strip_prefix("SIP/2.0 ")?
            .get(..3)?
            .parse()
            .ok()?;
        let mut r = Response {
            code,
            method: String::new(),
            call_id: String::new(),
            to: String::new(),
            body: body.to_owned(),
        };
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "cseq" => r.method = value.split_whitespace().nth(1).unwrap_or("").to_owned(),
                "call-id" | "i" => r.call_id = value.to_owned(),
                "to" | "t" => r.to = value.to_owned(),
                _ => {}
            }
        }
        Some(r)
    }
}
