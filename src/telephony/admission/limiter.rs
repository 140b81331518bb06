//! Per-source rate limits and bans, sans-IO (time is an input): a token bucket per source
//! address (the behaviour of Kamailio's pike), a bucket shared by all untrusted sources (so
//! spoofed addresses cannot multiply the budget), and bans after repeated authentication
//! failures or sustained flooding (the behaviour of fail2ban). Every map is bounded: when one
//! is full, idle entries go first, then the oldest.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// The limits, from `[sip.limits]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitSettings {
    /// Requests per second one untrusted source may send, sustained.
    pub per_source_rate: f64,
    /// Requests one untrusted source may send in a burst.
    pub per_source_burst: f64,
    /// Requests per second all untrusted sources together may send.
    pub untrusted_rate: f64,
    /// Failed authentications within `failure_window` after which a source is banned.
    pub ban_after_failures: u32,
    /// The window failures are counted in.
    pub failure_window: Duration,
    /// Requests dropped by the rate limit within `failure_window` after which a source is
    /// banned.
    pub ban_after_drops: u32,
    /// How long a ban lasts.
    pub ban_for: Duration,
    /// Sources remembered at most (buckets, failure counts, bans each).
    pub max_sources: usize,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            per_source_rate: 10.0,
            per_source_burst: 20.0,
            untrusted_rate: 500.0,
            ban_after_failures: 5,
            failure_window: Duration::from_secs(600),
            ban_after_drops: 100,
            ban_for: Duration::from_secs(900),
            max_sources: 65_536,
        }
    }
}

/// A token bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(burst: f64, now: Instant) -> Bucket {
        Bucket {
            tokens: burst,
            at: now,
        }
    }

    /// Refills for the time since the last take, then takes one token if there is one.
    fn take(&mut self, now: Instant, rate: f64, burst: f64) -> bool {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * rate).min(burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Bad events of one source within the current window.
#[derive(Debug, Clone, Copy)]
struct Strikes {
    since: Instant,
    failures: u32,
    drops: u32,
}

/// Why a request from an untrusted source is not let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// The source is banned until the given time.
    Banned,
    /// Over its own rate.
    RateLimited,
    /// Over the rate of all untrusted sources together.
    Overloaded,
}

/// What a recorded bad event led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strike {
    /// Counted.
    Counted,
    /// The source is now banned (until `now + ban_for`).
    Banned,
}

/// Rate limits and bans of untrusted sources.
#[derive(Debug)]
pub struct Limiter {
    s: LimitSettings,
    buckets: HashMap<IpAddr, Bucket>,
    global: Bucket,
    strikes: HashMap<IpAddr, Strikes>,
    bans: HashMap<IpAddr, Instant>,
}

impl Limiter {
    /// A limiter starting at `now`.
    pub fn new(s: LimitSettings, now: Instant) -> Limiter {
        let global = Bucket::full(s.untrusted_rate.max(1.0), now);
        Limiter {
            s,
            buckets: HashMap::new(),
            global,
            strikes: HashMap::new(),
            bans: HashMap::new(),
        }
    }

    /// Whether one more request from `ip` may go on at `now`; a request the rate limit
    /// drops counts towards a ban.
    pub fn admit(&mut self, now: Instant, ip: IpAddr) -> Result<(), Blocked> {
        if self.banned(now, ip) {
            return Err(Blocked::Banned);
        }
        let (rate, burst) = (self.s.per_source_rate, self.s.per_source_burst.max(1.0));
        if !self.buckets.contains_key(&ip) && self.buckets.len() >= self.s.max_sources {
            self.evict_buckets(now);
        }
        let bucket = self
            .buckets
            .entry(ip)
            .or_insert_with(|| Bucket::full(burst, now));
        if !bucket.take(now, rate, burst) {
            self.strike(now, ip, false);
            return Err(Blocked::RateLimited);
        }
        let g = self.s.untrusted_rate.max(1.0);
        if !self.global.take(now, g, g) {
            return Err(Blocked::Overloaded);
        }
        Ok(())
    }

    /// Whether `ip` is banned at `now`.
    pub fn banned(&mut self, now: Instant, ip: IpAddr) -> bool {
        match self.bans.get(&ip) {
            Some(until) if *until > now => true,
            Some(_) => {
                self.bans.remove(&ip);
                false
            }
            None => false,
        }
    }

    /// Records a failed authentication of `ip`.
    pub fn failure(&mut self, now: Instant, ip: IpAddr) -> Strike {
        self.strike(now, ip, true)
    }

    /// Counts a failure or a dropped request; bans when a threshold is reached.
    fn strike(&mut self, now: Instant, ip: IpAddr, failure: bool) -> Strike {
        let window = self.s.failure_window;
        if !self.strikes.contains_key(&ip) && self.strikes.len() >= self.s.max_sources {
            self.strikes
                .retain(|_, s| now.saturating_duration_since(s.since) < window);
            if self.strikes.len() >= self.s.max_sources {
                return Strike::Counted;
            }
        }
        let s = self.strikes.entry(ip).or_insert(Strikes {
            since: now,
            failures: 0,
            drops: 0,
        });
        if now.saturating_duration_since(s.since) >= window {
            *s = Strikes {
                since: now,
                failures: 0,
                drops: 0,
            };
        }
        if failure {
            s.failures += 1;
        } else {
            s.drops += 1;
        }
        let ban = (failure && s.failures >= self.s.ban_after_failures)
            || (!failure && s.drops >= self.s.ban_after_drops);
        if !ban {
            return Strike::Counted;
        }
        self.strikes.remove(&ip);
        if !self.bans.contains_key(&ip) && self.bans.len() >= self.s.max_sources {
            self.bans.retain(|_, until| *until > now);
        }
        if self.bans.len() < self.s.max_sources || self.bans.contains_key(&ip) {
            self.bans.insert(ip, now + self.s.ban_for);
        }
        Strike::Banned
    }

    /// Makes room for a new bucket: full (idle) buckets go; if none is, the stalest.
    fn evict_buckets(&mut self, now: Instant) {
        let (rate, burst) = (self.s.per_source_rate, self.s.per_source_burst.max(1.0));
        let refill = Duration::from_secs_f64((burst / rate.max(0.001)).min(86_400.0));
        self.buckets
            .retain(|_, b| now.saturating_duration_since(b.at) < refill);
        if self.buckets.len() >= self.s.max_sources
            && let Some(oldest) = self
                .buckets
                .iter()
                .min_by_key(|(_, b)| b.at)
                .map(|(ip, _)| *ip)
        {
            self.buckets.remove(&oldest);
        }
    }

    /// Sources banned now (for the log and metrics).
    pub fn bans(&self) -> usize {
        self.bans.len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn settings() -> LimitSettings {
        LimitSettings {
            per_source_rate: 10.0,
            per_source_burst: 20.0,
            untrusted_rate: 1000.0,
            ban_after_failures: 3,
            failure_window: Duration::from_secs(60),
            ban_after_drops: 50,
            ban_for: Duration::from_secs(300),
            max_sources: 4,
        }
    }

    #[test]
    fn a_burst_passes_then_the_rate_holds() {
        let t0 = Instant::now();
        let mut s = settings();
        s.ban_after_drops = 1000;
        let mut l = Limiter::new(s, t0);
        let a = ip("192.0.2.1");
        let passed = (0..100).filter(|_| l.admit(t0, a).is_ok()).count();
        assert_eq!(passed, 20, "the burst");
        // One second later: ten more.
        let t1 = t0 + Duration::from_secs(1);
        let passed = (0..100).filter(|_| l.admit(t1, a).is_ok()).count();
        assert_eq!(passed, 10);
        // Another source has its own budget.
        assert!(l.admit(t1, ip("192.0.2.2")).is_ok());
    }

    #[test]
    fn a_sustained_flood_gets_banned_and_the_ban_ends() {
        let t0 = Instant::now();
        let mut l = Limiter::new(settings(), t0);
        let a = ip("192.0.2.1");
        let results: Vec<_> = (0..200).map(|_| l.admit(t0, a)).collect();
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 20);
        assert_eq!(results[199], Err(Blocked::Banned));
        assert_eq!(
            l.admit(t0 + Duration::from_secs(299), a),
            Err(Blocked::Banned)
        );
        assert!(l.admit(t0 + Duration::from_secs(301), a).is_ok());
    }

    #[test]
    fn failed_authentications_ban_after_the_threshold_within_the_window() {
        let t0 = Instant::now();
        let mut l = Limiter::new(settings(), t0);
        let a = ip("198.51.100.9");
        assert_eq!(l.failure(t0, a), Strike::Counted);
        assert_eq!(l.failure(t0, a), Strike::Counted);
        // The window passes: the count starts over.
        let t1 = t0 + Duration::from_secs(61);
        assert_eq!(l.failure(t1, a), Strike::Counted);
        assert_eq!(l.failure(t1, a), Strike::Counted);
        assert_eq!(l.failure(t1, a), Strike::Banned);
        assert_eq!(l.admit(t1, a), Err(Blocked::Banned));
    }

    #[test]
    fn spoofed_sources_share_the_untrusted_budget() {
        let t0 = Instant::now();
        let mut s = settings();
        s.untrusted_rate = 5.0;
        s.max_sources = 1000;
        let mut l = Limiter::new(s, t0);
        let passed = (0..100u8)
            .filter(|i| l.admit(t0, ip(&format!("203.0.113.{i}"))).is_ok())
            .count();
        assert_eq!(passed, 5);
    }

    #[test]
    fn the_maps_stay_bounded() {
        let t0 = Instant::now();
        let mut l = Limiter::new(settings(), t0);
        for i in 0..50u8 {
            let a = ip(&format!("203.0.113.{i}"));
            let _ = l.admit(t0, a);
            for _ in 0..3 {
                l.failure(t0, a);
            }
        }
        assert!(l.buckets.len() <= 4);
        assert!(l.strikes.len() <= 4);
        assert!(l.bans.len() <= 4);
    }
}
