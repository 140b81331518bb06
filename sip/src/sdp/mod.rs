//! SDP (RFC 4566) and the RFC 3264 offer/answer model for voxgate's
//! audio-only endpoint.
//!
//! This module owns:
//!
//! * the SDP data model ([`SessionDescription`], [`MediaDescription`] and
//!   their line types), a liberal parser ([`SessionDescription::parse`])
//!   and a canonical CRLF printer (`Display`);
//! * typed accessors for the attributes we care about ([`RtpMap`], fmtp,
//!   ptime, [`Direction`], rtcp-mux, SDES [`CryptoAttribute`]);
//! * offer/answer for one audio stream: [`answer`] on the UAS side,
//!   [`offer`] / [`offer_with_direction`] and [`accept_answer`] on the UAC
//!   side, driven by [`LocalCaps`] and producing [`NegotiatedAudio`];
//! * SDES-SRTP negotiation (RFC 4568): `RTP/SAVP` with `a=crypto` under an
//!   [`SrtpPolicy`] that carries our key, agreeing on [`SrtpKeys`]. The keys
//!   are used by the `rtp` crate's SRTP context; this crate does no SRTP.
//!
//! It is sans-IO: nothing here opens sockets or reads clocks.

mod accept;
mod answer;
mod attrs;
mod base64;
mod caps;
mod crypto;
mod error;
mod fields;
mod offer;
mod parse;
mod print;
mod srtp;
mod types;

pub use accept::accept_answer;
pub use answer::answer;
pub use attrs::{Direction, RtpMap};
pub use caps::{Answer, Codec, LocalCaps, NegotiatedAudio};
pub use crypto::{CryptoAttribute, KeyParam, Mki, SDES_KEY_LEN, SdesKey, SdesSuite};
pub use error::{NegotiationError, SdpError, SdpErrorKind};
pub use offer::{offer, offer_with_direction};
pub use srtp::{SrtpKeys, SrtpPolicy};
pub use types::{
    Attribute, Bandwidth, Connection, MediaDescription, Origin, SessionDescription, Timing,
    UnknownLine,
};
