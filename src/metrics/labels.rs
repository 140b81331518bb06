//! The label sets of the labelled families: enums, so the number of series is fixed and no
//! caller-supplied string becomes a label. Owns the label values; the families are `mod.rs`'s.

/// The route classes HTTP requests are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpRoute {
    /// `/health`.
    Health,
    /// `/metrics`.
    Metrics,
    /// `/api/v1/ask`.
    Ask,
    /// `/api/v1/kb/...`.
    Knowledge,
    /// `/api/v1/tokens...`.
    Tokens,
    /// `/demo/...`.
    Demo,
    /// Anything else.
    Other,
}

impl HttpRoute {
    pub(super) const ALL: [HttpRoute; 7] = [
        HttpRoute::Health,
        HttpRoute::Metrics,
        HttpRoute::Ask,
        HttpRoute::Knowledge,
        HttpRoute::Tokens,
        HttpRoute::Demo,
        HttpRoute::Other,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpRoute::Health => "health",
            HttpRoute::Metrics => "metrics",
            HttpRoute::Ask => "ask",
            HttpRoute::Knowledge => "kb",
            HttpRoute::Tokens => "tokens",
            HttpRoute::Demo => "demo",
            HttpRoute::Other => "other",
        }
    }

    /// The class of a request path.
    pub fn of_path(path: &str) -> HttpRoute {
        let under = |p: &str| {
            path.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if path == "/health" {
            HttpRoute::Health
        } else if path == "/metrics" {
            HttpRoute::Metrics
        } else if path == "/api/v1/ask" {
            HttpRoute::Ask
        } else if under("/api/v1/kb") {
            HttpRoute::Knowledge
        } else if under("/api/v1/tokens") {
            HttpRoute::Tokens
        } else if under("/demo") {
            HttpRoute::Demo
        } else {
            HttpRoute::Other
        }
    }
}

/// Status codes counted by their own label value; any other is `other`.
pub(super) const CODES: [u16; 17] = [
    200, 201, 204, 400, 401, 403, 404, 405, 408, 409, 413, 414, 421, 429, 431, 500, 503,
];
pub(super) const CODE_SLOTS: usize = CODES.len() + 1;

/// Why the HTTP server refused a request or a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpRefusal {
    /// No token, or an unknown or revoked one (401).
    Unauthenticated,
    /// A token whose role may not do this (403).
    Forbidden,
    /// Too many failed authentications from the source (429).
    RateLimited,
    /// A bounded queue was full or the wait too long (429).
    QueueFull,
    /// A Host that is not served (421).
    BadHost,
    /// A cross-site Origin (403).
    BadOrigin,
    /// The body did not arrive in time (408).
    BodyTimeout,
    /// The connection cap was reached (connection closed).
    ConnectionCap,
    /// The per-source connection cap was reached (connection closed).
    SourceCap,
}

impl HttpRefusal {
    pub(super) const ALL: [HttpRefusal; 9] = [
        HttpRefusal::Unauthenticated,
        HttpRefusal::Forbidden,
        HttpRefusal::RateLimited,
        HttpRefusal::QueueFull,
        HttpRefusal::BadHost,
        HttpRefusal::BadOrigin,
        HttpRefusal::BodyTimeout,
        HttpRefusal::ConnectionCap,
        HttpRefusal::SourceCap,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpRefusal::Unauthenticated => "unauthenticated",
            HttpRefusal::Forbidden => "forbidden",
            HttpRefusal::RateLimited => "rate_limited",
            HttpRefusal::QueueFull => "queue_full",
            HttpRefusal::BadHost => "bad_host",
            HttpRefusal::BadOrigin => "bad_origin",
            HttpRefusal::BodyTimeout => "body_timeout",
            HttpRefusal::ConnectionCap => "connection_cap",
            HttpRefusal::SourceCap => "source_cap",
        }
    }
}

/// Why an inbound SIP request was refused (for the telephony runtime to report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SipRefusal {
    /// The source is not a trusted trunk and did not authenticate.
    NotTrusted,
    /// Digest authentication failed.
    AuthFailed,
    /// The source is over its rate limit.
    RateLimited,
    /// All untrusted sources together are over their rate limit.
    Overloaded,
    /// The source is banned after repeated failures.
    Banned,
    /// TLS is required (`sips:` or `sip.require_secure`) and the request came without it.
    Insecure,
    /// `calls.max_calls` reached, or shutting down (503).
    Busy,
    /// No RTP port free.
    NoPorts,
    /// A malformed request, or an INVITE whose offer is unusable (4xx).
    BadRequest,
    /// Anything else.
    Other,
}

impl SipRefusal {
    pub(super) const ALL: [SipRefusal; 10] = [
        SipRefusal::NotTrusted,
        SipRefusal::AuthFailed,
        SipRefusal::RateLimited,
        SipRefusal::Overloaded,
        SipRefusal::Banned,
        SipRefusal::Insecure,
        SipRefusal::Busy,
        SipRefusal::NoPorts,
        SipRefusal::BadRequest,
        SipRefusal::Other,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            SipRefusal::NotTrusted => "not_trusted",
            SipRefusal::AuthFailed => "auth_failed",
            SipRefusal::RateLimited => "rate_limited",
            SipRefusal::Overloaded => "overloaded",
            SipRefusal::Banned => "banned",
            SipRefusal::Insecure => "insecure",
            SipRefusal::Busy => "busy",
            SipRefusal::NoPorts => "no_ports",
            SipRefusal::BadRequest => "bad_request",
            SipRefusal::Other => "other",
        }
    }
}

/// A stage of one agent turn (see `dialog::TurnTimings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AgentStage {
    /// Knowledge retrieval.
    Retrieval,
    /// To the language model's first token.
    LlmFirstToken,
    /// To the first checked sentence.
    FirstSentence,
    /// The whole turn.
    Total,
}

impl AgentStage {
    pub(super) const ALL: [AgentStage; 4] = [
        AgentStage::Retrieval,
        AgentStage::LlmFirstToken,
        AgentStage::FirstSentence,
        AgentStage::Total,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStage::Retrieval => "retrieval",
            AgentStage::LlmFirstToken => "llm_first_token",
            AgentStage::FirstSentence => "first_sentence",
            AgentStage::Total => "total",
        }
    }
}
