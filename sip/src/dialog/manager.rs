//! [`Dialogs`]: every dialog of a user agent, keyed by [`DialogId`], with the routing of
//! requests and responses to the dialog they belong to.

use std::collections::HashMap;

use super::create::creates_dialog;
use super::{Dialog, DialogError, DialogId, DialogRequest, DialogState};
use crate::message::{Request, Response};
use crate::method::Method;

/// The dialogs of one user agent. Terminated dialogs stay (so late requests get 481) until
/// [`Dialogs::remove`] or [`Dialogs::remove_terminated`].
#[derive(Debug, Clone, Default)]
pub struct Dialogs {
    dialogs: HashMap<DialogId, Dialog>,
}

impl Dialogs {
    /// No dialogs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a dialog made with [`Dialog::uas`] or [`Dialog::uac`]; returns the one it
    /// replaces.
    pub fn insert(&mut self, dialog: Dialog) -> Option<Dialog> {
        self.dialogs.insert(dialog.id().clone(), dialog)
    }

    /// A dialog by id.
    pub fn get(&self, id: &DialogId) -> Option<&Dialog> {
        self.dialogs.get(id)
    }

    /// A dialog by id, to build requests in it.
    pub fn get_mut(&mut self, id: &DialogId) -> Option<&mut Dialog> {
        self.dialogs.get_mut(id)
    }

    /// Removes a dialog.
    pub fn remove(&mut self, id: &DialogId) -> Option<Dialog> {
        self.dialogs.remove(id)
    }

    /// Removes every terminated dialog and returns their ids.
    pub fn remove_terminated(&mut self) -> Vec<DialogId> {
        let ended: Vec<DialogId> = self
            .dialogs
            .values()
            .filter(|d| d.state() == DialogState::Terminated)
            .map(|d| d.id().clone())
            .collect();
        for id in &ended {
            self.dialogs.remove(id);
        }
        ended
    }

    /// The number of dialogs, terminated ones included.
    pub fn len(&self) -> usize {
        self.dialogs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.dialogs.is_empty()
    }

    /// Every dialog, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Dialog> {
        self.dialogs.values()
    }

    /// A request from the network that carries a To tag (RFC 3261 §12.2.2): matched by
    /// Call-ID, To tag (ours) and From tag (theirs), then checked by
    /// [`Dialog::handle_request`]. A request without To tag is [`DialogError::OutOfDialog`].
    pub fn handle_request(&mut self, req: &Request) -> Result<DialogRequest, DialogError> {
        let id = DialogId::uas(&req.head).ok_or(DialogError::OutOfDialog)?;
        self.dialogs
            .get_mut(&id)
            .ok_or(DialogError::NoDialog)?
            .handle_request(req)
    }

    /// A response we send to `req`. The first 101–299 with our To tag to an initial INVITE
    /// creates the UAS dialog; later ones go to [`Dialog::on_response_sent`]. Returns the
    /// dialog concerned, if any.
    pub fn on_response_sent(
        &mut self,
        req: &Request,
        resp: &Response,
    ) -> Result<Option<DialogId>, DialogError> {
        let Some(id) = DialogId::uas(&resp.head) else {
            return Ok(None);
        };
        if let Some(dialog) = self.dialogs.get_mut(&id) {
            dialog.on_response_sent(resp)?;
            return Ok(Some(id));
        }
        if !creates_dialog(req, resp) {
            return Ok(None);
        }
        self.insert(Dialog::uas(req, resp)?);
        Ok(Some(id))
    }

    /// A response we received to `req`. For an initial INVITE, each 101–299 with a new To
    /// tag creates a UAC dialog (forking gives several), and a non-2xx final response
    /// terminates every early dialog of that INVITE. Other responses go to
    /// [`Dialog::handle_response`]; one to an in-dialog request whose dialog is gone is
    /// [`DialogError::NoDialog`]. Returns the dialog concerned, if any.
    pub fn handle_response(
        &mut self,
        req: &Request,
        resp: &Response,
    ) -> Result<Option<DialogId>, DialogError> {
        let initial = req.method == Method::Invite && req.head.to.tag().is_none();
        if initial && resp.status.is_final() && !resp.status.is_success() {
            self.end_early(req);
        }
        let Some(id) = DialogId::uac(&resp.head) else {
            return Ok(None);
        };
        if let Some(dialog) = self.dialogs.get_mut(&id) {
            dialog.handle_response(resp)?;
            return Ok(Some(id));
        }
        if creates_dialog(req, resp) {
            self.insert(Dialog::uac(req, resp)?);
            return Ok(Some(id));
        }
        if req.head.to.tag().is_some() {
            return Err(DialogError::NoDialog);
        }
        Ok(None)
    }

    /// Terminates the early dialogs created by the initial INVITE `req`.
    fn end_early(&mut self, req: &Request) {
        let local_tag = req.head.from.tag().unwrap_or_default();
        for dialog in self.dialogs.values_mut() {
            let id = dialog.id();
            if id.call_id == req.head.call_id
                && id.local_tag == local_tag
                && dialog.state() == DialogState::Early
                && dialog.initial_cseq == req.head.cseq.seq
            {
                dialog.terminate();
            }
        }
    }
}
