//! SIP transports: the UDP socket task and the TCP listener with one task per connection.
//! They turn bytes into parsed [`Message`]s for the signalling core (a bounded channel) and
//! answer unparsable requests themselves with [`ParseError::error_response`]. Garbage is
//! dropped, never fatal. Outbound, the core writes UDP directly on the shared socket and
//! TCP through each connection's bounded queue, registered with [`Inbound::TcpOpen`], so
//! responses leave on the connection their request came in on; when a request of ours has
//! no open connection, the core [`dial`]s one. Owns no SIP state.

use std::net::SocketAddr;
use std::sync::Arc;

use sip::{Limits, Message, Peer, StreamDecoder, StreamItem, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{Semaphore, mpsc};

/// Outbound messages queued per TCP connection.
const TCP_QUEUE: usize = 64;
/// Concurrent TCP connections accepted.
const MAX_TCP_CONNECTIONS: usize = 4096;
/// How long an outbound TCP connect may take.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

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
                if let Some(resp) = e.error_response() {
                    let _ = socket.try_send_to(&resp, from);
                }
            }
        }
    }
}

/// Accepts TCP connections until the core goes away.
pub(crate) async fn run_tcp(listener: TcpListener, to_core: mpsc::Sender<Inbound>) {
    let limit = Arc::new(Semaphore::new(MAX_TCP_CONNECTIONS));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                tracing::debug!(error = %e, "tcp accept");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        if to_core.is_closed() {
            return;
        }
        let Ok(permit) = limit.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "too many TCP connections: refused");
            continue;
        };
        let to_core = to_core.clone();
        tokio::spawn(async move {
            connection(stream, peer, to_core).await;
            drop(permit);
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
        Ok(Ok(stream)) => serve(stream, peer, rx, to_core).await,
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

/// An accepted TCP connection: registers its queue with the core, then serves it.
async fn connection(stream: TcpStream, peer: SocketAddr, to_core: mpsc::Sender<Inbound>) {
    let (tx, rx) = mpsc::channel::<Vec<u8>>(TCP_QUEUE);
    if to_core.send(Inbound::TcpOpen(peer, tx)).await.is_err() {
        return;
    }
    serve(stream, peer, rx, to_core).await;
}

/// One TCP connection: frames messages with a [`StreamDecoder`], answers keep-alive pings
/// with a CRLF pong, writes what the core queues for it. A framing error closes it.
async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    mut rx: mpsc::Receiver<Vec<u8>>,
    to_core: mpsc::Sender<Inbound>,
) {
    let _ = stream.set_nodelay(true);
    let (mut rd, mut wr) = stream.into_split();
    let mut decoder = StreamDecoder::new(Limits::default());
    let mut buf = vec![0u8; 16 * 1024];
    'conn: loop {
        tokio::select! {
            r = rd.read(&mut buf) => {
                let n = match r {
                    Ok(0) | Err(_) => break 'conn,
                    Ok(n) => n,
                };
                decoder.push(&buf[..n]);
                while let Some(item) = decoder.next() {
                    match item {
                        Ok(StreamItem::Message(msg)) => {
                            let peer = Peer::new(peer, Transport::Tcp);
                            if to_core.send(Inbound::Message(msg, peer)).await.is_err() {
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
            }
            out = rx.recv() => match out {
                Some(bytes) => {
                    if wr.write_all(&bytes).await.is_err() {
                        break 'conn;
                    }
                }
                None => break 'conn,
            },
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
