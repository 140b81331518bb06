//! Why a header value did not parse.

/// Why a typed header value did not parse. Paired with the header name in
/// [`ParseError`](crate::ParseError).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The value is empty where the grammar needs something.
    #[error("empty value")]
    Empty,
    /// A URI did not parse.
    #[error("invalid URI: {0}")]
    Uri(#[from] crate::uri::UriError),
    /// A display name with characters a token may not contain, or white space inside `<>`.
    #[error("invalid name-addr")]
    NameAddr,
    /// An unterminated quoted string.
    #[error("unterminated quoted string")]
    Quote,
    /// A malformed `;param`.
    #[error("invalid parameter")]
    Param,
    /// A number that is not digits or is out of range.
    #[error("number out of range or not a number")]
    Number,
    /// A malformed sent-protocol or sent-by in Via.
    #[error("invalid Via")]
    Via,
    /// A token where the grammar needs one, or a stray character.
    #[error("invalid token")]
    Token,
}

impl From<crate::params::ParamsError> for HeaderError {
    fn from(e: crate::params::ParamsError) -> Self {
        match e {
            crate::params::ParamsError::Unterminated => HeaderError::Quote,
            _ => HeaderError::Param,
        }
    }
}
