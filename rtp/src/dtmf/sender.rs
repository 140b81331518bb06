//! The RFC 4733 sender: lays out the packets of one key press (first with the marker bit,
//! an update every interval, three end packets) as data with send times. The caller assigns
//! sequence numbers and transmits each packet at its time.

use std::time::{Duration, Instant};

use super::{Digit, TelephoneEvent};

/// How many times the final packet of an event is sent (RFC 4733 §2.5.1.4).
const END_PACKETS: u32 = 3;

/// Durations of a key press on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfTiming {
    /// How long the tone lasts.
    pub tone: Duration,
    /// Time between update packets.
    pub update_interval: Duration,
    /// Time between the three end packets.
    pub end_interval: Duration,
    /// Power level in −dBm0 (0–63).
    pub volume: u8,
}

impl Default for DtmfTiming {
    fn default() -> Self {
        DtmfTiming {
            tone: Duration::from_millis(100),
            update_interval: Duration::from_millis(50),
            end_interval: Duration::from_millis(20),
            volume: 10,
        }
    }
}

/// One telephone-event packet to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfPacket {
    /// When to send it.
    pub send_at: Instant,
    /// The RTP marker bit (set on the first packet only).
    pub marker: bool,
    /// The RTP timestamp (the event's start, the same for all its packets).
    pub timestamp: u32,
    /// The payload.
    pub event: TelephoneEvent,
}

/// The packets of one key press, in sending order.
#[derive(Debug, Clone)]
pub struct DtmfSender {
    digit: Digit,
    start: Instant,
    timestamp: u32,
    clock_rate: u32,
    timing: DtmfTiming,
    updates: u32,
    index: u32,
}

impl DtmfSender {
    /// The packets of `digit` pressed at `start`, whose RTP timestamp is `timestamp` on a
    /// `clock_rate` Hz clock. Durations beyond 65535 timestamp units are capped.
    pub fn new(
        digit: Digit,
        start: Instant,
        timestamp: u32,
        clock_rate: u32,
        timing: DtmfTiming,
    ) -> Self {
        let updates = if timing.update_interval.is_zero() {
            1
        } else {
            timing
                .tone
                .as_nanos()
                .div_ceil(timing.update_interval.as_nanos())
                .clamp(1, 1 << 16) as u32
        };
        DtmfSender {
            digit,
            start,
            timestamp,
            clock_rate,
            timing,
            updates,
            index: 0,
        }
    }

    /// When the last end packet is sent.
    pub fn end_time(&self) -> Instant {
        let t = self.timing;
        self.at(t
            .tone
            .saturating_add(t.end_interval.saturating_mul(END_PACKETS - 1)))
    }

    fn at(&self, offset: Duration) -> Instant {
        self.start.checked_add(offset).unwrap_or(self.start)
    }

    fn samples(&self, d: Duration) -> u16 {
        let n = d.as_nanos() * u128::from(self.clock_rate) / 1_000_000_000;
        u16::try_from(n).unwrap_or(u16::MAX)
    }

    fn packet(&self, send_at: Instant, end: bool, duration: Duration) -> DtmfPacket {
        DtmfPacket {
            send_at,
            marker: self.index == 0,
            timestamp: self.timestamp,
            event: TelephoneEvent {
                event: self.digit.event(),
                end,
                volume: self.timing.volume,
                duration: self.samples(duration),
            },
        }
    }
}

impl Iterator for DtmfSender {
    type Item = DtmfPacket;

    fn next(&mut self) -> Option<DtmfPacket> {
        let t = self.timing;
        let packet = if self.index < self.updates {
            let offset = t.update_interval.saturating_mul(self.index);
            let covered = if t.update_interval.is_zero() {
                t.tone
            } else {
                offset.saturating_add(t.update_interval).min(t.tone)
            };
            self.packet(self.at(offset), false, covered)
        } else if self.index < self.updates + END_PACKETS {
            let ends = t.end_interval.saturating_mul(self.index - self.updates);
            self.packet(self.at(t.tone.saturating_add(ends)), true, t.tone)
        } else {
            return None;
        };
        self.index += 1;
        Some(packet)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.updates + END_PACKETS).saturating_sub(self.index) as usize;
        (left, Some(left))
    }
}

impl ExactSizeIterator for DtmfSender {}
