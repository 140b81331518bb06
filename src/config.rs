//! The one typed configuration of `voxgate serve`: embedded defaults that work with no file,
//! then a TOML file, then `VOXGATE_*` environment variables, then command-line flags, each
//! layer overriding the one before. [`Config::validate`] runs once at start; its errors name
//! the field and say why. Owns parsing and checking only: nothing here opens a socket.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

#[path = "config_security.rs"]
mod security;
pub use security::{MediaSource, SipLimitsConfig, TlsConfig, TrunkConfig, UserConfig};
#[path = "config_flows.rs"]
mod flows;
pub use flows::FlowsConfig;
#[path = "config_center.rs"]
mod center;
pub(crate) use center::check_uri as check_agent_uri;
pub use center::{AgentConfig, CenterConfig, OutboundAuth, OverflowTo, QueueConfig};
#[path = "config_http.rs"]
mod http;
pub use http::HttpConfig;

use crate::telephony::admission::{AdmissionSettings, IpNet};

/// Everything `voxgate serve` is configured with.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// SIP signalling.
    pub sip: SipConfig,
    /// HTTP API and pages.
    pub http: HttpConfig,
    /// RTP media.
    pub media: MediaConfig,
    /// Call handling.
    pub calls: CallsConfig,
    /// The AI agent: knowledge base, language model, tools, guardrail limits.
    pub agent: crate::dialog::AgentSettings,
    /// Call recordings: quota and retention.
    pub recordings: RecordingsConfig,
    /// Operator flows: the directory, numbers → flows, knowledge bases and queues.
    pub flows: FlowsConfig,
    /// The store: what besides SQLite gets written.
    pub store: StoreConfig,
    /// How the caller's feelings are read: thresholds.
    pub emotion: crate::emotion::EmotionConfig,
    /// Human agents and queues.
    pub center: CenterConfig,
    /// Where records and recordings go.
    pub data_dir: PathBuf,
    /// Where the models are (`voxgate models fetch`): `$VOXGATE_MODELS`, else
    /// `~/.cache/voxgate/models`, the directory every command uses.
    pub models_dir: PathBuf,
    /// Log level: error, warn, info, debug or trace.
    pub log_level: String,
}

/// `[sip]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SipConfig {
    /// Address for both the UDP socket and the TCP listener.
    pub listen: SocketAddr,
    /// Whether to listen on UDP.
    pub udp: bool,
    /// Whether to listen on TCP.
    pub tcp: bool,
    /// The address written into SDP and Contact; derived from `listen` when absent.
    pub advertise_ip: Option<IpAddr>,
    /// RFC 3261 T1, the round-trip estimate every SIP timer derives from (ms), 50–4000. 500 is the
    /// RFC's value; a smaller one suits a LAN and makes lost-ACK detection (64·T1) faster.
    pub t1_ms: u64,
    /// The digest realm of the challenges.
    pub realm: String,
    /// Sources that may call without authentication (default: the loopback networks).
    pub trusted: Vec<IpNet>,
    /// Carriers and PBXs that may call without authentication, by address.
    pub trunks: Vec<TrunkConfig>,
    /// Users who may call from anywhere after digest authentication.
    pub users: Vec<UserConfig>,
    /// Limits on untrusted sources and TCP connections.
    pub limits: SipLimitsConfig,
    /// Digest algorithms offered, in order: `MD5` first by default, because many clients
    /// (SIPp, older phones) answer only the first challenge and know only MD5.
    pub digest_algorithms: Vec<String>,
    /// SIP over TLS; off when absent.
    pub tls: Option<TlsConfig>,
    /// Require TLS for signalling and SRTP for media: a call over UDP or TCP, or an offer
    /// without SRTP, is refused.
    pub require_secure: bool,
}

/// `[media]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Lowest RTP port (even ports carry RTP, the odd one above carries RTCP without mux).
    pub rtp_port_min: u16,
    /// Highest RTP port.
    pub rtp_port_max: u16,
    /// Hang up when no RTP arrives for this many seconds while not on hold.
    pub timeout_secs: f64,
    /// Where RTP and RTCP are accepted from: `sdp`, `signalling` (default) or `first`.
    pub source: MediaSource,
}

/// `[calls]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallsConfig {
    /// Concurrent calls beyond which new INVITEs get 503.
    pub max_calls: usize,
    /// On shutdown, how long running calls may continue before voxgate hangs them up.
    pub shutdown_grace_secs: f64,
    /// How long to ring (180) before answering (200).
    pub ring_secs: f64,
    /// What calls do (see [`CallLogic`]).
    pub logic: CallLogic,
}

/// `[store]`. Everything is kept in `DATA_DIR/voxgate.sqlite3`; JSON-lines copies are an
/// export an operator opts into.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Also append every call record, transcript line, agent turn and hand-off to
    /// `calls.jsonl`, `transcripts.jsonl`, `agent_turns.jsonl` and `handoffs.jsonl` (masked
    /// and hashed like the store).
    pub export_jsonl: bool,
}

/// `[recordings]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecordingsConfig {
    /// While the recordings take this many megabytes (10^6 bytes) or more, new calls are not
    /// recorded (they go on; existing recordings are kept).
    pub max_total_mb: u64,
    /// Recordings are deleted this many days after they were written (checked at start and
    /// hourly); 0 keeps them forever.
    pub retention_days: u32,
}

impl Default for RecordingsConfig {
    fn default() -> Self {
        RecordingsConfig {
            max_total_mb: 2048,
            retention_days: 30,
        }
    }
}

impl RecordingsConfig {
    /// The limits the recordings are kept under.
    pub fn limits(&self) -> crate::media::RecordingLimits {
        crate::media::RecordingLimits {
            max_total_bytes: self.max_total_mb.saturating_mul(1_000_000),
            retention: (self.retention_days > 0)
                .then(|| Duration::from_secs(u64::from(self.retention_days) * 86_400)),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sip: SipConfig::default(),
            http: HttpConfig::default(),
            media: MediaConfig::default(),
            calls: CallsConfig::default(),
            agent: crate::dialog::AgentSettings::default(),
            recordings: RecordingsConfig::default(),
            flows: FlowsConfig::default(),
            store: StoreConfig::default(),
            emotion: crate::emotion::EmotionConfig::default(),
            center: CenterConfig::default(),
            data_dir: PathBuf::from("./data"),
            models_dir: crate::models::default_models_dir(),
            log_level: "info".into(),
        }
    }
}

impl Default for SipConfig {
    fn default() -> Self {
        SipConfig {
            listen: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 5060)),
            udp: true,
            tcp: true,
            advertise_ip: None,
            t1_ms: 500,
            realm: "voxgate".into(),
            trusted: security::loopback(),
            trunks: Vec::new(),
            users: Vec::new(),
            limits: SipLimitsConfig::default(),
            digest_algorithms: vec!["MD5".into(), "SHA-256".into()],
            tls: None,
            require_secure: false,
        }
    }
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            rtp_port_min: 20000,
            rtp_port_max: 29999,
            timeout_secs: 30.0,
            source: MediaSource::default(),
        }
    }
}

/// `calls.logic`: what calls do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallLogic {
    /// The operator's flows (`[flows]`), the bundled demo flow by default: greeting, menu,
    /// order lookup, the AI agent, voicemail. Needs the speech, LLM and embedding models.
    Flow,
    /// The bundled `agent` flow (flows/agent.yaml): the AI agent greets and answers every
    /// call, a hand-off goes to the support queue (the same models).
    Agent,
    /// The bundled `transcribe` flow (flows/transcribe.yaml): answers silently and stores
    /// what the caller says (needs whisper-tiny.en).
    Transcribe,
    /// The bundled `keypad` flow (flows/keypad.yaml): keys read back with the built-in
    /// prompts, each call recorded; no model.
    Demo,
    /// Answers and stays quiet; hangs up on `#`.
    Silent,
    /// A test double that logs what it hears: only with `VOXGATE_TEST_DOUBLES=1`.
    Probe,
}

impl CallLogic {
    /// Its name in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            CallLogic::Flow => "flow",
            CallLogic::Agent => "agent",
            CallLogic::Transcribe => "transcribe",
            CallLogic::Demo => "demo",
            CallLogic::Silent => "silent",
            CallLogic::Probe => "probe",
        }
    }
}

impl std::str::FromStr for CallLogic {
    type Err = String;
    fn from_str(s: &str) -> Result<CallLogic, String> {
        let all = [
            CallLogic::Flow,
            CallLogic::Agent,
            CallLogic::Transcribe,
            CallLogic::Demo,
            CallLogic::Silent,
            CallLogic::Probe,
        ];
        all.into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| "must be flow, agent, transcribe, demo or silent".to_string())
    }
}

impl Default for CallsConfig {
    fn default() -> Self {
        CallsConfig {
            max_calls: 500,
            shutdown_grace_secs: 30.0,
            ring_secs: 0.0,
            logic: CallLogic::Flow,
        }
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("config file {path}: {message}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's message (names the key and line).
        message: String,
    },
    /// An environment variable has a value that does not parse.
    #[error("environment variable {var}: {reason}")]
    Env {
        /// The variable.
        var: String,
        /// Why.
        reason: String,
    },
    /// A field has a value that cannot work.
    #[error("config field {field}: {reason}")]
    Invalid {
        /// The field, as written in the file (`media.rtp_port_min`).
        field: &'static str,
        /// Why.
        reason: String,
    },
}

/// Command-line overrides (all optional).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--sip-listen`.
    pub sip_listen: Option<SocketAddr>,
    /// `--http-listen`.
    pub http_listen: Option<SocketAddr>,
    /// `--advertise-ip`.
    pub advertise_ip: Option<IpAddr>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
}

impl Config {
    /// Defaults, then `file` if given, then the process environment, then `flags`; validated.
    pub fn load(file: Option<&Path>, flags: &Overrides) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        config.apply_env(|var| std::env::var(var).ok())?;
        config.apply_overrides(flags);
        config.validate()?;
        Ok(config)
    }

    /// Parses a TOML file over the defaults.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::from_toml(&text).map_err(|message| ConfigError::Toml {
            path: path.to_owned(),
            message,
        })
    }

    /// Parses TOML text over the defaults.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Applies `VOXGATE_*` variables read through `lookup`.
    pub fn apply_env(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(var: &str, value: &str) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.trim().parse().map_err(|e: T::Err| ConfigError::Env {
                var: var.into(),
                reason: format!("{value:?}: {e}"),
            })
        }
        let get = |var: &str| lookup(var).filter(|v| !v.trim().is_empty());
        if let Some(v) = get("VOXGATE_SIP_LISTEN") {
            self.sip.listen = parse("VOXGATE_SIP_LISTEN", &v)?;
        }
        if let Some(v) = get("VOXGATE_HTTP_LISTEN") {
            self.http.listen = parse("VOXGATE_HTTP_LISTEN", &v)?;
        }
        if let Some(v) = get("VOXGATE_ADVERTISE_IP") {
            self.sip.advertise_ip = Some(parse("VOXGATE_ADVERTISE_IP", &v)?);
        }
        if let Some(v) = get("VOXGATE_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("VOXGATE_MODELS") {
            self.models_dir = PathBuf::from(v);
        }
        if let Some(v) = get("VOXGATE_RTP_PORTS") {
            let (lo, hi) = v.split_once('-').ok_or_else(|| ConfigError::Env {
                var: "VOXGATE_RTP_PORTS".into(),
                reason: format!("{v:?}: expected MIN-MAX"),
            })?;
            self.media.rtp_port_min = parse("VOXGATE_RTP_PORTS", lo)?;
            self.media.rtp_port_max = parse("VOXGATE_RTP_PORTS", hi)?;
        }
        if let Some(v) = get("VOXGATE_MAX_CALLS") {
            self.calls.max_calls = parse("VOXGATE_MAX_CALLS", &v)?;
        }
        if let Some(v) = get("VOXGATE_MEDIA_TIMEOUT_SECS") {
            self.media.timeout_secs = parse("VOXGATE_MEDIA_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = get("VOXGATE_SHUTDOWN_GRACE_SECS") {
            self.calls.shutdown_grace_secs = parse("VOXGATE_SHUTDOWN_GRACE_SECS", &v)?;
        }
        if let Some(v) = get("VOXGATE_CALL_LOGIC") {
            self.calls.logic = parse("VOXGATE_CALL_LOGIC", &v)?;
        }
        if let Some(v) = get("VOXGATE_LOG") {
            self.log_level = v;
        }
        Ok(())
    }

    /// Applies command-line flags.
    pub fn apply_overrides(&mut self, flags: &Overrides) {
        if let Some(a) = flags.sip_listen {
            self.sip.listen = a;
        }
        if let Some(a) = flags.http_listen {
            self.http.listen = a;
        }
        if let Some(ip) = flags.advertise_ip {
            self.sip.advertise_ip = Some(ip);
        }
        if let Some(dir) = &flags.data_dir {
            self.data_dir.clone_from(dir);
        }
    }

    /// The digest algorithms agents' phones register with.
    pub fn register_algorithms(&self) -> Vec<sip::auth::Algorithm> {
        security::algorithms(&self.center.register_algorithms).unwrap_or_default()
    }

    /// What flows may refer to outside themselves: the knowledge bases and the queues of
    /// `[flows]` and `[center]`.
    pub fn flow_known(&self) -> crate::flows::Known {
        let mut known = self.flows.known();
        if let Some(q) = known.queues.as_mut() {
            q.extend(self.center.queues.iter().map(|q| q.name.clone()));
        }
        known
    }

    /// Checks that the values can work together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason: &str| {
            Err(ConfigError::Invalid {
                field,
                reason: reason.into(),
            })
        };
        if !self.sip.udp && !self.sip.tcp {
            return invalid(
                "sip.udp",
                "at least one of sip.udp and sip.tcp must be true",
            );
        }
        if self.sip.advertise_ip.is_some_and(|ip| ip.is_unspecified()) {
            return invalid("sip.advertise_ip", "must be an address peers can reach");
        }
        if self.sip.require_secure && self.sip.tls.is_none() {
            return invalid(
                "sip.require_secure",
                "needs [sip.tls] (a certificate and key)",
            );
        }
        if !(50..=4_000).contains(&self.sip.t1_ms) {
            return invalid("sip.t1_ms", "must be between 50 and 4000 ms (T2 is 4 s)");
        }
        if let Err(reason) = self.flows.validate() {
            return invalid("flows", &reason);
        }
        if let Err(reason) = self.emotion.validate() {
            return invalid("emotion", &reason);
        }
        if let Err((field, reason)) = self.center.validate() {
            return invalid(field, &reason);
        }
        if let Err((_, reason)) = security::algorithms(&self.center.register_algorithms) {
            return invalid("center.register_algorithms", &reason);
        }
        let s = &self.sip;
        security::validate(&s.users, &s.trunks, &s.realm, &s.limits)
            .and_then(|()| security::algorithms(&s.digest_algorithms).map(|_| ()))
            .or_else(|(field, reason)| invalid(field, &reason))?;
        let m = &self.media;
        if m.rtp_port_min < 1024 {
            return invalid("media.rtp_port_min", "must be 1024 or above");
        }
        if m.rtp_port_max == u16::MAX || m.rtp_port_max < m.rtp_port_min.saturating_add(1) {
            return invalid(
                "media.rtp_port_max",
                "must be above media.rtp_port_min and below 65535 (RTCP uses port + 1)",
            );
        }
        if !(m.timeout_secs.is_finite() && m.timeout_secs > 0.0 && m.timeout_secs <= 86_400.0) {
            return invalid("media.timeout_secs", "must be between 0 and 86400 seconds");
        }
        let c = &self.calls;
        if c.max_calls == 0 {
            return invalid("calls.max_calls", "must be at least 1");
        }
        let pairs = usize::from((m.rtp_port_max - m.rtp_port_min).div_ceil(2));
        if c.max_calls > pairs {
            return invalid(
                "calls.max_calls",
                &format!("the RTP port range only has {pairs} port pairs"),
            );
        }
        for (field, v) in [
            ("calls.shutdown_grace_secs", c.shutdown_grace_secs),
            ("calls.ring_secs", c.ring_secs),
        ] {
            if !(v.is_finite() && (0.0..=3600.0).contains(&v)) {
                return invalid(field, "must be between 0 and 3600 seconds");
            }
        }
        if c.logic == CallLogic::Probe
            && std::env::var("VOXGATE_TEST_DOUBLES").as_deref() != Ok("1")
        {
            return invalid(
                "calls.logic",
                "probe is a test double; it runs only with VOXGATE_TEST_DOUBLES=1 (the tests set it)",
            );
        }
        if !matches!(
            self.log_level.as_str(),
            "error" | "warn" | "info" | "debug" | "trace"
        ) {
            return invalid("log_level", "must be error, warn, info, debug or trace");
        }
        self.http.validate()?;
        let r = &self.recordings;
        if !(1..=100_000_000).contains(&r.max_total_mb) {
            return invalid(
                "recordings.max_total_mb",
                "must be between 1 and 100000000 (use calls.logic to record nothing)",
            );
        }
        if r.retention_days > 36_500 {
            return invalid(
                "recordings.retention_days",
                "must be at most 36500 (0 keeps recordings forever)",
            );
        }
        self.agent.validate().map_err(agent_invalid)?;
        Ok(())
    }

    /// The address put into SDP and Contact: the configured one, else the listen address,
    /// else the address of the interface that routes outwards (no packet is sent), else
    /// loopback.
    pub fn advertise_ip(&self) -> IpAddr {
        if let Some(ip) = self.sip.advertise_ip {
            return ip;
        }
        if !self.sip.listen.ip().is_unspecified() {
            return self.sip.listen.ip();
        }
        outbound_ip().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
    }

    /// Who may call: trusted networks and trunks, users, limits.
    pub fn admission(&self) -> AdmissionSettings {
        let s = &self.sip;
        let algorithms = security::algorithms(&s.digest_algorithms).unwrap_or_default();
        security::admission(
            &s.realm, &s.trusted, &s.trunks, &s.users, &s.limits, algorithms,
        )
    }

    /// The media timeout as a duration.
    pub fn media_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.media.timeout_secs)
    }

    /// The shutdown grace period as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs_f64(self.calls.shutdown_grace_secs)
    }

    /// The ring time as a duration.
    pub fn ring_time(&self) -> Duration {
        Duration::from_secs_f64(self.calls.ring_secs)
    }
}

/// The `[agent]` fields [`crate::dialog::AgentSettings::validate`] names.
const AGENT_FIELDS: [&str; 8] = [
    "agent.llm",
    "agent.answer_style",
    "agent.embedded_model",
    "agent.llm_threads",
    "agent.kb_poll_ms",
    "agent.max_turns",
    "agent.openai.base_url",
    "agent.tools",
];

/// `[agent]`'s message (`agent.llm: why`) as the error naming the field.
fn agent_invalid(message: String) -> ConfigError {
    let head = message.split_once(": ").map_or("", |(head, _)| head);
    let field = AGENT_FIELDS
        .iter()
        .find(|f| head == **f || head.starts_with(&format!("{f}[")))
        .copied()
        .unwrap_or("agent");
    let reason = match message.split_once(": ") {
        Some((head, rest)) if head == field => rest.to_owned(),
        _ => message,
    };
    ConfigError::Invalid { field, reason }
}

/// The local address the kernel would use towards a public address. `connect` on UDP only
/// picks a route; nothing is sent.
fn outbound_ip() -> Option<IpAddr> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
