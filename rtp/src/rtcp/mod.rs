//! RTCP (RFC 3550 §6): sender and receiver reports with their report blocks, source
//! descriptions (CNAME), BYE, compound packet parsing (unknown packet types skipped) and
//! building, and NTP timestamp helpers.

mod ntp;
mod parse;
mod write;

use std::time::Duration;

use thiserror::Error;

pub use ntp::{NTP_UNIX_OFFSET, NtpTime, compact_to_duration, duration_to_compact};
pub use parse::{RtcpReader, parse_compound};
pub use write::write_compound;

/// Packet type of a sender report.
pub const PT_SR: u8 = 200;
/// Packet type of a receiver report.
pub const PT_RR: u8 = 201;
/// Packet type of a source description.
pub const PT_SDES: u8 = 202;
/// Packet type of a BYE.
pub const PT_BYE: u8 = 203;

/// Most report blocks, SDES chunks or BYE sources one packet can hold (5-bit count).
pub const MAX_COUNT: usize = 31;

/// Why RTCP could not be parsed or built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RtcpError {
    /// Fewer than four bytes where an RTCP header should start.
    #[error("RTCP packet shorter than its 4-byte header")]
    TooShort,
    /// The version field is not 2.
    #[error("RTCP version {0}, expected 2")]
    BadVersion(u8),
    /// The length field runs past the end of the datagram.
    #[error("RTCP length field runs past the end of the datagram")]
    BadLength,
    /// Padding on a packet that is not the last one, or a bad pad count.
    #[error("invalid RTCP padding")]
    BadPadding,
    /// The body is shorter than its count field and items say.
    #[error("RTCP packet body truncated")]
    Truncated,
    /// More than 31 report blocks, chunks or sources in one packet.
    #[error("more than 31 items in one RTCP packet")]
    TooManyItems,
    /// A CNAME or BYE reason longer than 255 bytes.
    #[error("RTCP text longer than 255 bytes")]
    TextTooLong,
}

/// One reception report block (RFC 3550 §6.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    /// The source this block reports on.
    pub ssrc: u32,
    /// Packets lost since the previous report, as a fraction of 256.
    pub fraction_lost: u8,
    /// Packets lost since reception began; 24-bit signed on the wire (duplicates can make it
    /// negative), clamped when printed.
    pub cumulative_lost: i32,
    /// Extended highest sequence number received (cycles in the high 16 bits).
    pub extended_highest_seq: u32,
    /// Interarrival jitter in timestamp units.
    pub jitter: u32,
    /// Compact NTP time of the last sender report received (LSR), 0 if none.
    pub last_sr: u32,
    /// Delay since that sender report in 1/65536 s (DLSR), 0 if none.
    pub delay_since_last_sr: u32,
}

impl ReportBlock {
    /// Round-trip time per RFC 3550 §6.4.1 (arrival − LSR − DLSR), where `arrival` is the
    /// wall-clock time this block was received; `None` without an LSR or if negative.
    pub fn round_trip_time(&self, arrival: NtpTime) -> Option<Duration> {
        if self.last_sr == 0 {
            return None;
        }
        let rtt = arrival
            .compact()
            .wrapping_sub(self.last_sr)
            .wrapping_sub(self.delay_since_last_sr);
        (rtt < 1 << 31).then(|| compact_to_duration(rtt))
    }
}

/// A sender report (SR).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SenderReport {
    /// The sender's SSRC.
    pub ssrc: u32,
    /// Wall-clock time when the report was sent.
    pub ntp_time: NtpTime,
    /// The RTP timestamp corresponding to `ntp_time`.
    pub rtp_timestamp: u32,
    /// RTP packets sent since the start of transmission.
    pub packet_count: u32,
    /// Payload octets sent since the start of transmission.
    pub octet_count: u32,
    /// Reception reports, at most 31.
    pub reports: Vec<ReportBlock>,
}

/// A receiver report (RR).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceiverReport {
    /// The reporter's SSRC.
    pub ssrc: u32,
    /// Reception reports, at most 31.
    pub reports: Vec<ReportBlock>,
}

/// One SDES chunk: a source and its CNAME. Other SDES items are skipped when parsing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SdesChunk {
    /// The source described.
    pub ssrc: u32,
    /// Its canonical name, at most 255 bytes (invalid UTF-8 is replaced when parsing).
    pub cname: Option<String>,
}

/// A source description (SDES) packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceDescription {
    /// The chunks, at most 31.
    pub chunks: Vec<SdesChunk>,
}

/// A BYE packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Goodbye {
    /// The sources leaving, at most 31.
    pub sources: Vec<u32>,
    /// Why, at most 255 bytes.
    pub reason: Option<String>,
}

/// One RTCP packet of a compound packet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RtcpPacket {
    /// SR, packet type 200.
    SenderReport(SenderReport),
    /// RR, packet type 201.
    ReceiverReport(ReceiverReport),
    /// SDES, packet type 202.
    SourceDescription(SourceDescription),
    /// BYE, packet type 203.
    Goodbye(Goodbye),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_time_example() {
        // RFC 3550 §6.4.1 figure: A = 0xb710:8000, LSR = 0xb705:2000, DLSR = 0x0005:4000.
        let block = ReportBlock {
            last_sr: 0xb705_2000,
            delay_since_last_sr: 0x0005_4000,
            ..ReportBlock::default()
        };
        let arrival = NtpTime(0xb710_8000 << 16);
        assert_eq!(
            block.round_trip_time(arrival),
            Some(compact_to_duration(0x0006_2000))
        );
        assert_eq!(ReportBlock::default().round_trip_time(arrival), None);
    }
}
