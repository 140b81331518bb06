//! Parsers for the value of individual SDP lines (the part after `x=`).
//!
//! Each returns a reason string on failure; the caller attaches the line
//! type and number.

use super::types::{Attribute, Bandwidth, Connection, MediaDescription, Origin, Timing};

/// Result of parsing one field: the reason on failure.
pub(super) type FieldResult<T> = Result<T, &'static str>;

/// Splits `s` on whitespace into exactly `N` fields.
fn fields<const N: usize>(s: &str) -> FieldResult<[&str; N]> {
    let mut out = [""; N];
    let mut it = s.split_whitespace();
    for slot in &mut out {
        *slot = it.next().ok_or("too few fields")?;
    }
    match it.next() {
        Some(_) => Err("too many fields"),
        None => Ok(out),
    }
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`.
pub(super) fn origin(s: &str) -> FieldResult<Origin> {
    let [username, id, version, net_type, addr_type, address] = fields::<6>(s)?;
    Ok(Origin {
        username: username.to_owned(),
        sess_id: id.parse().map_err(|_| "sess-id is not a number")?,
        sess_version: version
            .parse()
            .map_err(|_| "sess-version is not a number")?,
        net_type: net_type.to_owned(),
        addr_type: addr_type.to_owned(),
        address: address.to_owned(),
    })
}

/// `c=<nettype> <addrtype> <address>[/<ttl>][/<count>]`.
pub(super) fn connection(s: &str) -> FieldResult<Connection> {
    let [net_type, addr_type, full] = fields::<3>(s)?;
    let mut parts = full.split('/');
    let address = parts.next().unwrap_or_default();
    if address.is_empty() {
        return Err("empty address");
    }
    let first = parts.next();
    let second = parts.next();
    if parts.next().is_some() {
        return Err("too many `/` suffixes");
    }
    let (ttl, count) = if addr_type.eq_ignore_ascii_case("IP6") {
        if second.is_some() {
            return Err("IP6 addresses have no TTL");
        }
        (None, first)
    } else {
        (first, second)
    };
    Ok(Connection {
        net_type: net_type.to_owned(),
        addr_type: addr_type.to_owned(),
        address: address.to_owned(),
        ttl: ttl
            .map(str::parse)
            .transpose()
            .map_err(|_| "TTL is not 0..=255")?,
        num_addresses: count
            .map(str::parse)
            .transpose()
            .map_err(|_| "address count is not a number")?,
    })
}

/// `b=<bwtype>:<bandwidth>`.
pub(super) fn bandwidth(s: &str) -> FieldResult<Bandwidth> {
    let (bwtype, value) = s.split_once(':').ok_or("expected <type>:<value>")?;
    let bwtype = bwtype.trim();
    if bwtype.is_empty() || bwtype.contains(char::is_whitespace) {
        return Err("bad bandwidth type");
    }
    Ok(Bandwidth {
        bwtype: bwtype.to_owned(),
        bandwidth: value.trim().parse().map_err(|_| "value is not a number")?,
    })
}

/// `t=<start> <stop>`.
pub(super) fn timing(s: &str) -> FieldResult<Timing> {
    let [start, stop] = fields::<2>(s)?;
    Ok(Timing {
        start: start.parse().map_err(|_| "start time is not a number")?,
        stop: stop.parse().map_err(|_| "stop time is not a number")?,
        repeats: Vec::new(),
    })
}

/// `a=<name>` or `a=<name>:<value>`.
pub(super) fn attribute(s: &str) -> FieldResult<Attribute> {
    let (name, value) = match s.split_once(':') {
        Some((name, value)) => (name, Some(value.to_owned())),
        None => (s, None),
    };
    if name.is_empty() {
        return Err("empty attribute name");
    }
    Ok(Attribute {
        name: name.to_owned(),
        value,
    })
}

/// `m=<media> <port>[/<number of ports>] <proto> <fmt> ...`.
pub(super) fn media(s: &str) -> FieldResult<MediaDescription> {
    let mut it = s.split_whitespace();
    let media = it.next().ok_or("missing media type")?;
    let port_field = it.next().ok_or("missing port")?;
    let proto = it.next().ok_or("missing protocol")?;
    let (port, num_ports) = match port_field.split_once('/') {
        Some((port, n)) => (port, Some(n.parse().map_err(|_| "bad number of ports")?)),
        None => (port_field, None),
    };
    let port = port.parse().map_err(|_| "port is not 0..=65535")?;
    let formats = it.map(str::to_owned).collect();
    let mut m = MediaDescription::new(media, port, proto, formats);
    m.num_ports = num_ports;
    Ok(m)
}
