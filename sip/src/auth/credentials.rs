//! The `Authorization` / `Proxy-Authorization` header value.

use std::fmt;
use std::str::FromStr;

use super::params::{AuthParam, ParamWriter, parse_digest, set_once};
use super::{Algorithm, AuthError, Qop};

/// Digest credentials, the value of an `Authorization` or
/// `Proxy-Authorization` header (RFC 3261 §20.7, RFC 7616 §3.4).
///
/// Parse with [`str::parse`]; a scheme other than Digest gives
/// [`AuthError::UnsupportedScheme`], which a server answers with a fresh
/// challenge (RFC 4475 §3.3.7). Print with [`Display`](fmt::Display).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Realm copied from the challenge.
    pub realm: String,
    /// Nonce copied from the challenge.
    pub nonce: String,
    /// The digest-uri (normally the Request-URI).
    pub uri: String,
    /// Request-digest, lowercase hex.
    pub response: String,
    /// Hash algorithm; [`Algorithm::Md5`] when the parameter is absent.
    pub algorithm: Algorithm,
    /// Client nonce; required with qop and with `-sess` algorithms.
    pub cnonce: Option<String>,
    /// Chosen quality of protection; `None` is the RFC 2069 form.
    pub qop: Option<Qop>,
    /// Nonce-count, printed as 8 hex digits; required with qop.
    pub nc: Option<u32>,
    /// Opaque value echoed from the challenge.
    pub opaque: Option<String>,
    /// Parameters this crate does not interpret, in order.
    pub other: Vec<AuthParam>,
}

const KNOWN: &[&str] = &[
    "username",
    "realm",
    "nonce",
    "uri",
    "response",
    "algorithm",
    "cnonce",
    "qop",
    "nc",
    "opaque",
];

impl FromStr for Credentials {
    type Err = AuthError;

    /// Parses a header value. Errors: [`AuthError::UnsupportedScheme`],
    /// [`AuthError::UnsupportedAlgorithm`], [`AuthError::UnsupportedQop`],
    /// [`AuthError::MissingField`] for a missing username, realm, nonce,
    /// uri or response, and [`AuthError::Malformed`] (including an `nc`
    /// that is not 8 hex digits).
    fn from_str(s: &str) -> Result<Self, AuthError> {
        let (mut username, mut realm, mut nonce, mut uri) = (None, None, None, None);
        let (mut response, mut algorithm, mut cnonce) = (None, None, None);
        let (mut qop, mut nc, mut opaque) = (None, None, None);
        let mut other = Vec::new();
        for p in parse_digest(s)? {
            match p.name.to_ascii_lowercase().as_str() {
                "username" => set_once(&mut username, p.value)?,
                "realm" => set_once(&mut realm, p.value)?,
                "nonce" => set_once(&mut nonce, p.value)?,
                "uri" => set_once(&mut uri, p.value)?,
                "response" => set_once(&mut response, p.value)?,
                "algorithm" => set_once(&mut algorithm, p.value.parse::<Algorithm>()?)?,
                "cnonce" => set_once(&mut cnonce, p.value)?,
                "qop" => set_once(&mut qop, p.value.parse::<Qop>()?)?,
                "nc" => set_once(&mut nc, parse_nc(&p.value)?)?,
                "opaque" => set_once(&mut opaque, p.value)?,
                _ => other.push(p),
            }
        }
        Ok(Self {
            username: username.ok_or(AuthError::MissingField("username"))?,
            realm: realm.ok_or(AuthError::MissingField("realm"))?,
            nonce: nonce.ok_or(AuthError::MissingField("nonce"))?,
            uri: uri.ok_or(AuthError::MissingField("uri"))?,
            response: response.ok_or(AuthError::MissingField("response"))?,
            algorithm: algorithm.unwrap_or_default(),
            cnonce,
            qop,
            nc,
            opaque,
            other,
        })
    }
}

/// `nc-value = 8LHEX`. Upper-case digits are accepted too.
fn parse_nc(s: &str) -> Result<u32, AuthError> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AuthError::malformed("nc must be 8 hex digits"));
    }
    u32::from_str_radix(s, 16).map_err(|_| AuthError::malformed("nc must be 8 hex digits"))
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = ParamWriter::new(f)?;
        w.quoted("username", &self.username)?;
        w.quoted("realm", &self.realm)?;
        w.quoted("nonce", &self.nonce)?;
        w.quoted("uri", &self.uri)?;
        w.token("algorithm", self.algorithm)?;
        if let Some(qop) = self.qop {
            w.token("qop", qop)?;
        }
        if let Some(nc) = self.nc {
            w.token("nc", format_args!("{nc:08x}"))?;
        }
        if let Some(cnonce) = &self.cnonce {
            w.quoted("cnonce", cnonce)?;
        }
        w.quoted("response", &self.response)?;
        if let Some(opaque) = &self.opaque {
            w.quoted("opaque", opaque)?;
        }
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

    const RFC2617: &str = "Digest username=\"Mufasa\",\r\n                 realm=\"testrealm@host.com\",\r\n                 nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n                 uri=\"/dir/index.html\",\r\n                 qop=auth,\r\n                 nc=00000001,\r\n                 cnonce=\"0a4f113b\",\r\n                 response=\"6629fae49393a05397450978507c4ef1\",\r\n                 opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

    #[test]
    fn rfc2617_authorization_parses_and_prints_back() {
        let c: Credentials = RFC2617.parse().unwrap();
        assert_eq!(c.username, "Mufasa");
        assert_eq!(c.realm, "testrealm@host.com");
        assert_eq!(c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
        assert_eq!(c.uri, "/dir/index.html");
        assert_eq!(c.qop, Some(Qop::Auth));
        assert_eq!(c.nc, Some(1));
        assert_eq!(c.cnonce.as_deref(), Some("0a4f113b"));
        assert_eq!(c.response, "6629fae49393a05397450978507c4ef1");
        assert_eq!(
            c.opaque.as_deref(),
            Some("5ccc069c403ebaf9f0171e9517f40e41")
        );
        assert_eq!(c.algorithm, Algorithm::Md5);
        assert!(c.other.is_empty());
        let printed = c.to_string();
        assert_eq!(
            printed,
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
        );
        assert_eq!(printed.parse::<Credentials>().unwrap(), c);
    }

    #[test]
    fn quoted_token_fields_and_large_nc() {
        let c: Credentials = "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"00\", qop=\"auth\", nc=\"FFFFFFFF\", algorithm=\"SHA-256\", cnonce=\"c\""
            .parse()
            .unwrap();
        assert_eq!(c.nc, Some(u32::MAX));
        assert_eq!(c.qop, Some(Qop::Auth));
        assert_eq!(c.algorithm, Algorithm::Sha256);
        assert!(c.to_string().contains("nc=ffffffff"));
    }

    #[test]
    fn errors() {
        let base = "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\"";
        assert_eq!(
            base.parse::<Credentials>(),
            Err(AuthError::MissingField("response"))
        );
        for bad_nc in ["1", "000000001", "0000000g", "+0000001"] {
            assert!(matches!(
                format!("{base}, response=\"0\", nc={bad_nc}").parse::<Credentials>(),
                Err(AuthError::Malformed { .. })
            ));
        }
        assert_eq!(
            format!("{base}, response=\"0\", qop=auth-conf").parse::<Credentials>(),
            Err(AuthError::UnsupportedQop("auth-conf".into()))
        );
        assert!(matches!(
            format!("{base}, response=\"0\", USERNAME=\"b\"").parse::<Credentials>(),
            Err(AuthError::Malformed { .. })
        ));
    }

    #[test]
    fn rfc4475_unknown_scheme() {
        assert_eq!(
            "NoOneKnowsThisScheme opaque-data=here".parse::<Credentials>(),
            Err(AuthError::UnsupportedScheme("NoOneKnowsThisScheme".into()))
        );
    }
}
