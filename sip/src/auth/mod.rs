//! SIP Digest authentication (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760).
//!
//! This module owns the `Digest` values of the `WWW-Authenticate`,
//! `Proxy-Authenticate`, `Authorization` and `Proxy-Authorization` headers
//! ([`Challenge`], [`Credentials`]: parse with [`str::parse`], print with
//! `Display`), the digest computation for MD5, MD5-sess, SHA-256 and
//! SHA-256-sess with qop `auth` or without qop, a sans-IO server
//! ([`DigestServer`]) issuing self-authenticating expiring nonces and
//! rejecting replayed nonce-counts, and the client's [`answer`].
//!
//! Apart from the request glue in `request` (the stateless challenge response,
//! finding and verifying a request's credentials), it does not read or write whole
//! SIP messages: callers pass header values in and out, and supply time ([`std::time::Instant`]), secrets and client
//! nonces, so nothing here touches a clock or a random number generator.
//! `auth-int` is parsed but declined.

mod challenge;
mod client;
mod credentials;
mod digest;
mod error;
mod params;
mod request;
mod server;

pub use challenge::Challenge;
pub use client::{answer, choose_challenge};
pub use credentials::Credentials;
pub use digest::{Algorithm, Qop};
pub use error::AuthError;
pub use params::AuthParam;
pub use server::{DigestServer, ServerConfig, Verified};
