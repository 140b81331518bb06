//! The error type shared by parsing, client and server code.

/// Why an authentication header could not be parsed, answered or verified.
///
/// Every variant maps to a SIP status via [`AuthError::status_code`]; a
/// server acting as a proxy answers 407 instead of 401 (see
/// [`DigestServer::status_for`](super::DigestServer::status_for)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The header value does not follow the auth-param grammar.
    #[error("malformed authentication header: {reason}")]
    Malformed {
        /// What was wrong, for logs.
        reason: &'static str,
    },
    /// The auth-scheme is not `Digest`. A server answers this with a fresh
    /// challenge (RFC 4475 §3.3.7).
    #[error("unsupported authentication scheme {0:?}")]
    UnsupportedScheme(String),
    /// The `algorithm` parameter names an algorithm we do not implement or,
    /// on the server, one it did not offer.
    #[error("unsupported digest algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// The quality of protection cannot be used (only `auth` is implemented;
    /// `auth-int` is declined).
    #[error("unsupported qop {0:?}")]
    UnsupportedQop(String),
    /// The credentials are for another realm than the server's.
    #[error("realm {0:?} does not match")]
    RealmMismatch(String),
    /// The nonce is genuine and the digest correct, but the nonce has expired:
    /// answer with a new challenge carrying `stale=true`.
    #[error("nonce is stale")]
    StaleNonce,
    /// The nonce was not issued by this server (bad format or bad MAC).
    #[error("nonce was not issued by this server")]
    InvalidNonce,
    /// The digest response does not match (wrong password or altered fields).
    #[error("digest response does not match")]
    BadResponse,
    /// The nonce-count was not greater than the last one accepted for this
    /// nonce, or a nonce used without qop was reused.
    #[error("nonce-count replayed")]
    Replay,
    /// A required parameter is absent.
    #[error("missing parameter {0}")]
    MissingField(&'static str),
    /// The request carries no credentials for this realm: challenge it.
    #[error("no credentials for this realm")]
    NoCredentials,
    /// The credentials' digest-uri is not the Request-URI (RFC 2617 §3.2.2.5: 400).
    #[error("digest-uri does not match the Request-URI")]
    UriMismatch,
}

impl AuthError {
    /// The SIP status for a registrar/UAS rejecting a request with this
    /// error: 400 for unparseable or incomplete headers, 401 otherwise
    /// (a proxy substitutes 407 for 401).
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Malformed { .. } | Self::MissingField(_) | Self::UriMismatch => 400,
            _ => 401,
        }
    }

    pub(crate) fn malformed(reason: &'static str) -> Self {
        Self::Malformed { reason }
    }
}
