//! The RTP port pool: even ports of the configured range, each lent with the odd port above
//! it for RTCP, drawn at random (a port an attacker cannot predict is one it cannot spray
//! with packets before the caller's arrive). A [`PortLease`] gives its port back when dropped, so a call task that ends
//! in any way returns its port. The pool is the one piece of state shared between the
//! signalling core (which leases) and call tasks (whose leases drop): a small mutex held for
//! a push or a pop, never across an await.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

/// Even RTP ports in `[min, max]`, lent in random order.
#[derive(Debug, Clone)]
pub struct PortPool {
    free: Arc<Mutex<VecDeque<u16>>>,
}

impl PortPool {
    /// A pool of the even ports from `min` to `max - 1` (RTCP takes port + 1).
    pub fn new(min: u16, max: u16) -> Self {
        let first = min + (min % 2);
        let free = (first..max).step_by(2).collect();
        PortPool {
            free: Arc::new(Mutex::new(free)),
        }
    }

    /// Takes a free port chosen by `random` (the caller's random number: the pool draws
    /// none itself).
    pub fn lease(&self, random: u32) -> Option<PortLease> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        if free.is_empty() {
            return None;
        }
        let i = usize::try_from(random).unwrap_or(0) % free.len();
        let port = free.swap_remove_back(i)?;
        drop(free);
        Some(PortLease {
            port,
            pool: self.clone(),
        })
    }

    /// Free ports.
    pub fn available(&self) -> usize {
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// One leased RTP port (and the RTCP port above it); returned to the pool on drop.
#[derive(Debug)]
pub struct PortLease {
    port: u16,
    pool: PortPool,
}

impl PortLease {
    /// The RTP port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for PortLease {
    fn drop(&mut self) {
        self.pool
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(self.port);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_even_ports_and_returns_them_on_drop() {
        let pool = PortPool::new(20001, 20007);
        assert_eq!(pool.available(), 3);
        let a = pool.lease(0).expect("a port");
        let b = pool.lease(0).expect("a port");
        let c = pool.lease(7).expect("a port");
        let mut ports = [a.port(), b.port(), c.port()];
        ports.sort_unstable();
        assert_eq!(ports, [20002, 20004, 20006]);
        assert!(pool.lease(0).is_none());
        let returned = a.port();
        drop(a);
        assert_eq!(
            pool.lease(12345).expect("the returned port").port(),
            returned
        );
    }

    #[test]
    fn random_draws_spread_over_the_range() {
        let pool = PortPool::new(20000, 29999);
        let mut seen = std::collections::HashSet::new();
        let mut x: u32 = 0x9e37_79b9;
        for _ in 0..200 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let lease = pool.lease(x).expect("a port");
            seen.insert(lease.port() / 1000);
        }
        assert!(seen.len() >= 9, "ports from most thousands: {seen:?}");
    }
}
