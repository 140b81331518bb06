//! The GPT-2 byte-level token alphabet. Byte-level BPE vocabularies (Whisper's `vocabulary.txt`
//! and `tokenizer.json`) spell every byte as a printable character: bytes that are printable
//! Latin-1 stand for themselves, the other 68 are shifted to U+0100…U+0143. whisper.cpp wants
//! the raw bytes, so each token is mapped back.

/// The byte each character stands for (the inverse of GPT-2's `bytes_to_unicode`).
fn char_to_byte(c: char) -> Option<u8> {
    let cp = u32::from(c);
    let printable = |b: u32| {
        (0x21..=0x7e).contains(&b) || (0xa1..=0xac).contains(&b) || (0xae..=0xff).contains(&b)
    };
    if printable(cp) {
        return u8::try_from(cp).ok();
    }
    let shifted = cp.checked_sub(0x100)?;
    // The n-th non-printable byte (in byte order) is spelled U+0100 + n.
    let mut n = 0u32;
    for b in 0u32..256 {
        if !printable(b) {
            if n == shifted {
                return u8::try_from(b).ok();
            }
            n += 1;
        }
    }
    None
}

/// Decodes one byte-level token to its bytes; `None` if it has a character outside the alphabet.
pub fn decode_token(token: &str) -> Option<Vec<u8>> {
    token.chars().map(char_to_byte).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn every_byte_has_exactly_one_character() {
        let mut seen = [false; 256];
        let mut chars = 0;
        for cp in 0u32..0x200 {
            if let Some(b) = char::from_u32(cp).and_then(char_to_byte) {
                assert!(!seen[usize::from(b)], "byte {b} twice");
                seen[usize::from(b)] = true;
                chars += 1;
            }
        }
        assert_eq!(chars, 256);
    }

    #[test]
    fn whisper_tokens_decode_to_their_bytes() {
        assert_eq!(decode_token("Ġgazed").unwrap(), b" gazed");
        assert_eq!(decode_token("hello").unwrap(), b"hello");
        assert_eq!(decode_token("Ċ").unwrap(), b"\n");
        assert_eq!(decode_token("Ā").unwrap(), [0u8]);
        // "场" (U+573A) is E5 9C BA in UTF-8, spelled "åľº" in the vocabulary.
        assert_eq!(decode_token("åľº").unwrap(), "场".as_bytes());
        assert_eq!(decode_token("").unwrap(), b"");
        assert_eq!(decode_token("<|en|>").unwrap(), b"<|en|>");
        assert!(decode_token("\u{0144}").is_none());
        assert!(decode_token("中").is_none());
    }
}
