//! The SRTP/SRTCP context: packet layout (which bytes are encrypted and authenticated), the
//! per-SSRC rollover counters, SRTCP indices and replay windows. The cryptography itself is
//! in `keys`; index arithmetic in `replay`.

use std::fmt;

use super::keys::{SRTCP_LABELS, SRTP_LABELS, SessionKeys};
use super::replay::{ReplayWindow, estimate_index};
use super::streams::Streams;
use super::{
    KEY_MATERIAL_LEN, MASTER_KEY_LEN, MASTER_SALT_LEN, SRTCP_OVERHEAD, SRTCP_TAG_LEN, SrtpError,
    SrtpSuite,
};

/// Fixed RTP header length.
const RTP_FIXED: usize = 12;
/// RTCP header plus sender SSRC: the part SRTCP leaves in clear.
const RTCP_CLEAR: usize = 8;
/// The SRTCP E flag in the index word.
const E_FLAG: u32 = 0x8000_0000;
/// Largest SRTCP index (31 bits).
const MAX_SRTCP_INDEX: u32 = 0x7fff_ffff;

/// SRTP and SRTCP protection under one master key (RFC 3711).
///
/// Tracks up to 8 SSRCs in each of four tables (SRTP sent, SRTP received, SRTCP sent,
/// SRTCP received), so the same context may be used for both directions when both sides
/// share a key; with SDES each side has its own key, so a call builds one context from the
/// local key for sending and one from the peer's key for receiving.
///
/// Unprotecting checks the replay window and the tag before it decrypts: a packet that
/// fails leaves the buffer and the context unchanged.
#[derive(Clone)]
pub struct SrtpContext {
    suite: SrtpSuite,
    rtp: SessionKeys,
    rtcp: SessionKeys,
    /// Highest SRTP index sent, per SSRC.
    rtp_sent: Streams<u64>,
    /// SRTP replay window (its highest index carries ROC and s_l), per SSRC.
    rtp_received: Streams<ReplayWindow>,
    /// Last SRTCP index sent, per SSRC.
    rtcp_sent: Streams<u32>,
    /// SRTCP replay window, per SSRC.
    rtcp_received: Streams<ReplayWindow>,
}

impl fmt::Debug for SrtpContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.debug_struct("SrtpContext")
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl SrtpContext {
    /// A context for `suite` from the 30 bytes of SDES key material (master key ‖ salt).
    ///
    /// # Errors
    /// [`SrtpError::KeyLength`] when `key_material` is not [`KEY_MATERIAL_LEN`] bytes.
    pub fn new(suite: SrtpSuite, key_material: &[u8]) -> Result<Self, SrtpError> {
        let (Some(key), Some(salt)) = (
            key_material
                .get(..MASTER_KEY_LEN)
                .and_then(|k| <&[u8; MASTER_KEY_LEN]>::try_from(k).ok()),
            key_material
                .get(MASTER_KEY_LEN..)
                .and_then(|s| <&[u8; MASTER_SALT_LEN]>::try_from(s).ok()),
        ) else {
            return Err(SrtpError::KeyLength {
                got: key_material.len(),
                expected: KEY_MATERIAL_LEN,
            });
        };
        Ok(Self {
            suite,
            rtp: SessionKeys::derive(key, salt, SRTP_LABELS),
            rtcp: SessionKeys::derive(key, salt, SRTCP_LABELS),
            rtp_sent: Streams::new(),
            rtp_received: Streams::new(),
            rtcp_sent: Streams::new(),
            rtcp_received: Streams::new(),
        })
    }

    /// The suite this context was built for.
    #[must_use]
    pub fn suite(&self) -> SrtpSuite {
        self.suite
    }

    /// The rollover counter of a received SRTP stream, if `ssrc` has been received.
    #[must_use]
    pub fn received_roc(&self, ssrc: u32) -> Option<u32> {
        self.rtp_received
            .get(ssrc)
            .map(|w| (w.highest() >> 16) as u32)
    }

    /// Protects the RTP packet in `buf[..len]` in place: encrypts the payload and appends the
    /// tag. `buf` must have room for [`SrtpSuite::rtp_tag_len`] more bytes. Returns the
    /// length of the SRTP packet.
    ///
    /// # Errors
    /// [`SrtpError::TooShort`] or [`SrtpError::BadVersion`] for a malformed header,
    /// [`SrtpError::BufferTooSmall`] when the tag does not fit, [`SrtpError::KeyExhausted`]
    /// after 2^48 packets.
    pub fn protect_rtp_in_place(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let tag_len = self.suite.rtp_tag_len();
        let needed = len + tag_len;
        if needed > buf.len() {
            return Err(SrtpError::BufferTooSmall {
                needed,
                capacity: buf.len(),
            });
        }
        let header = rtp_header_len(&buf[..len])?;
        let (seq, ssrc) = rtp_seq_ssrc(buf);
        let index = match self.rtp_sent.get(ssrc) {
            None => {
                self.rtp_sent.set(ssrc, u64::from(seq));
                u64::from(seq)
            }
            Some(highest) => match estimate_index(highest, seq) {
                Some(index) => {
                    self.rtp_sent.set(ssrc, index.max(highest));
                    index
                }
                // A jump back past index 0: stay in ROC 0 (the receiver will drop it).
                None if highest >> 16 == 0 => u64::from(seq),
                None => return Err(SrtpError::KeyExhausted),
            },
        };

        let iv = self.rtp.iv(ssrc, index);
        self.rtp.apply_keystream(&iv, &mut buf[header..len]);
        let tag = self.rtp.tag(&buf[..len], &roc_bytes(index));
        buf[len..needed].copy_from_slice(&tag[..tag_len]);
        Ok(needed)
    }

    /// Unprotects the SRTP packet that fills `buf` in place: checks the replay window and the
    /// tag, then decrypts. Returns the length of the RTP packet (`buf.len()` less the tag).
    ///
    /// # Errors
    /// [`SrtpError::TooShort`] or [`SrtpError::BadVersion`] for a malformed packet,
    /// [`SrtpError::Replay`] for a duplicate or too old one, [`SrtpError::AuthFailed`] for a
    /// bad tag. On error `buf` and the context are unchanged.
    pub fn unprotect_rtp_in_place(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let tag_len = self.suite.rtp_tag_len();
        let Some(end) = buf.len().checked_sub(tag_len).filter(|&e| e >= RTP_FIXED) else {
            return Err(SrtpError::TooShort { len: buf.len() });
        };
        let header = rtp_header_len(&buf[..end])?;
        let (seq, ssrc) = rtp_seq_ssrc(buf);
        let window = self.rtp_received.get(ssrc);
        let index = match window {
            None => u64::from(seq),
            Some(w) => estimate_index(w.highest(), seq).ok_or(SrtpError::Replay {
                index: u64::from(seq),
            })?,
        };
        if window.is_some_and(|w| !w.is_fresh(index)) {
            return Err(SrtpError::Replay { index });
        }
        let (authenticated, tag) = buf.split_at(end);
        if !self.rtp.verify(authenticated, &roc_bytes(index), tag) {
            return Err(SrtpError::AuthFailed);
        }
        let iv = self.rtp.iv(ssrc, index);
        self.rtp.apply_keystream(&iv, &mut buf[header..end]);
        let mut window = window.unwrap_or_else(|| ReplayWindow::new(index));
        window.accept(index);
        self.rtp_received.set(ssrc, window);
        Ok(end)
    }

    /// Protects the RTCP compound packet in `buf[..len]` in place: encrypts all but the first
    /// 8 bytes and appends the E flag and index word and the 80-bit tag. `buf` must have room
    /// for [`SRTCP_OVERHEAD`] more bytes. Returns the length of the SRTCP packet.
    ///
    /// # Errors
    /// [`SrtpError::TooShort`], [`SrtpError::BadVersion`], [`SrtpError::BufferTooSmall`],
    /// or [`SrtpError::KeyExhausted`] after 2^31 − 1 packets.
    pub fn protect_rtcp_in_place(
        &mut self,
        buf: &mut [u8],
        len: usize,
    ) -> Result<usize, SrtpError> {
        let needed = len + SRTCP_OVERHEAD;
        if needed > buf.len() {
            return Err(SrtpError::BufferTooSmall {
                needed,
                capacity: buf.len(),
            });
        }
        let ssrc = rtcp_ssrc(&buf[..len])?;
        let index = self.rtcp_sent.get(ssrc).unwrap_or(0) + 1;
        if index > MAX_SRTCP_INDEX {
            return Err(SrtpError::KeyExhausted);
        }
        self.rtcp_sent.set(ssrc, index);

        let iv = self.rtcp.iv(ssrc, u64::from(index));
        self.rtcp.apply_keystream(&iv, &mut buf[RTCP_CLEAR..len]);
        buf[len..len + 4].copy_from_slice(&(E_FLAG | index).to_be_bytes());
        let tag = self.rtcp.tag(&buf[..len + 4], &[]);
        buf[len + 4..needed].copy_from_slice(&tag[..SRTCP_TAG_LEN]);
        Ok(needed)
    }

    /// Unprotects the SRTCP packet that fills `buf` in place. Returns the length of the RTCP
    /// compound packet. Unencrypted SRTCP (E flag clear) is accepted when authenticated.
    ///
    /// # Errors
    /// As [`SrtpContext::unprotect_rtp_in_place`].
    pub fn unprotect_rtcp_in_place(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let Some(end) = buf
            .len()
            .checked_sub(SRTCP_OVERHEAD)
            .filter(|&e| e >= RTCP_CLEAR)
        else {
            return Err(SrtpError::TooShort { len: buf.len() });
        };
        let ssrc = rtcp_ssrc(&buf[..end])?;
        let word = u32::from_be_bytes([buf[end], buf[end + 1], buf[end + 2], buf[end + 3]]);
        let index = u64::from(word & MAX_SRTCP_INDEX);
        let window = self.rtcp_received.get(ssrc);
        if window.is_some_and(|w| !w.is_fresh(index)) {
            return Err(SrtpError::Replay { index });
        }
        let (authenticated, tag) = buf.split_at(end + 4);
        if !self.rtcp.verify(authenticated, &[], tag) {
            return Err(SrtpError::AuthFailed);
        }
        if word & E_FLAG != 0 {
            let iv = self.rtcp.iv(ssrc, index);
            self.rtcp.apply_keystream(&iv, &mut buf[RTCP_CLEAR..end]);
        }
        let mut window = window.unwrap_or_else(|| ReplayWindow::new(index));
        window.accept(index);
        self.rtcp_received.set(ssrc, window);
        Ok(end)
    }

    /// Protects `packet` (RTP) into `out`, which is cleared first; reuses `out`'s capacity.
    ///
    /// # Errors
    /// As [`SrtpContext::protect_rtp_in_place`].
    pub fn protect_rtp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), SrtpError> {
        let tag_len = self.suite.rtp_tag_len();
        copy_with_room(packet, out, tag_len);
        let n = self.protect_rtp_in_place(out, packet.len())?;
        out.truncate(n);
        Ok(())
    }

    /// Unprotects `packet` (SRTP) into `out`, which is cleared first.
    ///
    /// # Errors
    /// As [`SrtpContext::unprotect_rtp_in_place`].
    pub fn unprotect_rtp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), SrtpError> {
        copy_with_room(packet, out, 0);
        let result = self.unprotect_rtp_in_place(out);
        finish(out, result)
    }

    /// Protects `packet` (RTCP) into `out`, which is cleared first.
    ///
    /// # Errors
    /// As [`SrtpContext::protect_rtcp_in_place`].
    pub fn protect_rtcp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), SrtpError> {
        copy_with_room(packet, out, SRTCP_OVERHEAD);
        let n = self.protect_rtcp_in_place(out, packet.len())?;
        out.truncate(n);
        Ok(())
    }

    /// Unprotects `packet` (SRTCP) into `out`, which is cleared first.
    ///
    /// # Errors
    /// As [`SrtpContext::unprotect_rtcp_in_place`].
    pub fn unprotect_rtcp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), SrtpError> {
        copy_with_room(packet, out, 0);
        let result = self.unprotect_rtcp_in_place(out);
        finish(out, result)
    }
}

/// Clears `out` and fills it with `packet` followed by `room` zero bytes.
fn copy_with_room(packet: &[u8], out: &mut Vec<u8>, room: usize) {
    out.clear();
    out.extend_from_slice(packet);
    out.resize(packet.len() + room, 0);
}

/// Truncates `out` to the unprotected length, or empties it on error.
fn finish(out: &mut Vec<u8>, result: Result<usize, SrtpError>) -> Result<(), SrtpError> {
    match result {
        Ok(n) => {
            out.truncate(n);
            Ok(())
        }
        Err(e) => {
            out.clear();
            Err(e)
        }
    }
}

/// The ROC of a 48-bit index as the 4 bytes SRTP authenticates after the packet.
fn roc_bytes(index: u64) -> [u8; 4] {
    ((index >> 16) as u32).to_be_bytes()
}

/// Sequence number and SSRC of an RTP packet already checked to be at least 12 bytes.
fn rtp_seq_ssrc(buf: &[u8]) -> (u16, u32) {
    (
        u16::from_be_bytes([buf[2], buf[3]]),
        u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]),
    )
}

/// Length of the RTP header (fixed part, CSRCs, extension): what SRTP leaves in clear.
fn rtp_header_len(packet: &[u8]) -> Result<usize, SrtpError> {
    let too_short = SrtpError::TooShort { len: packet.len() };
    let first = *packet.first().ok_or(too_short)?;
    if packet.len() < RTP_FIXED {
        return Err(too_short);
    }
    if first >> 6 != 2 {
        return Err(SrtpError::BadVersion(first >> 6));
    }
    let mut len = RTP_FIXED + 4 * usize::from(first & 0x0f);
    if first & 0x10 != 0 {
        let words = packet.get(len + 2..len + 4).ok_or(too_short)?;
        len += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
    }
    if len > packet.len() {
        return Err(too_short);
    }
    Ok(len)
}

/// The sender SSRC of an RTCP packet (bytes 4..8) after checking length and version.
fn rtcp_ssrc(packet: &[u8]) -> Result<u32, SrtpError> {
    let Some(&[first, _, _, _, a, b, c, d]) = packet.first_chunk::<RTCP_CLEAR>() else {
        return Err(SrtpError::TooShort { len: packet.len() });
    };
    if first >> 6 != 2 {
        return Err(SrtpError::BadVersion(first >> 6));
    }
    Ok(u32::from_be_bytes([a, b, c, d]))
}
