//! SIP transports: the UDP socket task and the TCP listener with one task per connection.
//! They turn bytes into parsed [`Message`]s for the signalling core (a bounded channel) and
//! answer unparsable requests themselves with [`ParseError::error_response`]. Garbage is
//! dropped, never fatal. Outbound, the core writes UDP directly on the shared socket and
//! TCP through each connection's bounded queue, registered with [`Inbound::TcpOpen`], so
//! responses leave on the connection their request came in on; when a request of ours has
//! no open connection, the core [`dial`]s one. Owns no SIP state.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sip::{Limits, Message, Peer, StreamDecoder, StreamItem, Transport};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

use super::admission::IpNet;

/// Outbound messages queued per TCP connection.
const TCP_QUEUE: usize = 64;
/// How long an outbound TCP connect may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Refused connections are logged at most once per this interval.
const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(10);

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

/// What the transports hand the signalling core.
#[derive(Debug)]
pub(crate) enum Inbound {
    /// A parsed message and where it came from.
    Message(Box<Message>, Peer),
    /// A TCP connection opened: responses and requests for `peer` go to `tx`.
    TcpOpen(SocketAddr, mpsc::Sender<Vec<u8>>),
    /// A TCP connection closed.
    TcpClosed(SocketAddr),
}

/// Whether a datagram is only a keep-alive (CRLFs, RFC 5626 §4.4.1).
fn is_keepalive(data: &[u8]) -> bool {
    data.iter().all(|b| matches!(b, b'\r' | b'\n'))
}

/// Reads datagrams until the core goes away. A full core queue drops the datagram: UDP
/// senders retransmit.
pub(crate) async fn run_udp(socket: Arc<UdpSocket>, to_core: mpsc::Sender<Inbound>) {
    let mut buf = vec![0u8; 65_535];
    let mut errors = ErrorBudget::new(ERROR_ANSWERS_PER_SEC);
    loop {
        let (n, from) = match socket.recv_from(&mut buf).await {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(error = %e, "udp receive");
                continue;
            }
        };
        let data = &buf[..n];
        if is_keepalive(data) {
            continue;
        }
        match Message::parse(data) {
            Ok(msg) => {
                let peer = Peer::new(from, Transport::Udp);
                match to_core.try_send(Inbound::Message(Box::new(msg), peer)) {
                    Err(mpsc::error::TrySendError::Closed(_)) => return,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        tracing::warn!("signalling core busy: datagram dropped");
                    }
                    Ok(()) => {}
                }
            }
            Err(e) => {
                tracing::debug!(%from, error = %e, "unparsable datagram");
                // Answers to garbage are bounded in rate: they skip the source policy.
                if let Some(resp) = e.error_response().filter(|_| errors.take(Instant::now())) {
                    let _ = socket.try_send_to(&resp, from);
                }
            }
        }
    }
}

/// Accepts TCP connections (TLS ones when `tls` is given) until the core goes away, within
/// the connection limits: a connection over the total or its source's limit is closed at
/// once. Running out of descriptors is reported precisely (once per interval) and retried.
/// A TLS handshake must finish within the message timeout.
pub(crate) async fn run_stream(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    to_core: mpsc::Sender<Inbound>,
    limits: Arc<TcpLimits>,
    open: Arc<Mutex<OpenConnections>>,
) {
    let mut refusals = LogEvery::new(REFUSAL_LOG_INTERVAL);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                if super::invite::is_out_of_descriptors(&e) {
                    if let Some(n) = refusals.note(Instant::now()) {
                        tracing::error!(
                            refused = n,
                            "out of file descriptors: TCP connections cannot be accepted \
                             (raise `ulimit -n` or lower sip.limits.tcp_max_connections)"
                        );
                    }
                } else {
                    tracing::debug!(error = %e, "tcp accept");
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if to_core.is_closed() {
            return;
        }
        let trusted = limits.trusted.iter().any(|n| n.contains(peer.ip()));
        let admitted =
            open.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .open(peer.ip(), trusted, &limits);
        if let Err(why) = admitted {
            drop(stream);
            if let Some(n) = refusals.note(Instant::now()) {
                tracing::warn!(refused = n, source = %peer.ip(), "TCP connection refused: {why}");
            }
            continue;
        }
        let to_core = to_core.clone();
        let (open, limits, tls) = (open.clone(), limits.clone(), tls.clone());
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            match tls {
                None => connection(stream, peer, Transport::Tcp, to_core, &limits).await,
                Some(tls) => match tokio::time::timeout(limits.message, tls.accept(stream)).await {
                    Ok(Ok(s)) => connection(s, peer, Transport::Tls, to_core, &limits).await,
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake too slow"),
                },
            }
            open.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .close(peer.ip());
        });
    }
}

/// Open accepted connections, in all and per source (shared by the TCP and TLS listeners).
#[derive(Debug, Default)]
pub(crate) struct OpenConnections {
    total: usize,
    by_source: HashMap<IpAddr, usize>,
}

impl OpenConnections {
    fn open(&mut self, ip: IpAddr, trusted: bool, limits: &TcpLimits) -> Result<(), &'static str> {
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

    fn close(&mut self, ip: IpAddr) {
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
const ERROR_ANSWERS_PER_SEC: f64 = 50.0;

/// A token bucket of answers, refilled with time.
#[derive(Debug)]
struct ErrorBudget {
    rate: f64,
    tokens: f64,
    at: Option<Instant>,
}

impl ErrorBudget {
    fn new(rate: f64) -> ErrorBudget {
        ErrorBudget {
            rate,
            tokens: rate,
            at: None,
        }
    }

    /// Whether one more answer may go out at `now`.
    fn take(&mut self, now: Instant) -> bool {
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
struct LogEvery {
    interval: Duration,
    next: Option<Instant>,
    count: u64,
}

impl LogEvery {
    fn new(interval: Duration) -> LogEvery {
        LogEvery {
            interval,
            next: None,
            count: 0,
        }
    }

    /// Notes one event; `Some(count since the last line)` when a line is due.
    fn note(&mut self, now: Instant) -> Option<u64> {
        self.count += 1;
        if self.next.is_some_and(|t| now < t) {
            return None;
        }
        self.next = Some(now + self.interval);
        Some(std::mem::take(&mut self.count))
    }
}

/// The queue of an outbound connection the core opens with [`dial`]: it registers the
/// sender itself and queues at once, before the connection is up.
pub(crate) fn outbound_queue() -> (mpsc::Sender<Vec<u8>>, mpsc::Receiver<Vec<u8>>) {
    mpsc::channel(TCP_QUEUE)
}

/// Connects to `peer` for requests of ours when no connection to it is open (the caller's
/// closed, so an in-dialog request goes to its Contact), then serves the connection like
/// an accepted one. A failed connect reports [`Inbound::TcpClosed`] so the core forgets
/// the queue.
pub(crate) async fn dial(
    peer: SocketAddr,
    rx: mpsc::Receiver<Vec<u8>>,
    to_core: mpsc::Sender<Inbound>,
) {
    match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(peer)).await {
        Ok(Ok(stream)) => {
            let _ = stream.set_nodelay(true);
            let peer = Peer::new(peer, Transport::Tcp);
            serve(stream, peer, rx, to_core, &Timeouts::OUTBOUND).await;
        }
        Ok(Err(e)) => {
            tracing::debug!(%peer, error = %e, "tcp connect failed");
            let _ = to_core.send(Inbound::TcpClosed(peer)).await;
        }
        Err(_) => {
            tracing::debug!(%peer, "tcp connect timed out");
            let _ = to_core.send(Inbound::TcpClosed(peer)).await;
        }
    }
}

/// An accepted connection: registers its queue with the core, then serves it.
async fn connection<S: AsyncRead + AsyncWrite + Send>(
    stream: S,
    peer: SocketAddr,
    transport: Transport,
    to_core: mpsc::Sender<Inbound>,
    limits: &TcpLimits,
) {
    let (tx, rx) = mpsc::channel::<Vec<u8>>(TCP_QUEUE);
    if to_core.send(Inbound::TcpOpen(peer, tx)).await.is_err() {
        return;
    }
    let timeouts = Timeouts {
        idle: limits.idle,
        message: limits.message,
    };
    serve(stream, Peer::new(peer, transport), rx, to_core, &timeouts).await;
}

/// How long a connection may be idle, and how long a begun message may take.
#[derive(Debug, Clone, Copy)]
struct Timeouts {
    idle: Duration,
    message: Duration,
}

impl Timeouts {
    /// Connections we open ourselves (to send a BYE): the peer is known.
    const OUTBOUND: Timeouts = Timeouts {
        idle: Duration::from_secs(300),
        message: Duration::from_secs(30),
    };
}

/// One TCP connection: frames messages with a [`StreamDecoder`], answers keep-alive pings
/// with a CRLF pong, writes what the core queues for it. A framing error closes it, and so
/// does silence longer than the idle timeout or a message that takes longer than the
/// message timeout to arrive (a slow sender holds nothing for long).
async fn serve<S: AsyncRead + AsyncWrite + Send>(
    stream: S,
    from: Peer,
    mut rx: mpsc::Receiver<Vec<u8>>,
    to_core: mpsc::Sender<Inbound>,
    timeouts: &Timeouts,
) {
    let peer = from.addr;
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut decoder = StreamDecoder::new(Limits::default());
    let mut buf = vec![0u8; 16 * 1024];
    let mut last_activity = Instant::now();
    let mut message_since: Option<Instant> = None;
    'conn: loop {
        let deadline = match message_since {
            Some(t) => (t + timeouts.message).min(last_activity + timeouts.idle),
            None => last_activity + timeouts.idle,
        };
        tokio::select! {
            r = rd.read(&mut buf) => {
                let n = match r {
                    Ok(0) | Err(_) => break 'conn,
                    Ok(n) => n,
                };
                let now = Instant::now();
                last_activity = now;
                decoder.push(&buf[..n]);
                while let Some(item) = decoder.next() {
                    match item {
                        Ok(StreamItem::Message(msg)) => {
                            if to_core.send(Inbound::Message(msg, from)).await.is_err() {
                                break 'conn;
                            }
                        }
                        Ok(StreamItem::KeepAlive) => {
                            if wr.write_all(b"\r\n").await.is_err() {
                                break 'conn;
                            }
                        }
                        Err(e) => {
                            tracing::debug!(%peer, error = %e, "tcp framing lost");
                            if let Some(resp) = e.error_response() {
                                let _ = wr.write_all(&resp).await;
                            }
                            break 'conn;
                        }
                    }
                }
                message_since = match (decoder.buffered(), message_since) {
                    (0, _) => None,
                    (_, Some(t)) => Some(t),
                    (_, None) => Some(now),
                };
            }
            out = rx.recv() => match out {
                Some(bytes) => {
                    last_activity = Instant::now();
                    if wr.write_all(&bytes).await.is_err() {
                        break 'conn;
                    }
                }
                None => break 'conn,
            },
            () = tokio::time::sleep_until(deadline.into()) => {
                let why = if message_since.is_some() { "message too slow" } else { "idle" };
                tracing::debug!(%peer, why, "tcp connection closed");
                break 'conn;
            }
        }
    }
    let _ = to_core.send(Inbound::TcpClosed(peer)).await;
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

    #[test]
    fn crlf_only_datagrams_are_keepalives() {
        assert!(is_keepalive(b"\r\n\r\n"));
        assert!(!is_keepalive(b"OPTIONS"));
    }
}
