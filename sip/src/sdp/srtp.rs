//! SDES-SRTP in offer/answer (RFC 4568 §7): the local policy, choosing an offered crypto
//! line, the crypto lines of our offers, and the keys agreed. Owns no cryptography (the
//! `rtp` crate does) and draws no randomness: the caller passes the key in the policy.

use super::crypto::{CryptoAttribute, SdesKey, SdesSuite};
use super::error::NegotiationError;
use super::types::{Attribute, MediaDescription};

/// Session parameters we can honour: only the window size hint, which needs nothing.
const HARMLESS_SESSION_PARAMS: [&str; 1] = ["WSH="];

/// Whether and how voxgate uses SDES-SRTP, with our key when it does.
///
/// The key is used as our sending key in answers and offers; draw 30 fresh random bytes
/// per call (RFC 4568 §8.1: a key must not be reused across sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SrtpPolicy {
    /// Plain RTP only (`RTP/AVP`): `RTP/SAVP` offers are refused.
    #[default]
    Off,
    /// Answer `RTP/SAVP` offers with SRTP and plain offers plainly; our offers are SAVP.
    Optional(SdesKey),
    /// SRTP only: plain `RTP/AVP` offers are refused with 488; our offers are SAVP.
    Required(SdesKey),
}

impl SrtpPolicy {
    /// Our key, unless SRTP is off.
    #[must_use]
    pub fn key(&self) -> Option<&SdesKey> {
        match self {
            Self::Off => None,
            Self::Optional(key) | Self::Required(key) => Some(key),
        }
    }
}

/// The SRTP keys agreed for a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SrtpKeys {
    /// The agreed suite.
    pub suite: SdesSuite,
    /// The tag of the agreed crypto line.
    pub tag: u32,
    /// The key we protect what we send with.
    pub local_key: SdesKey,
    /// The key the peer protects what it sends with (we unprotect with it).
    pub remote_key: SdesKey,
}

/// How a profile carries media, as far as SDES is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// `RTP/AVP`, `RTP/AVPF`.
    Plain,
    /// `RTP/SAVP`, `RTP/SAVPF`: SRTP keyed by `a=crypto`.
    Sdes,
    /// Anything else (DTLS-SRTP, non-RTP).
    Other,
}

/// Classifies an m-line protocol.
pub(crate) fn transport(proto: &str) -> Transport {
    let is = |p: &str| proto.eq_ignore_ascii_case(p);
    if is("RTP/AVP") || is("RTP/AVPF") {
        Transport::Plain
    } else if is("RTP/SAVP") || is("RTP/SAVPF") {
        Transport::Sdes
    } else {
        Transport::Other
    }
}

/// Why an offered m-line cannot be secured as our policy wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not a transport we answer under this policy (SAVP with SRTP off, DTLS, …).
    Transport,
    /// Plain RTP offered while SRTP is required.
    PlainRefused,
    /// SAVP offered but no crypto line we can use.
    NoUsableCrypto,
}

/// What an accepted offered m-line needs in the answer: `None` for plain RTP, else the
/// agreed keys and the crypto line to answer with.
///
/// An `RTP/AVP` offer with crypto lines (opportunistic SRTP, RFC 8643, as baresip's
/// `mediaenc=srtp` and pjsua's optional SRTP send) is answered with SRTP unless the policy
/// is off, and plainly when no line is usable (refused under `Required`).
pub(crate) fn answer_crypto(
    m: &MediaDescription,
    policy: &SrtpPolicy,
) -> Result<Option<(SrtpKeys, CryptoAttribute)>, Refusal> {
    let (transport, ours) = match (transport(&m.proto), policy.key()) {
        (Transport::Plain, None) => return Ok(None),
        (Transport::Plain | Transport::Sdes, Some(ours)) => (transport(&m.proto), ours),
        (Transport::Sdes | Transport::Other, _) => return Err(Refusal::Transport),
    };
    let chosen = m
        .crypto_attributes()
        .iter()
        .find_map(|c| usable(c).map(|(suite, theirs)| (c.tag, suite, theirs)));
    match (chosen, transport, policy) {
        (Some((tag, suite, remote_key)), _, _) => {
            let keys = SrtpKeys {
                suite,
                tag,
                local_key: *ours,
                remote_key,
            };
            Ok(Some((keys, CryptoAttribute::new(tag, suite, ours))))
        }
        (None, Transport::Sdes, _) => Err(Refusal::NoUsableCrypto),
        (None, _, SrtpPolicy::Required(_)) => Err(Refusal::PlainRefused),
        (None, _, _) => Ok(None),
    }
}

/// The suite and key of a crypto line we can use: a supported suite, one 30-byte key
/// without MKI, and no session parameter that would change the transform.
fn usable(c: &CryptoAttribute) -> Option<(SdesSuite, SdesKey)> {
    let harmless = |p: &String| HARMLESS_SESSION_PARAMS.iter().any(|h| p.starts_with(h));
    if !c.session_params.iter().all(harmless) {
        return None;
    }
    Some((c.sdes_suite()?, c.single_key()?))
}

/// The crypto lines of our offers: every supported suite, tags from 1, our one key.
pub(crate) fn offer_crypto(key: &SdesKey) -> Vec<CryptoAttribute> {
    (1..)
        .zip(SdesSuite::ALL)
        .map(|(tag, suite)| CryptoAttribute::new(tag, suite, key))
        .collect()
}

/// `a=crypto` attributes for `lines`.
pub(crate) fn crypto_attributes(lines: &[CryptoAttribute]) -> impl Iterator<Item = Attribute> {
    lines
        .iter()
        .map(|c| Attribute::new("crypto", c.to_string()))
}

/// The keys agreed by our offer `o` and the answer `a` (UAC side): `None` when we offered
/// plain RTP, else the answer's first crypto line that echoes the tag and suite of one of
/// ours.
///
/// # Errors
/// [`NegotiationError::MissingCrypto`] when we offered SAVP and no answered line matches.
pub(crate) fn accepted_keys(
    o: &MediaDescription,
    a: &MediaDescription,
) -> Result<Option<SrtpKeys>, NegotiationError> {
    if transport(&o.proto) != Transport::Sdes {
        return Ok(None);
    }
    let ours = o.crypto_attributes();
    a.crypto_attributes()
        .iter()
        .find_map(|theirs| {
            let (suite, remote_key) = usable(theirs)?;
            let mine = ours.iter().find(|c| c.tag == theirs.tag)?;
            let local_key = mine
                .single_key()
                .filter(|_| mine.sdes_suite() == Some(suite))?;
            Some(SrtpKeys {
                suite,
                tag: theirs.tag,
                local_key,
                remote_key,
            })
        })
        .map(Some)
        .ok_or(NegotiationError::MissingCrypto)
}
