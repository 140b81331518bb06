//! The RTP header to send: a value type (with an inline CSRC list) that prints itself into a
//! caller-provided slice or appends to a `Vec`, without padding or extension.

use thiserror::Error;

use super::{MAX_CSRCS, RTP_HEADER_LEN};

/// Why a header could not be printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The output buffer is shorter than the packet.
    #[error("output buffer too small: {needed} bytes needed")]
    BufferTooSmall {
        /// Bytes the packet needs.
        needed: usize,
    },
    /// The payload type does not fit in 7 bits.
    #[error("payload type {0} is not in 0..=127")]
    PayloadType(u8),
}

/// Up to 15 contributing sources, stored inline (no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsrcList {
    len: u8,
    ids: [u32; MAX_CSRCS],
}

impl CsrcList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// A list holding `ids`, or `None` if there are more than 15.
    pub fn from_slice(ids: &[u32]) -> Option<Self> {
        let mut list = Self::new();
        ids.iter().all(|&id| list.push(id)).then_some(list)
    }

    /// Appends `id`; returns false (and changes nothing) when the list is full.
    pub fn push(&mut self, id: u32) -> bool {
        match self.ids.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = id;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    /// The sources, in order.
    pub fn as_slice(&self) -> &[u32] {
        &self.ids[..usize::from(self.len)]
    }

    /// How many sources the list holds.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// An RTP header to send. Printing never emits padding or a header extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RtpHeader {
    /// The marker bit.
    pub marker: bool,
    /// The payload type, 0–127.
    pub payload_type: u8,
    /// The sequence number.
    pub sequence: u16,
    /// The RTP timestamp.
    pub timestamp: u32,
    /// The synchronization source.
    pub ssrc: u32,
    /// The contributing sources.
    pub csrc: CsrcList,
}

impl RtpHeader {
    /// A header with no marker and no contributing sources.
    pub fn new(payload_type: u8, sequence: u16, timestamp: u32, ssrc: u32) -> Self {
        RtpHeader {
            payload_type,
            sequence,
            timestamp,
            ssrc,
            ..Self::default()
        }
    }

    /// Bytes the printed header takes.
    pub fn len(&self) -> usize {
        RTP_HEADER_LEN + 4 * self.csrc.len()
    }

    /// Always false: a header is at least 12 bytes.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Prints the header alone at the start of `out` (the caller writes the payload after
    /// it) and returns its length.
    pub fn write_to(&self, out: &mut [u8]) -> Result<usize, WriteError> {
        if self.payload_type > 0x7f {
            return Err(WriteError::PayloadType(self.payload_type));
        }
        let needed = self.len();
        let out = out
            .get_mut(..needed)
            .ok_or(WriteError::BufferTooSmall { needed })?;
        out[0] = 0x80 | self.csrc.len;
        out[1] = u8::from(self.marker) << 7 | self.payload_type;
        out[2..4].copy_from_slice(&self.sequence.to_be_bytes());
        out[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        out[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
        for (chunk, id) in out[12..].chunks_exact_mut(4).zip(self.csrc.as_slice()) {
            chunk.copy_from_slice(&id.to_be_bytes());
        }
        Ok(needed)
    }

    /// Prints header and `payload` into `out` and returns the packet length.
    pub fn write_packet(&self, payload: &[u8], out: &mut [u8]) -> Result<usize, WriteError> {
        let needed = self.len() + payload.len();
        if out.len() < needed {
            return Err(WriteError::BufferTooSmall { needed });
        }
        let header = self.write_to(out)?;
        out[header..needed].copy_from_slice(payload);
        Ok(needed)
    }

    /// Appends header and `payload` to `out`.
    pub fn append_to(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), WriteError> {
        let start = out.len();
        out.resize(start + self.len(), 0);
        if let Err(e) = self.write_to(&mut out[start..]) {
            out.truncate(start);
            return Err(e);
        }
        out.extend_from_slice(payload);
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::packet::RtpPacket;

    #[test]
    fn write_checks_buffer_and_payload_type() {
        let h = RtpHeader::new(0, 1, 2, 3);
        assert_eq!(
            h.write_to(&mut [0; 11]),
            Err(WriteError::BufferTooSmall { needed: 12 })
        );
        let bad = RtpHeader::new(128, 1, 2, 3);
        let mut v = vec![1];
        assert_eq!(
            bad.append_to(&[], &mut v),
            Err(WriteError::PayloadType(128))
        );
        assert_eq!(v, [1]);
        let mut buf = [0u8; 16];
        assert_eq!(h.write_packet(&[9, 9], &mut buf), Ok(14));
        assert_eq!(RtpPacket::parse(&buf[..14]).unwrap().payload(), [9, 9]);
    }

    #[test]
    fn csrc_list_holds_fifteen() {
        assert!(CsrcList::from_slice(&[1; 15]).is_some());
        assert!(CsrcList::from_slice(&[1; 16]).is_none());
    }
}
