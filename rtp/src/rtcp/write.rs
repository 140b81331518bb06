//! Building RTCP: each packet prints its common header (count, type, length in words) and
//! body; a compound packet is the concatenation.

use super::{
    Goodbye, MAX_COUNT, PT_BYE, PT_RR, PT_SDES, PT_SR, ReportBlock, RtcpError, RtcpPacket,
    SdesChunk, SenderReport,
};

/// SDES item type of a CNAME.
const SDES_CNAME: u8 = 1;

/// Appends every packet of `packets` to `out` as one compound datagram. On error `out` is left
/// as it was.
pub fn write_compound(packets: &[RtcpPacket], out: &mut Vec<u8>) -> Result<(), RtcpError> {
    let start = out.len();
    for packet in packets {
        if let Err(e) = packet.write_to(out) {
            out.truncate(start);
            return Err(e);
        }
    }
    Ok(())
}

impl RtcpPacket {
    /// Appends this packet to `out`. On error `out` is left as it was.
    pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), RtcpError> {
        let start = out.len();
        let result = self.write_unchecked(out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn write_unchecked(&self, out: &mut Vec<u8>) -> Result<(), RtcpError> {
        match self {
            RtcpPacket::SenderReport(sr) => {
                let at = begin(out, sr.reports.len(), PT_SR)?;
                sender_info(sr, out);
                sr.reports.iter().for_each(|b| report_block(b, out));
                finish(out, at)
            }
            RtcpPacket::ReceiverReport(rr) => {
                let at = begin(out, rr.reports.len(), PT_RR)?;
                out.extend_from_slice(&rr.ssrc.to_be_bytes());
                rr.reports.iter().for_each(|b| report_block(b, out));
                finish(out, at)
            }
            RtcpPacket::SourceDescription(sdes) => {
                let at = begin(out, sdes.chunks.len(), PT_SDES)?;
                for chunk in &sdes.chunks {
                    sdes_chunk(chunk, at, out)?;
                }
                finish(out, at)
            }
            RtcpPacket::Goodbye(bye) => {
                let at = begin(out, bye.sources.len(), PT_BYE)?;
                goodbye(bye, at, out)?;
                finish(out, at)
            }
        }
    }
}

/// Writes a common header with a placeholder length; returns where it starts.
fn begin(out: &mut Vec<u8>, count: usize, pt: u8) -> Result<usize, RtcpError> {
    if count > MAX_COUNT {
        return Err(RtcpError::TooManyItems);
    }
    let at = out.len();
    out.extend_from_slice(&[0x80 | count as u8, pt, 0, 0]);
    Ok(at)
}

/// Fills in the length field of the packet starting at `at`.
fn finish(out: &mut [u8], at: usize) -> Result<(), RtcpError> {
    let words = (out.len() - at) / 4 - 1;
    let words = u16::try_from(words).map_err(|_| RtcpError::TooManyItems)?;
    out[at + 2..at + 4].copy_from_slice(&words.to_be_bytes());
    Ok(())
}

fn sender_info(sr: &SenderReport, out: &mut Vec<u8>) {
    for word in [
        sr.ssrc,
        sr.ntp_time.seconds(),
        sr.ntp_time.fraction(),
        sr.rtp_timestamp,
        sr.packet_count,
        sr.octet_count,
    ] {
        out.extend_from_slice(&word.to_be_bytes());
    }
}

fn report_block(b: &ReportBlock, out: &mut Vec<u8>) {
    let lost = b.cumulative_lost.clamp(-0x80_0000, 0x7f_ffff) as u32 & 0x00ff_ffff;
    let loss = u32::from(b.fraction_lost) << 24 | lost;
    for word in [
        b.ssrc,
        loss,
        b.extended_highest_seq,
        b.jitter,
        b.last_sr,
        b.delay_since_last_sr,
    ] {
        out.extend_from_slice(&word.to_be_bytes());
    }
}

fn sdes_chunk(chunk: &SdesChunk, at: usize, out: &mut Vec<u8>) -> Result<(), RtcpError> {
    out.extend_from_slice(&chunk.ssrc.to_be_bytes());
    if let Some(cname) = &chunk.cname {
        text(SDES_CNAME, cname, out)?;
    }
    out.push(0); // END
    pad4(out, at);
    Ok(())
}

fn goodbye(bye: &Goodbye, at: usize, out: &mut Vec<u8>) -> Result<(), RtcpError> {
    for ssrc in &bye.sources {
        out.extend_from_slice(&ssrc.to_be_bytes());
    }
    if let Some(reason) = &bye.reason {
        let len = u8::try_from(reason.len()).map_err(|_| RtcpError::TextTooLong)?;
        out.push(len);
        out.extend_from_slice(reason.as_bytes());
        pad4(out, at);
    }
    Ok(())
}

fn text(kind: u8, value: &str, out: &mut Vec<u8>) -> Result<(), RtcpError> {
    let len = u8::try_from(value.len()).map_err(|_| RtcpError::TextTooLong)?;
    out.extend_from_slice(&[kind, len]);
    out.extend_from_slice(value.as_bytes());
    Ok(())
}

/// Appends null octets up to the next 32-bit boundary of the packet starting at `at`.
fn pad4(out: &mut Vec<u8>, at: usize) {
    let len = (out.len() - at).next_multiple_of(4);
    out.resize(at + len, 0);
}
