//! Compound RTCP parsing: walks the packets of a datagram, checks each common header (version,
//! length, padding only on the last packet) and decodes SR, RR, SDES and BYE; other packet
//! types are skipped.

use super::{
    Goodbye, PT_BYE, PT_RR, PT_SDES, PT_SR, ReceiverReport, ReportBlock, RtcpError, RtcpPacket,
    SdesChunk, SenderReport, SourceDescription,
};
use crate::rtcp::NtpTime;

/// SDES item type of a CNAME.
const SDES_CNAME: u8 = 1;

/// Parses every known packet of a compound RTCP datagram, skipping unknown types.
pub fn parse_compound(datagram: &[u8]) -> Result<Vec<RtcpPacket>, RtcpError> {
    if datagram.is_empty() {
        return Err(RtcpError::TooShort);
    }
    RtcpReader::new(datagram).collect()
}

/// Iterates over the packets of a compound RTCP datagram without collecting them. Unknown
/// packet types are skipped; after the first error the iterator ends.
#[derive(Debug, Clone)]
pub struct RtcpReader<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> RtcpReader<'a> {
    /// A reader over `datagram`.
    pub fn new(datagram: &'a [u8]) -> Self {
        RtcpReader {
            rest: datagram,
            failed: false,
        }
    }

    /// Splits the next packet off: its packet type, count field and body (padding removed).
    fn split_next(&mut self) -> Result<(u8, u8, &'a [u8]), RtcpError> {
        let head = self.rest.get(..4).ok_or(RtcpError::TooShort)?;
        let version = head[0] >> 6;
        if version != 2 {
            return Err(RtcpError::BadVersion(version));
        }
        let len = (usize::from(u16::from_be_bytes([head[2], head[3]])) + 1) * 4;
        let packet = self.rest.get(..len).ok_or(RtcpError::BadLength)?;
        self.rest = &self.rest[len..];
        let mut body = &packet[4..];
        if head[0] & 0x20 != 0 {
            let pad = usize::from(*body.last().ok_or(RtcpError::BadPadding)?);
            if !self.rest.is_empty() || pad == 0 || pad > body.len() {
                return Err(RtcpError::BadPadding);
            }
            body = &body[..body.len() - pad];
        }
        Ok((head[1], head[0] & 0x1f, body))
    }
}

impl Iterator for RtcpReader<'_> {
    type Item = Result<RtcpPacket, RtcpError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed && !self.rest.is_empty() {
            let decoded = self
                .split_next()
                .and_then(|(pt, count, body)| decode(pt, count, body));
            match decoded {
                Ok(None) => {}
                Ok(Some(packet)) => return Some(Ok(packet)),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

fn decode(pt: u8, count: u8, body: &[u8]) -> Result<Option<RtcpPacket>, RtcpError> {
    let mut c = Cursor { buf: body, pos: 0 };
    let count = usize::from(count);
    Ok(Some(match pt {
        PT_SR => RtcpPacket::SenderReport(sender_report(&mut c, count)?),
        PT_RR => RtcpPacket::ReceiverReport(ReceiverReport {
            ssrc: c.u32()?,
            reports: report_blocks(&mut c, count)?,
        }),
        PT_SDES => RtcpPacket::SourceDescription(SourceDescription {
            chunks: (0..count)
                .map(|_| sdes_chunk(&mut c))
                .collect::<Result<_, _>>()?,
        }),
        PT_BYE => RtcpPacket::Goodbye(goodbye(&mut c, count)?),
        _ => return Ok(None),
    }))
}

fn sender_report(c: &mut Cursor<'_>, count: usize) -> Result<SenderReport, RtcpError> {
    let ssrc = c.u32()?;
    let ntp_time = NtpTime(u64::from(c.u32()?) << 32 | u64::from(c.u32()?));
    Ok(SenderReport {
        ssrc,
        ntp_time,
        rtp_timestamp: c.u32()?,
        packet_count: c.u32()?,
        octet_count: c.u32()?,
        reports: report_blocks(c, count)?,
    })
}

fn report_blocks(c: &mut Cursor<'_>, count: usize) -> Result<Vec<ReportBlock>, RtcpError> {
    (0..count).map(|_| report_block(c)).collect()
}

fn report_block(c: &mut Cursor<'_>) -> Result<ReportBlock, RtcpError> {
    let ssrc = c.u32()?;
    let loss = c.u32()?;
    Ok(ReportBlock {
        ssrc,
        fraction_lost: (loss >> 24) as u8,
        // Sign-extend the low 24 bits.
        cumulative_lost: ((loss << 8) as i32) >> 8,
        extended_highest_seq: c.u32()?,
        jitter: c.u32()?,
        last_sr: c.u32()?,
        delay_since_last_sr: c.u32()?,
    })
}

fn sdes_chunk(c: &mut Cursor<'_>) -> Result<SdesChunk, RtcpError> {
    let ssrc = c.u32()?;
    let mut cname = None;
    loop {
        let kind = c.u8()?;
        if kind == 0 {
            break;
        }
        let len = c.u8()?;
        let text = c.take(usize::from(len))?;
        if kind == SDES_CNAME {
            cname = Some(String::from_utf8_lossy(text).into_owned());
        }
    }
    c.align4();
    Ok(SdesChunk { ssrc, cname })
}

fn goodbye(c: &mut Cursor<'_>, count: usize) -> Result<Goodbye, RtcpError> {
    let sources = (0..count).map(|_| c.u32()).collect::<Result<_, _>>()?;
    let reason = if c.is_empty() {
        None
    } else {
        let len = c.u8()?;
        Some(String::from_utf8_lossy(c.take(usize::from(len))?).into_owned())
    };
    Ok(Goodbye { sources, reason })
}

/// A bounds-checked reader over a packet body.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], RtcpError> {
        let end = self.pos.checked_add(n).ok_or(RtcpError::Truncated)?;
        let bytes = self.buf.get(self.pos..end).ok_or(RtcpError::Truncated)?;
        self.pos = end;
        Ok(bytes)
    }

    fn u8(&mut self) -> Result<u8, RtcpError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, RtcpError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// Skips the null octets up to the next 32-bit boundary (leniently, if present).
    fn align4(&mut self) {
        self.pos = self.pos.next_multiple_of(4).min(self.buf.len());
    }
}
