//! The RTP session in virtual time: a fake caller's packets go in, the test double hears
//! them, our packets come out to the latched address, digits and timeouts are reported.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::telephony::logic::ProbeLogic;
use rtp::RtpHeader;

const CALLER: &str = "127.0.0.1:4000";
const LATCHED: &str = "127.0.0.1:4444";

fn params(codec: G711, ptime_ms: u32) -> MediaParams {
    MediaParams {
        codec,
        payload_type: codec.payload_type(),
        telephone_event: Some(101),
        ptime_ms,
        remote: Some(CALLER.parse().unwrap()),
        rtcp_mux: true,
        send: true,
        on_hold: false,
        srtp: None,
    }
}

fn session(now: Instant, codec: G711, ptime_ms: u32) -> MediaSession {
    let local = LocalSource {
        ssrc: 0x1234_5678,
        seq: 65_530,
        timestamp: 1000,
    };
    MediaSession::new(params(codec, ptime_ms), local, now, Duration::from_secs(2))
}

fn rtp_packet(pt: u8, seq: u16, ts: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0; 12 + payload.len()];
    let n = RtpHeader::new(pt, seq, ts, 0xCAFE)
        .write_packet(payload, &mut out)
        .unwrap();
    out.truncate(n);
    out
}

/// Runs `frames` ticks, feeding one loud caller packet per tick; returns what was sent.
fn run_call(
    s: &mut MediaSession,
    logic: &mut ProbeLogic,
    start: Instant,
    frames: u32,
    codec: G711,
    spf: u32,
) -> Vec<(Dest, Vec<u8>)> {
    let loud = vec![codec.encode(8000); spf as usize];
    let from: SocketAddr = LATCHED.parse().unwrap();
    let mut sent = Vec::new();
    let frame = Duration::from_millis(u64::from(spf / 8));
    for i in 0..frames {
        let now = start + frame * i;
        let pkt = rtp_packet(codec.payload_type(), i as u16, i * spf, &loud);
        s.receive(now, &pkt, from, logic);
        s.receive(now, b"\x80garbage", from, logic);
        s.receive(now, &[0xff; 40], from, logic);
        s.tick(now, logic, &mut |d, b| sent.push((d, b.to_vec())));
    }
    sent
}

#[test]
fn audio_flows_both_ways_to_the_latched_address() {
    for (codec, ptime) in [(G711::Ulaw, 20), (G711::Alaw, 30)] {
        let start = Instant::now();
        let mut s = session(start, codec, ptime);
        let mut logic = ProbeLogic::new(1);
        let spf = ptime * 8;
        let sent = run_call(&mut s, &mut logic, start, 50, codec, spf);
        let (frames, voiced) = logic.heard();
        assert_eq!(frames, 50);
        assert!(voiced > 40, "{codec:?}: heard {voiced} voiced frames");
        let rtp: Vec<_> = sent
            .iter()
            .filter(|(_, b)| classify(b) == PacketKind::Rtp)
            .collect();
        assert_eq!(rtp.len(), 50);
        assert!(
            rtp.iter()
                .all(|(d, _)| *d == Dest::Rtp(LATCHED.parse().unwrap()))
        );
        let first = RtpPacket::parse(&rtp[0].1).unwrap();
        let second = RtpPacket::parse(&rtp[1].1).unwrap();
        assert!(first.marker() && !second.marker());
        assert_eq!(first.payload().len(), spf as usize);
        assert_eq!(second.sequence(), first.sequence().wrapping_add(1));
        assert_eq!(second.timestamp(), first.timestamp().wrapping_add(spf));
        assert_eq!(first.ssrc(), 0x1234_5678);
        let t = s.totals();
        assert_eq!(t.received.packets, 50);
        assert_eq!(t.sent.packets, 50);
        assert_eq!(t.remote_ssrc, Some(0xCAFE));
        assert!(!s.timed_out(start + Duration::from_secs(1)));
    }
}

#[test]
fn rtcp_goes_out_every_interval() {
    let start = Instant::now();
    let mut s = session(start, G711::Ulaw, 20);
    let mut logic = ProbeLogic::new(1);
    let sent = run_call(&mut s, &mut logic, start, 300, G711::Ulaw, 160);
    let rtcp: Vec<_> = sent
        .iter()
        .filter(|(_, b)| classify(b) == PacketKind::Rtcp)
        .collect();
    assert_eq!(rtcp.len(), 1, "one report in 6 s");
    let packets = rtp::parse_compound(&rtcp[0].1).unwrap();
    assert!(matches!(&packets[0], RtcpPacket::SenderReport(sr) if sr.reports.len() == 1));
}

#[test]
fn telephone_events_become_digits_once() {
    let start = Instant::now();
    let mut s = session(start, G711::Alaw, 30);
    let mut logic = ProbeLogic::new(1);
    let from: SocketAddr = CALLER.parse().unwrap();
    for (i, end) in [(0u16, false), (1, false), (2, true), (3, true), (4, true)] {
        let ev = rtp::TelephoneEvent {
            event: 1,
            end,
            volume: 10,
            duration: 240 * (i + 1),
        };
        let pkt = rtp_packet(101, i, 4800, &ev.to_bytes());
        s.receive(
            start + Duration::from_millis(u64::from(i) * 30),
            &pkt,
            from,
            &mut logic,
        );
    }
    assert_eq!(logic.digits(), "1");
    assert_eq!(s.totals().digits, 1);
}

#[test]
fn dtmf_requested_by_the_logic_is_sent_as_telephone_events() {
    let start = Instant::now();
    let mut s = session(start, G711::Ulaw, 20);
    let mut logic = ProbeLogic::new(1);
    s.info_digit(start, '*', &mut logic);
    let mut sent = Vec::new();
    for i in 0..20u32 {
        let now = start + Duration::from_millis(20) * i;
        s.tick(now, &mut logic, &mut |_, b| sent.push(b.to_vec()));
    }
    let events: Vec<_> = sent
        .iter()
        .map(|b| RtpPacket::parse(b).unwrap())
        .filter(|p| p.payload_type() == 101)
        .collect();
    assert!(events.len() >= 4, "{} event packets", events.len());
    assert!(events[0].marker());
    let last = rtp::TelephoneEvent::parse(events[events.len() - 1].payload()).unwrap();
    assert!(last.end && last.event == 5);
}

#[test]
fn silence_from_the_caller_times_out_unless_on_hold() {
    let start = Instant::now();
    let mut s = session(start, G711::Ulaw, 20);
    assert!(!s.timed_out(start + Duration::from_millis(1999)));
    assert!(s.timed_out(start + Duration::from_secs(2)));
    let held = MediaParams {
        on_hold: true,
        send: false,
        ..params(G711::Ulaw, 20)
    };
    s.update(start, held);
    assert!(!s.timed_out(start + Duration::from_secs(60)));
    s.update(start + Duration::from_secs(60), params(G711::Ulaw, 20));
    assert!(!s.timed_out(start + Duration::from_secs(61)));
    assert!(s.timed_out(start + Duration::from_secs(62)));
}

#[test]
fn a_reinvite_can_change_the_codec() {
    let start = Instant::now();
    let mut s = session(start, G711::Ulaw, 20);
    let mut logic = ProbeLogic::new(1);
    run_call(&mut s, &mut logic, start, 10, G711::Ulaw, 160);
    let later = start + Duration::from_millis(200);
    s.update(later, params(G711::Alaw, 20));
    let sent = run_call(&mut s, &mut logic, later, 30, G711::Alaw, 160);
    let (frames, voiced) = logic.heard();
    assert_eq!(frames, 40);
    assert!(
        voiced > 30,
        "PCMA after the switch was not decoded: {voiced} voiced"
    );
    let rtp: Vec<_> = sent
        .iter()
        .filter(|(_, b)| classify(b) == PacketKind::Rtp)
        .map(|(_, b)| RtpPacket::parse(b).unwrap().payload_type())
        .collect();
    assert!(!rtp.is_empty());
    assert!(rtp.iter().all(|&pt| pt == 8), "still sending {rtp:?}");
}
