//! One taxonomy of what a UAS refuses, across every layer of the stack, and the response
//! each failure earns. Each layer keeps its own small error type (parse, UAS checks, auth,
//! transactions, dialogs, SDP); [`UasError`] wraps them so the runtime has one place that
//! turns any of them into the right status code, the headers that status requires, or a
//! silent drop.

use crate::auth::AuthError;
use crate::dialog::DialogError;
use crate::headers::HeaderName;
use crate::message::{ParseError, Request, Response};
use crate::sdp::{NegotiationError, SdpError};
use crate::status::StatusCode;
use crate::transaction::TransactionError;
use crate::validate::Rejection;

/// Anything a UAS refuses a request for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UasError {
    /// The request did not parse (400, 505, 513); see [`ParseError::error_response`] for the
    /// stateless answer built from its raw headers.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A well-formed request this UAS cannot serve (416, 420, 415, 406, 401).
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// Credentials that failed (401/407 with a fresh challenge, 400 when malformed).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A transaction-layer refusal (481 for a CANCEL or ACK that matches nothing).
    #[error(transparent)]
    Transaction(#[from] TransactionError),
    /// A dialog-layer refusal (481, 491, 500).
    #[error(transparent)]
    Dialog(#[from] DialogError),
    /// A session description that does not parse (400).
    #[error(transparent)]
    Sdp(#[from] SdpError),
    /// A session description with nothing acceptable (488).
    #[error(transparent)]
    Negotiation(#[from] NegotiationError),
    /// The request would have to be forwarded (a transfer to an agent's phone) but its
    /// Max-Forwards is exhausted (483).
    #[error("too many hops")]
    TooManyHops,
    /// The callee (an agent, a queue) cannot take the call (486).
    #[error("busy here")]
    Busy,
    /// The gateway is at its call limit or shutting down (503 with Retry-After).
    #[error("service unavailable, retry after {retry_after} s")]
    Overloaded {
        /// Seconds the caller should wait.
        retry_after: u32,
    },
    /// A method this UAS knows but does not allow here (405 with Allow).
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The methods that are allowed, for the Allow header.
        allow: String,
    },
    /// A method this UAS does not implement (501).
    #[error("method not implemented")]
    NotImplemented,
}

impl UasError {
    /// The status to answer with; `None` when the request must not be answered (an ACK,
    /// or a response that failed to parse) or when the layer's error is a local misuse
    /// rather than something the peer did.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            UasError::Parse(e) => e.status(),
            UasError::Rejected(r) => Some(r.status),
            UasError::Auth(e) => StatusCode::new(e.status_code()),
            UasError::Transaction(e) => e.status(),
            UasError::Dialog(e) => Some(e.status()),
            UasError::Sdp(_) => Some(StatusCode::BAD_REQUEST),
            UasError::Negotiation(e) => StatusCode::new(e.status_code()),
            UasError::TooManyHops => Some(StatusCode::TOO_MANY_HOPS),
            UasError::Busy => Some(StatusCode::BUSY_HERE),
            UasError::Overloaded { .. } => Some(StatusCode::SERVICE_UNAVAILABLE),
            UasError::MethodNotAllowed { .. } => Some(StatusCode::METHOD_NOT_ALLOWED),
            UasError::NotImplemented => Some(StatusCode::NOT_IMPLEMENTED),
        }
    }

    /// Whether the answer must carry a fresh authentication challenge, which only the
    /// caller's `DigestServer` can make.
    pub fn needs_challenge(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// The response to `req`, with the headers its status requires (Unsupported for 420,
    /// Accept for 415/406, Retry-After for 503 and glare 500, Allow for 405). `None` when
    /// nothing must be sent (see [`UasError::status`]) or when `req` is an ACK.
    /// `random` feeds the Retry-After of a dialog's 500 (RFC 3261 §14.2).
    pub fn response(&self, req: &Request, to_tag: &str, random: u32) -> Option<Response> {
        if req.method == crate::Method::Ack {
            return None;
        }
        let status = self.status()?;
        let resp = match self {
            UasError::Dialog(e) => e.response(req, to_tag, random),
            UasError::Rejected(r) => r.headers.iter().fold(
                Response::for_request(req, status).with_to_tag(to_tag),
                |resp, (name, value)| resp.with_header(name.clone(), value.clone()),
            ),
            _ => Response::for_request(req, status).with_to_tag(to_tag),
        };
        Some(match self {
            UasError::Overloaded { retry_after } => {
                resp.with_header(HeaderName::RetryAfter, retry_after.to_string())
            }
            UasError::MethodNotAllowed { allow } => {
                resp.with_header(HeaderName::Allow, allow.clone())
            }
            _ => resp,
        })
    }
}
