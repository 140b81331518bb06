//! Stream framing under slow senders: a message fed in any chunking gives what it gives
//! whole, limits are enforced as soon as the bytes that break them have arrived, and (in an
//! ignored test) the time to feed a large body one byte at a time.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use proptest::collection::btree_set;
use proptest::prelude::*;
use sip::{Limits, Message, ParseError, StreamDecoder, StreamItem};

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

type Items = Vec<Result<StreamItem, ParseError>>;

/// Pushes `bytes` cut at `cuts` (offsets, any order, out-of-range ones ignored), draining
/// the decoder after every push.
fn feed_cut(bytes: &[u8], cuts: &[usize], limits: &Limits) -> Items {
    let mut d = StreamDecoder::new(limits.clone());
    let mut out = Vec::new();
    let mut points: Vec<usize> = cuts.iter().copied().filter(|&c| c < bytes.len()).collect();
    points.push(bytes.len());
    points.sort_unstable();
    let mut from = 0;
    for to in points {
        d.push(&bytes[from..to]);
        from = to;
        while let Some(item) = d.next() {
            out.push(item);
        }
    }
    out
}

/// A request with `headers` extension headers of `value_len` bytes each and a body of
/// `body_len` bytes (Content-Type chosen by `sdp`), followed by a CRLF ping.
fn stream_of(headers: usize, value_len: usize, body_len: usize, sdp: bool) -> Vec<u8> {
    let extra: String = (0..headers)
        .map(|i| format!("X-H{i}: {}\r\n", "v".repeat(value_len)))
        .collect();
    let ctype = if sdp { "application/sdp" } else { "text/plain" };
    let mut m = format!(
        "MESSAGE sip:bob@example.com SIP/2.0\r\n\
         Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK-p\r\n\
         From: <sip:alice@example.com>;tag=a\r\n\
         To: <sip:bob@example.com>\r\n\
         Call-ID: prop@192.0.2.1\r\n\
         CSeq: 7 MESSAGE\r\n\
         {extra}Content-Type: {ctype}\r\n\
         Content-Length: {body_len}\r\n\r\n"
    )
    .into_bytes();
    m.extend((0..body_len).map(|i| b'a' + (i % 26) as u8));
    m
}

fn limits() -> impl Strategy<Value = Limits> {
    prop_oneof![
        2 => Just(Limits::default()),
        3 => (100usize..1500, 0usize..3000, 4usize..40, 10usize..400, 0usize..3000).prop_map(
            |(max_head, max_body, max_headers, max_header_value, max_sdp_body)| Limits {
                max_head,
                max_body,
                max_headers,
                max_header_value,
                max_sdp_body,
                ..Limits::default()
            }
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Any message, cut anywhere into any number of pushes (single bytes included), gives
    /// the same items as pushed whole; and the message is what the datagram parser makes
    /// of the same bytes, or fails the same way.
    #[test]
    fn chunking_never_changes_the_outcome(
        headers in 0usize..30,
        value_len in 0usize..200,
        body_len in 0usize..2500,
        sdp in any::<bool>(),
        cuts in btree_set(0usize..12_000, 0..40),
        bytewise in any::<bool>(),
        limits in limits(),
    ) {
        let msg = stream_of(headers, value_len, body_len, sdp);
        let mut bytes = msg.clone();
        bytes.extend_from_slice(b"\r\n\r\n");
        let whole = feed_cut(&bytes, &[], &limits);
        let cuts: Vec<usize> = if bytewise {
            (1..bytes.len()).collect()
        } else {
            cuts.into_iter().collect()
        };
        prop_assert_eq!(&feed_cut(&bytes, &cuts, &limits), &whole);
        let datagram = Message::parse_with(&msg, &limits);
        match (whole.first(), datagram) {
            (Some(Ok(StreamItem::Message(m))), Ok(d)) => {
                prop_assert_eq!(m.as_ref(), &d);
                prop_assert_eq!(whole.get(1), Some(&Ok(StreamItem::KeepAlive)));
            }
            (Some(Err(e)), Err(d)) => prop_assert_eq!(&e.kind, &d.kind),
            (s, d) => prop_assert!(false, "stream {:?} but datagram {:?}", s, d),
        }
    }
}
