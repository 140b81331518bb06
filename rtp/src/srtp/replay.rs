//! SRTP index estimation (RFC 3711 §3.3.1, Appendix A) and the 64-packet replay window
//! (§3.3.2) shared by SRTP (48-bit indices) and SRTCP (31-bit indices). Pure arithmetic.

/// Number of packets the replay window remembers behind the highest index.
pub(crate) const WINDOW: u64 = 64;

/// Largest SRTP packet index (48 bits).
pub(crate) const MAX_SRTP_INDEX: u64 = (1 << 48) - 1;

/// Estimates the 48-bit index of a packet with sequence number `seq`, given the highest
/// index seen so far (`s_l` and ROC packed as ROC·2^16 + s_l). `None` when the guess falls
/// before index 0 (ROC would be −1) or past 2^48 − 1.
pub(crate) fn estimate_index(highest: u64, seq: u16) -> Option<u64> {
    let roc = highest >> 16;
    let s_l = highest & 0xffff;
    let seq = u64::from(seq);
    let v = if s_l < 32768 {
        if seq > s_l + 32768 {
            roc.checked_sub(1)?
        } else {
            roc
        }
    } else if s_l - 32768 > seq {
        roc + 1
    } else {
        roc
    };
    let index = (v << 16) | seq;
    (index <= MAX_SRTP_INDEX).then_some(index)
}

/// The highest index accepted and a bitmask of the 64 indices at and below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReplayWindow {
    highest: u64,
    /// Bit `k` set: index `highest − k` was accepted.
    mask: u64,
}

impl ReplayWindow {
    /// A window whose first accepted packet has `index`.
    pub(crate) fn new(index: u64) -> Self {
        Self {
            highest: index,
            mask: 1,
        }
    }

    /// The highest index accepted.
    pub(crate) fn highest(&self) -> u64 {
        self.highest
    }

    /// Whether `index` is new and inside the window.
    pub(crate) fn is_fresh(&self, index: u64) -> bool {
        if index > self.highest {
            return true;
        }
        let age = self.highest - index;
        age < WINDOW && self.mask & (1 << age) == 0
    }

    /// Records `index` as received (call only after its tag verified).
    pub(crate) fn accept(&mut self, index: u64) {
        if index > self.highest {
            let shift = index - self.highest;
            self.mask = if shift >= WINDOW {
                0
            } else {
                self.mask << shift
            };
            self.mask |= 1;
            self.highest = index;
        } else if self.highest - index < WINDOW {
            self.mask |= 1 << (self.highest - index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimation_follows_appendix_a() {
        // In order and small gaps keep the ROC.
        assert_eq!(estimate_index(100, 101), Some(101));
        // Wrap forward: s_l high, seq low → ROC + 1.
        assert_eq!(estimate_index(65535, 0), Some(65536));
        assert_eq!(estimate_index(3 << 16 | 60000, 10), Some(4 << 16 | 10));
        // A late packet from before the wrap: s_l low, seq high → ROC − 1.
        assert_eq!(estimate_index(65536 + 2, 65535), Some(65535));
        // … which does not exist in ROC 0.
        assert_eq!(estimate_index(2, 65535), None);
        // Half-way: 32768 ahead is still this ROC, 32769 is the previous one.
        assert_eq!(estimate_index(1 << 16, 32768), Some(1 << 16 | 32768));
        assert_eq!(estimate_index(1 << 16, 32769), Some(32769));
        // Past 2^48 there is no index.
        assert_eq!(estimate_index(MAX_SRTP_INDEX, 0), None);
    }

    #[test]
    fn window_rejects_duplicates_and_old_indices() {
        let mut w = ReplayWindow::new(1000);
        assert!(!w.is_fresh(1000));
        assert!(w.is_fresh(999));
        w.accept(999);
        assert!(!w.is_fresh(999));
        assert!(w.is_fresh(1000 - 63));
        assert!(!w.is_fresh(1000 - 64));
        w.accept(1010);
        assert_eq!(w.highest(), 1010);
        assert!(!w.is_fresh(1000), "shifted bits stay remembered");
        assert!(!w.is_fresh(999));
        assert!(w.is_fresh(1001));
        w.accept(5000);
        assert!(w.is_fresh(4999));
        assert!(!w.is_fresh(5000));
        assert!(!w.is_fresh(1010), "far behind the window");
    }
}
