//! URIs that appear in SIP: `sip:`/`sips:` (RFC 3261 §19.1), `tel:` (RFC 3966) and any other
//! absolute URI, kept opaque. Parsing never panics; printing produces a string that parses
//! back to an equal value.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::params::{ParamSyntax, Params};
use crate::text::{escapes_valid, find_byte, split_once_byte, unescape};

/// Why a URI did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// No `scheme:` prefix, or a scheme with characters outside the grammar.
    #[error("missing or invalid URI scheme")]
    Scheme,
    /// A user or password with characters outside the grammar, or a bad escape.
    #[error("invalid user part")]
    User,
    /// A host that is neither a domain name nor an IP address.
    #[error("invalid host")]
    Host,
    /// A port that is not a number from 0 to 65535.
    #[error("invalid port")]
    Port,
    /// A malformed `;param`.
    #[error("invalid URI parameter")]
    Param,
    /// A malformed `?header=value`.
    #[error("invalid URI header")]
    Header,
    /// Characters that can never appear in a URI (white space, quotes, angle brackets).
    #[error("invalid character in URI")]
    Char,
}

/// A URI of any scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Uri {
    /// `sip:` or `sips:`.
    Sip(SipUri),
    /// `tel:`.
    Tel(TelUri),
    /// Any other absolute URI, kept as scheme and opaque remainder.
    Other {
        /// The scheme, as received.
        scheme: String,
        /// Everything after the first `:`.
        rest: String,
    },
}

/// The host part of a SIP URI or Via.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A domain name, as received.
    Domain(String),
    /// An IPv4 address.
    V4(Ipv4Addr),
    /// An IPv6 reference (printed in brackets).
    V6(Ipv6Addr),
}

/// A `sip:` or `sips:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUri {
    /// `sips:` rather than `sip:`.
    pub secure: bool,
    /// The user part, with its escapes as received.
    pub user: Option<String>,
    /// The password, as received.
    pub password: Option<String>,
    /// The host.
    pub host: Host,
    /// The port, when given.
    pub port: Option<u16>,
    /// URI parameters (`;transport=tcp;lr`).
    pub params: Params,
    /// URI headers (`?Route=...`), raw name and value.
    pub headers: Vec<(String, String)>,
}

/// A `tel:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelUri {
    /// The number, visual separators included, as received.
    pub number: String,
    /// Parameters such as `phone-context`.
    pub params: Params,
}

impl Uri {
    /// Parses a URI. The input must be exactly the URI: no surrounding white space or brackets.
    pub fn parse(s: &str) -> Result<Self, UriError> {
        let (scheme, rest) = split_once_byte(s, b':').ok_or(UriError::Scheme)?;
        if !is_scheme(scheme) {
            return Err(UriError::Scheme);
        }
        if s.bytes()
            .any(|c| c <= b' ' || matches!(c, b'<' | b'>' | b'"' | 0x7f))
        {
            return Err(UriError::Char);
        }
        if scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips") {
            let secure = scheme.eq_ignore_ascii_case("sips");
            return SipUri::parse_after_scheme(secure, rest).map(Uri::Sip);
        }
        if scheme.eq_ignore_ascii_case("tel") {
            return TelUri::parse_after_scheme(rest).map(Uri::Tel);
        }
        if rest.is_empty() {
            return Err(UriError::Char);
        }
        Ok(Uri::Other {
            scheme: scheme.to_owned(),
            rest: rest.to_owned(),
        })
    }

    /// The scheme in lower case.
    pub fn scheme(&self) -> String {
        match self {
            Uri::Sip(u) if u.secure => "sips".into(),
            Uri::Sip(_) => "sip".into(),
            Uri::Tel(_) => "tel".into(),
            Uri::Other { scheme, .. } => scheme.to_ascii_lowercase(),
        }
    }

    /// The SIP URI, if this is one.
    pub fn as_sip(&self) -> Option<&SipUri> {
        match self {
            Uri::Sip(u) => Some(u),
            _ => None,
        }
    }
}

fn is_scheme(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphabetic())
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

impl SipUri {
    /// A plain `sip:user@host` URI.
    pub fn new(user: Option<&str>, host: Host, port: Option<u16>) -> Self {
        Self {
            secure: false,
            user: user.map(str::to_owned),
            password: None,
            host,
            port,
            params: Params::new(),
            headers: Vec::new(),
        }
    }

    fn parse_after_scheme(secure: bool, s: &str) -> Result<Self, UriError> {
        let (userinfo, rest) = match split_once_byte(s, b'@') {
            Some((u, r)) => (Some(u), r),
            None => (None, s),
        };
        let (user, password) = match userinfo {
            Some(u) => parse_userinfo(u)?,
            None => (None, None),
        };
        let (before_headers, headers) = match split_once_byte(rest, b'?') {
            Some((a, h)) => (a, parse_uri_headers(h)?),
            None => (rest, Vec::new()),
        };
        let (hostport, params) = match find_byte(before_headers, b';') {
            Some(i) => (&before_headers[..i], &before_headers[i..]),
            None => (before_headers, ""),
        };
        let (host, port) = parse_hostport(hostport)?;
        let params = Params::parse(params, ParamSyntax::Uri).map_err(|_| UriError::Param)?;
        if params
            .iter()
            .any(|p| !escapes_valid(&p.name) || !p.value.as_deref().is_none_or(escapes_valid))
        {
            return Err(UriError::Param);
        }
        Ok(Self {
            secure,
            user,
            password,
            host,
            port,
            params,
            headers,
        })
    }

    /// The user part with escapes decoded (lossy for non-UTF-8 bytes).
    pub fn user_unescaped(&self) -> Option<String> {
        self.user
            .as_deref()
            .map(|u| String::from_utf8_lossy(&unescape(u)).into_owned())
    }
}

fn parse_userinfo(u: &str) -> Result<(Option<String>, Option<String>), UriError> {
    let (user, password) = match split_once_byte(u, b':') {
        Some((a, b)) => (a, Some(b)),
        None => (u, None),
    };
    let user_ok = !user.is_empty() && escapes_valid(user) && user.bytes().all(is_user_char);
    let pass_ok = password.is_none_or(|p| escapes_valid(p) && p.bytes().all(is_password_char));
    if !user_ok || !pass_ok {
        return Err(UriError::User);
    }
    Ok((Some(user.to_owned()), password.map(str::to_owned)))
}

fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        )
}

fn is_user_char(c: u8) -> bool {
    is_unreserved(c)
        || matches!(
            c,
            b'%' | b'&' | b'=' | b'+' | b'$' | b',' | b';' | b'?' | b'/'
        )
}

fn is_password_char(c: u8) -> bool {
    is_unreserved(c) || matches!(c, b'%' | b'&' | b'=' | b'+' | b'$' | b',')
}

fn parse_uri_headers(h: &str) -> Result<Vec<(String, String)>, UriError> {
    h.split('&')
        .map(|pair| {
            let (n, v) = split_once_byte(pair, b'=').ok_or(UriError::Header)?;
            let ok = |s: &str| {
                escapes_valid(s)
                    && s.bytes().all(|c| {
                        is_unreserved(c)
                            || matches!(c, b'%' | b'[' | b']' | b'/' | b'?' | b':' | b'+' | b'$')
                    })
            };
            if n.is_empty() || !ok(n) || !ok(v) {
                return Err(UriError::Header);
            }
            Ok((n.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Parses `host[:port]`, where host may be a bracketed IPv6 reference.
pub(crate) fn parse_hostport(s: &str) -> Result<(Host, Option<u16>), UriError> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (v6, after) = split_once_byte(rest, b']').ok_or(UriError::Host)?;
        let addr: Ipv6Addr = v6.parse().map_err(|_| UriError::Host)?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or(UriError::Port)?),
        };
        (Host::V6(addr), port)
    } else {
        let (h, p) = match split_once_byte(s, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        };
        (parse_host(h)?, p)
    };
    let port = match port {
        None => None,
        Some(p) => Some(
            crate::text::parse_digits(p)
                .and_then(|n| u16::try_from(n).ok())
                .ok_or(UriError::Port)?,
        ),
    };
    Ok((host, port))
}

fn parse_host(h: &str) -> Result<Host, UriError> {
    if let Ok(v4) = h.parse::<Ipv4Addr>() {
        return Ok(Host::V4(v4));
    }
    let ok = !h.is_empty()
        && h.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
        && !h.starts_with(['-', '.']);
    if !ok {
        return Err(UriError::Host);
    }
    Ok(Host::Domain(h.to_owned()))
}

impl TelUri {
    fn parse_after_scheme(s: &str) -> Result<Self, UriError> {
        let (number, params) = match find_byte(s, b';') {
            Some(i) => (&s[..i], &s[i..]),
            None => (s, ""),
        };
        let digits = number.strip_prefix('+').unwrap_or(number);
        let ok = !digits.is_empty()
            && digits.bytes().all(|c| {
                c.is_ascii_hexdigit() || matches!(c, b'*' | b'#' | b'-' | b'.' | b'(' | b')')
            });
        if !ok {
            return Err(UriError::User);
        }
        let params = Params::parse(params, ParamSyntax::Uri).map_err(|_| UriError::Param)?;
        Ok(Self {
            number: number.to_owned(),
            params,
        })
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::V4(a) => write!(f, "{a}"),
            Host::V6(a) => write!(f, "[{a}]"),
        }
    }
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "sips:" } else { "sip:" })?;
        if let Some(u) = &self.user {
            f.write_str(u)?;
            if let Some(p) = &self.password {
                write!(f, ":{p}")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "{}", self.params)?;
        for (i, (n, v)) in self.headers.iter().enumerate() {
            write!(f, "{}{n}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

impl fmt::Display for TelUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tel:{}{}", self.number, self.params)
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uri::Sip(u) => u.fmt(f),
            Uri::Tel(t) => t.fmt(f),
            Uri::Other { scheme, rest } => write!(f, "{scheme}:{rest}"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rt(s: &str) -> Uri {
        let u = Uri::parse(s).unwrap();
        assert_eq!(Uri::parse(&u.to_string()).unwrap(), u, "{s}");
        u
    }

    #[test]
    fn sip_uris() {
        let Uri::Sip(u) = rt("sip:alice:pw@example.com:5070;transport=tcp;lr?Subject=hi&X=y")
        else {
            panic!("not sip");
        };
        assert_eq!(u.user.as_deref(), Some("alice"));
        assert_eq!(u.password.as_deref(), Some("pw"));
        assert_eq!(u.port, Some(5070));
        assert_eq!(u.params.get("TRANSPORT"), Some(Some("tcp")));
        assert!(u.params.contains("lr"));
        assert_eq!(u.headers.len(), 2);
        let Uri::Sip(v6) = rt("sips:[2001:db8::1]:5061") else {
            panic!()
        };
        assert!(v6.secure);
        assert_eq!(v6.host, Host::V6("2001:db8::1".parse().unwrap()));
        let Uri::Sip(semi) = rt("sip:user;par=u%40example.net@example.com") else {
            panic!()
        };
        assert_eq!(semi.user.as_deref(), Some("user;par=u%40example.net"));
        let Uri::Sip(esc) = rt("sip:%75se%72@example.com") else {
            panic!()
        };
        assert_eq!(esc.user_unescaped().as_deref(), Some("user"));
    }

    #[test]
    fn other_schemes() {
        assert!(matches!(
            rt("tel:+1-201-555-0123;phone-context=example.com"),
            Uri::Tel(_)
        ));
        assert!(matches!(
            rt("soap.beep://192.0.2.103:3002"),
            Uri::Other { .. }
        ));
        assert!(matches!(rt("isbn:2983792873"), Uri::Other { .. }));
    }

    #[test]
    fn bad_uris() {
        for s in [
            "<sip:a@b>",
            "sip:a@b; lr",
            "sip:",
            "sip:a@",
            "sip:a@b:99999",
            "sip:a@b:x",
            "sip:a%zz@b",
            "1sip:a",
            "nocolon",
            "sip:a@b;",
            "tel:",
            "sip:a@b?x",
        ] {
            assert!(Uri::parse(s).is_err(), "{s} should not parse");
        }
    }
}
