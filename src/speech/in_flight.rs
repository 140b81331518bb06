//! What a call logic keeps while the shared [`SttPool`](super::stt::SttPool) works for it:
//! its requests in flight, each with a tag of the logic's own, answered without waiting
//! ([`InFlight::take_ready`], once a tick), and the anchor that turns the call's `Instant`s
//! into wall-clock times for the store ([`WallClock`]). Shared by the `transcribe` and the
//! `agent` call logics.

use std::time::{Instant, SystemTime};

use tokio::sync::oneshot;

use super::stt::{SttError, Transcript};

/// The pool's answer to one request.
pub type Reply = oneshot::Receiver<Result<Transcript, SttError>>;

/// Requests in flight: the stream's request id, the pool's answer channel, a tag.
#[derive(Debug)]
pub struct InFlight<M> {
    items: Vec<(u64, Reply, M)>,
}

impl<M> Default for InFlight<M> {
    fn default() -> InFlight<M> {
        InFlight {
            items: Vec::with_capacity(4),
        }
    }
}

impl<M> InFlight<M> {
    pub fn push(&mut self, id: u64, reply: Reply, tag: M) {
        self.items.push((id, reply, tag));
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Removes and returns every request answered by now; a pool that dropped the request
    /// answers `SttError::Stopped`. Allocates only when something is ready.
    pub fn take_ready(&mut self) -> Vec<(u64, Result<Transcript, SttError>, M)> {
        let mut ready = Vec::new();
        let mut i = 0;
        while i < self.items.len() {
            let answer = match self.items[i].1.try_recv() {
                Ok(r) => r,
                Err(oneshot::error::TryRecvError::Empty) => {
                    i += 1;
                    continue;
                }
                Err(oneshot::error::TryRecvError::Closed) => Err(SttError::Stopped),
            };
            let (id, _, tag) = self.items.swap_remove(i);
            ready.push((id, answer, tag));
        }
        ready
    }

    /// Everything still in flight (at the end of a call).
    pub fn take_all(&mut self) -> Vec<(u64, Reply, M)> {
        std::mem::take(&mut self.items)
    }
}

/// A moment in both clocks, to turn a call's `Instant`s into wall-clock times.
#[derive(Debug, Clone, Copy)]
pub struct WallClock {
    instant: Instant,
    system: SystemTime,
}

impl WallClock {
    /// Anchored at `now` (read together with the system clock).
    pub fn new(now: Instant) -> WallClock {
        WallClock {
            instant: now,
            system: SystemTime::now(),
        }
    }

    /// The wall-clock time of `t`.
    pub fn wall(&self, t: Instant) -> SystemTime {
        match t.checked_duration_since(self.instant) {
            Some(d) => self.system + d,
            None => self.system - self.instant.duration_since(t),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn ready_answers_come_out_and_the_rest_wait() {
        let mut f = InFlight::default();
        let (tx1, rx1) = oneshot::channel();
        let (_tx2, rx2) = oneshot::channel();
        let (tx3, rx3) = oneshot::channel::<Result<Transcript, SttError>>();
        f.push(1, rx1, 'a');
        f.push(2, rx2, 'b');
        f.push(3, rx3, 'c');
        assert!(f.take_ready().is_empty());
        tx1.send(Ok(Transcript::default())).unwrap();
        drop(tx3);
        let mut ready: Vec<(u64, bool, char)> = f
            .take_ready()
            .into_iter()
            .map(|(id, r, t)| (id, r.is_ok(), t))
            .collect();
        ready.sort_unstable();
        assert_eq!(ready, [(1, true, 'a'), (3, false, 'c')]);
        assert_eq!(f.len(), 1);
        assert_eq!(f.take_all().len(), 1);
        assert!(f.is_empty());
    }

    #[test]
    fn wall_times_follow_the_anchor_both_ways() {
        let now = Instant::now();
        let c = WallClock::new(now);
        let later = now + Duration::from_secs(3);
        assert_eq!(
            c.wall(later).duration_since(c.wall(now)).unwrap(),
            Duration::from_secs(3)
        );
        if let Some(earlier) = now.checked_sub(Duration::from_secs(2)) {
            assert_eq!(
                c.wall(now).duration_since(c.wall(earlier)).unwrap(),
                Duration::from_secs(2)
            );
        }
    }
}
