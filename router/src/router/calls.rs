//! Inputs about calls: a call entering a queue, the agent's phone answering, declining or
//! ringing out, the caller leaving, the bridged call ending or being handed to another
//! agent. Which agent gets a call is `dispatch`'s decision, not this file's.

use std::time::Instant;

use super::Router;
use crate::agent::{AgentState, AwayReason};
use crate::call::{Call, CallKey, CallRequest, OrderKey, Phase};
use crate::event::{Enqueued, Event, Refused, RouterError};
use crate::timer::Timer;

impl Router {
    /// Puts a call in its queue and offers it at once if an agent is free (the
    /// [`Event::Offer`] is then waiting). Refused when no logged-in, reachable agent could
    /// ever take it, or when the queue is full.
    pub fn enqueue(&mut self, now: Instant, req: CallRequest) -> Result<Enqueued, Refused> {
        if self.calls.contains_key(&req.call) {
            return Err(Refused::DuplicateCall(req.call));
        }
        let queue = self
            .queues
            .get(&req.queue)
            .ok_or_else(|| Refused::UnknownQueue(req.queue.clone()))?;
        if self.capable(&queue.spec, &req) == 0 {
            return Err(Refused::NobodyLoggedIn);
        }
        let queued = self
            .calls
            .values()
            .filter(|c| c.queued() && c.req.queue == req.queue)
            .count();
        if queued >= queue.spec.max_queued {
            return Err(Refused::QueueFull {
                max: queue.spec.max_queued,
            });
        }
        let max_wait = queue.spec.max_wait;
        let mut priority = req.priority;
        if req.vip {
            priority = priority.saturating_add(self.config.vip_boost);
        }
        if req.upset {
            priority = priority.saturating_add(self.config.upset_boost);
        }
        self.seq += 1;
        let order = OrderKey::new(req.crisis, priority, now, self.seq);
        let key = req.call;
        self.calls.insert(key, Call::new(req, order, now));
        self.timers
            .arm(Timer::MaxWait(key), now.checked_add(max_wait));
        self.settle(now);
        let call = self.calls.get(&key);
        Ok(Enqueued {
            position: call.map_or(0, |c| c.position),
            expected_wait: call.and_then(|c| self.expected_wait(c, c.position)),
        })
    }

    /// The ringing agent picked up: it is now on the call, which leaves the queue.
    pub fn answered(&mut self, now: Instant, call: CallKey) -> Result<(), RouterError> {
        let agent = self.ringing_agent(call)?;
        self.timers.disarm_call(call);
        if let Some(c) = self.calls.get_mut(&call) {
            c.phase = Phase::Connected {
                agent: agent.clone(),
                answered_at: now,
            };
        }
        self.set_state(now, &agent, AgentState::OnCall { call });
        self.settle(now);
        Ok(())
    }

    /// The ringing agent's phone refused the call (busy, decline, error). The agent is
    /// available again but not offered this call next; the call goes back to its place.
    pub fn declined(&mut self, now: Instant, call: CallKey) -> Result<(), RouterError> {
        let agent = self.ringing_agent(call)?;
        self.requeue(now, call, &agent);
        self.set_state(now, &agent, AgentState::Available);
        self.settle(now);
        Ok(())
    }

    /// The caller hung up. Queued, the call is removed (ringing: the offer is cancelled
    /// and the agent keeps its place among idle agents); connected, this is
    /// [`call_ended`](Self::call_ended).
    pub fn caller_left(&mut self, now: Instant, call: CallKey) -> Result<(), RouterError> {
        let c = self
            .calls
            .get(&call)
            .ok_or(RouterError::UnknownCall(call))?;
        if !c.queued() {
            return self.call_ended(now, call);
        }
        if let Some(agent) = self.withdraw(now, call) {
            self.release(now, &agent);
        }
        self.forget(call);
        self.settle(now);
        Ok(())
    }

    /// A bridged call ended: the agent goes to after-call work, and the handle time
    /// (first answer to end) feeds the queue's expected-wait estimate.
    pub fn call_ended(&mut self, now: Instant, call: CallKey) -> Result<(), RouterError> {
        let (agent, answered_at) = self.connected_agent(call)?;
        let Some(c) = self.calls.remove(&call) else {
            return Err(RouterError::UnknownCall(call));
        };
        self.timers.disarm_call(call);
        if let Some(queue) = self.queues.get_mut(&c.req.queue) {
            let handled = now.saturating_duration_since(answered_at);
            queue.handle_time.record(handled);
        }
        self.finish_call(now, &agent, call, &c.req.queue);
        self.settle(now);
        Ok(())
    }

    /// The agent on `call` handed it directly to `to`: the first agent goes to after-call
    /// work, `to` is on the call whatever it was doing (an offer ringing it is withdrawn),
    /// unless it is already on a call.
    pub fn transferred(
        &mut self,
        now: Instant,
        call: CallKey,
        to: &str,
    ) -> Result<(), RouterError> {
        let (from, answered_at) = self.connected_agent(call)?;
        let target = self.live_agent(to)?;
        if let AgentState::OnCall { call: busy } = target.state {
            return Err(RouterError::AgentOnCall {
                agent: to.to_owned(),
                call: busy,
            });
        }
        if let AgentState::Ringing { call: offered } = target.state {
            self.withdraw(now, offered);
        }
        let queue = match self.calls.get_mut(&call) {
            Some(c) => {
                c.phase = Phase::Connected {
                    agent: to.to_owned(),
                    answered_at,
                };
                c.req.queue.clone()
            }
            None => return Err(RouterError::UnknownCall(call)),
        };
        self.finish_call(now, &from, call, &queue);
        if let Some(agent) = self.agents.get_mut(to) {
            agent.pending = None;
        }
        self.set_state(now, to, AgentState::OnCall { call });
        self.settle(now);
        Ok(())
    }

    /// The offer of `call` rang out: cancel it, put the agent away (RONA) and the call
    /// back in its place.
    pub(super) fn ring_out(&mut self, now: Instant, call: CallKey) {
        let Some(agent) = self.calls.get(&call).and_then(|c| c.ringing()) else {
            return;
        };
        let agent = agent.to_owned();
        self.emit(Event::CancelOffer {
            call,
            agent: agent.clone(),
        });
        self.requeue(now, call, &agent);
        let away = AgentState::Away {
            reason: AwayReason::NoAnswer,
        };
        self.set_state(now, &agent, away);
    }

    /// Puts a call `agent` declined or missed back in its place, remembering the agent.
    fn requeue(&mut self, now: Instant, call: CallKey, agent: &str) {
        if let Some(c) = self.calls.get_mut(&call) {
            c.tried_by(agent, now);
        }
        self.back_to_queue(now, call);
    }

    /// Forgets a call that left: its timers and its entry.
    pub(super) fn forget(&mut self, call: CallKey) {
        self.timers.disarm_call(call);
        self.calls.remove(&call);
    }

    fn ringing_agent(&self, call: CallKey) -> Result<String, RouterError> {
        let c = self
            .calls
            .get(&call)
            .ok_or(RouterError::UnknownCall(call))?;
        c.ringing()
            .map(str::to_owned)
            .ok_or(RouterError::NotRinging(call))
    }

    fn connected_agent(&self, call: CallKey) -> Result<(String, Instant), RouterError> {
        match self.calls.get(&call).map(|c| &c.phase) {
            None => Err(RouterError::UnknownCall(call)),
            Some(Phase::Connected { agent, answered_at }) => Ok((agent.clone(), *answered_at)),
            Some(_) => Err(RouterError::NotConnected(call)),
        }
    }
}
