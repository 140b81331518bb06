//! Plain data types of an SDP session description (RFC 4566).

/// A complete SDP session description (RFC 4566 §5).
///
/// Parse with [`SessionDescription::parse`] and print with `Display`, which
/// emits CRLF line ends in the canonical RFC 4566 order. Every line of the
/// input is kept, including line types we do not understand, so that
/// printing a parsed description reproduces all of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=`: originator and session identifier.
    pub origin: Origin,
    /// `s=`: session name (may be empty or a single space).
    pub session_name: String,
    /// `i=`: session information.
    pub information: Option<String>,
    /// `u=`: URI of a description of the session.
    pub uri: Option<String>,
    /// `e=`: email addresses.
    pub emails: Vec<String>,
    /// `p=`: phone numbers.
    pub phones: Vec<String>,
    /// Session-level `c=`.
    pub connection: Option<Connection>,
    /// Session-level `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `t=` lines, each with its `r=` lines. Never empty after parsing: a
    /// missing `t=` (sloppy softphones) is read as `t=0 0`.
    pub timings: Vec<Timing>,
    /// `z=`: time zone adjustments, kept verbatim.
    pub time_zones: Option<String>,
    /// Session-level `k=`.
    pub encryption_key: Option<String>,
    /// Session-level `a=` lines, in input order.
    pub attributes: Vec<Attribute>,
    /// Session-level lines of unknown type, in input order (printed after
    /// the attributes).
    pub unknown_lines: Vec<UnknownLine>,
    /// Media sections (`m=` and the lines that follow it), in order.
    pub media: Vec<MediaDescription>,
}

/// The `o=` line: `<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// User name on the originating host (`-` if none).
    pub username: String,
    /// Session id.
    pub sess_id: u64,
    /// Session version; bumped on every new offer for the session.
    pub sess_version: u64,
    /// Network type, normally `IN`.
    pub net_type: String,
    /// Address type, normally `IP4` or `IP6`.
    pub addr_type: String,
    /// Unicast address (or FQDN) of the originating host.
    pub address: String,
}

/// A `c=` line: `<nettype> <addrtype> <address>[/<ttl>][/<number of addresses>]`.
///
/// For `IP6` a single `/n` suffix is the number of addresses (there is no
/// TTL); for every other address type the first suffix is the TTL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Network type, normally `IN`.
    pub net_type: String,
    /// Address type, normally `IP4` or `IP6`.
    pub addr_type: String,
    /// The connection address without any `/` suffix.
    pub address: String,
    /// Multicast TTL (IPv4 only).
    pub ttl: Option<u8>,
    /// Number of contiguous multicast addresses.
    pub num_addresses: Option<u32>,
}

/// A `b=<bwtype>:<bandwidth>` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bandwidth {
    /// Bandwidth type, e.g. `AS`, `CT`, `TIAS`.
    pub bwtype: String,
    /// Bandwidth value (kbit/s for `AS`/`CT`, bit/s for `TIAS`).
    pub bandwidth: u64,
}

/// A `t=<start> <stop>` line and its `r=` repeat lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// Start time (NTP seconds; 0 for unbounded).
    pub start: u64,
    /// Stop time (NTP seconds; 0 for unbounded).
    pub stop: u64,
    /// Values of the `r=` lines that follow this `t=`, verbatim.
    pub repeats: Vec<String>,
}

/// An `a=<name>` or `a=<name>:<value>` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute name (the part before the first `:`).
    pub name: String,
    /// Attribute value (the part after the first `:`), if any.
    pub value: Option<String>,
}

/// A line whose type letter we do not interpret, kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLine {
    /// The line type letter (ASCII alphabetic).
    pub line_type: char,
    /// Everything after `<letter>=`.
    pub value: String,
}

/// A media section: the `m=` line and the `i=`, `c=`, `b=`, `k=` and `a=`
/// lines that follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    /// Media type: `audio`, `video`, `application`, ...
    pub media: String,
    /// Transport port; 0 means the stream is rejected/disabled.
    pub port: u16,
    /// Optional `/<number of ports>` suffix.
    pub num_ports: Option<u16>,
    /// Transport protocol: `RTP/AVP`, `RTP/SAVPF`, `UDP/TLS/RTP/SAVPF`, ...
    pub proto: String,
    /// Media formats (RTP payload types for RTP protocols).
    pub formats: Vec<String>,
    /// Media-level `i=`.
    pub information: Option<String>,
    /// Media-level `c=`, overriding the session-level one.
    pub connection: Option<Connection>,
    /// Media-level `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// Media-level `k=`.
    pub encryption_key: Option<String>,
    /// Media-level `a=` lines, in input order.
    pub attributes: Vec<Attribute>,
    /// Media-level lines of unknown type, in input order.
    pub unknown_lines: Vec<UnknownLine>,
}

impl SessionDescription {
    /// A minimal description (`t=0 0`, no connection, no media) to build on.
    #[must_use]
    pub fn new(origin: Origin, session_name: impl Into<String>) -> Self {
        Self {
            origin,
            session_name: session_name.into(),
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            timings: vec![Timing::unbounded()],
            time_zones: None,
            encryption_key: None,
            attributes: Vec::new(),
            unknown_lines: Vec::new(),
            media: Vec::new(),
        }
    }
}

impl Origin {
    /// An `IN` origin whose address type is inferred from `address`.
    #[must_use]
    pub fn new(
        username: impl Into<String>,
        sess_id: u64,
        sess_version: u64,
        address: impl Into<String>,
    ) -> Self {
        let address = address.into();
        Self {
            username: username.into(),
            sess_id,
            sess_version,
            net_type: "IN".to_owned(),
            addr_type: addr_type_of(&address).to_owned(),
            address,
        }
    }
}

impl Connection {
    /// A unicast `IN` connection whose address type is inferred from `address`.
    #[must_use]
    pub fn new(address: impl Into<String>) -> Self {
        let address = address.into();
        Self {
            net_type: "IN".to_owned(),
            addr_type: addr_type_of(&address).to_owned(),
            address,
            ttl: None,
            num_addresses: None,
        }
    }
}

impl Timing {
    /// `t=0 0`: a permanent session.
    #[must_use]
    pub fn unbounded() -> Self {
        Self {
            start: 0,
            stop: 0,
            repeats: Vec::new(),
        }
    }
}

impl Attribute {
    /// An `a=<name>:<value>` attribute.
    #[must_use]
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
        }
    }

    /// A property attribute without a value, such as `a=rtcp-mux`.
    #[must_use]
    pub fn flag(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: None,
        }
    }
}

impl MediaDescription {
    /// A media section with no attributes, connection or bandwidth lines.
    #[must_use]
    pub fn new(
        media: impl Into<String>,
        port: u16,
        proto: impl Into<String>,
        formats: Vec<String>,
    ) -> Self {
        Self {
            media: media.into(),
            port,
            num_ports: None,
            proto: proto.into(),
            formats,
            information: None,
            connection: None,
            bandwidths: Vec::new(),
            encryption_key: None,
            attributes: Vec::new(),
            unknown_lines: Vec::new(),
        }
    }
}

/// `IP6` if the address looks like an IPv6 literal, else `IP4`.
fn addr_type_of(address: &str) -> &'static str {
    if address.contains(':') { "IP6" } else { "IP4" }
}
