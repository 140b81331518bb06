//! RFC 3264 answerer (UAS side): accept the first acceptable audio stream
//! of an offer and reject every other m-line with port 0.

use super::attrs::Direction;
use super::caps::{
    Answer, Codec, DEFAULT_PTIME_MS, Format, LocalCaps, NegotiatedAudio, classify, is_hold_address,
};
use super::error::NegotiationError;
use super::offer::{AudioSection, base_session};
use super::srtp::{Refusal, answer_crypto};
use super::types::{MediaDescription, SessionDescription};

/// Why one offered m-line was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// Not audio, disabled, unsupported transport or no common codec.
    Unacceptable,
    /// Acceptable codec but no `c=` anywhere.
    NoConnection,
    /// Plain RTP while SRTP is required.
    PlainRefused,
    /// `RTP/SAVP` without a crypto line we can use.
    NoUsableCrypto,
}

impl From<Refusal> for Skip {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Transport => Self::Unacceptable,
            Refusal::PlainRefused => Self::PlainRefused,
            Refusal::NoUsableCrypto => Self::NoUsableCrypto,
        }
    }
}

/// The error for an offer none of whose m-lines was accepted, the most specific first.
fn refusal(skips: &[Skip]) -> NegotiationError {
    let any = |s: Skip| skips.contains(&s);
    if any(Skip::NoConnection) {
        NegotiationError::MissingConnection
    } else if any(Skip::NoUsableCrypto) {
        NegotiationError::NoCommonCryptoSuite
    } else if any(Skip::PlainRefused) {
        NegotiationError::SrtpRequired
    } else {
        NegotiationError::NoCommonCodec
    }
}

/// Answers `offer` (RFC 3264 §6).
///
/// The answer has one m-line per offered m-line, in the same order. The
/// first audio stream over plain RTP (`RTP/AVP` or `RTP/AVPF`) with a codec
/// we support is accepted, choosing the first such codec in the offer's
/// order; every other m-line is rejected with port 0. The offer's `t=`
/// lines are echoed.
///
/// With [`SrtpPolicy::Optional`](super::SrtpPolicy::Optional) an `RTP/SAVP`
/// (or `RTP/SAVPF`) stream is acceptable too: the first `a=crypto` line with
/// a supported suite, one key and no MKI is answered with the same tag and
/// our key. With [`SrtpPolicy::Required`](super::SrtpPolicy::Required) only
/// such streams are acceptable.
///
/// # Errors
///
/// [`NegotiationError::NoCommonCodec`] if no audio stream is acceptable,
/// [`NegotiationError::MissingConnection`] if the acceptable stream has no
/// `c=` address, [`NegotiationError::NoCommonCryptoSuite`] if an `RTP/SAVP`
/// stream had no usable crypto line, [`NegotiationError::SrtpRequired`] if
/// only plain RTP was offered under `Required`. Respond with
/// [`NegotiationError::status_code`] (488).
pub fn answer(offer: &SessionDescription, caps: &LocalCaps) -> Result<Answer, NegotiationError> {
    let mut audio = None;
    let mut skips = Vec::new();
    let mut media = Vec::with_capacity(offer.media.len());
    for m in &offer.media {
        let result = match audio {
            None => accept_stream(offer, m, caps),
            Some(_) => Err(Skip::Unacceptable),
        };
        match result {
            Ok((negotiated, section)) => {
                audio = Some(negotiated);
                media.push(section);
            }
            Err(skip) => {
                skips.push(skip);
                media.push(rejected(m));
            }
        }
    }
    let audio = audio.ok_or_else(|| refusal(&skips))?;
    let mut sdp = base_session(caps);
    sdp.timings.clone_from(&offer.timings);
    sdp.media = media;
    Ok(Answer { sdp, audio })
}

/// A port-0 copy of an offered m-line, rejecting it.
fn rejected(m: &MediaDescription) -> MediaDescription {
    MediaDescription::new(m.media.as_str(), 0, m.proto.as_str(), m.formats.clone())
}

/// The offerer's preferred supported codec and its telephone-event PT.
fn select(m: &MediaDescription, caps: &LocalCaps) -> Option<((Codec, u8), Option<u8>)> {
    let formats = classify(m);
    let codec = formats.iter().find_map(|&(pt, f)| match f {
        Format::Codec(c) if caps.supports(c) => Some((c, pt?)),
        _ => None,
    })?;
    let te = caps.telephone_event.and_then(|_| {
        formats
            .iter()
            .find(|(_, f)| *f == Format::TelephoneEvent)
            .and_then(|&(pt, _)| pt)
    });
    Some((codec, te))
}

/// Tries to accept one offered m-line.
fn accept_stream(
    offer: &SessionDescription,
    m: &MediaDescription,
    caps: &LocalCaps,
) -> Result<(NegotiatedAudio, MediaDescription), Skip> {
    let usable = m.media.eq_ignore_ascii_case("audio") && m.port != 0;
    if !usable {
        return Err(Skip::Unacceptable);
    }
    let security = answer_crypto(m, &caps.srtp)?;
    let ((codec, pt), te) = select(m, caps).ok_or(Skip::Unacceptable)?;
    let conn = m.effective_connection(offer).ok_or(Skip::NoConnection)?;
    let offered = m.direction(offer);
    let hold_addr = is_hold_address(&conn.address);
    let ours = offered.reversed();
    let ours = Direction::from_flags(ours.sends() && !hold_addr, ours.receives());
    let ptime = m
        .ptime()
        .filter(|p| caps.ptimes.contains(p))
        .unwrap_or(DEFAULT_PTIME_MS);
    let rtcp_mux = m.rtcp_mux() && caps.rtcp_mux;
    let section = AudioSection {
        port: caps.rtp_port,
        proto: &m.proto,
        codecs: &[(codec, pt)],
        telephone_event: te,
        ptime,
        rtcp_mux,
        direction: ours,
        crypto: security
            .as_ref()
            .map_or(&[], |(_, line)| std::slice::from_ref(line)),
    };
    let audio = NegotiatedAudio {
        codec,
        payload_type: pt,
        clock_rate: codec.clock_rate(),
        channels: codec.channels(),
        ptime_ms: ptime,
        telephone_event_pt: te,
        remote_addr: conn.address.clone(),
        remote_port: m.port,
        direction: ours,
        rtcp_mux,
        on_hold: is_held(offered) || hold_addr,
        srtp: security.as_ref().map(|(keys, _)| *keys),
    };
    Ok((audio, section.build()))
}

/// Whether a peer's direction means it has put the stream on hold.
pub(crate) fn is_held(peer: Direction) -> bool {
    matches!(peer, Direction::SendOnly | Direction::Inactive)
}
