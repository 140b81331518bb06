//! The playout side of the jitter buffer: what `pop` returns for each packet time, and how
//! the playout point moves (play, lose, stall, skip, re-anchor).

use std::time::{Duration, Instant};

use super::store::Entry;
use super::{JitterBuffer, Phase, Playout, low_bits, micros};

/// The buffer drops at most one frame per this interval to shrink its delay.
const SHRINK_INTERVAL_US: i64 = 500_000;

impl JitterBuffer {
    /// Produces the next frame into `out` (truncated if `out` is shorter than the payload).
    /// Call once per packet time, after pushing every packet that arrived by `now`.
    pub fn pop(&mut self, now: Instant, out: &mut [u8]) -> Playout {
        let Some(epoch) = self.epoch else {
            return Playout::Empty;
        };
        let now_us = micros(now.saturating_duration_since(epoch));
        let playout = match self.phase {
            Phase::Idle => Playout::Empty,
            Phase::Waiting => self.pop_waiting(now_us, out),
            Phase::Playing => self.pop_playing(now_us, out),
        };
        if playout == Playout::Concealed {
            self.stats.concealed += 1;
        }
        playout
    }

    /// Starts the earliest buffered talkspurt once its first frame is due.
    fn pop_waiting(&mut self, now_us: i64, out: &mut [u8]) -> Playout {
        self.phase = Phase::Waiting;
        let Some(head) = self.store.first_from(self.next_seq) else {
            return Playout::Empty;
        };
        if self.lateness(now_us, head.ts) < 0 {
            return Playout::Empty;
        }
        self.skip_to(head);
        self.phase = Phase::Playing;
        self.play(now_us, out)
    }

    fn pop_playing(&mut self, now_us: i64, out: &mut [u8]) -> Playout {
        match self.store.get(self.next_seq) {
            Some(entry) if self.continues(entry) => self.pop_present(now_us, out),
            Some(_) => self.pop_waiting(now_us, out),
            None => self.pop_missing(now_us, out),
        }
    }

    /// The next frame of the talkspurt is here: play it, unless the delay must change.
    fn pop_present(&mut self, now_us: i64, out: &mut [u8]) -> Playout {
        let lateness = self.lateness(now_us, self.next_ts);
        if lateness <= -self.frame_us {
            return Playout::Concealed;
        }
        if lateness >= self.frame_us && self.may_shrink(now_us) {
            self.store.remove(self.next_seq);
            self.stats.discarded += 1;
            self.advance(false);
            self.last_shrink_us = Some(now_us);
        }
        self.play(now_us, out)
    }

    fn may_shrink(&self, now_us: i64) -> bool {
        self.last_shrink_us
            .is_none_or(|at| now_us - at >= SHRINK_INTERVAL_US)
            && self
                .store
                .get(self.next_seq.wrapping_add(1))
                .is_some_and(|e| self.continues(e))
    }

    /// The next frame is missing: lose it if its slot has passed and the talkspurt goes on,
    /// otherwise stall.
    fn pop_missing(&mut self, now_us: i64, out: &mut [u8]) -> Playout {
        let Some(head) = self.store.first_from(self.next_seq) else {
            return self.underrun(now_us);
        };
        if !self.continues(head) {
            return self.pop_waiting(now_us, out);
        }
        while self.store.get(self.next_seq).is_none()
            && self.lateness(now_us, self.next_ts) >= self.frame_us
        {
            self.lose();
        }
        if self.store.get(self.next_seq).is_some() {
            return self.pop_present(now_us, out);
        }
        if self.lateness(now_us, self.next_ts) >= 0 {
            self.lose();
        }
        Playout::Concealed
    }

    /// Nothing buffered mid-talkspurt: stall, or after the maximum delay wait for the next
    /// talkspurt.
    fn underrun(&mut self, now_us: i64) -> Playout {
        if self.lateness(now_us, self.next_ts) >= self.max_us {
            self.phase = Phase::Waiting;
            return Playout::Empty;
        }
        Playout::Concealed
    }

    /// Whether `entry` continues the talkspurt at the playout point.
    fn continues(&self, entry: Entry) -> bool {
        let frames = u32::from(entry.seq.wrapping_sub(self.next_seq));
        let expected = self
            .next_ts
            .wrapping_add(frames.wrapping_mul(self.samples_per_frame));
        !entry.marker && entry.ts == expected
    }

    fn play(&mut self, now_us: i64, out: &mut [u8]) -> Playout {
        let delay = self.lateness(now_us, self.next_ts) + self.target_us();
        let len = self.store.take(self.next_seq, out).unwrap_or(0);
        self.stats.played += 1;
        self.stats.delay = Duration::from_micros(delay.max(0).unsigned_abs());
        self.advance(true);
        Playout::Frame(len)
    }

    fn lose(&mut self) {
        self.stats.lost += 1;
        self.advance(false);
    }

    fn advance(&mut self, played: bool) {
        self.played_bits = self.played_bits << 1 | u64::from(played);
        self.passed_bits = self.passed_bits << 1 | 1;
        self.next_seq = self.next_seq.wrapping_add(1);
        self.next_ts = self.next_ts.wrapping_add(self.samples_per_frame);
    }

    /// Moves the playout point to `head`, counting the frames skipped as lost.
    fn skip_to(&mut self, head: Entry) {
        let gap = head.seq.wrapping_sub(self.next_seq);
        self.stats.lost += u64::from(gap);
        let shift = u32::from(gap);
        self.played_bits = self.played_bits.checked_shl(shift).unwrap_or(0);
        self.passed_bits = self.passed_bits.checked_shl(shift).unwrap_or(0) | low_bits(shift);
        self.next_seq = head.seq;
        self.next_ts = head.ts;
    }
}
