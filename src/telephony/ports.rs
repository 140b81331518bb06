//! The RTP port pool: even ports of the configured range, each lent with the odd port above
//! it for RTCP. A [`PortLease`] gives its port back when dropped, so a call task that ends
//! in any way returns its port. The pool is the one piece of state shared between the
//! signalling core (which leases) and call tasks (whose leases drop): a small mutex held for
//! a push or a pop, never across an await.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

/// Even RTP ports in `[min, max]`, least recently used first.
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

    /// Takes the least recently used free port.
    pub fn lease(&self) -> Option<PortLease> {
        let port = self
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()?;
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
        let a = pool.lease().expect("a port");
        let b = pool.lease().expect("a port");
        assert_eq!((a.port(), b.port()), (20002, 20004));
        drop(a);
        let c = pool.lease().expect("a port");
        assert_eq!(c.port(), 20006, "least recently used first");
        let d = pool.lease().expect("the returned port");
        assert_eq!(d.port(), 20002);
        assert!(pool.lease().is_none());
    }
}
