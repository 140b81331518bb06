//! The Via header (RFC 3261 §20.42): sent-protocol, sent-by and via-params.

use std::fmt;

use super::HeaderError;
use crate::params::{ParamSyntax, Params};
use crate::text::{find_any, find_byte, is_token, split_commas, split_once_byte, trim_lws};
use crate::uri::{Host, parse_hostport};

/// The RFC 3261 branch magic cookie.
pub const BRANCH_MAGIC: &str = "z9hG4bK";

/// One Via value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// Protocol version, normally `2.0`.
    pub version: String,
    /// Transport token in upper case (`UDP`, `TCP`, `TLS`, `WS`, …).
    pub transport: String,
    /// The sent-by host.
    pub host: Host,
    /// The sent-by port.
    pub port: Option<u16>,
    /// Parameters: `branch`, `received`, `rport`, `maddr`, `ttl`, others.
    pub params: Params,
}

impl Via {
    /// A Via for `SIP/2.0/<transport> host:port;branch=...`.
    pub fn new(transport: &str, host: Host, port: Option<u16>, branch: &str) -> Self {
        let mut params = Params::new();
        params.set("branch", Some(branch));
        Self {
            version: "2.0".into(),
            transport: transport.to_ascii_uppercase(),
            host,
            port,
            params,
        }
    }

    /// Parses one Via value (not a list).
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        let (version, transport, rest) = sent_protocol(s)?;
        let rest = trim_lws(rest);
        let (sent_by, params) = match find_byte(rest, b';') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (host, port) = parse_sent_by(sent_by)?;
        let params = Params::parse(params, ParamSyntax::Header)?;
        Ok(Self {
            version: version.to_owned(),
            transport: transport.to_ascii_uppercase(),
            host,
            port,
            params,
        })
    }

    /// Parses a comma-separated Via field value.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, HeaderError> {
        split_commas(s)
            .ok_or(HeaderError::Quote)?
            .into_iter()
            .map(Via::parse)
            .collect()
    }

    /// The branch parameter.
    pub fn branch(&self) -> Option<&str> {
        self.params.get("branch").flatten()
    }

    /// Whether the branch carries the RFC 3261 magic cookie (otherwise transactions are
    /// matched by the RFC 2543 rules).
    pub fn is_rfc3261(&self) -> bool {
        self.branch()
            .is_some_and(|b| b.starts_with(BRANCH_MAGIC) && b.len() > BRANCH_MAGIC.len())
    }

    /// The `received` parameter.
    pub fn received(&self) -> Option<&str> {
        self.params.get("received").flatten()
    }

    /// The `rport` parameter: `Some(None)` when requested without a value.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params
            .get("rport")
            .map(|v| v.and_then(|p| p.parse().ok()))
    }
}

/// `SIP / 2.0 / UDP` with optional LWS around the slashes, then LWS before sent-by.
fn sent_protocol(s: &str) -> Result<(&str, &str, &str), HeaderError> {
    let s = trim_lws(s);
    let (name, rest) = split_once_byte(s, b'/').ok_or(HeaderError::Via)?;
    let (version, rest) = split_once_byte(rest, b'/').ok_or(HeaderError::Via)?;
    let rest = trim_lws(rest);
    let end = find_any(rest, b" \t").ok_or(HeaderError::Via)?;
    let (transport, rest) = rest.split_at(end);
    let (name, version) = (trim_lws(name), trim_lws(version));
    if !name.eq_ignore_ascii_case("SIP") || !is_token(version) || !is_token(transport) {
        return Err(HeaderError::Via);
    }
    Ok((version, transport, rest))
}

/// `host [ COLON port ]` where COLON may have LWS around it.
fn parse_sent_by(s: &str) -> Result<(Host, Option<u16>), HeaderError> {
    let s = trim_lws(s);
    if s.is_empty() {
        return Err(HeaderError::Via);
    }
    let compact: String;
    let s = if find_any(s, b" \t").is_some() {
        compact = s.split([' ', '\t']).collect();
        compact.as_str()
    } else {
        s
    };
    parse_hostport(s).map_err(|_| HeaderError::Via)
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/{}/{} {}", self.version, self.transport, self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "{}", self.params)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tortuous_whitespace() {
        let v = Via::parse_list(
            "SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8  , \
             SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239",
        )
        .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].transport, "TCP");
        assert_eq!(v[0].branch(), Some("z9hG4bK9ikj8"));
        assert_eq!(v[1].host, Host::V4("192.168.255.111".parse().unwrap()));
        assert!(v[1].is_rfc3261());
        for via in v {
            assert_eq!(Via::parse(&via.to_string()).unwrap(), via);
        }
    }

    #[test]
    fn params_and_rejects() {
        let v = Via::parse("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport;received=1.2.3.4")
            .unwrap();
        assert_eq!(v.port, Some(5070));
        assert_eq!(v.rport(), Some(None));
        assert_eq!(v.received(), Some("1.2.3.4"));
        assert!(
            !Via::parse("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK")
                .unwrap()
                .is_rfc3261()
        );
        assert!(Via::parse_list("SIP/2.0/UDP 192.0.2.15;;,;,,").is_err());
        assert!(Via::parse("SIP/2.0/UDP").is_err());
        assert!(Via::parse("HTTP/1.1/TCP host").is_err());
    }
}
