//! A router in virtual time: every input pumps the events into a log the test reads, and
//! `advance` fires timers in order up to the new instant, as the runtime would.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, unreachable_pub)]

use std::time::{Duration, Instant};

use router::{
    AgentSpec, AgentState, CallKey, CallRequest, Enqueued, Event, Presence, QueueSpec, Refused,
    Router, RouterConfig,
};

/// Seconds.
pub fn s(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

/// An agent with skills and languages.
pub fn agent(id: &str, skills: &[&str], languages: &[&str]) -> AgentSpec {
    AgentSpec {
        id: id.into(),
        skills: skills.iter().map(|s| s.to_string()).collect(),
        languages: languages.iter().map(|s| s.to_string()).collect(),
    }
}

/// A queue with the default timings.
pub fn queue(name: &str) -> QueueSpec {
    QueueSpec::new(name)
}

/// A plain call to `queue`.
pub fn call(n: u64, queue: &str) -> CallRequest {
    CallRequest::new(CallKey(n), queue)
}

/// The router, the virtual clock and the events not yet read.
pub struct Sim {
    pub router: Router,
    pub t0: Instant,
    pub now: Instant,
    events: Vec<Event>,
}

impl Sim {
    pub fn new(agents: Vec<AgentSpec>, queues: Vec<QueueSpec>) -> Self {
        let t0 = Instant::now();
        let router = Router::new(t0, RouterConfig::default(), agents, queues).unwrap();
        Self {
            router,
            t0,
            now: t0,
            events: Vec::new(),
        }
    }

    /// Seconds since the start.
    pub fn elapsed(&self) -> Duration {
        self.now - self.t0
    }

    fn pump(&mut self) {
        while let Some(e) = self.router.poll_event() {
            self.events.push(e);
        }
    }

    /// Fires every timer up to `d` from now, each at its own instant.
    pub fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        while let Some(at) = self.router.poll_timeout() {
            if at > target {
                break;
            }
            assert!(at >= self.now, "a timer in the past: {at:?}");
            self.now = at;
            self.router.handle_timeout(at);
            self.pump();
        }
        self.now = target;
    }

    /// Every event since the last call.
    pub fn take(&mut self) -> Vec<Event> {
        self.pump();
        std::mem::take(&mut self.events)
    }

    /// The offers among the events since the last call, discarding the others.
    pub fn offers(&mut self) -> Vec<(u64, String)> {
        self.take()
            .into_iter()
            .filter_map(|e| match e {
                Event::Offer { call, agent } => Some((call.0, agent)),
                _ => None,
            })
            .collect()
    }

    /// Reachable and available.
    pub fn login(&mut self, id: &str) {
        self.router.set_reachable(self.now, id, true).unwrap();
        self.router
            .set_presence(self.now, id, Presence::Available)
            .unwrap();
        self.pump();
    }

    pub fn presence(&mut self, id: &str, p: Presence) {
        self.router.set_presence(self.now, id, p).unwrap();
        self.pump();
    }

    pub fn enqueue(&mut self, req: CallRequest) -> Result<Enqueued, Refused> {
        let r = self.router.enqueue(self.now, req);
        self.pump();
        r
    }

    pub fn answer(&mut self, n: u64) {
        self.router.answered(self.now, CallKey(n)).unwrap();
        self.pump();
    }

    pub fn decline(&mut self, n: u64) {
        self.router.declined(self.now, CallKey(n)).unwrap();
        self.pump();
    }

    pub fn end(&mut self, n: u64) {
        self.router.call_ended(self.now, CallKey(n)).unwrap();
        self.pump();
    }

    pub fn state(&self, id: &str) -> AgentState {
        self.router.agent(id).unwrap().state
    }
}
