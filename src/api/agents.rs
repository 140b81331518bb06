//! The contact center's endpoints (admin and operator roles):
//! - `GET /api/v1/agents`: every agent (state, for how long, the call, whether its phone is
//!   reachable) and every queue (calls waiting, the longest wait, the handle time);
//! - `PUT /api/v1/agents/{id}` (`{"name", "skills", "languages", "uri", "password"}`): adds or
//!   replaces an agent (201 when new); the password (kept only as its digest hashes; left
//!   out, the old one stays) lets its phone register, `uri` is a fixed address; one of the
//!   two is needed. `DELETE /api/v1/agents/{id}`: removes it (on a call, after the call).
//!   Agents of the configuration file are changed there (409 here);
//! - `PUT /api/v1/agents/{id}/presence` (`{"presence": "available" | "away" | "logged_out"}`):
//!   sets an agent's presence (away while ringing withdraws the call; during a call it
//!   applies after wrap-up);
//! - `GET /api/v1/human-calls` (`?agent= &queue= &disposition= &emotion= &reason= &since=
//!   &until= &limit=`): calls handed to people, newest first, with the story the agent was
//!   told; `GET /api/v1/human-calls/{id}`;
//! - `GET /api/v1/agent-states` (`?agent= &since= &until= &limit=`): every change of the
//!   agents' states, oldest first; `GET /api/v1/agent-report` (`?since= &until=`): per agent,
//!   the time in each state, the calls taken and the offers let ring out;
//! - `PUT /api/v1/human-calls/{id}/disposition` (`{"disposition": NAME, "note": TEXT}`): the
//!   agent's disposition (the note's card numbers masked).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiState;
use super::error::ApiError;

fn center(state: &ApiState) -> Result<&crate::center::Center, ApiError> {
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

/// Agents the API may add (beyond the configuration file's).
const MAX_AGENTS: usize = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    skills: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// `PUT /api/v1/agents/{id}`: adds or replaces an agent.
pub(super) async fn put_agent(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let center = center(&state)?.clone();
    let api = super::flows::api(&state)?;
    let body = super::body_bytes(body)?;
    let b: AgentBody = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(
            "the body is {\"name\", \"skills\", \"languages\", \"uri\", \"password\"}",
        )
    })?;
    check_agent(&id, &b)?;
    if center.is_configured(&id) {
        return Err(ApiError::Conflict(format!(
            "agent `{id}` is defined in the configuration file; change it there"
        )));
    }
    let (key, realm) = (id.clone(), center.realm().to_owned());
    let (old, count) = api
        .with_store(move |s| Ok((s.agent(&key)?, s.agents()?.len())))
        .await?;
    let created = old.is_none();
    if created && count >= MAX_AGENTS {
        return Err(ApiError::Conflict(format!(
            "{MAX_AGENTS} agents exist, the most the API adds"
        )));
    }
    let hashes = match &b.password {
        Some(p) => Some(crate::center::hashes(&id, &realm, p)),
        None => old.and_then(|o| o.hashes).filter(|h| h.realm == realm),
    };
    if hashes.is_none() && b.uri.is_none() {
        return Err(ApiError::bad_request(
            "an agent needs a password (its phone registers) or a uri (a fixed address)",
        ));
    }
    let stored = crate::store::StoredAgent {
        id: id.clone(),
        name: b.name,
        skills: b.skills,
        languages: b.languages,
        uri: b.uri,
        hashes,
    };
    let view = agent_json(&stored);
    let keep = stored.clone();
    api.with_store(move |s| s.put_agent(&keep)).await?;
    center
        .set_agent(crate::center::AgentEntry::from_stored(stored))
        .await
        .map_err(|e| ApiError::internal("contact center", e))?;
    tracing::info!(agent = %id, created, "agent set through the API");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}

/// `DELETE /api/v1/agents/{id}`.
pub(super) async fn delete_agent(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let center = center(&state)?.clone();
    let api = super::flows::api(&state)?;
    if center.is_configured(&id) {
        return Err(ApiError::Conflict(format!(
            "agent `{id}` is defined in the configuration file; change it there"
        )));
    }
    let key = id.clone();
    if !api.with_store(move |s| s.delete_agent(&key)).await? {
        return Err(ApiError::NotFound("no such agent"));
    }
    match center.remove_agent(&id).await {
        Ok(()) | Err(crate::center::BookError::Unknown(_)) => {}
        Err(e) => return Err(ApiError::internal("contact center", e)),
    }
    tracing::info!(agent = %id, "agent removed through the API");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Refuses ids, names, lists, addresses and passwords an agent cannot have.
fn check_agent(id: &str, b: &AgentBody) -> Result<(), ApiError> {
    if !crate::flows::valid_name(id) || id.contains('.') {
        return Err(ApiError::bad_request(
            "an agent id is letters, digits, `_` and `-` (at most 64)",
        ));
    }
    if let Some(n) = &b.name
        && (n.chars().count() > 100 || n.chars().any(char::is_control))
    {
        return Err(ApiError::bad_request(
            "a name is at most 100 characters, no control characters",
        ));
    }
    for list in [&b.skills, &b.languages] {
        if list.len() > 32 || !list.iter().all(|s| crate::flows::valid_name(s)) {
            return Err(ApiError::bad_request(
                "skills and languages are at most 32 names each",
            ));
        }
    }
    if let Some(uri) = &b.uri {
        crate::config::check_agent_uri(uri)
            .map_err(|why| ApiError::bad_request(format!("uri `{uri}`: {why}")))?;
    }
    if let Some(p) = &b.password
        && !(8..=128).contains(&p.chars().count())
    {
        return Err(ApiError::bad_request("a password is 8 to 128 characters"));
    }
    Ok(())
}

/// What the API shows of an agent (never its secret).
fn agent_json(a: &crate::store::StoredAgent) -> serde_json::Value {
    serde_json::json!({
        "id": a.id,
        "name": a.name,
        "skills": a.skills,
        "languages": a.languages,
        "uri": a.uri,
        "registers": a.hashes.is_some(),
    })
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
    axum::extract::Query(q): axum::extract::Query<HumanCallsQuery>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    let query = crate::store::HumanCallQuery {
        agent: q.agent,
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
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    let call = api.with_store(move |s| s.human_call(id)).await?;
    let call = call.ok_or(ApiError::NotFound("no such call"))?;
    Ok(Json(human_call_json(&call)).into_response())
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
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    let body = super::body_bytes(body)?;
    let DispositionBody { disposition, note } = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request("the body is {\"disposition\": NAME, \"note\": TEXT}")
    })?;
    if !crate::flows::valid_name(&disposition) {
        return Err(ApiError::bad_request(
            "a disposition is a name: letters, digits, `_`, `-` and `.` (at most 64)",
        ));
    }
    if note.chars().count() > 2000 {
        return Err(ApiError::bad_request("the note is at most 2000 characters"));
    }
    // The note is stored masked, like transcripts: agents type card numbers too.
    let note = crate::privacy::mask_numbers(&note);
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

/// A period (ms since the epoch; the last 24 hours when not given).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StatesQuery {
    agent: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    limit: Option<usize>,
}

fn period(since: Option<i64>, until: Option<i64>) -> Result<(i64, i64), ApiError> {
    let now = crate::store::to_ms(std::time::SystemTime::now());
    let until = until.unwrap_or(now);
    let since = since.unwrap_or(until - 24 * 3600 * 1000);
    if since >= until {
        return Err(ApiError::bad_request("`since` must be before `until`"));
    }
    Ok((since, until))
}

/// `GET /api/v1/agent-states`: the agents' state changes in a period, oldest first.
pub(super) async fn states(
    State(state): State<ApiState>,
    axum::extract::Query(q): axum::extract::Query<StatesQuery>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    let window = period(q.since, q.until)?;
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    let rows = api
        .with_store(move |s| s.agent_states(q.agent.as_deref(), window, limit))
        .await?;
    Ok(
        Json(serde_json::json!({ "since": window.0, "until": window.1, "states": rows }))
            .into_response(),
    )
}

/// `GET /api/v1/agent-report` filters.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReportQuery {
    since: Option<i64>,
    until: Option<i64>,
}

/// `GET /api/v1/agent-report`: how each agent spent a period.
pub(super) async fn report(
    State(state): State<ApiState>,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    let window = period(q.since, q.until)?;
    let agents = api.with_store(move |s| s.agent_report(window)).await?;
    Ok(
        Json(serde_json::json!({ "since": window.0, "until": window.1, "agents": agents }))
            .into_response(),
    )
}
