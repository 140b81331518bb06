//! One log line per source per interval: the first refusal of a source is reported at once,
//! the rest are counted and reported as one summary line when the interval ends. A flood
//! costs a few lines, not one per packet. Sans-IO: the caller passes `now` and drains
//! [`LogThrottle::poll`]. The map is bounded; sources beyond it are counted together.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Why requests of a source were refused (the label of the log line and the metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Challenged: no credentials yet (401). Not a failure; counted for the record.
    Challenged,
    /// Wrong or unusable credentials (403).
    AuthFailed,
    /// No user is configured, so an untrusted source cannot call at all (403).
    NotAllowed,
    /// Over the source's rate (dropped).
    RateLimited,
    /// Over the rate of all untrusted sources (dropped).
    Overloaded,
    /// Banned (dropped).
    Banned,
}

impl Refusal {
    /// The label used in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Challenged => "challenged",
            Refusal::AuthFailed => "auth_failed",
            Refusal::NotAllowed => "not_allowed",
            Refusal::RateLimited => "rate_limited",
            Refusal::Overloaded => "overloaded",
            Refusal::Banned => "banned",
        }
    }

    const ALL: [Refusal; 6] = [
        Refusal::Challenged,
        Refusal::AuthFailed,
        Refusal::NotAllowed,
        Refusal::RateLimited,
        Refusal::Overloaded,
        Refusal::Banned,
    ];

    fn index(self) -> usize {
        Refusal::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

/// A line to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogLine {
    /// The first refusal of a source in an interval.
    First {
        /// The source (`None`: the sources beyond the map's bound, together).
        source: Option<IpAddr>,
        /// Why.
        reason: Refusal,
    },
    /// What followed within the interval.
    Summary {
        /// The source (`None`: the sources beyond the map's bound, together).
        source: Option<IpAddr>,
        /// Refusals by reason (only non-zero ones).
        counts: Vec<(Refusal, u64)>,
        /// The interval.
        interval: Duration,
    },
    /// A source was banned.
    Banned {
        /// The source.
        source: IpAddr,
        /// For how long.
        until: Duration,
    },
}

#[derive(Debug, Clone)]
struct Window {
    ends: Instant,
    counts: [u64; 6],
}

/// The throttle. See the module documentation.
#[derive(Debug)]
pub struct LogThrottle {
    interval: Duration,
    max_sources: usize,
    windows: HashMap<Option<IpAddr>, Window>,
    out: Vec<LogLine>,
}

impl LogThrottle {
    /// A throttle with one line per source per `interval`, remembering at most
    /// `max_sources` sources.
    pub fn new(interval: Duration, max_sources: usize) -> LogThrottle {
        LogThrottle {
            interval,
            max_sources: max_sources.max(1),
            windows: HashMap::new(),
            out: Vec::new(),
        }
    }

    /// Notes a refusal of `source` at `now`.
    pub fn note(&mut self, now: Instant, source: IpAddr, reason: Refusal) {
        let mut key = Some(source);
        if !self.windows.contains_key(&key) && self.windows.len() >= self.max_sources {
            self.flush(now);
            if self.windows.len() >= self.max_sources {
                key = None;
            }
        }
        match self.windows.get_mut(&key) {
            Some(w) => w.counts[reason.index()] += 1,
            None => {
                self.windows.insert(
                    key,
                    Window {
                        ends: now + self.interval,
                        counts: [0; 6],
                    },
                );
                self.out.push(LogLine::First {
                    source: key,
                    reason,
                });
            }
        }
    }

    /// Notes that `source` was banned for `until`; always logged.
    pub fn banned(&mut self, source: IpAddr, until: Duration) {
        self.out.push(LogLine::Banned { source, until });
    }

    /// The next line to log, after closing the windows that ended by `now`.
    pub fn poll(&mut self, now: Instant) -> Option<LogLine> {
        if self.out.is_empty() {
            self.flush(now);
        }
        if self.out.is_empty() {
            None
        } else {
            Some(self.out.remove(0))
        }
    }

    /// When the earliest window ends.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.windows.values().map(|w| w.ends).min()
    }

    fn flush(&mut self, now: Instant) {
        let interval = self.interval;
        let out = &mut self.out;
        self.windows.retain(|source, w| {
            if w.ends > now {
                return true;
            }
            let counts: Vec<(Refusal, u64)> = Refusal::ALL
                .iter()
                .map(|r| (*r, w.counts[r.index()]))
                .filter(|(_, n)| *n > 0)
                .collect();
            if !counts.is_empty() {
                out.push(LogLine::Summary {
                    source: *source,
                    counts,
                    interval,
                });
            }
            false
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn drain(t: &mut LogThrottle, now: Instant) -> Vec<LogLine> {
        std::iter::from_fn(|| t.poll(now)).collect()
    }

    #[test]
    fn a_flood_from_one_source_costs_two_lines_per_interval() {
        let t0 = Instant::now();
        let mut t = LogThrottle::new(Duration::from_secs(60), 16);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let mut lines = Vec::new();
        for i in 0..10_000u64 {
            let now = t0 + Duration::from_millis(i);
            let reason = if i % 2 == 0 {
                Refusal::RateLimited
            } else {
                Refusal::Challenged
            };
            t.note(now, a, reason);
            lines.extend(drain(&mut t, now));
        }
        lines.extend(drain(&mut t, t0 + Duration::from_secs(61)));
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[1],
            LogLine::Summary {
                source: Some(a),
                counts: vec![(Refusal::Challenged, 5000), (Refusal::RateLimited, 4999)],
                interval: Duration::from_secs(60),
            }
        );
        assert!(t.poll_timeout().is_none());
    }

    #[test]
    fn a_single_refusal_has_no_summary() {
        let t0 = Instant::now();
        let mut t = LogThrottle::new(Duration::from_secs(60), 16);
        t.note(t0, "192.0.2.1".parse().unwrap(), Refusal::AuthFailed);
        assert_eq!(drain(&mut t, t0).len(), 1);
        assert!(drain(&mut t, t0 + Duration::from_secs(120)).is_empty());
    }

    #[test]
    fn many_sources_are_counted_together_beyond_the_bound() {
        let t0 = Instant::now();
        let mut t = LogThrottle::new(Duration::from_secs(60), 4);
        let mut lines = Vec::new();
        for i in 0..200u8 {
            t.note(
                t0,
                format!("203.0.113.{i}").parse().unwrap(),
                Refusal::Banned,
            );
            lines.extend(drain(&mut t, t0));
        }
        assert_eq!(lines.len(), 5, "4 sources and the rest together");
        assert!(t.windows.len() <= 5);
    }
}
