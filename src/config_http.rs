//! `[http]`: the API's listen address, the names and origins it serves, its connection and
//! queue limits. Parsing, defaults and checks only.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;

/// `[http]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Listen address of the API and pages.
    pub listen: SocketAddr,
    /// Host names served besides `localhost`, IP literals and the listen address (with or
    /// without a port): a request for another Host gets 421 (DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// Origins (`https://ops.example.com`) allowed besides those whose host is allowed: a
    /// request with another `Origin` gets 403 (cross-site requests).
    pub allowed_origins: Vec<String>,
    /// Open connections at most; more are closed at once.
    pub max_connections: usize,
    /// Open connections per source address at most.
    pub max_connections_per_source: usize,
    /// A request's head must arrive within this many seconds of the connection opening or of
    /// the previous response (also the keep-alive idle timeout).
    pub header_read_timeout_secs: f64,
    /// A request's body must arrive within this many seconds (else 408).
    pub body_read_timeout_secs: f64,
    /// Questions that may wait for an answer slot (beyond: 429).
    pub ask_queue: usize,
    /// How long a question may wait for a slot (beyond: 429).
    pub ask_max_wait_secs: f64,
    /// Knowledge-base searches and writes that may wait for a slot (beyond: 429).
    pub kb_queue: usize,
    /// How long a knowledge-base request may wait for a slot (beyond: 429).
    pub kb_max_wait_secs: f64,
    /// Documents the knowledge base may hold for a PUT to add one.
    pub max_documents: usize,
    /// Total knowledge-base size (bytes) a PUT may grow it to.
    pub max_kb_bytes: u64,
    /// API tokens per install at most.
    pub max_tokens: usize,
    /// Failed authentications per source and minute before it gets 429 for a minute.
    pub auth_failures_per_minute: u32,
}

impl HttpConfig {
    /// Checks `[http]`; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason: &str| {
            Err(ConfigError::Invalid {
                field,
                reason: reason.into(),
            })
        };
        for (field, v, lo, hi) in [
            ("http.max_connections", self.max_connections, 1, 65_536),
            (
                "http.max_connections_per_source",
                self.max_connections_per_source,
                1,
                65_536,
            ),
            ("http.ask_queue", self.ask_queue, 0, 10_000),
            ("http.kb_queue", self.kb_queue, 0, 10_000),
            ("http.max_documents", self.max_documents, 1, 1_000_000),
            ("http.max_tokens", self.max_tokens, 1, 100_000),
        ] {
            if !(lo..=hi).contains(&v) {
                return invalid(field, &format!("must be between {lo} and {hi}"));
            }
        }
        if self.max_connections_per_source > self.max_connections {
            return invalid(
                "http.max_connections_per_source",
                "must not be above http.max_connections",
            );
        }
        for (field, v) in [
            (
                "http.header_read_timeout_secs",
                self.header_read_timeout_secs,
            ),
            ("http.body_read_timeout_secs", self.body_read_timeout_secs),
            ("http.ask_max_wait_secs", self.ask_max_wait_secs),
            ("http.kb_max_wait_secs", self.kb_max_wait_secs),
        ] {
            if !(v.is_finite() && (0.1..=3600.0).contains(&v)) {
                return invalid(field, "must be between 0.1 and 3600 seconds");
            }
        }
        if self.max_kb_bytes < 1024 {
            return invalid("http.max_kb_bytes", "must be at least 1024");
        }
        if !(1..=10_000).contains(&self.auth_failures_per_minute) {
            return invalid(
                "http.auth_failures_per_minute",
                "must be between 1 and 10000",
            );
        }
        for h in &self.allowed_hosts {
            if h.is_empty() || h.contains(['/', ' ', '@']) {
                return invalid("http.allowed_hosts", &format!("{h:?} is not a host name"));
            }
        }
        for o in &self.allowed_origins {
            let ok = (o.starts_with("http://") || o.starts_with("https://"))
                && o.trim_end_matches('/').split('/').nth(3).is_none();
            if !ok {
                return invalid(
                    "http.allowed_origins",
                    &format!("{o:?} is not an origin like https://ops.example.com"),
                );
            }
        }
        Ok(())
    }

    /// Seconds as a duration (validated fields only).
    pub fn secs(v: f64) -> Duration {
        Duration::from_secs_f64(v)
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            max_connections: 256,
            max_connections_per_source: 32,
            header_read_timeout_secs: 10.0,
            body_read_timeout_secs: 30.0,
            ask_queue: 8,
            ask_max_wait_secs: 30.0,
            kb_queue: 16,
            kb_max_wait_secs: 30.0,
            max_documents: 1000,
            max_kb_bytes: 50_000_000,
            max_tokens: 1000,
            auth_failures_per_minute: 10,
        }
    }
}
