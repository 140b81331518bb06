//! SIP dialogs (RFC 3261 §12–§15) for both sides of a call, with REFER (RFC 3515) and INFO
//! (RFC 6086) inside them.
//!
//! A [`Dialog`] is pure state over [`Request`](crate::Request) and
//! [`Response`](crate::Response) values: it is created from an INVITE and the response that
//! established it, builds the requests we send inside it (route set, CSeq, tags), and checks
//! the requests and responses that arrive. It knows nothing of transactions: the caller
//! passes each message in and takes the built ones out, supplying Via branches and random
//! numbers. [`Dialogs`] keys many dialogs by [`DialogId`].

mod create;
mod error;
mod id;
mod incoming;
mod manager;
mod outgoing;
mod refer;

use crate::headers::NameAddr;
use crate::uri::Uri;

pub use error::DialogError;
pub use id::DialogId;
pub use incoming::{DialogRequest, RequestKind};
pub use manager::Dialogs;
pub use refer::sipfrag_status;

/// What a dialog waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    /// Created by a provisional response with a To tag: waits for the INVITE's final
    /// response (a 2xx confirms it, anything else terminates it).
    Early,
    /// Established by a 2xx: waits for requests in either direction until a BYE.
    Confirmed,
    /// Ended by a BYE, a non-2xx final response to the initial INVITE, or a 408/481 to a
    /// request sent within it. Requests that still arrive get 481.
    Terminated,
}

/// One dialog: its identity, state and the data RFC 3261 §12.1 keeps for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    id: DialogId,
    state: DialogState,
    /// We sent the initial INVITE (we own the Call-ID).
    owner: bool,
    local_seq: Option<u32>,
    remote_seq: Option<u32>,
    /// Our address (From of our requests), without tag.
    local_uri: NameAddr,
    /// The peer's address (To of our requests), without tag.
    remote_uri: NameAddr,
    remote_target: Uri,
    route_set: Vec<NameAddr>,
    secure: bool,
    local_contact: NameAddr,
    /// CSeq number of the INVITE that created the dialog.
    initial_cseq: u32,
    /// CSeq number of the last INVITE we sent in this dialog (what an ACK carries).
    last_invite: Option<u32>,
    /// Our INVITE (initial or re-INVITE) that has no final response yet.
    sent_invite: Option<u32>,
    /// The peer's INVITE that we have not answered with a final response yet.
    received_invite: Option<u32>,
}

impl Dialog {
    /// Call-ID and tags.
    pub fn id(&self) -> &DialogId {
        &self.id
    }

    /// The state.
    pub fn state(&self) -> DialogState {
        self.state
    }

    /// Marks the dialog terminated (e.g. when its INVITE transaction timed out).
    pub fn terminate(&mut self) {
        self.state = DialogState::Terminated;
    }

    /// Whether we sent the initial INVITE and so own the Call-ID (RFC 3261 §14.1).
    pub fn is_call_id_owner(&self) -> bool {
        self.owner
    }

    /// The CSeq number of the last request we sent; `None` before the first (UAS side).
    pub fn local_seq(&self) -> Option<u32> {
        self.local_seq
    }

    /// The CSeq number of the last request the peer sent; `None` before the first.
    pub fn remote_seq(&self) -> Option<u32> {
        self.remote_seq
    }

    /// Our URI (From of the requests we send), without tag.
    pub fn local_uri(&self) -> &NameAddr {
        &self.local_uri
    }

    /// The peer's URI (To of the requests we send), without tag.
    pub fn remote_uri(&self) -> &NameAddr {
        &self.remote_uri
    }

    /// Where our requests go: the peer's Contact.
    pub fn remote_target(&self) -> &Uri {
        &self.remote_target
    }

    /// The route set, in the order our requests visit it.
    pub fn route_set(&self) -> &[NameAddr] {
        &self.route_set
    }

    /// Whether the dialog was set up over TLS with a SIPS Request-URI (RFC 3261 §12.1).
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// The Contact we put in our requests.
    pub fn local_contact(&self) -> &NameAddr {
        &self.local_contact
    }

    /// Whether an INVITE we sent in this dialog has no final response yet.
    pub fn sent_invite_pending(&self) -> bool {
        self.sent_invite.is_some()
    }

    /// Whether an INVITE the peer sent in this dialog has no final response from us yet.
    pub fn received_invite_pending(&self) -> bool {
        self.received_invite.is_some()
    }
}

#[cfg(test)]
mod tests;
