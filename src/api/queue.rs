//! [`WorkQueue`]: admission to expensive work (a question to the agent, an embedding). A few
//! run at once; a bounded line waits, each at most a maximum time; beyond either the request
//! gets 429 with `Retry-After` at once instead of queueing without end. A waiter whose client
//! goes away leaves the line (the guard counts it out on drop).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::ApiError;
use crate::metrics::{Gauge, HttpRefusal, metrics};

/// Running slots, a bounded waiting line and a maximum wait.
#[derive(Debug)]
pub struct WorkQueue {
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    max_wait: Duration,
    depth: &'static Gauge,
}

/// Counts a waiter out of the line however its wait ends.
struct InLine<'a>(&'a WorkQueue);

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
        self.0.depth.dec();
    }
}

impl WorkQueue {
    /// `slots` at once, `max_waiting` in line for at most `max_wait`; the line's length is
    /// shown by `depth`.
    pub fn new(
        slots: usize,
        max_waiting: usize,
        max_wait: Duration,
        depth: &'static Gauge,
    ) -> WorkQueue {
        WorkQueue {
            running: Arc::new(Semaphore::new(slots.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
            max_wait,
            depth,
        }
    }

    /// A running slot, or 429 when the line is full or the wait too long.
    pub async fn admit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if let Ok(p) = self.running.clone().try_acquire_owned() {
            return Ok(p);
        }
        let busy = || {
            metrics().http_refused(HttpRefusal::QueueFull);
            ApiError::Busy {
                retry_after_secs: self.max_wait.as_secs().clamp(1, 60),
            }
        };
        let before = self.waiting.fetch_add(1, Ordering::SeqCst);
        self.depth.inc();
        let _in_line = InLine(self);
        if before >= self.max_waiting {
            return Err(busy());
        }
        match tokio::time::timeout(self.max_wait, self.running.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(e)) => Err(ApiError::internal("work queue", e)),
            Err(_) => Err(busy()),
        }
    }

    /// How many wait.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    static DEPTH: Gauge = Gauge::new();

    #[tokio::test(start_paused = true)]
    async fn a_full_line_and_a_long_wait_get_429_and_a_freed_slot_admits() {
        let q = Arc::new(WorkQueue::new(1, 1, Duration::from_secs(5), &DEPTH));
        let first = q.admit().await.unwrap();
        let q2 = q.clone();
        let waiter = tokio::spawn(async move { q2.admit().await.map(drop) });
        tokio::task::yield_now().await;
        assert_eq!(q.waiting(), 1);
        let full = q.admit().await.unwrap_err();
        assert!(
            matches!(
                full,
                ApiError::Busy {
                    retry_after_secs: 5
                }
            ),
            "{full:?}"
        );
        drop(first);
        waiter.await.unwrap().unwrap();
        assert_eq!(q.waiting(), 0);

        let held = q.admit().await.unwrap();
        let late = q.admit().await.unwrap_err();
        assert!(
            matches!(late, ApiError::Busy { .. }),
            "waited 5 s (virtual)"
        );
        assert_eq!(q.waiting(), 0);
        drop(held);
    }
}
