//! The HTTP API of `voxgate serve` (axum): health, questions to the AI agent, the operator's
//! knowledge documents, and the demo order-status webhook the demo tool calls. Owns routing,
//! request limits and the JSON shapes; the agent and the knowledge base do the work. The API
//! runs even when the agent could not start: `/api/v1/ask` then answers 503 with the reason.

mod ask;
mod conversations;
mod demo;
mod error;
mod kb;
mod slot;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

pub use ask::{AskResponse, TimingsJson};
pub use conversations::{CONVERSATION_TTL, Conversations, MAX_CONVERSATIONS};
pub use demo::{DEMO_ORDERS, DemoOrder, find_order};
pub use error::ApiError;
pub use slot::{AgentSlot, AgentStarter, RETRY_AFTER};

use crate::dialog::Agent;

/// The largest request body accepted (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// The longest question (and search query) accepted, in bytes.
pub const MAX_QUESTION_LEN: usize = 4000;
/// Questions answered at once; more wait their turn (the model has two cores at most).
pub const ASK_CONCURRENCY: usize = 2;

/// What the handlers share (cheap to clone).
#[derive(Clone)]
pub struct ApiState {
    inner: Arc<Inner>,
}

struct Inner {
    agent: AgentSlot,
    conversations: Mutex<Conversations>,
    ask_slots: Arc<Semaphore>,
}

impl ApiState {
    /// The state of a running gateway. `agent` is the agent (its knowledge base serves the
    /// document endpoints), or why it is not running: shown to clients of `/api/v1/ask` and
    /// the knowledge endpoints, so it must hold no path.
    pub fn new(agent: Result<Agent, String>) -> Self {
        ApiState::with_slot(AgentSlot::fixed(agent))
    }

    /// The state with the agent from `agent` (see [`AgentSlot::lazy`]).
    pub fn with_slot(agent: AgentSlot) -> Self {
        ApiState {
            inner: Arc::new(Inner {
                agent,
                conversations: Mutex::new(Conversations::default()),
                ask_slots: Arc::new(Semaphore::new(ASK_CONCURRENCY)),
            }),
        }
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
        self.inner
            .ask_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ApiError::internal("ask queue", e))
    }
}

/// The API's routes, with the body limit and a JSON 404 for unknown paths.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/v1/ask", post(ask::ask))
        .route("/api/v1/kb/documents", get(kb::list))
        .route(
            "/api/v1/kb/documents/{*name}",
            put(kb::put).delete(kb::delete),
        )
        .route("/api/v1/kb/search", get(kb::search))
        .route("/demo/orders/{number}", get(demo::get_order))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Serves the router on `listener` until `shutdown` turns true (or its sender goes), then
/// lets running requests finish.
pub async fn serve_http(
    listener: TcpListener,
    state: ApiState,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok"}))
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
