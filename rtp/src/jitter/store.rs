//! Fixed-capacity packet storage for the jitter buffer: one slot per sequence number modulo a
//! power-of-two capacity, payloads in one preallocated byte arena.

/// What the store knows about a buffered packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) seq: u16,
    pub(super) ts: u32,
    pub(super) marker: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    occupied: bool,
    seq: u16,
    ts: u32,
    marker: bool,
    len: usize,
}

/// The slots and payload arena; allocated once.
#[derive(Debug, Clone)]
pub(super) struct Store {
    slots: Vec<Slot>,
    arena: Vec<u8>,
    max_payload: usize,
    len: usize,
}

impl Store {
    /// `capacity` must be a power of two no larger than 32768.
    pub(super) fn new(capacity: usize, max_payload: usize) -> Self {
        Store {
            slots: vec![Slot::default(); capacity],
            arena: vec![0; capacity * max_payload],
            max_payload,
            len: 0,
        }
    }

    pub(super) fn capacity(&self) -> usize {
        self.slots.len()
    }

    pub(super) fn max_payload(&self) -> usize {
        self.max_payload
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn index(&self, seq: u16) -> usize {
        usize::from(seq) & (self.slots.len() - 1)
    }

    fn slot(&self, seq: u16) -> Option<&Slot> {
        self.slots
            .get(self.index(seq))
            .filter(|s| s.occupied && s.seq == seq)
    }

    /// The packet with sequence number `seq`, if buffered.
    pub(super) fn get(&self, seq: u16) -> Option<Entry> {
        self.slot(seq).map(|s| Entry {
            seq: s.seq,
            ts: s.ts,
            marker: s.marker,
        })
    }

    /// The first buffered packet at or after `from`, in sequence order.
    pub(super) fn first_from(&self, from: u16) -> Option<Entry> {
        if self.is_empty() {
            return None;
        }
        (0..self.capacity() as u16)
            .map(|off| from.wrapping_add(off))
            .find_map(|seq| self.get(seq))
    }

    /// Stores a packet; false if one with the same sequence number is already there. The
    /// caller keeps sequence numbers within one capacity of each other and payloads within
    /// `max_payload`.
    pub(super) fn insert(&mut self, entry: Entry, payload: &[u8]) -> bool {
        if payload.len() > self.max_payload {
            return false;
        }
        let index = self.index(entry.seq);
        let start = index * self.max_payload;
        let (Some(slot), Some(dst)) = (
            self.slots.get_mut(index),
            self.arena.get_mut(start..start + payload.len()),
        ) else {
            return false;
        };
        if slot.occupied && slot.seq == entry.seq {
            return false;
        }
        if !slot.occupied {
            self.len += 1;
        }
        dst.copy_from_slice(payload);
        *slot = Slot {
            occupied: true,
            seq: entry.seq,
            ts: entry.ts,
            marker: entry.marker,
            len: payload.len(),
        };
        true
    }

    /// Copies the payload of `seq` into `out` (truncated to fit), frees the slot and returns
    /// the bytes copied.
    pub(super) fn take(&mut self, seq: u16, out: &mut [u8]) -> Option<usize> {
        let len = self.slot(seq)?.len;
        let index = self.index(seq);
        let start = index * self.max_payload;
        let n = len.min(out.len());
        out[..n].copy_from_slice(&self.arena[start..start + n]);
        self.remove(seq);
        Some(n)
    }

    /// Frees the slot of `seq` if it holds that packet.
    pub(super) fn remove(&mut self, seq: u16) {
        let index = self.index(seq);
        if let Some(slot) = self.slots.get_mut(index)
            && slot.occupied
            && slot.seq == seq
        {
            slot.occupied = false;
            self.len -= 1;
        }
    }

    /// Empties the store.
    pub(super) fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| s.occupied = false);
        self.len = 0;
    }
}
