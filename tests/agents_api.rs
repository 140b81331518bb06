//! The contact center's API on the real router (in process) with a running contact center:
//! agents and queues as they stand, presence set and refused, roles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::http::send;
use voxgate::api::auth::Role;
use voxgate::api::{ApiState, router};
use voxgate::center::Center;
use voxgate::config::CenterConfig;

fn center() -> CenterConfig {
    toml::from_str(
        "[[agents]]\nid = \"alice\"\nname = \"Alice\"\nuri = \"sip:alice@192.0.2.7\"\n\
         [[agents]]\nid = \"bob\"\npassword = \"bob-secret-1\"\nskills = [\"billing\"]\n\
         [[queues]]\nname = \"billing\"\nskills = [\"billing\"]\n",
    )
    .unwrap()
}

fn agent<'a>(view: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    view["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap()
}

#[tokio::test]
async fn operators_see_the_agents_and_set_their_presence() {
    let (_phones, rx) = tokio::sync::mpsc::channel(4);
    let events = voxgate::events::Events::new();
    let io = voxgate::center::CenterIo {
        phones: rx,
        events,
        states: None,
        phone_book: None,
    };
    let config = center();
    let setup = voxgate::center::CenterSetup {
        config: &config,
        queues: &["support".to_string()],
        stored: Vec::new(),
        realm: "voxgate".into(),
    };
    let center = Center::start(setup, io).unwrap();
    let state = ApiState::new(Err("no agent in this test".into())).with_center(center);
    let operator = state.create_token("ops", Role::Operator).await.unwrap();
    let scraper = state.create_token("prom", Role::Metrics).await.unwrap();
    let app = router(state);

    let (s, view) = send(&app, Method::GET, "/api/v1/agents", &operator, "").await;
    assert_eq!(s, StatusCode::OK, "{view}");
    // Alice has a fixed address: reachable and available. Bob's phone has not registered.
    let alice = agent(&view, "alice");
    assert_eq!(
        (
            alice["name"].as_str(),
            alice["state"].as_str(),
            alice["reachable"].as_bool()
        ),
        (Some("Alice"), Some("available"), Some(true))
    );
    let bob = agent(&view, "bob");
    assert_eq!(
        (bob["state"].as_str(), bob["reachable"].as_bool()),
        (Some("logged_out"), Some(false))
    );
    let queues: Vec<&str> = view["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    assert_eq!(queues, ["billing", "support"]);
    assert_eq!(view["queues"][0]["waiting"], 0);

    let (s, _) = send(
        &app,
        Method::PUT,
        "/api/v1/agents/alice/presence",
        &operator,
        r#"{"presence": "away"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, view) = send(&app, Method::GET, "/api/v1/agents", &operator, "").await;
    assert_eq!(
        (
            agent(&view, "alice")["state"].as_str(),
            agent(&view, "alice")["away"].as_str()
        ),
        (Some("away"), Some("requested"))
    );

    for (uri, body, want) in [
        (
            "/api/v1/agents/mallory/presence",
            r#"{"presence": "away"}"#,
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/agents/alice/presence",
            r#"{"presence": "asleep"}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/agents/alice/presence",
            r#"{"presence": "away", "x": 1}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/agents/alice/presence",
            "not json",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (s, body) = send(&app, Method::PUT, uri, &operator, body).await;
        assert_eq!(s, want, "{uri} {body}");
        assert!(body["error"].is_string(), "{body}");
    }
    // A metrics token may not look, nor change anything.
    let (s, _) = send(&app, Method::GET, "/api/v1/agents", &scraper, "").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = send(
        &app,
        Method::PUT,
        "/api/v1/agents/alice/presence",
        &scraper,
        r#"{"presence": "available"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn without_agents_the_endpoints_say_so() {
    let state = ApiState::new(Err("no agent in this test".into()));
    let admin = state.create_token("root", Role::Admin).await.unwrap();
    let app = router(state);
    let (s, body) = send(&app, Method::GET, "/api/v1/agents", &admin, "").await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("not running"),
        "{body}"
    );
}
