//! Expected wait: an exponentially weighted mean of handle times (answer to end) per queue,
//! scaled by how many rounds of agents are ahead of a caller. Pure arithmetic; the router
//! decides when to sample and whom to count.

use std::time::Duration;

/// The weight of a new sample is 1 / `WEIGHT_DIVISOR` (0.2).
const WEIGHT_DIVISOR: u32 = 5;

/// An exponentially weighted mean handle time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HandleTime {
    mean: Duration,
}

impl HandleTime {
    /// Starts from `initial` (the guess before any call has been handled).
    pub(crate) fn new(initial: Duration) -> Self {
        Self { mean: initial }
    }

    pub(crate) fn mean(&self) -> Duration {
        self.mean
    }

    /// Folds in one handle time with weight 0.2.
    pub(crate) fn record(&mut self, sample: Duration) {
        self.mean = if sample >= self.mean {
            self.mean + (sample - self.mean) / WEIGHT_DIVISOR
        } else {
            self.mean - (self.mean - sample) / WEIGHT_DIVISOR
        };
    }

    /// The mean handle time times `ceil(position / agents)`; `None` when no agent could
    /// take the call.
    pub(crate) fn expected_wait(&self, position: usize, agents: usize) -> Option<Duration> {
        if agents == 0 {
            return None;
        }
        let rounds = u32::try_from(position.div_ceil(agents)).unwrap_or(u32::MAX);
        Some(self.mean.saturating_mul(rounds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn mean_moves_a_fifth_of_the_way_to_each_sample() {
        let mut h = HandleTime::new(S(180));
        h.record(S(80));
        assert_eq!(h.mean(), S(160));
        h.record(S(260));
        assert_eq!(h.mean(), S(180));
    }

    #[test]
    fn wait_is_rounds_of_agents_ahead() {
        let h = HandleTime::new(S(100));
        assert_eq!(h.expected_wait(1, 2), Some(S(100)));
        assert_eq!(h.expected_wait(3, 2), Some(S(200)));
        assert_eq!(h.expected_wait(4, 2), Some(S(200)));
        assert_eq!(h.expected_wait(1, 0), None);
    }
}
