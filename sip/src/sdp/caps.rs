//! Local capabilities and negotiation results for an audio-only endpoint.

use super::attrs::{Direction, RtpMap, parse_pt};
use super::srtp::{SrtpKeys, SrtpPolicy};
use super::types::{MediaDescription, SessionDescription};

/// Packetization time used when the peer asks for one we do not support.
pub(crate) const DEFAULT_PTIME_MS: u32 = 20;

/// An audio codec voxgate can send and receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Codec {
    /// G.711 µ-law, static payload type 0, 8000 Hz.
    Pcmu,
    /// G.711 A-law, static payload type 8, 8000 Hz.
    Pcma,
    /// Opus (RFC 7587), dynamic payload type, `opus/48000/2`.
    Opus,
}

impl Codec {
    /// Encoding name as written in `a=rtpmap`.
    #[must_use]
    pub fn encoding_name(self) -> &'static str {
        match self {
            Self::Pcmu => "PCMU",
            Self::Pcma => "PCMA",
            Self::Opus => "opus",
        }
    }

    /// RTP clock rate in Hz.
    #[must_use]
    pub fn clock_rate(self) -> u32 {
        match self {
            Self::Pcmu | Self::Pcma => 8000,
            Self::Opus => 48000,
        }
    }

    /// Channel count as advertised in `a=rtpmap`.
    #[must_use]
    pub fn channels(self) -> u16 {
        match self {
            Self::Pcmu | Self::Pcma => 1,
            Self::Opus => 2,
        }
    }

    /// The RFC 3551 static payload type, if the codec has one.
    #[must_use]
    pub fn static_payload_type(self) -> Option<u8> {
        match self {
            Self::Pcmu => Some(0),
            Self::Pcma => Some(8),
            Self::Opus => None,
        }
    }

    /// Whether an `a=rtpmap` describes this codec (name case-insensitive,
    /// clock rate exact, channel count absent or matching).
    fn matches(self, map: &RtpMap) -> bool {
        map.encoding_name.eq_ignore_ascii_case(self.encoding_name())
            && map.clock_rate == self.clock_rate()
            && map.channels.is_none_or(|c| c == self.channels())
    }

    /// The `a=rtpmap` value for this codec at payload type `pt`.
    pub(crate) fn rtpmap_value(self, pt: u8) -> String {
        let base = format!("{pt} {}/{}", self.encoding_name(), self.clock_rate());
        match self.channels() {
            1 => base,
            n => format!("{base}/{n}"),
        }
    }
}

/// What voxgate supports, in our preference order (used for our offers).
///
/// Build with [`LocalCaps::new`] and adjust the public fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LocalCaps {
    /// Supported codecs in preference order (default PCMU, PCMA).
    pub codecs: Vec<Codec>,
    /// Dynamic payload type we use for Opus in offers (default 111).
    pub opus_payload_type: u8,
    /// Dynamic payload type for `telephone-event/8000` (RFC 4733) in
    /// offers, or `None` to disable DTMF events (default 101).
    pub telephone_event: Option<u8>,
    /// Supported packetization times in ms, preferred first (default 20, 30).
    pub ptimes: Vec<u32>,
    /// Our RTP address (IPv4 or IPv6 literal).
    pub address: String,
    /// Our RTP port.
    pub rtp_port: u16,
    /// Whether we support RTP/RTCP multiplexing (RFC 5761; default true).
    pub rtcp_mux: bool,
    /// `o=` session id.
    pub session_id: u64,
    /// `o=` session version; the caller bumps it for every new offer or
    /// changed answer within the session.
    pub session_version: u64,
    /// SDES-SRTP policy and our key (default [`SrtpPolicy::Off`]: plain RTP).
    pub srtp: SrtpPolicy,
}

impl LocalCaps {
    /// Default capabilities: PCMU, PCMA, telephone-event 101, ptime 20/30,
    /// rtcp-mux, Opus disabled, session version 1.
    #[must_use]
    pub fn new(address: impl Into<String>, rtp_port: u16, session_id: u64) -> Self {
        Self {
            codecs: vec![Codec::Pcmu, Codec::Pcma],
            opus_payload_type: 111,
            telephone_event: Some(101),
            ptimes: vec![20, 30],
            address: address.into(),
            rtp_port,
            rtcp_mux: true,
            session_id,
            session_version: 1,
            srtp: SrtpPolicy::Off,
        }
    }

    /// Sets the SRTP policy (which carries our key for this call).
    #[must_use]
    pub fn with_srtp(mut self, policy: SrtpPolicy) -> Self {
        self.srtp = policy;
        self
    }

    /// Enables Opus (appended after the existing codecs) or disables it.
    #[must_use]
    pub fn with_opus(mut self, enabled: bool) -> Self {
        self.codecs.retain(|c| *c != Codec::Opus);
        if enabled {
            self.codecs.push(Codec::Opus);
        }
        self
    }

    /// Whether `codec` is enabled.
    #[must_use]
    pub fn supports(&self, codec: Codec) -> bool {
        self.codecs.contains(&codec)
    }

    /// The payload type we use for `codec` in our offers.
    #[must_use]
    pub fn payload_type(&self, codec: Codec) -> u8 {
        codec
            .static_payload_type()
            .unwrap_or(self.opus_payload_type)
    }

    /// Our preferred ptime: the first supported one, else 20 ms.
    pub(crate) fn preferred_ptime(&self) -> u32 {
        self.ptimes.first().copied().unwrap_or(DEFAULT_PTIME_MS)
    }
}

/// The audio stream agreed by offer/answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiatedAudio {
    /// Selected codec.
    pub codec: Codec,
    /// RTP payload type to use for the codec.
    pub payload_type: u8,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Packetization time in ms.
    pub ptime_ms: u32,
    /// Payload type of `telephone-event/8000`, if both sides use it.
    pub telephone_event_pt: Option<u8>,
    /// Peer's RTP address (media-level `c=`, else session-level).
    pub remote_addr: String,
    /// Peer's RTP port.
    pub remote_port: u16,
    /// Our direction: whether we send and/or receive. Never includes
    /// sending when the peer's address is `0.0.0.0`.
    pub direction: Direction,
    /// Whether RTP and RTCP share one port.
    pub rtcp_mux: bool,
    /// Whether the call is on hold: a `sendonly`/`inactive` direction on
    /// the peer's side (or on our own offer), or `c=` address `0.0.0.0`
    /// (RFC 2543 style).
    pub on_hold: bool,
    /// The SDES-SRTP keys when the stream is `RTP/SAVP`; `None` for plain RTP.
    pub srtp: Option<SrtpKeys>,
}

/// Result of [`answer`](super::answer): the SDP to send and the agreed stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The answer SDP, with the same m-lines, in order, as the offer.
    pub sdp: SessionDescription,
    /// The accepted audio stream.
    pub audio: NegotiatedAudio,
}

/// How one payload type of a media section is understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// One of our codecs.
    Codec(Codec),
    /// `telephone-event/8000`.
    TelephoneEvent,
    /// Anything else (unknown codec, other clock rate, not a payload type).
    Other,
}

/// All codecs we know, for matching.
const ALL_CODECS: [Codec; 3] = [Codec::Pcmu, Codec::Pcma, Codec::Opus];

/// Classifies every format of `m`, in m-line order, with its payload type.
///
/// Linear in the number of formats and attributes (peer-controlled sizes).
pub(crate) fn classify(m: &MediaDescription) -> Vec<(Option<u8>, Format)> {
    let mut by_pt: [Option<Format>; 128] = [None; 128];
    for map in m.rtpmaps() {
        let slot = by_pt.get_mut(usize::from(map.payload_type));
        if let Some(slot @ None) = slot {
            *slot = Some(classify_rtpmap(&map));
        }
    }
    m.formats
        .iter()
        .map(|fmt| {
            let pt = parse_pt(fmt);
            let mapped = pt.and_then(|pt| by_pt.get(usize::from(pt)).copied().flatten());
            (
                pt,
                mapped.unwrap_or_else(|| pt.map_or(Format::Other, static_format)),
            )
        })
        .collect()
}

/// Classifies a payload type that has no rtpmap (static assignments).
fn static_format(pt: u8) -> Format {
    ALL_CODECS
        .into_iter()
        .find(|c| c.static_payload_type() == Some(pt))
        .map_or(Format::Other, Format::Codec)
}

/// Classifies an rtpmap.
fn classify_rtpmap(map: &RtpMap) -> Format {
    if map.encoding_name.eq_ignore_ascii_case("telephone-event") && map.clock_rate == 8000 {
        return Format::TelephoneEvent;
    }
    ALL_CODECS
        .into_iter()
        .find(|c| c.matches(map))
        .map_or(Format::Other, Format::Codec)
}

/// Whether a `c=` address is the RFC 2543 hold address.
pub(crate) fn is_hold_address(address: &str) -> bool {
    address == "0.0.0.0"
}
