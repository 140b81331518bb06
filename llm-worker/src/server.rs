//! The accept loop: one short-lived thread per connection (at most [`MAX_CONNECTIONS`])
//! reads the request, checks the bearer token (401 otherwise, on every path), answers
//! `GET /health` itself and hands a checked chat request, with its connection, to the engine
//! thread through a bounded queue (503 when full). The engine answers one at a time.

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::Duration;

use serde_json::json;

use crate::api;
use crate::http::{self, Request};
use crate::respond::Job;

/// Connections being read or waiting at once; more are closed at once.
pub(crate) const MAX_CONNECTIONS: usize = 16;
/// A client that reads nothing for this long loses its answer.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// What a request gets.
#[derive(Debug, PartialEq)]
enum Route {
    Health,
    Chat(api::ChatRequest),
    Refuse(u16, serde_json::Value),
}

fn refuse(status: u16, message: &str, kind: &str) -> Route {
    Route::Refuse(status, api::error(message, kind))
}

/// Decides what `req` gets; `token` is the bearer token every request must carry.
fn route(req: &Request, token: &str) -> Route {
    let given = req
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !http::constant_time_eq(given.trim().as_bytes(), token.as_bytes()) {
        return refuse(
            401,
            "a valid bearer token is required",
            "authentication_error",
        );
    }
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/health") => Route::Health,
        ("POST", "/v1/chat/completions") => match api::parse_chat(&req.body) {
            Ok(chat) => Route::Chat(chat),
            Err(e) => refuse(400, &e, "invalid_request_error"),
        },
        (_, "/health" | "/v1/chat/completions") => {
            refuse(405, "method not allowed", "invalid_request_error")
        }
        _ => refuse(404, "not found", "invalid_request_error"),
    }
}

fn handle(conn: TcpStream, token: &str, jobs: &SyncSender<Job>) {
    let _ = conn.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut reader = &conn;
    let req = match http::read_request(&mut reader, |t| conn.set_read_timeout(Some(t))) {
        Ok(req) => req,
        Err(e) => {
            if let Some(status) = e.status() {
                let _ = http::write_json(
                    &mut &conn,
                    status,
                    &api::error(&e.to_string(), "invalid_request_error"),
                );
            }
            return;
        }
    };
    let answer = match route(&req, token) {
        Route::Health => http::write_json(&mut &conn, 200, &json!({"status": "ok"})),
        Route::Refuse(status, body) => http::write_json(&mut &conn, status, &body),
        Route::Chat(req) => match jobs.try_send(Job { req, conn }) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => {
                let busy = api::error("busy: try again", "server_error");
                http::write_json(&mut &job.conn, 503, &busy)
            }
        },
    };
    if let Err(e) = answer {
        eprintln!("voxgate-llm: answer not sent: {e}");
    }
}

/// Counts an open connection until dropped.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves `listener` forever.
pub(crate) fn serve(listener: TcpListener, token: Arc<str>, jobs: SyncSender<Job>) {
    let open = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        if open.fetch_add(1, Ordering::Relaxed) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::Relaxed);
            continue; // dropped: closed
        }
        let guard = Open(open.clone());
        let (token, jobs) = (token.clone(), jobs.clone());
        let spawned = std::thread::Builder::new()
            .name("conn".into())
            .spawn(move || {
                let _guard = guard;
                handle(conn, &token, &jobs);
            });
        if let Err(e) = spawned {
            eprintln!("voxgate-llm: no thread for a connection: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, path: &str, auth: Option<&str>, body: &str) -> Request {
        let mut headers = Vec::new();
        if let Some(a) = auth {
            headers.push(("authorization".to_owned(), a.to_owned()));
        }
        Request {
            method: method.into(),
            path: path.into(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn status(r: &Route) -> u16 {
        match r {
            Route::Refuse(s, _) => *s,
            _ => 200,
        }
    }

    #[test]
    fn every_path_needs_the_token() {
        for (m, p) in [
            ("GET", "/health"),
            ("POST", "/v1/chat/completions"),
            ("GET", "/x"),
        ] {
            assert_eq!(status(&route(&req(m, p, None, ""), "secret")), 401);
            let wrong = req(m, p, Some("Bearer secreT"), "");
            assert_eq!(status(&route(&wrong, "secret")), 401);
            let basic = req(m, p, Some("Basic secret"), "");
            assert_eq!(status(&route(&basic, "secret")), 401);
        }
    }

    #[test]
    fn routes_with_the_token() {
        let ok = Some("Bearer secret");
        assert_eq!(
            route(&req("GET", "/health", ok, ""), "secret"),
            Route::Health
        );
        let body = r#"{"messages":[{"role":"user","content":"hi"}],"stream":true}"#;
        let chat = route(&req("POST", "/v1/chat/completions", ok, body), "secret");
        assert!(matches!(chat, Route::Chat(c) if c.stream));
        let bad = route(&req("POST", "/v1/chat/completions", ok, "{}"), "secret");
        assert_eq!(status(&bad), 400);
        assert_eq!(
            status(&route(
                &req("GET", "/v1/chat/completions", ok, ""),
                "secret"
            )),
            405
        );
        assert_eq!(
            status(&route(&req("GET", "/v1/models", ok, ""), "secret")),
            404
        );
    }
}
