//! `StreamDecoder` fed in chunks. The first bytes of the input choose the chunk sizes and
//! the limits; the rest is the stream. Must never panic, and must yield exactly what one
//! push of the whole stream yields (chunk boundaries do not matter on TCP).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::{Limits, ParseError, StreamDecoder, StreamItem};

type Items = Vec<Result<StreamItem, ParseError>>;

fn drain(d: &mut StreamDecoder, out: &mut Items, budget: &mut usize) {
    while let Some(item) = d.next() {
        out.push(item);
        *budget = budget
            .checked_sub(1)
            .expect("StreamDecoder::next yielded more items than there are bytes");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&[sizes_seed, limit_seed], stream)) = data.split_first_chunk::<2>() else {
        return;
    };
    // Tight limits one time in four, so that the TooLarge paths are reached too.
    let limits = if limit_seed & 3 == 0 {
        Limits {
            max_head: usize::from(limit_seed) * 4,
            max_body: usize::from(sizes_seed) * 2,
            max_headers: usize::from(limit_seed >> 4),
            ..Limits::default()
        }
    } else {
        Limits::default()
    };

    let mut whole = Items::new();
    let mut budget = stream.len() + 2;
    let mut d = StreamDecoder::new(limits.clone());
    d.push(stream);
    drain(&mut d, &mut whole, &mut budget);

    let mut chunked = Items::new();
    let mut budget = stream.len() + 2;
    let mut d = StreamDecoder::new(limits);
    let mut rest = stream;
    let mut state = u32::from(sizes_seed) | 1;
    while !rest.is_empty() {
        // A small xorshift picks sizes from 1 to 64 bytes.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state % 64 + 1) as usize;
        let (chunk, tail) = rest.split_at(n.min(rest.len()));
        d.push(chunk);
        drain(&mut d, &mut chunked, &mut budget);
        rest = tail;
    }
    drain(&mut d, &mut chunked, &mut budget);

    assert_eq!(chunked, whole, "the split changed what the decoder yields");
});
