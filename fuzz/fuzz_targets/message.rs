//! `Message::parse` on arbitrary datagrams. Must never panic; a message that parses must
//! print to bytes that parse back to an equal message; a rejected request's error response
//! must build without panicking; and the stream decoder must not panic on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::{Limits, Message, StreamDecoder};

fuzz_target!(|data: &[u8]| {
    match Message::parse(data) {
        Ok(m) => {
            let printed = m.to_bytes();
            let again = Message::parse(&printed);
            assert_eq!(
                again.as_ref(),
                Ok(&m),
                "reprinted message differs:\n{}",
                String::from_utf8_lossy(&printed)
            );
        }
        Err(e) => {
            let _ = e.status();
            let _ = e.error_response();
        }
    }

    let mut d = StreamDecoder::new(Limits::default());
    d.push(data);
    for _ in 0..data.len() + 2 {
        if d.next().is_none() {
            return;
        }
    }
    panic!("StreamDecoder::next yielded more items than there are bytes");
});
