//! Digest authentication of whole SIP requests, for a UAS that challenges statelessly:
//! the 401/407 it sends without creating a transaction, the credentials for its realm
//! found in a request, and their verification with the Request-URI and user checks the
//! digest layer leaves to its caller. The digest and nonce logic stay in `server`.

use std::time::Instant;

use super::{AuthError, Credentials, DigestServer, Verified};
use crate::headers::HeaderName;
use crate::message::{Request, Response};
use crate::status::StatusCode;
use crate::uri::Uri;

impl DigestServer {
    /// The challenge for `req`, built without a transaction: 401 (407 as a proxy) copying
    /// Via, From, To, Call-ID and CSeq, with To tag `to_tag` unless the request had one,
    /// and one `WWW-Authenticate` (`Proxy-Authenticate`) per configured algorithm. Set
    /// `stale` after [`AuthError::StaleNonce`]. Costs one HMAC per algorithm and keeps no
    /// state; send it and forget the request (RFC 3261 §8.2.6 and §22.1).
    pub fn challenge_response(
        &mut self,
        now: Instant,
        req: &Request,
        stale: bool,
        to_tag: &str,
    ) -> Response {
        let (status, header) = if self.is_proxy() {
            (
                StatusCode::PROXY_AUTH_REQUIRED,
                HeaderName::ProxyAuthenticate,
            )
        } else {
            (StatusCode::UNAUTHORIZED, HeaderName::WwwAuthenticate)
        };
        let mut resp = Response::for_request(req, status).with_to_tag(to_tag);
        for c in self.challenge(now, stale) {
            resp.head.headers.push(header.clone(), c.to_string());
        }
        resp
    }

    /// The Digest credentials `req` carries for this realm: the first `Authorization`
    /// (`Proxy-Authorization` as a proxy) field whose realm is ours. Fields for other
    /// realms are skipped; `None` when no field is ours and none failed to parse,
    /// otherwise the first parse error (a scheme other than Digest included).
    pub fn credentials_in(&self, req: &Request) -> Option<Result<Credentials, AuthError>> {
        let name = if self.is_proxy() {
            HeaderName::ProxyAuthorization
        } else {
            HeaderName::Authorization
        };
        let mut first_error = None;
        for value in req.head.headers.get_all(&name) {
            match value.parse::<Credentials>() {
                Ok(c) if c.realm == self.realm() => return Some(Ok(c)),
                Ok(_) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map(Err)
    }

    /// Authenticates `req`: finds its credentials ([`credentials_in`](Self::credentials_in)),
    /// checks that their digest-uri is the Request-URI, looks the user's HA1 up with
    /// `ha1_for(username)` (see [`Algorithm::ha1`](super::Algorithm::ha1); it must be
    /// computed with the hash of the credentials' algorithm) and verifies them with
    /// [`verify_ha1`](Self::verify_ha1). An unknown user name (`ha1_for` gives `None`) is
    /// verified against a secret stand-in and fails as [`AuthError::BadResponse`], so
    /// names cannot be probed.
    ///
    /// # Errors
    ///
    /// [`AuthError::NoCredentials`] when there are none for this realm, the parse errors of
    /// [`Credentials`], [`AuthError::UriMismatch`], and those of
    /// [`verify_ha1`](Self::verify_ha1). Answer with
    /// [`refusal_response`](Self::refusal_response).
    pub fn authenticate(
        &mut self,
        now: Instant,
        req: &Request,
        ha1_for: impl FnOnce(&str) -> Option<String>,
    ) -> Result<Verified, AuthError> {
        let creds = self.credentials_in(req).ok_or(AuthError::NoCredentials)??;
        if !uri_matches(&creds.uri, &req.uri) {
            return Err(AuthError::UriMismatch);
        }
        match ha1_for(&creds.username) {
            Some(ha1) => self.verify_ha1(now, req.method.as_str(), &creds, &ha1),
            None => {
                let stand_in = self.unknown_user_ha1(&creds.username);
                self.verify_ha1(now, req.method.as_str(), &creds, &stand_in)
                    .and(Err(AuthError::BadResponse))
            }
        }
    }

    /// The stateless answer to a request [`authenticate`](Self::authenticate) refused:
    /// 400 for malformed credentials or a digest-uri mismatch, otherwise a fresh challenge
    /// ([`challenge_response`](Self::challenge_response), `stale` after a stale nonce).
    pub fn refusal_response(
        &mut self,
        now: Instant,
        req: &Request,
        err: &AuthError,
        to_tag: &str,
    ) -> Response {
        if err.status_code() == 400 {
            let mut resp = Response::for_request(req, StatusCode::BAD_REQUEST).with_to_tag(to_tag);
            resp.reason = format!("Bad Request ({err})");
            return resp;
        }
        let stale = *err == AuthError::StaleNonce;
        self.challenge_response(now, req, stale, to_tag)
    }
}

/// Whether a digest-uri names the Request-URI: the same URI once parsed, or the same text.
fn uri_matches(digest_uri: &str, request_uri: &Uri) -> bool {
    Uri::parse(digest_uri).is_ok_and(|u| u == *request_uri) || digest_uri == request_uri.to_string()
}
