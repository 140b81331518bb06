//! The operator's flow API on the real router (in process, as `api_guard.rs` drives it): a
//! new version is checked, stored and activated for new calls while a call in progress keeps
//! its version; a broken one is refused with its lines; rollback is one call; every change is
//! in the audit log under the token's name; roles decide who may do what.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use axum::http::{Method, StatusCode};
use voxgate::api::auth::Role;
use voxgate::api::flows::FlowsApi;
use voxgate::api::{ApiState, router};
use voxgate::calls::{self, LiveFlows};
use voxgate::flows::{self, Action, CallFacts, FlowRun, Known};
use voxgate::store::{CallerPolicy, Store};

use common::http::send;

fn greeting(run: &mut FlowRun) -> String {
    std::iter::from_fn(|| run.poll_action())
        .find_map(|a| match a {
            Action::Say(s) => Some(s),
            _ => None,
        })
        .unwrap()
}

fn start(live: &LiveFlows) -> FlowRun {
    FlowRun::start(
        live.current(),
        "demo",
        &CallFacts::default(),
        Instant::now(),
        "2026-12-04T10:00:00Z".parse().unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn versions_are_activated_for_new_calls_rolled_back_and_audited() {
    let dir = std::env::temp_dir().join(format!("voxgate-flow-api-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let known = Known {
        kbs: Some(["default".to_string()].into()),
        queues: Some(["support".to_string()].into()),
        ..Known::default()
    };
    let loaded = calls::load_flows(None, &known).unwrap();
    let store = Store::open(&dir, CallerPolicy::Redact).unwrap();
    let set = calls::activate(&loaded, &store, &known);
    let can = set.needs();
    let live = LiveFlows::new(set, known, can);
    let state = ApiState::new(Err("no agent in this test".into()));
    let op = state
        .create_token("ops-alice", Role::Operator)
        .await
        .unwrap();
    let admin = state.create_token("root", Role::Admin).await.unwrap();
    let prom = state.create_token("prom", Role::Metrics).await.unwrap();
    let state = state.with_flows(FlowsApi::new(
        live.clone(),
        Store::open(&dir, CallerPolicy::Redact).unwrap(),
    ));
    let app = router(state);

    let (s, list) = send(&app, Method::GET, "/api/v1/flows", &op, "").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["flows"][0]["name"], "demo");
    assert_eq!(list["flows"][0]["version"], 1);
    let (s, _) = send(&app, Method::GET, "/api/v1/flows", &prom, "").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A call in progress on version 1.
    let mut old_call = start(&live);

    // A broken version is refused with its lines, and nothing changes.
    let broken = flows::DEMO.replace("next: hours", "next: hour");
    let (s, body) = send(&app, Method::PUT, "/api/v1/flows/demo", &op, &broken).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let problem = &body["problems"][0];
    assert_eq!(problem["node"], "greet");
    assert!(
        problem["reason"]
            .as_str()
            .unwrap()
            .contains("did you mean `hours`"),
        "{body}"
    );
    assert!(problem["line"].as_u64().unwrap() > 5);
    let (s, body) = send(&app, Method::POST, "/api/v1/flows/validate", &op, &broken).await;
    assert_eq!(
        (s, &body["ok"]),
        (StatusCode::OK, &serde_json::json!(false)),
        "{body}"
    );
    // The URL and the file must name the same flow.
    let (s, _) = send(&app, Method::PUT, "/api/v1/flows/other", &op, flows::DEMO).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Version 2: new calls greet differently; the call in progress keeps version 1.
    let v2 = flows::DEMO.replace(
        "Thanks for calling Example Shop.",
        "Welcome back to Example Shop.",
    );
    let (s, body) = send(&app, Method::PUT, "/api/v1/flows/demo", &op, &v2).await;
    assert_eq!(
        (s, &body["version"]),
        (StatusCode::OK, &serde_json::json!(2)),
        "{body}"
    );
    assert_eq!(greeting(&mut start(&live)), "Welcome back to Example Shop.");
    assert_eq!(greeting(&mut old_call), "Thanks for calling Example Shop.");
    let (_, got) = send(&app, Method::GET, "/api/v1/flows/demo", &op, "").await;
    assert_eq!(got["version"], 2);
    assert!(got["source"].as_str().unwrap().contains("Welcome back"));
    let (_, got) = send(&app, Method::GET, "/api/v1/flows/demo?version=1", &op, "").await;
    assert!(
        got["source"]
            .as_str()
            .unwrap()
            .contains("Thanks for calling")
    );

    // Rollback: one call, back to version 1.
    let (s, body) = send(&app, Method::POST, "/api/v1/flows/demo/rollback", &op, "").await;
    assert_eq!(
        (s, &body["version"]),
        (StatusCode::OK, &serde_json::json!(1)),
        "{body}"
    );
    assert_eq!(
        greeting(&mut start(&live)),
        "Thanks for calling Example Shop."
    );
    let (_, versions) = send(&app, Method::GET, "/api/v1/flows/demo/versions", &op, "").await;
    let v = &versions["versions"];
    assert_eq!(
        (v[0]["version"].as_i64(), v[0]["active"].as_bool()),
        (Some(2), Some(false))
    );
    assert_eq!(
        (v[1]["version"].as_i64(), v[1]["active"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(v[0]["created_by"], "ops-alice");

    // Who did what: admins only.
    let (s, _) = send(&app, Method::GET, "/api/v1/audit", &op, "").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, audit) = send(&app, Method::GET, "/api/v1/audit", &admin, "").await;
    assert_eq!(s, StatusCode::OK);
    let entries: Vec<(String, String, String)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().into(),
                e["action"].as_str().unwrap().into(),
                e["detail"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                "ops-alice".into(),
                "flow.rollback".into(),
                "version 1".into()
            ),
            (
                "ops-alice".into(),
                "flow.activate".into(),
                "version 2".into()
            ),
            ("bundled".into(), "flow.import".into(), "version 1".into()),
        ]
    );

    // A restart keeps the active version and does not store the unchanged file again.
    let store = Store::open(&dir, CallerPolicy::Redact).unwrap();
    let again = calls::activate(&loaded, &store, live.known());
    assert_eq!(store.flow_versions("demo").unwrap().len(), 2);
    drop(again);

    // Calls in progress and the node each is in.
    live.entered(7, "demo", "menu");
    let (_, calls) = send(&app, Method::GET, "/api/v1/calls", &op, "").await;
    assert_eq!(calls["calls"][0]["node"], "menu");
    live.ended(7);
    let (_, calls) = send(&app, Method::GET, "/api/v1/calls", &op, "").await;
    assert_eq!(calls["calls"].as_array().map(Vec::len), Some(0));
    let (s, schema) = send(&app, Method::GET, "/api/v1/flows/schema", &op, "").await;
    assert_eq!(
        (s, &schema["title"]),
        (StatusCode::OK, &serde_json::json!("voxgate flow"))
    );
}

/// The OpenAPI document is served as written, is valid OpenAPI 3.1 (openapi-spec-validator
/// from PyPI), and every operation it lists exists on the router (no fallback 404, no 405).
#[tokio::test]
async fn the_openapi_document_is_valid_and_every_operation_exists() {
    let known = Known::default();
    let loaded = calls::load_flows(None, &known).unwrap();
    let can = loaded.set.needs();
    let live = LiveFlows::new(loaded.set, known, can);
    let state = ApiState::new(Err("no agent in this test".into()));
    let admin = state.create_token("root", Role::Admin).await.unwrap();
    let state = state.with_flows(FlowsApi::new(
        live,
        Store::open_in_memory(CallerPolicy::Redact).unwrap(),
    ));
    let app = router(state);
    let (s, served) = send(&app, Method::GET, "/api/v1/openapi.json", &admin, "").await;
    assert_eq!(s, StatusCode::OK);
    let file: serde_json::Value = serde_json::from_str(voxgate::api::OPENAPI).unwrap();
    assert_eq!(served, file);
    let mut checked = 0;
    for (path, item) in file["paths"].as_object().unwrap() {
        let uri = path
            .replace("{name}", "demo")
            .replace("{number}", "104233")
            .replace("{id}", "alice");
        for method in ["get", "put", "post", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (s, body) = send(&app, m, &uri, &admin, "").await;
            assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                !(s == StatusCode::NOT_FOUND && body["error"] == "not found"),
                "{method} {path}: not routed"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} operations");
    // What an operation missing from the router would look like.
    let (s, body) = send(&app, Method::GET, "/api/v1/nope", &admin, "").await;
    assert_eq!(
        (s, &body["error"]),
        (StatusCode::NOT_FOUND, &serde_json::json!("not found"))
    );
    let Some(python) = common::python::importing(&["openapi_spec_validator"]) else {
        return;
    };
    let out = std::process::Command::new(python)
        .args(["-c", "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(sys.stdin))"])
        .stdin(std::process::Stdio::piped())
        .output_with_stdin(voxgate::api::OPENAPI.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

trait WithStdin {
    fn output_with_stdin(&mut self, input: &[u8]) -> std::process::Output;
}

impl WithStdin for std::process::Command {
    fn output_with_stdin(&mut self, input: &[u8]) -> std::process::Output {
        use std::io::Write;
        let mut child = self
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    }
}

/// A gateway started without the AI agent (none of its flows had an agent node) refuses a
/// version that needs it, instead of running calls into an agent that is not there.
#[tokio::test]
async fn a_flow_needing_what_the_gateway_did_not_start_is_refused() {
    let keypad = "flow: keys\nstart: m\nnodes:\n  m:\n    menu: {play: a.wav, options: {\"1\": bye}, speech: false}\n  bye:\n    hangup: true\n";
    let set = flows::FlowSet::new([flows::parse(keypad).unwrap()]);
    let can = set.needs();
    assert_eq!(can, flows::Needs::default());
    let live = LiveFlows::new(set, Known::default(), can);
    let state = ApiState::new(Err("no agent in this test".into()));
    let op = state.create_token("op", Role::Operator).await.unwrap();
    let state = state.with_flows(FlowsApi::new(
        live.clone(),
        Store::open_in_memory(CallerPolicy::Redact).unwrap(),
    ));
    let app = router(state);
    let with_agent = keypad.replace("hangup: true", "agent: {}\n    on_handoff: m");
    let (s, body) = send(&app, Method::PUT, "/api/v1/flows/keys", &op, &with_agent).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("the AI agent"),
        "{body}"
    );
    let (s, body) = send(&app, Method::PUT, "/api/v1/flows/keys", &op, keypad).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}
