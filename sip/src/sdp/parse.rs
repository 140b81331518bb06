//! Line-oriented SDP parser (RFC 4566), liberal where real phones are sloppy.

use super::error::{SdpError, SdpErrorKind};
use super::fields::{self, FieldResult};
use super::types::{
    Attribute, Bandwidth, Connection, MediaDescription, Origin, SessionDescription, Timing,
    UnknownLine,
};
use std::str::FromStr;

/// Maximum number of lines accepted in one description.
pub(crate) const MAX_LINES: usize = 1024;
/// Maximum number of media sections accepted in one description.
pub(crate) const MAX_MEDIA: usize = 64;

/// Line types that may appear only at session level.
const SESSION_ONLY: &str = "vosuepztr";

impl SessionDescription {
    /// Parses an SDP body. Accepts CRLF or bare LF line ends and skips
    /// blank lines.
    ///
    /// `v=`, `o=` and `s=` are mandatory; a missing `t=` is read as `t=0 0`.
    /// Unknown line types are kept in `unknown_lines`.
    ///
    /// # Errors
    ///
    /// [`SdpError`] naming the offending 1-based line, the missing mandatory
    /// line, or the exceeded size limit (1024 lines, 64 media sections).
    pub fn parse(input: &str) -> Result<Self, SdpError> {
        let mut state = State::default();
        // The limit counts content lines other than `t=`, so that the `t=0 0` added for a
        // description that lacks one never pushes a printed description over it. Blank
        // lines are skipped but bounded too.
        let (mut counted, mut timings) = (0, 0);
        for (index, raw) in input.lines().enumerate() {
            let line = index + 1;
            if raw.trim().is_empty() {
                if line > 4 * MAX_LINES {
                    return Err(SdpError::TooManyLines { limit: MAX_LINES });
                }
                continue;
            }
            if raw.starts_with("t=") {
                timings += 1;
            } else {
                counted += 1;
            }
            if counted > MAX_LINES || timings > 64 {
                return Err(SdpError::TooManyLines { limit: MAX_LINES });
            }
            state
                .line(raw)
                .map_err(|kind| SdpError::Line { line, kind })?;
        }
        state.finish()
    }
}

impl FromStr for SessionDescription {
    type Err = SdpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Splits `x=value` into its type letter and value.
fn split_line(raw: &str) -> Result<(char, &str), SdpErrorKind> {
    let mut chars = raw.chars();
    match (chars.next(), chars.next()) {
        (Some(t), Some('=')) if t.is_ascii_alphabetic() => Ok((t, chars.as_str())),
        _ => Err(SdpErrorKind::Malformed),
    }
}

/// Attaches the line type to a field parser's failure reason.
fn typed<T>(line_type: char, r: FieldResult<T>) -> Result<T, SdpErrorKind> {
    r.map_err(|reason| SdpErrorKind::Invalid { line_type, reason })
}

/// Stores `value` in a slot that may be filled only once.
fn set_once<T>(slot: &mut Option<T>, line_type: char, value: T) -> Result<(), SdpErrorKind> {
    if slot.is_some() {
        return Err(SdpErrorKind::Duplicate(line_type));
    }
    *slot = Some(value);
    Ok(())
}

/// Parser state: everything seen so far.
#[derive(Default)]
struct State {
    seen_version: bool,
    origin: Option<Origin>,
    session_name: Option<String>,
    sd: Partial,
    media: Vec<MediaDescription>,
}

/// Session-level fields other than the mandatory ones.
#[derive(Default)]
struct Partial {
    information: Option<String>,
    uri: Option<String>,
    emails: Vec<String>,
    phones: Vec<String>,
    connection: Option<Connection>,
    bandwidths: Vec<Bandwidth>,
    timings: Vec<Timing>,
    time_zones: Option<String>,
    encryption_key: Option<String>,
    attributes: Vec<Attribute>,
    unknown_lines: Vec<UnknownLine>,
}

impl State {
    /// Handles one non-blank line.
    fn line(&mut self, raw: &str) -> Result<(), SdpErrorKind> {
        let (t, value) = split_line(raw)?;
        if !self.seen_version {
            if t != 'v' {
                return Err(SdpErrorKind::VersionNotFirst);
            }
            self.seen_version = true;
            return version(value);
        }
        if t == 'm' {
            return self.start_media(value);
        }
        match self.media.last_mut() {
            Some(m) => media_line(m, t, value),
            None => self.session_line(t, value),
        }
    }

    /// Opens a new media section.
    fn start_media(&mut self, value: &str) -> Result<(), SdpErrorKind> {
        if self.media.len() >= MAX_MEDIA {
            return Err(SdpErrorKind::TooManyMedia { limit: MAX_MEDIA });
        }
        self.media.push(typed('m', fields::media(value))?);
        Ok(())
    }

    /// Handles a line before the first `m=`.
    fn session_line(&mut self, t: char, value: &str) -> Result<(), SdpErrorKind> {
        let sd = &mut self.sd;
        match t {
            'v' => return Err(SdpErrorKind::Duplicate('v')),
            'o' => set_once(&mut self.origin, t, typed(t, fields::origin(value))?)?,
            's' => set_once(&mut self.session_name, t, value.to_owned())?,
            'i' => set_once(&mut sd.information, t, value.to_owned())?,
            'u' => set_once(&mut sd.uri, t, value.to_owned())?,
            'e' => sd.emails.push(value.to_owned()),
            'p' => sd.phones.push(value.to_owned()),
            'c' => set_once(&mut sd.connection, t, typed(t, fields::connection(value))?)?,
            'b' => sd.bandwidths.push(typed(t, fields::bandwidth(value))?),
            't' => sd.timings.push(typed(t, fields::timing(value))?),
            'r' => sd
                .timings
                .last_mut()
                .ok_or(SdpErrorKind::RepeatWithoutTiming)?
                .repeats
                .push(value.to_owned()),
            'z' => set_once(&mut sd.time_zones, t, value.to_owned())?,
            'k' => set_once(&mut sd.encryption_key, t, value.to_owned())?,
            'a' => sd.attributes.push(typed(t, fields::attribute(value))?),
            _ => sd.unknown_lines.push(unknown(t, value)),
        }
        Ok(())
    }

    /// Checks mandatory lines and assembles the description.
    fn finish(self) -> Result<SessionDescription, SdpError> {
        if !self.seen_version {
            return Err(SdpError::Missing { line_type: 'v' });
        }
        let origin = self.origin.ok_or(SdpError::Missing { line_type: 'o' })?;
        let session_name = self
            .session_name
            .ok_or(SdpError::Missing { line_type: 's' })?;
        let p = self.sd;
        let mut timings = p.timings;
        if timings.is_empty() {
            timings.push(Timing::unbounded());
        }
        Ok(SessionDescription {
            origin,
            session_name,
            information: p.information,
            uri: p.uri,
            emails: p.emails,
            phones: p.phones,
            connection: p.connection,
            bandwidths: p.bandwidths,
            timings,
            time_zones: p.time_zones,
            encryption_key: p.encryption_key,
            attributes: p.attributes,
            unknown_lines: p.unknown_lines,
            media: self.media,
        })
    }
}

/// Validates the value of `v=`.
fn version(value: &str) -> Result<(), SdpErrorKind> {
    if value.trim() == "0" {
        Ok(())
    } else {
        Err(SdpErrorKind::UnsupportedVersion)
    }
}

/// Handles a line inside a media section.
fn media_line(m: &mut MediaDescription, t: char, value: &str) -> Result<(), SdpErrorKind> {
    match t {
        'i' => set_once(&mut m.information, t, value.to_owned())?,
        'c' => set_once(&mut m.connection, t, typed(t, fields::connection(value))?)?,
        'b' => m.bandwidths.push(typed(t, fields::bandwidth(value))?),
        'k' => set_once(&mut m.encryption_key, t, value.to_owned())?,
        'a' => m.attributes.push(typed(t, fields::attribute(value))?),
        _ if SESSION_ONLY.contains(t) => return Err(SdpErrorKind::NotAllowedInMedia(t)),
        _ => m.unknown_lines.push(unknown(t, value)),
    }
    Ok(())
}

/// Keeps a line of a type we do not interpret.
fn unknown(line_type: char, value: &str) -> UnknownLine {
    UnknownLine {
        line_type,
        value: value.to_owned(),
    }
}
