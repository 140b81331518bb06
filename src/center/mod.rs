//! The contact center's service: one task owns the sans-IO [`router::Router`] and drives it
//! with what happens — calls queued by flows and their news (answered, declined, left,
//! ended), the agents' phones registering (from the telephony runtime) and presence set
//! through the API — and the clock (the router's next timeout). What the router decides
//! goes back to each call on its own bounded reply channel.
//!
//! Owns: the router and the reply channels. Must not touch: SIP, audio, the store. Agents
//! with a phone that registers are logged in (available) while it is registered; agents
//! with only a fixed address are reachable and available from the start; the API changes
//! presence.

mod book;
mod view;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use router::{AgentSpec, AgentState, Event, Presence, QueueSpec, Router};
use tokio::sync::{mpsc, oneshot};

use crate::config::{CenterConfig, OverflowTo};
use crate::store::AgentStateRow;
use crate::telephony::PhoneEvent;
pub use book::{AgentEntry, BookError, hashes};
/// A call a flow hands to a queue (the router's request: the calls layer names only the
/// center).
pub use router::{CallKey, CallRequest as Ask};
pub use view::{AgentRow, CenterView, QueueRow};

/// Agent state changes queued for the store.
pub const STATE_LOG: usize = 1024;
/// Agent changes queued for telephony (more than the API may add, so a start with every
/// stored agent fits before telephony runs).
pub const PHONE_BOOK: usize = 1100;

/// Messages queued for the service.
const QUEUE: usize = 1024;
/// Replies queued per call (positions beyond are dropped; the next one says it again).
const REPLIES: usize = 32;

/// What a queued call hears back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// In the queue at this place.
    Queued {
        /// 1-based place.
        position: usize,
        /// The expected wait.
        wait: Option<Duration>,
    },
    /// Not queued: nobody could take it, or the queue is full.
    Refused(Refusal),
    /// Ring this agent.
    Ring {
        /// The agent's id.
        agent: String,
    },
    /// Stop ringing (rang out, the agent went away).
    Cancel,
    /// The call's place now.
    Position {
        /// 1-based place.
        position: usize,
        /// The expected wait.
        wait: Option<Duration>,
    },
    /// Waited too long, or the last agent left.
    Overflow(OverflowTo),
}

/// Why a call was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No agent who could take it is logged in.
    NobodyAvailable,
    /// The queue is full.
    QueueFull,
    /// The queue does not exist.
    UnknownQueue,
}

/// What happened to a queued call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum News {
    /// The rung agent answered.
    Answered,
    /// The rung agent's phone refused or failed.
    Declined,
    /// The caller hung up before an agent took the call.
    Left,
    /// The bridged call ended.
    Ended,
    /// The agent on the call transferred it to this agent.
    Transferred(String),
}

pub(crate) enum Msg {
    Enqueue(Ask, mpsc::Sender<Reply>),
    Upsert(AgentEntry, oneshot::Sender<Result<(), BookError>>),
    Remove(String, oneshot::Sender<Result<(), BookError>>),
    News(u64, News),
    Presence(String, Presence, oneshot::Sender<Result<(), String>>),
    View(oneshot::Sender<CenterView>),
}

/// What the service is wired to.
#[derive(Debug)]
pub struct CenterIo {
    /// The agents' phones registering and expiring (from the telephony runtime).
    pub phones: mpsc::Receiver<PhoneEvent>,
    /// Where agents' states and the calls' news are published.
    pub events: crate::events::Events,
    /// Where each change of an agent's state is logged (the store's sink), if anywhere.
    pub states: Option<mpsc::Sender<AgentStateRow>>,
    /// Where agents added, changed or removed while running go (telephony), if anywhere.
    pub phone_book: Option<mpsc::Sender<crate::telephony::AgentChange>>,
}

/// What the service starts with.
#[derive(Debug)]
pub struct CenterSetup<'a> {
    /// `[center]`: the configured agents and queue settings.
    pub config: &'a CenterConfig,
    /// The queues flows name (settings from `config`, else defaults).
    pub queues: &'a [String],
    /// Agents added through the API earlier (the store's).
    pub stored: Vec<AgentEntry>,
    /// The SIP digest realm (API-added agents' secrets are hashed for it).
    pub realm: String,
}

/// A handle on the contact center (cheap to clone).
#[derive(Debug, Clone)]
pub struct Center {
    tx: mpsc::Sender<Msg>,
    configured: Arc<HashSet<String>>,
    realm: Arc<str>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("center message")
    }
}

impl Center {
    /// Starts the service for the configured and stored agents and the queues of `setup`,
    /// wired to `io`.
    pub fn start(setup: CenterSetup<'_>, io: CenterIo) -> Result<Center, String> {
        let CenterSetup {
            config,
            queues,
            stored,
            realm,
        } = setup;
        let now = Instant::now();
        let mut names: Vec<String> = queues.to_vec();
        names.extend(config.queues.iter().map(|q| q.name.clone()));
        names.sort();
        names.dedup();
        let specs = names.iter().map(|n| queue_spec(config, n)).collect();
        let queue_names = names;
        let agents = config
            .agents
            .iter()
            .map(|a| AgentSpec {
                id: a.id.clone(),
                skills: a.skills.clone(),
                languages: a.languages.clone(),
            })
            .collect();
        let mut router = Router::new(now, router::RouterConfig::default(), agents, specs)
            .map_err(|e| e.to_string())?;
        for a in config.agents.iter().filter(|a| a.uri.is_some()) {
            reach(&mut router, now, &a.id, true);
        }
        let agent_names: HashMap<String, String> = config
            .agents
            .iter()
            .map(|a| (a.id.clone(), a.name.clone().unwrap_or_else(|| a.id.clone())))
            .collect();
        let configured: Arc<HashSet<String>> =
            Arc::new(config.agents.iter().map(|a| a.id.clone()).collect());
        let (tx, rx) = mpsc::channel(QUEUE);
        let mut service = Service {
            router,
            replies: HashMap::new(),
            names: agent_names,
            queues: queue_names,
            events: io.events,
            states: io.states,
            configured: Arc::clone(&configured),
            phone_book: io.phone_book,
        };
        for entry in stored {
            if let Err(e) = service.upsert(now, entry) {
                tracing::warn!(error = %e, "stored agent skipped");
            }
        }
        tokio::spawn(service.run(rx, io.phones));
        Ok(Center {
            tx,
            configured,
            realm: realm.into(),
        })
    }

    /// A handle whose messages a test reads.
    #[cfg(test)]
    pub(crate) fn for_test() -> (Center, mpsc::Receiver<Msg>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let center = Center {
            tx,
            configured: Arc::default(),
            realm: "voxgate".into(),
        };
        (center, rx)
    }

    /// Whether agent `id` comes from the configuration file (not changeable by the API).
    pub fn is_configured(&self, id: &str) -> bool {
        self.configured.contains(id)
    }

    /// The SIP digest realm agents' secrets are made for.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// Adds or changes an agent (the API).
    pub async fn set_agent(&self, entry: AgentEntry) -> Result<(), BookError> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Msg::Upsert(entry, tx))
            .await
            .map_err(|_| BookError::Stopped)?;
        rx.await.unwrap_or(Err(BookError::Stopped))
    }

    /// Removes an agent (the API).
    pub async fn remove_agent(&self, id: &str) -> Result<(), BookError> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Msg::Remove(id.to_owned(), tx))
            .await
            .map_err(|_| BookError::Stopped)?;
        rx.await.unwrap_or(Err(BookError::Stopped))
    }

    /// Queues a call; its replies come on the returned channel (`None`: the service is
    /// gone or overloaded — treat as nobody available).
    pub fn enqueue(&self, ask: Ask) -> Option<mpsc::Receiver<Reply>> {
        let (tx, rx) = mpsc::channel(REPLIES);
        self.tx.try_send(Msg::Enqueue(ask, tx)).ok()?;
        Some(rx)
    }

    /// Tells the router what happened to call `call`.
    pub fn tell(&self, call: u64, news: News) {
        if let Err(e) = self.tx.try_send(Msg::News(call, news)) {
            let Msg::News(_, news) = e.into_inner() else {
                return;
            };
            tracing::warn!(call, ?news, "contact center busy: news dropped");
        }
    }

    /// Sets an agent's presence (the API).
    pub async fn set_presence(&self, agent: &str, presence: Presence) -> Result<(), String> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Msg::Presence(agent.to_owned(), presence, tx))
            .await
            .map_err(|_| "the contact center stopped".to_string())?;
        rx.await
            .unwrap_or_else(|_| Err("the contact center stopped".into()))
    }

    /// The agents and queues now (the API).
    pub async fn view(&self) -> Option<CenterView> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Msg::View(tx)).await.ok()?;
        rx.await.ok()
    }
}

/// Agent `id`'s phone can (or can no longer) be reached: a phone that becomes reachable (it
/// registered, or the agent has a fixed address) logs a logged-out agent in; the API sets
/// away or available after. Unknown agents are ignored.
fn reach(router: &mut Router, now: Instant, id: &str, reachable: bool) {
    if router.set_reachable(now, id, reachable).is_err() {
        return;
    }
    let logged_out = router
        .agent(id)
        .is_some_and(|a| a.state == AgentState::LoggedOut);
    if reachable && logged_out {
        let _ = router.set_presence(now, id, Presence::Available);
    }
}

fn queue_spec(config: &CenterConfig, name: &str) -> QueueSpec {
    let q = config.queue(name);
    let secs = |s: f64| Duration::from_secs_f64(s.max(0.0));
    QueueSpec {
        name: q.name.clone(),
        skills: q.skills.clone(),
        ring_timeout: secs(q.ring_secs),
        max_wait: secs(q.max_wait_secs),
        max_queued: q.max_queued,
        announce_every: secs(q.announce_secs),
        wrap_up: secs(q.wrap_up_secs),
        overflow: match q.overflow {
            OverflowTo::Voicemail => router::Overflow::Voicemail,
            OverflowTo::Callback => router::Overflow::Callback,
            OverflowTo::Hangup => router::Overflow::Hangup,
        },
    }
}

struct Service {
    router: Router,
    replies: HashMap<u64, mpsc::Sender<Reply>>,
    names: HashMap<String, String>,
    queues: Vec<String>,
    events: crate::events::Events,
    states: Option<mpsc::Sender<AgentStateRow>>,
    /// The configuration file's agents.
    configured: Arc<HashSet<String>>,
    phone_book: Option<mpsc::Sender<crate::telephony::AgentChange>>,
}

impl Service {
    async fn run(mut self, mut rx: mpsc::Receiver<Msg>, mut phones: mpsc::Receiver<PhoneEvent>) {
        let far = Duration::from_secs(3600);
        loop {
            let wake = self
                .router
                .poll_timeout()
                .unwrap_or_else(|| Instant::now() + far);
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(m) => self.on_msg(m),
                    None => break,
                },
                Some(p) = phones.recv() => self.on_phone(p),
                () = tokio::time::sleep_until(wake.into()) => {
                    self.router.handle_timeout(Instant::now());
                }
            }
            self.drain();
        }
    }

    fn on_msg(&mut self, msg: Msg) {
        let now = Instant::now();
        match msg {
            Msg::Enqueue(ask, replies) => self.enqueue(now, ask, replies),
            Msg::News(call, news) => self.news(now, call, news),
            Msg::Upsert(entry, done) => {
                let _ = done.send(self.upsert(now, entry));
            }
            Msg::Remove(id, done) => {
                let _ = done.send(self.remove(now, &id));
            }
            Msg::Presence(agent, presence, done) => {
                let r = self
                    .router
                    .set_presence(now, &agent, presence)
                    .map_err(|e| e.to_string());
                let _ = done.send(r);
            }
            Msg::View(done) => {
                let known = (&self.names, &*self.configured);
                let _ = done.send(view::build(&self.router, known, &self.queues, now));
            }
        }
    }

    fn enqueue(&mut self, now: Instant, ask: Ask, replies: mpsc::Sender<Reply>) {
        let (call, queue) = (ask.call.0, ask.queue.clone());
        match self.router.enqueue(now, ask) {
            Ok(e) => {
                tracing::info!(call, %queue, position = e.position, "queued for an agent");
                let _ = replies.try_send(Reply::Queued {
                    position: e.position,
                    wait: e.expected_wait,
                });
                self.replies.insert(call, replies);
            }
            Err(why) => {
                tracing::info!(call, %queue, %why, "not queued");
                let refusal = match why {
                    router::Refused::QueueFull { .. } => Refusal::QueueFull,
                    router::Refused::UnknownQueue(_) => Refusal::UnknownQueue,
                    _ => Refusal::NobodyAvailable,
                };
                let _ = replies.try_send(Reply::Refused(refusal));
            }
        }
    }

    fn news(&mut self, now: Instant, call: u64, news: News) {
        let key = CallKey(call);
        let what = format!("{news:?}");
        let r = match news {
            News::Answered => self.router.answered(now, key),
            News::Declined => self.router.declined(now, key),
            News::Left => {
                self.replies.remove(&call);
                self.router.caller_left(now, key)
            }
            News::Ended => {
                self.replies.remove(&call);
                self.router.call_ended(now, key)
            }
            News::Transferred(to) => self.router.transferred(now, key, &to),
        };
        if let Err(e) = r {
            tracing::debug!(call, news = %what, error = %e, "router refused news");
        }
    }

    fn on_phone(&mut self, p: PhoneEvent) {
        reach(&mut self.router, Instant::now(), &p.agent, p.reachable);
    }

    /// Publishes and logs an agent's new state.
    fn agent_state(&mut self, agent: String, state: &AgentState) {
        let name = view::state_name(state);
        tracing::info!(%agent, state = name, "agent state");
        if let Some(log) = &self.states {
            let row = AgentStateRow {
                agent: agent.clone(),
                state: name.to_owned(),
                detail: view::away_reason(state).map(str::to_owned),
                call: view::state_call(state),
                at_ms: crate::store::to_ms(std::time::SystemTime::now()),
            };
            if log.try_send(row).is_err() {
                tracing::warn!(%agent, "agent state not logged (store behind)");
            }
        }
        self.events
            .publish(crate::events::Event::AgentState { agent, state: name });
    }

    /// Acts on what the router decided.
    fn drain(&mut self) {
        while let Some(ev) = self.router.poll_event() {
            let (call, reply) = match ev {
                Event::Offer { call, agent } => (call, Reply::Ring { agent }),
                Event::CancelOffer { call, .. } => (call, Reply::Cancel),
                Event::Position {
                    call,
                    position,
                    expected_wait,
                } => (
                    call,
                    Reply::Position {
                        position,
                        wait: expected_wait,
                    },
                ),
                Event::Overflow { call, to } => {
                    let to = match to {
                        router::Overflow::Callback => OverflowTo::Callback,
                        router::Overflow::Hangup => OverflowTo::Hangup,
                        _ => OverflowTo::Voicemail,
                    };
                    (call, Reply::Overflow(to))
                }
                Event::AgentState { agent, state, .. } => {
                    self.agent_state(agent, &state);
                    continue;
                }
                _ => continue,
            };
            let Some(tx) = self.replies.get(&call.0) else {
                continue;
            };
            if tx.try_send(reply).is_err() {
                tracing::debug!(call = call.0, "call not listening to its queue");
            }
        }
    }
}
