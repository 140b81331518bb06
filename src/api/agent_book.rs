//! Agents added, changed and removed through the API (admin and operator roles):
//! `PUT /api/v1/agents/{id}` (`{"name", "skills", "languages", "uri", "password"}`) adds or
//! replaces one (201 when new); the password is kept only as its digest hashes (left out,
//! the old one stays), `uri` is a fixed address, one of the two is needed;
//! `DELETE /api/v1/agents/{id}` removes one (on a call, after the call). Agents of the
//! configuration file are changed there (409).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiState;
use super::agents::center;
use super::error::ApiError;

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
        .with_store(move |s| Ok((s.agent(&key)?, s.agent_count()?)))
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
