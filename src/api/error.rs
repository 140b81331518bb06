//! [`ApiError`]: every way an API request fails, mapped to a status code and a JSON body
//! `{"error": "...", "detail": "..."}`. Client mistakes say what to fix; server-side failures
//! are logged in full here and reach the client only as a generic line, so no path, message
//! of an inner layer or backtrace leaks.

use axum::Json;
use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request is malformed; the text says what is wrong (written by us, safe to show).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The thing named does not exist.
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The body is larger than the limit.
    #[error("request body too large")]
    TooLarge,
    /// No token, or one that is unknown or revoked (401 with `WWW-Authenticate: Bearer`).
    #[error("authentication required")]
    Unauthorized,
    /// The token's role (named) may not do this.
    #[error("the {0} role may not do this")]
    Forbidden(&'static str),
    /// Too many failed authentications from this source (429).
    #[error("too many failed authentications")]
    RateLimited {
        /// Seconds until the source may try again.
        retry_after_secs: u64,
    },
    /// The work queue is full or the wait was too long (429).
    #[error("busy")]
    Busy {
        /// Seconds after which a retry is sensible.
        retry_after_secs: u64,
    },
    /// The Host is not one this server answers for (421).
    #[error("host not served")]
    MisdirectedHost,
    /// A cross-site request (a foreign `Origin`).
    #[error("cross-origin request refused")]
    CrossOrigin,
    /// The body did not arrive in time (408).
    #[error("request body timeout")]
    BodyTimeout,
    /// The query string is too long (414).
    #[error("query too long")]
    UriTooLong,
    /// The request conflicts with what exists or a limit (409); the text says which.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The AI agent is not running; the reason is meant for operators (no paths).
    #[error("agent unavailable: {0}")]
    AgentUnavailable(String),
    /// The knowledge base is not running (it starts with the agent); the reason as above.
    #[error("knowledge base unavailable: {0}")]
    KnowledgeUnavailable(String),
    /// Something failed on our side; `detail` is logged, never sent.
    #[error("internal error in {context}: {detail}")]
    Internal {
        /// What was being done.
        context: &'static str,
        /// The inner error, for the log.
        detail: String,
    },
}

impl ApiError {
    /// A 400 with this reason.
    pub fn bad_request(reason: impl Into<String>) -> ApiError {
        ApiError::BadRequest(reason.into())
    }

    /// A 500 whose detail goes to the log only.
    pub fn internal(context: &'static str, detail: impl std::fmt::Display) -> ApiError {
        ApiError::Internal {
            context,
            detail: detail.to_string(),
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::CrossOrigin => StatusCode::FORBIDDEN,
            ApiError::RateLimited { .. } | ApiError::Busy { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::MisdirectedHost => StatusCode::MISDIRECTED_REQUEST,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UriTooLong => StatusCode::URI_TOO_LONG,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::AgentUnavailable(_) | ApiError::KnowledgeUnavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `(error, detail)` pair the client sees.
    fn public(&self) -> (String, Option<String>) {
        match self {
            ApiError::BadRequest(why) => ("bad request".into(), Some(why.clone())),
            ApiError::NotFound(what) => ((*what).into(), None),
            ApiError::TooLarge => (
                "request body too large".into(),
                Some(format!("the limit is {} bytes", super::BODY_LIMIT)),
            ),
            ApiError::Unauthorized => (
                "authentication required".into(),
                Some("send Authorization: Bearer TOKEN (see `voxgate tokens`)".into()),
            ),
            ApiError::Forbidden(role) => (
                "forbidden".into(),
                Some(format!("the {role} role may not use this endpoint")),
            ),
            ApiError::RateLimited { .. } => (
                "too many failed authentications".into(),
                Some("wait for Retry-After seconds".into()),
            ),
            ApiError::Busy { .. } => (
                "busy".into(),
                Some("too many requests are waiting; retry after Retry-After seconds".into()),
            ),
            ApiError::MisdirectedHost => (
                "host not served".into(),
                Some(
                    "use localhost or an IP address, or add the name to http.allowed_hosts".into(),
                ),
            ),
            ApiError::CrossOrigin => (
                "cross-origin request refused".into(),
                Some("add the origin to http.allowed_origins".into()),
            ),
            ApiError::BodyTimeout => ("request body timeout".into(), None),
            ApiError::UriTooLong => ("query too long".into(), None),
            ApiError::Conflict(why) => ("conflict".into(), Some(why.clone())),
            ApiError::AgentUnavailable(why) => ("agent unavailable".into(), Some(why.clone())),
            ApiError::KnowledgeUnavailable(why) => {
                ("knowledge base unavailable".into(), Some(why.clone()))
            }
            ApiError::Internal { .. } => (
                "internal error".into(),
                Some("the request failed on the server; see the server log".into()),
            ),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(%status, error = %self, "api request failed");
        } else {
            tracing::debug!(%status, error = %self, "api request refused");
        }
        let (error, detail) = self.public();
        let mut resp = (status, Json(ErrorBody { error, detail })).into_response();
        let headers = resp.headers_mut();
        match self {
            ApiError::Unauthorized => {
                headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::RateLimited { retry_after_secs } | ApiError::Busy { retry_after_secs } => {
                headers.insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            _ => {}
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_stay_in_the_log() {
        let e = ApiError::internal("kb write", "/home/op/kb/x.md: permission denied");
        let (error, detail) = e.public();
        let shown = format!("{error} {detail:?}");
        assert!(!shown.contains("/home"), "{shown}");
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
