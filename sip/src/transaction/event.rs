//! What the transaction layer hands out: identifiers, messages to send, events for the
//! transaction user (TU), states, and errors for commands it refuses.

use std::fmt;

use crate::message::{Message, Request, Response};
use crate::status::StatusCode;
use crate::transport::Peer;

/// Names one transaction for the lifetime of a [`TransactionLayer`](super::TransactionLayer).
/// Identifiers are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TransactionId(pub(super) u64);

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tx{}", self.0)
    }
}

/// A message to send to `peer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it (for responses: where the request came from, RFC 3581 style).
    pub peer: Peer,
    /// The message.
    pub message: Message,
}

/// What the transaction layer tells its user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransactionEvent {
    /// A new request created server transaction `id`; answer it with
    /// [`respond`](super::TransactionLayer::respond). Retransmissions are absorbed.
    Request {
        /// The server transaction.
        id: TransactionId,
        /// The request.
        request: Request,
        /// Where it came from.
        peer: Peer,
    },
    /// A response for client transaction `id`: each provisional, the final response once,
    /// and for INVITE every 2xx (retransmissions and forks included: RFC 6026 Accepted).
    Response {
        /// The client transaction.
        id: TransactionId,
        /// The response.
        response: Response,
    },
    /// Client transaction `id` got no final response in time (Timer B or F, or 64·T1
    /// after a CANCEL): treat it as a 408.
    Timeout {
        /// The client transaction.
        id: TransactionId,
    },
    /// INVITE server transaction `id` was cancelled (RFC 3261 §9.2): the layer has already
    /// answered the CANCEL with 200 and the INVITE with 487.
    Cancelled {
        /// The INVITE server transaction.
        id: TransactionId,
    },
    /// The ACK for the 2xx sent on INVITE server transaction `id` arrived; the layer has
    /// stopped retransmitting the 2xx.
    AckReceived {
        /// The INVITE server transaction.
        id: TransactionId,
        /// The ACK (it may carry the session answer).
        ack: Request,
    },
    /// No ACK arrived for the final response of INVITE server transaction `id` within
    /// 64·T1 (Timer H, or Timer L after a 2xx: the TU should then send BYE, §13.3.1.4).
    AckTimeout {
        /// The INVITE server transaction.
        id: TransactionId,
    },
    /// The transport reported a failure sending for transaction `id`, which is now gone.
    TransportError {
        /// The transaction.
        id: TransactionId,
    },
    /// A 2xx to an INVITE that matched no client transaction: a retransmission after the
    /// transaction ended, or another fork. The TU (dialog) answers it with an ACK.
    StrayResponse {
        /// The response.
        response: Response,
        /// Where it came from.
        peer: Peer,
    },
    /// An ACK that matched no transaction: the TU decides (normally the ACK for a 2xx
    /// whose server transaction has already ended).
    StrayAck {
        /// The ACK.
        ack: Request,
        /// Where it came from.
        peer: Peer,
    },
}

/// Where a transaction is in its state machine (RFC 3261 §17, RFC 6026).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransactionState {
    /// Client INVITE: sent, nothing heard yet.
    Calling,
    /// Non-INVITE: sent or received, no response yet.
    Trying,
    /// A provisional response was received or sent.
    Proceeding,
    /// A final response (non-2xx for INVITE) was received or sent; absorbing retransmissions.
    Completed,
    /// INVITE: a 2xx was received or sent (RFC 6026).
    Accepted,
    /// INVITE server: the ACK for a non-2xx final response arrived.
    Confirmed,
}

/// Why the layer refused a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionError {
    /// No live transaction has this identifier (it never existed or has terminated).
    #[error("no such transaction")]
    UnknownTransaction,
    /// The command needs a server transaction.
    #[error("not a server transaction")]
    NotServer,
    /// The command needs a client transaction.
    #[error("not a client transaction")]
    NotClient,
    /// Only INVITE client transactions can be cancelled.
    #[error("only INVITE transactions can be cancelled")]
    NotInvite,
    /// A final response has already been sent or received.
    #[error("the transaction already has a final response")]
    AlreadyFinal,
    /// A CANCEL has already been requested for this INVITE.
    #[error("the transaction is already being cancelled")]
    AlreadyCancelled,
    /// The request has no top Via with a branch parameter.
    #[error("the request has no Via branch")]
    MissingBranch,
    /// A client transaction with this branch and method already exists.
    #[error("a client transaction with this branch already exists")]
    DuplicateBranch,
    /// ACK is not sent in a transaction: use
    /// [`send_stateless`](super::TransactionLayer::send_stateless).
    #[error("ACK does not create a transaction")]
    AckNotTransaction,
}

impl TransactionError {
    /// The SIP status this error corresponds to, where one does: an unknown transaction is
    /// a 481 (Call/Transaction Does Not Exist).
    pub fn status(self) -> Option<StatusCode> {
        match self {
            TransactionError::UnknownTransaction => Some(StatusCode::CALL_DOES_NOT_EXIST),
            _ => None,
        }
    }
}
