//! The security part of the configuration: who may call (`[sip]` trusted networks, trunks,
//! digest users and realm), the limits on untrusted sources and on TCP connections
//! (`[sip.limits]`), and where media is accepted from (`[media] source`). Parsing, defaults
//! and checks only.

use std::time::Duration;

use serde::Deserialize;

use sip::auth::Algorithm;

use crate::telephony::admission::{AdmissionSettings, IpNet, LimitSettings, SipUser};

/// A carrier or PBX whose addresses may call without authentication.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrunkConfig {
    /// A name for logs.
    pub name: String,
    /// Its addresses or ranges (`203.0.113.0/24`, `198.51.100.7`, `2001:db8::/32`).
    pub addresses: Vec<IpNet>,
}

/// `[sip.tls]`: SIP over TLS.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// Where to listen for TLS (the usual port is 5061).
    pub listen: std::net::SocketAddr,
    /// The certificate chain, PEM, leaf first.
    pub cert: std::path::PathBuf,
    /// The private key, PEM.
    pub key: std::path::PathBuf,
}

/// A user who may call from any address after digest authentication.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// The digest user name.
    pub name: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserConfig")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// `[sip.limits]`: untrusted sources and TCP connections.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SipLimitsConfig {
    /// Requests per second one untrusted source may send, sustained.
    pub per_source_rate: f64,
    /// Requests one untrusted source may send at once.
    pub per_source_burst: f64,
    /// Requests per second all untrusted sources together may send.
    pub untrusted_rate: f64,
    /// Failed authentications within `failure_window_secs` that ban a source.
    pub ban_after_failures: u32,
    /// Requests dropped by the rate limit within `failure_window_secs` that ban a source.
    pub ban_after_drops: u32,
    /// The window failures and drops are counted in.
    pub failure_window_secs: f64,
    /// How long a ban lasts.
    pub ban_secs: f64,
    /// Refusals are logged once per source per this interval.
    pub log_interval_secs: f64,
    /// Concurrent TCP connections one untrusted source may hold.
    pub tcp_per_source: usize,
    /// Concurrent TCP connections in all; 0 derives it from the descriptor limit.
    pub tcp_max_connections: usize,
    /// A TCP connection that carries nothing for this long is closed.
    pub tcp_idle_secs: f64,
    /// A SIP message begun on a TCP connection must be complete within this time.
    pub tcp_message_secs: f64,
}

impl Default for SipLimitsConfig {
    fn default() -> Self {
        let l = LimitSettings::default();
        SipLimitsConfig {
            per_source_rate: l.per_source_rate,
            per_source_burst: l.per_source_burst,
            untrusted_rate: l.untrusted_rate,
            ban_after_failures: l.ban_after_failures,
            ban_after_drops: l.ban_after_drops,
            failure_window_secs: l.failure_window.as_secs_f64(),
            ban_secs: l.ban_for.as_secs_f64(),
            log_interval_secs: 60.0,
            tcp_per_source: 16,
            tcp_max_connections: 0,
            tcp_idle_secs: 300.0,
            tcp_message_secs: 10.0,
        }
    }
}

/// Where a call's RTP and RTCP are accepted from (`[media] source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaSource {
    /// Only the address and port the SDP names.
    Sdp,
    /// The SDP address, or the address the call's signalling came from (any port: a caller
    /// behind NAT), latched on the first packet and then locked.
    #[default]
    Signalling,
    /// The first source that sends valid RTP, then locked (callers behind NAT whose media
    /// and signalling leave from different addresses).
    First,
}

/// The default trusted sources: the loopback networks.
pub(super) fn loopback() -> Vec<IpNet> {
    ["127.0.0.0/8", "::1/128"]
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// The digest algorithms by name (`MD5`, `SHA-256`).
pub(super) fn algorithms(names: &[String]) -> Result<Vec<Algorithm>, (&'static str, String)> {
    names
        .iter()
        .map(|n| match n.to_ascii_uppercase().as_str() {
            "MD5" => Ok(Algorithm::Md5),
            "SHA-256" => Ok(Algorithm::Sha256),
            _ => Err((
                "sip.digest_algorithms",
                format!("{n:?}: only \"MD5\" and \"SHA-256\" are supported"),
            )),
        })
        .collect()
}

/// Checks `[sip]`'s security fields; `Err((field, reason))`.
pub(super) fn validate(
    users: &[UserConfig],
    trunks: &[TrunkConfig],
    realm: &str,
    l: &SipLimitsConfig,
) -> Result<(), (&'static str, String)> {
    if realm.is_empty() || realm.contains('"') || realm.contains('\\') {
        return Err((
            "sip.realm",
            "must be non-empty, without quotes or backslashes".into(),
        ));
    }
    for (i, u) in users.iter().enumerate() {
        if u.name.is_empty() || u.name.contains(['"', '\\', ':']) {
            return Err((
                "sip.users",
                format!("user {i}: a name without quotes, backslashes or colons is required"),
            ));
        }
        if u.password.chars().count() < 8 {
            return Err((
                "sip.users",
                format!(
                    "user {:?}: the password must have at least 8 characters",
                    u.name
                ),
            ));
        }
        if users[..i].iter().any(|o| o.name == u.name) {
            return Err(("sip.users", format!("user {:?} is listed twice", u.name)));
        }
    }
    for t in trunks {
        if t.addresses.is_empty() {
            return Err(("sip.trunks", format!("trunk {:?} has no addresses", t.name)));
        }
    }
    let positive = |v: f64| v.is_finite() && v > 0.0 && v <= 1e6;
    for (field, v) in [
        ("sip.limits.per_source_rate", l.per_source_rate),
        ("sip.limits.per_source_burst", l.per_source_burst),
        ("sip.limits.untrusted_rate", l.untrusted_rate),
        ("sip.limits.failure_window_secs", l.failure_window_secs),
        ("sip.limits.ban_secs", l.ban_secs),
        ("sip.limits.log_interval_secs", l.log_interval_secs),
        ("sip.limits.tcp_idle_secs", l.tcp_idle_secs),
        ("sip.limits.tcp_message_secs", l.tcp_message_secs),
    ] {
        if !positive(v) {
            return Err((field, "must be a positive number".into()));
        }
    }
    if l.ban_after_failures == 0 || l.ban_after_drops == 0 {
        return Err((
            "sip.limits.ban_after_failures",
            "ban thresholds must be at least 1".into(),
        ));
    }
    if l.tcp_per_source == 0 {
        return Err(("sip.limits.tcp_per_source", "must be at least 1".into()));
    }
    Ok(())
}

/// The admission settings from the `[sip]` values.
pub(super) fn admission(
    realm: &str,
    trusted: &[IpNet],
    trunks: &[TrunkConfig],
    users: &[UserConfig],
    l: &SipLimitsConfig,
    algorithms: Vec<Algorithm>,
) -> AdmissionSettings {
    let mut nets = trusted.to_vec();
    nets.extend(trunks.iter().flat_map(|t| t.addresses.iter().copied()));
    AdmissionSettings {
        realm: realm.to_owned(),
        trusted: nets,
        users: users
            .iter()
            .map(|u| SipUser {
                name: u.name.clone(),
                password: u.password.clone(),
            })
            .collect(),
        limits: LimitSettings {
            per_source_rate: l.per_source_rate,
            per_source_burst: l.per_source_burst,
            untrusted_rate: l.untrusted_rate,
            ban_after_failures: l.ban_after_failures,
            failure_window: Duration::from_secs_f64(l.failure_window_secs),
            ban_after_drops: l.ban_after_drops,
            ban_for: Duration::from_secs_f64(l.ban_secs),
            ..LimitSettings::default()
        },
        log_interval: Duration::from_secs_f64(l.log_interval_secs),
        algorithms,
    }
}
