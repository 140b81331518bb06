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

mod view;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use router::{AgentSpec, AgentState, CallKey, CallRequest, Event, Presence, QueueSpec, Router};
use tokio::sync::{mpsc, oneshot};

use crate::config::{CenterConfig, OverflowTo};
use crate::telephony::PhoneEvent;
pub use view::{AgentRow, CenterView, QueueRow};

/// Messages queued for the service.
const QUEUE: usize = 1024;
/// Replies queued per call (positions beyond are dropped; the next one says it again).
const REPLIES: usize = 32;

/// A call a flow hands to a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    /// The runtime's call number.
    pub call: u64,
    /// The queue.
    pub queue: String,
    /// The flow's priority (higher first).
    pub priority: u8,
    /// A VIP caller.
    pub vip: bool,
    /// A caller in crisis (answered before everyone else).
    pub crisis: bool,
    /// An upset caller.
    pub upset: bool,
    /// The caller's language.
    pub language: Option<String>,
    /// Skills the call needs beyond the queue's.
    pub skills: Vec<String>,
}

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
    News(u64, News),
    Presence(String, Presence, oneshot::Sender<Result<(), String>>),
    View(oneshot::Sender<CenterView>),
}

/// A handle on the contact center (cheap to clone).
#[derive(Debug, Clone)]
pub struct Center {
    tx: mpsc::Sender<Msg>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("center message")
    }
}

impl Center {
    /// Starts the service for `config`'s agents and the queues named in `queues` (settings
    /// from `config`, else defaults), fed phone events by `phones`.
    pub fn start(
        config: &CenterConfig,
        queues: &[String],
        phones: mpsc::Receiver<PhoneEvent>,
        events: crate::events::Events,
    ) -> Result<Center, String> {
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
            let _ = router.set_reachable(now, &a.id, true);
            let _ = router.set_presence(now, &a.id, Presence::Available);
        }
        let agent_names: HashMap<String, String> = config
            .agents
            .iter()
            .map(|a| (a.id.clone(), a.name.clone().unwrap_or_else(|| a.id.clone())))
            .collect();
        let (tx, rx) = mpsc::channel(QUEUE);
        let service = Service {
            router,
            replies: HashMap::new(),
            names: agent_names,
            queues: queue_names,
            events,
        };
        tokio::spawn(service.run(rx, phones));
        Ok(Center { tx })
    }

    /// A handle whose messages a test reads.
    #[cfg(test)]
    pub(crate) fn for_test() -> (Center, mpsc::Receiver<Msg>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (Center { tx }, rx)
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
            Msg::Presence(agent, presence, done) => {
                let r = self
                    .router
                    .set_presence(now, &agent, presence)
                    .map_err(|e| e.to_string());
                let _ = done.send(r);
            }
            Msg::View(done) => {
                let _ = done.send(view::build(&self.router, &self.names, &self.queues, now));
            }
        }
    }

    fn enqueue(&mut self, now: Instant, ask: Ask, replies: mpsc::Sender<Reply>) {
        let key = CallKey(ask.call);
        let req = CallRequest {
            call: key,
            queue: ask.queue.clone(),
            priority: ask.priority,
            vip: ask.vip,
            crisis: ask.crisis,
            upset: ask.upset,
            language: ask.language,
            skills: ask.skills,
        };
        match self.router.enqueue(now, req) {
            Ok(e) => {
                tracing::info!(call = ask.call, queue = %ask.queue, position = e.position, "queued for an agent");
                let _ = replies.try_send(Reply::Queued {
                    position: e.position,
                    wait: e.expected_wait,
                });
                self.replies.insert(ask.call, replies);
            }
            Err(why) => {
                tracing::info!(call = ask.call, queue = %ask.queue, %why, "not queued");
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
        let now = Instant::now();
        if self
            .router
            .set_reachable(now, &p.agent, p.reachable)
            .is_err()
        {
            return;
        }
        // A phone that registers logs its agent in; the API sets away/available after.
        let logged_out = self
            .router
            .agent(&p.agent)
            .is_some_and(|a| a.state == AgentState::LoggedOut);
        if p.reachable && logged_out {
            let _ = self.router.set_presence(now, &p.agent, Presence::Available);
        }
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
                    tracing::info!(%agent, state = view::state_name(&state), "agent state");
                    self.events.publish(crate::events::Event::AgentState {
                        agent,
                        state: view::state_name(&state),
                    });
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
