//! UAS side: answering offers.

use crate::samples;
use sip::sdp::{Answer, Codec, Direction, LocalCaps, NegotiationError, SessionDescription, answer};

fn caps() -> LocalCaps {
    LocalCaps::new("192.0.2.10", 30000, 42)
}

fn answer_to(offer: &str, caps: &LocalCaps) -> Answer {
    let offer = SessionDescription::parse(offer).expect("offer parses");
    let answer = answer(&offer, caps).expect("offer is acceptable");
    // Every answer we produce must itself parse back to the same value.
    let reparsed = SessionDescription::parse(&answer.sdp.to_string()).expect("answer parses");
    assert_eq!(reparsed, answer.sdp);
    answer
}

fn offer_with(media_and_attrs: &str) -> String {
    format!(
        "v=0\r\no=peer 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n{media_and_attrs}"
    )
}

#[test]
fn sipp_pcmu_20ms() {
    let a = answer_to(samples::SIPP_UAC, &caps());
    let audio = &a.audio;
    assert_eq!((audio.codec, audio.payload_type), (Codec::Pcmu, 0));
    assert_eq!(
        (audio.clock_rate, audio.channels, audio.ptime_ms),
        (8000, 1, 20)
    );
    assert_eq!(
        (audio.remote_addr.as_str(), audio.remote_port),
        ("127.0.0.1", 6000)
    );
    assert_eq!(audio.telephone_event_pt, None);
    assert_eq!(audio.direction, Direction::SendRecv);
    assert!(!audio.on_hold && !audio.rtcp_mux);
    let expected = "v=0\r\n\
        o=voxgate 42 1 IN IP4 192.0.2.10\r\n\
        s=voxgate\r\n\
        c=IN IP4 192.0.2.10\r\n\
        t=0 0\r\n\
        m=audio 30000 RTP/AVP 0\r\n\
        a=rtpmap:0 PCMU/8000\r\n\
        a=ptime:20\r\n\
        a=sendrecv\r\n";
    assert_eq!(a.sdp.to_string(), expected);
}

#[test]
fn pcma_30ms_with_telephone_event() {
    let offer = offer_with(
        "m=audio 5004 RTP/AVP 8 0 100\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:100 telephone-event/8000\r\na=fmtp:100 0-15\r\na=ptime:30\r\n",
    );
    let a = answer_to(&offer, &caps());
    assert_eq!((a.audio.codec, a.audio.payload_type), (Codec::Pcma, 8));
    assert_eq!(a.audio.ptime_ms, 30);
    assert_eq!(a.audio.telephone_event_pt, Some(100));
    let m = &a.sdp.media[0];
    assert_eq!(m.formats, ["8", "100"]);
    assert_eq!(m.fmtp(100), Some("0-16"));
    assert_eq!(
        m.rtpmap(100).map(|r| r.encoding_name),
        Some("telephone-event".into())
    );
    assert_eq!(m.ptime(), Some(30));
}

#[test]
fn unsupported_ptime_falls_back_to_20() {
    let offer = offer_with("m=audio 5004 RTP/AVP 0\r\na=ptime:40\r\n");
    assert_eq!(answer_to(&offer, &caps()).audio.ptime_ms, 20);
}

#[test]
fn static_payload_types_without_rtpmap() {
    let offer = offer_with("m=audio 5004 RTP/AVP 18 8\r\n");
    let a = answer_to(&offer, &caps());
    assert_eq!((a.audio.codec, a.audio.payload_type), (Codec::Pcma, 8));
}

#[test]
fn rtpmap_names_match_case_insensitively() {
    let offer = offer_with("m=audio 5004 RTP/AVP 97 0\r\na=rtpmap:97 pcmu/8000\r\n");
    let a = answer_to(&offer, &caps());
    assert_eq!((a.audio.codec, a.audio.payload_type), (Codec::Pcmu, 97));
}

#[test]
fn opus_chosen_when_offered_first_and_enabled() {
    let a = answer_to(samples::BARESIP, &caps().with_opus(true));
    let audio = &a.audio;
    assert_eq!((audio.codec, audio.payload_type), (Codec::Opus, 96));
    assert_eq!((audio.clock_rate, audio.channels), (48000, 2));
    assert_eq!(audio.telephone_event_pt, Some(101));
    assert_eq!(a.sdp.media[0].rtpmap(96).map(|r| r.channels), Some(Some(2)));
}

#[test]
fn opus_offered_but_disabled_picks_pcmu() {
    let a = answer_to(samples::BARESIP, &caps());
    assert_eq!((a.audio.codec, a.audio.payload_type), (Codec::Pcmu, 0));
    assert_eq!(a.sdp.media[0].formats, ["0", "101"]);
}

#[test]
fn telephone_event_not_answered_when_disabled() {
    let mut caps = caps();
    caps.telephone_event = None;
    let a = answer_to(samples::BARESIP, &caps);
    assert_eq!(a.audio.telephone_event_pt, None);
    assert_eq!(a.sdp.media[0].formats, ["0"]);
}

#[test]
fn video_rejected_with_port_zero() {
    let a = answer_to(samples::RFC4317_AUDIO_VIDEO, &caps());
    assert_eq!(a.sdp.media.len(), 2);
    assert_eq!(a.audio.codec, Codec::Pcmu);
    assert_eq!(a.audio.remote_addr, "host.atlanta.example.com");
    let video = &a.sdp.media[1];
    assert_eq!((video.media.as_str(), video.port), ("video", 0));
    assert_eq!(video.formats, ["31", "32"]);
}

#[test]
fn only_first_acceptable_audio_stream_is_accepted() {
    let offer = offer_with(
        "m=audio 5000 RTP/AVP 18\r\nm=audio 5002 RTP/AVP 0\r\nm=audio 5004 RTP/AVP 8\r\n",
    );
    let a = answer_to(&offer, &caps());
    let ports: Vec<u16> = a.sdp.media.iter().map(|m| m.port).collect();
    assert_eq!(ports, [0, 30000, 0]);
    assert_eq!(a.audio.remote_port, 5002);
}

#[test]
fn no_common_codec_is_488() {
    let offer = offer_with("m=audio 5004 RTP/AVP 18 9\r\na=rtpmap:18 G729/8000\r\n");
    let offer = SessionDescription::parse(&offer).expect("parses");
    let err = answer(&offer, &caps()).expect_err("no common codec");
    assert_eq!(err, NegotiationError::NoCommonCodec);
    assert_eq!(err.status_code(), 488);
}

#[test]
fn webrtc_offer_is_not_acceptable() {
    let offer = SessionDescription::parse(samples::CHROMIUM).expect("parses");
    let err = answer(&offer, &caps().with_opus(true)).expect_err("SAVPF is unsupported");
    assert_eq!(err, NegotiationError::NoCommonCodec);
}

#[test]
fn missing_connection_is_an_error() {
    let offer = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n";
    let offer = SessionDescription::parse(offer).expect("parses");
    let err = answer(&offer, &caps()).expect_err("no c=");
    assert_eq!(err, NegotiationError::MissingConnection);
    assert_eq!(err.status_code(), 488);
}

#[test]
fn sendonly_hold_is_answered_recvonly() {
    let a = answer_to(samples::HOLD_SENDONLY, &caps());
    assert_eq!(a.audio.direction, Direction::RecvOnly);
    assert!(a.audio.on_hold);
    assert_eq!(a.audio.ptime_ms, 30);
    assert_eq!(a.sdp.media[0].own_direction(), Some(Direction::RecvOnly));
}

#[test]
fn recvonly_is_answered_sendonly() {
    let offer = offer_with("m=audio 5004 RTP/AVP 0\r\na=recvonly\r\n");
    let a = answer_to(&offer, &caps());
    assert_eq!(a.audio.direction, Direction::SendOnly);
    assert!(!a.audio.on_hold);
}

#[test]
fn inactive_is_answered_inactive() {
    let offer = offer_with("m=audio 5004 RTP/AVP 0\r\na=inactive\r\n");
    let a = answer_to(&offer, &caps());
    assert_eq!(a.audio.direction, Direction::Inactive);
    assert!(a.audio.on_hold);
    assert_eq!(a.sdp.media[0].own_direction(), Some(Direction::Inactive));
}

#[test]
fn session_level_direction_applies() {
    let offer = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n\
                 a=sendonly\r\nm=audio 5004 RTP/AVP 0\r\n";
    let a = answer_to(offer, &caps());
    assert_eq!(a.audio.direction, Direction::RecvOnly);
    assert!(a.audio.on_hold);
}

#[test]
fn rfc2543_hold_address() {
    let a = answer_to(samples::HOLD_RFC2543, &caps());
    assert!(a.audio.on_hold);
    assert_eq!(a.audio.remote_addr, "0.0.0.0");
    // We must not send to 0.0.0.0, so we only receive.
    assert_eq!(a.audio.direction, Direction::RecvOnly);
    assert_eq!(
        (a.audio.codec, a.audio.telephone_event_pt),
        (Codec::Pcma, Some(101))
    );
}

#[test]
fn rtcp_mux_echoed_only_when_offered_and_supported() {
    let with_mux = offer_with("m=audio 5004 RTP/AVP 0\r\na=rtcp-mux\r\n");
    let a = answer_to(&with_mux, &caps());
    assert!(a.audio.rtcp_mux && a.sdp.media[0].rtcp_mux());

    let mut no_support = caps();
    no_support.rtcp_mux = false;
    let a = answer_to(&with_mux, &no_support);
    assert!(!a.audio.rtcp_mux && !a.sdp.media[0].rtcp_mux());

    let a = answer_to(samples::SIPP_UAC, &caps());
    assert!(!a.audio.rtcp_mux && !a.sdp.media[0].rtcp_mux());
}

#[test]
fn avpf_is_accepted_and_echoed() {
    let offer = offer_with("m=audio 5004 RTP/AVPF 0\r\n");
    assert_eq!(answer_to(&offer, &caps()).sdp.media[0].proto, "RTP/AVPF");
}

#[test]
fn answer_echoes_timing_and_uses_caps_origin() {
    let mut caps = caps();
    caps.session_version = 7;
    let a = answer_to(samples::RFC4317_AUDIO_VIDEO, &caps);
    assert_eq!(a.sdp.origin.username, "voxgate");
    assert_eq!((a.sdp.origin.sess_id, a.sdp.origin.sess_version), (42, 7));
    assert_eq!(a.sdp.timings.len(), 1);
}

#[test]
fn ipv6_local_address() {
    let caps = LocalCaps::new("2001:db8::10", 30000, 1);
    let a = answer_to(samples::SIPP_UAC, &caps);
    assert_eq!(a.sdp.origin.addr_type, "IP6");
    assert_eq!(a.sdp.connection.map(|c| c.addr_type), Some("IP6".into()));
}
