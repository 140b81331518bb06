//! Reads every request body whole before the handler runs: at most [`super::BODY_LIMIT`]
//! bytes (413 beyond), within `http.body_read_timeout_secs` (408 after, so a slow sender
//! holds no handler or slot). Every endpoint takes its body whole anyway.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::LengthLimitError;

use super::error::ApiError;
use super::{ApiState, BODY_LIMIT};
use crate::metrics::{HttpRefusal, metrics};

/// The middleware.
pub(super) async fn read_whole(
    State(state): State<ApiState>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let read = tokio::time::timeout(state.body_timeout(), axum::body::to_bytes(body, BODY_LIMIT));
    let bytes = match read.await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => {
            let inner = e.into_inner();
            let too_large =
                std::iter::successors(Some(&*inner as &dyn std::error::Error), |e| e.source())
                    .any(|e| e.is::<LengthLimitError>());
            return if too_large {
                ApiError::TooLarge.into_response()
            } else {
                ApiError::bad_request("the request body could not be read").into_response()
            };
        }
        Err(_) => {
            metrics().http_refused(HttpRefusal::BodyTimeout);
            return ApiError::BodyTimeout.into_response();
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A free-text note an operator or agent writes (dispositions, callbacks): at most 2000
/// characters, stored masked like transcripts (people type card numbers too).
pub(super) fn note(text: &str) -> Result<String, ApiError> {
    if text.chars().count() > 2000 {
        return Err(ApiError::bad_request("the note is at most 2000 characters"));
    }
    Ok(crate::privacy::mask_numbers(text))
}
