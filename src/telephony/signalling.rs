//! The signalling core task: owns the [`TransactionLayer`], the [`Dialogs`] and the call
//! registry, and `select!`s over inbound messages from the transports, events from call
//! tasks, the layer's next timeout, finished call tasks and the shutdown signal. After
//! every input it drives the layer (transmits, then events, until quiet), as the `sip`
//! crate documents. It never touches media: calls get commands on their bounded channels.
//! Request handling lives in `requests.rs` and `invite.rs`.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sip::sdp::LocalCaps;
use sip::{
    DialogId, Dialogs, Host, Message, Peer, Request, Response, Timers, TransactionEvent,
    TransactionId, TransactionLayer, Transmit, Transport, UasPolicy, Via, branch_from,
};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::admission::{Admission, AdmissionSettings};
use super::call::{CallCommand, CallEvent};
use super::logic::{LogicFactory, TransferOutcome};
use super::ports::PortPool;
use super::summary::{CallSummary, HangupCause};
use super::transport::Inbound;
use crate::metrics::metrics;

/// Extra time after the shutdown deadline for the BYEs to be answered.
const BYE_WAIT: Duration = Duration::from_secs(4);
/// Retry-After (s) for 503 answers.
pub(crate) const RETRY_AFTER: u32 = 5;

/// What the core is configured with.
#[derive(Debug, Clone)]
pub(crate) struct CoreConfig {
    pub(crate) advertise: IpAddr,
    pub(crate) sip_port: u16,
    pub(crate) media_bind: IpAddr,
    pub(crate) max_calls: usize,
    pub(crate) ring: Duration,
    pub(crate) media_timeout: Duration,
    pub(crate) grace: Duration,
    /// RFC 3261 T1; T2 and T4 keep their defaults.
    pub(crate) t1: Duration,
    /// Who may call.
    pub(crate) admission: AdmissionSettings,
    /// Where media is accepted from.
    pub(crate) media_source: crate::config::MediaSource,
    /// The port of SIP over TLS, when it is on.
    pub(crate) tls_port: Option<u16>,
    /// Calls must come over TLS (and offer SRTP).
    pub(crate) require_secure: bool,
    /// The digest algorithms agents' phones are challenged with.
    pub(crate) register_algorithms: Vec<sip::auth::Algorithm>,
    /// Agents whose phones may register.
    pub(crate) registrants: Vec<super::registrar::Registrant>,
    /// Agents' configured addresses (used when they have not registered).
    pub(crate) agent_uris: HashMap<String, String>,
    /// Our digest user and password when an agent's side challenges an INVITE.
    pub(crate) outbound: Option<(String, String)>,
}

/// One call in the registry.
pub(crate) struct CallEntry {
    pub(crate) call_id: String,
    pub(crate) dialog: DialogId,
    pub(crate) peer: Peer,
    pub(crate) invite_tx: TransactionId,
    pub(crate) caps: LocalCaps,
    pub(crate) state: CallState,
}

/// Ringing (answer prepared, task not started), waiting for the ACK's SDP answer, or
/// answered (task running).
pub(crate) enum CallState {
    Ringing(Box<super::invite::Pending>),
    /// 200 sent with our offer; the ACK brings the answer.
    AwaitingAck(Box<super::invite::Pending>),
    /// Transient, while the core moves a call from one state to the next.
    Moving,
    Active(mpsc::Sender<CallCommand>),
}

/// The signalling core. See the module documentation.
pub(crate) struct Core {
    pub(crate) cfg: CoreConfig,
    pub(crate) txl: TransactionLayer,
    pub(crate) dialogs: Dialogs,
    pub(crate) policy: UasPolicy,
    pub(crate) admission: Admission,
    pub(crate) calls: HashMap<u64, CallEntry>,
    pub(crate) by_invite: HashMap<TransactionId, u64>,
    pub(crate) ringing: Vec<(Instant, u64)>,
    pub(crate) requests: HashMap<TransactionId, Request>,
    pub(crate) byes: HashSet<TransactionId>,
    /// REFERs of ours waiting for their answer, and their call.
    pub(crate) refers: HashMap<TransactionId, u64>,
    /// The agents' phones.
    pub(crate) registrar: super::registrar::Registrar,
    /// Second legs by call, and their INVITE transactions.
    pub(crate) legs: HashMap<u64, super::outgoing::OutLeg>,
    pub(crate) leg_tx: HashMap<TransactionId, u64>,
    /// Legs cancelled while ringing, by INVITE transaction: a 200 that crosses the CANCEL.
    pub(crate) cancelled_legs: HashMap<TransactionId, Peer>,
    /// Where changes in the agents' reachability go.
    phones: Option<mpsc::Sender<super::PhoneEvent>>,
    pub(crate) next_call: u64,
    pub(crate) rng: StdRng,
    udp: Option<Arc<UdpSocket>>,
    tcp: HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>,
    pub(crate) ports: PortPool,
    pub(crate) logic: LogicFactory,
    pub(crate) events_tx: mpsc::Sender<CallEvent>,
    pub(crate) summaries: mpsc::Sender<CallSummary>,
    /// The transports' queue into this core, for connections the core opens itself.
    inbound_tx: mpsc::Sender<Inbound>,
    pub(crate) tasks: JoinSet<()>,
    /// When shutting down: the deadline after which running calls are hung up.
    pub(crate) stopping: Option<Instant>,
    hung_up_all: bool,
}

/// The channels and sockets the core is wired to.
pub(crate) struct CoreIo {
    pub(crate) inbound: mpsc::Receiver<Inbound>,
    pub(crate) shutdown: watch::Receiver<bool>,
    /// Agents added, changed or removed while running.
    pub(crate) agents: mpsc::Receiver<super::AgentChange>,
}

impl Core {
    pub(crate) fn new(
        cfg: CoreConfig,
        ports: PortPool,
        logic: LogicFactory,
        udp: Option<Arc<UdpSocket>>,
        summaries: mpsc::Sender<CallSummary>,
        events_tx: mpsc::Sender<CallEvent>,
        inbound_tx: mpsc::Sender<Inbound>,
    ) -> Core {
        let mut rng = StdRng::from_os_rng();
        let timers = Timers {
            t1: cfg.t1,
            ..Timers::default()
        };
        let admission = Admission::new(cfg.admission.clone(), rng.random(), Instant::now());
        let registrar = super::registrar::Registrar::new(
            cfg.registrants.clone(),
            (cfg.admission.realm.clone(), cfg.register_algorithms.clone()),
            rng.random(),
            Instant::now(),
        );
        Core {
            registrar,
            legs: HashMap::new(),
            leg_tx: HashMap::new(),
            cancelled_legs: HashMap::new(),
            phones: None,
            admission,
            cfg,
            txl: TransactionLayer::new(timers, rng.random()),
            dialogs: Dialogs::new(),
            policy: UasPolicy::default(),
            calls: HashMap::new(),
            by_invite: HashMap::new(),
            ringing: Vec::new(),
            requests: HashMap::new(),
            byes: HashSet::new(),
            refers: HashMap::new(),
            next_call: 1,
            rng,
            udp,
            tcp: HashMap::new(),
            ports,
            logic,
            events_tx,
            summaries,
            inbound_tx,
            tasks: JoinSet::new(),
            stopping: None,
            hung_up_all: false,
        }
    }

    /// Applies an agent added, changed or removed through the API.
    fn on_agent_change(&mut self, change: super::AgentChange) {
        match change {
            super::AgentChange::Upsert(a) => {
                tracing::info!(agent = %a.id, registers = a.secret.is_some(), fixed = a.uri.is_some(), "agent set");
                match a.uri {
                    Some(uri) => self.cfg.agent_uris.insert(a.id.clone(), uri),
                    None => self.cfg.agent_uris.remove(&a.id),
                };
                match a.secret {
                    Some(secret) => self
                        .registrar
                        .upsert(super::registrar::Registrant { user: a.id, secret }),
                    None => self.registrar.remove(&a.id),
                }
            }
            super::AgentChange::Remove(id) => {
                tracing::info!(agent = %id, "agent removed");
                self.cfg.agent_uris.remove(&id);
                self.registrar.remove(&id);
            }
        }
    }

    /// Reports changes in the agents' reachability on `phones`.
    pub(crate) fn with_phones(mut self, phones: mpsc::Sender<super::PhoneEvent>) -> Core {
        self.phones = Some(phones);
        self
    }

    /// Runs until shutdown has completed.
    pub(crate) async fn run(mut self, io: CoreIo, mut events: mpsc::Receiver<CallEvent>) {
        let CoreIo {
            mut inbound,
            mut shutdown,
            mut agents,
        } = io;
        loop {
            let wake = self.next_wake();
            tokio::select! {
                Some(msg) = inbound.recv() => self.on_inbound(msg),
                Some(ev) = events.recv() => self.on_call_event(ev),
                Some(change) = agents.recv() => self.on_agent_change(change),
                r = shutdown.changed(), if self.stopping.is_none() => {
                    if r.is_err() || *shutdown.borrow() {
                        self.begin_shutdown(Instant::now());
                    }
                }
                Some(_) = self.tasks.join_next(), if !self.tasks.is_empty() => {}
                () = tokio::time::sleep_until(wake.into()) => {}
            }
            let now = Instant::now();
            let queued = i64::try_from(inbound.len()).unwrap_or(i64::MAX);
            metrics().sip_inbound_queue_depth.set(queued);
            self.txl.handle_timeout(now);
            self.registrar.handle_timeout(now);
            self.report_phones();
            self.answer_due(now);
            self.shutdown_step(now);
            self.drive();
            self.drop_orphan_legs(now);
            self.drive();
            self.log_refusals(now);
            if self.finished(now) {
                break;
            }
        }
        let wait = tokio::time::timeout(Duration::from_secs(2), async {
            while self.tasks.join_next().await.is_some() {}
        });
        let _ = wait.await;
    }

    fn next_wake(&self) -> Instant {
        let far = Instant::now() + Duration::from_secs(3600);
        [
            self.txl.poll_timeout(),
            self.ringing.iter().map(|r| r.0).min(),
            self.stopping,
            self.stopping.map(|d| d + BYE_WAIT),
            self.admission.poll_timeout(),
            self.registrar.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(far)
    }

    fn on_inbound(&mut self, msg: Inbound) {
        let now = Instant::now();
        match msg {
            Inbound::Message(m, peer) => match *m {
                Message::Request(r) => self.admit(now, r, peer),
                Message::Response(r) => self.txl.handle_response(now, r, peer),
            },
            Inbound::TcpOpen(addr, tx) => {
                self.tcp.insert(addr, tx);
            }
            Inbound::TcpClosed(addr) => {
                self.tcp.remove(&addr);
            }
        }
    }

    fn on_call_event(&mut self, ev: CallEvent) {
        match ev {
            CallEvent::Hangup { call_no, cause } => {
                tracing::debug!(call = call_no, cause = cause.as_str(), "call hung up");
                self.hang_up(call_no, cause);
            }
            CallEvent::Refer { call_no, to } => self.send_refer(call_no, &to),
            CallEvent::DialAgent { call_no, agent } => {
                self.dial_agent(Instant::now(), call_no, &agent);
            }
            CallEvent::DropLeg { call_no } => self.drop_leg(Instant::now(), call_no),
        }
    }

    /// Sends BYE for call `no` and forgets it (its task, if any, has ended or is told to).
    pub(crate) fn hang_up(&mut self, no: u64, cause: HangupCause) {
        if let Some(entry) = self.calls.remove(&no) {
            self.send_bye(&entry);
            self.end_entry(no, &entry, cause);
        }
    }

    /// Drives the transaction layer until it has nothing more to send or report.
    pub(crate) fn drive(&mut self) {
        for _ in 0..10_000 {
            let mut busy = false;
            while let Some(t) = self.txl.poll_transmit() {
                busy = true;
                self.transmit(t);
            }
            while let Some(ev) = self.txl.poll_event() {
                busy = true;
                self.on_transaction_event(ev);
            }
            if !busy {
                self.dialogs.remove_terminated();
                return;
            }
        }
        tracing::error!("transaction layer did not settle");
    }

    fn transmit(&mut self, t: Transmit) {
        let bytes = t.message.to_bytes();
        match t.peer.transport {
            Transport::Tls if !self.tcp.contains_key(&t.peer.addr) => {
                // We dial no TLS connection of our own: a caller's TLS connection that has
                // closed takes what we would have sent with it.
                tracing::debug!(peer = %t.peer.addr, "no TLS connection for a message");
            }
            Transport::Tcp | Transport::Tls => match self.tcp.get(&t.peer.addr) {
                Some(tx) => {
                    if tx.try_send(bytes).is_err() {
                        tracing::debug!(peer = %t.peer.addr, "tcp queue full or closed");
                    }
                }
                // Responses go back on their request's connection or nowhere (RFC 3261
                // §18.2.2 would retry at the Via's sent-by; callers re-send on a new one).
                None if matches!(t.message, Message::Response(_)) => {
                    tracing::debug!(peer = %t.peer.addr, "no tcp connection for a response");
                }
                None => self.dial(t.peer.addr, bytes),
            },
            _ => {
                if let Some(udp) = &self.udp {
                    let _ = udp.try_send_to(&bytes, t.peer.addr);
                }
            }
        }
    }

    /// Opens a TCP connection for a request of ours and queues `bytes` on it.
    fn dial(&mut self, addr: SocketAddr, bytes: Vec<u8>) {
        tracing::debug!(peer = %addr, "opening a tcp connection");
        let (tx, rx) = super::transport::outbound_queue();
        let _ = tx.try_send(bytes);
        self.tcp.insert(addr, tx);
        tokio::spawn(super::transport::dial(addr, rx, self.inbound_tx.clone()));
    }

    /// Where an in-dialog request of call `entry` goes: the connection or address its
    /// INVITE came from; over TCP, when that connection has closed, a new connection to the
    /// first route, else the remote target (the caller's Contact).
    pub(crate) fn next_hop(&self, entry: &CallEntry) -> Peer {
        if entry.peer.transport != Transport::Tcp || self.tcp.contains_key(&entry.peer.addr) {
            return entry.peer;
        }
        let Some(dialog) = self.dialogs.get(&entry.dialog) else {
            return entry.peer;
        };
        let target = match dialog.route_set().first() {
            Some(route) => &route.uri,
            None => dialog.remote_target(),
        };
        target
            .as_sip()
            .and_then(|u| {
                let ip = match &u.host {
                    Host::V4(v4) => IpAddr::V4(*v4),
                    Host::V6(v6) => IpAddr::V6(*v6),
                    Host::Domain(_) => return None,
                };
                Some(Peer::new(
                    SocketAddr::new(ip, u.port.unwrap_or(5060)),
                    Transport::Tcp,
                ))
            })
            .unwrap_or(entry.peer)
    }

    fn on_transaction_event(&mut self, ev: TransactionEvent) {
        let now = Instant::now();
        match ev {
            TransactionEvent::Request { id, request, peer } => {
                self.on_request(now, id, request, peer);
            }
            TransactionEvent::Response { id, response } => self.on_response(id, &response),
            TransactionEvent::Timeout { id } | TransactionEvent::TransportError { id } => {
                self.leg_timed_out(id);
                self.cancelled_legs.remove(&id);
                if let Some(no) = self.refers.remove(&id) {
                    self.command(no, CallCommand::Transferred(TransferOutcome::Failed(None)));
                }
                // A request of ours got no answer: a BYE's dialog is over all the same.
                if let Some(req) = self.requests.remove(&id)
                    && let Some(dialog) = DialogId::uac(&req.head)
                {
                    self.dialogs.remove(&dialog);
                }
                self.byes.remove(&id);
            }
            TransactionEvent::Cancelled { id } => {
                self.end_call_of_invite(id, HangupCause::Cancelled);
            }
            TransactionEvent::AckReceived { id, ack } => self.on_ack(id, &ack),
            TransactionEvent::AckTimeout { id } => {
                if let Some(no) = self.by_invite.get(&id).copied()
                    && let Some(entry) = self.calls.remove(&no)
                {
                    self.send_bye(&entry);
                    self.end_entry(no, &entry, HangupCause::NoAck);
                }
            }
            _ => {}
        }
    }

    fn on_response(&mut self, id: TransactionId, resp: &Response) {
        if let Some(req) = self.requests.get(&id) {
            let _ = self.dialogs.handle_response(req, resp);
        }
        // Before the request is forgotten: a late 2xx to a cancelled leg needs its CSeq.
        self.leg_response(Instant::now(), id, resp);
        if resp.status.is_final() {
            self.requests.remove(&id);
            self.byes.remove(&id);
            self.refer_answered(id, resp.status);
        }
    }

    /// The INVITE of `id` was cancelled: stop ringing (the layer already sent 487).
    fn end_call_of_invite(&mut self, id: TransactionId, cause: HangupCause) {
        let Some(no) = self.by_invite.remove(&id) else {
            return;
        };
        self.ringing.retain(|r| r.1 != no);
        if let Some(entry) = self.calls.remove(&no) {
            self.dialogs.remove(&entry.dialog);
            self.end_entry(no, &entry, cause);
        }
    }

    /// Hangs up the second legs whose call has ended.
    fn drop_orphan_legs(&mut self, now: Instant) {
        let orphans: Vec<u64> = self
            .legs
            .keys()
            .filter(|no| !self.calls.contains_key(no))
            .copied()
            .collect();
        for no in orphans {
            self.drop_leg(now, no);
        }
    }

    /// Sends the agents' reachability changes on (dropped when the receiver is behind: the
    /// next change carries the state again).
    pub(crate) fn report_phones_now(&mut self) {
        self.report_phones();
    }

    fn report_phones(&mut self) {
        while let Some(ev) = self.registrar.poll_event() {
            let super::registrar::RegistrarEvent::Changed { user, contacts } = ev;
            tracing::info!(agent = %user, contacts, "agent phone registration");
            if let Some(tx) = &self.phones {
                let _ = tx.try_send(super::PhoneEvent {
                    agent: user,
                    reachable: contacts > 0,
                });
            }
        }
    }

    /// Ends a call from the SIP side.
    pub(crate) fn end_call(&mut self, no: u64, cause: HangupCause) {
        if let Some(entry) = self.calls.remove(&no) {
            self.by_invite.remove(&entry.invite_tx);
            self.ringing.retain(|r| r.1 != no);
            self.end_entry(no, &entry, cause);
        }
    }

    /// Sends BYE in the call's dialog, if it is still up.
    fn send_bye(&mut self, entry: &CallEntry) {
        self.by_invite.remove(&entry.invite_tx);
        let hop = self.next_hop(entry);
        self.bye_in(Instant::now(), &entry.dialog, hop);
    }

    /// Sends BYE in `dialog` (a caller's call or an agent's leg) to `hop`, if the dialog is
    /// still up; its answer is expected as a BYE's.
    pub(crate) fn bye_in(&mut self, now: Instant, dialog: &DialogId, hop: Peer) {
        let via = self.via(hop.transport);
        let Some(d) = self.dialogs.get_mut(dialog) else {
            return;
        };
        let Ok(bye) = d.bye(via) else {
            return;
        };
        match self.txl.send_request(now, bye.clone(), hop) {
            Ok(id) => {
                self.requests.insert(id, bye);
                self.byes.insert(id);
            }
            Err(e) => tracing::warn!(error = %e, "BYE not sent"),
        }
    }

    /// A Via for a request of ours.
    pub(crate) fn via(&mut self, transport: Transport) -> Via {
        let host = match self.cfg.advertise {
            IpAddr::V4(v4) => Host::V4(v4),
            IpAddr::V6(v6) => Host::V6(v6),
        };
        let (t, port) = match transport {
            Transport::Tcp => ("TCP", self.cfg.sip_port),
            Transport::Tls => ("TLS", self.cfg.tls_port.unwrap_or(self.cfg.sip_port)),
            _ => ("UDP", self.cfg.sip_port),
        };
        Via::new(t, host, Some(port), &branch_from(self.rng.random()))
    }

    /// Stops taking calls; running ones continue until the grace deadline.
    fn begin_shutdown(&mut self, now: Instant) {
        tracing::info!(calls = self.calls.len(), "shutting down: no new calls");
        self.stopping = Some(now + self.cfg.grace);
        let ringing: Vec<u64> = self.ringing.iter().map(|r| r.1).collect();
        for no in ringing {
            self.reject_ringing(no);
        }
    }

    /// Past the grace deadline: hangs up every call left.
    fn shutdown_step(&mut self, now: Instant) {
        let Some(deadline) = self.stopping else {
            return;
        };
        if self.hung_up_all || now < deadline {
            return;
        }
        self.hung_up_all = true;
        let calls: Vec<u64> = self.calls.keys().copied().collect();
        tracing::info!(calls = calls.len(), "grace period over: hanging up");
        for no in calls {
            if let Some(entry) = self.calls.remove(&no) {
                self.send_bye(&entry);
                self.end_entry(no, &entry, HangupCause::Shutdown);
            }
        }
    }

    /// Ends call `no` (already out of the registry): its task is told to stop and reports
    /// the summary; a call without a task (ringing, or awaiting the ACK's answer) is
    /// recorded here.
    pub(crate) fn end_entry(&self, no: u64, entry: &CallEntry, cause: HangupCause) {
        match &entry.state {
            CallState::Active(tx) => {
                // A closed channel is a task that ended by itself and reported already.
                if let Err(mpsc::error::TrySendError::Full(_)) =
                    tx.try_send(CallCommand::End(cause))
                {
                    tracing::warn!(call = no, cause = cause.as_str(), "call task busy");
                }
            }
            CallState::Ringing(p) | CallState::AwaitingAck(p) => {
                self.record_unanswered(no, entry.call_id.clone(), p.started_ms, cause);
            }
            CallState::Moving => {}
        }
    }

    /// Queues the record of a call that never reached media (dropped, with a warning, when
    /// the store falls behind: signalling never waits for it).
    pub(crate) fn record_unanswered(
        &self,
        no: u64,
        call_id: String,
        started_ms: u64,
        cause: HangupCause,
    ) {
        let summary = CallSummary::unanswered(no, call_id, started_ms, cause);
        if self.summaries.try_send(summary).is_err() {
            tracing::warn!(call = no, "call record dropped: the store is behind");
        }
    }

    fn finished(&self, now: Instant) -> bool {
        let Some(deadline) = self.stopping else {
            return false;
        };
        self.calls.is_empty()
            && self.legs.is_empty()
            && (self.byes.is_empty() || now >= deadline + BYE_WAIT)
    }
}
