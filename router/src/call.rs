//! Calls waiting for, ringing or talking to an agent: the request from the flow, the order
//! calls are served in, and which agents a call has already been offered to. This module
//! owns per-call facts only; the router changes them.

use std::cmp::Reverse;
use std::fmt;
use std::time::{Duration, Instant};

/// Names one call for the router; the runtime picks it and never reuses it while the call
/// is known here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallKey(pub u64);

impl fmt::Display for CallKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call{}", self.0)
    }
}

/// A call the flow hands to a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRequest {
    /// The call.
    pub call: CallKey,
    /// The queue's name.
    pub queue: String,
    /// Priority from the flow; higher is served first.
    pub priority: u8,
    /// A VIP caller: adds [`RouterConfig::vip_boost`](crate::RouterConfig) to the priority.
    pub vip: bool,
    /// A caller in crisis: served before every non-crisis call.
    pub crisis: bool,
    /// An upset caller: adds [`RouterConfig::upset_boost`](crate::RouterConfig).
    pub upset: bool,
    /// The caller's language tag, if known.
    pub language: Option<String>,
    /// Skills this call needs beyond the queue's.
    pub skills: Vec<String>,
}

impl CallRequest {
    /// A plain call: priority 0, no flags, any language, no extra skills.
    pub fn new(call: CallKey, queue: impl Into<String>) -> Self {
        Self {
            call,
            queue: queue.into(),
            priority: 0,
            vip: false,
            crisis: false,
            upset: false,
            language: None,
            skills: Vec::new(),
        }
    }
}

/// Where a call stands, as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallStatus<'a> {
    /// Waiting in its queue for an agent.
    Waiting,
    /// Offered to `agent`, whose phone is ringing.
    Ringing {
        /// The agent.
        agent: &'a str,
    },
    /// Bridged to `agent` since `since` (the first answer; transfers keep it).
    Connected {
        /// The agent now on the call.
        agent: &'a str,
        /// When an agent first answered.
        since: Instant,
    },
}

/// One call as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallView<'a> {
    /// The call.
    pub call: CallKey,
    /// Its queue.
    pub queue: &'a str,
    /// Where it stands.
    pub status: CallStatus<'a>,
    /// When it entered the queue (kept across declines and missed rings).
    pub enqueued_at: Instant,
    /// 1-based place in its queue (waiting and ringing calls), `None` once connected.
    pub position: Option<usize>,
    /// The caller's expected wait, `None` once connected or when nobody could take it.
    pub expected_wait: Option<Duration>,
}

impl CallView<'_> {
    /// How long the caller has been in the queue at `now`.
    pub fn waited(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.enqueued_at)
    }
}

/// The order calls are served in: crisis first, then effective priority (higher first),
/// then enqueue time, then arrival sequence (for equal instants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct OrderKey {
    crisis: Reverse<bool>,
    priority: Reverse<u8>,
    enqueued_at: Instant,
    seq: u64,
}

impl OrderKey {
    pub(crate) fn new(crisis: bool, priority: u8, enqueued_at: Instant, seq: u64) -> Self {
        Self {
            crisis: Reverse(crisis),
            priority: Reverse(priority),
            enqueued_at,
            seq,
        }
    }
}

/// Where a call is inside the router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    Waiting,
    Ringing { agent: String },
    Connected { agent: String, answered_at: Instant },
}

/// A call inside the router.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) req: CallRequest,
    pub(crate) order: OrderKey,
    pub(crate) enqueued_at: Instant,
    pub(crate) phase: Phase,
    /// Agents offered this call in the current round, who declined or let it ring out.
    pub(crate) tried: Vec<String>,
    /// The agent who last declined or missed it, and when.
    pub(crate) last_try: Option<(String, Instant)>,
    /// The position last computed (0: not yet).
    pub(crate) position: usize,
    /// The position last told to the caller (0: none yet).
    pub(crate) announced: usize,
}

impl Call {
    pub(crate) fn new(req: CallRequest, order: OrderKey, now: Instant) -> Self {
        Self {
            req,
            order,
            enqueued_at: now,
            phase: Phase::Waiting,
            tried: Vec::new(),
            last_try: None,
            position: 0,
            announced: 0,
        }
    }

    pub(crate) fn waiting(&self) -> bool {
        self.phase == Phase::Waiting
    }

    /// Waiting or ringing: still in its queue.
    pub(crate) fn queued(&self) -> bool {
        !matches!(self.phase, Phase::Connected { .. })
    }

    /// The agent ringing, if any.
    pub(crate) fn ringing(&self) -> Option<&str> {
        match &self.phase {
            Phase::Ringing { agent } => Some(agent),
            _ => None,
        }
    }

    /// Records that `agent` declined or missed this call at `now`.
    pub(crate) fn tried_by(&mut self, agent: &str, now: Instant) {
        if !self.tried.iter().any(|a| a == agent) {
            self.tried.push(agent.to_owned());
        }
        self.last_try = Some((agent.to_owned(), now));
    }

    pub(crate) fn status(&self) -> CallStatus<'_> {
        match &self.phase {
            Phase::Waiting => CallStatus::Waiting,
            Phase::Ringing { agent } => CallStatus::Ringing { agent },
            Phase::Connected { agent, answered_at } => CallStatus::Connected {
                agent,
                since: *answered_at,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_crisis_then_priority_then_time_then_sequence() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(1);
        let crisis = OrderKey::new(true, 0, t1, 9);
        let urgent = OrderKey::new(false, 9, t1, 8);
        let early = OrderKey::new(false, 3, t0, 7);
        let late = OrderKey::new(false, 3, t1, 1);
        let same_instant = OrderKey::new(false, 3, t1, 2);
        let mut keys = vec![same_instant, late, early, urgent, crisis];
        keys.sort();
        assert_eq!(keys, [crisis, urgent, early, late, same_instant]);
    }
}
