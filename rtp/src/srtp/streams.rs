//! A fixed-size table of per-SSRC state (the "crypto context" per SSRC of RFC 3711 §3.2.3).
//! Allocated once; a new SSRC beyond the capacity replaces the least recently used one.

/// How many SSRCs one context tracks per direction and protocol.
pub(crate) const MAX_STREAMS: usize = 8;

#[derive(Debug, Clone)]
struct Entry<T> {
    ssrc: u32,
    used: u64,
    state: T,
}

/// Per-SSRC state with least-recently-used replacement; never allocates after `new`.
#[derive(Debug, Clone)]
pub(crate) struct Streams<T> {
    entries: Vec<Entry<T>>,
    tick: u64,
}

impl<T: Copy> Streams<T> {
    /// An empty table with room for [`MAX_STREAMS`] SSRCs.
    pub(crate) fn new() -> Self {
        Self {
            entries: Vec::with_capacity(MAX_STREAMS),
            tick: 0,
        }
    }

    /// The state of `ssrc`, if tracked.
    pub(crate) fn get(&self, ssrc: u32) -> Option<T> {
        self.entries
            .iter()
            .find(|e| e.ssrc == ssrc)
            .map(|e| e.state)
    }

    /// Stores the state of `ssrc`, replacing the least recently used SSRC when full.
    pub(crate) fn set(&mut self, ssrc: u32, state: T) {
        self.tick += 1;
        let used = self.tick;
        if let Some(e) = self.entries.iter_mut().find(|e| e.ssrc == ssrc) {
            e.state = state;
            e.used = used;
        } else if self.entries.len() < MAX_STREAMS {
            self.entries.push(Entry { ssrc, used, state });
        } else if let Some(e) = self.entries.iter_mut().min_by_key(|e| e.used) {
            *e = Entry { ssrc, used, state };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_recently_used_ssrc_is_replaced() {
        let mut s = Streams::new();
        for ssrc in 0..MAX_STREAMS as u32 {
            s.set(ssrc, ssrc * 10);
        }
        s.set(0, 1); // 0 is now the most recent; 1 the least.
        s.set(99, 990);
        assert_eq!(s.get(0), Some(1));
        assert_eq!(s.get(1), None);
        assert_eq!(s.get(99), Some(990));
        assert_eq!(s.entries.capacity(), MAX_STREAMS);
    }
}
