//! UAC side: our offers and checking the answer.

use sip::sdp::{
    Codec, Direction, LocalCaps, NegotiationError, SessionDescription, accept_answer, answer,
    offer, offer_with_direction,
};

fn caps() -> LocalCaps {
    LocalCaps::new("192.0.2.10", 30000, 900)
}

fn parse(sdp: &str) -> SessionDescription {
    SessionDescription::parse(sdp).expect("parses")
}

/// An answer to `offer_sdp` from a phone at 198.51.100.20:40000.
fn phone_answer(media: &str) -> SessionDescription {
    parse(&format!(
        "v=0\r\no=phone 5 5 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n{media}"
    ))
}

#[test]
fn default_offer_text() {
    let expected = "v=0\r\n\
        o=voxgate 900 1 IN IP4 192.0.2.10\r\n\
        s=voxgate\r\n\
        c=IN IP4 192.0.2.10\r\n\
        t=0 0\r\n\
        m=audio 30000 RTP/AVP 0 8 101\r\n\
        a=rtpmap:0 PCMU/8000\r\n\
        a=rtpmap:8 PCMA/8000\r\n\
        a=rtpmap:101 telephone-event/8000\r\n\
        a=fmtp:101 0-16\r\n\
        a=ptime:20\r\n\
        a=rtcp-mux\r\n\
        a=sendrecv\r\n";
    assert_eq!(offer(&caps()).to_string(), expected);
}

#[test]
fn opus_offer_lists_dynamic_pt() {
    let sdp = offer(&caps().with_opus(true));
    let m = &sdp.media[0];
    assert_eq!(m.formats, ["0", "8", "111", "101"]);
    assert_eq!(
        m.rtpmap(111).map(|r| (r.clock_rate, r.channels)),
        Some((48000, Some(2)))
    );
}

#[test]
fn offer_answer_loop_with_our_own_answerer() {
    let uac = caps().with_opus(true);
    let our_offer = offer(&uac);
    let uas = LocalCaps::new("192.0.2.99", 31000, 7);
    let ans = answer(&our_offer, &uas).expect("answerable");
    let agreed = accept_answer(&our_offer, &ans.sdp).expect("valid answer");
    assert_eq!((agreed.codec, agreed.payload_type), (Codec::Pcmu, 0));
    assert_eq!(
        (agreed.remote_addr.as_str(), agreed.remote_port),
        ("192.0.2.99", 31000)
    );
    assert_eq!(agreed.telephone_event_pt, Some(101));
    assert!(agreed.rtcp_mux);
    assert_eq!(agreed.direction, Direction::SendRecv);
    assert!(!agreed.on_hold);
}

#[test]
fn accept_pcma_answer_with_ptime() {
    let our_offer = offer(&caps());
    let ans = phone_answer(
        "m=audio 40000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=ptime:30\r\n",
    );
    let agreed = accept_answer(&our_offer, &ans).expect("valid");
    assert_eq!(
        (agreed.codec, agreed.payload_type, agreed.ptime_ms),
        (Codec::Pcma, 8, 30)
    );
    assert_eq!(agreed.telephone_event_pt, Some(101));
    assert!(!agreed.rtcp_mux);
}

#[test]
fn accept_answer_without_rtpmap_or_ptime() {
    let our_offer = offer(&caps());
    let agreed =
        accept_answer(&our_offer, &phone_answer("m=audio 40000 RTP/AVP 0\r\n")).expect("valid");
    assert_eq!((agreed.codec, agreed.ptime_ms), (Codec::Pcmu, 20));
    assert_eq!(agreed.telephone_event_pt, None);
}

#[test]
fn unoffered_codec_is_rejected() {
    let our_offer = offer(&caps());
    let ans = phone_answer("m=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n");
    let err = accept_answer(&our_offer, &ans).expect_err("G729 was not offered");
    assert_eq!(
        err,
        NegotiationError::UnofferedCodec {
            format: "18".into()
        }
    );
}

#[test]
fn opus_answer_when_opus_not_offered_is_rejected() {
    let our_offer = offer(&caps());
    let ans = phone_answer("m=audio 40000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n");
    let err = accept_answer(&our_offer, &ans).expect_err("opus was not offered");
    assert_eq!(
        err,
        NegotiationError::UnofferedCodec {
            format: "111".into()
        }
    );
}

#[test]
fn rejected_audio_and_count_mismatch() {
    let our_offer = offer(&caps());
    let rejected = phone_answer("m=audio 0 RTP/AVP 0\r\n");
    assert_eq!(
        accept_answer(&our_offer, &rejected),
        Err(NegotiationError::AudioRejected)
    );
    let two = phone_answer("m=audio 40000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n");
    assert_eq!(
        accept_answer(&our_offer, &two),
        Err(NegotiationError::MediaCountMismatch {
            offered: 1,
            answered: 2
        })
    );
}

#[test]
fn hold_and_unhold_reoffers() {
    let mut caps = caps();
    caps.session_version += 1;
    let hold = offer_with_direction(&caps, Direction::SendOnly);
    assert_eq!(hold.origin.sess_version, 2);
    assert_eq!(hold.media[0].own_direction(), Some(Direction::SendOnly));
    let ans = phone_answer("m=audio 40000 RTP/AVP 0\r\na=recvonly\r\n");
    let held = accept_answer(&hold, &ans).expect("valid");
    assert_eq!(held.direction, Direction::SendOnly);
    assert!(held.on_hold);

    caps.session_version += 1;
    let unhold = offer_with_direction(&caps, Direction::SendRecv);
    let ans = phone_answer("m=audio 40000 RTP/AVP 0\r\na=sendrecv\r\n");
    let resumed = accept_answer(&unhold, &ans).expect("valid");
    assert_eq!(resumed.direction, Direction::SendRecv);
    assert!(!resumed.on_hold);
}

#[test]
fn our_hold_offer_answered_by_our_answerer() {
    let hold = offer_with_direction(&caps(), Direction::SendOnly);
    let ans = answer(&hold, &LocalCaps::new("192.0.2.99", 31000, 7)).expect("answerable");
    assert_eq!(ans.audio.direction, Direction::RecvOnly);
    assert!(ans.audio.on_hold);
    let agreed = accept_answer(&hold, &ans.sdp).expect("valid");
    assert_eq!(agreed.direction, Direction::SendOnly);
}

#[test]
fn answerer_holding_with_zero_address() {
    let our_offer = offer(&caps());
    let ans = parse(
        "v=0\r\no=p 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n",
    );
    let agreed = accept_answer(&our_offer, &ans).expect("valid");
    assert!(agreed.on_hold);
    assert_eq!(agreed.direction, Direction::RecvOnly);
}

#[test]
fn direction_flags() {
    assert_eq!(Direction::SendOnly.reversed(), Direction::RecvOnly);
    assert_eq!(Direction::Inactive.reversed(), Direction::Inactive);
    assert_eq!(Direction::from_name("SENDRECV"), Some(Direction::SendRecv));
    assert_eq!(Direction::from_name("sendsome"), None);
    assert_eq!(Direction::default().to_string(), "sendrecv");
}
