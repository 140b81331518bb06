//! Inputs about agents: configuration changes, presence from the API, reachability from
//! the runtime, and the end of wrap-up. Offers these withdraw go back to the queue here;
//! matching itself is `dispatch`'s.

use std::time::Instant;

use super::Router;
use crate::agent::{Agent, AgentSpec, AgentState, AwayReason, Presence};
use crate::call::CallKey;
use crate::event::RouterError;
use crate::timer::Timer;

impl Router {
    /// Adds an agent (logged out, unreachable) or replaces an agent's skills and languages,
    /// keeping its state; re-adding a removed agent still on a call keeps it.
    pub fn upsert_agent(&mut self, now: Instant, spec: AgentSpec) {
        match self.agents.get_mut(&spec.id) {
            Some(agent) => {
                agent.spec = spec;
                agent.removed = false;
            }
            None => {
                self.agents.insert(spec.id.clone(), Agent::new(now, spec));
            }
        }
        self.settle(now);
    }

    /// Removes an agent. Ringing, its offer is withdrawn; on a call, it keeps the call and
    /// disappears when the call ends (no wrap-up).
    pub fn remove_agent(&mut self, now: Instant, id: &str) -> Result<(), RouterError> {
        let state = self.live_agent(id)?.state;
        match state {
            AgentState::OnCall { .. } => {
                if let Some(agent) = self.agents.get_mut(id) {
                    agent.removed = true;
                }
            }
            AgentState::Ringing { call } => {
                self.withdraw(now, call);
                self.drop_agent(id);
            }
            _ => self.drop_agent(id),
        }
        self.settle(now);
        Ok(())
    }

    /// Presence from the API. `Available` ends wrap-up early and brings an agent back from
    /// away; `Away` or `LoggedOut` while ringing withdraws the offer (the call goes back to
    /// its place) and, while on a call, applies once the call's wrap-up ends.
    pub fn set_presence(
        &mut self,
        now: Instant,
        id: &str,
        presence: Presence,
    ) -> Result<(), RouterError> {
        let state = self.live_agent(id)?.state;
        match (state, presence) {
            (AgentState::OnCall { .. }, _) => {
                if let Some(agent) = self.agents.get_mut(id) {
                    agent.pending = (presence != Presence::Available).then_some(presence);
                }
            }
            (AgentState::Ringing { .. }, Presence::Available) => {}
            (AgentState::Ringing { call }, _) => {
                self.withdraw(now, call);
                self.apply_presence(now, id, presence);
            }
            _ => self.apply_presence(now, id, presence),
        }
        self.settle(now);
        Ok(())
    }

    /// Reachability from the runtime: the agent's phone registered (or has a fixed URI).
    /// Only reachable agents are offered calls; becoming unreachable while ringing
    /// withdraws the offer.
    pub fn set_reachable(
        &mut self,
        now: Instant,
        id: &str,
        reachable: bool,
    ) -> Result<(), RouterError> {
        let agent = self.live_agent(id)?;
        let ringing = match agent.state {
            AgentState::Ringing { call } if !reachable => Some(call),
            _ => None,
        };
        let grace = self.config.unreachable_grace;
        let until = (!reachable && agent.reachable && !grace.is_zero())
            .then(|| now.checked_add(grace))
            .flatten();
        if let Some(agent) = self.agents.get_mut(id) {
            agent.reachable = reachable;
            agent.grace_until = until;
        }
        self.timers.arm(Timer::Grace(id.to_owned()), until);
        if let Some(call) = ringing {
            self.withdraw(now, call);
            self.release(now, id);
        }
        self.settle(now);
        Ok(())
    }

    /// The agent's wrap-up timer fired: apply a pending presence, or become available.
    pub(super) fn end_wrap_up(&mut self, now: Instant, id: &str) {
        let Some(agent) = self.agents.get_mut(id) else {
            return;
        };
        if !matches!(agent.state, AgentState::AfterCallWork { .. }) {
            return;
        }
        let presence = agent.pending.take().unwrap_or(Presence::Available);
        self.apply_presence(now, id, presence);
    }

    /// The agent's part in `call` is over (the call ended or it handed the call on): wrap-up
    /// for the queue's time, or gone if it was removed meanwhile.
    pub(super) fn finish_call(&mut self, now: Instant, id: &str, call: CallKey, queue: &str) {
        if self.agents.get(id).is_some_and(|a| a.removed) {
            self.drop_agent(id);
            return;
        }
        let wrap_up = self.queues.get(queue).map(|q| q.spec.wrap_up);
        match wrap_up.and_then(|w| now.checked_add(w)) {
            Some(until) if until > now => {
                self.set_state(now, id, AgentState::AfterCallWork { call, until });
            }
            _ => {
                let presence = self.agents.get_mut(id).and_then(|a| a.pending.take());
                self.apply_presence(now, id, presence.unwrap_or(Presence::Available));
            }
        }
    }

    /// Moves an agent that is not on a call to the state `presence` asks for.
    fn apply_presence(&mut self, now: Instant, id: &str, presence: Presence) {
        let state = match presence {
            Presence::Available => AgentState::Available,
            Presence::Away => AgentState::Away {
                reason: AwayReason::Requested,
            },
            Presence::LoggedOut => AgentState::LoggedOut,
        };
        if let Some(agent) = self.agents.get_mut(id) {
            agent.pending = None;
        }
        self.set_state(now, id, state);
    }

    pub(super) fn live_agent(&self, id: &str) -> Result<&Agent, RouterError> {
        self.agents
            .get(id)
            .filter(|a| !a.removed)
            .ok_or_else(|| RouterError::UnknownAgent(id.to_owned()))
    }

    fn drop_agent(&mut self, id: &str) {
        self.timers.disarm(&Timer::WrapUp(id.to_owned()));
        self.agents.remove(id);
    }
}
