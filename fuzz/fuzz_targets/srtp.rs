//! SRTP/SRTCP unprotect with a fixed key on arbitrary bytes must never panic and must reject
//! (nobody can forge the tag); protect of arbitrary bytes either fails cleanly or round-trips
//! through a receiver with the same key. The first byte picks the suite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtp::{SrtpContext, SrtpSuite};

const KEY: [u8; 30] = *b"voxgate-fuzz-key-material-30b!";

fuzz_target!(|data: &[u8]| {
    let Some((&pick, data)) = data.split_first() else {
        return;
    };
    let suite = if pick & 1 == 0 {
        SrtpSuite::AesCm128HmacSha1_80
    } else {
        SrtpSuite::AesCm128HmacSha1_32
    };
    let context = || SrtpContext::new(suite, &KEY).expect("30-byte key");
    let mut rx = context();

    let mut buf = data.to_vec();
    assert!(rx.unprotect_rtp_in_place(&mut buf).is_err(), "forged SRTP accepted");
    assert_eq!(buf, data, "a rejected packet is left alone");
    assert!(rx.unprotect_rtcp_in_place(&mut buf).is_err(), "forged SRTCP accepted");

    let mut tx = context();
    let mut out = Vec::new();
    let mut back = Vec::new();
    if pick & 2 == 0 {
        if tx.protect_rtp(data, &mut out).is_ok() {
            rx.unprotect_rtp(&out, &mut back).expect("own SRTP verifies");
            assert_eq!(back, data);
        }
    } else if tx.protect_rtcp(data, &mut out).is_ok() {
        rx.unprotect_rtcp(&out, &mut back).expect("own SRTCP verifies");
        assert_eq!(back, data);
    }
});
