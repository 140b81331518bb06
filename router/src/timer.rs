//! The router's timers as data: what each one is for and the table of armed deadlines whose
//! minimum is [`Router::poll_timeout`](crate::Router::poll_timeout).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use crate::call::CallKey;

/// A timer the router arms.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Timer {
    /// An offered call rang out (RONA).
    Ring(CallKey),
    /// An only agent who declined this call may be offered it again.
    Retry(CallKey),
    /// A waiting call's next position announcement.
    Announce(CallKey),
    /// A call's `max_wait` is over: it overflows.
    MaxWait(CallKey),
    /// An agent's wrap-up is over.
    WrapUp(String),
    /// An unreachable agent's grace is over: it no longer counts as logged in.
    Grace(String),
}

/// Armed timers, each with one deadline, indexed by deadline.
#[derive(Debug, Clone, Default)]
pub(crate) struct TimerTable {
    deadlines: BTreeMap<Timer, Instant>,
    order: BTreeSet<(Instant, Timer)>,
}

impl TimerTable {
    /// Arms `timer` for `at`, replacing an earlier arming; `None` (beyond what `Instant`
    /// holds) disarms it.
    pub(crate) fn arm(&mut self, timer: Timer, at: Option<Instant>) {
        self.disarm(&timer);
        if let Some(at) = at {
            self.order.insert((at, timer.clone()));
            self.deadlines.insert(timer, at);
        }
    }

    pub(crate) fn disarm(&mut self, timer: &Timer) {
        if let Some(at) = self.deadlines.remove(timer) {
            self.order.remove(&(at, timer.clone()));
        }
    }

    /// Disarms every timer of `call`.
    pub(crate) fn disarm_call(&mut self, call: CallKey) {
        for timer in [
            Timer::Ring(call),
            Timer::Retry(call),
            Timer::Announce(call),
            Timer::MaxWait(call),
        ] {
            self.disarm(&timer);
        }
    }

    pub(crate) fn is_armed(&self, timer: &Timer) -> bool {
        self.deadlines.contains_key(timer)
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.order.first().map(|(at, _)| *at)
    }

    /// Removes and returns the timers due at `now`, earliest first. Timers armed while
    /// these are handled are not included, so a zero interval cannot loop.
    pub(crate) fn take_due(&mut self, now: Instant) -> Vec<Timer> {
        let mut due = Vec::new();
        while let Some((at, _)) = self.order.first()
            && *at <= now
        {
            if let Some((_, timer)) = self.order.pop_first() {
                self.deadlines.remove(&timer);
                due.push(timer);
            }
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn table_orders_replaces_and_takes_due() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut table = TimerTable::default();
        table.arm(Timer::MaxWait(CallKey(1)), Some(t0 + s(300)));
        table.arm(Timer::Ring(CallKey(1)), Some(t0 + s(20)));
        table.arm(Timer::Ring(CallKey(1)), Some(t0 + s(10)));
        table.arm(Timer::WrapUp("ann".into()), Some(t0 + s(30)));
        assert_eq!(table.next(), Some(t0 + s(10)));
        assert!(table.take_due(t0).is_empty());
        assert_eq!(
            table.take_due(t0 + s(30)),
            [Timer::Ring(CallKey(1)), Timer::WrapUp("ann".into())]
        );
        table.disarm_call(CallKey(1));
        assert_eq!(table.next(), None);
        table.arm(Timer::Retry(CallKey(2)), None);
        assert!(!table.is_armed(&Timer::Retry(CallKey(2))));
    }
}
