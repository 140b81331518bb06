//! The sending half of the RTP session: the per-packet-time tick (play one frame to the call
//! logic, send one frame or a DTMF packet to the caller) and the periodic RTCP report.

use std::net::SocketAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rtp::{
    Digit, DtmfSender, DtmfTiming, NtpTime, Playout, RtcpPacket, RtpHeader, SdesChunk,
    SourceDescription,
};

use super::{CLOCK, Dest, MediaSession, RTCP_INTERVAL};
use crate::telephony::logic::{CallAction, CallLogic};

impl MediaSession {
    /// One packet time: plays a frame to the logic, sends one frame (or DTMF) to the caller,
    /// and RTCP when due. Returns the logic's hang-up request, if any.
    pub(crate) fn tick(
        &mut self,
        now: Instant,
        logic: &mut dyn CallLogic,
        send: &mut dyn FnMut(Dest, &[u8]),
    ) -> bool {
        self.dtmf_rx.handle_timeout(now);
        self.drain_dtmf(now, logic);
        self.play(now, logic);
        self.pcm_out.fill(0);
        logic.fill_outgoing(now, &mut self.pcm_out);
        let mut hangup = false;
        while let Some(action) = logic.poll_action() {
            match action {
                CallAction::Hangup => hangup = true,
                a @ (CallAction::Transfer(_) | CallAction::DialAgent(_) | CallAction::DropLeg) => {
                    if self.signalling.len() < 8 {
                        self.signalling.push_back(a);
                    }
                }
                CallAction::SendDtmf(c) => {
                    if let Some(d) = Digit::from_char(c)
                        && self.dtmf_queue.len() < 32
                    {
                        self.dtmf_queue.push_back(d);
                    }
                }
            }
        }
        let timestamp = self.frame_timestamp(now);
        if let Some(dest) = self.rtp_dest().filter(|_| self.p.send)
            && !self.send_dtmf(now, timestamp, dest, send)
        {
            self.send_audio(now, timestamp, dest, send);
        }
        if now >= self.next_rtcp {
            self.next_rtcp = now + RTCP_INTERVAL;
            self.send_report(now, send);
        }
        hangup
    }

    /// The next thing the logic asked of signalling on the last tick, if any.
    pub(crate) fn take_signalling(&mut self) -> Option<CallAction> {
        self.signalling.pop_front()
    }

    /// Plays the next frame of the jitter buffer (decoded, concealed or silent) to the logic.
    fn play(&mut self, now: Instant, logic: &mut dyn CallLogic) {
        match self.jitter.pop(now, &mut self.payload) {
            Playout::Frame(n) => {
                let n = n.min(self.spf);
                self.p
                    .codec
                    .decode_into(&self.payload[..n], &mut self.pcm_in[..n]);
                self.pcm_in[n..].fill(0);
                self.pcm_prev.copy_from_slice(&self.pcm_in);
                self.lost_run = 0;
            }
            Playout::Concealed => {
                self.lost_run += 1;
                rtp::conceal(&self.pcm_prev, self.lost_run, &mut self.pcm_in);
            }
            Playout::Empty => self.pcm_in.fill(0),
        }
        logic.on_caller_audio(now, &self.pcm_in);
    }

    /// The RTP timestamp of the frame due at `now`: media time follows the wall clock, so
    /// ticks the runtime skipped leave a timestamp gap instead of drift.
    fn frame_timestamp(&mut self, now: Instant) -> u32 {
        let elapsed = now.saturating_duration_since(self.start).as_micros();
        let frame_us = self.ptime.as_micros().max(1);
        let mut frame = u64::try_from(elapsed / frame_us).unwrap_or(u64::MAX);
        if let Some(last) = self.last_frame
            && frame <= last
        {
            frame = last + 1;
        }
        self.last_frame = Some(frame);
        let samples = frame.wrapping_mul(self.spf as u64) as u32;
        self.local.timestamp.wrapping_add(samples)
    }

    /// Where RTP goes: where the caller's RTP comes from (symmetric RTP), else the SDP address.
    fn rtp_dest(&self) -> Option<SocketAddr> {
        self.guard.rtp_dest(self.p.remote)
    }

    fn send_audio(
        &mut self,
        now: Instant,
        timestamp: u32,
        dest: SocketAddr,
        send: &mut dyn FnMut(Dest, &[u8]),
    ) {
        let mut header = RtpHeader::new(
            self.p.payload_type,
            self.local.seq,
            timestamp,
            self.local.ssrc,
        );
        header.marker = std::mem::take(&mut self.marker);
        let payload = &mut self.payload[..self.spf];
        self.p.codec.encode_into(&self.pcm_out, payload);
        let Ok(len) = header.write_packet(payload, &mut self.packet) else {
            return;
        };
        let Some(len) = protect(&mut self.crypto, &mut self.packet, len) else {
            return;
        };
        send(Dest::Rtp(dest), &self.packet[..len]);
        self.count_sent(now, timestamp, self.spf);
    }

    /// Sends the DTMF packets due; true while a key press is on the wire (audio is muted).
    fn send_dtmf(
        &mut self,
        now: Instant,
        timestamp: u32,
        dest: SocketAddr,
        send: &mut dyn FnMut(Dest, &[u8]),
    ) -> bool {
        let Some(pt) = self.p.telephone_event else {
            self.dtmf_queue.clear();
            return false;
        };
        if self.dtmf_tx.is_none() {
            let Some(digit) = self.dtmf_queue.pop_front() else {
                return false;
            };
            let mut sender = DtmfSender::new(digit, now, timestamp, CLOCK, DtmfTiming::default());
            let first = sender.next();
            self.dtmf_tx = Some((sender, first));
        }
        let Some((sender, pending)) = self.dtmf_tx.as_mut() else {
            return false;
        };
        while let Some(p) = pending.filter(|p| p.send_at <= now) {
            let mut header = RtpHeader::new(pt, self.local.seq, p.timestamp, self.local.ssrc);
            header.marker = p.marker;
            let bytes = p.event.to_bytes();
            if let Some(len) = header
                .write_packet(&bytes, &mut self.packet)
                .ok()
                .and_then(|len| protect(&mut self.crypto, &mut self.packet, len))
            {
                send(Dest::Rtp(dest), &self.packet[..len]);
                self.local.seq = self.local.seq.wrapping_add(1);
                self.sent.packets += 1;
                self.sent.bytes += bytes.len() as u64;
            }
            *pending = sender.next();
        }
        if pending.is_none() {
            self.dtmf_tx = None;
            self.marker = true;
        }
        true
    }

    fn count_sent(&mut self, now: Instant, timestamp: u32, len: usize) {
        self.local.seq = self.local.seq.wrapping_add(1);
        self.tx.on_sent(now, timestamp, len);
        self.sent.packets += 1;
        self.sent.bytes += len as u64;
    }

    /// An SR (once we have sent) or RR, with SDES, to the caller's RTCP address.
    fn send_report(&mut self, now: Instant, send: &mut dyn FnMut(Dest, &[u8])) {
        let Some(rtp_dest) = self.rtp_dest() else {
            return;
        };
        let dest = if self.p.rtcp_mux {
            Dest::Rtp(rtp_dest)
        } else {
            let port = rtp_dest.port().wrapping_add(1);
            Dest::Rtcp(
                self.guard
                    .rtcp_dest()
                    .unwrap_or_else(|| SocketAddr::new(rtp_dest.ip(), port)),
            )
        };
        let ssrc = self.local.ssrc;
        let blocks: Vec<_> = self
            .remote_ssrc
            .and_then(|r| self.rx.report_block(r, now))
            .into_iter()
            .collect();
        let report = if self.sent.packets > 0 {
            let wall = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            RtcpPacket::SenderReport(self.tx.sender_report(
                ssrc,
                now,
                NtpTime::from_unix(wall),
                blocks,
            ))
        } else {
            RtcpPacket::ReceiverReport(rtp::ReceiverReport {
                ssrc,
                reports: blocks,
            })
        };
        let sdes = RtcpPacket::SourceDescription(SourceDescription {
            chunks: vec![SdesChunk {
                ssrc,
                cname: Some("voxgate".into()),
            }],
        });
        self.rtcp.clear();
        if rtp::write_compound(&[report, sdes], &mut self.rtcp).is_err() {
            return;
        }
        match self.crypto.as_mut() {
            None => send(dest, &self.rtcp),
            Some(c) => {
                if let Some(srtcp) = c.protect_rtcp(&self.rtcp) {
                    send(dest, srtcp);
                }
            }
        }
    }
}

/// Encrypts the RTP packet `packet[..len]` when the call is SRTP; its length on the wire
/// (`None`: not sent).
fn protect(crypto: &mut Option<super::Crypto>, packet: &mut [u8], len: usize) -> Option<usize> {
    match crypto.as_mut() {
        None => Some(len),
        Some(c) => c.protect_rtp(packet, len),
    }
}
