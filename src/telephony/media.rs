//! One call's RTP session, sans-IO: datagrams and the current time go in, datagrams to send
//! come out through a callback, frames and digits go to the [`CallLogic`]. Glues the `rtp`
//! engines (ReceiverStats, JitterBuffer, G.711, DtmfReceiver/DtmfSender, RTCP) together with
//! symmetric-RTP latching and the media timeout. Every buffer is allocated here, once, so the
//! per-frame path does not allocate. Owns no socket and no timer: `call.rs` does.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtp::{
    Digit, DtmfEvent, DtmfPacket, DtmfReceiver, DtmfSender, DtmfTiming, G711, JitterBuffer,
    JitterConfig, NtpTime, PacketKind, Playout, ReceiverStats, RtcpPacket, RtpHeader, RtpPacket,
    SdesChunk, SenderStats, SourceDescription, classify,
};
use sip::sdp::{Codec, Direction, NegotiatedAudio};

use super::logic::{CallAction, CallLogic};
use super::summary::Flow;

/// The G.711 clock rate.
const CLOCK: u32 = 8000;
/// Largest payload accepted: 60 ms of G.711.
const MAX_PAYLOAD: usize = 480;
/// Interval between our RTCP reports (RFC 3550 minimum for small sessions).
pub(crate) const RTCP_INTERVAL: Duration = Duration::from_secs(5);

/// Where a datagram goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dest {
    /// RTP (and muxed RTCP) through the RTP socket.
    Rtp(SocketAddr),
    /// RTCP through the RTCP socket (no rtcp-mux).
    Rtcp(SocketAddr),
}

/// What the session needs from the SDP negotiation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MediaParams {
    pub(crate) codec: G711,
    pub(crate) payload_type: u8,
    pub(crate) telephone_event: Option<u8>,
    pub(crate) ptime_ms: u32,
    pub(crate) remote: Option<SocketAddr>,
    pub(crate) rtcp_mux: bool,
    pub(crate) send: bool,
    pub(crate) on_hold: bool,
}

impl MediaParams {
    /// The parameters of a negotiated stream; `None` for a codec other than G.711.
    pub(crate) fn from_negotiated(a: &NegotiatedAudio) -> Option<MediaParams> {
        let codec = match a.codec {
            Codec::Pcmu => G711::Ulaw,
            Codec::Pcma => G711::Alaw,
            _ => return None,
        };
        let ip: Option<IpAddr> = a.remote_addr.parse().ok();
        Some(MediaParams {
            codec,
            payload_type: a.payload_type,
            telephone_event: a.telephone_event_pt,
            ptime_ms: if a.ptime_ms == 30 { 30 } else { 20 },
            remote: ip
                .filter(|ip| !ip.is_unspecified() && a.remote_port != 0)
                .map(|ip| SocketAddr::new(ip, a.remote_port)),
            rtcp_mux: a.rtcp_mux,
            send: matches!(a.direction, Direction::SendRecv | Direction::SendOnly),
            on_hold: a.on_hold,
        })
    }
}

/// Our identity on the wire, drawn by the caller.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocalSource {
    pub(crate) ssrc: u32,
    pub(crate) seq: u16,
    pub(crate) timestamp: u32,
}

/// One call's RTP session.
pub(crate) struct MediaSession {
    p: MediaParams,
    spf: usize,
    ptime: Duration,
    local: LocalSource,
    start: Instant,
    last_frame: Option<u64>,
    marker: bool,
    latched: Option<SocketAddr>,
    latched_rtcp: Option<SocketAddr>,
    remote_ssrc: Option<u32>,
    rx: ReceiverStats,
    tx: SenderStats,
    jitter: JitterBuffer,
    dtmf_rx: DtmfReceiver,
    dtmf_tx: Option<(DtmfSender, Option<DtmfPacket>)>,
    dtmf_queue: VecDeque<Digit>,
    lost_earlier: i64,
    sent: Flow,
    received: Flow,
    last_rtp: Instant,
    timeout: Duration,
    next_rtcp: Instant,
    lost_run: usize,
    digits: String,
    payload: Vec<u8>,
    pcm_in: Vec<i16>,
    pcm_prev: Vec<i16>,
    pcm_out: Vec<i16>,
    packet: Vec<u8>,
    rtcp: Vec<u8>,
}

impl MediaSession {
    /// A session starting at `now` that hangs up after `timeout` without RTP.
    pub(crate) fn new(
        p: MediaParams,
        local: LocalSource,
        now: Instant,
        timeout: Duration,
    ) -> MediaSession {
        let spf = usize::try_from(p.ptime_ms * CLOCK / 1000).unwrap_or(160);
        let jitter = JitterBuffer::new(JitterConfig {
            samples_per_frame: u32::try_from(spf).unwrap_or(160),
            max_payload: MAX_PAYLOAD,
            ..JitterConfig::default()
        });
        MediaSession {
            ptime: Duration::from_millis(u64::from(p.ptime_ms)),
            p,
            spf,
            local,
            start: now,
            last_frame: None,
            marker: true,
            latched: None,
            latched_rtcp: None,
            remote_ssrc: None,
            rx: ReceiverStats::new(CLOCK),
            tx: SenderStats::new(CLOCK),
            jitter,
            dtmf_rx: DtmfReceiver::new(Duration::from_millis(500)),
            dtmf_tx: None,
            dtmf_queue: VecDeque::with_capacity(8),
            lost_earlier: 0,
            sent: Flow::default(),
            received: Flow::default(),
            last_rtp: now,
            timeout,
            next_rtcp: now + RTCP_INTERVAL,
            lost_run: 0,
            digits: String::with_capacity(32),
            payload: vec![0; MAX_PAYLOAD],
            pcm_in: vec![0; spf],
            pcm_prev: vec![0; spf],
            pcm_out: vec![0; spf],
            packet: vec![0; rtp::RTP_HEADER_LEN + MAX_PAYLOAD],
            rtcp: Vec::with_capacity(256),
        }
    }

    /// The packet time.
    pub(crate) fn ptime(&self) -> Duration {
        self.ptime
    }

    /// A re-INVITE changed the stream: new direction, hold state or address. The codec and
    /// packet time stay (a change would need a new session). A new address drops the latch.
    pub(crate) fn update(&mut self, now: Instant, p: MediaParams) {
        if p.remote != self.p.remote {
            self.latched = None;
            self.latched_rtcp = None;
        }
        if self.p.on_hold && !p.on_hold {
            self.last_rtp = now;
        }
        self.p = MediaParams {
            codec: self.p.codec,
            payload_type: self.p.payload_type,
            ptime_ms: self.p.ptime_ms,
            ..p
        };
    }

    /// Whether no RTP has arrived for the timeout while not on hold.
    pub(crate) fn timed_out(&self, now: Instant) -> bool {
        !self.p.on_hold && now.saturating_duration_since(self.last_rtp) >= self.timeout
    }

    /// A datagram that arrived on the RTP socket (RTP, or RTCP when muxed).
    pub(crate) fn receive(
        &mut self,
        now: Instant,
        data: &[u8],
        from: SocketAddr,
        logic: &mut dyn CallLogic,
    ) {
        match classify(data) {
            PacketKind::Rtcp => self.receive_rtcp(now, data, from),
            PacketKind::Rtp => self.receive_rtp(now, data, from, logic),
            PacketKind::Other => {}
        }
    }

    fn receive_rtp(
        &mut self,
        now: Instant,
        data: &[u8],
        from: SocketAddr,
        logic: &mut dyn CallLogic,
    ) {
        let Ok(packet) = RtpPacket::parse(data) else {
            return;
        };
        let pt = packet.payload_type();
        let is_audio = pt == self.p.payload_type;
        if !is_audio && Some(pt) != self.p.telephone_event {
            return;
        }
        if self.remote_ssrc != Some(packet.ssrc()) {
            self.new_source(packet.ssrc());
        }
        self.latched.get_or_insert(from);
        self.last_rtp = now;
        self.received.packets += 1;
        self.received.bytes += packet.payload().len() as u64;
        self.rx
            .on_packet(now, packet.sequence(), packet.timestamp());
        if is_audio {
            self.jitter.push(
                now,
                packet.sequence(),
                packet.timestamp(),
                packet.marker(),
                packet.payload(),
            );
            return;
        }
        if self
            .dtmf_rx
            .handle_packet(now, packet.timestamp(), packet.payload())
            .is_ok()
        {
            self.drain_dtmf(now, logic);
        }
    }

    /// The caller's SSRC changed (or is first seen): per-source state starts over.
    fn new_source(&mut self, ssrc: u32) {
        if self.remote_ssrc.is_some() {
            self.lost_earlier += self.rx.lost().max(0);
            self.rx = ReceiverStats::new(CLOCK);
            self.jitter.reset();
        }
        self.remote_ssrc = Some(ssrc);
    }

    fn drain_dtmf(&mut self, now: Instant, logic: &mut dyn CallLogic) {
        while let Some(ev) = self.dtmf_rx.poll_event() {
            if let DtmfEvent::Started { digit, .. } = ev {
                let c = digit.to_char();
                if self.digits.len() < 64 {
                    self.digits.push(c);
                }
                logic.on_dtmf(now, c);
            }
        }
    }

    /// A datagram that arrived on the RTCP socket (or muxed): sender reports feed the
    /// round-trip estimate; everything else is only latched.
    pub(crate) fn receive_rtcp(&mut self, now: Instant, data: &[u8], from: SocketAddr) {
        let Ok(packets) = rtp::parse_compound(data) else {
            return;
        };
        self.latched_rtcp.get_or_insert(from);
        for p in packets {
            if let RtcpPacket::SenderReport(sr) = p
                && Some(sr.ssrc) == self.remote_ssrc
            {
                self.rx.on_sender_report(now, sr.ntp_time);
            }
        }
    }

    /// A digit the caller sent out of band (SIP INFO).
    pub(crate) fn info_digit(&mut self, now: Instant, digit: char, logic: &mut dyn CallLogic) {
        if self.digits.len() < 64 {
            self.digits.push(digit);
        }
        logic.on_dtmf(now, digit);
    }

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
        self.latched.or(self.p.remote)
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
            if let Ok(len) = header.write_packet(&bytes, &mut self.packet) {
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
                self.latched_rtcp
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
        if rtp::write_compound(&[report, sdes], &mut self.rtcp).is_ok() {
            send(dest, &self.rtcp);
        }
    }

    /// Our SSRC, the caller's, what went each way, losses (all sources) and jitter in ms.
    pub(crate) fn totals(&self) -> Totals {
        Totals {
            local_ssrc: self.local.ssrc,
            remote_ssrc: self.remote_ssrc,
            sent: self.sent,
            received: self.received,
            lost: self.lost_earlier + self.rx.lost().max(0),
            jitter_ms: f64::from(self.rx.jitter()) * 1000.0 / f64::from(CLOCK),
            digits: self.digits.clone(),
        }
    }
}

/// A session's counters for the call summary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Totals {
    pub(crate) local_ssrc: u32,
    pub(crate) remote_ssrc: Option<u32>,
    pub(crate) sent: Flow,
    pub(crate) received: Flow,
    pub(crate) lost: i64,
    pub(crate) jitter_ms: f64,
    pub(crate) digits: String,
}

#[cfg(test)]
#[path = "media_tests.rs"]
mod tests;
