//! Typed parse errors with line numbers, and size limits.

use sip::sdp::{SdpError, SdpErrorKind, SessionDescription};

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n";

fn err(sdp: &str) -> SdpError {
    SessionDescription::parse(sdp).expect_err("must be rejected")
}

fn line_err(sdp: &str) -> (usize, SdpErrorKind) {
    match err(sdp) {
        SdpError::Line { line, kind } => (line, kind),
        other => panic!("expected a line error, got {other:?}"),
    }
}

#[test]
fn empty_input_misses_version() {
    assert_eq!(err(""), SdpError::Missing { line_type: 'v' });
    assert_eq!(err("\r\n\n"), SdpError::Missing { line_type: 'v' });
}

#[test]
fn missing_origin_and_session_name() {
    assert_eq!(
        err("v=0\r\ns=-\r\nt=0 0\r\n"),
        SdpError::Missing { line_type: 'o' }
    );
    let no_s = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\nt=0 0\r\n";
    assert_eq!(err(no_s), SdpError::Missing { line_type: 's' });
}

#[test]
fn version_must_come_first_and_be_zero() {
    assert_eq!(
        line_err("o=- 1 1 IN IP4 h\r\nv=0\r\n"),
        (1, SdpErrorKind::VersionNotFirst)
    );
    assert_eq!(line_err("v=1\r\n"), (1, SdpErrorKind::UnsupportedVersion));
    let dup = format!("{HEAD}v=0\r\n");
    assert_eq!(line_err(&dup), (5, SdpErrorKind::Duplicate('v')));
}

#[test]
fn malformed_lines_report_their_number() {
    assert_eq!(
        line_err(&format!("{HEAD}garbage\r\n")),
        (5, SdpErrorKind::Malformed)
    );
    assert_eq!(
        line_err(&format!("{HEAD}=x\r\n")),
        (5, SdpErrorKind::Malformed)
    );
    assert_eq!(
        line_err(&format!("{HEAD}1=x\r\n")),
        (5, SdpErrorKind::Malformed)
    );
    // Blank lines still count towards the line number.
    assert_eq!(
        line_err(&format!("{HEAD}\r\n\r\nab\r\n")),
        (7, SdpErrorKind::Malformed)
    );
}

#[test]
fn invalid_fields() {
    let cases = [
        ("v=0\r\no=- x 1 IN IP4 h\r\n", 2, 'o'),
        ("v=0\r\no=- 1 1 IN IP4\r\n", 2, 'o'),
        (&format!("{HEAD}c=IN IP4\r\n"), 5, 'c'),
        (&format!("{HEAD}c=IN IP4 224.0.0.1/300\r\n"), 5, 'c'),
        (&format!("{HEAD}c=IN IP6 ff15::1/3/4\r\n"), 5, 'c'),
        (&format!("{HEAD}b=AS\r\n"), 5, 'b'),
        (&format!("{HEAD}b=AS:lots\r\n"), 5, 'b'),
        (&format!("{HEAD}t=now later\r\n"), 5, 't'),
        (&format!("{HEAD}a=\r\n"), 5, 'a'),
        (&format!("{HEAD}m=audio\r\n"), 5, 'm'),
        (&format!("{HEAD}m=audio 70000 RTP/AVP 0\r\n"), 5, 'm'),
        (&format!("{HEAD}m=audio 4000/x RTP/AVP 0\r\n"), 5, 'm'),
    ];
    for (sdp, line, line_type) in cases {
        let (got_line, kind) = line_err(sdp);
        assert_eq!(got_line, line, "{sdp:?}");
        assert!(
            matches!(kind, SdpErrorKind::Invalid { line_type: t, .. } if t == line_type),
            "{sdp:?}: {kind:?}"
        );
    }
}

#[test]
fn structural_errors() {
    let c2 = format!("{HEAD}c=IN IP4 h\r\nc=IN IP4 h\r\n");
    assert_eq!(line_err(&c2), (6, SdpErrorKind::Duplicate('c')));
    let r = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nr=7d 1h 0\r\n";
    assert_eq!(line_err(r), (4, SdpErrorKind::RepeatWithoutTiming));
    let t_in_media = format!("{HEAD}m=audio 1 RTP/AVP 0\r\nt=0 0\r\n");
    assert_eq!(
        line_err(&t_in_media),
        (6, SdpErrorKind::NotAllowedInMedia('t'))
    );
}

#[test]
fn error_messages_name_the_line() {
    let e = err(&format!("{HEAD}m=audio x RTP/AVP 0\r\n"));
    assert_eq!(
        e.to_string(),
        "SDP line 5: invalid m= line: port is not 0..=65535"
    );
}

#[test]
fn line_limit() {
    // HEAD is v=, o=, s=, t=: three counted lines (t= lines are capped separately).
    let attrs = "a=x\r\n".repeat(1021);
    assert!(SessionDescription::parse(&format!("{HEAD}{attrs}")).is_ok());
    let too_many = format!("{HEAD}{attrs}a=x\r\n");
    assert_eq!(err(&too_many), SdpError::TooManyLines { limit: 1024 });
    let timings = format!("{HEAD}{}", "t=0 0\r\n".repeat(64));
    assert_eq!(err(&timings), SdpError::TooManyLines { limit: 1024 });
}

/// A description at the line limit without `t=` gets `t=0 0` added; its printed form must
/// still parse (it used to be one line over the limit).
#[test]
fn full_description_without_timing_reprints() {
    let head = HEAD.replace("t=0 0\r\n", "");
    let sd =
        SessionDescription::parse(&format!("{head}{}", "a=x\r\n".repeat(1021))).expect("at limit");
    let again = SessionDescription::parse(&sd.to_string()).expect("reprint parses");
    assert_eq!(again, sd);
}

#[test]
fn media_limit() {
    let media = "m=audio 0 RTP/AVP 0\r\n".repeat(64);
    let sd = SessionDescription::parse(&format!("{HEAD}{media}")).expect("64 m-lines");
    assert_eq!(sd.media.len(), 64);
    let too_many = format!("{HEAD}{media}m=audio 0 RTP/AVP 0\r\n");
    assert_eq!(
        line_err(&too_many),
        (69, SdpErrorKind::TooManyMedia { limit: 64 })
    );
}
