//! Which addresses a call's RTP and RTCP are accepted from (the defence against RTP
//! injection, "RTP bleed"): before the first accepted packet, only the sources the policy
//! allows; after it, only that source (latched and locked). A re-INVITE that names a new
//! address unlocks it. Pure: addresses in, a yes or no out.

use std::net::{IpAddr, SocketAddr};

use crate::config::MediaSource;

/// The policy of one call and its latch.
#[derive(Debug, Clone)]
pub(crate) struct SourceGuard {
    policy: MediaSource,
    /// Where the call's signalling came from.
    signalling: IpAddr,
    latched: Option<SocketAddr>,
    latched_rtcp: Option<SocketAddr>,
}

impl SourceGuard {
    /// A guard for a call whose signalling came from `signalling`.
    pub(crate) fn new(policy: MediaSource, signalling: IpAddr) -> SourceGuard {
        SourceGuard {
            policy,
            signalling,
            latched: None,
            latched_rtcp: None,
        }
    }

    /// Whether an RTP packet from `from` is the caller's; the first one accepted latches.
    /// `sdp` is the address the caller's SDP names.
    pub(crate) fn accept_rtp(&mut self, from: SocketAddr, sdp: Option<SocketAddr>) -> bool {
        if let Some(latched) = self.latched {
            return latched == from;
        }
        if self.allowed(from, sdp, false) {
            self.latched = Some(from);
            return true;
        }
        false
    }

    /// Whether an RTCP packet from `from` is the caller's (the latched RTP host, or before
    /// any RTP what the policy allows); the first one accepted latches the RTCP address.
    pub(crate) fn accept_rtcp(&mut self, from: SocketAddr, sdp: Option<SocketAddr>) -> bool {
        if let Some(rtcp) = self.latched_rtcp {
            return rtcp == from;
        }
        let ok = match self.latched {
            Some(rtp) => rtp.ip() == from.ip(),
            None => self.allowed(from, sdp, true),
        };
        if ok {
            self.latched_rtcp = Some(from);
        }
        ok
    }

    fn allowed(&self, from: SocketAddr, sdp: Option<SocketAddr>, rtcp: bool) -> bool {
        let sdp_ip = sdp.map(|a| a.ip());
        match self.policy {
            MediaSource::First => true,
            MediaSource::Sdp => match sdp {
                // RTCP comes from port + 1, or the RTP port when muxed.
                Some(a) if rtcp => a.ip() == from.ip(),
                Some(a) => a == from,
                None => false,
            },
            MediaSource::Signalling => {
                Some(from.ip()) == sdp_ip || same_ip(from.ip(), self.signalling)
            }
        }
    }

    /// Where RTP goes: the latched source, else the SDP address.
    pub(crate) fn rtp_dest(&self, sdp: Option<SocketAddr>) -> Option<SocketAddr> {
        self.latched.or(sdp)
    }

    /// The latched RTCP source, if any.
    pub(crate) fn rtcp_dest(&self) -> Option<SocketAddr> {
        self.latched_rtcp
    }

    /// A re-INVITE moved the caller: learn the new source.
    pub(crate) fn unlock(&mut self) {
        self.latched = None;
        self.latched_rtcp = None;
    }
}

/// IPv4 and its IPv4-mapped IPv6 form are the same address.
fn same_ip(a: IpAddr, b: IpAddr) -> bool {
    let canon = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    canon(a) == canon(b)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    const SDP: &str = "198.51.100.7:4000";
    const SIGNALLING: &str = "203.0.113.5";

    fn guard(p: MediaSource) -> SourceGuard {
        SourceGuard::new(p, SIGNALLING.parse().unwrap())
    }

    #[test]
    fn the_default_takes_the_sdp_host_or_the_signalling_host_then_locks() {
        let sdp = Some(a(SDP));
        let mut g = guard(MediaSource::Signalling);
        assert!(!g.accept_rtp(a("192.0.2.66:4000"), sdp), "a stranger");
        assert!(
            g.accept_rtp(a("203.0.113.5:31000"), sdp),
            "the caller behind NAT"
        );
        assert!(!g.accept_rtp(a("198.51.100.7:4000"), sdp), "locked now");
        assert!(
            !g.accept_rtp(a("203.0.113.5:31002"), sdp),
            "not even another port"
        );
        assert_eq!(g.rtp_dest(sdp), Some(a("203.0.113.5:31000")));
        assert!(g.accept_rtcp(a("203.0.113.5:31001"), sdp));
        assert!(!g.accept_rtcp(a("192.0.2.66:31001"), sdp));
        g.unlock();
        assert!(g.accept_rtp(a("198.51.100.7:4000"), sdp));
    }

    #[test]
    fn strict_takes_only_the_sdp_address() {
        let sdp = Some(a(SDP));
        let mut g = guard(MediaSource::Sdp);
        assert!(!g.accept_rtp(a("203.0.113.5:31000"), sdp));
        assert!(!g.accept_rtp(a("198.51.100.7:4002"), sdp));
        assert!(g.accept_rtp(a(SDP), sdp));
        let mut g = guard(MediaSource::Sdp);
        assert!(!g.accept_rtp(a(SDP), None), "no address, nothing accepted");
    }

    #[test]
    fn first_latches_anything_once() {
        let sdp = Some(a(SDP));
        let mut g = guard(MediaSource::First);
        assert!(g.accept_rtp(a("192.0.2.66:4000"), sdp));
        assert!(!g.accept_rtp(a(SDP), sdp));
    }
}
