//! NTP timestamps as RTCP carries them (RFC 3550 §4): 32.32 fixed-point seconds since
//! 1900-01-01, and the compact 16.16 form used by LSR and DLSR. Wall-clock time is always an
//! input; nothing here reads a clock.

use std::time::Duration;

/// Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01).
pub const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// A 64-bit NTP timestamp: seconds in the high 32 bits, the binary fraction in the low 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NtpTime(pub u64);

impl NtpTime {
    /// A timestamp from whole seconds since 1900 and a 1/2^32 s fraction.
    pub fn new(seconds: u32, fraction: u32) -> Self {
        NtpTime(u64::from(seconds) << 32 | u64::from(fraction))
    }

    /// Whole seconds since the start of the NTP era.
    pub fn seconds(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The fraction of a second, in units of 1/2^32 s.
    pub fn fraction(self) -> u32 {
        self.0 as u32
    }

    /// Converts wall-clock time given as time since the Unix epoch (for example
    /// `SystemTime::now().duration_since(UNIX_EPOCH)`, read by the caller). Seconds wrap
    /// modulo 2^32 (NTP era 1 starts in 2036).
    pub fn from_unix(since_epoch: Duration) -> Self {
        let seconds = since_epoch.as_secs().wrapping_add(NTP_UNIX_OFFSET) as u32;
        let fraction = (u64::from(since_epoch.subsec_nanos()) << 32) / 1_000_000_000;
        NtpTime::new(seconds, fraction as u32)
    }

    /// Time since the Unix epoch, reading seconds before 1968 as NTP era 1 (2036 onwards).
    pub fn to_unix(self) -> Duration {
        let seconds = u64::from(self.seconds());
        let since_unix = if seconds >= NTP_UNIX_OFFSET {
            seconds - NTP_UNIX_OFFSET
        } else {
            seconds + (1 << 32) - NTP_UNIX_OFFSET
        };
        let nanos = (u64::from(self.fraction()) * 1_000_000_000) >> 32;
        Duration::new(since_unix, nanos as u32)
    }

    /// The middle 32 bits (16.16 seconds), as sent in a report block's LSR field.
    pub fn compact(self) -> u32 {
        (self.0 >> 16) as u32
    }
}

/// Converts a duration to compact 16.16 units (1/65536 s), saturating at `u32::MAX`, as the
/// DLSR field needs.
pub fn duration_to_compact(d: Duration) -> u32 {
    let units = d.as_nanos().saturating_mul(65_536) / 1_000_000_000;
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// Converts compact 16.16 units (1/65536 s) to a duration.
pub fn compact_to_duration(units: u32) -> Duration {
    Duration::from_nanos(u64::from(units) * 1_000_000_000 / 65_536)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_round_trip() {
        let t = Duration::new(1_700_000_000, 250_000_000);
        let ntp = NtpTime::from_unix(t);
        assert_eq!(ntp.seconds(), 3_908_988_800);
        assert_eq!(ntp.fraction(), 1 << 30);
        assert_eq!(ntp.to_unix(), t);
        assert_eq!(ntp.compact(), (3_908_988_800u32 << 16) | 0x4000);
    }

    #[test]
    fn era_one_wraps() {
        let t = Duration::from_secs((1 << 32) - NTP_UNIX_OFFSET + 5);
        assert_eq!(NtpTime::from_unix(t).seconds(), 5);
        assert_eq!(NtpTime::from_unix(t).to_unix(), t);
    }

    #[test]
    fn compact_units() {
        assert_eq!(duration_to_compact(Duration::from_millis(500)), 32_768);
        assert_eq!(compact_to_duration(65_536 * 3), Duration::from_secs(3));
        assert_eq!(duration_to_compact(Duration::from_secs(1 << 20)), u32::MAX);
    }
}
