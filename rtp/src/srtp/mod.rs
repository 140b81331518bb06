//! SRTP and SRTCP (RFC 3711) for the SDES suites `AES_CM_128_HMAC_SHA1_80` and
//! `AES_CM_128_HMAC_SHA1_32` (RFC 4568 §6.2).
//!
//! This module owns the cryptographic transform of RTP and RTCP packets: session key
//! derivation from the 30-byte master key material (key derivation rate 0), AES-128 counter
//! mode, the HMAC-SHA1 tag, the rollover counter and index estimation (RFC 3711 §3.3.1,
//! Appendix A), the 64-packet replay windows and the SRTCP E flag and 31-bit index. It does
//! not touch key exchange (SDES lives in the SIP crate's SDP), sockets or clocks, and it
//! draws no random numbers. MKIs are not supported (SDES offers without them).
//!
//! One [`SrtpContext`] holds one master key, so a call has two: one built from the local key
//! to protect what it sends, one from the peer's key to unprotect what it receives. The
//! in-place methods work on the caller's buffers and do not allocate per packet.

mod context;
mod keys;
mod replay;
mod streams;

use thiserror::Error;

pub use context::SrtpContext;

/// Length of an SRTP master key for the AES-128 suites.
pub const MASTER_KEY_LEN: usize = 16;
/// Length of an SRTP master salt.
pub const MASTER_SALT_LEN: usize = 14;
/// Length of the key material SDES carries: master key followed by master salt.
pub const KEY_MATERIAL_LEN: usize = MASTER_KEY_LEN + MASTER_SALT_LEN;
/// Bytes SRTCP appends to an RTCP packet: E flag and index (4) and an 80-bit tag (10).
pub const SRTCP_OVERHEAD: usize = 4 + SRTCP_TAG_LEN;
/// Most bytes SRTP appends to an RTP packet (the 80-bit tag), for sizing buffers.
pub const MAX_SRTP_OVERHEAD: usize = 10;
/// SRTCP always uses the 80-bit tag, whatever the SRTP suite (RFC 4568 §6.2).
const SRTCP_TAG_LEN: usize = 10;

/// An SDES crypto suite (RFC 4568 §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SrtpSuite {
    /// AES-128 counter mode, HMAC-SHA1 with an 80-bit tag.
    AesCm128HmacSha1_80,
    /// AES-128 counter mode, HMAC-SHA1 with a 32-bit SRTP tag (SRTCP keeps 80 bits).
    AesCm128HmacSha1_32,
}

impl SrtpSuite {
    /// Length in bytes of the SRTP authentication tag.
    #[must_use]
    pub fn rtp_tag_len(self) -> usize {
        match self {
            Self::AesCm128HmacSha1_80 => 10,
            Self::AesCm128HmacSha1_32 => 4,
        }
    }

    /// Length in bytes of the SRTCP authentication tag (always 80 bits).
    #[must_use]
    pub fn rtcp_tag_len(self) -> usize {
        SRTCP_TAG_LEN
    }

    /// The suite's name as written in SDP `a=crypto`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Self::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }
}

/// Why a packet could not be protected or unprotected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SrtpError {
    /// The key material is not master key plus master salt (API misuse).
    #[error("key material is {got} bytes, expected {expected}")]
    KeyLength {
        /// Bytes given.
        got: usize,
        /// Bytes required.
        expected: usize,
    },
    /// The packet is shorter than its header (and tag) say it must be.
    #[error("packet of {len} bytes is too short")]
    TooShort {
        /// Length of the packet.
        len: usize,
    },
    /// The version field is not 2.
    #[error("RTP/RTCP version {0}, expected 2")]
    BadVersion(u8),
    /// The caller's buffer has no room for the tag and trailer (API misuse).
    #[error("buffer of {capacity} bytes cannot hold the {needed}-byte protected packet")]
    BufferTooSmall {
        /// Bytes the protected packet needs.
        needed: usize,
        /// Bytes the buffer has.
        capacity: usize,
    },
    /// The authentication tag does not match: wrong key, or a forged or damaged packet.
    #[error("authentication tag mismatch")]
    AuthFailed,
    /// The packet index was already received, or is older than the replay window.
    #[error("packet index {index} replayed or too old")]
    Replay {
        /// The packet's (estimated) index.
        index: u64,
    },
    /// The packet index space is used up (2^48 SRTP or 2^31 SRTCP packets): rekey.
    #[error("packet index space exhausted; the master key must be replaced")]
    KeyExhausted,
}
