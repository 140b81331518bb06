//! What the API shows of the contact center: each agent's state and since when, and each
//! queue's waiting calls (numbers only: no caller data).

use std::collections::HashMap;
use std::time::Instant;

use router::{AgentState, AwayReason, Router};
use serde::Serialize;

/// The agents and queues at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CenterView {
    /// Every agent.
    pub agents: Vec<AgentRow>,
    /// Every queue.
    pub queues: Vec<QueueRow>,
}

/// One agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `logged_out`, `available`, `ringing`, `on_call`, `after_call_work`, `away`.
    pub state: &'static str,
    /// Why away (`requested`, `no_answer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub away: Option<&'static str>,
    /// Seconds in this state.
    pub for_secs: u64,
    /// The call it rings with or talks on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<u64>,
    /// Whether its phone can be reached.
    pub reachable: bool,
    /// What it can handle.
    pub skills: Vec<String>,
    /// Languages it speaks (empty: any).
    pub languages: Vec<String>,
    /// `config` (the configuration file) or `api` (added through the API).
    pub source: &'static str,
}

/// One queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueRow {
    /// Its name.
    pub name: String,
    /// Calls waiting or ringing.
    pub waiting: usize,
    /// The longest wait now, seconds.
    pub longest_wait_secs: u64,
    /// The estimated handle time, seconds.
    pub handle_time_secs: u64,
}

/// The state's name in the API.
pub(crate) fn state_name(s: &AgentState) -> &'static str {
    match s {
        AgentState::LoggedOut => "logged_out",
        AgentState::Available => "available",
        AgentState::Ringing { .. } => "ringing",
        AgentState::OnCall { .. } => "on_call",
        AgentState::AfterCallWork { .. } => "after_call_work",
        AgentState::Away { .. } => "away",
        _ => "other",
    }
}

/// Why away, in the API.
pub(crate) fn away_reason(s: &AgentState) -> Option<&'static str> {
    match s {
        AgentState::Away {
            reason: AwayReason::NoAnswer,
        } => Some("no_answer"),
        AgentState::Away { .. } => Some("requested"),
        _ => None,
    }
}

/// The call a state is about.
pub(crate) fn state_call(s: &AgentState) -> Option<u64> {
    match s {
        AgentState::Ringing { call }
        | AgentState::OnCall { call }
        | AgentState::AfterCallWork { call, .. } => Some(call.0),
        _ => None,
    }
}

pub(crate) fn build(
    router: &Router,
    (names, configured): (&HashMap<String, String>, &std::collections::HashSet<String>),
    queue_names: &[String],
    now: Instant,
) -> CenterView {
    let agents = router
        .agents()
        .filter(|a| !a.removed)
        .map(|a| AgentRow {
            id: a.id.to_owned(),
            name: names.get(a.id).cloned().unwrap_or_else(|| a.id.to_owned()),
            state: state_name(&a.state),
            away: away_reason(&a.state),
            for_secs: now.saturating_duration_since(a.since).as_secs(),
            call: state_call(&a.state),
            reachable: a.reachable,
            skills: a.spec.skills.clone(),
            languages: a.spec.languages.clone(),
            source: if configured.contains(a.id) {
                "config"
            } else {
                "api"
            },
        })
        .collect();
    let mut queues = Vec::new();
    for name in queue_names {
        if let Some(q) = router.queue(name) {
            queues.push(QueueRow {
                name: name.clone(),
                waiting: q.calls.len(),
                longest_wait_secs: q
                    .calls
                    .iter()
                    .map(|c| c.waited(now).as_secs())
                    .max()
                    .unwrap_or(0),
                handle_time_secs: q.handle_time.as_secs(),
            });
        }
    }
    CenterView { agents, queues }
}
