//! The token endpoints (admin only, see `auth::roles_for`): `GET /api/v1/tokens` lists names,
//! roles and dates (never hashes), `POST /api/v1/tokens` `{"name", "role"}` creates one and
//! answers the token once (201), `DELETE /api/v1/tokens/{name}` revokes (204, or 404).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::ApiState;
use super::auth::token::{self, Role, TokenError};
use super::error::ApiError;
use crate::store::{StoreError, TokenRecord};

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> ApiError {
        match e {
            TokenError::BadName => ApiError::bad_request(e.to_string()),
            TokenError::Store(StoreError::TokenExists { .. }) => ApiError::Conflict(e.to_string()),
            TokenError::Store(StoreError::TooManyTokens { .. }) => {
                ApiError::Conflict(e.to_string())
            }
            other => ApiError::internal("tokens", other),
        }
    }
}

#[derive(Serialize)]
struct TokenList {
    tokens: Vec<TokenRecord>,
}

/// `GET /api/v1/tokens`.
pub(super) async fn list(State(state): State<ApiState>) -> Result<Response, ApiError> {
    let tokens = state
        .auth()
        .with_store(|s| s.tokens().map_err(|e| ApiError::internal("tokens", e)))
        .await?;
    Ok(Json(TokenList { tokens }).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    name: String,
    role: String,
}

#[derive(Serialize)]
struct Created {
    name: String,
    role: Role,
    /// Shown this once.
    token: String,
}

/// `POST /api/v1/tokens`.
pub(super) async fn create(
    State(state): State<ApiState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = super::body_bytes(body)?;
    let req: CreateRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "expected {{\"name\": \"...\", \"role\": \"admin|operator|metrics|agent\"}}: {e}"
        ))
    })?;
    let role = Role::parse(&req.role)
        .ok_or_else(|| ApiError::bad_request("role must be admin, operator, metrics or agent"))?;
    let limit = state.auth().max_tokens;
    let name = req.name.clone();
    let token = state
        .auth()
        .with_store(move |s| Ok(token::create(s, &name, role, limit)?))
        .await?;
    tracing::info!(name = %req.name, role = role.as_str(), "API token created over HTTP");
    let created = Created {
        name: req.name,
        role,
        token,
    };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// `DELETE /api/v1/tokens/{name}`.
pub(super) async fn revoke(
    State(state): State<ApiState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(name) = name.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let key = name.clone();
    let revoked = state
        .auth()
        .with_store(move |s| {
            s.revoke_token(&key)
                .map_err(|e| ApiError::internal("tokens", e))
        })
        .await?;
    if !revoked {
        return Err(ApiError::NotFound("no such token"));
    }
    tracing::info!(%name, "API token revoked over HTTP");
    Ok(StatusCode::NO_CONTENT.into_response())
}
