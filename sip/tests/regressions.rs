//! Inputs that once broke the parser, each test named after its bug. Found by the
//! properties in `message_props.rs` and by the fuzz targets in `fuzz/`.
#![allow(clippy::unwrap_used)]

use sip::{Limits, Message, ParseErrorKind, StreamDecoder, StreamItem};

/// `start_line[..4]` sliced a `str` to test for `SIP/`, which panics when a multi-byte
/// character straddles byte 4 (here U+10348, bytes 1..5).
#[test]
fn start_line_with_multibyte_char_across_byte_4() {
    let e = Message::parse(b"I\xf0\x90\x8d\x88NV").unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::StartLine);
    let e = Message::parse("ABCé sip:a@b SIP/2.0\r\n\r\n".as_bytes()).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::StartLine);
    assert!(e.is_request());
}

const OPTIONS: &[u8] = b"OPTIONS sip:bob@example.com SIP/2.0\r\n\
Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\n\
From: <sip:alice@example.com>;tag=1\r\n\
To: <sip:bob@example.com>\r\n\
Call-ID: 1\r\n\
CSeq: 1 OPTIONS\r\n\
Content-Length: 0\r\n\r\n";

fn decode(chunks: &[&[u8]], limits: Limits) -> Vec<Result<StreamItem, sip::ParseError>> {
    let mut d = StreamDecoder::new(limits);
    let mut out = Vec::new();
    for c in chunks {
        d.push(c);
        while let Some(item) = d.next() {
            out.push(item);
        }
    }
    out
}

/// A double-CRLF keep-alive split across two reads (`\r\n` + `\r\n`) was dropped as two
/// stray line ends instead of being reported as a ping, so the pong was never sent.
#[test]
fn keepalive_split_across_pushes() {
    let msg = Message::parse(OPTIONS).unwrap();
    let whole = decode(&[b"\r\n\r\n", OPTIONS], Limits::default());
    assert_eq!(
        whole,
        vec![
            Ok(StreamItem::KeepAlive),
            Ok(StreamItem::Message(Box::new(msg.clone())))
        ]
    );
    for split in [
        &[&b"\r\n"[..], b"\r\n", OPTIONS][..],
        &[b"\r", b"\n\r", b"\n", OPTIONS],
        &[b"\r\n\r", b"\nOPTIONS", &OPTIONS[7..]],
    ] {
        assert_eq!(decode(split, Limits::default()), whole);
    }
    // After a message, a ping split in two is still a ping; a lone CRLF is not.
    let after = decode(&[OPTIONS, b"\r\n", b"\r\n"], Limits::default());
    assert_eq!(after.last(), Some(&Ok(StreamItem::KeepAlive)));
    let stray = decode(&[b"\n\r\n", b"\r\n", OPTIONS], Limits::default());
    assert_eq!(stray, whole);
    let lone = decode(&[b"\r\n", OPTIONS], Limits::default());
    assert_eq!(lone, vec![Ok(StreamItem::Message(Box::new(msg)))]);
}

/// Without a blank line yet, the decoder gave up as soon as the buffer exceeded
/// `max_head`, although the blank line could still start within the limit: the same bytes
/// parsed when pushed at once and failed when split.
#[test]
fn head_limit_verdict_independent_of_split() {
    // The header section as the limit counts it: up to the LF of the last header line.
    let head_len = OPTIONS.len() - 3;
    let limits = Limits {
        max_head: head_len,
        ..Limits::default()
    };
    let whole = decode(&[OPTIONS], limits.clone());
    assert!(matches!(whole.as_slice(), [Ok(StreamItem::Message(_))]));
    let (a, b) = OPTIONS.split_at(OPTIONS.len() - 1);
    assert_eq!(decode(&[a, b], limits.clone()), whole);
    let tight = Limits {
        max_head: head_len - 1,
        ..limits
    };
    let e = decode(&[a, b], tight.clone());
    assert_eq!(e, decode(&[OPTIONS], tight));
    assert!(matches!(e.as_slice(), [Err(err)] if err.kind == ParseErrorKind::TooLarge));
}
