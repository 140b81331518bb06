//! One-time tickets for the event stream from a browser: a WebSocket opened by a web page
//! cannot carry an `Authorization` header, and a token in its URL would end up in logs and
//! history. A client with a token asks for a ticket (`POST /api/v1/events/ticket`) and opens
//! `GET /api/v1/events?ticket=…` within [`TICKET_TTL`]; a ticket opens one stream, once, with
//! its token's role. Tickets are random 256-bit secrets kept only as hashes, in memory.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::Caller;
use super::token;

/// How long a ticket is good for.
pub const TICKET_TTL: Duration = Duration::from_secs(30);
/// Outstanding tickets at most (more are refused until some are used or expire).
const MAX_TICKETS: usize = 256;

/// The outstanding tickets.
#[derive(Default)]
pub(crate) struct Tickets {
    live: Mutex<HashMap<[u8; 32], (Caller, Instant)>>,
}

impl Tickets {
    /// A new ticket for `caller`, good until `now + TICKET_TTL`; `None` when too many are
    /// outstanding or the random source failed.
    pub(crate) fn issue(&self, caller: Caller, now: Instant) -> Option<String> {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.retain(|_, (_, until)| *until > now);
        if live.len() >= MAX_TICKETS {
            return None;
        }
        let ticket = token::generate().ok()?.replacen("vg_", "vgt_", 1);
        live.insert(token::hash(&ticket), (caller, now + TICKET_TTL));
        Some(ticket)
    }

    /// The caller a ticket was issued to, if it is live; it is used up either way.
    pub(crate) fn redeem(&self, presented: &str, now: Instant) -> Option<Caller> {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        let (caller, until) = live.remove(&token::hash(presented))?;
        (until > now).then_some(caller)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::api::auth::token::Role;

    fn ops() -> Caller {
        Caller {
            name: "ops".into(),
            role: Role::Operator,
        }
    }

    #[test]
    fn a_ticket_opens_once_and_only_while_fresh() {
        let t = Tickets::default();
        let now = Instant::now();
        let a = t.issue(ops(), now).unwrap();
        assert!(a.starts_with("vgt_"), "{a}");
        assert_eq!(t.redeem("vgt_guess", now), None);
        assert_eq!(t.redeem(&a, now), Some(ops()));
        assert_eq!(t.redeem(&a, now), None, "used twice");
        let b = t.issue(ops(), now).unwrap();
        assert_eq!(t.redeem(&b, now + TICKET_TTL), None, "expired");
    }

    #[test]
    fn outstanding_tickets_are_bounded() {
        let t = Tickets::default();
        let now = Instant::now();
        for _ in 0..MAX_TICKETS {
            t.issue(ops(), now).unwrap();
        }
        assert_eq!(t.issue(ops(), now), None);
        // Expired ones make room.
        assert!(t.issue(ops(), now + TICKET_TTL).is_some());
    }
}
