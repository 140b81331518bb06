//! Parse/print round trips and typed accessors on real-world SDPs.

use crate::samples::{self, crlf};
use sip::sdp::{Connection, Direction, RtpMap, SessionDescription};

fn parse(sdp: &str) -> SessionDescription {
    SessionDescription::parse(sdp).expect("sample parses")
}

#[test]
fn samples_round_trip_byte_for_byte() {
    for (name, sdp) in samples::ALL {
        let expected = crlf(sdp);
        assert_eq!(parse(sdp).to_string(), expected, "LF input: {name}");
        assert_eq!(parse(&expected).to_string(), expected, "CRLF input: {name}");
    }
}

#[test]
fn lf_and_crlf_parse_identically() {
    for (name, sdp) in samples::ALL {
        assert_eq!(parse(sdp), parse(&crlf(sdp)), "{name}");
    }
}

#[test]
fn from_str_matches_parse() {
    let via_from_str: SessionDescription = samples::SIPP_UAC.parse().expect("parses");
    assert_eq!(via_from_str, parse(samples::SIPP_UAC));
}

#[test]
fn sipp_fields() {
    let sd = parse(samples::SIPP_UAC);
    assert_eq!(sd.origin.username, "user1");
    assert_eq!(sd.origin.sess_id, 53_655_765);
    assert_eq!(sd.origin.sess_version, 2_353_687_637);
    assert_eq!(sd.origin.address, "127.0.0.1");
    assert_eq!(sd.session_name, "-");
    assert_eq!(sd.connection, Some(Connection::new("127.0.0.1")));
    let m = &sd.media[0];
    assert_eq!(
        (m.media.as_str(), m.port, m.proto.as_str()),
        ("audio", 6000, "RTP/AVP")
    );
    assert_eq!(m.formats, ["0"]);
    assert_eq!(m.direction(&sd), Direction::SendRecv);
    assert_eq!(m.ptime(), None);
    assert!(!m.rtcp_mux());
}

#[test]
fn baresip_accessors() {
    let sd = parse(samples::BARESIP);
    let m = &sd.media[0];
    let maps = m.rtpmaps();
    assert_eq!(maps.len(), 4);
    assert_eq!(
        maps[0],
        RtpMap {
            payload_type: 96,
            encoding_name: "opus".into(),
            clock_rate: 48000,
            channels: Some(2),
        }
    );
    assert_eq!(m.rtpmap(0).map(|r| r.encoding_name), Some("PCMU".into()));
    assert_eq!(m.fmtp(101), Some("0-15"));
    assert_eq!(m.fmtp(96), Some("stereo=1;sprop-stereo=1"));
    assert_eq!(m.fmtp(0), None);
    assert_eq!(m.ptime(), Some(20));
    assert_eq!(m.maxptime(), None);
    assert_eq!(m.bandwidths[0].bwtype, "AS");
    assert_eq!(m.bandwidths[0].bandwidth, 64);
}

#[test]
fn chromium_webrtc_attributes() {
    let sd = parse(samples::CHROMIUM);
    assert_eq!(sd.origin.sess_id, 4_611_731_400_430_051_336);
    assert_eq!(sd.connection, None);
    let wms = sd
        .attribute("msid-semantic")
        .and_then(|a| a.value.as_deref());
    assert_eq!(wms, Some(" WMS 8f3c2a1e-6b7d-4e9f-a0b1-c2d3e4f5a6b7"));
    let m = &sd.media[0];
    assert_eq!(m.proto, "UDP/TLS/RTP/SAVPF");
    assert_eq!(m.formats.len(), 8);
    assert!(m.rtcp_mux());
    assert_eq!(
        m.effective_connection(&sd).map(|c| c.address.as_str()),
        Some("0.0.0.0")
    );
    let setup = m.attribute("setup").and_then(|a| a.value.as_deref());
    assert_eq!(setup, Some("actpass"));
    assert_eq!(m.fmtp(111), Some("minptime=10;useinbandfec=1"));
    assert_eq!(m.rtpmap(126).map(|r| r.clock_rate), Some(8000));
}

#[test]
fn rfc4566_full_session() {
    let sd = parse(samples::RFC4566_FULL);
    assert_eq!(
        sd.information.as_deref(),
        Some("A Seminar on the session description protocol")
    );
    assert_eq!(sd.emails, ["j.doe@example.com (Jane Doe)"]);
    assert_eq!(sd.phones, ["+1 617 555-6011"]);
    let c = sd.connection.as_ref().expect("session c=");
    assert_eq!(
        (c.address.as_str(), c.ttl, c.num_addresses),
        ("224.2.17.12", Some(127), None)
    );
    assert_eq!(sd.timings.len(), 2);
    assert_eq!(sd.timings[0].repeats, ["7d 1h 0 25h"]);
    assert_eq!(
        sd.time_zones.as_deref(),
        Some("2882844526 -1h 2898848070 0")
    );
    assert_eq!(sd.direction(), Some(Direction::RecvOnly));
    let audio = &sd.media[0];
    let c6 = audio.connection.as_ref().expect("media c=");
    assert_eq!(
        (c6.address.as_str(), c6.ttl, c6.num_addresses),
        ("ff15::101", None, Some(3))
    );
    // Session-level recvonly applies to media without their own direction.
    assert_eq!(audio.direction(&sd), Direction::RecvOnly);
    assert_eq!(sd.media[1].num_ports, Some(2));
}

#[test]
fn media_direction_overrides_session() {
    let sdp = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\na=sendonly\n\
               m=audio 4000 RTP/AVP 0\na=inactive\nm=audio 4002 RTP/AVP 0\n";
    let sd = parse(sdp);
    assert_eq!(sd.media[0].direction(&sd), Direction::Inactive);
    assert_eq!(sd.media[1].direction(&sd), Direction::SendOnly);
    assert_eq!(sd.media[1].own_direction(), None);
}

#[test]
fn hold_samples() {
    let sd = parse(samples::HOLD_SENDONLY);
    assert_eq!(sd.media[0].direction(&sd), Direction::SendOnly);
    assert_eq!(sd.media[0].ptime(), Some(30));
    let sd = parse(samples::HOLD_RFC2543);
    assert_eq!(sd.connection.map(|c| c.address), Some("0.0.0.0".into()));
}

#[test]
fn missing_timing_defaults_to_zero() {
    let sd = parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nm=audio 4000 RTP/AVP 0\r\n");
    assert_eq!(sd.timings.len(), 1);
    assert_eq!((sd.timings[0].start, sd.timings[0].stop), (0, 0));
    assert!(sd.to_string().contains("\r\nt=0 0\r\n"));
}

#[test]
fn unknown_lines_are_kept_and_printed() {
    let sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nx=session extra\r\nt=0 0\r\n\
               m=audio 4000 RTP/AVP 0\r\ny=media extra\r\na=sendrecv\r\n";
    let sd = parse(sdp);
    assert_eq!(sd.unknown_lines[0].line_type, 'x');
    assert_eq!(sd.media[0].unknown_lines[0].value, "media extra");
    // Printed in canonical order: unknown lines close their section.
    let printed = sd.to_string();
    assert!(printed.contains("a=sendrecv\r\ny=media extra\r\n"));
    assert!(
        printed
            .starts_with("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nx=session extra\r\n")
    );
    assert_eq!(parse(&printed), sd);
}

#[test]
fn liberal_whitespace_and_blank_lines() {
    let sdp = "v=0\n\no=-  1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\n\nm=audio  4000 RTP/AVP 0 8 \n\n";
    let sd = parse(sdp);
    assert_eq!(sd.media[0].formats, ["0", "8"]);
    assert_eq!(sd.origin.sess_id, 1);
}

#[test]
fn fractional_ptime_is_tolerated() {
    let sdp = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0\na=ptime:20.0\na=maxptime:150\n";
    let sd = parse(sdp);
    assert_eq!(sd.media[0].ptime(), Some(20));
    assert_eq!(sd.media[0].maxptime(), Some(150));
}

#[test]
fn malformed_rtpmaps_are_skipped() {
    let sdp = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0 96 97\n\
               a=rtpmap:96\na=rtpmap:200 foo/8000\na=rtpmap:97 bar/x\na=rtpmap:0 PCMU/8000\n";
    let maps = parse(sdp).media[0].rtpmaps();
    assert_eq!(maps.len(), 1);
    assert_eq!(maps[0].payload_type, 0);
}
