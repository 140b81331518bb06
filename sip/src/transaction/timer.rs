//! Timer values (RFC 3261 §17 and Table 4, RFC 6026) and the small table of armed timers
//! each transaction keeps as data.

use std::time::{Duration, Instant};

/// The base timer values every transaction timer derives from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// T1, the round-trip estimate (default 500 ms).
    pub t1: Duration,
    /// T2, the longest retransmit interval for non-INVITE requests and INVITE responses
    /// (default 4 s).
    pub t2: Duration,
    /// T4, the longest time a message stays in the network (default 5 s).
    pub t4: Duration,
}

impl Default for Timers {
    fn default() -> Self {
        Self {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
        }
    }
}

/// How long an INVITE server transaction waits for the TU's first provisional response
/// before it sends 100 Trying itself (RFC 3261 §17.2.1).
const AUTO_TRYING: Duration = Duration::from_millis(200);

/// Timer D's floor over unreliable transports (RFC 3261 Table 4: "> 32 s").
const TIMER_D_MIN: Duration = Duration::from_secs(32);

impl Timers {
    /// 64·T1: Timers B, F, H, J, L and M, and the guard after a CANCEL.
    pub(super) fn t1x64(&self) -> Duration {
        self.t1.saturating_mul(64)
    }

    /// The next retransmit interval: doubled, capped at T2 (Timers E and G).
    pub(super) fn backoff(&self, interval: Duration) -> Duration {
        interval.saturating_mul(2).min(self.t2)
    }

    /// Timer D over unreliable transports: at least 32 s, and long enough to see every
    /// retransmission of the final response (64·T1).
    pub(super) fn timer_d(&self) -> Duration {
        self.t1x64().max(TIMER_D_MIN)
    }

    /// The delay before an automatic 100 Trying.
    pub(super) fn auto_trying(&self) -> Duration {
        AUTO_TRYING
    }
}

/// A transaction timer (RFC 3261 §17, RFC 6026 §8), plus the two the UAS core needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Timer {
    /// Client INVITE: retransmit the request (unreliable only).
    A,
    /// Client INVITE: give up waiting for any response (also the 64·T1 guard after CANCEL).
    B,
    /// Client INVITE: leave Completed (absorbing final-response retransmissions).
    D,
    /// Client non-INVITE: retransmit the request (unreliable only).
    E,
    /// Client non-INVITE: give up waiting for a final response.
    F,
    /// Server INVITE: retransmit the non-2xx final response (unreliable only).
    G,
    /// Server INVITE: give up waiting for the ACK of a non-2xx final response.
    H,
    /// Server INVITE: leave Confirmed (absorbing ACK retransmissions).
    I,
    /// Server non-INVITE: leave Completed (absorbing request retransmissions).
    J,
    /// Client non-INVITE: leave Completed (absorbing response retransmissions).
    K,
    /// Server INVITE: leave Accepted; no ACK by then is an ACK timeout.
    L,
    /// Client INVITE: leave Accepted.
    M,
    /// Server INVITE: send 100 Trying if the TU has sent no provisional response.
    Trying,
    /// Server INVITE: retransmit the 2xx until its ACK arrives (§13.3.1.4).
    Resend2xx,
}

/// The timers a transaction has armed, each with its deadline.
#[derive(Debug, Clone, Default)]
pub(super) struct TimerTable {
    armed: Vec<(Timer, Instant)>,
}

impl TimerTable {
    /// Arms `timer` to fire `after` from `now`, replacing any earlier arming. A deadline
    /// beyond what `Instant` can hold never fires.
    pub(super) fn arm(&mut self, timer: Timer, now: Instant, after: Duration) {
        self.disarm(timer);
        if let Some(at) = now.checked_add(after) {
            self.armed.push((timer, at));
        }
    }

    /// Disarms `timer`.
    pub(super) fn disarm(&mut self, timer: Timer) {
        self.armed.retain(|(t, _)| *t != timer);
    }

    /// Disarms every timer.
    pub(super) fn clear(&mut self) {
        self.armed.clear();
    }

    /// The earliest deadline.
    pub(super) fn next(&self) -> Option<Instant> {
        self.armed.iter().map(|(_, at)| *at).min()
    }

    /// Removes and returns the timers due at `now`, earliest first. Timers re-armed while
    /// these are handled are not included, so a zero interval cannot loop.
    pub(super) fn take_due(&mut self, now: Instant) -> Vec<Timer> {
        let mut due: Vec<(Timer, Instant)> = Vec::new();
        self.armed.retain(|&(t, at)| {
            if at <= now {
                due.push((t, at));
            }
            at > now
        });
        due.sort_by_key(|(_, at)| *at);
        due.into_iter().map(|(t, _)| t).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_orders_and_replaces() {
        let t0 = Instant::now();
        let mut table = TimerTable::default();
        table.arm(Timer::B, t0, Duration::from_secs(32));
        table.arm(Timer::A, t0, Duration::from_secs(2));
        table.arm(Timer::A, t0, Duration::from_millis(500));
        assert_eq!(table.next(), Some(t0 + Duration::from_millis(500)));
        assert!(table.take_due(t0).is_empty());
        assert_eq!(
            table.take_due(t0 + Duration::from_secs(40)),
            [Timer::A, Timer::B]
        );
        assert_eq!(table.next(), None);
        table.arm(Timer::D, t0, Duration::MAX);
        assert_eq!(table.next(), None);
    }

    #[test]
    fn derived_values() {
        let t = Timers::default();
        assert_eq!(t.t1x64(), Duration::from_secs(32));
        assert_eq!(t.backoff(Duration::from_secs(2)), Duration::from_secs(4));
        assert_eq!(t.backoff(Duration::from_secs(4)), Duration::from_secs(4));
        assert_eq!(t.timer_d(), Duration::from_secs(32));
        let slow = Timers {
            t1: Duration::from_secs(1),
            ..t
        };
        assert_eq!(slow.timer_d(), Duration::from_secs(64));
    }
}
