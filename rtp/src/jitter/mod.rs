//! Adaptive jitter buffer, sans-IO: packets go in as they arrive (`push`), one frame comes out
//! per packet time by the caller's clock (`pop`). Owns reordering, duplicate and late-packet
//! handling, loss detection, talkspurt re-anchoring and the adaptive playout delay; payloads
//! live in storage allocated once at construction.
//!
//! Every frame has a playout deadline: the fastest transit seen recently (the base) plus its
//! media time plus the target delay. The target follows the peak of how late packets arrive
//! compared with the base, growing at once and decaying slowly, between the configured bounds.
//! A talkspurt starts playing when its first frame's deadline comes; mid-talkspurt the buffer
//! stalls (one concealed frame) to grow the delay and drops one frame at most every 500 ms to
//! shrink it. A missing frame is lost once its deadline passes and a later frame of the same
//! talkspurt is buffered; with nothing buffered the buffer stalls, and after the maximum delay
//! it waits for the next talkspurt.

mod conceal;
mod estimator;
mod playout;
mod store;

use std::time::{Duration, Instant};

use estimator::Estimator;
use store::{Entry, Store};

pub use conceal::{CONCEAL_FADE_SAMPLES, conceal};

/// Packets further behind the playout point than this are a sequence jump, not lateness.
const MAX_BEHIND: u16 = 1000;

/// Jitter buffer settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JitterConfig {
    /// RTP clock rate in Hz (8000 for G.711).
    pub clock_rate: u32,
    /// Samples (timestamp units) per packet and per `pop`: 160 for 20 ms at 8 kHz, 240 for 30.
    pub samples_per_frame: u32,
    /// Lowest target delay.
    pub min_delay: Duration,
    /// Highest target delay, and how long an underrun stalls before waiting for a new
    /// talkspurt.
    pub max_delay: Duration,
    /// Packets the buffer can hold; rounded up to a power of two and to at least twice the
    /// maximum delay's worth of frames.
    pub capacity: usize,
    /// Largest payload accepted, in bytes; larger packets are discarded.
    pub max_payload: usize,
}

impl Default for JitterConfig {
    fn default() -> Self {
        JitterConfig {
            clock_rate: 8000,
            samples_per_frame: 160,
            min_delay: Duration::from_millis(40),
            max_delay: Duration::from_millis(200),
            capacity: 64,
            max_payload: 480,
        }
    }
}

/// What to play for one packet time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playout {
    /// A frame was copied into the output buffer; the value is its length in bytes.
    Frame(usize),
    /// A frame of an ongoing talkspurt is missing (lost, or the buffer is growing its delay):
    /// the caller conceals, for example with [`conceal`].
    Concealed,
    /// Nothing is playing (before the first talkspurt or between talkspurts): silence.
    Empty,
}

/// What [`JitterBuffer::push`] did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Arrival {
    /// Stored for playout.
    Buffered,
    /// Already buffered or played: dropped.
    Duplicate,
    /// Its playout slot has passed: dropped.
    Late,
    /// Oversized, or an unconfirmed sequence jump: dropped.
    Discarded,
}

/// Jitter buffer counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JitterStats {
    /// Packets pushed.
    pub received: u64,
    /// Frames played.
    pub played: u64,
    /// Duplicate packets dropped.
    pub duplicates: u64,
    /// Packets dropped because they arrived after their playout slot.
    pub late: u64,
    /// Frames whose packet never arrived in time.
    pub lost: u64,
    /// Packets dropped for other reasons: oversize, sequence jumps, delay reduction.
    pub discarded: u64,
    /// `pop` calls that returned [`Playout::Concealed`].
    pub concealed: u64,
    /// Playout delay of the last frame played, beyond the fastest recent transit.
    pub delay: Duration,
    /// The current target delay.
    pub target: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No packet yet.
    Idle,
    /// Waiting for the first frame of a talkspurt to become due.
    Waiting,
    /// Playing a talkspurt frame by frame.
    Playing,
}

/// The adaptive jitter buffer for one audio stream. See the module documentation.
#[derive(Debug, Clone)]
pub struct JitterBuffer {
    clock_rate: u32,
    samples_per_frame: u32,
    frame_us: i64,
    min_us: i64,
    max_us: i64,
    store: Store,
    estimator: Estimator,
    epoch: Option<Instant>,
    ts_ref: u32,
    phase: Phase,
    next_seq: u16,
    next_ts: u32,
    /// Bit i: sequence number `next_seq - 1 - i` was played.
    played_bits: u64,
    /// Bit i: sequence number `next_seq - 1 - i` was played or given up.
    passed_bits: u64,
    pending_jump: Option<u16>,
    last_shrink_us: Option<i64>,
    stats: JitterStats,
}

impl JitterBuffer {
    /// A buffer with `config`; allocates all its storage now.
    pub fn new(config: JitterConfig) -> Self {
        let clock_rate = config.clock_rate.max(1);
        let samples_per_frame = config.samples_per_frame.max(1);
        let frame_us = i64::from(samples_per_frame) * 1_000_000 / i64::from(clock_rate);
        let max_us = micros(config.max_delay).max(frame_us);
        let min_us = micros(config.min_delay).min(max_us);
        let max_frames = usize::try_from(max_us / frame_us.max(1)).unwrap_or(usize::MAX);
        let capacity = config
            .capacity
            .max(max_frames.saturating_mul(2).saturating_add(4))
            .clamp(16, 1 << 15)
            .next_power_of_two();
        JitterBuffer {
            clock_rate,
            samples_per_frame,
            frame_us: frame_us.max(1),
            min_us,
            max_us,
            store: Store::new(capacity, config.max_payload),
            estimator: Estimator::default(),
            epoch: None,
            ts_ref: 0,
            phase: Phase::Idle,
            next_seq: 0,
            next_ts: 0,
            played_bits: 0,
            passed_bits: 0,
            pending_jump: None,
            last_shrink_us: None,
            stats: JitterStats::default(),
        }
    }

    /// The duration of one frame (one `pop`).
    pub fn frame_duration(&self) -> Duration {
        Duration::from_micros(self.frame_us.unsigned_abs())
    }

    /// The counters, with the current delay and target.
    pub fn stats(&self) -> JitterStats {
        JitterStats {
            target: Duration::from_micros(self.target_us().unsigned_abs()),
            ..self.stats
        }
    }

    /// Forgets every packet and the playout position (for example on an SSRC change); the
    /// counters and the delay estimate are kept.
    pub fn reset(&mut self) {
        self.stats.discarded += self.store.len() as u64;
        self.store.clear();
        self.phase = Phase::Idle;
        self.pending_jump = None;
        self.estimator.rebase();
    }

    /// Accounts a packet of this stream that arrived at `now`. Push every packet that arrived
    /// before calling [`pop`](Self::pop) for the same instant.
    pub fn push(
        &mut self,
        now: Instant,
        seq: u16,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Arrival {
        self.stats.received += 1;
        if payload.len() > self.store.max_payload() {
            self.stats.discarded += 1;
            return Arrival::Discarded;
        }
        let epoch = *self.epoch.get_or_insert(now);
        let now_us = micros(now.saturating_duration_since(epoch));
        let entry = Entry {
            seq,
            ts: timestamp,
            marker,
        };
        if self.phase == Phase::Idle {
            self.start_stream(entry);
        }
        let ahead = seq.wrapping_sub(self.next_seq);
        let behind = self.next_seq.wrapping_sub(seq);
        if usize::from(ahead) < self.store.capacity() {
            self.pending_jump = None;
            self.buffer(now_us, entry, payload)
        } else if behind <= MAX_BEHIND {
            self.pending_jump = None;
            self.behind(now_us, entry, payload, behind)
        } else {
            self.jump(now_us, entry, payload)
        }
    }

    fn start_stream(&mut self, entry: Entry) {
        self.ts_ref = entry.ts;
        self.phase = Phase::Waiting;
        self.next_seq = entry.seq;
        self.next_ts = entry.ts;
        self.played_bits = 0;
        self.passed_bits = 0;
    }

    fn buffer(&mut self, now_us: i64, entry: Entry, payload: &[u8]) -> Arrival {
        if !self.store.insert(entry, payload) {
            self.stats.duplicates += 1;
            return Arrival::Duplicate;
        }
        self.observe(now_us, entry.ts);
        Arrival::Buffered
    }

    /// A packet before the playout point: a duplicate, late, or (while waiting for a
    /// talkspurt to start) an earlier packet of it.
    fn behind(&mut self, now_us: i64, entry: Entry, payload: &[u8], behind: u16) -> Arrival {
        let mask = low_bits(u32::from(behind));
        let bit = 1u64.checked_shl(u32::from(behind) - 1).unwrap_or(0);
        if self.played_bits & bit != 0 {
            self.stats.duplicates += 1;
            return Arrival::Duplicate;
        }
        if self.can_move_back(behind, mask) {
            self.next_seq = entry.seq;
            self.next_ts = entry.ts;
            self.played_bits >>= behind;
            self.passed_bits >>= behind;
            return self.buffer(now_us, entry, payload);
        }
        self.observe(now_us, entry.ts);
        self.stats.late += 1;
        Arrival::Late
    }

    fn can_move_back(&self, behind: u16, mask: u64) -> bool {
        let cap = self.store.capacity() as u16;
        self.phase == Phase::Waiting
            && behind <= 64
            && self.passed_bits & mask == 0
            && (cap.saturating_sub(behind)..cap)
                .all(|off| self.store.get(self.next_seq.wrapping_add(off)).is_none())
    }

    /// A sequence number far from the playout point: a new stream if the next packet follows
    /// it, otherwise a stray packet.
    fn jump(&mut self, now_us: i64, entry: Entry, payload: &[u8]) -> Arrival {
        if self.pending_jump != Some(entry.seq) {
            self.pending_jump = Some(entry.seq.wrapping_add(1));
            self.stats.discarded += 1;
            return Arrival::Discarded;
        }
        self.reset();
        self.start_stream(entry);
        self.buffer(now_us, entry, payload)
    }

    fn observe(&mut self, now_us: i64, ts: u32) {
        self.estimator.observe(now_us, self.media_us(ts));
    }

    /// Media time of `ts` relative to the stream's first timestamp, in µs.
    fn media_us(&self, ts: u32) -> i64 {
        i64::from(ts.wrapping_sub(self.ts_ref) as i32) * 1_000_000 / i64::from(self.clock_rate)
    }

    fn target_us(&self) -> i64 {
        (self.estimator.peak() + self.frame_us / 2).clamp(self.min_us, self.max_us)
    }

    /// How far past its playout deadline the frame with timestamp `ts` is at `now_us`.
    fn lateness(&self, now_us: i64, ts: u32) -> i64 {
        let deadline = self
            .estimator
            .base()
            .saturating_add(self.media_us(ts))
            .saturating_add(self.target_us());
        now_us.saturating_sub(deadline)
    }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// A mask of the lowest `n` bits (all 64 for `n >= 64`).
fn low_bits(n: u32) -> u64 {
    1u64.checked_shl(n).map_or(u64::MAX, |b| b - 1)
}
