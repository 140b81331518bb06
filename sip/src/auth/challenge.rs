//! The `WWW-Authenticate` / `Proxy-Authenticate` header value.

use std::fmt;
use std::str::FromStr;

use super::params::{AuthParam, ParamWriter, parse_digest, set_once};
use super::{Algorithm, AuthError, Qop};

/// A Digest challenge, the value of a `WWW-Authenticate` or
/// `Proxy-Authenticate` header (RFC 3261 §20.44, RFC 7616 §3.3).
///
/// Parse with [`str::parse`]; print with [`Display`](fmt::Display), which
/// writes `Digest realm="…", …` with the parameters this crate knows first
/// and [`other`](Self::other) parameters after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Protection space shown to the user and mixed into HA1.
    pub realm: String,
    /// Server nonce.
    pub nonce: String,
    /// Opaque value the client must echo back unchanged.
    pub opaque: Option<String>,
    /// Hash algorithm; [`Algorithm::Md5`] when the parameter is absent.
    pub algorithm: Algorithm,
    /// Offered qop values, in order. Unknown values are dropped when parsing
    /// (RFC 2617 §3.2.1); empty means the RFC 2069 form without qop.
    pub qop: Vec<Qop>,
    /// Whether the previous request failed only because its nonce expired.
    pub stale: bool,
    /// The `domain` parameter (space-separated URIs), verbatim.
    pub domain: Option<String>,
    /// Parameters this crate does not interpret, in order.
    pub other: Vec<AuthParam>,
}

const KNOWN: &[&str] = &[
    "realm",
    "nonce",
    "opaque",
    "algorithm",
    "qop",
    "stale",
    "domain",
];

impl FromStr for Challenge {
    type Err = AuthError;

    /// Parses a header value. Errors: [`AuthError::UnsupportedScheme`] for
    /// schemes other than Digest, [`AuthError::UnsupportedAlgorithm`],
    /// [`AuthError::MissingField`] for a missing realm or nonce, and
    /// [`AuthError::Malformed`].
    fn from_str(s: &str) -> Result<Self, AuthError> {
        let (mut realm, mut nonce, mut opaque, mut algorithm) = (None, None, None, None);
        let (mut qop, mut stale, mut domain) = (None, None, None);
        let mut other = Vec::new();
        for p in parse_digest(s)? {
            match p.name.to_ascii_lowercase().as_str() {
                "realm" => set_once(&mut realm, p.value)?,
                "nonce" => set_once(&mut nonce, p.value)?,
                "opaque" => set_once(&mut opaque, p.value)?,
                "algorithm" => set_once(&mut algorithm, p.value.parse::<Algorithm>()?)?,
                "qop" => set_once(&mut qop, parse_qop_options(&p.value))?,
                "stale" => set_once(&mut stale, p.value.eq_ignore_ascii_case("true"))?,
                "domain" => set_once(&mut domain, p.value)?,
                _ => other.push(p),
            }
        }
        Ok(Self {
            realm: realm.ok_or(AuthError::MissingField("realm"))?,
            nonce: nonce.ok_or(AuthError::MissingField("nonce"))?,
            opaque,
            algorithm: algorithm.unwrap_or_default(),
            qop: qop.unwrap_or_default(),
            stale: stale.unwrap_or(false),
            domain,
            other,
        })
    }
}

/// Splits `auth,auth-int` (quoted-string content), dropping unknown values.
fn parse_qop_options(s: &str) -> Vec<Qop> {
    s.split(',')
        .filter_map(|v| v.trim_matches([' ', '\t']).parse().ok())
        .collect()
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = ParamWriter::new(f)?;
        w.quoted("realm", &self.realm)?;
        if let Some(domain) = &self.domain {
            w.quoted("domain", domain)?;
        }
        if !self.qop.is_empty() {
            let list: Vec<&str> = self.qop.iter().map(|q| q.as_str()).collect();
            w.quoted("qop", &list.join(","))?;
        }
        w.quoted("nonce", &self.nonce)?;
        if let Some(opaque) = &self.opaque {
            w.quoted("opaque", opaque)?;
        }
        if self.stale {
            w.token("stale", "true")?;
        }
        w.token("algorithm", self.algorithm)?;
        for p in &self.other {
            w.other(p, KNOWN)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rfc3261_example() {
        let c: Challenge = "Digest realm=\"atlanta.com\",\r\n domain=\"sip:boxesbybob.com\", qop=\"auth\",\r\n nonce=\"f84f1cec41e6cbe5aea9c8e88d359\",\r\n opaque=\"\", stale=FALSE, algorithm=MD5"
            .parse()
            .unwrap();
        assert_eq!(c.realm, "atlanta.com");
        assert_eq!(c.domain.as_deref(), Some("sip:boxesbybob.com"));
        assert_eq!(c.qop, vec![Qop::Auth]);
        assert_eq!(c.nonce, "f84f1cec41e6cbe5aea9c8e88d359");
        assert_eq!(c.opaque.as_deref(), Some(""));
        assert!(!c.stale);
        assert_eq!(c.algorithm, Algorithm::Md5);
        assert_eq!(
            c.to_string(),
            "Digest realm=\"atlanta.com\", domain=\"sip:boxesbybob.com\", qop=\"auth\", nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", algorithm=MD5"
        );
        assert_eq!(c.to_string().parse::<Challenge>().unwrap(), c);
    }

    #[test]
    fn qop_list_stale_and_unknown_params() {
        let c: Challenge = "DIGEST REALM=\"r\", NONCE=n, qop=\"auth-int, auth , x-future\", stale=\"TRUE\", algorithm=sha-256-SESS, userhash=true, ik=\"0123\""
            .parse()
            .unwrap();
        assert_eq!(c.qop, vec![Qop::AuthInt, Qop::Auth]);
        assert!(c.stale);
        assert_eq!(c.algorithm, Algorithm::Sha256Sess);
        assert_eq!(c.other.len(), 2);
        assert_eq!(
            c.to_string(),
            "Digest realm=\"r\", qop=\"auth-int,auth\", nonce=\"n\", stale=true, algorithm=SHA-256-sess, userhash=true, ik=\"0123\""
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            "Digest nonce=\"n\"".parse::<Challenge>(),
            Err(AuthError::MissingField("realm"))
        );
        assert_eq!(
            "Digest realm=\"r\"".parse::<Challenge>(),
            Err(AuthError::MissingField("nonce"))
        );
        assert_eq!(
            "Digest realm=r, nonce=n, algorithm=SHA-512-256".parse::<Challenge>(),
            Err(AuthError::UnsupportedAlgorithm("SHA-512-256".into()))
        );
        assert!(matches!(
            "Digest realm=r, nonce=n, Realm=s".parse::<Challenge>(),
            Err(AuthError::Malformed { .. })
        ));
        assert_eq!(
            "Basic realm=\"r\"".parse::<Challenge>(),
            Err(AuthError::UnsupportedScheme("Basic".into()))
        );
    }
}
