//! Limits of the SIP transports: the table of open TCP/TLS connections (in all and per
//! source), the budget of stateless answers to garbage datagrams, and the throttle of their
//! log lines. Pure bookkeeping with time as an input; the transport tasks own the sockets.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::admission::IpNet;

/// Limits of the TCP listener.
#[derive(Debug, Clone)]
pub(crate) struct TcpLimits {
    /// Connections in all.
    pub(crate) max_connections: usize,
    /// Connections per untrusted source address.
    pub(crate) per_source: usize,
    /// Sources without a per-source limit.
    pub(crate) trusted: Vec<IpNet>,
    /// A connection that carries nothing for this long is closed.
    pub(crate) idle: Duration,
    /// A message begun must be complete within this time.
    pub(crate) message: Duration,
}

/// Open accepted connections, in all and per source (shared by the TCP and TLS listeners).
#[derive(Debug, Default)]
pub(crate) struct OpenConnections {
    total: usize,
    by_source: HashMap<IpAddr, usize>,
}

impl OpenConnections {
    pub(crate) fn open(
        &mut self,
        ip: IpAddr,
        trusted: bool,
        limits: &TcpLimits,
    ) -> Result<(), &'static str> {
        if self.total >= limits.max_connections {
            return Err("the connection limit is reached (sip.limits.tcp_max_connections)");
        }
        let n = self.by_source.entry(ip).or_insert(0);
        if !trusted && *n >= limits.per_source {
            return Err("the source has too many connections (sip.limits.tcp_per_source)");
        }
        *n += 1;
        self.total += 1;
        Ok(())
    }

    pub(crate) fn close(&mut self, ip: IpAddr) {
        self.total = self.total.saturating_sub(1);
        if let Some(n) = self.by_source.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                self.by_source.remove(&ip);
            }
        }
    }
}

/// Stateless error answers (400, 513) to unparsable datagrams per second, from all sources
/// together: beyond, garbage is dropped unanswered.
pub(crate) const ERROR_ANSWERS_PER_SEC: f64 = 50.0;

/// A token bucket of answers, refilled with time.
#[derive(Debug)]
pub(crate) struct ErrorBudget {
    rate: f64,
    tokens: f64,
    at: Option<Instant>,
}

impl ErrorBudget {
    pub(crate) fn new(rate: f64) -> ErrorBudget {
        ErrorBudget {
            rate,
            tokens: rate,
            at: None,
        }
    }

    /// Whether one more answer may go out at `now`.
    pub(crate) fn take(&mut self, now: Instant) -> bool {
        if let Some(at) = self.at {
            let dt = now.saturating_duration_since(at).as_secs_f64();
            self.tokens = (self.tokens + dt * self.rate).min(self.rate);
        }
        self.at = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Counts events and says when to log them: at most once per interval.
#[derive(Debug)]
pub(crate) struct LogEvery {
    interval: Duration,
    next: Option<Instant>,
    count: u64,
}

impl LogEvery {
    pub(crate) fn new(interval: Duration) -> LogEvery {
        LogEvery {
            interval,
            next: None,
            count: 0,
        }
    }

    /// Notes one event; `Some(count since the last line)` when a line is due.
    pub(crate) fn note(&mut self, now: Instant) -> Option<u64> {
        self.count += 1;
        if self.next.is_some_and(|t| now < t) {
            return None;
        }
        self.next = Some(now + self.interval);
        Some(std::mem::take(&mut self.count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max: usize, per_source: usize) -> TcpLimits {
        TcpLimits {
            max_connections: max,
            per_source,
            trusted: vec!["127.0.0.1".parse().expect("an address")],
            idle: Duration::from_secs(1),
            message: Duration::from_secs(1),
        }
    }

    #[test]
    fn connections_are_limited_per_source_and_in_all() {
        let l = limits(5, 2);
        let mut open = OpenConnections::default();
        let a: IpAddr = "192.0.2.1".parse().expect("an address");
        let b: IpAddr = "192.0.2.2".parse().expect("an address");
        let local: IpAddr = "127.0.0.1".parse().expect("an address");
        assert!(open.open(a, false, &l).is_ok());
        assert!(open.open(a, false, &l).is_ok());
        assert!(open.open(a, false, &l).is_err(), "per source");
        assert!(open.open(local, true, &l).is_ok());
        assert!(open.open(local, true, &l).is_ok());
        assert!(
            open.open(local, true, &l).is_ok(),
            "trusted: no per-source limit"
        );
        assert!(open.open(b, false, &l).is_err(), "in all");
        open.close(a);
        assert!(open.open(b, false, &l).is_ok());
        open.close(a);
        open.close(b);
        assert_eq!(open.by_source.get(&a), None);
    }

    #[test]
    fn refusals_are_logged_once_per_interval_with_their_count() {
        let mut log = LogEvery::new(Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(log.note(t0), Some(1));
        for i in 1..1000 {
            assert_eq!(log.note(t0 + Duration::from_millis(i)), None);
        }
        assert_eq!(log.note(t0 + Duration::from_secs(10)), Some(1000));
    }

    #[test]
    fn answers_to_garbage_are_bounded_per_second() {
        let t0 = Instant::now();
        let mut b = ErrorBudget::new(50.0);
        assert_eq!((0..1000).filter(|_| b.take(t0)).count(), 50);
        let t1 = t0 + Duration::from_millis(100);
        assert_eq!((0..1000).filter(|_| b.take(t1)).count(), 5);
    }
}
