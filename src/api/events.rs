//! `GET /api/v1/events` (WebSocket; admin and operator roles): the live event stream — every
//! call's nodes, transcript lines of each side (numbers masked), emotions, hand-off steps and
//! summaries, and agents' states — as JSON text messages; `?call=N` keeps one call's. A
//! subscriber that falls behind gets `{"type": "lagged", "missed": N}` and goes on; one that
//! does not read for 5 s is closed. At most [`MAX_SUBSCRIBERS`] at once; what a client sends
//! is ignored (and at most 4 KiB a message).
//!
//! `POST /api/v1/events/ticket`: a one-time ticket for a browser, which cannot put a token
//! in a WebSocket's headers: `GET /api/v1/events?ticket=…` within 30 s (see
//! `auth::tickets`).

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::ApiState;
use super::error::ApiError;

/// Subscribers at once.
const MAX_SUBSCRIBERS: usize = 64;
/// A send that takes longer closes the subscriber.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EventsQuery {
    call: Option<u64>,
    /// Taken by the authentication layer.
    #[allow(dead_code)]
    ticket: Option<String>,
}

/// `POST /api/v1/events/ticket`: a ticket with the caller's role.
pub(super) async fn ticket(
    State(state): State<ApiState>,
    axum::Extension(caller): axum::Extension<super::auth::Caller>,
) -> Result<Response, ApiError> {
    let ticket = state
        .auth()
        .tickets
        .issue(caller, std::time::Instant::now())
        .ok_or(ApiError::Busy {
            retry_after_secs: 5,
        })?;
    let body = serde_json::json!({
        "ticket": ticket,
        "expires_in_secs": super::auth::TICKET_TTL.as_secs(),
    });
    Ok((axum::http::StatusCode::CREATED, axum::Json(body)).into_response())
}

/// `GET /api/v1/events`.
pub(super) async fn events(
    State(state): State<ApiState>,
    Query(q): Query<EventsQuery>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let hub = state
        .events()
        .ok_or_else(|| ApiError::Conflict("this gateway publishes no events".into()))?;
    if hub.subscribers() >= MAX_SUBSCRIBERS {
        return Err(ApiError::Busy {
            retry_after_secs: 5,
        });
    }
    let rx = hub.subscribe();
    Ok(ws
        .max_message_size(4096)
        .max_frame_size(4096)
        .on_upgrade(move |socket| stream(socket, rx, q.call))
        .into_response())
}

async fn stream(
    mut socket: WebSocket,
    mut rx: tokio::sync::broadcast::Receiver<std::sync::Arc<crate::events::Stamped>>,
    call: Option<u64>,
) {
    loop {
        let text = tokio::select! {
            ev = rx.recv() => match ev {
                Ok(ev) if call.is_some_and(|c| ev.event.call() != Some(c)) => continue,
                Ok(ev) => serde_json::to_string(&*ev).unwrap_or_default(),
                Err(RecvError::Lagged(n)) => format!("{{\"type\":\"lagged\",\"missed\":{n}}}"),
                Err(RecvError::Closed) => break,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => continue,
            },
        };
        let sent = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text.into())));
        if !matches!(sent.await, Ok(Ok(()))) {
            break;
        }
    }
}
