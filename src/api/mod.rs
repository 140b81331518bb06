//! The HTTP API of `voxgate serve` (axum on our own hyper accept loop): health, metrics,
//! questions to the AI agent, the operator's knowledge documents, API tokens, and the demo
//! order-status webhook the demo tool calls. Owns routing, authentication, request limits and
//! the JSON shapes; the agent and the knowledge base do the work. The API runs even when the
//! agent could not start: `/api/v1/ask` then answers 503 with the reason.
//!
//! Every request passes, outermost first: the metrics count, the Host/Origin check
//! ([`guard`]), authentication ([`auth`]), and the whole-body read with its timeout.

mod agent_book;
mod agent_report;
mod agents;
mod ask;
pub mod auth;
mod body;
mod callbacks;
mod conversations;
mod demo;
mod error;
mod events;
pub mod flows;
pub mod guard;
mod kb;
mod queue;
pub mod server;
mod slot;
mod tokens;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, watch};

pub use ask::{AskResponse, TimingsJson};
pub use conversations::{CONVERSATION_TTL, Conversations, MAX_CONVERSATIONS};
pub use demo::{DEMO_ORDERS, DemoOrder, find_order};
pub use error::ApiError;
pub use queue::WorkQueue;
pub use slot::{AgentSlot, AgentStarter, RETRY_AFTER};

use crate::config::HttpConfig;
use crate::dialog::Agent;
use crate::metrics::{HttpRoute, metrics};
use crate::store::Store;
use auth::Auth;
use guard::HostPolicy;

/// The largest request body accepted (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// The longest question (and search query) accepted, in bytes.
pub const MAX_QUESTION_LEN: usize = 4000;
/// Questions answered at once; more wait their turn (the model has two cores at most).
pub const ASK_CONCURRENCY: usize = 2;
/// Knowledge-base searches and writes run at once (each embeds text).
pub const KB_CONCURRENCY: usize = 2;

/// What the handlers share (cheap to clone).
#[derive(Clone)]
pub struct ApiState {
    inner: Arc<Inner>,
}

struct Inner {
    agent: AgentSlot,
    conversations: Mutex<Conversations>,
    ask_queue: WorkQueue,
    kb_queue: WorkQueue,
    auth: Auth,
    hosts: HostPolicy,
    body_timeout: Duration,
    max_documents: usize,
    max_kb_bytes: u64,
    flows: Option<flows::FlowsApi>,
    center: Option<crate::center::Center>,
    events: Option<crate::events::Events>,
}

impl ApiState {
    /// The state of a gateway with the default `[http]` and an empty in-memory token store
    /// (tests: add tokens with [`ApiState::create_token`]). `agent` is the agent (its
    /// knowledge base serves the document endpoints), or why it is not running: shown to
    /// clients of `/api/v1/ask` and the knowledge endpoints, so it must hold no path.
    pub fn new(agent: Result<Agent, String>) -> Self {
        ApiState::with_slot(AgentSlot::fixed(agent))
    }

    /// As [`ApiState::new`], with the agent from `agent` (see [`AgentSlot::lazy`]).
    pub fn with_slot(agent: AgentSlot) -> Self {
        let store = Store::open_in_memory(crate::store::CallerPolicy::Redact).ok();
        ApiState::build(agent, &HttpConfig::default(), store, "")
    }

    /// The state of a running gateway: `[http]`'s limits, tokens from `tokens` (`None`: no
    /// token is valid) and `webhook`, the per-process token of the gateway's demo tool
    /// (empty: none).
    pub fn build(
        agent: AgentSlot,
        http: &HttpConfig,
        tokens: Option<Store>,
        webhook: &str,
    ) -> Self {
        let m = metrics();
        ApiState {
            inner: Arc::new(Inner {
                agent,
                conversations: Mutex::new(Conversations::default()),
                ask_queue: WorkQueue::new(
                    ASK_CONCURRENCY,
                    http.ask_queue,
                    HttpConfig::secs(http.ask_max_wait_secs),
                    &m.ask_queue_depth,
                ),
                kb_queue: WorkQueue::new(
                    KB_CONCURRENCY,
                    http.kb_queue,
                    HttpConfig::secs(http.kb_max_wait_secs),
                    &m.kb_queue_depth,
                ),
                auth: Auth::new(
                    tokens,
                    webhook,
                    http.auth_failures_per_minute,
                    http.max_tokens,
                ),
                hosts: HostPolicy::new(http),
                body_timeout: HttpConfig::secs(http.body_read_timeout_secs),
                max_documents: http.max_documents,
                max_kb_bytes: http.max_kb_bytes,
                flows: None,
                center: None,
                events: None,
            }),
        }
    }

    /// This state with the flow endpoints working on `flows` (a gateway whose calls run
    /// flows); without, they answer 409.
    pub fn with_flows(mut self, flows: flows::FlowsApi) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.flows = Some(flows),
            None => tracing::error!("the API state is shared already: flow endpoints off"),
        }
        self
    }

    /// This state with the contact center's endpoints on `center`; without, they answer 409.
    pub fn with_center(mut self, center: crate::center::Center) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.center = Some(center),
            None => tracing::error!("the API state is shared already: agent endpoints off"),
        }
        self
    }

    /// This state with the live event stream on `events`.
    pub fn with_events(mut self, events: crate::events::Events) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.events = Some(events),
            None => tracing::error!("the API state is shared already: no event stream"),
        }
        self
    }

    fn events(&self) -> Option<&crate::events::Events> {
        self.inner.events.as_ref()
    }

    fn center(&self) -> Option<&crate::center::Center> {
        self.inner.center.as_ref()
    }

    fn flows(&self) -> Option<&flows::FlowsApi> {
        self.inner.flows.as_ref()
    }

    /// Creates an API token (as `voxgate tokens create` does) and returns it.
    pub async fn create_token(&self, name: &str, role: auth::Role) -> Result<String, ApiError> {
        let (name, limit) = (name.to_owned(), self.inner.auth.max_tokens);
        self.inner
            .auth
            .with_store(move |s| Ok(auth::token::create(s, &name, role, limit)?))
            .await
    }

    fn auth(&self) -> &Auth {
        &self.inner.auth
    }

    fn hosts(&self) -> &HostPolicy {
        &self.inner.hosts
    }

    fn body_timeout(&self) -> Duration {
        self.inner.body_timeout
    }

    fn kb_limits(&self) -> (usize, u64) {
        (self.inner.max_documents, self.inner.max_kb_bytes)
    }

    /// The agent, or 503 with the reason it is not running.
    async fn agent(&self) -> Result<Agent, ApiError> {
        let agent = self.inner.agent.get().await;
        agent.map_err(ApiError::AgentUnavailable)
    }

    /// The agent whose knowledge base the document endpoints use, or 503.
    async fn knowledge(&self) -> Result<Agent, ApiError> {
        let agent = self.inner.agent.get().await;
        agent.map_err(ApiError::KnowledgeUnavailable)
    }

    fn conversations(&self) -> MutexGuard<'_, Conversations> {
        self.inner
            .conversations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    async fn ask_permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.inner.ask_queue.admit().await
    }

    async fn kb_permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.inner.kb_queue.admit().await
    }
}

/// The API's routes behind their checks (see the module doc), with a JSON 404 for unknown
/// paths.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics_text))
        .route("/api/v1/ask", post(ask::ask))
        .route("/api/v1/kb/documents", get(kb::list))
        .route(
            "/api/v1/kb/documents/{*name}",
            put(kb::put).delete(kb::delete),
        )
        .route("/api/v1/kb/search", get(kb::search))
        .route("/api/v1/tokens", get(tokens::list).post(tokens::create))
        .route("/api/v1/tokens/{name}", delete(tokens::revoke))
        .route("/api/v1/flows", get(flows::list))
        .route("/api/v1/flows/schema", get(flows::schema))
        .route("/api/v1/flows/validate", post(flows::validate))
        .route("/api/v1/flows/{name}", get(flows::get).put(flows::put))
        .route("/api/v1/flows/{name}/versions", get(flows::versions))
        .route("/api/v1/flows/{name}/rollback", post(flows::rollback))
        .route("/api/v1/calls", get(flows::calls))
        .route("/api/v1/events", get(events::events))
        .route("/api/v1/events/ticket", post(events::ticket))
        .route("/api/v1/agents", get(agents::list))
        .route(
            "/api/v1/agents/{id}",
            put(agent_book::put_agent).delete(agent_book::delete_agent),
        )
        .route("/api/v1/agents/{id}/presence", put(agents::presence))
        .route("/api/v1/agent-states", get(agent_report::states))
        .route("/api/v1/agent-report", get(agent_report::report))
        .route("/api/v1/human-calls", get(agents::human_calls))
        .route("/api/v1/human-calls/{id}", get(agents::human_call))
        .route(
            "/api/v1/human-calls/{id}/disposition",
            put(agents::disposition),
        )
        .route("/api/v1/voicemails", get(flows::voicemails))
        .route("/api/v1/callbacks", get(callbacks::list))
        .route("/api/v1/callbacks/{id}", put(callbacks::mark))
        .route("/api/v1/audit", get(flows::audit))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/demo/orders/{number}", get(demo::get_order))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            body::read_whole,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), guard::check))
        .layer(middleware::from_fn(count))
        .with_state(state)
}

/// Serves the router on `listener` with these connection limits until `shutdown` turns true
/// (or its sender goes), then lets running requests finish (see [`server`]).
pub async fn serve_http(
    listener: TcpListener,
    state: ApiState,
    limits: server::ConnLimits,
    shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    server::serve(listener, router(state), limits, shutdown).await
}

/// Counts every response by route class and status.
async fn count(req: Request, next: Next) -> Response {
    let route = HttpRoute::of_path(req.uri().path());
    let resp = next.run(req).await;
    metrics().http_request(route, resp.status().as_u16());
    resp
}

/// The OpenAPI document of this API (`api/openapi.json`).
pub const OPENAPI: &str = include_str!("../../api/openapi.json");

async fn openapi() -> Response {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap_or_default();
    axum::Json(doc).into_response()
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok"}))
}

/// `GET /metrics`: the Prometheus text format.
async fn metrics_text() -> Response {
    (
        [(CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        crate::metrics::render(),
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::NotFound("not found")
}

/// A body, or the right error for one that could not be read (413 beyond the limit).
fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            ApiError::bad_request(e.body_text())
        }
    })
}
