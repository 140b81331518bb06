//! Agents: who they are ([`AgentSpec`]), what they are doing ([`AgentState`]) and whether
//! their phone can be reached. This module owns the per-agent facts the matcher reads and
//! the rules of who may take which call; it never changes a call or a queue.

use std::time::Instant;

use crate::call::{CallKey, CallRequest};

/// A human agent as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSpec {
    /// Unique name of the agent.
    pub id: String,
    /// What the agent can handle; a call goes only to agents holding every skill its queue
    /// and the call itself require.
    pub skills: Vec<String>,
    /// Language tags the agent speaks (`"en"`, `"zh-HK"`); empty means any.
    pub languages: Vec<String>,
}

/// Presence an agent (or an administrator) asks for through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Ready for calls (ends wrap-up early; clears a presence pending after a call).
    Available,
    /// Logged in but not taking calls.
    Away,
    /// Not working; does not count as someone who could take a call.
    LoggedOut,
}

/// Why an agent is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AwayReason {
    /// The agent asked to be away.
    Requested,
    /// The agent let an offered call ring out (RONA); they get no calls until they set
    /// themselves available.
    NoAnswer,
}

/// What an agent is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AgentState {
    /// Not working.
    LoggedOut,
    /// Waiting for a call.
    Available,
    /// Offered `call`; their phone is ringing.
    Ringing {
        /// The offered call.
        call: CallKey,
    },
    /// Talking to the caller of `call`.
    OnCall {
        /// The bridged call.
        call: CallKey,
    },
    /// After-call work for `call`, until `until` (then available).
    AfterCallWork {
        /// The call that ended.
        call: CallKey,
        /// When wrap-up ends.
        until: Instant,
    },
    /// Logged in but taking no calls.
    Away {
        /// Why.
        reason: AwayReason,
    },
}

/// One agent as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentView<'a> {
    /// The agent's id.
    pub id: &'a str,
    /// Its configuration.
    pub spec: &'a AgentSpec,
    /// What it is doing.
    pub state: AgentState,
    /// When it entered `state`.
    pub since: Instant,
    /// Whether the runtime can reach its phone.
    pub reachable: bool,
    /// Removed from the configuration; it disappears when its current call ends.
    pub removed: bool,
}

/// An agent inside the router.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    pub(crate) spec: AgentSpec,
    pub(crate) state: AgentState,
    /// When `state` began.
    pub(crate) since: Instant,
    /// The instant longest-idle ordering uses: when the agent last became available on its
    /// own (login, wrap-up over, back from away). An offer withdrawn through no fault of the
    /// agent (caller gone, overflow, phone unreachable) keeps it.
    pub(crate) idle_since: Instant,
    pub(crate) reachable: bool,
    /// Its phone became unreachable while logged in: until this instant it still counts as
    /// an agent who could take calls (waiting calls do not overflow on a late refresh), but
    /// is offered none.
    pub(crate) grace_until: Option<Instant>,
    /// Removed from the configuration while on a call.
    pub(crate) removed: bool,
    /// Away or LoggedOut asked for while on a call; applied when wrap-up ends.
    pub(crate) pending: Option<Presence>,
}

impl Agent {
    pub(crate) fn new(now: Instant, spec: AgentSpec) -> Self {
        Self {
            spec,
            state: AgentState::LoggedOut,
            since: now,
            idle_since: now,
            reachable: false,
            grace_until: None,
            removed: false,
            pending: None,
        }
    }

    pub(crate) fn view(&self) -> AgentView<'_> {
        AgentView {
            id: &self.spec.id,
            spec: &self.spec,
            state: self.state,
            since: self.since,
            reachable: self.reachable,
            removed: self.removed,
        }
    }

    /// Counts as someone who could take a call: logged in, reachable, not removed.
    pub(crate) fn logged_in(&self) -> bool {
        !self.removed
            && (self.reachable || self.grace_until.is_some())
            && self.state != AgentState::LoggedOut
    }

    /// Can be offered a call right now.
    pub(crate) fn free(&self) -> bool {
        !self.removed && self.reachable && self.state == AgentState::Available
    }

    /// Has every skill of the queue and of the call, and speaks the call's language.
    pub(crate) fn qualifies(&self, queue_skills: &[String], call: &CallRequest) -> bool {
        let has = |skill: &String| self.spec.skills.contains(skill);
        queue_skills.iter().all(has)
            && call.skills.iter().all(has)
            && match &call.language {
                Some(lang) if !self.spec.languages.is_empty() => {
                    self.spec.languages.iter().any(|l| same_language(l, lang))
                }
                _ => true,
            }
    }
}

/// Language tags match when equal ignoring ASCII case, or when one is a prefix of the
/// other ending at a subtag boundary (`"en"` matches `"en-GB"` both ways).
fn same_language(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long.len() >= short.len()
        && long.as_bytes()[..short.len()].eq_ignore_ascii_case(short.as_bytes())
        && (long.len() == short.len() || long.as_bytes()[short.len()] == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_match_by_prefix_at_subtag_boundaries() {
        assert!(same_language("en", "EN"));
        assert!(same_language("en", "en-GB"));
        assert!(same_language("zh-HK", "zh"));
        assert!(!same_language("en", "eng"));
        assert!(!same_language("zh-HK", "zh-TW"));
        assert!(!same_language("", "en"));
    }
}
