//! Building our SDP: UAC offers (including hold/unhold re-offers) and the
//! shared audio-section builder used by answers.

use super::attrs::Direction;
use super::caps::{Codec, LocalCaps};
use super::crypto::CryptoAttribute;
use super::srtp::{crypto_attributes, offer_crypto};
use super::types::{Attribute, Connection, MediaDescription, Origin, SessionDescription};

/// Username in the `o=` line of everything voxgate generates.
const USERNAME: &str = "voxgate";
/// Events advertised for `telephone-event` (DTMF 0-9, *, #, A-D, flash).
const TELEPHONE_EVENTS: &str = "0-16";

/// Parameters of an audio m-line we generate.
pub(crate) struct AudioSection<'a> {
    /// Our RTP port (0 to reject).
    pub(crate) port: u16,
    /// Transport protocol.
    pub(crate) proto: &'a str,
    /// Codecs with their payload types, in m-line order.
    pub(crate) codecs: &'a [(Codec, u8)],
    /// telephone-event payload type, if used.
    pub(crate) telephone_event: Option<u8>,
    /// Packetization time in ms.
    pub(crate) ptime: u32,
    /// Whether to include `a=rtcp-mux`.
    pub(crate) rtcp_mux: bool,
    /// Our direction attribute.
    pub(crate) direction: Direction,
    /// SDES crypto lines (empty for plain RTP).
    pub(crate) crypto: &'a [CryptoAttribute],
}

impl AudioSection<'_> {
    /// Builds the media section.
    pub(crate) fn build(&self) -> MediaDescription {
        let pts = self.codecs.iter().map(|&(_, pt)| pt);
        let formats = pts.chain(self.telephone_event).map(|pt| pt.to_string());
        let mut m = MediaDescription::new("audio", self.port, self.proto, formats.collect());
        let attrs = &mut m.attributes;
        for &(codec, pt) in self.codecs {
            attrs.push(Attribute::new("rtpmap", codec.rtpmap_value(pt)));
        }
        if let Some(pt) = self.telephone_event {
            attrs.push(Attribute::new(
                "rtpmap",
                format!("{pt} telephone-event/8000"),
            ));
            attrs.push(Attribute::new("fmtp", format!("{pt} {TELEPHONE_EVENTS}")));
        }
        attrs.push(Attribute::new("ptime", self.ptime.to_string()));
        attrs.extend(crypto_attributes(self.crypto));
        if self.rtcp_mux {
            attrs.push(Attribute::flag("rtcp-mux"));
        }
        attrs.push(Attribute::flag(self.direction.as_str()));
        m
    }
}

/// Session-level part of our SDP: `o=voxgate`, `s=voxgate`, `c=` our
/// address, `t=0 0`, no media yet.
pub(crate) fn base_session(caps: &LocalCaps) -> SessionDescription {
    let origin = Origin::new(
        USERNAME,
        caps.session_id,
        caps.session_version,
        caps.address.as_str(),
    );
    let mut sdp = SessionDescription::new(origin, USERNAME);
    sdp.connection = Some(Connection::new(caps.address.as_str()));
    sdp
}

/// Our initial offer: one `sendrecv` audio stream with every enabled codec
/// in preference order.
#[must_use]
pub fn offer(caps: &LocalCaps) -> SessionDescription {
    offer_with_direction(caps, Direction::SendRecv)
}

/// An offer with an explicit direction, for hold (`SendOnly`, or
/// `Inactive` if the peer already holds us) and unhold (`SendRecv`)
/// re-offers. Bump `caps.session_version` before every re-offer.
///
/// Unless `caps.srtp` is [`SrtpPolicy::Off`](super::SrtpPolicy::Off) the
/// offer is `RTP/SAVP` with one `a=crypto` line per supported suite
/// (`AES_CM_128_HMAC_SHA1_80` tag 1, `_32` tag 2), all carrying our key.
#[must_use]
pub fn offer_with_direction(caps: &LocalCaps, direction: Direction) -> SessionDescription {
    let codecs: Vec<(Codec, u8)> = caps
        .codecs
        .iter()
        .map(|&c| (c, caps.payload_type(c)))
        .collect();
    let crypto = caps.srtp.key().map(offer_crypto).unwrap_or_default();
    let section = AudioSection {
        port: caps.rtp_port,
        proto: if crypto.is_empty() {
            "RTP/AVP"
        } else {
            "RTP/SAVP"
        },
        codecs: &codecs,
        telephone_event: caps.telephone_event,
        ptime: caps.preferred_ptime(),
        rtcp_mux: caps.rtcp_mux,
        direction,
        crypto: &crypto,
    };
    let mut sdp = base_session(caps);
    sdp.media.push(section.build());
    sdp
}
