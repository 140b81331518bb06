//! One call's RTP session, sans-IO: datagrams and the current time go in, datagrams to send
//! come out through a callback, frames and digits go to the [`CallLogic`]. Glues the `rtp`
//! engines (ReceiverStats, JitterBuffer, G.711, DtmfReceiver/DtmfSender, RTCP) together with
//! symmetric-RTP latching and the media timeout. Every buffer is allocated here, once, so the
//! per-frame path does not allocate. Owns no socket and no timer: `call.rs` does.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rtp::{
    Digit, DtmfEvent, DtmfPacket, DtmfReceiver, DtmfSender, G711, JitterBuffer, JitterConfig,
    PacketKind, ReceiverStats, RtcpPacket, RtpPacket, SenderStats, classify,
};
use sip::sdp::{Codec, Direction, NegotiatedAudio};

use super::logic::{CallAction, CallLogic};
use super::summary::Flow;
use crate::config::MediaSource;
use crypto::Crypto;
use guard::SourceGuard;

#[path = "media_srtp.rs"]
mod crypto;
#[path = "media_guard.rs"]
mod guard;

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
    /// The SDES-SRTP keys, when the stream is SRTP.
    pub(crate) srtp: Option<sip::sdp::SrtpKeys>,
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
            srtp: a.srtp,
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
    guard: SourceGuard,
    crypto: Option<Crypto>,
    remote_ssrc: Option<u32>,
    rx: ReceiverStats,
    tx: SenderStats,
    jitter: JitterBuffer,
    dtmf_rx: DtmfReceiver,
    dtmf_tx: Option<(DtmfSender, Option<DtmfPacket>)>,
    dtmf_queue: VecDeque<Digit>,
    /// What the logic asked of signalling (transfer, second leg), until the call task
    /// takes it there.
    signalling: VecDeque<CallAction>,
    lost_earlier: i64,
    sent: Flow,
    received: Flow,
    last_rtp: Instant,
    timeout: Duration,
    next_rtcp: Instant,
    lost_run: usize,
    digits: u32,
    /// Packets from sources the guard refused.
    rejected: u64,
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
        let guard = SourceGuard::new(MediaSource::Signalling, ip_of(p.remote));
        let crypto = p.srtp.as_ref().and_then(Crypto::new);
        MediaSession {
            crypto,
            ptime: Duration::from_millis(u64::from(p.ptime_ms)),
            p,
            spf,
            local,
            start: now,
            last_frame: None,
            marker: true,
            guard,
            remote_ssrc: None,
            rx: ReceiverStats::new(CLOCK),
            tx: SenderStats::new(CLOCK),
            jitter,
            dtmf_rx: DtmfReceiver::new(Duration::from_millis(500)),
            dtmf_tx: None,
            dtmf_queue: VecDeque::with_capacity(8),
            signalling: VecDeque::new(),
            lost_earlier: 0,
            sent: Flow::default(),
            received: Flow::default(),
            last_rtp: now,
            timeout,
            next_rtcp: now + RTCP_INTERVAL,
            lost_run: 0,
            digits: 0,
            rejected: 0,
            payload: vec![0; MAX_PAYLOAD],
            pcm_in: vec![0; spf],
            pcm_prev: vec![0; spf],
            pcm_out: vec![0; spf],
            packet: vec![0; rtp::RTP_HEADER_LEN + MAX_PAYLOAD + rtp::MAX_SRTP_OVERHEAD],
            rtcp: Vec::with_capacity(256),
        }
    }

    /// Accepts media only as `policy` says, for a call whose signalling came from
    /// `signalling` (the default: the SDP host).
    pub(crate) fn with_source(mut self, policy: MediaSource, signalling: IpAddr) -> Self {
        self.guard = SourceGuard::new(policy, signalling);
        self
    }

    /// The packet time.
    pub(crate) fn ptime(&self) -> Duration {
        self.ptime
    }

    /// A re-INVITE changed the stream: new direction, hold state, address or codec. A new
    /// address drops the latch; a new codec or payload type empties the jitter buffer (its
    /// frames are in the old encoding). The packet time stays: our frames keep their size.
    pub(crate) fn update(&mut self, now: Instant, p: MediaParams) {
        if p.remote != self.p.remote {
            self.guard.unlock();
        }
        if self.p.on_hold && !p.on_hold {
            self.last_rtp = now;
        }
        if (p.codec, p.payload_type) != (self.p.codec, self.p.payload_type) {
            self.jitter.reset();
        }
        match &p.srtp {
            Some(keys) if !self.crypto.as_ref().is_some_and(|c| c.is_for(keys)) => {
                self.crypto = Crypto::new(keys);
            }
            None => self.crypto = None,
            Some(_) => {}
        }
        self.p = MediaParams {
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
        let kind = classify(data);
        if kind == PacketKind::Other {
            return;
        }
        let Some(crypto) = self.crypto.as_mut() else {
            return self.dispatch(now, kind, data, from, logic);
        };
        // SRTP: only what authenticates goes on (decrypted into a preallocated buffer).
        let mut clear = crypto.take_buffer();
        if crypto.unprotect(data, kind == PacketKind::Rtcp, &mut clear) {
            self.dispatch(now, kind, &clear, from, logic);
        } else {
            self.rejected += 1;
        }
        if let Some(c) = self.crypto.as_mut() {
            c.restore(clear);
        }
    }

    fn dispatch(
        &mut self,
        now: Instant,
        kind: PacketKind,
        data: &[u8],
        from: SocketAddr,
        logic: &mut dyn CallLogic,
    ) {
        match kind {
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
        if !self.guard.accept_rtp(from, self.p.remote) {
            self.rejected += 1;
            return;
        }
        if self.remote_ssrc != Some(packet.ssrc()) {
            self.new_source(packet.ssrc());
        }
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
                self.digits += 1;
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
        if !self.guard.accept_rtcp(from, self.p.remote) {
            self.rejected += 1;
            return;
        }
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
        self.digits += 1;
        logic.on_dtmf(now, digit);
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
            digits: self.digits,
            rejected: self.rejected,
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
    pub(crate) digits: u32,
    /// Packets refused because they came from another source.
    pub(crate) rejected: u64,
}

/// The IP of an SDP address (unspecified when there is none).
fn ip_of(addr: Option<SocketAddr>) -> IpAddr {
    addr.map_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |a| a.ip())
}

#[path = "media_send.rs"]
mod send;

#[cfg(test)]
#[path = "media_tests.rs"]
mod tests;
