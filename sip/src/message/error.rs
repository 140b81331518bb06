//! Why a message did not parse, and the stateless error response a UAS sends for it.

use crate::headers::{HeaderError, HeaderName};
use crate::status::StatusCode;
use crate::uri::UriError;

/// What was wrong with a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Nothing but white space.
    #[error("empty message")]
    Empty,
    /// No blank line ends the header section.
    #[error("header section not terminated")]
    Unterminated,
    /// Larger than the configured limits.
    #[error("message too large")]
    TooLarge,
    /// The header section is not UTF-8.
    #[error("header section is not UTF-8")]
    NotUtf8,
    /// The request or status line does not follow the grammar (extra or missing spaces,
    /// bad method token…).
    #[error("malformed start line")]
    StartLine,
    /// A SIP version other than 2.0.
    #[error("SIP version {0} not supported")]
    Version(String),
    /// A status code outside 100–699 or not three digits.
    #[error("invalid status code")]
    StatusCode,
    /// The Request-URI did not parse, or carries `?headers` (RFC 3261 §19.1.5).
    #[error("invalid Request-URI: {0}")]
    RequestUri(UriError),
    /// A line that is neither a header field nor a continuation.
    #[error("malformed header line")]
    HeaderLine,
    /// A header value did not parse.
    #[error("invalid value: {0}")]
    Header(HeaderError),
    /// A mandatory header is absent.
    #[error("missing header")]
    Missing,
    /// A single-valued header appears more than once.
    #[error("header repeated")]
    Duplicate,
    /// The CSeq method is not the request method.
    #[error("CSeq method does not match the request method")]
    CSeqMismatch,
    /// Content-Length is missing on a stream transport.
    #[error("Content-Length required on stream transports")]
    NoContentLength,
    /// The body is shorter than Content-Length says.
    #[error("body shorter than Content-Length")]
    BodyTruncated,
    /// A field longer, or a count larger, than [`Limits`](crate::Limits) allow.
    #[error("{field} over the limit of {limit}")]
    Exceeds {
        /// What was over its limit.
        field: LimitedField,
        /// The limit in force (bytes, or a count).
        limit: usize,
    },
}

/// A field whose length or count [`Limits`](crate::Limits) bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitedField {
    /// Call-ID length.
    #[error("Call-ID length")]
    CallId,
    /// From or To tag length.
    #[error("tag length")]
    Tag,
    /// Via branch length.
    #[error("branch length")]
    Branch,
    /// Request-URI length.
    #[error("Request-URI length")]
    RequestUri,
    /// Length of one header value.
    #[error("header value length")]
    HeaderValue,
    /// Number of Via values.
    #[error("Via count")]
    Vias,
    /// Parameters on one value.
    #[error("parameter count")]
    Params,
    /// Size of an `application/sdp` body.
    #[error("SDP body size")]
    SdpBody,
}

/// A message that did not parse. For a request it keeps enough of the header section to
/// answer it ([`ParseError::error_response`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{kind}", header.as_ref().map(|h| format!("{h}: ")).unwrap_or_default())]
pub struct ParseError {
    /// What was wrong.
    pub kind: ParseErrorKind,
    /// The header it was found in, if any.
    pub header: Option<HeaderName>,
    pub(crate) salvage: Option<Box<Salvage>>,
}

/// Raw pieces of a malformed request, for the error response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Salvage {
    pub(crate) method: String,
    pub(crate) via: Vec<String>,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) call_id: Option<String>,
    pub(crate) cseq: Option<String>,
}

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind) -> Self {
        Self {
            kind,
            header: None,
            salvage: None,
        }
    }

    pub(crate) fn in_header(kind: ParseErrorKind, header: HeaderName) -> Self {
        Self {
            kind,
            header: Some(header),
            salvage: None,
        }
    }

    /// Whether the message was a request (so a UAS should answer it).
    pub fn is_request(&self) -> bool {
        self.salvage.is_some()
    }

    /// The status a UAS answers this request with: 505 for a version it does not speak,
    /// 513 for an oversized message or SDP body, 400 otherwise (an over-long field
    /// included: the reason phrase names it). `None` for responses (dropped
    /// silently) and for ACKs (never answered).
    pub fn status(&self) -> Option<StatusCode> {
        let s = self.salvage.as_ref()?;
        if s.method == "ACK" {
            return None;
        }
        Some(match self.kind {
            ParseErrorKind::Version(_) => StatusCode::VERSION_NOT_SUPPORTED,
            ParseErrorKind::TooLarge
            | ParseErrorKind::Exceeds {
                field: LimitedField::SdpBody,
                ..
            } => StatusCode::MESSAGE_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        })
    }

    /// The stateless error response for a malformed request, built from its raw header
    /// values (RFC 3261 §8.2.6); the reason phrase says what was wrong. `None` when the
    /// message was not a request, was an ACK, or lacked a Via to answer along.
    pub fn error_response(&self) -> Option<Vec<u8>> {
        let status = self.status()?;
        let s = self.salvage.as_ref()?;
        if s.via.is_empty() {
            return None;
        }
        let mut out = format!("SIP/2.0 {} {} (", status, status.reason());
        // The header name comes from the peer: an extension name is only echoed when short.
        if let Some(h) = self.header.as_ref().filter(|h| h.as_str().len() <= 64) {
            out.push_str(&format!("{h}: "));
        }
        out.push_str(&format!("{})\r\n", self.kind));
        for v in &s.via {
            out.push_str(&format!("Via: {v}\r\n"));
        }
        let fields = [
            ("From", &s.from),
            ("To", &s.to),
            ("Call-ID", &s.call_id),
            ("CSeq", &s.cseq),
        ];
        for (name, value) in fields {
            if let Some(v) = value {
                out.push_str(&format!("{name}: {v}\r\n"));
            }
        }
        out.push_str("Content-Length: 0\r\n\r\n");
        Some(out.into_bytes())
    }
}
