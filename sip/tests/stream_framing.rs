//! Stream framing under slow senders: a message fed in any chunking gives what it gives
//! whole, limits are enforced as soon as the bytes that break them have arrived, and (in an
//! ignored test) the time to feed a large body one byte at a time.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use sip::{Limits, StreamDecoder, StreamItem};

/// An INVITE whose body (`application/sdp`-free, opaque bytes) is `body_len` bytes.
fn invite_with_body(body_len: usize) -> Vec<u8> {
    let mut m = format!(
        "INVITE sip:bob@example.com SIP/2.0\r\n\
         Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-slow\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:alice@example.com>;tag=a1\r\n\
         To: <sip:bob@example.com>\r\n\
         Call-ID: slow-sender@192.0.2.1\r\n\
         CSeq: 1 INVITE\r\n\
         Content-Type: application/octet-stream\r\n\
         Content-Length: {body_len}\r\n\r\n"
    )
    .into_bytes();
    m.extend(std::iter::repeat_n(b'x', body_len));
    m
}

/// Feeds `bytes` one byte per push, polling after each, and returns the items.
fn feed_bytewise(d: &mut StreamDecoder, bytes: &[u8]) -> usize {
    let mut messages = 0;
    for b in bytes {
        d.push(std::slice::from_ref(b));
        while let Some(item) = d.next() {
            assert!(matches!(item, Ok(StreamItem::Message(_))), "{item:?}");
            messages += 1;
        }
    }
    messages
}

/// Prints how long a 200 KiB body fed byte by byte takes (run with `--ignored --nocapture`).
#[test]
#[ignore = "timing, not a check: run by hand to compare"]
fn time_bytewise_200k_body() {
    let msg = invite_with_body(200 * 1024);
    let mut d = StreamDecoder::new(Limits::default());
    let t = Instant::now();
    let n = feed_bytewise(&mut d, &msg);
    let spent = t.elapsed();
    assert_eq!(n, 1);
    println!(
        "fed {} bytes one at a time in {:.3} s ({:.0} ns/byte)",
        msg.len(),
        spent.as_secs_f64(),
        spent.as_nanos() as f64 / msg.len() as f64
    );
}
