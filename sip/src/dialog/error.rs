//! The dialog layer's errors and the status each one answers with.

use crate::headers::HeaderName;
use crate::message::{Request, Response};
use crate::method::Method;
use crate::status::StatusCode;

/// Why a dialog refused a message, or could not build one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DialogError {
    /// The request's tags match no dialog (RFC 3261 §12.2.2): 481. An ACK gets no answer.
    #[error("no dialog matches the request")]
    NoDialog,
    /// The request has no To tag: it does not belong to a dialog. Route it as a new request;
    /// a BYE is answered 481 (§15.1.2).
    #[error("request is outside any dialog")]
    OutOfDialog,
    /// The dialog has ended: 481.
    #[error("dialog terminated")]
    Terminated,
    /// The request's CSeq is not above the last one the peer sent (§12.2.2): 500.
    #[error("CSeq {got} is not above {last}")]
    CSeqOutOfOrder {
        /// The CSeq number received.
        got: u32,
        /// The highest CSeq number seen before.
        last: u32,
    },
    /// A re-INVITE arrived while ours is in progress (glare, §14.2): 491.
    #[error("our INVITE is in progress")]
    RequestPending,
    /// An INVITE arrived (or we tried to send one) while an earlier INVITE from the peer has
    /// no final response yet (§14.2): 500 with Retry-After 0–10 s. Locally, we may not send
    /// an INVITE while one is in progress in either direction (§14.1).
    #[error("an INVITE is already in progress in this dialog")]
    InviteInProgress,
    /// An INVITE or dialog-creating response without Contact (§8.1.1.8, §12.1.1): 400.
    #[error("message has no Contact")]
    MissingContact,
    /// A REFER without a valid Refer-To (RFC 3515 §2.4.1): 400.
    #[error("REFER has no valid Refer-To")]
    MissingReferTo,
    /// A header the dialog needs does not parse: 400.
    #[error("invalid {0} header")]
    BadHeader(HeaderName),
    /// The messages given cannot create a dialog (not an initial INVITE, not a 101–299
    /// response with a To tag).
    #[error("messages do not establish a dialog")]
    CannotCreate,
    /// This method cannot be sent in the dialog in its current state (CANCEL is never an
    /// in-dialog request; the callee may not send BYE on an early dialog, §15).
    #[error("{0} cannot be sent in this dialog now")]
    NotAllowed(Method),
    /// Our CSeq numbers have reached 2^31.
    #[error("local CSeq space exhausted")]
    CSeqExhausted,
}

impl DialogError {
    /// The status to answer an offending request with.
    pub fn status(&self) -> StatusCode {
        match self {
            DialogError::NoDialog | DialogError::OutOfDialog | DialogError::Terminated => {
                StatusCode::CALL_DOES_NOT_EXIST
            }
            DialogError::RequestPending => StatusCode::REQUEST_PENDING,
            DialogError::MissingContact
            | DialogError::MissingReferTo
            | DialogError::BadHeader(_) => StatusCode::BAD_REQUEST,
            DialogError::CSeqOutOfOrder { .. }
            | DialogError::InviteInProgress
            | DialogError::CannotCreate
            | DialogError::NotAllowed(_)
            | DialogError::CSeqExhausted => StatusCode::SERVER_INTERNAL_ERROR,
        }
    }

    /// The response to `req` for this error (never send one to an ACK). `to_tag` is used
    /// only when the request has no To tag; `random` picks the Retry-After of
    /// [`DialogError::InviteInProgress`] (0–10 s).
    pub fn response(&self, req: &Request, to_tag: &str, random: u32) -> Response {
        let resp = Response::for_request(req, self.status()).with_to_tag(to_tag);
        match self {
            DialogError::InviteInProgress => {
                resp.with_header(HeaderName::RetryAfter, (random % 11).to_string())
            }
            _ => resp,
        }
    }
}
