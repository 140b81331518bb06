//! RTP packet parse/print: round trips, demultiplexing, and property tests (print → parse is
//! the identity; arbitrary bytes never panic the parsers).
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use rtp::{CsrcList, PacketKind, RtpHeader, RtpPacket, classify, parse_compound};

fn header() -> impl Strategy<Value = RtpHeader> {
    (
        any::<bool>(),
        0u8..128,
        any::<u16>(),
        any::<u32>(),
        any::<u32>(),
        proptest::collection::vec(any::<u32>(), 0..=15),
    )
        .prop_map(|(marker, pt, seq, ts, ssrc, csrc)| RtpHeader {
            marker,
            payload_type: pt,
            sequence: seq,
            timestamp: ts,
            ssrc,
            csrc: CsrcList::from_slice(&csrc).unwrap(),
        })
}

#[test]
fn g711_packet_round_trip() {
    let mut h = RtpHeader::new(0, 65535, 0xffff_ff00, 0x1234_5678);
    h.marker = true;
    let payload = [0xffu8; 160];
    let mut buf = [0u8; 172];
    assert_eq!(h.write_packet(&payload, &mut buf), Ok(172));
    assert_eq!(
        &buf[..12],
        [
            0x80, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x12, 0x34, 0x56, 0x78
        ]
    );
    let p = RtpPacket::parse(&buf).unwrap();
    assert_eq!(p.header(), h);
    assert_eq!(p.payload(), payload);
    assert_eq!(p.extension(), None);
    assert_eq!(classify(&buf), PacketKind::Rtp);
}

#[test]
fn header_only_then_payload_in_place() {
    let h = RtpHeader::new(8, 1, 160, 7);
    let mut buf = [0u8; 64];
    let n = h.write_to(&mut buf).unwrap();
    buf[n..n + 4].copy_from_slice(&[0xd5; 4]);
    let p = RtpPacket::parse(&buf[..n + 4]).unwrap();
    assert_eq!(p.payload(), [0xd5; 4]);
    assert_eq!(p.payload_type(), 8);
}

#[test]
fn rtcp_on_muxed_port_is_not_rtp() {
    let sr = [0x80, 200, 0, 6];
    assert_eq!(classify(&sr), PacketKind::Rtcp);
    // PT 72 with the marker set reads as 200 on the wire: RTCP, not RTP.
    assert_eq!(classify(&[0x80, 0x80 | 72]), PacketKind::Rtcp);
    assert_eq!(classify(&[0x00, 0x01, 0x00, 0x08]), PacketKind::Other); // STUN
    assert_eq!(classify(&[22, 0xfe, 0xfd]), PacketKind::Other); // DTLS
}

proptest! {
    #[test]
    fn print_then_parse_is_identity(
        h in header(),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut v = Vec::new();
        h.append_to(&payload, &mut v).unwrap();
        let mut buf = vec![0u8; v.len()];
        prop_assert_eq!(h.write_packet(&payload, &mut buf), Ok(v.len()));
        prop_assert_eq!(&buf, &v);
        let p = RtpPacket::parse(&v).unwrap();
        prop_assert_eq!(p.header(), h);
        prop_assert_eq!(p.payload(), &payload[..]);
        prop_assert_eq!(p.padding_len(), 0);
    }

    #[test]
    fn padded_packets_lose_only_padding(
        h in header(),
        payload in proptest::collection::vec(any::<u8>(), 0..40),
        pad in 1u8..=32,
    ) {
        let mut v = Vec::new();
        h.append_to(&payload, &mut v).unwrap();
        v[0] |= 0x20;
        v.extend(std::iter::repeat_n(0, usize::from(pad) - 1));
        v.push(pad);
        let p = RtpPacket::parse(&v).unwrap();
        prop_assert_eq!(p.payload(), &payload[..]);
        prop_assert_eq!(p.padding_len(), pad);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(p) = RtpPacket::parse(&bytes) {
            prop_assert!(p.payload().len() <= bytes.len());
            prop_assert_eq!(p.csrcs().count(), usize::from(bytes[0] & 0x0f));
        }
        let _ = parse_compound(&bytes);
        let _ = classify(&bytes);
    }

    #[test]
    fn version_two_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 4..300)) {
        bytes[0] = 0x80 | (bytes[0] & 0x3f);
        let _ = RtpPacket::parse(&bytes);
        let _ = parse_compound(&bytes);
        bytes[1] = 200 + bytes[1] % 8;
        let _ = parse_compound(&bytes);
    }
}
