//! The stream decoder's work is linear in the bytes received, however they are split, and
//! its limits bite as soon as the bytes that break them have arrived. Counted with the
//! decoder's crate-private `examined` counter, not with a clock.
#![allow(clippy::unwrap_used)]

use super::error::ParseErrorKind;
use super::framing::{StreamDecoder, StreamItem};
use super::limits::Limits;

fn invite(extra_headers: &str, content_length: usize) -> Vec<u8> {
    format!(
        "INVITE sip:bob@example.com SIP/2.0\r\n\
         Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-slow\r\n\
         From: <sip:alice@example.com>;tag=a1\r\n\
         To: <sip:bob@example.com>\r\n\
         Call-ID: slow@192.0.2.1\r\n\
         CSeq: 1 INVITE\r\n\
         {extra_headers}\
         Content-Type: application/octet-stream\r\n\
         Content-Length: {content_length}\r\n\r\n"
    )
    .into_bytes()
}

/// Pushes one byte at a time; returns the items and the bytes examined.
fn bytewise(d: &mut StreamDecoder, bytes: &[u8]) -> Vec<Result<StreamItem, super::ParseError>> {
    let mut out = Vec::new();
    for b in bytes {
        d.push(std::slice::from_ref(b));
        while let Some(item) = d.next() {
            out.push(item);
        }
    }
    out
}

/// A 64 KiB body sent one byte per read: the old decoder re-parsed the ~250-byte header
/// section on each byte (about 16 M bytes examined); now each byte is examined a bounded
/// number of times.
#[test]
fn slow_body_costs_linear_work() {
    let n = 64 * 1024;
    let mut msg = invite("", n);
    msg.extend(std::iter::repeat_n(b'b', n));
    let mut d = StreamDecoder::default();
    let items = bytewise(&mut d, &msg);
    assert!(matches!(items.as_slice(), [Ok(StreamItem::Message(m))] if m.to_bytes().len() >= n));
    let examined = d.examined();
    assert!(
        examined < 4 * msg.len() as u64,
        "examined {examined} bytes for a {} byte message",
        msg.len()
    );
}

/// A 16 KiB header section (many headers) sent one byte per read: the search for the blank
/// line resumes where it stopped instead of rescanning the head on every byte.
#[test]
fn slow_head_costs_linear_work() {
    let extra: String = (0..200)
        .map(|i| format!("X-Padding-{i}: {}\r\n", "p".repeat(60)))
        .collect();
    let msg = invite(&extra, 0);
    assert!(msg.len() > 14 * 1024);
    let mut d = StreamDecoder::default();
    let items = bytewise(&mut d, &msg);
    assert!(matches!(items.as_slice(), [Ok(StreamItem::Message(_))]));
    let examined = d.examined();
    assert!(examined < 4 * msg.len() as u64, "examined {examined}");
}

/// Messages back to back in one push are each examined once, and the buffer is compacted
/// once per push rather than once per message.
#[test]
fn pipelined_messages_cost_linear_work() {
    let one = invite("", 0);
    let all = one.repeat(500);
    let mut d = StreamDecoder::default();
    d.push(&all);
    let mut count = 0;
    while let Some(item) = d.next() {
        assert!(matches!(item, Ok(StreamItem::Message(_))));
        count += 1;
    }
    assert_eq!(count, 500);
    assert_eq!(d.buffered(), 0);
    assert!(d.examined() < 3 * all.len() as u64);
}

/// A Content-Length over `max_body` is refused once the header section is complete,
/// before any of the body has arrived.
#[test]
fn oversized_content_length_is_refused_before_the_body() {
    let mut d = StreamDecoder::default();
    d.push(&invite("", 10 * 1024 * 1024));
    let e = d.next().unwrap().unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::TooLarge);
    assert_eq!(e.status().map(|s| s.code()), Some(513));
    assert!(e.error_response().is_some());
}

/// A header section with no blank line is refused as soon as `max_head + 3` bytes have
/// arrived (the blank line could still start within the limit until then).
#[test]
fn endless_head_is_refused_at_the_limit() {
    let limits = Limits {
        max_head: 1000,
        ..Limits::default()
    };
    let mut d = StreamDecoder::new(limits);
    let mut line = invite("", 0);
    line.truncate(line.len() - 4);
    line.extend(std::iter::repeat_n(b'a', 2000));
    for (i, b) in line.iter().enumerate() {
        d.push(std::slice::from_ref(b));
        if let Some(item) = d.next() {
            assert_eq!(i + 1, 1003, "refused after {} bytes", i + 1);
            assert_eq!(item.unwrap_err().kind, ParseErrorKind::TooLarge);
            return;
        }
    }
    panic!("an endless head was never refused");
}
