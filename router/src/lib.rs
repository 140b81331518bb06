//! Sans-IO routing of calls to human agents: agents and their presence, queues, and which
//! agent is offered which call.
//!
//! Nothing here reads a clock, spawns, sleeps or draws random numbers: every input that
//! changes state takes `now`, timers are data, and iteration orders are deterministic. The
//! runtime owns the phones; the router only says whom to ring and what to tell callers.
//!
//! # Driving it
//!
//! Inputs:
//! - configuration: [`Router::new`], [`upsert_agent`](Router::upsert_agent),
//!   [`remove_agent`](Router::remove_agent);
//! - the API: [`set_presence`](Router::set_presence);
//! - the runtime: [`set_reachable`](Router::set_reachable) (phone registered),
//!   [`enqueue`](Router::enqueue), [`answered`](Router::answered),
//!   [`declined`](Router::declined), [`caller_left`](Router::caller_left),
//!   [`call_ended`](Router::call_ended), [`transferred`](Router::transferred);
//! - the clock: [`handle_timeout`](Router::handle_timeout) once the instant of
//!   [`poll_timeout`](Router::poll_timeout) has passed.
//!
//! After every input, drain [`poll_event`](Router::poll_event) until `None`, acting on each
//! [`Event`], then re-arm one timer for [`poll_timeout`](Router::poll_timeout). Getters
//! ([`agents`](Router::agents), [`queue`](Router::queue), [`call`](Router::call)) feed
//! the API and never change anything.
//!
//! # The routing rule
//!
//! 1. **Order of calls.** Crisis calls first, always; then effective priority, higher
//!    first, where a VIP caller adds [`RouterConfig::vip_boost`] and an upset caller
//!    [`RouterConfig::upset_boost`] to the flow's priority (saturating at 255); ties by
//!    enqueue time (first come, first served). A call put back after a decline, a missed
//!    ring or a withdrawn offer keeps its original place. One order spans every queue, as
//!    the queues share agents.
//! 2. **Agent for a call.** An agent may be offered a call when it is available, reachable,
//!    holds every skill of the queue and of the call, and speaks the call's language (when
//!    the call has one and the agent lists any; `"en"` matches `"en-GB"`). Among those, the
//!    one idle longest (since it last became available: after wrap-up, or by setting itself
//!    available; an offer withdrawn through no fault of its own keeps its place) that has
//!    not declined or missed this call in the current round. When every such agent has,
//!    a new round starts without the agent tried last; if that agent is the only one free
//!    who could take the call, it is offered the call again once the queue's ring timeout
//!    has passed since it declined or missed it. (Declining or missing a call restarts an
//!    agent's idle time.)
//! 3. **Matching.** Whenever an agent may have become free or a call arrived, calls are
//!    matched greedily in order, each to the best free agent for it. A call no free agent
//!    can take does not block the calls behind it.
//!
//! An agent who lets an offer ring out (`ring_timeout`) is set away
//! ([`AwayReason::NoAnswer`]) and gets no calls until it sets itself available. Agents
//! who are logged out or unreachable do not count as able to take calls: a call is refused
//! ([`Refused::NobodyLoggedIn`]) when none could, and waiting calls overflow at once when
//! the last one goes.
//!
//! # Waiting
//!
//! A call's `max_wait` counts from enqueue, ringing time included; then it overflows
//! ([`Event::Overflow`], after a [`Event::CancelOffer`] if ringing). Its 1-based position
//! counts the waiting and ringing calls of its queue. A waiting call hears its position
//! ([`Event::Position`]) when it is queued without an agent offered at once (or first
//! waits after such an offer failed), whenever its position gets better than the one it
//! last heard, and every `announce_every` after its last announcement while it waits
//! (not while ringing; the interval restarts when it is back from ringing). The
//! expected wait is the queue's mean handle time (exponentially weighted, weight 0.2,
//! starting at [`RouterConfig::initial_handle_time`]) times
//! `ceil(position / agents who could take it and are logged in)`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod agent;
mod call;
mod estimate;
mod event;
mod queue;
mod router;
mod timer;

pub use agent::{AgentSpec, AgentState, AgentView, AwayReason, Presence};
pub use call::{CallKey, CallRequest, CallStatus, CallView};
pub use event::{Enqueued, Event, Refused, RouterError};
pub use queue::{Overflow, QueueSpec, QueueView};
pub use router::{Router, RouterConfig};
