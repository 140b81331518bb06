//! Queues as configured ([`QueueSpec`]) and as the API shows them ([`QueueView`]), with the
//! handle-time estimate each queue keeps. Which call a queue serves next is the router's
//! business, not this module's.

use std::time::Duration;

use crate::call::CallView;
use crate::estimate::HandleTime;

/// Where a call goes when it leaves a queue without an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Overflow {
    /// Let the caller leave a voicemail.
    Voicemail,
    /// Offer to call the caller back.
    Callback,
    /// Apologise and hang up.
    Hangup,
}

/// A queue as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSpec {
    /// Unique name the flow refers to.
    pub name: String,
    /// Skills every agent taking this queue's calls needs.
    pub skills: Vec<String>,
    /// How long an offered call rings before it is taken back (default 20 s); also the
    /// pause before an only agent who declined is offered the same call again.
    pub ring_timeout: Duration,
    /// How long a call may stay in the queue, ringing included, before it overflows
    /// (default 300 s).
    pub max_wait: Duration,
    /// Most calls waiting or ringing at once (default 50).
    pub max_queued: usize,
    /// Interval of position announcements while a call waits (default 45 s; zero: none).
    pub announce_every: Duration,
    /// After-call work once a call ends (default 30 s).
    pub wrap_up: Duration,
    /// Where calls go after `max_wait` or when nobody is left to take them.
    pub overflow: Overflow,
}

impl QueueSpec {
    /// A queue with no skills, the default timings and voicemail on overflow.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            skills: Vec::new(),
            ring_timeout: Duration::from_secs(20),
            max_wait: Duration::from_secs(300),
            max_queued: 50,
            announce_every: Duration::from_secs(45),
            wrap_up: Duration::from_secs(30),
            overflow: Overflow::Voicemail,
        }
    }
}

/// A queue as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueView<'a> {
    /// The queue's configuration.
    pub spec: &'a QueueSpec,
    /// Calls waiting or ringing, in the order they are served (position 1 first).
    pub calls: Vec<CallView<'a>>,
    /// The current estimate of one call's handle time (answer to end).
    pub handle_time: Duration,
}

/// A queue inside the router.
#[derive(Debug, Clone)]
pub(crate) struct Queue {
    pub(crate) spec: QueueSpec,
    pub(crate) handle_time: HandleTime,
}
