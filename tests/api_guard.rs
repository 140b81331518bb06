//! The HTTP API's defences, through the router with `oneshot` (no port): tokens and roles
//! (401 with `WWW-Authenticate`, 403), token management by admins, the failed-authentication
//! limit per source (429 with `Retry-After`), Host and Origin checks (421, 403), the bounded
//! ask queue (429 with `Retry-After`), and `/metrics` read by a real exposition-format parser
//! (PyPI's `prometheus_client`, found as the pjsua2 tests find their Python).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::ffi::OsString;
use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;
use voxgate::api::auth::Role;
use voxgate::api::{AgentSlot, ApiState, router};
use voxgate::config::HttpConfig;
use voxgate::metrics::{HttpRefusal, metrics};
use voxgate::store::{CallerPolicy, Store};

/// A request with these Host, token and source (none: not set).
fn request(
    method: Method,
    uri: &str,
    host: Option<&str>,
    token: Option<&str>,
    body: &str,
) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(h) = host {
        req = req.header("host", h);
    }
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    req.body(Body::from(body.to_owned())).unwrap()
}

/// (status, headers, body text).
async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// GET on `localhost` with `token`: the status.
async fn status(app: &axum::Router, method: Method, uri: &str, token: Option<&str>) -> StatusCode {
    send(app, request(method, uri, Some("localhost"), token, ""))
        .await
        .0
}

fn no_agent() -> ApiState {
    ApiState::new(Err(String::from("no agent in this test")))
}

#[tokio::test]
async fn tokens_and_roles_decide_who_may_call_what() {
    let state = no_agent();
    let admin = state.create_token("admin", Role::Admin).await.unwrap();
    let op = state.create_token("op", Role::Operator).await.unwrap();
    let prom = state.create_token("prom", Role::Metrics).await.unwrap();
    let app = router(state);
    let get = Method::GET;

    assert_eq!(
        status(&app, get.clone(), "/health", None).await,
        StatusCode::OK
    );
    let made_up = format!("vg_{}", "0".repeat(64));
    for token in [None, Some("vg_x"), Some(made_up.as_str()), Some("")] {
        let req = request(
            Method::PUT,
            "/api/v1/kb/documents/a.md",
            Some("localhost"),
            token,
            "# A\nx\n",
        );
        let (s, headers, body) = send(&app, req).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{token:?}: {body}");
        assert_eq!(headers["www-authenticate"], "Bearer");
    }
    // Unknown paths reveal nothing without a token.
    assert_eq!(
        status(&app, get.clone(), "/admin", None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(&app, get.clone(), "/admin", Some(&op)).await,
        StatusCode::NOT_FOUND
    );

    // An operator passes to the knowledge base (503: no agent here), not to tokens or metrics.
    let ask = request(
        Method::POST,
        "/api/v1/ask",
        Some("localhost"),
        Some(&op),
        r#"{"question":"hi"}"#,
    );
    assert_eq!(send(&app, ask).await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        status(&app, get.clone(), "/api/v1/kb/documents", Some(&op)).await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        status(&app, get.clone(), "/demo/orders/104233", Some(&op)).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&app, get.clone(), "/api/v1/tokens", Some(&op)).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(&app, get.clone(), "/metrics", Some(&op)).await,
        StatusCode::FORBIDDEN
    );

    // The metrics role reads /metrics and nothing else.
    let (s, headers, text) = send(
        &app,
        request(get.clone(), "/metrics", Some("localhost"), Some(&prom), ""),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(text.contains("# TYPE voxgate_calls_active gauge"), "{text}");
    for path in [
        "/api/v1/kb/documents",
        "/demo/orders/104233",
        "/api/v1/tokens",
    ] {
        assert_eq!(
            status(&app, get.clone(), path, Some(&prom)).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    // An admin does everything.
    for path in ["/metrics", "/api/v1/tokens", "/demo/orders/104233"] {
        assert_eq!(
            status(&app, get.clone(), path, Some(&admin)).await,
            StatusCode::OK,
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_gateways_webhook_token_may_only_call_the_demo_endpoint() {
    let store = Store::open_in_memory(CallerPolicy::Redact).ok();
    let webhook = "vg_webhook-token-of-this-test";
    let state = ApiState::build(
        AgentSlot::fixed(Err("none".into())),
        &HttpConfig::default(),
        store,
        webhook,
    );
    let app = router(state);
    assert_eq!(
        status(&app, Method::GET, "/demo/orders/104233", Some(webhook)).await,
        StatusCode::OK
    );
    for path in ["/api/v1/kb/documents", "/metrics", "/api/v1/tokens"] {
        assert_eq!(
            status(&app, Method::GET, path, Some(webhook)).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
}

#[tokio::test]
async fn admins_create_list_and_revoke_tokens() {
    let state = no_agent();
    let admin = state.create_token("admin", Role::Admin).await.unwrap();
    let op = state.create_token("op", Role::Operator).await.unwrap();
    let app = router(state);
    let post = |token: &str, body: &str| {
        request(
            Method::POST,
            "/api/v1/tokens",
            Some("localhost"),
            Some(token),
            body,
        )
    };

    let (s, _, body) = send(&app, post(&admin, r#"{"name": "ci", "role": "operator"}"#)).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (&created["name"], &created["role"]),
        (&json!("ci"), &json!("operator"))
    );
    let ci = created["token"].as_str().unwrap().to_owned();
    assert!(ci.starts_with("vg_") && ci.len() == 67, "{ci}");
    assert_eq!(
        status(&app, Method::GET, "/demo/orders/104233", Some(&ci)).await,
        StatusCode::OK
    );

    let (s, _, list) = send(
        &app,
        request(
            Method::GET,
            "/api/v1/tokens",
            Some("localhost"),
            Some(&admin),
            "",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<String> = serde_json::from_str::<Value>(&list).unwrap()["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["admin", "ci", "op"]);
    assert!(
        !list.contains(&ci) && !list.contains("hash"),
        "no secret is listed: {list}"
    );

    let (s, _, body) = send(&app, post(&admin, r#"{"name": "ci", "role": "metrics"}"#)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    for bad in [
        r#"{"name": "x", "role": "root"}"#,
        r#"{"name": "a b", "role": "admin"}"#,
        "{",
    ] {
        assert_eq!(
            send(&app, post(&admin, bad)).await.0,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    assert_eq!(
        send(&app, post(&op, r#"{"name": "y", "role": "admin"}"#))
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    let del = |token: &str| {
        request(
            Method::DELETE,
            "/api/v1/tokens/ci",
            Some("localhost"),
            Some(token),
            "",
        )
    };
    assert_eq!(send(&app, del(&op)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, del(&admin)).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        status(&app, Method::GET, "/demo/orders/104233", Some(&ci)).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(send(&app, del(&admin)).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn repeated_bad_tokens_from_one_source_get_429_with_retry_after() {
    let state = no_agent();
    let good = state.create_token("op", Role::Operator).await.unwrap();
    let app = router(state);
    let from = |ip: [u8; 4], token: &str| {
        let mut req = request(
            Method::GET,
            "/demo/orders/104233",
            Some("localhost"),
            Some(token),
            "",
        );
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
        req
    };
    let limited_before = metrics().http_refusals(HttpRefusal::RateLimited);
    for i in 0..10 {
        let wrong = format!("vg_guess{i}");
        assert_eq!(
            send(&app, from([127, 0, 0, 2], &wrong)).await.0,
            StatusCode::UNAUTHORIZED,
            "guess {i}"
        );
    }
    // The eleventh try is refused before the token is even looked at, a right one included.
    let (s, headers, body) = send(&app, from([127, 0, 0, 2], &good)).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(metrics().http_refusals(HttpRefusal::RateLimited) > limited_before);
    // Another source is not affected.
    assert_eq!(
        send(&app, from([127, 0, 0, 3], &good)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn hosts_and_origins_are_checked_before_anything_else() {
    let http = HttpConfig {
        allowed_hosts: vec![String::from("gw.example.com")],
        allowed_origins: vec![String::from("https://console.example.com")],
        ..HttpConfig::default()
    };
    let store = Store::open_in_memory(CallerPolicy::Redact).ok();
    let state = ApiState::build(AgentSlot::fixed(Err("none".into())), &http, store, "");
    let token = state.create_token("op", Role::Operator).await.unwrap();
    let app = router(state);
    let order = "/demo/orders/104233";
    let host = |h: Option<&str>| request(Method::GET, order, h, Some(&token), "");
    for bad in [
        Some("evil.example"),
        Some("evil.example:8080"),
        Some("127.0.0.1.nip.io"),
        None,
    ] {
        let (s, _, body) = send(&app, host(bad)).await;
        assert_eq!(s, StatusCode::MISDIRECTED_REQUEST, "{bad:?}: {body}");
    }
    for good in [
        "localhost:8080",
        "127.0.0.1:8080",
        "[::1]:8080",
        "gw.example.com",
        "GW.example.com:443",
    ] {
        assert_eq!(
            send(&app, host(Some(good))).await.0,
            StatusCode::OK,
            "{good}"
        );
    }
    // /health answers load balancers whatever name they use.
    let health = request(Method::GET, "/health", Some("evil.example"), None, "");
    assert_eq!(send(&app, health).await.0, StatusCode::OK);

    let with_origin = |origin: &str| {
        let mut req = request(
            Method::PUT,
            "/api/v1/kb/documents/a.md",
            Some("127.0.0.1:8080"),
            Some(&token),
            "# A\nx\n",
        );
        req.headers_mut().insert("origin", origin.parse().unwrap());
        req
    };
    for bad in ["http://evil.example", "http://127.0.0.1:9999", "null"] {
        assert_eq!(
            send(&app, with_origin(bad)).await.0,
            StatusCode::FORBIDDEN,
            "{bad}"
        );
    }
    // Same-origin and listed origins pass (to 503: no agent in this test).
    for good in ["http://127.0.0.1:8080", "https://console.example.com"] {
        assert_eq!(
            send(&app, with_origin(good)).await.0,
            StatusCode::SERVICE_UNAVAILABLE,
            "{good}"
        );
    }
    let long = format!("/api/v1/kb/search?q={}", "a".repeat(20_000));
    assert_eq!(
        status(&app, Method::GET, &long, Some(&token)).await,
        StatusCode::URI_TOO_LONG
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_ask_queue_answers_429_with_retry_after_at_once() {
    // The agent's start blocks until released: two questions hold both slots meanwhile.
    let (release, blocked) = std::sync::mpsc::channel::<()>();
    let blocked = Mutex::new(blocked);
    let slot = AgentSlot::lazy(move || {
        let _ = blocked.lock().unwrap().recv();
        Err(String::from("released"))
    });
    let http = HttpConfig {
        ask_queue: 1,
        ask_max_wait_secs: 20.0,
        ..HttpConfig::default()
    };
    let store = Store::open_in_memory(CallerPolicy::Redact).ok();
    let state = ApiState::build(slot, &http, store, "");
    let token = state.create_token("op", Role::Operator).await.unwrap();
    let app = router(state);
    let ask = || {
        request(
            Method::POST,
            "/api/v1/ask",
            Some("localhost"),
            Some(&token),
            r#"{"question": "hi"}"#,
        )
    };
    let waiting = metrics().ask_queue_depth.get();
    let mut held = Vec::new();
    for _ in 0..3 {
        let (app, req) = (app.clone(), ask());
        held.push(tokio::spawn(async move { send(&app, req).await.0 }));
    }
    let end = Instant::now() + Duration::from_secs(10);
    while metrics().ask_queue_depth.get() < waiting + 1 {
        assert!(Instant::now() < end, "the third question never waited");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    let (s, headers, body) = send(&app, ask()).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(headers["retry-after"], "20");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "refused at once, not after a wait"
    );
    drop(release);
    for h in held {
        assert_eq!(h.await.unwrap(), StatusCode::SERVICE_UNAVAILABLE);
    }
}

/// The first interpreter that imports `prometheus_client`.
fn parser_python() -> Option<OsString> {
    common::python::importing(&["prometheus_client.parser"])
}

const PARSE: &str = "import sys, json
from prometheus_client.parser import text_string_to_metric_families
out = {}
for f in text_string_to_metric_families(sys.stdin.read()):
    out[f.name] = {'type': f.type, 'samples': [[s.name, s.labels, s.value] for s in f.samples]}
print(json.dumps(out))
";

#[tokio::test]
async fn metrics_are_read_by_a_real_prometheus_parser() {
    let state = no_agent();
    let prom = state.create_token("prom", Role::Metrics).await.unwrap();
    let app = router(state);
    let m = metrics();
    m.call_started();
    m.call_setup(Duration::from_millis(120));
    m.call_ended(Some(0.01), Some(Duration::from_millis(4)));
    m.sip_refused(voxgate::metrics::SipRefusal::AuthFailed);
    assert_eq!(
        status(&app, Method::GET, "/api/v1/tokens", None).await,
        StatusCode::UNAUTHORIZED
    );
    let (s, _, text) = send(
        &app,
        request(Method::GET, "/metrics", Some("localhost"), Some(&prom), ""),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let Some(python) = parser_python() else {
        return;
    };
    let mut child = Command::new(python)
        .args(["-c", PARSE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the parser refused:\n{text}");
    let families: Value = serde_json::from_slice(&out.stdout).unwrap();
    let family = |name: &str, kind: &str| -> Vec<Value> {
        let f = &families[name];
        assert_eq!(f["type"], kind, "{name}: {f}");
        f["samples"].as_array().unwrap().clone()
    };
    // Counters are named without `_total` by the parser; their samples keep it.
    let requests = family("voxgate_http_requests", "counter");
    assert!(
        requests.iter().any(|s| s[1]["route"] == "tokens"
            && s[1]["code"] == "401"
            && s[2].as_f64() >= Some(1.0)),
        "{requests:?}"
    );
    let refusals = family("voxgate_sip_refusals", "counter");
    assert!(
        refusals
            .iter()
            .any(|s| s[1]["reason"] == "auth_failed" && s[2].as_f64() >= Some(1.0))
    );
    assert!(family("voxgate_calls_started", "counter")[0][2].as_f64() >= Some(1.0));
    family("voxgate_calls_active", "gauge");
    family("voxgate_ask_queue_depth", "gauge");
    let setup = family("voxgate_call_setup_seconds", "histogram");
    let le = |samples: &[Value], bound: &str| {
        samples
            .iter()
            .find(|s| {
                s[0] == format!("{}_bucket", "voxgate_call_setup_seconds") && s[1]["le"] == bound
            })
            .map(|s| s[2].as_f64().unwrap())
    };
    assert!(
        le(&setup, "0.25") >= Some(1.0) && le(&setup, "+Inf") >= le(&setup, "0.25"),
        "{setup:?}"
    );
    let stages = family("voxgate_agent_stage_seconds", "histogram");
    for stage in ["retrieval", "llm_first_token", "first_sentence", "total"] {
        assert!(stages.iter().any(|s| s[1]["stage"] == stage), "{stage}");
    }
    family("voxgate_rtp_loss_ratio", "histogram");
    family("voxgate_rtp_jitter_seconds", "histogram");
}

/// `voxgate tokens create|list|revoke` on a data directory: the token is printed once, the
/// list shows names and roles but no secret, a revoked token is listed as such.
#[test]
fn the_tokens_command_creates_lists_and_revokes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_voxgate"))
            .arg("tokens")
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (
            out.status.success(),
            text,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, token, err) = run(&["create", "prom", "--role", "metrics"]);
    assert!(ok, "{err}");
    let token = token.trim().to_owned();
    assert!(token.starts_with("vg_") && token.len() == 67, "{token}");
    let (ok, _, err) = run(&["create", "prom", "--role", "metrics"]);
    assert!(!ok && err.contains("exists"), "{err}");
    let (ok, _, err) = run(&["create", "x", "--role", "root"]);
    assert!(!ok && err.contains("--role"), "{err}");
    let (ok, list, _) = run(&["list"]);
    assert!(ok && list.contains("prom") && list.contains("metrics") && list.contains("live"));
    assert!(!list.contains(&token), "{list}");
    assert!(run(&["revoke", "prom"]).0);
    let (_, list, _) = run(&["list"]);
    assert!(list.contains("revoked"), "{list}");
    assert!(!run(&["revoke", "prom"]).0, "nothing left to revoke");
}

/// The accept loop's graceful shutdown: after the stop no connection is accepted, and a
/// request already running finishes with its answer before `serve` returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_request_finishes_after_the_stop() {
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use voxgate::api::server::{ConnLimits, serve};

    let release = Arc::new(tokio::sync::Notify::new());
    let entered = Arc::new(tokio::sync::Notify::new());
    let (r, e) = (release.clone(), entered.clone());
    let app = axum::Router::new().route(
        "/slow",
        axum::routing::get(move || {
            let (r, e) = (r.clone(), e.clone());
            async move {
                e.notify_one();
                r.notified().await;
                "done"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let limits = ConnLimits::new(&HttpConfig::default());
    let server = tokio::spawn(serve(listener, app, limits, stopped));

    let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
    client
        .write_all(b"GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    entered.notified().await;
    stop.send(true).unwrap();
    let refused = async {
        let mut late = tokio::net::TcpStream::connect(addr).await.ok()?;
        late.write_all(b"GET /other HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .ok()?;
        let mut buf = [0u8; 16];
        late.read(&mut buf).await.ok().filter(|n| *n > 0)
    };
    let late = tokio::time::timeout(Duration::from_secs(5), refused)
        .await
        .unwrap();
    assert!(late.is_none(), "a connection after the stop was served");
    assert!(!server.is_finished(), "serve waits for the running request");
    release.notify_one();
    let mut answer = String::new();
    client.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("done"),
        "{answer}"
    );
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
