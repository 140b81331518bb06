//! RFC 3264 offerer (UAC side): check the answer to our offer and extract
//! the agreed audio stream.

use super::answer::is_held;
use super::attrs::Direction;
use super::caps::{Codec, DEFAULT_PTIME_MS, Format, NegotiatedAudio, classify, is_hold_address};
use super::error::NegotiationError;
use super::srtp::accepted_keys;
use super::types::{MediaDescription, SessionDescription};

/// Checks `answer` against the `offer` we sent and returns the agreed audio
/// stream: the first offered audio m-line that the answer did not reject.
///
/// The codec is the first format of the answer's m-line that names a codec
/// we offered (matched by encoding name, or static payload type without
/// rtpmap); its payload type is the answer's. telephone-event is used when
/// both sides list it. ptime is the answer's, else the offer's, else 20.
///
/// # Errors
///
/// [`NegotiationError::MediaCountMismatch`] if the m-line counts differ,
/// [`NegotiationError::AudioRejected`] if every offered audio stream got
/// port 0, [`NegotiationError::UnofferedCodec`] if the answer picked no
/// offered codec, [`NegotiationError::MissingConnection`] if it has no `c=`,
/// [`NegotiationError::MissingCrypto`] if we offered `RTP/SAVP` and the
/// answer echoes none of our crypto lines (tag and suite).
pub fn accept_answer(
    offer: &SessionDescription,
    answer: &SessionDescription,
) -> Result<NegotiatedAudio, NegotiationError> {
    if offer.media.len() != answer.media.len() {
        return Err(NegotiationError::MediaCountMismatch {
            offered: offer.media.len(),
            answered: answer.media.len(),
        });
    }
    let (o, a) = offer
        .media
        .iter()
        .zip(&answer.media)
        .find(|(o, a)| o.media.eq_ignore_ascii_case("audio") && o.port != 0 && a.port != 0)
        .ok_or(NegotiationError::AudioRejected)?;
    let sides = Sides {
        offer,
        answer,
        o,
        a,
    };
    sides.negotiate()
}

/// One offered m-line and its answer, with their sessions.
struct Sides<'a> {
    offer: &'a SessionDescription,
    answer: &'a SessionDescription,
    o: &'a MediaDescription,
    a: &'a MediaDescription,
}

impl Sides<'_> {
    /// Builds the negotiated stream.
    fn negotiate(&self) -> Result<NegotiatedAudio, NegotiationError> {
        let offered = classify(self.o);
        let answered = classify(self.a);
        let (codec, payload_type) = chosen_codec(&offered, &answered, self.a)?;
        let both_te = [&offered, &answered]
            .iter()
            .all(|f| f.iter().any(|(_, f)| *f == Format::TelephoneEvent));
        let telephone_event_pt = answered
            .iter()
            .find(|(_, f)| *f == Format::TelephoneEvent && both_te)
            .and_then(|&(pt, _)| pt);
        let conn = self
            .a
            .effective_connection(self.answer)
            .ok_or(NegotiationError::MissingConnection)?;
        let hold_addr = is_hold_address(&conn.address);
        let ours = self.o.direction(self.offer);
        let theirs = self.a.direction(self.answer);
        let direction = Direction::from_flags(
            ours.sends() && theirs.receives() && !hold_addr,
            ours.receives() && theirs.sends(),
        );
        Ok(NegotiatedAudio {
            codec,
            payload_type,
            clock_rate: codec.clock_rate(),
            channels: codec.channels(),
            ptime_ms: self.ptime(),
            telephone_event_pt,
            remote_addr: conn.address.clone(),
            remote_port: self.a.port,
            direction,
            rtcp_mux: self.o.rtcp_mux() && self.a.rtcp_mux(),
            on_hold: is_held(ours) || is_held(theirs) || hold_addr,
            srtp: accepted_keys(self.o, self.a)?,
        })
    }

    /// The answer's ptime, else the offer's, else the default.
    fn ptime(&self) -> u32 {
        self.a
            .ptime()
            .or_else(|| self.o.ptime())
            .unwrap_or(DEFAULT_PTIME_MS)
    }
}

/// The first codec in the answer that was also offered.
fn chosen_codec(
    offered: &[(Option<u8>, Format)],
    answered: &[(Option<u8>, Format)],
    a: &MediaDescription,
) -> Result<(Codec, u8), NegotiationError> {
    let offered_codecs: Vec<Codec> = offered
        .iter()
        .filter_map(|(_, f)| match f {
            Format::Codec(c) => Some(*c),
            _ => None,
        })
        .fold(Vec::new(), |mut acc, c| {
            if !acc.contains(&c) {
                acc.push(c);
            }
            acc
        });
    let was_offered = |c: Codec| offered_codecs.contains(&c);
    answered
        .iter()
        .find_map(|&(pt, f)| match f {
            Format::Codec(c) if was_offered(c) => Some((c, pt?)),
            _ => None,
        })
        .ok_or_else(|| NegotiationError::UnofferedCodec {
            format: first_media_format(answered, a),
        })
}

/// The first non-telephone-event format of the answer, for error reports.
fn first_media_format(answered: &[(Option<u8>, Format)], a: &MediaDescription) -> String {
    answered
        .iter()
        .zip(&a.formats)
        .find(|((_, f), _)| *f != Format::TelephoneEvent)
        .map(|(_, fmt)| fmt.clone())
        .unwrap_or_default()
}
