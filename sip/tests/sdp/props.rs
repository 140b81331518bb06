//! Property tests: print → parse is the identity on generated descriptions,
//! and arbitrary input never panics.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use sip::sdp::{
    Attribute, Bandwidth, Connection, MediaDescription, Origin, SessionDescription, Timing,
    UnknownLine,
};

/// A whitespace-free token without `:` or `/`.
fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._+-]{1,10}"
}

/// Free text as allowed in `s=`, `i=`, attribute values (no CR/LF).
fn text() -> impl Strategy<Value = String> {
    "\\PC{0,16}"
}

fn origin() -> impl Strategy<Value = Origin> {
    (
        token(),
        any::<u64>(),
        any::<u64>(),
        token(),
        token(),
        token(),
    )
        .prop_map(
            |(username, sess_id, sess_version, net_type, addr_type, address)| Origin {
                username,
                sess_id,
                sess_version,
                net_type,
                addr_type,
                address,
            },
        )
}

fn connection() -> impl Strategy<Value = Connection> {
    let ip4 = (
        Just("IP4"),
        option::of((any::<u8>(), option::of(any::<u32>()))),
    )
        .prop_map(|(t, s)| (t, s.map(|s| s.0), s.and_then(|s| s.1)));
    let ip6 = (Just("IP6"), option::of(any::<u32>())).prop_map(|(t, n)| (t, None, n));
    (token(), prop_oneof![ip4, ip6], token()).prop_map(
        |(net_type, (addr_type, ttl, num_addresses), address)| Connection {
            net_type,
            addr_type: addr_type.to_owned(),
            address,
            ttl,
            num_addresses,
        },
    )
}

fn bandwidth() -> impl Strategy<Value = Bandwidth> {
    (token(), any::<u64>()).prop_map(|(bwtype, bandwidth)| Bandwidth { bwtype, bandwidth })
}

fn timing() -> impl Strategy<Value = Timing> {
    (any::<u64>(), any::<u64>(), vec(text(), 0..2)).prop_map(|(start, stop, repeats)| Timing {
        start,
        stop,
        repeats,
    })
}

fn attribute() -> impl Strategy<Value = Attribute> {
    (token(), option::of(text())).prop_map(|(name, value)| Attribute { name, value })
}

fn unknown() -> impl Strategy<Value = UnknownLine> {
    ("[dfghjlnqwxyDFGX]", text()).prop_map(|(t, value)| UnknownLine {
        line_type: t.chars().next().unwrap_or('x'),
        value,
    })
}

fn media() -> impl Strategy<Value = MediaDescription> {
    let line = (
        token(),
        any::<u16>(),
        option::of(any::<u16>()),
        "[A-Z/]{1,12}",
        vec(token(), 0..5),
    );
    let body = (
        option::of(text()),
        option::of(connection()),
        vec(bandwidth(), 0..2),
        option::of(text()),
        vec(attribute(), 0..6),
        vec(unknown(), 0..2),
    );
    (line, body).prop_map(|((media, port, num_ports, proto, formats), b)| {
        let mut m = MediaDescription::new(media, port, proto, formats);
        m.num_ports = num_ports;
        (m.information, m.connection, m.bandwidths) = (b.0, b.1, b.2);
        (m.encryption_key, m.attributes, m.unknown_lines) = (b.3, b.4, b.5);
        m
    })
}

fn session() -> impl Strategy<Value = SessionDescription> {
    let head = (
        origin(),
        text(),
        option::of(text()),
        option::of(text()),
        vec(text(), 0..2),
        vec(text(), 0..2),
        option::of(connection()),
    );
    let tail = (
        vec(bandwidth(), 0..2),
        vec(timing(), 1..3),
        option::of(text()),
        option::of(text()),
        vec(attribute(), 0..6),
        vec(unknown(), 0..2),
        vec(media(), 0..4),
    );
    (head, tail).prop_map(|(h, t)| {
        let mut sd = SessionDescription::new(h.0, h.1);
        (sd.information, sd.uri, sd.emails, sd.phones, sd.connection) = (h.2, h.3, h.4, h.5, h.6);
        (sd.bandwidths, sd.timings, sd.time_zones, sd.encryption_key) = (t.0, t.1, t.2, t.3);
        (sd.attributes, sd.unknown_lines, sd.media) = (t.4, t.5, t.6);
        sd
    })
}

/// One SDP-looking line, biased towards lines that parse.
fn sdp_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "a=(rtpmap|fmtp|ptime|sendonly|recvonly|inactive|rtcp-mux):[ -~]{0,12}",
        4 => "a=rtpmap:[0-9]{1,3} (PCMU|PCMA|opus|OPUS|telephone-event|G729)/(8000|48000)(/[12])?",
        2 => "a=(ptime|maxptime):[0-9.]{1,4}",
        2 => "a=(sendrecv|sendonly|recvonly|inactive|rtcp-mux)",
        3 => "m=(audio|video) [0-9]{1,5} (RTP/AVP|RTP/SAVP|UDP/TLS/RTP/SAVPF)( [0-9]{1,3}){0,5}",
        3 => "m=audio [1-9][0-9]{3} RTP/AVPF?( (0|8|18|96|101|111)){1,4}",
        2 => "c=IN IP[46] [0-9.:/]{1,16}",
        1 => "b=[A-Z]{1,4}:[0-9]{1,4}",
        1 => "t=[0-9]{1,3} [0-9]{1,3}",
        1 => "[a-zA-Z0-9 =]{0,3}=[ -~]{0,24}",
    ]
}

/// Bodies that look like SDP but carry random values.
fn sdp_like() -> impl Strategy<Value = String> {
    let head = prop_oneof![
        Just("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\n"),
        Just("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n"),
    ];
    let eol = prop_oneof![Just("\n"), Just("\r\n")];
    (head, vec(sdp_line(), 0..30), eol)
        .prop_map(|(head, lines, eol)| format!("{head}{}", lines.join(eol)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn print_then_parse_is_identity(sd in session()) {
        let printed = sd.to_string();
        prop_assert_eq!(SessionDescription::parse(&printed), Ok(sd), "{}", printed);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        let _ = SessionDescription::parse(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..4096)) {
        let _ = SessionDescription::parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn accepted_input_reprints_stably(s in sdp_like()) {
        if let Ok(sd) = SessionDescription::parse(&s) {
            let printed = sd.to_string();
            prop_assert_eq!(SessionDescription::parse(&printed), Ok(sd), "{}", printed);
        }
    }

    #[test]
    fn accessors_never_panic(s in sdp_like()) {
        if let Ok(sd) = SessionDescription::parse(&s) {
            for m in &sd.media {
                let _ = (m.rtpmaps(), m.fmtp(0), m.ptime(), m.maxptime(), m.direction(&sd));
            }
            let caps = sip::sdp::LocalCaps::new("192.0.2.1", 4000, 1).with_opus(true);
            if let Ok(answer) = sip::sdp::answer(&sd, &caps) {
                prop_assert_eq!(answer.sdp.media.len(), sd.media.len());
                let agreed = sip::sdp::accept_answer(&sd, &answer.sdp);
                prop_assert_eq!(agreed.map(|a| a.codec), Ok(answer.audio.codec));
            }
            let _ = sip::sdp::accept_answer(&sip::sdp::offer(&caps), &sd);
            let _ = sip::sdp::accept_answer(&sd, &sd);
        }
    }
}
