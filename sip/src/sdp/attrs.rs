//! Typed accessors over `a=` attributes: rtpmap, fmtp, ptime, direction,
//! rtcp-mux.

use super::types::{Attribute, Connection, MediaDescription, SessionDescription};
use std::fmt;

/// Media direction attribute (RFC 3264 §5.1 / RFC 4566 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// `a=sendrecv` (the default when no direction attribute is present).
    #[default]
    SendRecv,
    /// `a=sendonly`.
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl Direction {
    /// The attribute name, e.g. `"sendonly"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// Parses a direction attribute name (ASCII case-insensitive).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::SendRecv,
            Self::SendOnly,
            Self::RecvOnly,
            Self::Inactive,
        ]
        .into_iter()
        .find(|d| d.as_str().eq_ignore_ascii_case(name))
    }

    /// Builds a direction from whether media is sent and received.
    #[must_use]
    pub fn from_flags(sends: bool, receives: bool) -> Self {
        match (sends, receives) {
            (true, true) => Self::SendRecv,
            (true, false) => Self::SendOnly,
            (false, true) => Self::RecvOnly,
            (false, false) => Self::Inactive,
        }
    }

    /// Whether this side sends media.
    #[must_use]
    pub fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// Whether this side receives media.
    #[must_use]
    pub fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }

    /// The direction seen from the other side: sendonly ↔ recvonly.
    #[must_use]
    pub fn reversed(self) -> Self {
        Self::from_flags(self.receives(), self.sends())
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMap {
    /// RTP payload type (0..=127).
    pub payload_type: u8,
    /// Encoding name as written, e.g. `PCMU`, `opus`, `telephone-event`.
    pub encoding_name: String,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Number of channels, if given.
    pub channels: Option<u16>,
}

impl RtpMap {
    /// Parses the value of an `a=rtpmap` attribute; `None` if malformed.
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        let (pt, rest) = value.trim().split_once(char::is_whitespace)?;
        let mut parts = rest.trim().split('/');
        let encoding_name = parts.next()?.trim();
        let clock_rate = parts.next()?.trim().parse().ok()?;
        let channels = match parts.next() {
            Some(c) => Some(c.trim().parse().ok()?),
            None => None,
        };
        if encoding_name.is_empty() || parts.next().is_some() {
            return None;
        }
        Some(Self {
            payload_type: parse_pt(pt)?,
            encoding_name: encoding_name.to_owned(),
            clock_rate,
            channels,
        })
    }
}

/// Parses an RTP payload type (0..=127).
pub(crate) fn parse_pt(s: &str) -> Option<u8> {
    s.trim().parse().ok().filter(|pt| *pt <= 127)
}

/// First attribute called `name` (ASCII case-insensitive).
fn find<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

/// First direction attribute in `attrs`.
fn direction_in(attrs: &[Attribute]) -> Option<Direction> {
    attrs.iter().find_map(|a| Direction::from_name(&a.name))
}

/// Parses a millisecond attribute value; tolerates `20.0` style decimals.
fn parse_ms(value: &str) -> Option<u32> {
    let value = value.trim();
    if let Ok(ms) = value.parse::<u32>() {
        return Some(ms);
    }
    let ms = value.parse::<f64>().ok()?;
    // The range check makes the float-to-int conversion exact enough.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (ms.is_finite() && ms >= 0.0 && ms <= f64::from(u32::MAX)).then(|| ms.round() as u32)
}

impl SessionDescription {
    /// First session-level attribute called `name` (ASCII case-insensitive).
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        find(&self.attributes, name)
    }

    /// The session-level direction attribute, if any.
    #[must_use]
    pub fn direction(&self) -> Option<Direction> {
        direction_in(&self.attributes)
    }
}

impl MediaDescription {
    /// First media-level attribute called `name` (ASCII case-insensitive).
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        find(&self.attributes, name)
    }

    /// All well-formed `a=rtpmap` attributes, in order.
    #[must_use]
    pub fn rtpmaps(&self) -> Vec<RtpMap> {
        self.attributes
            .iter()
            .filter(|a| a.name.eq_ignore_ascii_case("rtpmap"))
            .filter_map(|a| RtpMap::parse(a.value.as_deref()?))
            .collect()
    }

    /// The `a=rtpmap` for payload type `pt`, if present.
    #[must_use]
    pub fn rtpmap(&self, pt: u8) -> Option<RtpMap> {
        self.rtpmaps().into_iter().find(|m| m.payload_type == pt)
    }

    /// The parameters of the `a=fmtp` for payload type `pt`, e.g. `"0-16"`.
    #[must_use]
    pub fn fmtp(&self, pt: u8) -> Option<&str> {
        self.attributes
            .iter()
            .filter(|a| a.name.eq_ignore_ascii_case("fmtp"))
            .filter_map(|a| a.value.as_deref())
            .find_map(|v| {
                let (fmt, params) = v.trim_start().split_once(char::is_whitespace)?;
                (parse_pt(fmt) == Some(pt)).then(|| params.trim())
            })
    }

    /// `a=ptime` in milliseconds, if present and numeric.
    #[must_use]
    pub fn ptime(&self) -> Option<u32> {
        parse_ms(self.attribute("ptime")?.value.as_deref()?)
    }

    /// `a=maxptime` in milliseconds, if present and numeric.
    #[must_use]
    pub fn maxptime(&self) -> Option<u32> {
        parse_ms(self.attribute("maxptime")?.value.as_deref()?)
    }

    /// The media-level direction attribute, if any.
    #[must_use]
    pub fn own_direction(&self) -> Option<Direction> {
        direction_in(&self.attributes)
    }

    /// Effective direction: media level overrides session level; the
    /// default is [`Direction::SendRecv`].
    #[must_use]
    pub fn direction(&self, session: &SessionDescription) -> Direction {
        self.own_direction()
            .or_else(|| session.direction())
            .unwrap_or_default()
    }

    /// Effective connection: the media-level `c=`, else the session-level one.
    #[must_use]
    pub fn effective_connection<'a>(
        &'a self,
        session: &'a SessionDescription,
    ) -> Option<&'a Connection> {
        self.connection.as_ref().or(session.connection.as_ref())
    }

    /// Whether `a=rtcp-mux` (RFC 5761) is present.
    #[must_use]
    pub fn rtcp_mux(&self) -> bool {
        self.attribute("rtcp-mux").is_some()
    }
}
