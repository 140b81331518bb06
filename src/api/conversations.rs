//! Multi-turn memory over HTTP: a bounded map from a client's conversation id to its
//! [`Conversation`], least recently used entries evicted beyond the capacity and idle ones
//! expired after the time to live. Time is an input (`now`), so tests need no clock.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::dialog::Conversation;

/// Conversations kept at most.
pub const MAX_CONVERSATIONS: usize = 1000;
/// A conversation idle this long is forgotten.
pub const CONVERSATION_TTL: Duration = Duration::from_secs(30 * 60);
/// The longest conversation id accepted.
pub(super) const MAX_ID_LEN: usize = 128;

/// The bounded map (generic so tests can store plain values).
#[derive(Debug)]
pub struct Conversations<T = Conversation> {
    entries: HashMap<String, (T, Instant)>,
    capacity: usize,
    ttl: Duration,
}

impl<T: Default> Default for Conversations<T> {
    fn default() -> Self {
        Conversations::new(MAX_CONVERSATIONS, CONVERSATION_TTL)
    }
}

impl<T: Default> Conversations<T> {
    /// At most `capacity` (at least 1) conversations, each forgotten after `ttl` idle.
    pub fn new(capacity: usize, ttl: Duration) -> Conversations<T> {
        Conversations {
            entries: HashMap::new(),
            capacity: capacity.max(1),
            ttl,
        }
    }

    /// Takes the conversation out for one turn (a new one when unknown or expired). Give it
    /// back with [`Conversations::put`] after the turn.
    pub fn take(&mut self, id: &str, now: Instant) -> T {
        match self.entries.remove(id) {
            Some((conv, last)) if now.saturating_duration_since(last) < self.ttl => conv,
            _ => T::default(),
        }
    }

    /// Stores the conversation as used at `now`, expiring idle ones and evicting the least
    /// recently used beyond the capacity.
    pub fn put(&mut self, id: &str, conv: T, now: Instant) {
        let ttl = self.ttl;
        self.entries
            .retain(|_, (_, last)| now.saturating_duration_since(*last) < ttl);
        while self.entries.len() >= self.capacity {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, (_, last))| *last)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.entries.remove(&k),
                None => break,
            };
        }
        self.entries.insert(id.to_owned(), (conv, now));
    }

    /// Conversations held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Why a conversation id is refused, or `None` when it is fine: 1–128 characters of
/// letters, digits, `-`, `_`, `.` and `:`.
pub(super) fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        return Some("conversation id is empty");
    }
    if id.len() > MAX_ID_LEN {
        return Some("conversation id is longer than 128 characters");
    }
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
    (!id.chars().all(ok))
        .then_some("conversation id may only hold letters, digits, '-', '_', '.' and ':'")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in conversation: its number of turns.
    fn turned(turns: u32) -> u32 {
        turns
    }

    #[test]
    fn memory_survives_between_turns_and_expires() {
        let t0 = Instant::now();
        let mut map = Conversations::<u32>::new(10, Duration::from_secs(60));
        assert_eq!(map.take("a", t0), 0);
        map.put("a", turned(2), t0);
        assert_eq!(map.take("a", t0 + Duration::from_secs(59)), 2);
        map.put("a", turned(3), t0 + Duration::from_secs(59));
        assert_eq!(map.take("a", t0 + Duration::from_secs(118)), 3);
        map.put("a", turned(3), t0 + Duration::from_secs(118));
        assert_eq!(map.take("a", t0 + Duration::from_secs(179)), 0);
    }

    #[test]
    fn least_recently_used_is_evicted_at_capacity() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut map = Conversations::<u32>::new(2, s(600));
        map.put("a", turned(1), t0);
        map.put("b", turned(1), t0 + s(1));
        let a = map.take("a", t0 + s(2));
        map.put("a", a, t0 + s(2));
        map.put("c", turned(1), t0 + s(3));
        assert_eq!(map.len(), 2);
        assert_eq!(map.take("b", t0 + s(4)), 0, "b was least recently used");
        assert_eq!(map.take("a", t0 + s(4)), 1);
    }

    #[test]
    fn ids_are_checked() {
        assert!(id_problem("call-42:abc_1.x").is_none());
        assert!(id_problem("").is_some());
        assert!(id_problem("a b").is_some());
        assert!(id_problem(&"x".repeat(129)).is_some());
    }
}
