//! [`FailureLimiter`]: failed authentications per source address, sans-IO (time is an input).
//! A source with `limit` failures within one window is refused (429) until the window ends
//! plus a ban of the same length, so a brute force gets `limit` guesses a minute at most; a
//! failure is logged once per source per window, not once per request. The table is bounded:
//! when full, expired entries go, then the oldest.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Sources remembered at most.
pub(crate) const MAX_SOURCES: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    window_start: Instant,
    failures: u32,
    banned_until: Option<Instant>,
}

/// What to do with a failure just recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Recorded {
    /// Log it: the first failure of the window, or the one that starts a ban.
    pub(crate) log: bool,
    /// The source is now refused.
    pub(crate) banned: bool,
}

/// Failed authentications per source.
#[derive(Debug)]
pub(crate) struct FailureLimiter {
    limit: u32,
    window: Duration,
    sources: HashMap<IpAddr, Entry>,
}

impl FailureLimiter {
    /// At most `limit` failures per `window`; then refused for a `window`.
    pub(crate) fn new(limit: u32, window: Duration) -> FailureLimiter {
        FailureLimiter {
            limit: limit.max(1),
            window,
            sources: HashMap::new(),
        }
    }

    /// `Err(retry after)` while `ip` is refused.
    pub(crate) fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        match self.sources.get(&ip).and_then(|e| e.banned_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failure from `ip`.
    pub(crate) fn fail(&mut self, ip: IpAddr, now: Instant) -> Recorded {
        if !self.sources.contains_key(&ip) && self.sources.len() >= MAX_SOURCES {
            self.evict(now);
        }
        let window = self.window;
        let e = self.sources.entry(ip).or_insert(Entry {
            window_start: now,
            failures: 0,
            banned_until: None,
        });
        if now.duration_since(e.window_start) >= window {
            *e = Entry {
                window_start: now,
                failures: 0,
                banned_until: e.banned_until.filter(|u| *u > now),
            };
        }
        e.failures = e.failures.saturating_add(1);
        let first = e.failures == 1;
        let starts_ban = e.failures == self.limit;
        if starts_ban {
            e.banned_until = Some(now + window);
        }
        Recorded {
            log: first || starts_ban,
            banned: e.banned_until.is_some_and(|u| u > now),
        }
    }

    fn evict(&mut self, now: Instant) {
        let window = self.window;
        self.sources.retain(|_, e| {
            now.duration_since(e.window_start) < window || e.banned_until.is_some_and(|u| u > now)
        });
        if self.sources.len() >= MAX_SOURCES {
            let oldest = self
                .sources
                .iter()
                .min_by_key(|(_, e)| e.window_start)
                .map(|(ip, _)| *ip);
            if let Some(ip) = oldest {
                self.sources.remove(&ip);
            }
        }
    }

    /// Sources remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.sources.len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::net::Ipv4Addr;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3));

    #[test]
    fn ten_failures_ban_the_source_for_a_window_and_log_twice() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(10, Duration::from_secs(60));
        let mut logged = 0;
        for i in 0..10 {
            assert!(l.check(A, t0).is_ok(), "refused before failure {i}");
            let r = l.fail(A, t0 + Duration::from_secs(i));
            logged += usize::from(r.log);
            assert_eq!(r.banned, i == 9);
        }
        assert_eq!(logged, 2, "the first failure and the ban");
        let retry = l.check(A, t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(retry, Duration::from_secs(49));
        assert!(l.check(B, t0).is_ok(), "another source is not affected");
        assert!(
            l.check(A, t0 + Duration::from_secs(70)).is_ok(),
            "the ban ends"
        );
    }

    #[test]
    fn failures_spread_over_windows_never_ban() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(3, Duration::from_secs(60));
        for i in 0..20 {
            let r = l.fail(A, t0 + Duration::from_secs(31 * i));
            assert!(!r.banned, "failure {i}");
        }
    }

    #[test]
    fn the_table_is_bounded() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(3, Duration::from_secs(60));
        for i in 0..(MAX_SOURCES as u32 + 50) {
            l.fail(IpAddr::V4(Ipv4Addr::from(i)), t0);
        }
        assert!(l.len() <= MAX_SOURCES);
    }
}
