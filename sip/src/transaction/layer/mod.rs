//! The transaction layer: every live transaction, keyed for matching, with the deadline
//! index and output queues. Inputs from the network are in `inbound`, CANCEL in `cancel`.

mod cancel;
mod inbound;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use super::client_invite::ClientInvite;
use super::client_non_invite::ClientNonInvite;
use super::common::{Common, Ctx, Out};
use super::event::{TransactionError, TransactionEvent, TransactionId, TransactionState, Transmit};
use super::key::{DialogAckKey, MergeKey, TransactionKey, sent_by};
use super::machine::Machine;
use super::timer::Timers;
use crate::message::{Message, Request, Response};
use crate::method::Method;
use crate::transport::Peer;
use crate::uri::Host;

/// How many distinct Via sent-by values the layer remembers as its own (to accept stray
/// 2xx responses addressed to it).
const MAX_SENT_BY: usize = 16;

/// One stored transaction and what indexes it.
#[derive(Debug)]
struct Entry {
    machine: Machine,
    /// The deadline this transaction has in the layer's deadline index.
    deadline: Option<Instant>,
    /// Its entry in the merged-request index, if it owns one.
    merge_key: Option<MergeKey>,
    /// Its entry in the 2xx-ACK index, if it owns one.
    ack_key: Option<DialogAckKey>,
}

/// Every SIP transaction of one endpoint (RFC 3261 §17, RFC 6026), sans-IO.
///
/// Feed it messages (`handle_request`, `handle_response`), time (`handle_timeout`),
/// transport failures and the TU's commands (`send_request`, `respond`, `cancel`). After
/// each input drain [`poll_transmit`](Self::poll_transmit), then
/// [`poll_event`](Self::poll_event) (repeating while the TU's reactions queue more), then
/// arm a timer for [`poll_timeout`](Self::poll_timeout).
#[derive(Debug)]
pub struct TransactionLayer {
    timers: Timers,
    transactions: HashMap<TransactionKey, Entry>,
    keys: HashMap<TransactionId, TransactionKey>,
    deadlines: BTreeSet<(Instant, TransactionId)>,
    merged: HashMap<MergeKey, TransactionId>,
    acks: HashMap<DialogAckKey, TransactionId>,
    sent_by: Vec<(Host, Option<u16>)>,
    out: Out,
    next_id: u64,
    tag_seed: u64,
    tags_made: u64,
}

impl TransactionLayer {
    /// A layer with these timer values. `tag_seed` is randomness from the caller: the layer
    /// derives the To tags of the responses it makes itself (487, 481, 482, 200 to
    /// CANCEL) from it, and those never create dialogs.
    pub fn new(timers: Timers, tag_seed: u64) -> Self {
        Self {
            timers,
            transactions: HashMap::new(),
            keys: HashMap::new(),
            deadlines: BTreeSet::new(),
            merged: HashMap::new(),
            acks: HashMap::new(),
            sent_by: Vec::new(),
            out: Out::default(),
            next_id: 0,
            tag_seed,
            tags_made: 0,
        }
    }

    /// The timer values in use.
    pub fn timers(&self) -> &Timers {
        &self.timers
    }

    /// Starts a client transaction sending `request` to `peer`: INVITE or non-INVITE by
    /// the method. The request's top Via must carry the branch (and sent-by) to use; the
    /// layer remembers that sent-by as its own to accept stray 2xx responses. Fails for ACK
    /// (see [`send_stateless`](Self::send_stateless)), without a branch, or when a client
    /// transaction with the same branch and method is live.
    pub fn send_request(
        &mut self,
        now: Instant,
        request: Request,
        peer: Peer,
    ) -> Result<TransactionId, TransactionError> {
        if request.method == Method::Ack {
            return Err(TransactionError::AckNotTransaction);
        }
        let key = TransactionKey::client(&request).ok_or(TransactionError::MissingBranch)?;
        if self.transactions.contains_key(&key) {
            return Err(TransactionError::DuplicateBranch);
        }
        let id = self.allocate_id();
        self.start_client(now, id, key, request, peer);
        Ok(id)
    }

    /// Sends `response` on server transaction `id`. A 2xx to an INVITE is then
    /// retransmitted by the layer until its ACK arrives
    /// ([`TransactionEvent::AckReceived`]) or 64·T1 passes
    /// ([`TransactionEvent::AckTimeout`]). Fails with `UnknownTransaction`, `NotServer`, or
    /// `AlreadyFinal` once a final response has been sent (by the TU or by the layer after
    /// a CANCEL).
    pub fn respond(
        &mut self,
        now: Instant,
        id: TransactionId,
        response: Response,
    ) -> Result<(), TransactionError> {
        let key = self.key_of(id)?;
        let ack_key = response
            .status
            .is_success()
            .then(|| DialogAckKey::for_response(&response));
        let result = self.with_tx(now, &key, |entry, cx| {
            let invite = matches!(entry.machine, Machine::InviteServer(_));
            entry.machine.respond(response, cx)?;
            Ok(ack_key
                .filter(|_| invite)
                .inspect(|k| entry.ack_key = Some(k.clone())))
        });
        let ack_key = result.unwrap_or(Err(TransactionError::UnknownTransaction))?;
        if let Some(k) = ack_key {
            self.acks.insert(k, id);
        }
        Ok(())
    }

    /// Queues a message outside any transaction: the ACK for a 2xx (§13.2.2.4), or a
    /// stateless response.
    pub fn send_stateless(&mut self, peer: Peer, message: Message) {
        self.out.transmits.push_back(Transmit { peer, message });
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<TransactionId> = self
            .deadlines
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, id)| *id)
            .collect();
        for id in due {
            if let Ok(key) = self.key_of(id) {
                self.with_tx(now, &key, |entry, cx| entry.machine.on_timeout(cx));
            }
        }
    }

    /// The transport could not send a message of transaction `id`: it ends with a
    /// [`TransactionEvent::TransportError`]. Unknown identifiers are ignored.
    pub fn transport_error(&mut self, now: Instant, id: TransactionId) {
        if let Ok(key) = self.key_of(id) {
            self.with_tx(now, &key, |entry, cx| {
                entry.machine.common_mut().transport_error(cx)
            });
        }
    }

    /// The next message to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.transmits.pop_front()
    }

    /// The next event for the TU.
    pub fn poll_event(&mut self) -> Option<TransactionEvent> {
        self.out.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called: the earliest
    /// deadline over all transactions.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// The state of transaction `id`, or `None` once it has ended.
    pub fn state(&self, id: TransactionId) -> Option<TransactionState> {
        let key = self.keys.get(&id)?;
        Some(self.transactions.get(key)?.machine.state())
    }

    /// The number of live transactions.
    pub fn len(&self) -> usize {
        self.transactions.len()
    }

    /// Whether no transaction is live.
    pub fn is_empty(&self) -> bool {
        self.transactions.is_empty()
    }

    fn allocate_id(&mut self) -> TransactionId {
        self.next_id += 1;
        TransactionId(self.next_id)
    }

    /// A To tag for a response the layer makes (splitmix64 of the caller's seed).
    fn make_tag(&mut self) -> String {
        self.tags_made += 1;
        let mut z = self
            .tag_seed
            .wrapping_add(self.tags_made.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        format!("{:016x}", z ^ (z >> 31))
    }

    fn key_of(&self, id: TransactionId) -> Result<TransactionKey, TransactionError> {
        self.keys
            .get(&id)
            .cloned()
            .ok_or(TransactionError::UnknownTransaction)
    }

    fn start_client(
        &mut self,
        now: Instant,
        id: TransactionId,
        key: TransactionKey,
        request: Request,
        peer: Peer,
    ) {
        if let Some(via) = request.head.top_via() {
            let own = sent_by(via);
            if !self.sent_by.contains(&own) && self.sent_by.len() < MAX_SENT_BY {
                self.sent_by.push(own);
            }
        }
        let mut cx = Ctx {
            now,
            timers: &self.timers,
            out: &mut self.out,
        };
        let c = Common::new(id, peer);
        let machine = if request.method == Method::Invite {
            Machine::InviteClient(Box::new(ClientInvite::start(c, request, &mut cx)))
        } else {
            Machine::NonInviteClient(Box::new(ClientNonInvite::start(c, request, &mut cx)))
        };
        self.insert(key, machine, None);
    }

    /// Stores a new transaction, indexes it, and settles its deadline.
    fn insert(&mut self, key: TransactionKey, machine: Machine, merge_key: Option<MergeKey>) {
        let id = machine.common().id;
        let merge_key = merge_key.filter(|k| {
            let vacant = !self.merged.contains_key(k);
            if vacant {
                self.merged.insert(k.clone(), id);
            }
            vacant
        });
        let entry = Entry {
            machine,
            deadline: None,
            merge_key,
            ack_key: None,
        };
        self.keys.insert(id, key.clone());
        self.transactions.insert(key.clone(), entry);
        self.settle(&key);
    }

    /// Runs `f` on the transaction under `key`, then settles it.
    fn with_tx<R>(
        &mut self,
        now: Instant,
        key: &TransactionKey,
        f: impl FnOnce(&mut Entry, &mut Ctx<'_>) -> R,
    ) -> Option<R> {
        let entry = self.transactions.get_mut(key)?;
        let mut cx = Ctx {
            now,
            timers: &self.timers,
            out: &mut self.out,
        };
        let result = f(entry, &mut cx);
        self.settle(key);
        Some(result)
    }

    /// Brings the deadline index up to date with the transaction under `key`, and removes
    /// it (with its index entries) once it has ended.
    fn settle(&mut self, key: &TransactionKey) {
        let Some(entry) = self.transactions.get_mut(key) else {
            return;
        };
        let common = entry.machine.common();
        let (id, done) = (common.id, common.is_done());
        let next = if done { None } else { common.timers.next() };
        if entry.deadline != next {
            if let Some(old) = entry.deadline {
                self.deadlines.remove(&(old, id));
            }
            if let Some(new) = next {
                self.deadlines.insert((new, id));
            }
            entry.deadline = next;
        }
        if done {
            self.remove(key);
        }
    }

    fn remove(&mut self, key: &TransactionKey) {
        let Some(entry) = self.transactions.remove(key) else {
            return;
        };
        let id = entry.machine.common().id;
        self.keys.remove(&id);
        if let Some(k) = entry.merge_key
            && self.merged.get(&k) == Some(&id)
        {
            self.merged.remove(&k);
        }
        if let Some(k) = entry.ack_key
            && self.acks.get(&k) == Some(&id)
        {
            self.acks.remove(&k);
        }
    }
}
