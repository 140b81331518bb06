//! What the router hands out: events for the runtime, the answer to an enqueue, and the
//! errors for inputs it refuses. Nothing here changes router state.

use std::time::{Duration, Instant};

use crate::agent::AgentState;
use crate::call::CallKey;
use crate::queue::Overflow;

/// What the runtime must act on; drain with [`Router::poll_event`](crate::Router::poll_event)
/// after every input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Ring `agent`'s phone with `call`; report back with
    /// [`answered`](crate::Router::answered) or [`declined`](crate::Router::declined).
    Offer {
        /// The call.
        call: CallKey,
        /// The agent to ring.
        agent: String,
    },
    /// Stop ringing `agent` with `call` (rang out, agent went away or unreachable, caller
    /// left, call overflowed).
    CancelOffer {
        /// The call.
        call: CallKey,
        /// The agent whose phone rings.
        agent: String,
    },
    /// Tell the caller their place in the queue.
    Position {
        /// The call.
        call: CallKey,
        /// 1-based place in the queue.
        position: usize,
        /// Expected wait, when anyone could take the call.
        expected_wait: Option<Duration>,
    },
    /// The call left the queue without an agent: route it to `to`.
    Overflow {
        /// The call.
        call: CallKey,
        /// Where it goes.
        to: Overflow,
    },
    /// `agent` entered `state` at `at`.
    AgentState {
        /// The agent.
        agent: String,
        /// Its new state.
        state: AgentState,
        /// When.
        at: Instant,
    },
}

/// A call accepted into a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enqueued {
    /// 1-based place in the queue (waiting and ringing calls).
    pub position: usize,
    /// Expected wait: zero if an agent is already being offered the call (an
    /// [`Event::Offer`] is waiting), `None` when nobody could take it.
    pub expected_wait: Option<Duration>,
}

/// Why a call was not queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// No agent who could ever take this call (by skills and language) is logged in and
    /// reachable.
    #[error("no agent who could take the call is logged in")]
    NobodyLoggedIn,
    /// The queue already holds its maximum of waiting and ringing calls.
    #[error("queue is full ({max} calls)")]
    QueueFull {
        /// The queue's `max_queued`.
        max: usize,
    },
    /// No queue has this name (a flow or configuration mistake).
    #[error("unknown queue {0:?}")]
    UnknownQueue(String),
    /// The call is already known to the router (API misuse).
    #[error("{0} is already queued or connected")]
    DuplicateCall(CallKey),
}

/// An input the router refuses: API misuse, never caller behaviour.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouterError {
    /// No agent has this id (or it was removed).
    #[error("unknown agent {0:?}")]
    UnknownAgent(String),
    /// No call has this key.
    #[error("unknown call {0}")]
    UnknownCall(CallKey),
    /// The call is not ringing an agent.
    #[error("{0} is not ringing an agent")]
    NotRinging(CallKey),
    /// The call is not bridged to an agent.
    #[error("{0} is not connected to an agent")]
    NotConnected(CallKey),
    /// A transfer target is already on a call.
    #[error("agent {agent:?} is already on {call}")]
    AgentOnCall {
        /// The agent.
        agent: String,
        /// The call it is on.
        call: CallKey,
    },
    /// Two agents in the configuration share an id.
    #[error("agent {0:?} is configured twice")]
    DuplicateAgent(String),
    /// Two queues in the configuration share a name.
    #[error("queue {0:?} is configured twice")]
    DuplicateQueue(String),
}
