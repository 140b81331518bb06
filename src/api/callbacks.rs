//! Callback requests (admin and operator roles):
//! - `GET /api/v1/callbacks` (`?status=open|done|failed &limit=`): callers to call back,
//!   oldest first (the order to call them in), with the number each called from;
//! - `PUT /api/v1/callbacks/{id}` (`{"status": "open" | "done" | "failed", "note": TEXT}`):
//!   marks one (the note's card numbers masked).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiState;
use super::error::ApiError;
use crate::store::CALLBACK_STATUSES;

/// `GET /api/v1/callbacks` filters.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CallbacksQuery {
    status: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/v1/callbacks`.
pub(super) async fn list(
    State(state): State<ApiState>,
    axum::extract::Query(q): axum::extract::Query<CallbacksQuery>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    if let Some(s) = &q.status
        && !CALLBACK_STATUSES.contains(&s.as_str())
    {
        return Err(ApiError::bad_request("status is open, done or failed"));
    }
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let rows = api
        .with_store(move |s| s.callbacks(q.status.as_deref(), limit))
        .await?;
    Ok(Json(serde_json::json!({ "callbacks": rows })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkBody {
    status: String,
    #[serde(default)]
    note: String,
}

/// `PUT /api/v1/callbacks/{id}`.
pub(super) async fn mark(
    State(state): State<ApiState>,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    let body = super::body_bytes(body)?;
    let MarkBody { status, note } = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(
            "the body is {\"status\": \"open\" | \"done\" | \"failed\", \"note\": TEXT}",
        )
    })?;
    if !CALLBACK_STATUSES.contains(&status.as_str()) {
        return Err(ApiError::bad_request("status is open, done or failed"));
    }
    let note = super::body::note(&note)?;
    if !api
        .with_store(move |s| s.set_callback(id, &status, &note))
        .await?
    {
        return Err(ApiError::NotFound("no such callback request"));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
