//! Address ranges for the SIP source policy: `203.0.113.0/24`, `2001:db8::/32` or a single
//! address. Parsing and matching only.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IPv4 or IPv6 network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

/// Why an address range does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an address or ADDRESS/PREFIX range: {reason}")]
pub struct IpNetError {
    text: String,
    reason: &'static str,
}

impl IpNet {
    /// The network of `addr` with `prefix` bits (host bits are ignored when matching).
    pub fn new(addr: IpAddr, prefix: u8) -> Option<IpNet> {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    /// Whether `ip` is inside this network. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`)
    /// match IPv4 networks, as a dual-stack socket reports IPv4 peers that way.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether the first `bits` bits of `a` and `b` agree.
fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let full = usize::from(bits / 8);
    let rest = bits % 8;
    if a[..full] != b[..full] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (a[full] & mask) == (b[full] & mask)
}

impl FromStr for IpNet {
    type Err = IpNetError;

    fn from_str(text: &str) -> Result<IpNet, IpNetError> {
        let err = |reason| IpNetError {
            text: text.to_owned(),
            reason,
        };
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let addr: IpAddr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| err("not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().map_err(|_| err("bad prefix length"))?,
        };
        IpNet::new(addr, prefix).ok_or_else(|| err("prefix longer than the address"))
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl TryFrom<String> for IpNet {
    type Error = IpNetError;
    fn try_from(s: String) -> Result<IpNet, IpNetError> {
        s.parse()
    }
}

impl From<IpNet> for String {
    fn from(n: IpNet) -> String {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_match_their_addresses_only() {
        let n = net("203.0.113.0/24");
        assert!(n.contains("203.0.113.7".parse().unwrap()));
        assert!(!n.contains("203.0.114.7".parse().unwrap()));
        assert!(net("10.0.0.0/9").contains("10.127.255.255".parse().unwrap()));
        assert!(!net("10.0.0.0/9").contains("10.128.0.0".parse().unwrap()));
        assert!(net("0.0.0.0/0").contains("8.8.8.8".parse().unwrap()));
        assert!(net("2001:db8::/32").contains("2001:db8:1::5".parse().unwrap()));
        assert!(!net("2001:db8::/32").contains("2001:db9::5".parse().unwrap()));
        assert!(!net("2001:db8::/32").contains("203.0.113.7".parse().unwrap()));
    }

    #[test]
    fn a_single_address_is_a_full_prefix() {
        let n = net("198.51.100.7");
        assert_eq!(n.to_string(), "198.51.100.7/32");
        assert!(n.contains("198.51.100.7".parse().unwrap()));
        assert!(!n.contains("198.51.100.8".parse().unwrap()));
        assert_eq!(net("[::1]").to_string(), "::1/128");
    }

    #[test]
    fn mapped_ipv4_peers_match_ipv4_ranges() {
        assert!(net("127.0.0.0/8").contains("::ffff:127.0.0.2".parse().unwrap()));
    }

    #[test]
    fn bad_ranges_say_why() {
        for bad in [
            "",
            "300.1.1.1",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/x",
            "host.example",
        ] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }
}
