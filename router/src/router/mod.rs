//! The engine: every agent, queue and call, the timer table and the event queue. This file
//! holds the state, construction, getters, polling and timer dispatch; agent inputs are in
//! `agents`, call inputs in `calls`, matching, overflow and announcements in `dispatch`.

mod agents;
mod calls;
mod dispatch;

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crate::agent::{Agent, AgentSpec, AgentState, AgentView};
use crate::call::{Call, CallKey, CallRequest, CallView};
use crate::estimate::HandleTime;
use crate::event::{Event, RouterError};
use crate::queue::{Queue, QueueSpec, QueueView};
use crate::timer::{Timer, TimerTable};

/// Tuning shared by every queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouterConfig {
    /// Added (saturating) to a VIP call's priority (default 2).
    pub vip_boost: u8,
    /// Added (saturating) to an upset caller's priority (default 1).
    pub upset_boost: u8,
    /// Handle time assumed before any call of a queue has ended (default 180 s).
    pub initial_handle_time: Duration,
    /// How long a logged-in agent whose phone became unreachable still counts as one who
    /// could take calls (default 30 s): a registration refreshed a little late does not
    /// overflow the calls waiting for that agent. It is offered no calls meanwhile.
    pub unreachable_grace: Duration,
}

impl Default for RouterConfig {
    fn default() -> Self {
        Self {
            vip_boost: 2,
            upset_boost: 1,
            initial_handle_time: Duration::from_secs(180),
            unreachable_grace: Duration::from_secs(30),
        }
    }
}

/// Routes queued calls to human agents, sans-IO; see the [crate docs](crate) for the
/// rule and the order of calls.
#[derive(Debug, Clone)]
pub struct Router {
    config: RouterConfig,
    agents: BTreeMap<String, Agent>,
    queues: BTreeMap<String, Queue>,
    calls: BTreeMap<CallKey, Call>,
    timers: TimerTable,
    events: VecDeque<Event>,
    /// Arrival sequence of calls (orders calls enqueued at the same instant).
    seq: u64,
}

impl Router {
    /// A router for `agents` (all logged out and unreachable) and `queues`, at `now`.
    pub fn new(
        now: Instant,
        config: RouterConfig,
        agents: Vec<AgentSpec>,
        queues: Vec<QueueSpec>,
    ) -> Result<Self, RouterError> {
        let mut router = Self {
            config,
            agents: BTreeMap::new(),
            queues: BTreeMap::new(),
            calls: BTreeMap::new(),
            timers: TimerTable::default(),
            events: VecDeque::new(),
            seq: 0,
        };
        for spec in agents {
            if router.agents.contains_key(&spec.id) {
                return Err(RouterError::DuplicateAgent(spec.id));
            }
            router.agents.insert(spec.id.clone(), Agent::new(now, spec));
        }
        for spec in queues {
            if router.queues.contains_key(&spec.name) {
                return Err(RouterError::DuplicateQueue(spec.name));
            }
            let handle_time = HandleTime::new(config.initial_handle_time);
            router
                .queues
                .insert(spec.name.clone(), Queue { spec, handle_time });
        }
        Ok(router)
    }

    /// The configuration.
    pub fn config(&self) -> &RouterConfig {
        &self.config
    }

    /// Every agent, by id.
    pub fn agents(&self) -> impl Iterator<Item = AgentView<'_>> {
        self.agents.values().map(Agent::view)
    }

    /// One agent.
    pub fn agent(&self, id: &str) -> Option<AgentView<'_>> {
        self.agents.get(id).map(Agent::view)
    }

    /// One queue with its waiting and ringing calls in order.
    pub fn queue(&self, name: &str) -> Option<QueueView<'_>> {
        let queue = self.queues.get(name)?;
        let mut calls: Vec<&Call> = self
            .calls
            .values()
            .filter(|c| c.queued() && c.req.queue == name)
            .collect();
        calls.sort_by_key(|c| c.order);
        Some(QueueView {
            spec: &queue.spec,
            calls: calls.into_iter().map(|c| self.view_call(c)).collect(),
            handle_time: queue.handle_time.mean(),
        })
    }

    /// One call, queued or connected.
    pub fn call(&self, key: CallKey) -> Option<CallView<'_>> {
        self.calls.get(&key).map(|c| self.view_call(c))
    }

    /// The next event; drain until `None` after every input.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next (`None`: no timer).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// Fires every timer due at `now`: ring-outs, retries, announcements, overflows and
    /// ends of wrap-up.
    pub fn handle_timeout(&mut self, now: Instant) {
        let mut announce = Vec::new();
        for timer in self.timers.take_due(now) {
            match timer {
                Timer::Ring(call) => self.ring_out(now, call),
                // Matching below offers the call to the agent again.
                Timer::Retry(_) => {}
                Timer::Announce(call) => announce.push(call),
                Timer::MaxWait(call) => self.overflow(now, call),
                Timer::WrapUp(agent) => self.end_wrap_up(now, &agent),
                Timer::Grace(agent) => {
                    if let Some(a) = self.agents.get_mut(&agent) {
                        a.grace_until = None;
                    }
                }
            }
        }
        self.settle(now);
        for call in announce {
            self.announce(now, call);
        }
    }

    fn emit(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// Moves agent `id` to `state` at `now` (an event if it changed), keeping the wrap-up
    /// timer in step. Becoming available restarts the agent's idle time.
    fn set_state(&mut self, now: Instant, id: &str, state: AgentState) {
        let Some(agent) = self.agents.get_mut(id) else {
            return;
        };
        if agent.state == state {
            return;
        }
        if matches!(agent.state, AgentState::AfterCallWork { .. }) {
            self.timers.disarm(&Timer::WrapUp(id.to_owned()));
        }
        if let AgentState::AfterCallWork { until, .. } = state {
            self.timers.arm(Timer::WrapUp(id.to_owned()), Some(until));
        }
        if state == AgentState::Available {
            agent.idle_since = now;
        }
        agent.state = state;
        agent.since = now;
        self.emit(Event::AgentState {
            agent: id.to_owned(),
            state,
            at: now,
        });
    }

    /// Makes a ringing agent available again after an offer withdrawn through no fault of
    /// its own: it keeps its place in the longest-idle order.
    fn release(&mut self, now: Instant, id: &str) {
        let idle_since = self.agents.get(id).map(|a| a.idle_since);
        self.set_state(now, id, AgentState::Available);
        if let (Some(agent), Some(idle_since)) = (self.agents.get_mut(id), idle_since) {
            agent.idle_since = idle_since;
        }
    }

    /// How many logged-in, reachable agents could take `req` in `queue`.
    fn capable(&self, queue: &QueueSpec, req: &CallRequest) -> usize {
        self.agents
            .values()
            .filter(|a| a.logged_in() && a.qualifies(&queue.skills, req))
            .count()
    }

    /// The expected wait of `call` at `position`: zero while ringing.
    fn expected_wait(&self, call: &Call, position: usize) -> Option<Duration> {
        if call.ringing().is_some() {
            return Some(Duration::ZERO);
        }
        let queue = self.queues.get(&call.req.queue)?;
        let agents = self.capable(&queue.spec, &call.req);
        queue.handle_time.expected_wait(position, agents)
    }

    fn view_call<'a>(&'a self, call: &'a Call) -> CallView<'a> {
        let queued = call.queued().then_some(call.position);
        CallView {
            call: call.req.call,
            queue: &call.req.queue,
            status: call.status(),
            enqueued_at: call.enqueued_at,
            position: queued,
            expected_wait: queued.and_then(|p| self.expected_wait(call, p)),
        }
    }
}
