//! RTP statistics: receiver-side sequence validation (RFC 3550 A.1: probation, wrap counting,
//! re-sync after a large jump), loss (A.3), interarrival jitter (A.8) and the report block they
//! make; sender-side packet and octet counts for sender reports.

use std::time::{Duration, Instant};

use crate::rtcp::{NtpTime, ReportBlock, SenderReport, duration_to_compact};

const RTP_SEQ_MOD: u32 = 1 << 16;
const MAX_DROPOUT: u16 = 3000;
const MAX_MISORDER: u16 = 100;
/// Sequential packets a new source must send before it is valid (RFC 3550 A.1).
pub const MIN_SEQUENTIAL: u8 = 2;

/// What [`ReceiverStats::on_packet`] made of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqStatus {
    /// Counted: in order, reordered, duplicated, or confirming a re-sync.
    Valid,
    /// The source is still on probation; not counted.
    Probation,
    /// A jump too large to be reordering; not counted unless the next packet follows it, which
    /// re-syncs the statistics to the new sequence.
    Jump,
}

/// Reception statistics for one source.
#[derive(Debug, Clone)]
pub struct ReceiverStats {
    clock_rate: u32,
    started: bool,
    valid: bool,
    probation: u8,
    max_seq: u16,
    cycles: u32,
    base_seq: u32,
    bad_seq: u32,
    received: u32,
    expected_prior: u32,
    received_prior: u32,
    epoch: Option<Instant>,
    transit: Option<u32>,
    jitter_x16: u32,
    last_sr: Option<(u32, Instant)>,
}

impl ReceiverStats {
    /// Statistics for a source whose RTP clock runs at `clock_rate` Hz, with the standard
    /// probation of [`MIN_SEQUENTIAL`] packets.
    pub fn new(clock_rate: u32) -> Self {
        Self::with_probation(clock_rate, MIN_SEQUENTIAL)
    }

    /// Like [`new`](Self::new) with `probation` sequential packets required first (0 counts
    /// the very first packet, for a source already known from signalling).
    pub fn with_probation(clock_rate: u32, probation: u8) -> Self {
        ReceiverStats {
            clock_rate: clock_rate.max(1),
            started: false,
            valid: false,
            probation,
            max_seq: 0,
            cycles: 0,
            base_seq: 0,
            bad_seq: RTP_SEQ_MOD + 1,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            epoch: None,
            transit: None,
            jitter_x16: 0,
            last_sr: None,
        }
    }

    /// Accounts a packet that arrived at `now`.
    pub fn on_packet(&mut self, now: Instant, sequence: u16, timestamp: u32) -> SeqStatus {
        if !self.started {
            self.started = true;
            self.epoch = Some(now);
            if self.probation == 0 {
                self.init_seq(sequence);
                self.received = 1;
                self.update_jitter(now, timestamp);
                return SeqStatus::Valid;
            }
            self.max_seq = sequence.wrapping_sub(1);
        }
        let status = self.update_seq(sequence);
        if status == SeqStatus::Valid {
            self.update_jitter(now, timestamp);
        }
        status
    }

    fn init_seq(&mut self, seq: u16) {
        self.valid = true;
        self.base_seq = u32::from(seq);
        self.max_seq = seq;
        self.bad_seq = RTP_SEQ_MOD + 1;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
        self.transit = None;
    }

    /// RFC 3550 A.1 `update_seq`.
    fn update_seq(&mut self, seq: u16) -> SeqStatus {
        if self.probation > 0 {
            return self.update_probation(seq);
        }
        let udelta = seq.wrapping_sub(self.max_seq);
        if udelta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles = self.cycles.wrapping_add(RTP_SEQ_MOD);
            }
            self.max_seq = seq;
        } else if u32::from(udelta) <= RTP_SEQ_MOD - u32::from(MAX_MISORDER) {
            if u32::from(seq) != self.bad_seq {
                self.bad_seq = (u32::from(seq) + 1) & (RTP_SEQ_MOD - 1);
                return SeqStatus::Jump;
            }
            self.init_seq(seq);
        }
        // Otherwise a duplicate or reordered packet: counted, max unchanged.
        self.received = self.received.wrapping_add(1);
        SeqStatus::Valid
    }

    fn update_probation(&mut self, seq: u16) -> SeqStatus {
        if seq != self.max_seq.wrapping_add(1) {
            self.probation = MIN_SEQUENTIAL - 1;
            self.max_seq = seq;
            return SeqStatus::Probation;
        }
        self.probation -= 1;
        self.max_seq = seq;
        if self.probation > 0 {
            return SeqStatus::Probation;
        }
        self.init_seq(seq);
        self.received = 1;
        SeqStatus::Valid
    }

    /// RFC 3550 A.8, in timestamp units, with the jitter kept scaled by 16.
    fn update_jitter(&mut self, now: Instant, timestamp: u32) {
        let elapsed = self
            .epoch
            .map_or(Duration::ZERO, |e| now.saturating_duration_since(e));
        let arrival = (elapsed.as_nanos() * u128::from(self.clock_rate) / 1_000_000_000) as u32;
        let transit = arrival.wrapping_sub(timestamp);
        if let Some(prev) = self.transit.replace(transit) {
            let d = i64::from((transit.wrapping_sub(prev) as i32).unsigned_abs());
            let j = i64::from(self.jitter_x16);
            let next = j + d - ((j + 8) >> 4);
            self.jitter_x16 = u32::try_from(next.max(0)).unwrap_or(u32::MAX);
        }
    }

    /// Remembers the arrival of a sender report from this source, for LSR and DLSR.
    pub fn on_sender_report(&mut self, now: Instant, ntp_time: NtpTime) {
        self.last_sr = Some((ntp_time.compact(), now));
    }

    /// Whether the source has passed probation.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Packets counted since the source became valid (duplicates included).
    pub fn received(&self) -> u32 {
        self.received
    }

    /// Extended highest sequence number: wrap cycles in the high 16 bits.
    pub fn extended_max(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }

    /// Packets expected since the source became valid (A.3).
    pub fn expected(&self) -> u32 {
        if !self.valid {
            return 0;
        }
        self.extended_max()
            .wrapping_sub(self.base_seq)
            .wrapping_add(1)
    }

    /// Cumulative packets lost (A.3); negative when duplicates outnumber losses.
    pub fn lost(&self) -> i64 {
        i64::from(self.expected()) - i64::from(self.received)
    }

    /// Interarrival jitter estimate in timestamp units (A.8).
    pub fn jitter(&self) -> u32 {
        self.jitter_x16 >> 4
    }

    /// The report block for this source, as of `now`, and starts a new reporting interval for
    /// the fraction lost. `None` while the source is on probation.
    pub fn report_block(&mut self, ssrc: u32, now: Instant) -> Option<ReportBlock> {
        if !self.valid {
            return None;
        }
        let expected = self.expected();
        let expected_interval = expected.wrapping_sub(self.expected_prior);
        let received_interval = self.received.wrapping_sub(self.received_prior);
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost_interval = i64::from(expected_interval) - i64::from(received_interval);
        let fraction_lost = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / i64::from(expected_interval)).min(255) as u8
        };
        let (last_sr, delay_since_last_sr) = self.last_sr.map_or((0, 0), |(lsr, at)| {
            (lsr, duration_to_compact(now.saturating_duration_since(at)))
        });
        Some(ReportBlock {
            ssrc,
            fraction_lost,
            cumulative_lost: self.lost().clamp(-0x80_0000, 0x7f_ffff) as i32,
            extended_highest_seq: self.extended_max(),
            jitter: self.jitter(),
            last_sr,
            delay_since_last_sr,
        })
    }
}

/// What a sender has sent, for its sender reports.
#[derive(Debug, Clone)]
pub struct SenderStats {
    clock_rate: u32,
    packets: u32,
    octets: u32,
    last: Option<(u32, Instant)>,
}

impl SenderStats {
    /// Counts for a stream whose RTP clock runs at `clock_rate` Hz.
    pub fn new(clock_rate: u32) -> Self {
        SenderStats {
            clock_rate,
            packets: 0,
            octets: 0,
            last: None,
        }
    }

    /// Accounts a packet with `payload_len` payload octets and RTP `timestamp`, sent at `now`.
    pub fn on_sent(&mut self, now: Instant, timestamp: u32, payload_len: usize) {
        self.packets = self.packets.wrapping_add(1);
        self.octets = self.octets.wrapping_add(payload_len as u32);
        self.last = Some((timestamp, now));
    }

    /// Packets sent (wraps modulo 2^32, as on the wire).
    pub fn packets(&self) -> u32 {
        self.packets
    }

    /// Payload octets sent (wraps modulo 2^32, as on the wire).
    pub fn octets(&self) -> u32 {
        self.octets
    }

    /// The RTP timestamp corresponding to `now`, extrapolated from the last packet sent.
    pub fn rtp_timestamp_at(&self, now: Instant) -> Option<u32> {
        let (ts, at) = self.last?;
        let elapsed = now.saturating_duration_since(at);
        let ticks = elapsed.as_nanos() * u128::from(self.clock_rate) / 1_000_000_000;
        Some(ts.wrapping_add(ticks as u32))
    }

    /// A sender report stamped with wall-clock `ntp_time` read by the caller at `now`.
    pub fn sender_report(
        &self,
        ssrc: u32,
        now: Instant,
        ntp_time: NtpTime,
        reports: Vec<ReportBlock>,
    ) -> SenderReport {
        SenderReport {
            ssrc,
            ntp_time,
            rtp_timestamp: self.rtp_timestamp_at(now).unwrap_or(0),
            packet_count: self.packets,
            octet_count: self.octets,
            reports,
        }
    }
}
