//! Error types for SDP parsing and offer/answer negotiation.

/// Error returned by [`SessionDescription::parse`](super::SessionDescription::parse).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// A specific line (1-based) is malformed or not allowed where it appears.
    #[error("SDP line {line}: {kind}")]
    Line {
        /// 1-based line number in the input.
        line: usize,
        /// What was wrong with the line.
        kind: SdpErrorKind,
    },
    /// A mandatory line (`v=`, `o=` or `s=`) never appeared.
    #[error("SDP is missing the mandatory {line_type}= line")]
    Missing {
        /// The line type letter that is missing.
        line_type: char,
    },
    /// The input has more lines than we are willing to parse.
    #[error("SDP has more than {limit} lines")]
    TooManyLines {
        /// The line limit that was exceeded.
        limit: usize,
    },
}

/// What was wrong with a single SDP line (see [`SdpError::Line`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpErrorKind {
    /// The line is not of the form `<letter>=<value>`.
    #[error("not a `<type>=<value>` line")]
    Malformed,
    /// The first line is not `v=`.
    #[error("the first line must be v=")]
    VersionNotFirst,
    /// `v=` carries a version other than 0.
    #[error("unsupported protocol version (only v=0 is defined)")]
    UnsupportedVersion,
    /// A line that may appear only once appeared again.
    #[error("duplicate {0}= line")]
    Duplicate(char),
    /// A known line type whose value could not be parsed.
    #[error("invalid {line_type}= line: {reason}")]
    Invalid {
        /// The line type letter.
        line_type: char,
        /// Short description of the problem.
        reason: &'static str,
    },
    /// A session-only line type appeared inside a media section.
    #[error("{0}= is not allowed inside a media section")]
    NotAllowedInMedia(char),
    /// An `r=` line appeared before any `t=` line.
    #[error("r= line without a preceding t= line")]
    RepeatWithoutTiming,
    /// More media sections than we are willing to parse.
    #[error("more than {limit} media sections")]
    TooManyMedia {
        /// The media section limit that was exceeded.
        limit: usize,
    },
}

/// Error returned by offer/answer negotiation.
///
/// Every variant maps to a SIP status code via
/// [`status_code`](NegotiationError::status_code); a UAS that cannot answer an
/// offer responds with that code (488 Not Acceptable Here).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NegotiationError {
    /// No audio stream in the offer carries a codec we support.
    #[error("no common audio codec")]
    NoCommonCodec,
    /// The accepted audio stream has no `c=` line at media or session level.
    #[error("audio stream has no connection address")]
    MissingConnection,
    /// The answer does not have the same number of m-lines as the offer.
    #[error("answer has {answered} media sections but the offer had {offered}")]
    MediaCountMismatch {
        /// Number of m-lines in the offer.
        offered: usize,
        /// Number of m-lines in the answer.
        answered: usize,
    },
    /// The answerer rejected (port 0) every audio stream we offered.
    #[error("the answer rejected the audio stream")]
    AudioRejected,
    /// Plain RTP was offered but our policy requires SRTP.
    #[error("plain RTP offered but SRTP is required")]
    SrtpRequired,
    /// `RTP/SAVP` was offered without a crypto line we can use (suite, key, MKI or
    /// session parameters unsupported).
    #[error("no offered crypto suite is supported")]
    NoCommonCryptoSuite,
    /// We offered SRTP and the answer has no crypto line matching one of ours.
    #[error("the answer carries no crypto line matching our offer")]
    MissingCrypto,
    /// The answer selected a codec that was not in our offer.
    #[error("the answer selected format {format:?}, which was not offered")]
    UnofferedCodec {
        /// The offending format (payload type) from the answer's m-line.
        format: String,
    },
}

impl NegotiationError {
    /// SIP status code to use when this error prevents answering an offer.
    ///
    /// Always 488 (Not Acceptable Here, RFC 3261 §21.4.26).
    #[must_use]
    pub fn status_code(&self) -> u16 {
        488
    }
}
