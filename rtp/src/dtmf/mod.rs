//! DTMF over RTP (RFC 4733 telephone-events): the digits, the 4-byte event payload (parse and
//! print), a receiver that turns the packet stream into one start and one end per key press,
//! and a sender that lays out the packets of a key press as timed data.

mod receiver;
mod sender;

use thiserror::Error;

pub use receiver::{DtmfEvent, DtmfReceiver, EndCause};
pub use sender::{DtmfPacket, DtmfSender, DtmfTiming};

/// Why a telephone-event payload could not be parsed or printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DtmfError {
    /// A payload shorter than the 4-byte event.
    #[error("telephone-event payload shorter than 4 bytes")]
    TooShort,
    /// An output buffer shorter than 4 bytes.
    #[error("output buffer shorter than 4 bytes")]
    BufferTooSmall,
}

/// A DTMF key or flash (RFC 4733 §3.2 events 0–16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Digit {
    /// `0`.
    D0,
    /// `1`.
    D1,
    /// `2`.
    D2,
    /// `3`.
    D3,
    /// `4`.
    D4,
    /// `5`.
    D5,
    /// `6`.
    D6,
    /// `7`.
    D7,
    /// `8`.
    D8,
    /// `9`.
    D9,
    /// `*`.
    Star,
    /// `#`.
    Pound,
    /// `A`.
    A,
    /// `B`.
    B,
    /// `C`.
    C,
    /// `D`.
    D,
    /// Hook flash.
    Flash,
}

const DIGITS: [Digit; 17] = [
    Digit::D0,
    Digit::D1,
    Digit::D2,
    Digit::D3,
    Digit::D4,
    Digit::D5,
    Digit::D6,
    Digit::D7,
    Digit::D8,
    Digit::D9,
    Digit::Star,
    Digit::Pound,
    Digit::A,
    Digit::B,
    Digit::C,
    Digit::D,
    Digit::Flash,
];

/// The characters of the digits in event order; flash is `!`.
const CHARS: &[u8; 17] = b"0123456789*#ABCD!";

impl Digit {
    /// The digit of an event code, if it is 0–16.
    pub fn from_event(event: u8) -> Option<Self> {
        DIGITS.get(usize::from(event)).copied()
    }

    /// The RFC 4733 event code.
    pub fn event(self) -> u8 {
        self as u8
    }

    /// The digit of `0`–`9`, `*`, `#`, `A`–`D` (either case) or `!` (flash).
    pub fn from_char(c: char) -> Option<Self> {
        let upper = c.to_ascii_uppercase();
        let index = CHARS.iter().position(|&b| char::from(b) == upper)?;
        DIGITS.get(index).copied()
    }

    /// The character of the digit; flash is `!`.
    pub fn to_char(self) -> char {
        char::from(CHARS[usize::from(self.event())])
    }
}

/// One RFC 4733 §2.3 telephone-event payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TelephoneEvent {
    /// The event code (0–16 for DTMF).
    pub event: u8,
    /// The E bit: this packet ends the event.
    pub end: bool,
    /// Power level in −dBm0, 0–63.
    pub volume: u8,
    /// Duration so far, in timestamp units.
    pub duration: u16,
}

impl TelephoneEvent {
    /// Bytes an event takes.
    pub const LEN: usize = 4;

    /// Parses the first event of a payload (any further ones are ignored).
    pub fn parse(payload: &[u8]) -> Result<Self, DtmfError> {
        match payload {
            [event, flags, hi, lo, ..] => Ok(TelephoneEvent {
                event: *event,
                end: flags & 0x80 != 0,
                volume: flags & 0x3f,
                duration: u16::from_be_bytes([*hi, *lo]),
            }),
            _ => Err(DtmfError::TooShort),
        }
    }

    /// The 4-byte payload; the volume is masked to 6 bits and the reserved bit is zero.
    pub fn to_bytes(&self) -> [u8; 4] {
        let [hi, lo] = self.duration.to_be_bytes();
        let flags = u8::from(self.end) << 7 | (self.volume & 0x3f);
        [self.event, flags, hi, lo]
    }

    /// Prints the payload at the start of `out`; returns 4.
    pub fn write_to(&self, out: &mut [u8]) -> Result<usize, DtmfError> {
        let dst = out.get_mut(..Self::LEN).ok_or(DtmfError::BufferTooSmall)?;
        dst.copy_from_slice(&self.to_bytes());
        Ok(Self::LEN)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn digits_map_both_ways() {
        for (i, c) in "0123456789*#ABCD!".chars().enumerate() {
            let d = Digit::from_char(c).unwrap();
            assert_eq!(usize::from(d.event()), i);
            assert_eq!(d.to_char(), c);
            assert_eq!(Digit::from_event(i as u8), Some(d));
        }
        assert_eq!(Digit::from_char('a'), Some(Digit::A));
        assert_eq!(Digit::from_event(17), None);
        assert_eq!(Digit::from_char('x'), None);
    }

    #[test]
    fn event_round_trip() {
        let e = TelephoneEvent {
            event: 11,
            end: true,
            volume: 10,
            duration: 1280,
        };
        assert_eq!(e.to_bytes(), [11, 0x8a, 0x05, 0x00]);
        assert_eq!(TelephoneEvent::parse(&e.to_bytes()), Ok(e));
        assert_eq!(TelephoneEvent::parse(&[1, 2, 3]), Err(DtmfError::TooShort));
        assert_eq!(e.write_to(&mut [0; 3]), Err(DtmfError::BufferTooSmall));
    }
}
