//! `Display` impls: print SDP with CRLF line ends in canonical RFC 4566
//! order (v o s i u e p c b t r z k a, then each m section: m i c b k a).
//! Unknown lines are printed at the end of their section.

use super::types::{
    Attribute, Bandwidth, Connection, MediaDescription, Origin, SessionDescription, UnknownLine,
};
use std::fmt::{self, Display, Formatter};

/// Writes `<t>=<value>\r\n`.
fn line(f: &mut Formatter<'_>, t: char, value: impl Display) -> fmt::Result {
    write!(f, "{t}={value}\r\n")
}

/// Writes `<t>=<value>\r\n` if `value` is present.
fn opt_line(f: &mut Formatter<'_>, t: char, value: Option<&String>) -> fmt::Result {
    value.map_or(Ok(()), |v| line(f, t, v))
}

/// Writes one `<t>=` line per item.
fn lines<T: Display>(f: &mut Formatter<'_>, t: char, items: &[T]) -> fmt::Result {
    items.iter().try_for_each(|item| line(f, t, item))
}

/// Writes unknown lines verbatim.
fn unknown(f: &mut Formatter<'_>, items: &[UnknownLine]) -> fmt::Result {
    items
        .iter()
        .try_for_each(|u| line(f, u.line_type, &u.value))
}

impl Display for SessionDescription {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        line(f, 'v', 0)?;
        line(f, 'o', &self.origin)?;
        line(f, 's', &self.session_name)?;
        opt_line(f, 'i', self.information.as_ref())?;
        opt_line(f, 'u', self.uri.as_ref())?;
        lines(f, 'e', &self.emails)?;
        lines(f, 'p', &self.phones)?;
        if let Some(c) = &self.connection {
            line(f, 'c', c)?;
        }
        lines(f, 'b', &self.bandwidths)?;
        for t in &self.timings {
            line(f, 't', format_args!("{} {}", t.start, t.stop))?;
            lines(f, 'r', &t.repeats)?;
        }
        opt_line(f, 'z', self.time_zones.as_ref())?;
        opt_line(f, 'k', self.encryption_key.as_ref())?;
        lines(f, 'a', &self.attributes)?;
        unknown(f, &self.unknown_lines)?;
        self.media.iter().try_for_each(|m| m.fmt(f))
    }
}

impl Display for MediaDescription {
    /// Prints the whole media section (the `m=` line and its lines).
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "m={} {}", self.media, self.port)?;
        if let Some(n) = self.num_ports {
            write!(f, "/{n}")?;
        }
        write!(f, " {}", self.proto)?;
        for fmt in &self.formats {
            write!(f, " {fmt}")?;
        }
        f.write_str("\r\n")?;
        opt_line(f, 'i', self.information.as_ref())?;
        if let Some(c) = &self.connection {
            line(f, 'c', c)?;
        }
        lines(f, 'b', &self.bandwidths)?;
        opt_line(f, 'k', self.encryption_key.as_ref())?;
        lines(f, 'a', &self.attributes)?;
        unknown(f, &self.unknown_lines)
    }
}

impl Display for Origin {
    /// Prints the value of the `o=` line.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            self.username,
            self.sess_id,
            self.sess_version,
            self.net_type,
            self.addr_type,
            self.address
        )
    }
}

impl Display for Connection {
    /// Prints the value of the `c=` line.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.net_type, self.addr_type, self.address)?;
        if let Some(ttl) = self.ttl {
            write!(f, "/{ttl}")?;
        }
        if let Some(n) = self.num_addresses {
            write!(f, "/{n}")?;
        }
        Ok(())
    }
}

impl Display for Bandwidth {
    /// Prints the value of the `b=` line.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.bwtype, self.bandwidth)
    }
}

impl Display for Attribute {
    /// Prints the value of the `a=` line.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        match &self.value {
            Some(v) => write!(f, ":{v}"),
            None => Ok(()),
        }
    }
}
