//! Sans-IO SIP for voxgate: message and SDP wire types (parse and print), UAS request
//! checks, transactions, dialogs and digest authentication.
//!
//! Nothing here opens a socket, spawns a task or reads a clock: callers feed bytes and the
//! current time in, and take messages to send and the next timeout out. Peer input never
//! panics; every failure maps to a SIP status code or a silent drop.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
mod builder;
mod dialog;
mod error;
mod headers;
mod message;
mod method;
mod params;
pub mod sdp;
mod status;
mod text;
mod transaction;
mod transport;
mod uri;
mod validate;

pub use builder::{
    BuildError, RequestBuilder, branch_from, call_id_from, options_response, rejection_response,
    tag_from,
};
pub use dialog::{
    Dialog, DialogError, DialogId, DialogRequest, DialogState, Dialogs, RequestKind, sipfrag_status,
};
pub use error::UasError;
pub use headers::{
    BRANCH_MAGIC, CSeq, Contact, Header, HeaderError, HeaderName, Headers, MediaType, NameAddr,
    RetryAfter, Via, parse_delta_seconds, parse_max_forwards, parse_token_list,
};
pub use message::{
    Head, LimitedField, Limits, Message, ParseError, ParseErrorKind, Request, Response,
    StreamDecoder, StreamItem,
};
pub use method::Method;
pub use params::{Param, Params};
pub use status::StatusCode;
pub use transaction::{
    Timers, TransactionError, TransactionEvent, TransactionId, TransactionLayer, TransactionState,
    Transmit,
};
pub use transport::{Peer, Transport};
pub use uri::{Host, SipUri, TelUri, Uri, UriError};
pub use validate::{Rejection, ResponseDrop, UasPolicy, check_request, check_response, sip_user};
