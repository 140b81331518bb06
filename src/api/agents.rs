//! The contact center's endpoints (admin and operator roles):
//! - `GET /api/v1/agents`: every agent (state, for how long, the call, whether its phone is
//!   reachable) and every queue (calls waiting, the longest wait, the handle time);
//! - `PUT /api/v1/agents/{id}/presence` (`{"presence": "available" | "away" | "logged_out"}`):
//!   sets an agent's presence (away while ringing withdraws the call; during a call it
//!   applies after wrap-up).

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
        .ok_or_else(|| ApiError::Conflict("no agents are configured ([center] agents)".into()))
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
