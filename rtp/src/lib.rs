//! Sans-IO RTP media for voxgate: the RTP and RTCP wire formats, receiver and sender
//! statistics, G.711 μ-law/A-law, an adaptive jitter buffer, RFC 4733 DTMF and SRTP/SRTCP
//! (RFC 3711) for the SDES suites.
//!
//! Nothing here opens a socket, spawns a task, reads a clock or draws random numbers: callers
//! feed datagrams with their arrival `Instant`, wall-clock NTP time when RTCP needs it, and
//! their own SSRCs, sequence numbers and timestamps; timers are returned as data. Peer input
//! never panics. The per-frame paths (G.711 conversion, jitter buffer push and pop, RTP header
//! printing into a caller buffer) do not allocate.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod dtmf;
mod g711;
mod jitter;
mod packet;
mod rtcp;
mod srtp;
mod stats;

pub use dtmf::{
    Digit, DtmfError, DtmfEvent, DtmfPacket, DtmfReceiver, DtmfSender, DtmfTiming, EndCause,
    TelephoneEvent,
};
pub use g711::{G711, alaw_to_linear, linear_to_alaw, linear_to_ulaw, ulaw_to_linear};
pub use jitter::{
    Arrival, CONCEAL_FADE_SAMPLES, JitterBuffer, JitterConfig, JitterStats, Playout, conceal,
};
pub use packet::{
    CsrcList, Extension, MAX_CSRCS, PacketError, PacketKind, RTP_HEADER_LEN, RtpHeader, RtpPacket,
    WriteError, classify,
};
pub use rtcp::{
    Goodbye, MAX_COUNT, NTP_UNIX_OFFSET, NtpTime, PT_BYE, PT_RR, PT_SDES, PT_SR, ReceiverReport,
    ReportBlock, RtcpError, RtcpPacket, RtcpReader, SdesChunk, SenderReport, SourceDescription,
    compact_to_duration, duration_to_compact, parse_compound, write_compound,
};
pub use srtp::{
    KEY_MATERIAL_LEN, MASTER_KEY_LEN, MASTER_SALT_LEN, MAX_SRTP_OVERHEAD, SRTCP_OVERHEAD,
    SrtpContext, SrtpError, SrtpSuite,
};
pub use stats::{MIN_SEQUENTIAL, ReceiverStats, SenderStats, SeqStatus};
