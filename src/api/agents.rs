//! The contact center's endpoints (admin and operator roles):
//! - `GET /api/v1/agents`: every agent (state, for how long, the call, whether its phone is
//!   reachable) and every queue (calls waiting, the longest wait, the handle time);
//! - `PUT /api/v1/agents/{id}/presence` (`{"presence": "available" | "away" | "logged_out"}`):
//!   sets an agent's presence (away while ringing withdraws the call; during a call it
//!   applies after wrap-up);
//! - `GET /api/v1/human-calls` (`?agent= &queue= &disposition= &emotion= &reason= &since=
//!   &until= &limit=`): calls handed to people, newest first, with the story the agent was
//!   told; `GET /api/v1/human-calls/{id}`;
//! - `PUT /api/v1/human-calls/{id}/disposition` (`{"disposition": NAME, "note": TEXT}`): the
//!   agent's disposition (the note's card numbers masked).
//!
//! Adding and removing agents is `agent_book.rs`'s; their time, `agent_report.rs`'s.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiState;
use super::auth::Caller;
use super::auth::token::Role;
use super::error::ApiError;
use axum::Extension;

pub(super) fn center(state: &ApiState) -> Result<&crate::center::Center, ApiError> {
    state
        .center()
        .ok_or_else(|| ApiError::Conflict("the contact center is not running".into()))
}

/// `GET /api/v1/agents`.
pub(super) async fn list(State(state): State<ApiState>) -> Result<Response, ApiError> {
    let view = center(&state)?
        .view()
        .await
        .ok_or_else(|| ApiError::internal("contact center", "stopped"))?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresenceBody {
    presence: String,
}

/// `PUT /api/v1/agents/{id}/presence`.
pub(super) async fn presence(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = super::body_bytes(body)?;
    let PresenceBody { presence } = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(
            "the body is {\"presence\": \"available\" | \"away\" | \"logged_out\"}",
        )
    })?;
    let presence = match presence.as_str() {
        "available" => router::Presence::Available,
        "away" => router::Presence::Away,
        "logged_out" => router::Presence::LoggedOut,
        _ => {
            return Err(ApiError::bad_request(
                "presence is available, away or logged_out",
            ));
        }
    };
    match center(&state)?.set_presence(&id, presence).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) if e.starts_with("unknown agent") => Err(ApiError::NotFound("no such agent")),
        Err(e) => Err(ApiError::internal("contact center", e)),
    }
}

/// `GET /api/v1/human-calls` filters (all optional).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HumanCallsQuery {
    agent: Option<String>,
    queue: Option<String>,
    disposition: Option<String>,
    emotion: Option<String>,
    reason: Option<String>,
    /// Queued at or after (ms since the epoch).
    since: Option<i64>,
    /// Queued before (ms since the epoch).
    until: Option<i64>,
    limit: Option<usize>,
}

/// `GET /api/v1/human-calls`: calls handed to people, newest first, filtered.
pub(super) async fn human_calls(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    axum::extract::Query(q): axum::extract::Query<HumanCallsQuery>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    let query = crate::store::HumanCallQuery {
        // An agent sees only the calls it took.
        agent: own_agent(&caller).map(str::to_owned).or(q.agent),
        queue: q.queue,
        disposition: q.disposition,
        emotion: q.emotion,
        reason: q.reason,
        since_ms: q.since,
        until_ms: q.until,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
    };
    let calls = api.with_store(move |s| s.human_calls(&query)).await?;
    let calls: Vec<serde_json::Value> = calls.iter().map(human_call_json).collect();
    Ok(Json(serde_json::json!({ "calls": calls })).into_response())
}

/// `GET /api/v1/human-calls/{id}`.
pub(super) async fn human_call(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let call = visible_call(&state, &caller, id).await?;
    Ok(Json(human_call_json(&call)).into_response())
}

/// The agent a caller is, when it is one (its token is named after it).
fn own_agent(caller: &Caller) -> Option<&str> {
    (caller.role == Role::Agent).then_some(caller.name.as_str())
}

/// Call `id`, if `caller` may see it: anyone but an agent, or the agent who took it (to an
/// agent, someone else's call does not exist).
async fn visible_call(
    state: &ApiState,
    caller: &Caller,
    id: i64,
) -> Result<crate::store::StoredHumanCall, ApiError> {
    let api = super::flows::api(state)?;
    let call = api.with_store(move |s| s.human_call(id)).await?;
    call.filter(|c| own_agent(caller).is_none_or(|a| c.record.agents.iter().any(|x| x == a)))
        .ok_or(ApiError::NotFound("no such call"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DispositionBody {
    disposition: String,
    #[serde(default)]
    note: String,
}

/// `PUT /api/v1/human-calls/{id}/disposition`: the agent's disposition and note.
pub(super) async fn disposition(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    if own_agent(&caller).is_some() {
        visible_call(&state, &caller, id).await?;
    }
    let body = super::body_bytes(body)?;
    let DispositionBody { disposition, note } = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request("the body is {\"disposition\": NAME, \"note\": TEXT}")
    })?;
    if !crate::flows::valid_name(&disposition) {
        return Err(ApiError::bad_request(
            "a disposition is a name: letters, digits, `_`, `-` and `.` (at most 64)",
        ));
    }
    let note = super::body::note(&note)?;
    let found = api
        .with_store(move |s| s.set_disposition(id, &disposition, &note))
        .await?;
    if !found {
        return Err(ApiError::NotFound("no such call"));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn human_call_json(c: &crate::store::StoredHumanCall) -> serde_json::Value {
    let ms = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    };
    let r = &c.record;
    let summary: serde_json::Value = serde_json::from_str(&r.summary).unwrap_or_default();
    let post_call: serde_json::Value = serde_json::from_str(&r.post_call).unwrap_or_default();
    serde_json::json!({
        "id": c.id,
        "call": r.call_id_hash,
        "queue": r.queue,
        "reason": r.reason,
        "agents": r.agents,
        "summary": summary,
        "post_call": post_call,
        "queued_ms": ms(r.queued),
        "answered_ms": r.answered.map(ms),
        "ended_ms": ms(r.ended),
        "outcome": r.outcome,
        "emotion": r.emotion.as_ref().map(|e| &e.0),
        "emotion_trend": r.emotion.as_ref().map(|e| &e.1),
        "disposition": c.disposition.as_ref().map(|d| &d.0),
        "disposition_note": c.disposition.as_ref().map(|d| &d.1),
    })
}
