//! The SDES `a=crypto` attribute (RFC 4568 §9.1): parse and print, the two crypto suites
//! voxgate negotiates, and the key type. Syntax only: which line an answer picks is decided
//! in `srtp`; this module does not touch SRTP itself (the `rtp` crate does).

use std::fmt;

use super::base64;
use super::types::MediaDescription;

/// Bytes of SDES key material for the AES-128 suites: 16-byte master key, 14-byte salt.
pub const SDES_KEY_LEN: usize = 30;

/// A crypto suite voxgate negotiates (RFC 4568 §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SdesSuite {
    /// `AES_CM_128_HMAC_SHA1_80`.
    AesCm128HmacSha1_80,
    /// `AES_CM_128_HMAC_SHA1_32`.
    AesCm128HmacSha1_32,
}

impl SdesSuite {
    /// Every supported suite, in our preference order.
    pub const ALL: [Self; 2] = [Self::AesCm128HmacSha1_80, Self::AesCm128HmacSha1_32];

    /// The suite name as written in `a=crypto`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Self::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }

    /// The suite called `name`, if we support it.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for SdesSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// SDES key material: master key ‖ master salt. `Debug` never shows the bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SdesKey([u8; SDES_KEY_LEN]);

impl SdesKey {
    /// Wraps 30 bytes of key material (the caller draws them from a CSPRNG).
    #[must_use]
    pub fn new(bytes: [u8; SDES_KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// The key material, for building the SRTP context.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; SDES_KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for SdesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SdesKey(<redacted>)")
    }
}

/// A master key identifier: `value:length` (length in bytes, 1..=128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mki {
    /// The MKI value.
    pub value: u64,
    /// Its length on the wire in bytes.
    pub length: u8,
}

/// One `inline:<key||salt>[|lifetime][|MKI:length]` key parameter.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyParam {
    /// The decoded key and salt.
    pub key_salt: Vec<u8>,
    /// The key lifetime as written (`2^31`, `1048576`), if any.
    pub lifetime: Option<String>,
    /// The MKI, if any.
    pub mki: Option<Mki>,
}

impl fmt::Debug for KeyParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyParam")
            .field("key_salt", &format_args!("<{} bytes>", self.key_salt.len()))
            .field("lifetime", &self.lifetime)
            .field("mki", &self.mki)
            .finish()
    }
}

/// A parsed `a=crypto:<tag> <suite> <key-params> [<session-params>]` attribute value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoAttribute {
    /// The tag (1 to 9 digits) the answer must echo.
    pub tag: u32,
    /// The suite name as written (may be one we do not support).
    pub suite: String,
    /// One or more key parameters, in order.
    pub keys: Vec<KeyParam>,
    /// Session parameters (`KDR=…`, `UNENCRYPTED_SRTP`, `WSH=…`) kept as text.
    pub session_params: Vec<String>,
}

impl CryptoAttribute {
    /// The attribute for one key of `suite`, with no lifetime, MKI or session parameter.
    #[must_use]
    pub fn new(tag: u32, suite: SdesSuite, key: &SdesKey) -> Self {
        Self {
            tag,
            suite: suite.name().to_owned(),
            keys: vec![KeyParam {
                key_salt: key.as_bytes().to_vec(),
                lifetime: None,
                mki: None,
            }],
            session_params: Vec::new(),
        }
    }

    /// Parses the value of an `a=crypto` attribute; `None` if malformed.
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        let mut words = value.split_ascii_whitespace();
        let tag = words.next().filter(|t| is_digits(t, 1, 9))?.parse().ok()?;
        let suite = words.next()?.to_owned();
        let keys = words
            .next()?
            .split(';')
            .map(parse_key_param)
            .collect::<Option<Vec<_>>>()?;
        let session_params = words.map(str::to_owned).collect();
        Some(Self {
            tag,
            suite,
            keys,
            session_params,
        })
    }

    /// The suite, if it is one we support.
    #[must_use]
    pub fn sdes_suite(&self) -> Option<SdesSuite> {
        SdesSuite::from_name(&self.suite)
    }

    /// The key, if the line has exactly one key parameter of [`SDES_KEY_LEN`] bytes and no
    /// MKI (what voxgate's SRTP supports; a lifetime is accepted and ignored).
    #[must_use]
    pub fn single_key(&self) -> Option<SdesKey> {
        match self.keys.as_slice() {
            [key] if key.mki.is_none() => key.key_salt.as_slice().try_into().ok().map(SdesKey),
            _ => None,
        }
    }
}

impl fmt::Display for CryptoAttribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.tag, self.suite)?;
        for (i, key) in self.keys.iter().enumerate() {
            let sep = if i == 0 { "" } else { ";" };
            write!(f, "{sep}inline:{}", base64::encode(&key.key_salt))?;
            if let Some(lifetime) = &key.lifetime {
                write!(f, "|{lifetime}")?;
            }
            if let Some(mki) = key.mki {
                write!(f, "|{}:{}", mki.value, mki.length)?;
            }
        }
        for param in &self.session_params {
            write!(f, " {param}")?;
        }
        Ok(())
    }
}

impl MediaDescription {
    /// All well-formed `a=crypto` attributes, in order.
    #[must_use]
    pub fn crypto_attributes(&self) -> Vec<CryptoAttribute> {
        self.attributes
            .iter()
            .filter(|a| a.name.eq_ignore_ascii_case("crypto"))
            .filter_map(|a| CryptoAttribute::parse(a.value.as_deref()?))
            .collect()
    }
}

/// Whether `s` is `min..=max` ASCII digits.
fn is_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses `inline:<base64>[|lifetime][|mki:len]`.
fn parse_key_param(param: &str) -> Option<KeyParam> {
    let info = param.strip_prefix("inline:")?;
    let mut parts = info.split('|');
    let key_salt = base64::decode(parts.next()?)?;
    let mut lifetime = None;
    let mut mki = None;
    for part in parts {
        match part.split_once(':') {
            Some((value, length)) if mki.is_none() => mki = Some(parse_mki(value, length)?),
            None if lifetime.is_none() && mki.is_none() && is_lifetime(part) => {
                lifetime = Some(part.to_owned());
            }
            _ => return None,
        }
    }
    Some(KeyParam {
        key_salt,
        lifetime,
        mki,
    })
}

/// A lifetime: decimal digits or `2^` digits.
fn is_lifetime(s: &str) -> bool {
    is_digits(s.strip_prefix("2^").unwrap_or(s), 1, 20)
}

/// Parses the MKI value and length (1..=128 bytes).
fn parse_mki(value: &str, length: &str) -> Option<Mki> {
    if !is_digits(value, 1, 19) || !is_digits(length, 1, 3) {
        return None;
    }
    let length: u8 = length.parse().ok().filter(|l| (1..=128).contains(l))?;
    Some(Mki {
        value: value.parse().ok()?,
        length,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    // RFC 4568 §9.1's first example, key and all.
    const RFC_EXAMPLE: &str = "1 AES_CM_128_HMAC_SHA1_80 \
        inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32";

    #[test]
    fn rfc4568_example_parses_and_prints_back() {
        let c = CryptoAttribute::parse(RFC_EXAMPLE).unwrap();
        assert_eq!(c.tag, 1);
        assert_eq!(c.sdes_suite(), Some(SdesSuite::AesCm128HmacSha1_80));
        assert_eq!(c.keys.len(), 1);
        assert_eq!(c.keys[0].key_salt.len(), SDES_KEY_LEN);
        assert_eq!(c.keys[0].lifetime.as_deref(), Some("2^20"));
        assert_eq!(
            c.keys[0].mki,
            Some(Mki {
                value: 1,
                length: 32
            })
        );
        assert_eq!(c.single_key(), None, "an MKI is not supported");
        assert_eq!(c.to_string(), RFC_EXAMPLE);
    }

    #[test]
    fn two_keys_and_session_params_are_kept() {
        let value = "12 AES_CM_128_HMAC_SHA1_32 \
            inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4;\
            inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 \
            KDR=1 UNENCRYPTED_SRTCP";
        let c = CryptoAttribute::parse(value).unwrap();
        assert_eq!(c.tag, 12);
        assert_eq!(c.keys.len(), 2);
        assert_eq!(c.session_params, ["KDR=1", "UNENCRYPTED_SRTCP"]);
        assert_eq!(c.to_string(), value);
    }

    #[test]
    fn a_lifetime_alone_and_an_mki_alone_are_told_apart() {
        let key = "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
        let c = CryptoAttribute::parse(&format!("1 X {key}|2^31")).unwrap();
        assert_eq!(c.keys[0].lifetime.as_deref(), Some("2^31"));
        assert!(c.single_key().is_some(), "a lifetime is accepted");
        let c = CryptoAttribute::parse(&format!("1 X {key}|7:1")).unwrap();
        assert_eq!(
            c.keys[0].mki,
            Some(Mki {
                value: 7,
                length: 1
            })
        );
    }

    #[test]
    fn malformed_lines_are_none() {
        let key = "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
        for bad in [
            "",
            "1",
            "1 AES_CM_128_HMAC_SHA1_80",
            &format!("x {} {key}", "AES_CM_128_HMAC_SHA1_80"),
            &format!("1234567890 S {key}"),
            "1 S inline:not*base64",
            "1 S uri:https://example.invalid/key",
            &format!("1 S {key}|2^20|1:0"),
            &format!("1 S {key}|1:4|2^20"),
            &format!("1 S {key}|forever"),
        ] {
            assert_eq!(CryptoAttribute::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn new_prints_a_line_that_parses_to_the_same_key() {
        let key = SdesKey::new(core::array::from_fn(|i| i as u8));
        let c = CryptoAttribute::new(2, SdesSuite::AesCm128HmacSha1_32, &key);
        let text = c.to_string();
        assert!(text.starts_with("2 AES_CM_128_HMAC_SHA1_32 inline:AAECAwQFBgcICQoL"));
        let back = CryptoAttribute::parse(&text).unwrap();
        assert_eq!(back.single_key(), Some(key));
    }

    #[test]
    fn keys_never_show_in_debug() {
        let key = SdesKey::new([0xab; SDES_KEY_LEN]);
        let c = CryptoAttribute::new(1, SdesSuite::AesCm128HmacSha1_80, &key);
        let shown = format!("{key:?} {c:?}");
        assert!(!shown.contains("171") && !shown.contains("ab, ") && !shown.contains("q6ur"));
        assert!(shown.contains("redacted") && shown.contains("<30 bytes>"));
    }
}
