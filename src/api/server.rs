//! The HTTP server: our own accept loop on hyper's HTTP/1 connection, so that every limit is
//! ours to set. A connection cap and a per-source cap (a connection beyond either is closed
//! at once, and counted), a header-read timeout (hyper starts it whenever it waits for a
//! request head, so it is also the keep-alive idle timeout), bounded header count and buffer,
//! and a graceful shutdown: on stop no connection is accepted, idle ones close, and running
//! requests finish within [`DRAIN`]. Owns sockets and connections; routing is the router's.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::config::HttpConfig;
use crate::metrics::{HttpRefusal, metrics};

/// How long running requests may go on after the stop.
pub const DRAIN: Duration = Duration::from_secs(30);
/// The read buffer of a connection, which bounds the request line and headers (bytes).
pub const MAX_BUF: usize = 64 * 1024;
/// Headers per request at most (hyper answers 431 beyond).
pub const MAX_HEADERS: usize = 64;

/// The connection limits of one server.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// Open connections at most.
    pub max_connections: usize,
    /// Open connections per source address at most.
    pub per_source: usize,
    /// Time to receive a request head.
    pub header_read_timeout: Duration,
}

impl ConnLimits {
    /// From `[http]`.
    pub fn new(http: &HttpConfig) -> ConnLimits {
        ConnLimits {
            max_connections: http.max_connections,
            per_source: http.max_connections_per_source,
            header_read_timeout: HttpConfig::secs(http.header_read_timeout_secs),
        }
    }
}

/// Open connections per source; a slot is given back on drop.
#[derive(Debug, Default)]
struct Sources(Mutex<HashMap<IpAddr, usize>>);

struct SourceSlot {
    sources: Arc<Sources>,
    ip: IpAddr,
}

impl Sources {
    fn take(self: &Arc<Self>, ip: IpAddr, limit: usize) -> Option<SourceSlot> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = map.entry(ip).or_insert(0);
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(SourceSlot {
            sources: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for SourceSlot {
    fn drop(&mut self) {
        let mut map = self
            .sources
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// What a connection task holds until it ends.
struct Held {
    _permit: OwnedSemaphorePermit,
    _slot: SourceSlot,
}

impl Drop for Held {
    fn drop(&mut self) {
        metrics().http_connections.dec();
    }
}

/// Serves `app` on `listener` until `shutdown` turns true (or its sender goes).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(MAX_BUF)
        .max_headers(MAX_HEADERS)
        .keep_alive(true);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let sources = Arc::new(Sources::default());
    let (closing_tx, closing) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut accept_error_logged = false;
    loop {
        let (stream, peer) = tokio::select! {
            // The stop first: a connection that arrives with it is not accepted.
            biased;
            () = stopped(&mut shutdown) => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(a) => {
                    accept_error_logged = false;
                    a
                }
                Err(e) => {
                    // Out of descriptors, typically: log once, back off, go on.
                    if !accept_error_logged {
                        tracing::warn!(error = %e, "HTTP accept failed");
                        accept_error_logged = true;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            metrics().http_refused(HttpRefusal::ConnectionCap);
            continue;
        };
        let Some(slot) = sources.take(peer.ip(), limits.per_source) else {
            metrics().http_refused(HttpRefusal::SourceCap);
            continue;
        };
        metrics().http_connections.inc();
        let held = Held {
            _permit: permit,
            _slot: slot,
        };
        let conn = connection(stream, peer, app.clone(), builder.clone(), closing.clone());
        tasks.spawn(async move {
            let _held = held;
            conn.await;
        });
    }
    drop(listener);
    let _ = closing_tx.send(true);
    let drained =
        tokio::time::timeout(DRAIN, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(
            left = tasks.len(),
            "HTTP requests still running after the drain time"
        );
        tasks.abort_all();
    }
    Ok(())
}

/// Resolves when `rx` turns true or its sender goes (the `Ref` is not kept: it is not `Send`).
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// One connection until it ends, or until the server closes (then it finishes its request).
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    builder: http1::Builder,
    mut closing: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        async move { Ok::<_, Infallible>(app.oneshot(req).await.unwrap_or_else(|e| match e {})) }
    });
    // Upgrades for the event stream's WebSocket.
    let conn = builder
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "HTTP connection ended with an error");
            }
        }
        () = stopped(&mut closing) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
