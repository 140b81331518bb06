//! Dialog identifiers (RFC 3261 §12): Call-ID, local tag, remote tag.

use crate::message::Head;

/// The identity of a dialog as seen from our side.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogId {
    /// The Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// The peer's tag (empty when an RFC 2543 peer sent none).
    pub remote_tag: String,
}

impl DialogId {
    /// The dialog of a message we are the UAS for: a request we received or a response we
    /// send. Local tag = To tag, remote tag = From tag. `None` without a To tag.
    pub fn uas(head: &Head) -> Option<DialogId> {
        Some(DialogId {
            call_id: head.call_id.clone(),
            local_tag: head.to.tag()?.to_owned(),
            remote_tag: head.from.tag().unwrap_or_default().to_owned(),
        })
    }

    /// The dialog of a message we are the UAC for: a request we send or a response we
    /// received. Local tag = From tag, remote tag = To tag. `None` without both tags.
    pub fn uac(head: &Head) -> Option<DialogId> {
        Some(DialogId {
            call_id: head.call_id.clone(),
            local_tag: head.from.tag()?.to_owned(),
            remote_tag: head.to.tag()?.to_owned(),
        })
    }
}
