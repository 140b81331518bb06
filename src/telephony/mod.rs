//! The telephony runtime: SIP over UDP and TCP driving the sans-IO `sip` engines, and one
//! task per call driving the sans-IO `rtp` engines. Tasks and channels:
//!
//! - `transport`: the UDP socket task and the TCP listener (one task per connection) send
//!   parsed messages to the core on a bounded channel ([`transport::Inbound`]);
//! - `signalling`: the signalling core (transactions, dialogs, call registry), one task;
//! - `call`: one task per call (RTP socket, media tick, [`CallLogic`]), commanded by the
//!   core on a bounded channel and reporting hang-ups back on another;
//! - every call ends with a [`CallSummary`] on the summaries channel, consumed by the store.
//!
//! [`serve`] wires them together and runs until the shutdown signal and the grace period.

pub mod admission;
mod admit;
mod agents;
mod call;
mod conn_limits;
mod descriptors;

mod invite;
pub mod logic;
mod media;
mod outgoing;
mod ports;
mod registrar;
mod requests;
mod signalling;
pub mod summary;
pub mod tls;
mod transfer;
mod transport;

use std::sync::Arc;

use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{mpsc, watch};

use crate::config::Config;
pub use agents::{AgentChange, AgentPhone, Secret, digest_hashes};
pub use logic::{CallAction, CallInfo, CallLogic, LegEvent, LogicFactory};
pub use ports::{PortLease, PortPool};
pub use summary::{CallSummary, HangupCause, HangupSide};

/// A change in how a human agent's phone can be reached (its registrations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneEvent {
    /// The agent's id.
    pub agent: String,
    /// Whether it has at least one live registration.
    pub reachable: bool,
}

/// Inbound SIP messages queued for the core.
const INBOUND_QUEUE: usize = 4096;
/// Call events queued for the core.
const EVENT_QUEUE: usize = 1024;

/// Why the runtime could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// TLS is configured but its certificate or key cannot be used.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// A SIP socket could not be bound.
    #[error("cannot listen for SIP on {transport} {addr}: {source}")]
    Bind {
        /// `udp` or `tcp`.
        transport: &'static str,
        /// The address.
        addr: std::net::SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// The TCP listener's limits: the connection cap derived from the descriptor limit (raised
/// to the hard limit first), the rest from `[sip.limits]`.
fn tcp_limits(config: &Config) -> transport::TcpLimits {
    let l = &config.sip.limits;
    let nofile = descriptors::raise_limit().unwrap_or(1024);
    let (max, warning) =
        descriptors::tcp_cap(nofile, config.calls.max_calls, l.tcp_max_connections);
    if let Some(w) = warning {
        tracing::warn!("{w}");
    }
    let mut trusted = config.sip.trusted.clone();
    trusted.extend(
        config
            .sip
            .trunks
            .iter()
            .flat_map(|t| t.addresses.iter().copied()),
    );
    transport::TcpLimits {
        max_connections: max,
        per_source: l.tcp_per_source,
        trusted,
        idle: std::time::Duration::from_secs_f64(l.tcp_idle_secs),
        message: std::time::Duration::from_secs_f64(l.tcp_message_secs),
    }
}

/// Runs SIP and calls with `config` until `shutdown` turns true and the running calls have
/// finished (or the grace period has passed and they were hung up). Summaries of finished
/// calls go to `summaries`; `logic` makes each call's logic.
pub async fn serve(
    config: &Config,
    logic: LogicFactory,
    summaries: mpsc::Sender<CallSummary>,
    (phones, agents): (mpsc::Sender<PhoneEvent>, mpsc::Receiver<AgentChange>),
    shutdown: watch::Receiver<bool>,
) -> Result<(), StartError> {
    let addr = config.sip.listen;
    let udp = if config.sip.udp {
        let s = UdpSocket::bind(addr)
            .await
            .map_err(|source| StartError::Bind {
                transport: "udp",
                addr,
                source,
            })?;
        Some(Arc::new(s))
    } else {
        None
    };
    let tcp = if config.sip.tcp {
        Some(
            TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Bind {
                    transport: "tcp",
                    addr,
                    source,
                })?,
        )
    } else {
        None
    };
    let (in_tx, in_rx) = mpsc::channel(INBOUND_QUEUE);
    let mut transports = Vec::new();
    if let Some(udp) = &udp {
        transports.push(tokio::spawn(transport::run_udp(udp.clone(), in_tx.clone())));
    }
    let limits = std::sync::Arc::new(tcp_limits(config));
    let open: std::sync::Arc<std::sync::Mutex<conn_limits::OpenConnections>> =
        std::sync::Arc::default();
    if let Some(tcp) = tcp {
        tracing::info!(
            max = limits.max_connections,
            per_source = limits.per_source,
            "TCP limits"
        );
        let run = transport::run_stream(tcp, None, in_tx.clone(), limits.clone(), open.clone());
        transports.push(tokio::spawn(run));
    }
    if let Some(t) = &config.sip.tls {
        let acceptor = tls::acceptor(&t.cert, &t.key)?;
        let listener = TcpListener::bind(t.listen)
            .await
            .map_err(|source| StartError::Bind {
                transport: "tls",
                addr: t.listen,
                source,
            })?;
        tracing::info!(listen = %t.listen, "SIP over TLS ready");
        let run = transport::run_stream(listener, Some(acceptor), in_tx.clone(), limits, open);
        transports.push(tokio::spawn(run));
    }
    let cfg = signalling::CoreConfig {
        advertise: config.advertise_ip(),
        sip_port: addr.port(),
        media_bind: addr.ip(),
        max_calls: config.calls.max_calls,
        ring: config.ring_time(),
        media_timeout: config.media_timeout(),
        grace: config.shutdown_grace(),
        t1: std::time::Duration::from_millis(config.sip.t1_ms),
        admission: config.admission(),
        media_source: config.media.source,
        tls_port: config.sip.tls.as_ref().map(|t| t.listen.port()),
        require_secure: config.sip.require_secure,
        register_algorithms: config.register_algorithms(),
        registrants: config
            .center
            .agents
            .iter()
            .filter_map(|a| {
                a.password.as_ref().map(|p| registrar::Registrant {
                    user: a.id.clone(),
                    secret: Secret::Password(p.clone()),
                })
            })
            .collect(),
        agent_uris: config
            .center
            .agents
            .iter()
            .filter_map(|a| a.uri.clone().map(|u| (a.id.clone(), u)))
            .collect(),
        outbound: config
            .center
            .outbound
            .as_ref()
            .map(|o| (o.user.clone(), o.password.clone())),
    };
    tracing::info!(
        listen = %addr,
        advertise = %cfg.advertise,
        udp = config.sip.udp,
        tcp = config.sip.tcp,
        users = config.sip.users.len(),
        trunks = config.sip.trunks.len(),
        "SIP ready"
    );
    let ports = PortPool::new(config.media.rtp_port_min, config.media.rtp_port_max);
    let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
    let core =
        signalling::Core::new(cfg, ports, logic, udp, summaries, ev_tx, in_tx).with_phones(phones);
    let io = signalling::CoreIo {
        inbound: in_rx,
        shutdown,
        agents,
    };
    core.run(io, ev_rx).await;
    for t in transports {
        t.abort();
    }
    Ok(())
}
