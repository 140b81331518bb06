//! Matching calls to agents (the routing rule), offers and their withdrawal, overflow, and
//! position announcements. Every input ends with [`Router::settle`], which runs these in
//! order: overflow calls nobody can take, match greedily, update positions.

use std::time::{Duration, Instant};

use super::Router;
use crate::agent::{Agent, AgentState};
use crate::call::{CallKey, OrderKey, Phase};
use crate::event::Event;
use crate::timer::Timer;

/// What matching decided for one call.
enum Choice {
    /// Offer it to this agent.
    Offer(String),
    /// Only the agent who last declined it is free: offer it again at this instant.
    RetryAt(Instant),
    /// Nobody free can take it.
    Wait,
}

impl Router {
    /// Brings the router to rest after an input at `now`.
    pub(super) fn settle(&mut self, now: Instant) {
        self.overflow_orphans(now);
        self.dispatch(now);
        self.update_positions(now);
    }

    /// Overflows every waiting call that no logged-in, reachable agent could take.
    fn overflow_orphans(&mut self, now: Instant) {
        let orphans: Vec<CallKey> = self
            .calls
            .values()
            .filter(|c| c.waiting())
            .filter(|c| {
                self.queues
                    .get(&c.req.queue)
                    .is_none_or(|q| self.capable(&q.spec, &c.req) == 0)
            })
            .map(|c| c.req.call)
            .collect();
        for call in orphans {
            self.overflow(now, call);
        }
    }

    /// Greedy matching: for each waiting call in order, the best free agent for it. A call
    /// nobody free can take is skipped, so it does not block the calls behind it.
    fn dispatch(&mut self, now: Instant) {
        if !self.agents.values().any(Agent::free) {
            return;
        }
        let mut order: Vec<(OrderKey, CallKey)> = self
            .calls
            .values()
            .filter(|c| c.waiting())
            .map(|c| (c.order, c.req.call))
            .collect();
        order.sort_unstable();
        for (_, call) in order {
            if !self.agents.values().any(Agent::free) {
                break;
            }
            match self.choose(now, call) {
                Choice::Offer(agent) => self.offer(now, call, &agent),
                Choice::RetryAt(at) => self.timers.arm(Timer::Retry(call), Some(at)),
                Choice::Wait => {}
            }
        }
    }

    /// The routing rule for one call: among free agents with the skills and language, the
    /// longest idle not yet tried in this round; once every such agent has been tried, a
    /// new round, without the agent tried last unless it is the only one, which is
    /// retried after a ring-timeout pause.
    fn choose(&self, now: Instant, key: CallKey) -> Choice {
        let Some(call) = self.calls.get(&key) else {
            return Choice::Wait;
        };
        let Some(queue) = self.queues.get(&call.req.queue) else {
            return Choice::Wait;
        };
        let free: Vec<&Agent> = self
            .agents
            .values()
            .filter(|a| a.free() && a.qualifies(&queue.spec.skills, &call.req))
            .collect();
        let longest_idle = |pick: &dyn Fn(&Agent) -> bool| {
            free.iter()
                .filter(|a| pick(a))
                .min_by_key(|a| a.idle_since)
                .map(|a| a.spec.id.clone())
        };
        if let Some(agent) = longest_idle(&|a| !call.tried.contains(&a.spec.id)) {
            return Choice::Offer(agent);
        }
        let last = call.last_try.as_ref();
        if let Some(agent) = longest_idle(&|a| last.is_none_or(|(id, _)| *id != a.spec.id)) {
            return Choice::Offer(agent);
        }
        match last {
            Some((agent, at)) if free.iter().any(|a| a.spec.id == *agent) => {
                match at.checked_add(queue.spec.ring_timeout) {
                    Some(ready) if ready <= now => Choice::Offer(agent.clone()),
                    Some(ready) => Choice::RetryAt(ready),
                    None => Choice::Wait,
                }
            }
            _ => Choice::Wait,
        }
    }

    /// Rings `agent` with `call`.
    fn offer(&mut self, now: Instant, call: CallKey, agent: &str) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.tried.iter().any(|a| a == agent) {
            // Everyone who could take it has been tried: a new round starts.
            c.tried.clear();
        }
        c.phase = Phase::Ringing {
            agent: agent.to_owned(),
        };
        let ring_timeout = self.queues.get(&c.req.queue).map(|q| q.spec.ring_timeout);
        self.timers.disarm(&Timer::Retry(call));
        self.timers.disarm(&Timer::Announce(call));
        let deadline = ring_timeout.and_then(|t| now.checked_add(t));
        self.timers.arm(Timer::Ring(call), deadline);
        self.emit(Event::Offer {
            call,
            agent: agent.to_owned(),
        });
        self.set_state(now, agent, AgentState::Ringing { call });
    }

    /// Takes back the offer of `call` (emitting `CancelOffer`) and puts the call back in
    /// its place. Returns the agent, whose state the caller decides.
    pub(super) fn withdraw(&mut self, now: Instant, call: CallKey) -> Option<String> {
        let agent = self.calls.get(&call)?.ringing()?.to_owned();
        self.emit(Event::CancelOffer {
            call,
            agent: agent.clone(),
        });
        self.back_to_queue(now, call);
        Some(agent)
    }

    /// A call that was ringing waits again, in its original place.
    pub(super) fn back_to_queue(&mut self, now: Instant, call: CallKey) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        c.phase = Phase::Waiting;
        self.timers.disarm(&Timer::Ring(call));
        let every = self.queues.get(&c.req.queue).map(|q| q.spec.announce_every);
        self.arm_announce(now, call, every);
    }

    /// The call leaves its queue for its overflow destination (cancelling an offer first).
    pub(super) fn overflow(&mut self, now: Instant, call: CallKey) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let to = self.queues.get(&c.req.queue).map(|q| q.spec.overflow);
        if let Some(agent) = self.withdraw(now, call) {
            self.release(now, &agent);
        }
        if let Some(to) = to {
            self.emit(Event::Overflow { call, to });
        }
        self.forget(call);
    }

    /// Recomputes every queued call's position; a waiting call hears its first position
    /// and any position better than the one it last heard (which also restarts its
    /// announcement interval).
    fn update_positions(&mut self, now: Instant) {
        let mut queued: Vec<(&str, OrderKey, CallKey)> = self
            .calls
            .values()
            .filter(|c| c.queued())
            .map(|c| (c.req.queue.as_str(), c.order, c.req.call))
            .collect();
        queued.sort_unstable();
        let mut places = Vec::with_capacity(queued.len());
        let mut position = 0;
        let mut previous = None;
        for (queue, _, call) in queued {
            position = if previous == Some(queue) {
                position + 1
            } else {
                1
            };
            previous = Some(queue);
            places.push((call, position));
        }
        for (call, position) in places {
            let Some(c) = self.calls.get_mut(&call) else {
                continue;
            };
            c.position = position;
            if c.waiting() && (c.announced == 0 || position < c.announced) {
                self.announce_now(now, call);
            }
        }
    }

    /// The announcement timer of a waiting call fired (if nothing announced it since).
    pub(super) fn announce(&mut self, now: Instant, call: CallKey) {
        let waiting = self.calls.get(&call).is_some_and(|c| c.waiting());
        if waiting && !self.timers.is_armed(&Timer::Announce(call)) {
            self.announce_now(now, call);
        }
    }

    /// Tells the caller its position and arms the next announcement.
    fn announce_now(&mut self, now: Instant, call: CallKey) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let position = c.position;
        let expected_wait = self.expected_wait(c, position);
        let queue = c.req.queue.clone();
        if let Some(c) = self.calls.get_mut(&call) {
            c.announced = position;
        }
        let every = self.queues.get(&queue).map(|q| q.spec.announce_every);
        self.emit(Event::Position {
            call,
            position,
            expected_wait,
        });
        self.arm_announce(now, call, every);
    }

    fn arm_announce(&mut self, now: Instant, call: CallKey, every: Option<Duration>) {
        let at = every
            .filter(|e| !e.is_zero())
            .and_then(|e| now.checked_add(e));
        self.timers.arm(Timer::Announce(call), at);
    }
}
