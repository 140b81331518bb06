//! Random input sequences against a model of outstanding offers: the router never panics,
//! never offers one call to two agents or one agent two calls, agrees with the model about
//! who is ringing, never leaves a timer in the past, and every offer ends (answered,
//! declined, cancelled) once time runs on.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use router::{
    AgentSpec, AgentState, CallKey, CallRequest, CallStatus, Event, Presence, QueueSpec, Router,
    RouterConfig,
};

const AGENTS: [&str; 4] = ["a", "b", "c", "d"];
const QUEUES: [&str; 2] = ["sales", "support"];

#[derive(Debug, Clone)]
enum Op {
    Enqueue {
        call: u64,
        queue: usize,
        priority: u8,
        flags: u8,
        zh: bool,
    },
    Presence(usize, u8),
    Reachable(usize, bool),
    Answer(u64),
    Decline(u64),
    CallerLeft(u64),
    CallEnded(u64),
    Transfer(u64, usize),
    Remove(usize),
    Upsert(usize, bool),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let call = 0..6u64;
    let agent = 0..AGENTS.len();
    prop_oneof![
        3 => (call.clone(), 0..QUEUES.len(), 0..4u8, 0..8u8, any::<bool>()).prop_map(
            |(call, queue, priority, flags, zh)| Op::Enqueue { call, queue, priority, flags, zh }
        ),
        3 => (agent.clone(), 0..3u8).prop_map(|(a, p)| Op::Presence(a, p)),
        2 => (agent.clone(), any::<bool>()).prop_map(|(a, r)| Op::Reachable(a, r)),
        2 => call.clone().prop_map(Op::Answer),
        2 => call.clone().prop_map(Op::Decline),
        1 => call.clone().prop_map(Op::CallerLeft),
        2 => call.clone().prop_map(Op::CallEnded),
        1 => (call, agent.clone()).prop_map(|(c, a)| Op::Transfer(c, a)),
        1 => agent.clone().prop_map(Op::Remove),
        1 => (agent, any::<bool>()).prop_map(|(a, t)| Op::Upsert(a, t)),
        3 => (0..90u64).prop_map(Op::Advance),
    ]
}

fn spec(i: usize, tech: bool) -> AgentSpec {
    let languages = if i == 2 {
        vec!["zh".into()]
    } else {
        Vec::new()
    };
    let skills = if tech {
        vec!["tech".into()]
    } else {
        Vec::new()
    };
    AgentSpec {
        id: AGENTS[i].into(),
        skills,
        languages,
    }
}

fn queues() -> Vec<QueueSpec> {
    QUEUES
        .iter()
        .map(|name| QueueSpec {
            skills: if *name == "support" {
                vec!["tech".into()]
            } else {
                Vec::new()
            },
            ring_timeout: Duration::from_secs(10),
            max_wait: Duration::from_secs(120),
            max_queued: 4,
            announce_every: Duration::from_secs(30),
            wrap_up: Duration::from_secs(15),
            ..QueueSpec::new(*name)
        })
        .collect()
}

/// The router, virtual time and the offers it has made that have not ended.
struct Model {
    router: Router,
    now: Instant,
    offers: BTreeMap<CallKey, String>,
}

impl Model {
    fn drain(&mut self) {
        while let Some(event) = self.router.poll_event() {
            match event {
                Event::Offer { call, agent } => {
                    assert!(!self.offers.contains_key(&call), "{call} offered twice");
                    assert!(
                        !self.offers.values().any(|a| *a == agent),
                        "{agent} offered two calls"
                    );
                    self.offers.insert(call, agent);
                }
                Event::CancelOffer { call, agent } => {
                    assert_eq!(self.offers.remove(&call), Some(agent), "cancel of no offer");
                }
                _ => {}
            }
        }
    }

    /// An input that ends an offer silently when it succeeds (answer, decline).
    fn ends_offer(&mut self, call: CallKey, ok: bool) {
        assert_eq!(ok, self.offers.contains_key(&call), "{call}: ok={ok}");
        self.offers.remove(&call);
    }

    fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        while let Some(at) = self.router.poll_timeout().filter(|at| *at <= target) {
            self.now = at;
            self.router.handle_timeout(at);
            self.drain();
        }
        self.now = target;
    }

    fn apply(&mut self, op: Op) {
        let now = self.now;
        let r = &mut self.router;
        match op {
            Op::Enqueue {
                call,
                queue,
                priority,
                flags,
                zh,
            } => {
                let mut req = CallRequest::new(CallKey(call), QUEUES[queue]);
                req.priority = priority;
                req.vip = flags & 1 != 0;
                req.upset = flags & 2 != 0;
                req.crisis = flags & 4 != 0;
                req.language = zh.then(|| "zh".into());
                let _ = r.enqueue(now, req);
            }
            Op::Presence(a, p) => {
                let p = [Presence::Available, Presence::Away, Presence::LoggedOut][p as usize];
                let _ = r.set_presence(now, AGENTS[a], p);
            }
            Op::Reachable(a, on) => drop(r.set_reachable(now, AGENTS[a], on)),
            Op::Answer(c) => {
                let ok = r.answered(now, CallKey(c)).is_ok();
                self.drain();
                self.ends_offer(CallKey(c), ok);
            }
            Op::Decline(c) => {
                let ok = r.declined(now, CallKey(c)).is_ok();
                // The decline ends the offer before any new one the router makes.
                self.ends_offer(CallKey(c), ok);
            }
            Op::CallerLeft(c) => drop(r.caller_left(now, CallKey(c))),
            Op::CallEnded(c) => drop(r.call_ended(now, CallKey(c))),
            Op::Transfer(c, a) => drop(r.transferred(now, CallKey(c), AGENTS[a])),
            Op::Remove(a) => drop(r.remove_agent(now, AGENTS[a])),
            Op::Upsert(a, tech) => r.upsert_agent(now, spec(a, tech)),
            Op::Advance(secs) => self.advance(Duration::from_secs(secs)),
        }
        self.drain();
        self.check();
    }

    /// The router's view agrees with the model, and no timer is left in the past.
    fn check(&self) {
        for (call, agent) in &self.offers {
            let view = self.router.agent(agent).unwrap();
            assert_eq!(view.state, AgentState::Ringing { call: *call });
            assert!(view.reachable && !view.removed);
            let status = self.router.call(*call).unwrap().status;
            assert_eq!(status, CallStatus::Ringing { agent });
        }
        for view in self.router.agents() {
            if let AgentState::Ringing { call } = view.state {
                assert_eq!(self.offers.get(&call).map(String::as_str), Some(view.id));
            }
        }
        if let Some(at) = self.router.poll_timeout() {
            assert!(at > self.now, "timer left in the past");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_inputs_keep_offers_consistent(ops in prop::collection::vec(op(), 1..80)) {
        let t0 = Instant::now();
        let agents = (0..AGENTS.len()).map(|i| spec(i, i % 2 == 1)).collect();
        let router = Router::new(t0, RouterConfig::default(), agents, queues()).unwrap();
        let mut model = Model { router, now: t0, offers: BTreeMap::new() };
        for i in 0..AGENTS.len() {
            model.apply(Op::Reachable(i, true));
            model.apply(Op::Presence(i, 0));
        }
        for op in ops {
            model.apply(op);
        }
        // Nobody answers any more: every offer rings out, is cancelled or overflows.
        for _ in 0..10 {
            model.apply(Op::Advance(60));
        }
        prop_assert!(model.offers.is_empty(), "offers never ended: {:?}", model.offers);
    }
}
