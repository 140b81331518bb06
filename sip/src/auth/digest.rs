//! Digest arithmetic (RFC 2617 §3.2.2, RFC 7616 §3.4): algorithms, qop,
//! HA1/HA2/response, plus the HMAC-SHA256 and constant-time comparison the
//! server uses for its nonces.

use std::fmt;
use std::str::FromStr;

use md5::Md5;
use sha2::{Digest as _, Sha256};

use super::AuthError;

/// Digest hash algorithm (RFC 7616 §3.3, registered for SIP by RFC 8760).
///
/// An absent `algorithm` parameter means [`Algorithm::Md5`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// `MD5` (RFC 2617), the default.
    #[default]
    Md5,
    /// `MD5-sess`: HA1 is re-hashed with the nonce and cnonce.
    Md5Sess,
    /// `SHA-256` (RFC 7616).
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl Algorithm {
    /// The token used in the `algorithm` parameter.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
        }
    }

    /// Whether this is a `-sess` variant.
    #[must_use]
    pub fn is_session(self) -> bool {
        matches!(self, Self::Md5Sess | Self::Sha256Sess)
    }

    /// `H(username:realm:password)` in lowercase hex: the value a user store
    /// may keep instead of the password (see
    /// [`DigestServer::verify_ha1`](super::DigestServer::verify_ha1)). For
    /// `-sess` variants this is the base value, before mixing in the nonces;
    /// it is the same for `MD5` and `MD5-sess`, and for `SHA-256` and
    /// `SHA-256-sess`.
    #[must_use]
    pub fn ha1(self, username: &str, realm: &str, password: &str) -> String {
        self.hash(&[username, realm, password])
    }

    /// Lowercase hex of the hash of `parts` joined by `:`.
    pub(crate) fn hash(self, parts: &[&str]) -> String {
        fn run<D: sha2::Digest>(parts: &[&str]) -> String {
            let mut d = D::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    d.update(b":");
                }
                d.update(p.as_bytes());
            }
            hex(&d.finalize())
        }
        match self {
            Self::Md5 | Self::Md5Sess => run::<Md5>(parts),
            Self::Sha256 | Self::Sha256Sess => run::<Sha256>(parts),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = AuthError;

    /// Case-insensitive; unknown names give [`AuthError::UnsupportedAlgorithm`].
    fn from_str(s: &str) -> Result<Self, AuthError> {
        [Self::Md5, Self::Md5Sess, Self::Sha256, Self::Sha256Sess]
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| AuthError::UnsupportedAlgorithm(s.to_owned()))
    }
}

/// Quality of protection. Only [`Qop::Auth`] is implemented; `auth-int`
/// (which also covers the message body) is parsed but declined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qop {
    /// `auth`: authentication of method and URI.
    Auth,
    /// `auth-int`: authentication with body integrity (not implemented).
    AuthInt,
}

impl Qop {
    /// The token used in `qop` parameters.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::AuthInt => "auth-int",
        }
    }
}

impl fmt::Display for Qop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Qop {
    type Err = AuthError;

    /// Case-insensitive; unknown values give [`AuthError::UnsupportedQop`].
    fn from_str(s: &str) -> Result<Self, AuthError> {
        if s.eq_ignore_ascii_case("auth") {
            Ok(Self::Auth)
        } else if s.eq_ignore_ascii_case("auth-int") {
            Ok(Self::AuthInt)
        } else {
            Err(AuthError::UnsupportedQop(s.to_owned()))
        }
    }
}

/// Everything the request-digest depends on.
pub(crate) struct DigestInput<'a> {
    pub(crate) algorithm: Algorithm,
    /// Base HA1, `H(username:realm:password)`, lowercase hex.
    pub(crate) ha1: &'a str,
    pub(crate) nonce: &'a str,
    pub(crate) cnonce: Option<&'a str>,
    pub(crate) nc: Option<u32>,
    pub(crate) qop: Option<Qop>,
    pub(crate) method: &'a str,
    pub(crate) uri: &'a str,
}

impl DigestInput<'_> {
    /// The `response` value, lowercase hex. With qop it is
    /// `H(HA1:nonce:nc:cnonce:qop:HA2)`, without it the RFC 2069 form
    /// `H(HA1:nonce:HA2)`.
    pub(crate) fn response(&self) -> Result<String, AuthError> {
        let alg = self.algorithm;
        let ha1 = if alg.is_session() {
            let cnonce = self.cnonce.ok_or(AuthError::MissingField("cnonce"))?;
            alg.hash(&[self.ha1, self.nonce, cnonce])
        } else {
            self.ha1.to_owned()
        };
        let ha2 = match self.qop {
            None | Some(Qop::Auth) => alg.hash(&[self.method, self.uri]),
            Some(Qop::AuthInt) => return Err(AuthError::UnsupportedQop("auth-int".into())),
        };
        Ok(match self.qop {
            Some(qop) => {
                let nc = self.nc.ok_or(AuthError::MissingField("nc"))?;
                let cnonce = self.cnonce.ok_or(AuthError::MissingField("cnonce"))?;
                let nc = format!("{nc:08x}");
                alg.hash(&[&ha1, self.nonce, &nc, cnonce, qop.as_str(), &ha2])
            }
            None => alg.hash(&[&ha1, self.nonce, &ha2]),
        })
    }
}

/// Lowercase hex encoding.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Decodes lowercase hex into `out`; `None` unless `s` is exactly
/// `2 * out.len()` lowercase hex digits.
pub(crate) fn unhex_into(s: &str, out: &mut [u8]) -> Option<()> {
    fn nibble(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            _ => None,
        }
    }
    let s = s.as_bytes();
    if s.len() != out.len() * 2 {
        return None;
    }
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        *o = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(())
}

/// HMAC-SHA256 (RFC 2104) over the concatenation of `parts`.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Equality whose running time depends only on the lengths, not on where
/// the inputs differ.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hmac_sha256_rfc4231_vectors() {
        // Test case 2.
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: key longer than the block size.
        let mac = hmac_sha256(
            &[0xaa; 131],
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            hex(&mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn hex_round_trip() {
        let mut out = [0u8; 3];
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(unhex_into("00abff", &mut out), Some(()));
        assert_eq!(out, [0x00, 0xab, 0xff]);
        assert_eq!(unhex_into("00ABFF", &mut out), None);
        assert_eq!(unhex_into("00abf", &mut out), None);
        assert_eq!(unhex_into("00abfg", &mut out), None);
    }

    #[test]
    fn constant_time_compare() {
        assert!(ct_eq(b"abc1", b"abc1"));
        assert!(!ct_eq(b"abc1", b"abc2"));
        assert!(!ct_eq(b"Abc1", b"abc1"));
        assert!(!ct_eq(b"abc", b"abc1"));
    }

    #[test]
    fn algorithm_names() {
        for a in [
            Algorithm::Md5,
            Algorithm::Md5Sess,
            Algorithm::Sha256,
            Algorithm::Sha256Sess,
        ] {
            assert_eq!(a.as_str().parse::<Algorithm>().unwrap(), a);
            assert_eq!(a.as_str().to_lowercase().parse::<Algorithm>().unwrap(), a);
        }
        assert_eq!(
            "SHA-512-256".parse::<Algorithm>(),
            Err(AuthError::UnsupportedAlgorithm("SHA-512-256".into()))
        );
    }

    #[test]
    fn rfc2069_form_without_qop() {
        // RFC 2069 §2.4 example (as corrected in its errata).
        let ha1 = Algorithm::Md5.ha1("Mufasa", "testrealm@host.com", "CircleOfLife");
        let input = DigestInput {
            algorithm: Algorithm::Md5,
            ha1: &ha1,
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            cnonce: None,
            nc: None,
            qop: None,
            method: "GET",
            uri: "/dir/index.html",
        };
        assert_eq!(
            input.response().unwrap(),
            "1949323746fe6a43ef61f9606e7febea"
        );
    }
}
