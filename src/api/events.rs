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
use crate::events::Event;

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
    axum::Extension(caller): axum::Extension<super::auth::Caller>,
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
    let mut only = Only::Call(q.call);
    if caller.role == super::auth::Role::Agent {
        only = Only::Agent(AgentCalls::new(caller.name, q.call));
    }
    Ok(ws
        .max_message_size(4096)
        .max_frame_size(4096)
        .on_upgrade(move |socket| stream(socket, rx, only))
        .into_response())
}

/// Which events a subscriber gets.
enum Only {
    /// Every call's, or one call's.
    Call(Option<u64>),
    /// A human agent's: its own state and the calls it is on.
    Agent(AgentCalls),
}

impl Only {
    fn admits(&mut self, ev: &Event) -> bool {
        match self {
            Only::Call(call) => call.is_none_or(|c| ev.call() == Some(c)),
            Only::Agent(a) => a.admits(ev),
        }
    }
}

/// What a human agent's stream follows: its own state, and each call from the moment its
/// phone rings with it until the call ends or goes to another agent.
pub(crate) struct AgentCalls {
    agent: String,
    /// One call only (`?call=`), when asked.
    call: Option<u64>,
    calls: std::collections::HashSet<u64>,
}

/// Calls an agent's stream follows at once, at most (more: the oldest are forgotten).
const AGENT_CALLS: usize = 16;

impl AgentCalls {
    pub(crate) fn new(agent: String, call: Option<u64>) -> AgentCalls {
        AgentCalls {
            agent,
            call,
            calls: std::collections::HashSet::new(),
        }
    }

    pub(crate) fn admits(&mut self, ev: &Event) -> bool {
        if let Event::AgentState { agent, .. } = ev {
            return *agent == self.agent;
        }
        let Some(call) = ev.call() else { return false };
        if self.call.is_some_and(|c| c != call) {
            return false;
        }
        match ev {
            Event::Queue { agent: Some(a), .. } if *a == self.agent => {
                if self.calls.len() >= AGENT_CALLS {
                    self.calls.clear();
                }
                self.calls.insert(call);
                true
            }
            Event::Queue {
                agent: Some(_),
                step: "ringing" | "transferred",
                ..
            } => {
                self.calls.remove(&call);
                false
            }
            Event::CallEnded { .. } => self.calls.remove(&call),
            _ => self.calls.contains(&call),
        }
    }
}

async fn stream(
    mut socket: WebSocket,
    mut rx: tokio::sync::broadcast::Receiver<std::sync::Arc<crate::events::Stamped>>,
    mut only: Only,
) {
    loop {
        let text = tokio::select! {
            ev = rx.recv() => match ev {
                Ok(ev) if !only.admits(&ev.event) => continue,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(call: u64, step: &'static str, agent: Option<&str>) -> Event {
        Event::Queue {
            call,
            queue: "support".into(),
            step,
            agent: agent.map(str::to_owned),
            position: None,
        }
    }

    fn line(call: u64) -> Event {
        Event::Transcript {
            call,
            speaker: crate::events::Speaker::Caller,
            text: "hello".into(),
        }
    }

    #[test]
    fn an_agent_follows_its_own_calls_from_the_ring_to_the_end_or_a_transfer() {
        let mut a = AgentCalls::new("alice".into(), None);
        assert!(!a.admits(&line(1)), "before the ring");
        assert!(!a.admits(&queue(1, "queued", None)));
        assert!(!a.admits(&queue(2, "ringing", Some("bob"))), "bob's call");
        assert!(a.admits(&queue(1, "ringing", Some("alice"))));
        assert!(a.admits(&line(1)));
        assert!(!a.admits(&line(2)), "bob's call");
        let mine = Event::AgentState {
            agent: "alice".into(),
            state: "on_call",
        };
        let his = Event::AgentState {
            agent: "bob".into(),
            state: "on_call",
        };
        assert!(a.admits(&mine) && !a.admits(&his));
        // Transferred to bob: alice sees the step that takes it away, then nothing.
        assert!(!a.admits(&queue(1, "transferred", Some("bob"))));
        assert!(!a.admits(&line(1)));
        // Another call ends: its end is seen, then nothing.
        assert!(a.admits(&queue(3, "answered", Some("alice"))));
        assert!(a.admits(&Event::CallEnded { call: 3 }));
        assert!(!a.admits(&line(3)));
    }
}
