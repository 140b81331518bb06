//! HTTP from tests: a request through the API's router in process (no port), and `curl`
//! against a running gateway.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use tower::ServiceExt;

/// Sends `method uri` with a bearer `token` and `body` (typed JSON when it is an object)
/// through `app`; the status and the JSON answer (`Null` when not JSON).
pub async fn send(
    app: &axum::Router,
    method: Method,
    uri: &str,
    token: &str,
    body: &str,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost")
        .header("authorization", format!("Bearer {token}"));
    if body.starts_with('{') {
        req = req.header("content-type", "application/json");
    }
    let req = req.body(Body::from(body.to_owned())).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// `curl -sS` with a bearer `token` and `args`; the JSON answer (`Null` when not JSON).
pub fn curl(token: &str, args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "-H",
            &format!("Authorization: Bearer {}", token.trim()),
        ])
        .args(args)
        .output()
        .expect("curl (scripts/setup --test installs it)");
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// `curl -sS -X method` with a bearer `token` and a JSON `body` (none when empty); the
/// status and the JSON answer (`Null` when not JSON).
#[allow(dead_code)]
pub fn curl_status(token: &str, method: &str, url: &str, body: &str) -> (u16, serde_json::Value) {
    let mut args = vec!["-X", method, "-w", "\n%{http_code}", url];
    if !body.is_empty() {
        args.extend(["-H", "content-type: application/json", "--data", body]);
    }
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "-H",
            &format!("Authorization: Bearer {}", token.trim()),
        ])
        .args(&args)
        .output()
        .expect("curl (scripts/setup --test installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    let (json, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    (
        status.trim().parse().unwrap_or(0),
        serde_json::from_str(json).unwrap_or(serde_json::Value::Null),
    )
}
