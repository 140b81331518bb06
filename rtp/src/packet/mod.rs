//! RTP data packets (RFC 3550 §5.1): a zero-copy parsed view over a datagram, a header value
//! type that prints itself into caller-provided buffers (in `header`), and RTP/RTCP
//! demultiplexing on a shared port (RFC 5761 §4).

mod header;

use thiserror::Error;

pub use header::{CsrcList, RtpHeader, WriteError};

/// Length of the fixed RTP header, without CSRCs or header extension.
pub const RTP_HEADER_LEN: usize = 12;

/// Most contributing sources one header can list (the 4-bit CC field).
pub const MAX_CSRCS: usize = 15;

/// Why a datagram is not a valid RTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PacketError {
    /// Shorter than the 12-byte fixed header.
    #[error("datagram shorter than the 12-byte RTP header")]
    TooShort,
    /// The version field is not 2.
    #[error("RTP version {0}, expected 2")]
    BadVersion(u8),
    /// The CSRC list announced by CC runs past the end of the datagram.
    #[error("CSRC list runs past the end of the datagram")]
    TruncatedCsrc,
    /// The header extension runs past the end of the datagram.
    #[error("header extension runs past the end of the datagram")]
    TruncatedExtension,
    /// The padding bit is set but the pad count is zero or longer than the payload.
    #[error("padding count is zero or longer than the payload")]
    BadPadding,
}

/// What a datagram received on a port shared by RTP and RTCP is (RFC 5761 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketKind {
    /// RTP data.
    Rtp,
    /// RTCP: the second octet, marker bit masked off, is 64–95.
    Rtcp,
    /// Not version 2 RTP or RTCP (for example STUN or DTLS), or too short to tell.
    Other,
}

/// Classifies a datagram from a muxed RTP/RTCP port by its first two octets.
pub fn classify(datagram: &[u8]) -> PacketKind {
    match datagram {
        [first, second, ..] if first >> 6 == 2 => {
            if (64..=95).contains(&(second & 0x7f)) {
                PacketKind::Rtcp
            } else {
                PacketKind::Rtp
            }
        }
        _ => PacketKind::Other,
    }
}

/// A header extension (RFC 3550 §5.3.1), kept opaque.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    /// The 16-bit profile-defined identifier.
    pub profile: u16,
    /// The extension body, a multiple of four bytes, without its 4-byte preamble.
    pub data: &'a [u8],
}

/// A parsed RTP packet borrowing the datagram it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    marker: bool,
    payload_type: u8,
    sequence: u16,
    timestamp: u32,
    ssrc: u32,
    csrc: &'a [u8],
    extension: Option<Extension<'a>>,
    payload: &'a [u8],
    padding: u8,
}

impl<'a> RtpPacket<'a> {
    /// Parses `datagram`. Padding is removed from the payload; the extension is skipped but
    /// kept. Never panics.
    pub fn parse(datagram: &'a [u8]) -> Result<Self, PacketError> {
        let fixed = datagram
            .get(..RTP_HEADER_LEN)
            .ok_or(PacketError::TooShort)?;
        let version = fixed[0] >> 6;
        if version != 2 {
            return Err(PacketError::BadVersion(version));
        }
        let csrc_end = RTP_HEADER_LEN + 4 * usize::from(fixed[0] & 0x0f);
        let csrc = datagram
            .get(RTP_HEADER_LEN..csrc_end)
            .ok_or(PacketError::TruncatedCsrc)?;
        let (extension, body_start) = if fixed[0] & 0x10 != 0 {
            parse_extension(datagram, csrc_end)?
        } else {
            (None, csrc_end)
        };
        let body = &datagram[body_start..];
        let (payload, padding) = if fixed[0] & 0x20 != 0 {
            strip_padding(body)?
        } else {
            (body, 0)
        };
        Ok(RtpPacket {
            marker: fixed[1] & 0x80 != 0,
            payload_type: fixed[1] & 0x7f,
            sequence: u16::from_be_bytes([fixed[2], fixed[3]]),
            timestamp: u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]),
            ssrc: u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]),
            csrc,
            extension,
            payload,
            padding,
        })
    }

    /// The marker bit (for audio: first packet of a talkspurt).
    pub fn marker(&self) -> bool {
        self.marker
    }

    /// The 7-bit payload type.
    pub fn payload_type(&self) -> u8 {
        self.payload_type
    }

    /// The sequence number.
    pub fn sequence(&self) -> u16 {
        self.sequence
    }

    /// The RTP timestamp.
    pub fn timestamp(&self) -> u32 {
        self.timestamp
    }

    /// The synchronization source.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The contributing sources, in order.
    pub fn csrcs(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        self.csrc.chunks_exact(4).map(read_u32)
    }

    /// The header extension, if the X bit was set.
    pub fn extension(&self) -> Option<Extension<'a>> {
        self.extension
    }

    /// The payload, padding removed.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// How many padding bytes (including the count byte) followed the payload.
    pub fn padding_len(&self) -> u8 {
        self.padding
    }

    /// The header as a value, without the extension.
    pub fn header(&self) -> RtpHeader {
        let mut csrc = CsrcList::new();
        for id in self.csrcs() {
            csrc.push(id);
        }
        RtpHeader {
            marker: self.marker,
            payload_type: self.payload_type,
            sequence: self.sequence,
            timestamp: self.timestamp,
            ssrc: self.ssrc,
            csrc,
        }
    }
}

fn read_u32(b: &[u8]) -> u32 {
    b.iter().fold(0, |acc, &x| (acc << 8) | u32::from(x))
}

fn parse_extension(
    datagram: &[u8],
    at: usize,
) -> Result<(Option<Extension<'_>>, usize), PacketError> {
    let pre = datagram
        .get(at..at + 4)
        .ok_or(PacketError::TruncatedExtension)?;
    let words = usize::from(u16::from_be_bytes([pre[2], pre[3]]));
    let end = at + 4 + 4 * words;
    let data = datagram
        .get(at + 4..end)
        .ok_or(PacketError::TruncatedExtension)?;
    let profile = u16::from_be_bytes([pre[0], pre[1]]);
    Ok((Some(Extension { profile, data }), end))
}

fn strip_padding(body: &[u8]) -> Result<(&[u8], u8), PacketError> {
    let pad = *body.last().ok_or(PacketError::BadPadding)?;
    if pad == 0 || usize::from(pad) > body.len() {
        return Err(PacketError::BadPadding);
    }
    Ok((&body[..body.len() - usize::from(pad)], pad))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_padding_csrc_and_extension() {
        let mut d = vec![0xb1, 0x80 | 8, 0, 7, 0, 0, 1, 0, 0xde, 0xad, 0xbe, 0xef];
        d.extend_from_slice(&[0, 0, 0, 9]); // CSRC 9
        d.extend_from_slice(&[0xbe, 0xde, 0, 1, 1, 2, 3, 4]); // extension, one word
        d.extend_from_slice(&[0xaa, 0xbb, 0, 0, 3]); // payload + 3 bytes padding
        let p = RtpPacket::parse(&d).unwrap();
        assert!(p.marker());
        assert_eq!(p.payload_type(), 8);
        assert_eq!(p.sequence(), 7);
        assert_eq!(p.timestamp(), 256);
        assert_eq!(p.ssrc(), 0xdead_beef);
        assert_eq!(p.csrcs().collect::<Vec<_>>(), [9]);
        assert_eq!(
            p.extension(),
            Some(Extension {
                profile: 0xbede,
                data: &[1, 2, 3, 4]
            })
        );
        assert_eq!(p.payload(), [0xaa, 0xbb]);
        assert_eq!(p.padding_len(), 3);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(RtpPacket::parse(&[0x80; 11]), Err(PacketError::TooShort));
        let mut d = [0u8; 12];
        d[0] = 0x40;
        assert_eq!(RtpPacket::parse(&d), Err(PacketError::BadVersion(1)));
        d[0] = 0x81;
        assert_eq!(RtpPacket::parse(&d), Err(PacketError::TruncatedCsrc));
        d[0] = 0x90;
        assert_eq!(RtpPacket::parse(&d), Err(PacketError::TruncatedExtension));
        d[0] = 0xa0;
        assert_eq!(RtpPacket::parse(&d), Err(PacketError::BadPadding));
        let mut p = d.to_vec();
        p.extend_from_slice(&[1, 0]);
        assert_eq!(RtpPacket::parse(&p), Err(PacketError::BadPadding));
        p.push(4);
        assert_eq!(RtpPacket::parse(&p), Err(PacketError::BadPadding));
        *p.last_mut().unwrap() = 3;
        assert_eq!(RtpPacket::parse(&p).unwrap().payload(), []);
    }

    #[test]
    fn classifies_muxed_datagrams() {
        assert_eq!(classify(&[0x80, 0]), PacketKind::Rtp);
        assert_eq!(classify(&[0x80, 0x80 | 8]), PacketKind::Rtp);
        assert_eq!(classify(&[0x80, 200]), PacketKind::Rtcp);
        assert_eq!(classify(&[0x81, 201]), PacketKind::Rtcp);
        assert_eq!(classify(&[0x80, 96]), PacketKind::Rtp);
        assert_eq!(classify(&[0x00, 1]), PacketKind::Other);
        assert_eq!(classify(&[0x80]), PacketKind::Other);
    }
}
