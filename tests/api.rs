//! The HTTP API. Router tests drive `voxgate::api::router` with `oneshot` (no port): the
//! health and demo order endpoints and the error shapes with no agent, the knowledge-document
//! endpoints and conversation memory with a real knowledge base (MiniLM) and an OpenAI
//! backend at a dead port (so no language model is needed). The end-to-end tests run the
//! real binary: asked over HTTP with the embedded model, a knowledge file edited on disk is
//! answered within 5 s, and a document PUT over HTTP is answered; without models the API
//! still serves and `/api/v1/ask` says what to fetch.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;
use voxgate::api::{ApiState, BODY_LIMIT, router};
use voxgate::dialog::{Agent, AgentSettings, KnowledgeSource};
use voxgate::models::Models;

/// One request through a fresh clone of the router: (status, JSON body or `null`).
async fn call(app: &axum::Router, method: Method, uri: &str, body: Body) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(body)
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!("{uri}: not JSON ({e}): {}", String::from_utf8_lossy(&bytes))
        })
    };
    (status, json)
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    call(app, Method::GET, uri, Body::empty()).await
}

fn no_agent() -> axum::Router {
    router(ApiState::new(Err(
        "the model qwen2.5-coder-0.5b is not installed: run `voxgate models fetch qwen2.5-coder-0.5b`"
            .into(),
    )))
}

#[tokio::test]
async fn health_and_demo_orders_work_without_an_agent() {
    let app = no_agent();
    assert_eq!(
        get(&app, "/health").await,
        (StatusCode::OK, json!({"status": "ok"}))
    );

    let (status, order) = get(&app, "/demo/orders/104233").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(order["order"], "104233");
    assert_eq!(order["status"], "shipped");
    assert!(order["carrier"].is_string() && order["expected_delivery"].is_string());
    let mut states = Vec::new();
    for o in voxgate::api::DEMO_ORDERS {
        let (status, got) = get(&app, &format!("/demo/orders/{}", o.order)).await;
        assert_eq!(status, StatusCode::OK);
        states.push(got["status"].as_str().unwrap().to_owned());
    }
    for s in [
        "processing",
        "shipped",
        "out for delivery",
        "delivered",
        "cancelled",
        "refund issued",
    ] {
        assert!(states.iter().any(|x| x == s), "no demo order is {s}");
    }
    assert_eq!(
        get(&app, "/demo/orders/999999").await,
        (StatusCode::NOT_FOUND, json!({"error": "no such order"}))
    );
}

#[tokio::test]
async fn without_an_agent_ask_and_the_knowledge_base_answer_503_with_the_reason() {
    let app = no_agent();
    let body = Body::from(r#"{"question": "How long does a refund take?"}"#);
    let (status, err) = call(&app, Method::POST, "/api/v1/ask", body).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(err["error"], "agent unavailable");
    assert!(
        err["detail"]
            .as_str()
            .unwrap()
            .contains("voxgate models fetch"),
        "{err}"
    );
    let (status, err) = get(&app, "/api/v1/kb/documents").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{err}");
    let (status, _) = get(&app, "/api/v1/kb/search?q=refund").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let app = no_agent();
    let (status, err) = get(&app, "/no/such/page").await;
    assert_eq!(
        (status, &err["error"]),
        (StatusCode::NOT_FOUND, &json!("not found"))
    );

    let (status, err) = call(&app, Method::POST, "/api/v1/ask", Body::from("{not json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"], "bad request");
    assert!(
        err["detail"].as_str().unwrap().contains("question"),
        "{err}"
    );

    for body in [
        r#"{"question": "   "}"#,
        r#"{"question": "hi", "conversation": "has spaces"}"#,
        r#"{"question": "hi", "extra": 1}"#,
    ] {
        let (status, err) = call(&app, Method::POST, "/api/v1/ask", Body::from(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
    }

    let big = format!(r#"{{"question": "{}"}}"#, "a".repeat(BODY_LIMIT + 1));
    let (status, err) = call(&app, Method::POST, "/api/v1/ask", Body::from(big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
    assert_eq!(err["error"], "request body too large");
}

/// An agent on a knowledge directory (not watched) whose language model is an OpenAI server
/// at a dead port: the knowledge base is real, no language model is loaded.
fn dead_llm_agent(kb: &Path, max_turns: u32) -> Option<Agent> {
    let models = common::models::fetch(&["minilm-l6-v2"])?;
    let mut settings = AgentSettings {
        llm: "openai".into(),
        max_turns,
        ..AgentSettings::default()
    };
    settings.openai.base_url = "http://127.0.0.1:9/v1".into();
    settings.openai.retries = 0;
    let source = KnowledgeSource::Dir {
        path: kb.to_owned(),
        poll: None,
    };
    Some(Agent::build(&settings, source, &Models::locate(models).unwrap(), &[]).unwrap())
}

const REFUNDS: &str = "# Returns\n\n## Refund timeline\nRefunds are issued within 14 days of the \
                       return reaching our warehouse, to the original payment method.\n";
const GIFT_CARDS: &str = "# Gift cards\n\n## Gift card validity\nGift cards are valid for 36 \
                          months from the date of purchase and can only be used online.\n";

#[tokio::test]
async fn documents_are_added_listed_searched_and_removed() {
    let tmp = common::TempDir::new("api-kb");
    let kb = tmp.0.join("kb");
    std::fs::create_dir_all(&kb).unwrap();
    std::fs::write(kb.join("returns.md"), REFUNDS).unwrap();
    let Some(agent) = dead_llm_agent(&kb, 10) else {
        return;
    };
    let app = router(ApiState::new(Ok(agent)));

    let (status, list) = get(&app, "/api/v1/kb/documents").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["documents"][0]["name"], "returns.md", "{list}");

    let put = |name: &str, text: &str| {
        let uri = format!("/api/v1/kb/documents/{name}");
        let body = Body::from(text.to_owned());
        let app = app.clone();
        async move { call(&app, Method::PUT, &uri, body).await }
    };
    let (status, report) = put("gift-cards.md", GIFT_CARDS).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(report["created"], true);
    assert_eq!(report["refresh"]["added"], json!(["gift-cards.md"]));
    assert_eq!(
        std::fs::read_to_string(kb.join("gift-cards.md")).unwrap(),
        GIFT_CARDS
    );
    let (status, report) = put("gift-cards.md", &GIFT_CARDS.replace("36", "24")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["refresh"]["changed"], json!(["gift-cards.md"]));
    let (status, report) = put("faq/billing.md", "# Billing\nInvoices are emailed.\n").await;
    assert_eq!(status, StatusCode::CREATED, "{report}");

    let (_, list) = get(&app, "/api/v1/kb/documents").await;
    let names: Vec<_> = list["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["faq/billing.md", "gift-cards.md", "returns.md"]);

    let (status, found) = get(
        &app,
        "/api/v1/kb/search?q=how+long+are+gift+cards+valid&k=2",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let hits = found["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 2, "{found}");
    assert_eq!(hits[0]["id"], "gift-cards.md#gift-card-validity", "{found}");
    assert!(
        hits[0]["text"].as_str().unwrap().contains("24 months"),
        "{found}"
    );
    assert!(
        hits[0]["score"].as_f64().unwrap() > hits.last().unwrap()["score"].as_f64().unwrap() - 1e-9
    );

    for (name, text) in [
        (".hidden.md", "x"),
        ("notes.exe", "x"),
        ("a%20b.md", "x"),
        ("empty.md", "  \n"),
    ] {
        let (status, err) = put(name, text).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {err}");
        assert!(err["detail"].is_string(), "{err}");
    }
    for uri in [
        "/api/v1/kb/search?q=",
        "/api/v1/kb/search?q=x&k=0",
        "/api/v1/kb/search",
    ] {
        assert_eq!(get(&app, uri).await.0, StatusCode::BAD_REQUEST, "{uri}");
    }

    let del = |name: &str| {
        let uri = format!("/api/v1/kb/documents/{name}");
        let app = app.clone();
        async move { call(&app, Method::DELETE, &uri, Body::empty()).await }
    };
    assert_eq!(
        del("gift-cards.md").await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert!(!kb.join("gift-cards.md").exists());
    let (status, err) = del("gift-cards.md").await;
    assert_eq!(
        (status, &err["error"]),
        (StatusCode::NOT_FOUND, &json!("no such document"))
    );
    let (_, found) = get(&app, "/api/v1/kb/search?q=gift+card+validity").await;
    assert!(
        found["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| !h["id"].as_str().unwrap().starts_with("gift")),
        "{found}"
    );
}

#[tokio::test]
async fn a_dead_language_model_hands_off_and_conversations_remember_turns() {
    let tmp = common::TempDir::new("api-ask");
    let kb = tmp.0.join("kb");
    std::fs::create_dir_all(&kb).unwrap();
    std::fs::write(kb.join("returns.md"), REFUNDS).unwrap();
    let Some(agent) = dead_llm_agent(&kb, 1) else {
        return;
    };
    let app = router(ApiState::new(Ok(agent)));
    let ask = |body: Value| {
        let app = app.clone();
        async move {
            call(
                &app,
                Method::POST,
                "/api/v1/ask",
                Body::from(body.to_string()),
            )
            .await
        }
    };
    let q = "How long does a refund take?";
    let (status, a) = ask(json!({"question": q, "conversation": "c1"})).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["handoff"], true, "{a}");
    assert_eq!(a["reason"], "llm_unavailable", "{a}");
    assert!(
        !a["answer"].as_str().unwrap().is_empty(),
        "the caller is told: {a}"
    );
    assert!(a["timings"]["total_ms"].is_number(), "{a}");
    assert_eq!(a["conversation"], "c1");
    // max_turns = 1: the same conversation's second turn is one too many; another is not.
    let (_, a) = ask(json!({"question": q, "conversation": "c1"})).await;
    assert_eq!(a["reason"], "too_many_turns", "{a}");
    let (_, a) = ask(json!({"question": q, "conversation": "c2"})).await;
    assert_eq!(a["reason"], "llm_unavailable", "{a}");
    let (_, a) = ask(json!({"question": q})).await;
    assert_eq!(a["reason"], "llm_unavailable", "{a}");
    assert!(a.get("conversation").is_none(), "{a}");
}
