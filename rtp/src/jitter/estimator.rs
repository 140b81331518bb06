//! Network delay estimation for the jitter buffer: the minimum transit time over a sliding
//! window (the base, tracking clock drift) and a fast-attack, slow-decay peak of how much later
//! than the base packets arrive.

/// Length of each of the two windows the base transit is the minimum over.
const WINDOW_US: i64 = 5_000_000;
/// A sample this far above the base is a timestamp discontinuity, not jitter.
const DISCONTINUITY_US: i64 = 2_000_000;
/// The peak decays by 1/2^DECAY_SHIFT of its distance to each new sample.
const DECAY_SHIFT: u32 = 8;

#[derive(Debug, Clone, Default)]
pub(super) struct Estimator {
    started: bool,
    window_start: i64,
    current_min: i64,
    previous_min: i64,
    peak: i64,
}

impl Estimator {
    /// Accounts a packet that arrived at `arrival_us` whose media time is `media_us`.
    pub(super) fn observe(&mut self, arrival_us: i64, media_us: i64) {
        let transit = arrival_us.saturating_sub(media_us);
        if !self.started {
            self.started = true;
            self.restart(arrival_us, transit);
            return;
        }
        if arrival_us.saturating_sub(self.window_start) >= WINDOW_US {
            self.previous_min = self.current_min;
            self.current_min = transit;
            self.window_start = arrival_us;
        } else {
            self.current_min = self.current_min.min(transit);
        }
        let sample = transit.saturating_sub(self.base());
        if sample > DISCONTINUITY_US {
            self.restart(arrival_us, transit);
        } else if sample > self.peak {
            self.peak = sample;
        } else {
            self.peak -= (self.peak - sample) >> DECAY_SHIFT;
        }
    }

    /// Forgets the base (for a new stream with unrelated timestamps), keeping the peak.
    pub(super) fn rebase(&mut self) {
        self.started = false;
    }

    fn restart(&mut self, arrival_us: i64, transit: i64) {
        self.window_start = arrival_us;
        self.current_min = transit;
        self.previous_min = transit;
    }

    /// The minimum recent transit time (arrival minus media time), in µs.
    pub(super) fn base(&self) -> i64 {
        self.current_min.min(self.previous_min)
    }

    /// The recent peak of arrival delay above the base, in µs.
    pub(super) fn peak(&self) -> i64 {
        self.peak
    }
}
