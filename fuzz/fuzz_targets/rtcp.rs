//! The compound RTCP parser on arbitrary datagrams. Must never panic; `RtcpReader` yields what
//! `parse_compound` returns; what parses prints to a compound that parses back equal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtp::{RtcpReader, parse_compound, write_compound};

fuzz_target!(|data: &[u8]| {
    let parsed = parse_compound(data);
    if let Ok(packets) = &parsed {
        let read: Vec<_> = RtcpReader::new(data).map_while(Result::ok).collect();
        assert_eq!(&read, packets, "reader and parse_compound disagree");
        let mut out = Vec::new();
        if write_compound(packets, &mut out).is_ok() && !packets.is_empty() {
            let again = parse_compound(&out).expect("a written compound parses");
            assert_eq!(&again, packets, "reprinted compound differs");
        }
    }
});
