//! SIP transactions (RFC 3261 §17 with the RFC 6026 fixes), sans-IO.
//!
//! A [`TransactionLayer`] owns every client and server transaction of an endpoint. It
//! retransmits, absorbs retransmissions, matches responses and ACKs, answers CANCEL, and
//! times out, all driven by the time the caller passes in.
//!
//! # Driving it
//!
//! Inputs:
//! - from the network: [`handle_request`](TransactionLayer::handle_request) and
//!   [`handle_response`](TransactionLayer::handle_response) with parsed messages and the
//!   [`Peer`](crate::Peer) they came from;
//! - from the clock: [`handle_timeout`](TransactionLayer::handle_timeout) once the instant
//!   given by [`poll_timeout`](TransactionLayer::poll_timeout) has passed;
//! - from the transport: [`transport_error`](TransactionLayer::transport_error) when a
//!   message of a transaction could not be sent;
//! - from the transaction user (TU: dialogs, the application):
//!   [`send_request`](TransactionLayer::send_request),
//!   [`respond`](TransactionLayer::respond), [`cancel`](TransactionLayer::cancel) and
//!   [`send_stateless`](TransactionLayer::send_stateless).
//!
//! After every input, in this order:
//! 1. drain [`poll_transmit`](TransactionLayer::poll_transmit) until `None`, sending each
//!    [`Transmit`];
//! 2. drain [`poll_event`](TransactionLayer::poll_event) until `None`, handing each
//!    [`TransactionEvent`] to the TU; the TU's commands queue more transmits and events,
//!    so go back to 1 while either queue is non-empty;
//! 3. read [`poll_timeout`](TransactionLayer::poll_timeout) and arm one timer for it
//!    (`None`: no timer needed).
//!
//! Transmits come first so that what the layer sends on its own (an ACK, a 100 Trying, a
//! 487) leaves before the TU reacts to the matching event.
//!
//! # What the layer does for the TU
//!
//! - Client INVITE: ACKs non-2xx final responses itself (and re-ACKs retransmissions);
//!   every 2xx is an event, since ACKing a 2xx is the dialog's job.
//! - Server INVITE: sends 100 Trying if the TU has not sent a provisional response within
//!   200 ms; retransmits a 2xx until the ACK arrives ([`TransactionEvent::AckReceived`])
//!   or 64·T1 passes ([`TransactionEvent::AckTimeout`]); answers a CANCEL with 200 and the
//!   INVITE with 487 ([`TransactionEvent::Cancelled`]).
//! - Answers a CANCEL matching nothing with 481 and a merged request with 482.
//!
//! Transactions that end are removed. A server transaction waiting for the TU's final
//! response, and a client INVITE in Proceeding that has not been cancelled, have no timer
//! that ends them: the TU must answer (or cancel) them.

mod build;
mod client_invite;
mod client_non_invite;
mod common;
mod event;
mod key;
mod layer;
mod machine;
mod server_invite;
mod server_non_invite;
mod timer;

pub use event::{TransactionError, TransactionEvent, TransactionId, TransactionState, Transmit};
pub use layer::TransactionLayer;
pub use timer::Timers;
