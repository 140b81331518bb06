//! SDES-SRTP offer/answer (RFC 4568) with real offers: baresip, pjsua, Asterisk.

use crate::samples;
use sip::sdp::{
    Answer, CryptoAttribute, LocalCaps, NegotiationError, SdesKey, SdesSuite, SessionDescription,
    SrtpKeys, SrtpPolicy, accept_answer, answer, offer,
};

fn key(seed: u8) -> SdesKey {
    SdesKey::new(core::array::from_fn(|i| seed.wrapping_add(i as u8)))
}

fn ours() -> SdesKey {
    key(0x40)
}

fn optional() -> LocalCaps {
    plain().with_srtp(SrtpPolicy::Optional(ours()))
}

fn required() -> LocalCaps {
    plain().with_srtp(SrtpPolicy::Required(ours()))
}

fn plain() -> LocalCaps {
    LocalCaps::new("192.0.2.10", 30000, 42)
}

fn parse(sdp: &str) -> SessionDescription {
    SessionDescription::parse(sdp).expect("parses")
}

fn answer_to(offer: &str, caps: &LocalCaps) -> Result<Answer, NegotiationError> {
    let a = answer(&parse(offer), caps)?;
    assert_eq!(parse(&a.sdp.to_string()), a.sdp, "the answer reparses");
    Ok(a)
}

/// The decoded key of an `inline:` value from a sample.
fn inline(b64: &str) -> SdesKey {
    let line = CryptoAttribute::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{b64}"));
    line.and_then(|l| l.single_key()).expect("a 30-byte key")
}

/// The single crypto line of the answer's first m-line.
fn answered_line(a: &Answer) -> CryptoAttribute {
    let lines = a.sdp.media[0].crypto_attributes();
    assert_eq!(lines.len(), 1, "one crypto line answers: {}", a.sdp);
    lines[0].clone()
}

#[test]
fn baresip_srtp_mand_is_answered_with_savp_its_tag_and_our_key() {
    let a = answer_to(samples::BARESIP_SRTP_MAND, &optional()).expect("acceptable");
    let m = &a.sdp.media[0];
    assert_eq!(m.proto, "RTP/SAVP");
    let line = answered_line(&a);
    assert_eq!(
        (line.tag, line.sdes_suite()),
        (1, Some(SdesSuite::AesCm128HmacSha1_80))
    );
    assert_eq!(line.single_key(), Some(ours()));
    assert_eq!(
        a.audio.srtp,
        Some(SrtpKeys {
            suite: SdesSuite::AesCm128HmacSha1_80,
            tag: 1,
            local_key: ours(),
            remote_key: inline("WnD7c1ksDGs+dIefCEo8omPg4uO8DYIinNGL5yxQ"),
        })
    );
    // The rest of the negotiation is unchanged by SRTP.
    assert_eq!(a.audio.payload_type, 0);
    assert_eq!(a.audio.telephone_event_pt, Some(101));
}

#[test]
fn with_srtp_off_a_savp_offer_is_still_refused_as_before() {
    let err = answer_to(samples::BARESIP_SRTP_MAND, &plain()).expect_err("SAVP needs SRTP");
    assert_eq!(err, NegotiationError::NoCommonCodec);
}

#[test]
fn baresip_optional_srtp_on_avp_gets_opportunistic_srtp_or_plain_rtp() {
    let a = answer_to(samples::BARESIP_SRTP_OPTIONAL, &optional()).expect("acceptable");
    assert_eq!(
        a.sdp.media[0].proto, "RTP/AVP",
        "RFC 8643 answers keep the profile"
    );
    assert_eq!(answered_line(&a).tag, 1);
    assert_eq!(
        a.audio.srtp.map(|k| k.suite),
        Some(SdesSuite::AesCm128HmacSha1_80)
    );

    let a = answer_to(samples::BARESIP_SRTP_OPTIONAL, &plain()).expect("plain RTP");
    assert!(a.sdp.media[0].crypto_attributes().is_empty());
    assert_eq!(a.audio.srtp, None);
}

#[test]
fn pjsua_mandatory_two_lines_pick_the_first_supported() {
    let a = answer_to(samples::PJSUA_SRTP_MAND, &required()).expect("acceptable");
    let keys = a.audio.srtp.expect("SRTP");
    assert_eq!((keys.tag, keys.suite), (1, SdesSuite::AesCm128HmacSha1_80));
    assert_eq!(
        keys.remote_key,
        inline("WnD7c1ksDGs+dIefCEo8omPg4uO8DYIinNGL5yxQ")
    );
}

#[test]
fn pjsua_optional_nine_lines_skip_gcm_and_aes256_to_tag_5() {
    let a = answer_to(samples::PJSUA_SRTP_OPTIONAL, &required()).expect("acceptable");
    let line = answered_line(&a);
    assert_eq!(
        (line.tag, line.suite.as_str()),
        (5, "AES_CM_128_HMAC_SHA1_80")
    );
    assert_eq!(
        a.audio.srtp.map(|k| k.remote_key),
        Some(inline("TCkr9L8rtn4+aJXoeA1eiQcTAniJOvkYXUnZ5KTw"))
    );
}

#[test]
fn asterisk_sdes_prefers_the_32_bit_tag_and_we_follow() {
    let a = answer_to(samples::ASTERISK_SDES, &optional()).expect("acceptable");
    let keys = a.audio.srtp.expect("SRTP");
    assert_eq!((keys.tag, keys.suite), (1, SdesSuite::AesCm128HmacSha1_32));
    assert_eq!(
        keys.remote_key,
        inline("VAzLKvoE3jG9cdH/AZsl/ZqWNXrUzyM4Gw6chrFr")
    );
    assert_eq!(a.audio.payload_type, 8, "Asterisk's first codec, PCMA");
    assert_eq!(a.sdp.media[0].proto, "RTP/SAVP");
}

const GCM_ONLY: &str = "a=crypto:1 AEAD_AES_256_GCM inline:\
    8AbZePWwsKhLGX3GlXA+yHYPQ3cgraer/9DkFJYCOPZZy3o9wC0NIbIFYZfyHw==\r\n";

fn offer_of(media: &str) -> String {
    format!("v=0\r\no=p 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n{media}")
}

#[test]
fn savp_with_only_unsupported_suites_is_488() {
    let offer = offer_of(&format!("m=audio 5004 RTP/SAVP 0\r\n{GCM_ONLY}"));
    for caps in [optional(), required()] {
        let err = answer_to(&offer, &caps).expect_err("no usable suite");
        assert_eq!(err, NegotiationError::NoCommonCryptoSuite);
        assert_eq!(err.status_code(), 488);
    }
}

#[test]
fn unsupported_savp_beside_an_avp_alternative_falls_back_only_when_optional() {
    let offer = offer_of(&format!(
        "m=audio 5004 RTP/SAVP 0\r\n{GCM_ONLY}m=audio 5006 RTP/AVP 0\r\n"
    ));
    let a = answer_to(&offer, &optional()).expect("the AVP stream is acceptable");
    assert_eq!(a.sdp.media[0].port, 0, "SAVP stream rejected");
    assert_eq!(
        (a.sdp.media[1].port, a.sdp.media[1].proto.as_str()),
        (30000, "RTP/AVP")
    );
    assert_eq!(a.audio.remote_port, 5006);
    assert_eq!(a.audio.srtp, None);

    let err = answer_to(&offer, &required()).expect_err("SRTP required");
    assert_eq!(err, NegotiationError::NoCommonCryptoSuite);
}

#[test]
fn plain_offer_is_refused_when_required_and_answered_plainly_when_optional() {
    let err = answer_to(samples::SIPP_UAC, &required()).expect_err("plain RTP");
    assert_eq!(err, NegotiationError::SrtpRequired);
    assert_eq!(err.status_code(), 488);
    let a = answer_to(samples::SIPP_UAC, &optional()).expect("plain is fine");
    assert_eq!(a.audio.srtp, None);
    assert_eq!(a.sdp.media[0].proto, "RTP/AVP");
    assert!(a.sdp.media[0].crypto_attributes().is_empty());
}

#[test]
fn lines_with_mki_session_params_or_short_keys_are_skipped() {
    let k = "WnD7c1ksDGs+dIefCEo8omPg4uO8DYIinNGL5yxQ";
    let offer = offer_of(&format!(
        "m=audio 5004 RTP/SAVP 0\r\n\
         a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{k}|2^20|1:4\r\n\
         a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:{k} KDR=1\r\n\
         a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:dGVzdGtleQ==\r\n\
         a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:{k}|2^31 WSH=128\r\n"
    ));
    let a = answer_to(&offer, &optional()).expect("tag 4 is usable");
    assert_eq!(a.audio.srtp.map(|s| s.tag), Some(4));
}

#[test]
fn our_offer_is_savp_with_both_suites_and_accepts_our_own_answer() {
    let uac = optional();
    let o = offer(&uac);
    let m = &o.media[0];
    assert_eq!(m.proto, "RTP/SAVP");
    let lines = m.crypto_attributes();
    let tags: Vec<(u32, Option<SdesSuite>)> =
        lines.iter().map(|c| (c.tag, c.sdes_suite())).collect();
    assert_eq!(
        tags,
        [
            (1, Some(SdesSuite::AesCm128HmacSha1_80)),
            (2, Some(SdesSuite::AesCm128HmacSha1_32))
        ]
    );
    assert!(lines.iter().all(|c| c.single_key() == Some(ours())));

    // The far end is another voxgate with its own key.
    let uas = LocalCaps::new("198.51.100.2", 40000, 7).with_srtp(SrtpPolicy::Required(key(0x90)));
    let reply = answer(&parse(&o.to_string()), &uas).expect("answerable");
    let ua = accept_answer(&o, &parse(&reply.sdp.to_string())).expect("accepted");
    let keys = ua.srtp.expect("SRTP agreed");
    assert_eq!((keys.tag, keys.suite), (1, SdesSuite::AesCm128HmacSha1_80));
    assert_eq!((keys.local_key, keys.remote_key), (ours(), key(0x90)));
    let theirs = reply.audio.srtp.expect("SRTP on the far side");
    assert_eq!((theirs.local_key, theirs.remote_key), (key(0x90), ours()));
}

#[test]
fn an_answer_without_a_matching_crypto_line_is_refused() {
    let o = offer(&optional());
    let mut reply = answer(&o, &optional()).expect("answerable").sdp;
    // Tag 2 is our _32 line: an answer that names tag 2 with _80 does not match.
    let wrong = CryptoAttribute::new(2, SdesSuite::AesCm128HmacSha1_80, &key(1));
    reply.media[0].attributes.retain(|a| a.name != "crypto");
    reply.media[0]
        .attributes
        .push(sip::sdp::Attribute::new("crypto", wrong.to_string()));
    assert_eq!(
        accept_answer(&o, &reply),
        Err(NegotiationError::MissingCrypto)
    );
    reply.media[0].attributes.retain(|a| a.name != "crypto");
    assert_eq!(
        accept_answer(&o, &reply),
        Err(NegotiationError::MissingCrypto)
    );
}

#[test]
fn policy_off_offers_plain_rtp_without_crypto() {
    let o = offer(&plain());
    assert_eq!(o.media[0].proto, "RTP/AVP");
    assert!(o.media[0].crypto_attributes().is_empty());
}

#[test]
fn keys_do_not_appear_in_debug_output() {
    let a = answer_to(samples::BARESIP_SRTP_MAND, &optional()).expect("acceptable");
    let shown = format!("{:?} {:?}", a.audio, optional());
    assert!(shown.contains("SdesKey(<redacted>)"));
    assert!(
        !shown.contains("64, 65, 66"),
        "raw key bytes leaked: {shown}"
    );
}

mod props {
    use proptest::collection::vec;
    use proptest::option;
    use proptest::prelude::*;
    use sip::sdp::{CryptoAttribute, KeyParam, Mki};

    fn key_param() -> impl Strategy<Value = KeyParam> {
        (
            vec(any::<u8>(), 1..48),
            option::of("(2\\^)?[0-9]{1,10}"),
            option::of((0u64..=9_999_999_999, 1u8..=128)),
        )
            .prop_map(|(key_salt, lifetime, mki)| KeyParam {
                key_salt,
                lifetime,
                mki: mki.map(|(value, length)| Mki { value, length }),
            })
    }

    proptest! {
        #[test]
        fn crypto_lines_print_and_parse_back(
            tag in 0u32..=999_999_999,
            suite in "[A-Z0-9_]{1,30}",
            keys in vec(key_param(), 1..4),
            session_params in vec("[A-Za-z0-9_=^.-]{1,12}", 0..4),
        ) {
            let c = CryptoAttribute { tag, suite, keys, session_params };
            let printed = c.to_string();
            prop_assert_eq!(CryptoAttribute::parse(&printed), Some(c), "{}", printed);
        }

        #[test]
        fn arbitrary_crypto_values_never_panic(value in "\\PC{0,80}") {
            if let Some(c) = CryptoAttribute::parse(&value) {
                prop_assert_eq!(CryptoAttribute::parse(&c.to_string()), Some(c));
            }
        }
    }
}
