//! SIP transports: the UDP socket task and the TCP listener with one task per connection.
//! They turn bytes into parsed [`Message`]s for the signalling core (a bounded channel) and
//! answer unparsable requests themselves with [`ParseError::error_response`]. Garbage is
//! dropped, never fatal. Outbound, the core writes UDP directly on the shared socket and
//! TCP through each connection's bounded queue, registered with [`Inbound::TcpOpen`], so
//! responses leave on the connection their request came in on; when a request of ours has
//! no open connection, the core [`dial`]s one. Owns no SIP state.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sip::{Limits, Message, Peer, StreamDecoder, StreamItem, Transport};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

pub(crate) use super::conn_limits::TcpLimits;
use super::conn_limits::{ERROR_ANSWERS_PER_SEC, ErrorBudget, LogEvery, OpenConnections};

/// Outbound messages queued per TCP connection.
const TCP_QUEUE: usize = 64;
/// How long an outbound TCP connect may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Refused connections are logged at most once per this interval.
const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(10);

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

    #[test]
    fn crlf_only_datagrams_are_keepalives() {
        assert!(is_keepalive(b"\r\n\r\n"));
        assert!(!is_keepalive(b"OPTIONS"));
    }
}
