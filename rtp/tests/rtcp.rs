//! RTCP compound packets: round trips, skipping unknown types, field edge cases, and property
//! tests.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use rtp::{
    Goodbye, NtpTime, ReceiverReport, ReportBlock, RtcpError, RtcpPacket, RtcpReader, SdesChunk,
    SenderReport, SourceDescription, parse_compound, write_compound,
};

fn block(ssrc: u32, lost: i32) -> ReportBlock {
    ReportBlock {
        ssrc,
        fraction_lost: 25,
        cumulative_lost: lost,
        extended_highest_seq: 0x0001_0005,
        jitter: 37,
        last_sr: 0xb705_2000,
        delay_since_last_sr: 0x0005_4000,
    }
}

fn sample_compound() -> Vec<RtcpPacket> {
    vec![
        RtcpPacket::SenderReport(SenderReport {
            ssrc: 0x1111_1111,
            ntp_time: NtpTime::new(3_908_988_800, 1 << 31),
            rtp_timestamp: 160_000,
            packet_count: 1000,
            octet_count: 160_000,
            reports: vec![block(0x2222_2222, 3), block(0x3333_3333, -2)],
        }),
        RtcpPacket::SourceDescription(SourceDescription {
            chunks: vec![
                SdesChunk {
                    ssrc: 0x1111_1111,
                    cname: Some("voxgate@10.0.0.1".into()),
                },
                SdesChunk {
                    ssrc: 5,
                    cname: None,
                },
            ],
        }),
        RtcpPacket::Goodbye(Goodbye {
            sources: vec![0x1111_1111],
            reason: Some("call ended".into()),
        }),
    ]
}

#[test]
fn compound_round_trip() {
    let packets = sample_compound();
    let mut buf = Vec::new();
    write_compound(&packets, &mut buf).unwrap();
    assert_eq!(buf.len() % 4, 0);
    assert_eq!(parse_compound(&buf).unwrap(), packets);
    // SR header: V=2, RC=2, PT=200; 1 + 6 + 2·6 = 19 words, so the length field is 18.
    assert_eq!(&buf[..4], [0x82, 200, 0, 18]);
}

#[test]
fn receiver_report_round_trip() {
    let rr = RtcpPacket::ReceiverReport(ReceiverReport {
        ssrc: 9,
        reports: vec![block(1, 0x7f_ffff), block(2, -0x80_0000)],
    });
    let mut buf = Vec::new();
    rr.write_to(&mut buf).unwrap();
    assert_eq!(buf.len(), 8 + 2 * 24);
    assert_eq!(parse_compound(&buf).unwrap(), [rr]);
}

#[test]
fn cumulative_lost_is_24_bit_signed_and_clamped() {
    let rr = |lost| {
        RtcpPacket::ReceiverReport(ReceiverReport {
            ssrc: 9,
            reports: vec![block(1, lost)],
        })
    };
    let mut buf = Vec::new();
    rr(-1).write_to(&mut buf).unwrap();
    assert_eq!(&buf[12..16], [25, 0xff, 0xff, 0xff]);
    buf.clear();
    rr(10_000_000).write_to(&mut buf).unwrap();
    assert_eq!(parse_compound(&buf).unwrap(), [rr(0x7f_ffff)]);
    buf.clear();
    rr(-10_000_000).write_to(&mut buf).unwrap();
    assert_eq!(parse_compound(&buf).unwrap(), [rr(-0x80_0000)]);
}

#[test]
fn unknown_types_are_skipped() {
    let mut buf = Vec::new();
    RtcpPacket::ReceiverReport(ReceiverReport {
        ssrc: 1,
        reports: vec![],
    })
    .write_to(&mut buf)
    .unwrap();
    // APP (204) and a transport feedback packet (205) between RR and BYE.
    buf.extend_from_slice(&[0x80, 204, 0, 2, 0, 0, 0, 1, b'n', b'a', b'm', b'e']);
    buf.extend_from_slice(&[0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
    RtcpPacket::Goodbye(Goodbye {
        sources: vec![1],
        reason: None,
    })
    .write_to(&mut buf)
    .unwrap();
    let packets = parse_compound(&buf).unwrap();
    assert_eq!(packets.len(), 2);
    assert!(matches!(packets[1], RtcpPacket::Goodbye(_)));
}

#[test]
fn sdes_skips_other_items() {
    // One chunk: NAME "ab", CNAME "x", END, padding.
    let body = [0, 0, 0, 7, 2, 2, b'a', b'b', 1, 1, b'x', 0];
    let mut buf = vec![0x81, 202, 0, 3];
    buf.extend_from_slice(&body);
    let packets = parse_compound(&buf).unwrap();
    assert_eq!(
        packets,
        [RtcpPacket::SourceDescription(SourceDescription {
            chunks: vec![SdesChunk {
                ssrc: 7,
                cname: Some("x".into())
            }]
        })]
    );
}

#[test]
fn malformed_compounds_are_errors() {
    assert_eq!(parse_compound(&[]), Err(RtcpError::TooShort));
    assert_eq!(
        parse_compound(&[0x40, 201, 0, 1]),
        Err(RtcpError::BadVersion(1))
    );
    assert_eq!(
        parse_compound(&[0x80, 201, 0, 1]),
        Err(RtcpError::BadLength)
    );
    // RR claiming one block but carrying none.
    assert_eq!(
        parse_compound(&[0x81, 201, 0, 1, 0, 0, 0, 1]),
        Err(RtcpError::Truncated)
    );
    // Padding on a packet that is not the last.
    let mut buf = vec![0xa0, 201, 0, 1, 0, 0, 0, 4];
    buf.extend_from_slice(&[0x80, 201, 0, 1, 0, 0, 0, 1]);
    assert_eq!(parse_compound(&buf), Err(RtcpError::BadPadding));
    // The reader yields the packets before an error, then the error, then stops.
    let mut buf = vec![0x80, 201, 0, 1, 0, 0, 0, 1];
    buf.extend_from_slice(&[0x80, 201, 0, 9]);
    let items: Vec<_> = RtcpReader::new(&buf).collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1], Err(RtcpError::BadLength));
}

#[test]
fn build_limits() {
    let too_many = RtcpPacket::ReceiverReport(ReceiverReport {
        ssrc: 1,
        reports: vec![ReportBlock::default(); 32],
    });
    let mut buf = vec![1, 2, 3];
    assert_eq!(too_many.write_to(&mut buf), Err(RtcpError::TooManyItems));
    let long = RtcpPacket::Goodbye(Goodbye {
        sources: vec![],
        reason: Some("x".repeat(256)),
    });
    assert_eq!(
        write_compound(&[sample_compound()[0].clone(), long], &mut buf),
        Err(RtcpError::TextTooLong)
    );
    assert_eq!(buf, [1, 2, 3]);
}

fn report_block() -> impl Strategy<Value = ReportBlock> {
    (
        any::<u32>(),
        any::<u8>(),
        -0x80_0000i32..=0x7f_ffff,
        any::<(u32, u32, u32, u32)>(),
    )
        .prop_map(
            |(ssrc, fraction_lost, cumulative_lost, (seq, jitter, lsr, dlsr))| ReportBlock {
                ssrc,
                fraction_lost,
                cumulative_lost,
                extended_highest_seq: seq,
                jitter,
                last_sr: lsr,
                delay_since_last_sr: dlsr,
            },
        )
}

fn packet() -> impl Strategy<Value = RtcpPacket> {
    let blocks = || proptest::collection::vec(report_block(), 0..=31);
    prop_oneof![
        (any::<(u32, u64, u32, u32, u32)>(), blocks()).prop_map(
            |((ssrc, ntp, ts, packets, octets), reports)| {
                RtcpPacket::SenderReport(SenderReport {
                    ssrc,
                    ntp_time: NtpTime(ntp),
                    rtp_timestamp: ts,
                    packet_count: packets,
                    octet_count: octets,
                    reports,
                })
            }
        ),
        (any::<u32>(), blocks()).prop_map(|(ssrc, reports)| {
            RtcpPacket::ReceiverReport(ReceiverReport { ssrc, reports })
        }),
        proptest::collection::vec((any::<u32>(), proptest::option::of("[ -~]{0,40}")), 0..=31)
            .prop_map(|chunks| {
                RtcpPacket::SourceDescription(SourceDescription {
                    chunks: chunks
                        .into_iter()
                        .map(|(ssrc, cname)| SdesChunk { ssrc, cname })
                        .collect(),
                })
            }),
        (
            proptest::collection::vec(any::<u32>(), 0..=31),
            proptest::option::of("[ -~]{0,60}")
        )
            .prop_map(|(sources, reason)| RtcpPacket::Goodbye(Goodbye { sources, reason })),
    ]
}

proptest! {
    #[test]
    fn compound_print_then_parse_is_identity(
        packets in proptest::collection::vec(packet(), 1..5),
    ) {
        let mut buf = Vec::new();
        write_compound(&packets, &mut buf).unwrap();
        prop_assert_eq!(parse_compound(&buf).unwrap(), packets);
    }
}
