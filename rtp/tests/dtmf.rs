//! RFC 4733 DTMF: a SIPp-style RFC 2833 key press, lost end packets, and sender output fed
//! back through RTP printing, parsing and the receiver.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use rtp::{
    Digit, DtmfEvent, DtmfReceiver, DtmfSender, DtmfTiming, EndCause, RtpHeader, RtpPacket,
    TelephoneEvent,
};

const MS: Duration = Duration::from_millis(1);
const PT_EVENT: u8 = 101;

fn events(rx: &mut DtmfReceiver) -> Vec<DtmfEvent> {
    std::iter::from_fn(|| rx.poll_event()).collect()
}

/// An RTP datagram carrying one telephone-event.
fn datagram(seq: u16, ts: u32, marker: bool, event: TelephoneEvent) -> Vec<u8> {
    let mut header = RtpHeader::new(PT_EVENT, seq, ts, 0x5eed);
    header.marker = marker;
    let mut out = Vec::new();
    header.append_to(&event.to_bytes(), &mut out).unwrap();
    out
}

/// Parses a datagram and hands a telephone-event to the receiver.
fn receive(rx: &mut DtmfReceiver, now: Instant, datagram: &[u8]) {
    let packet = RtpPacket::parse(datagram).unwrap();
    assert_eq!(packet.payload_type(), PT_EVENT);
    rx.handle_packet(now, packet.timestamp(), packet.payload())
        .unwrap();
}

/// Digit '1' as SIPp's RFC 2833 pcap plays it: one packet per 20 ms with growing durations,
/// the first with the marker, then three identical end packets.
fn sipp_digit_one(end_packets: usize) -> Vec<(Duration, Vec<u8>)> {
    let ts = 8000;
    let mut out = Vec::new();
    for i in 0..8u16 {
        let event = TelephoneEvent {
            event: 1,
            end: false,
            volume: 10,
            duration: 160 * (i + 1),
        };
        out.push((20 * MS * u32::from(i), datagram(100 + i, ts, i == 0, event)));
    }
    for i in 0..end_packets {
        let event = TelephoneEvent {
            event: 1,
            end: true,
            volume: 10,
            duration: 1440,
        };
        out.push((160 * MS, datagram(108 + i as u16, ts, false, event)));
    }
    out
}

#[test]
fn sipp_rfc2833_digit_gives_one_event() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::new(500 * MS);
    for (at, d) in sipp_digit_one(3) {
        receive(&mut rx, t0 + at, &d);
    }
    assert_eq!(
        events(&mut rx),
        [
            DtmfEvent::Started {
                digit: Digit::D1,
                timestamp: 8000
            },
            DtmfEvent::Ended {
                digit: Digit::D1,
                timestamp: 8000,
                duration: 1440,
                cause: EndCause::EndBit
            },
        ]
    );
    assert_eq!(rx.poll_timeout(), None);
    // Retransmissions after the end change nothing.
    for (at, d) in sipp_digit_one(3) {
        receive(&mut rx, t0 + 200 * MS + at, &d);
    }
    assert!(events(&mut rx).is_empty());
}

#[test]
fn lost_end_packets_are_closed_by_timeout() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::new(500 * MS);
    assert_eq!(rx.poll_timeout(), None);
    for (at, d) in sipp_digit_one(0) {
        receive(&mut rx, t0 + at, &d);
    }
    assert_eq!(events(&mut rx).len(), 1); // started
    let deadline = t0 + 140 * MS + 500 * MS;
    assert_eq!(rx.poll_timeout(), Some(deadline));
    rx.handle_timeout(deadline - MS);
    assert!(events(&mut rx).is_empty());
    rx.handle_timeout(deadline);
    assert_eq!(
        events(&mut rx),
        [DtmfEvent::Ended {
            digit: Digit::D1,
            timestamp: 8000,
            duration: 1280,
            cause: EndCause::Timeout
        }]
    );
    assert_eq!(rx.poll_timeout(), None);
}

#[test]
fn lost_end_packets_are_closed_by_the_next_event() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::new(500 * MS);
    for (at, d) in sipp_digit_one(0) {
        receive(&mut rx, t0 + at, &d);
    }
    // The next key press, whose first packet (with the marker) was lost too.
    let two = TelephoneEvent {
        event: 2,
        end: false,
        volume: 10,
        duration: 320,
    };
    receive(&mut rx, t0 + 300 * MS, &datagram(120, 12_000, false, two));
    // A straggler from the first event is ignored.
    let one = TelephoneEvent {
        event: 1,
        end: true,
        volume: 10,
        duration: 1440,
    };
    receive(&mut rx, t0 + 310 * MS, &datagram(108, 8000, false, one));
    assert_eq!(
        events(&mut rx),
        [
            DtmfEvent::Started {
                digit: Digit::D1,
                timestamp: 8000
            },
            DtmfEvent::Ended {
                digit: Digit::D1,
                timestamp: 8000,
                duration: 1280,
                cause: EndCause::NewEvent
            },
            DtmfEvent::Started {
                digit: Digit::D2,
                timestamp: 12_000
            },
        ]
    );
}

#[test]
fn non_dtmf_events_and_short_payloads() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::new(500 * MS);
    rx.handle_packet(t0, 0, &[32, 0x80, 0, 160]).unwrap(); // 32: a tone, not a digit
    assert!(events(&mut rx).is_empty());
    assert!(rx.handle_packet(t0, 0, &[1, 0x80]).is_err());
    // A single packet with the end bit is a complete (short) event.
    rx.handle_packet(t0, 5, &[16, 0x80, 0, 80]).unwrap();
    assert_eq!(
        events(&mut rx),
        [
            DtmfEvent::Started {
                digit: Digit::Flash,
                timestamp: 5
            },
            DtmfEvent::Ended {
                digit: Digit::Flash,
                timestamp: 5,
                duration: 80,
                cause: EndCause::EndBit
            },
        ]
    );
}

#[test]
fn sender_lays_out_marker_updates_and_three_ends() {
    let t0 = Instant::now();
    let packets: Vec<_> =
        DtmfSender::new(Digit::Pound, t0, 4242, 8000, DtmfTiming::default()).collect();
    let summary: Vec<_> = packets
        .iter()
        .map(|p| {
            (
                p.send_at - t0,
                p.marker,
                p.event.end,
                p.event.duration,
                p.timestamp,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Duration::ZERO, true, false, 400, 4242),
            (50 * MS, false, false, 800, 4242),
            (100 * MS, false, true, 800, 4242),
            (120 * MS, false, true, 800, 4242),
            (140 * MS, false, true, 800, 4242),
        ]
    );
    assert!(
        packets
            .iter()
            .all(|p| p.event.event == 11 && p.event.volume == 10)
    );
    let sender = DtmfSender::new(Digit::Pound, t0, 0, 8000, DtmfTiming::default());
    assert_eq!(sender.len(), 5);
    assert_eq!(sender.end_time(), t0 + 140 * MS);
}

#[test]
fn sender_output_round_trips_through_the_receiver() {
    let t0 = Instant::now();
    let timing = DtmfTiming {
        tone: 160 * MS,
        ..DtmfTiming::default()
    };
    let mut packets: Vec<_> = "123#"
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let start = t0 + 300 * MS * i as u32;
            let ts = 2400 * i as u32;
            DtmfSender::new(Digit::from_char(c).unwrap(), start, ts, 8000, timing)
        })
        .collect();
    packets.sort_by_key(|p| p.send_at);
    let mut rx = DtmfReceiver::new(500 * MS);
    for (seq, p) in packets.iter().enumerate() {
        let d = datagram(seq as u16, p.timestamp, p.marker, p.event);
        receive(&mut rx, p.send_at, &d);
    }
    let ended: Vec<_> = events(&mut rx)
        .into_iter()
        .filter_map(|e| match e {
            DtmfEvent::Ended {
                digit,
                duration,
                cause,
                ..
            } => Some((digit.to_char(), duration, cause)),
            _ => None,
        })
        .collect();
    let digits: String = ended.iter().map(|e| e.0).collect();
    assert_eq!(digits, "123#");
    assert!(ended.iter().all(|e| e.1 == 1280 && e.2 == EndCause::EndBit));
}
