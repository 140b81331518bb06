//! `RtpPacket::parse` and `classify` on arbitrary datagrams. Must never panic; a packet that
//! parses has a payload inside the datagram, and one without padding or extension prints back
//! to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtp::{PacketKind, RtpPacket, classify};

fuzz_target!(|data: &[u8]| {
    let kind = classify(data);
    let Ok(p) = RtpPacket::parse(data) else {
        return;
    };
    assert_ne!(kind, PacketKind::Other, "a parsed RTP packet is version 2");
    let payload = p.payload();
    assert!(payload.len() + usize::from(p.padding_len()) <= data.len());
    let _ = (p.marker(), p.payload_type(), p.sequence(), p.timestamp(), p.ssrc());
    assert_eq!(p.csrcs().len(), usize::from(data[0] & 0x0f));
    if p.padding_len() == 0 && p.extension().is_none() {
        let mut out = Vec::new();
        p.header()
            .append_to(payload, &mut out)
            .expect("a parsed header prints");
        // The header prints without X and P; everything else is the datagram's.
        assert_eq!(out, data, "reprinted packet differs");
    }
});
