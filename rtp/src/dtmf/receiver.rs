//! The RFC 4733 receiver: turns telephone-event packets into one start and one end per key
//! press, de-duplicating updates and the redundant end packets, and closing an event whose
//! end packets were all lost when the next one starts or after a timeout (timers as data).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{Digit, DtmfError, TelephoneEvent};

/// Why an event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndCause {
    /// A packet with the end bit arrived.
    EndBit,
    /// A new event started before any end packet arrived.
    NewEvent,
    /// No packet for the event arrived within the timeout.
    Timeout,
}

/// A key press seen on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DtmfEvent {
    /// The first packet of a new event (new RTP timestamp) arrived.
    Started {
        /// The key.
        digit: Digit,
        /// The event's RTP timestamp (its start).
        timestamp: u32,
    },
    /// The event is over; reported once.
    Ended {
        /// The key.
        digit: Digit,
        /// The event's RTP timestamp (its start).
        timestamp: u32,
        /// The longest duration reported, in timestamp units.
        duration: u16,
        /// What ended it.
        cause: EndCause,
    },
}

#[derive(Debug, Clone, Copy)]
struct Current {
    digit: Digit,
    timestamp: u32,
    duration: u16,
    ended: bool,
    last_seen: Instant,
}

/// Receives one stream's telephone-event packets.
#[derive(Debug, Clone)]
pub struct DtmfReceiver {
    timeout: Duration,
    current: Option<Current>,
    events: VecDeque<DtmfEvent>,
}

impl DtmfReceiver {
    /// A receiver that closes an event `timeout` after its last packet if no end arrived.
    pub fn new(timeout: Duration) -> Self {
        DtmfReceiver {
            timeout,
            current: None,
            events: VecDeque::with_capacity(4),
        }
    }

    /// Accounts a telephone-event packet (RTP `timestamp` and payload) that arrived at `now`.
    /// Events other than 0–16 are ignored.
    pub fn handle_packet(
        &mut self,
        now: Instant,
        timestamp: u32,
        payload: &[u8],
    ) -> Result<(), DtmfError> {
        let event = TelephoneEvent::parse(payload)?;
        let Some(digit) = Digit::from_event(event.event) else {
            return Ok(());
        };
        match self.current {
            Some(cur) if cur.timestamp == timestamp => self.update(now, event),
            Some(cur) if (timestamp.wrapping_sub(cur.timestamp) as i32) < 0 => {}
            _ => self.start(now, digit, timestamp, event),
        }
        Ok(())
    }

    fn update(&mut self, now: Instant, event: TelephoneEvent) {
        let Some(cur) = self.current.as_mut().filter(|c| !c.ended) else {
            return;
        };
        cur.last_seen = now;
        cur.duration = cur.duration.max(event.duration);
        if event.end {
            self.close(EndCause::EndBit);
        }
    }

    fn start(&mut self, now: Instant, digit: Digit, timestamp: u32, event: TelephoneEvent) {
        self.close(EndCause::NewEvent);
        self.current = Some(Current {
            digit,
            timestamp,
            duration: event.duration,
            ended: false,
            last_seen: now,
        });
        self.events
            .push_back(DtmfEvent::Started { digit, timestamp });
        if event.end {
            self.close(EndCause::EndBit);
        }
    }

    /// Ends the current event, if open, reporting `cause`.
    fn close(&mut self, cause: EndCause) {
        if let Some(cur) = self.current.as_mut().filter(|c| !c.ended) {
            cur.ended = true;
            self.events.push_back(DtmfEvent::Ended {
                digit: cur.digit,
                timestamp: cur.timestamp,
                duration: cur.duration,
                cause,
            });
        }
    }

    /// The next event to report, oldest first.
    pub fn poll_event(&mut self) -> Option<DtmfEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called, if an event is open.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.current
            .filter(|c| !c.ended)
            .and_then(|c| c.last_seen.checked_add(self.timeout))
    }

    /// Closes the open event if its timeout has passed at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.poll_timeout().is_some_and(|at| now >= at) {
            self.close(EndCause::Timeout);
        }
    }
}
