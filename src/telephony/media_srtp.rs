//! SDES-SRTP on a call (RFC 3711, RFC 4568): the two contexts the negotiated keys make — ours
//! protects what we send, the caller's unprotects what arrives — and the preallocated
//! buffers that keep the per-packet path free of allocation. A packet that fails its
//! authentication tag or replay check is dropped and counted; nothing of it reaches the call.

use rtp::{SrtpContext, SrtpSuite};
use sip::sdp::{SdesSuite, SrtpKeys};

/// Room for the largest datagram we accept.
const MAX_DATAGRAM: usize = 2048;

/// One call's SRTP state.
pub(crate) struct Crypto {
    keys: SrtpKeys,
    out: SrtpContext,
    inbound: SrtpContext,
    /// Decrypted copies of incoming datagrams.
    clear: Vec<u8>,
    /// RTCP reports on their way out.
    rtcp: Vec<u8>,
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crypto")
            .field("suite", &self.keys.suite)
            .finish_non_exhaustive()
    }
}

fn suite(s: SdesSuite) -> SrtpSuite {
    match s {
        SdesSuite::AesCm128HmacSha1_32 => SrtpSuite::AesCm128HmacSha1_32,
        _ => SrtpSuite::AesCm128HmacSha1_80,
    }
}

impl Crypto {
    /// The contexts for the agreed `keys` (`None` only for key material of the wrong size,
    /// which the SDP layer never produces).
    pub(crate) fn new(keys: &SrtpKeys) -> Option<Crypto> {
        let s = suite(keys.suite);
        Some(Crypto {
            keys: *keys,
            out: SrtpContext::new(s, keys.local_key.as_bytes()).ok()?,
            inbound: SrtpContext::new(s, keys.remote_key.as_bytes()).ok()?,
            clear: Vec::with_capacity(MAX_DATAGRAM),
            rtcp: Vec::with_capacity(MAX_DATAGRAM),
        })
    }

    /// Whether these are the contexts of `keys` (a re-INVITE may bring new ones).
    pub(crate) fn is_for(&self, keys: &SrtpKeys) -> bool {
        self.keys == *keys
    }

    /// Takes the buffer for a decrypted datagram (give it back with [`Crypto::restore`]).
    pub(crate) fn take_buffer(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.clear)
    }

    /// Gives the buffer back.
    pub(crate) fn restore(&mut self, buf: Vec<u8>) {
        self.clear = buf;
    }

    /// Decrypts `data` (SRTP, or SRTCP when `rtcp`) into `buf`; false when it fails.
    pub(crate) fn unprotect(&mut self, data: &[u8], rtcp: bool, buf: &mut Vec<u8>) -> bool {
        if data.len() > MAX_DATAGRAM {
            return false;
        }
        buf.clear();
        buf.extend_from_slice(data);
        let result = if rtcp {
            self.inbound.unprotect_rtcp_in_place(buf)
        } else {
            self.inbound.unprotect_rtp_in_place(buf)
        };
        match result {
            Ok(n) => {
                buf.truncate(n);
                true
            }
            Err(_) => false,
        }
    }

    /// Encrypts the RTP packet `buf[..len]` in place; the new length.
    pub(crate) fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Option<usize> {
        self.out.protect_rtp_in_place(buf, len).ok()
    }

    /// Encrypts an RTCP compound packet; the SRTCP bytes.
    pub(crate) fn protect_rtcp(&mut self, packet: &[u8]) -> Option<&[u8]> {
        self.out.protect_rtcp(packet, &mut self.rtcp).ok()?;
        Some(&self.rtcp)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sip::sdp::SdesKey;

    fn keys(local: u8, remote: u8) -> SrtpKeys {
        SrtpKeys {
            suite: SdesSuite::AesCm128HmacSha1_80,
            tag: 1,
            local_key: SdesKey::new([local; 30]),
            remote_key: SdesKey::new([remote; 30]),
        }
    }

    fn rtp(seq: u16) -> Vec<u8> {
        let mut p = vec![0x80, 0, (seq >> 8) as u8, seq as u8, 0, 0, 0, 1, 0, 0, 0, 7];
        p.extend_from_slice(&[0x55; 160]);
        p
    }

    #[test]
    fn what_one_side_protects_the_other_unprotects_once() {
        let mut us = Crypto::new(&keys(1, 2)).unwrap();
        let mut them = Crypto::new(&keys(2, 1)).unwrap();
        let plain = rtp(7);
        let mut wire = plain.clone();
        wire.resize(plain.len() + rtp::MAX_SRTP_OVERHEAD, 0);
        let n = us.protect_rtp(&mut wire, plain.len()).unwrap();
        wire.truncate(n);
        assert_ne!(&wire[12..172], &plain[12..], "the payload is encrypted");
        let mut buf = them.take_buffer();
        assert!(them.unprotect(&wire, false, &mut buf));
        assert_eq!(buf, plain);
        assert!(!them.unprotect(&wire, false, &mut buf), "a replay");
        let mut forged = wire.clone();
        forged[20] ^= 1;
        assert!(!them.unprotect(&forged, false, &mut buf), "a forgery");
        assert!(!them.unprotect(&plain, false, &mut buf), "plain RTP");
        them.restore(buf);
    }
}
