//! Lexical rules of RFC 3261 §25 shared by every parser in the crate: character classes,
//! linear white space, quoted strings, and comma-separated lists.
//!
//! Everything here works on already-unfolded header values (line folding is undone by the
//! message parser), so linear white space is just runs of SP and HTAB.

/// `token` characters (RFC 3261 §25.1).
pub(crate) fn is_token_char(c: u8) -> bool {
    TOKEN_CHARS[usize::from(c)]
}

/// [`is_token_char`] as a table: it runs on every byte of every name and token.
static TOKEN_CHARS: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
            );
        i += 1;
    }
    t
};

/// `word` characters (Call-ID): token characters plus a few separators.
pub(crate) fn is_word_char(c: u8) -> bool {
    is_token_char(c)
        || matches!(
            c,
            b'(' | b')'
                | b'<'
                | b'>'
                | b':'
                | b'\\'
                | b'"'
                | b'/'
                | b'['
                | b']'
                | b'?'
                | b'{'
                | b'}'
        )
}

/// Whether `s` is a non-empty token.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// Whether `s` is a non-empty word.
pub(crate) fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_word_char)
}

/// SP or HTAB.
pub(crate) fn is_wsp(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Trims SP and HTAB on both ends.
pub(crate) fn trim_lws(s: &str) -> &str {
    // Byte scans: `trim_matches` with a char set goes through the generic pattern code,
    // which showed up in parse profiles. Both ends are next to ASCII bytes, so they are
    // char boundaries and `get` always succeeds.
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !is_wsp(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| !is_wsp(c)).map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or_default()
}

/// Trims SP and HTAB at the end.
pub(crate) fn trim_lws_end(s: &str) -> &str {
    let end = s.bytes().rposition(|c| !is_wsp(c)).map_or(0, |i| i + 1);
    s.get(..end).unwrap_or_default()
}

/// Offset of the first `b` (an ASCII byte) in `s`. Byte scans beat `str::find(char)` on the
/// short strings of header values: the char searcher confirms each hit with a `memcmp`.
pub(crate) fn find_byte(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|c| c == b)
}

/// `str::split_once` on an ASCII byte: the text before and after its first occurrence.
pub(crate) fn split_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = find_byte(s, b)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// Offset of the first byte of `s` that is in the ASCII set `set` (a byte-wise
/// `str::find` with a char array).
pub(crate) fn find_any(s: &str, set: &[u8]) -> Option<usize> {
    s.bytes().position(|c| set.contains(&c))
}

/// Length of the quoted string at the start of `s` (which must begin with `"`), including both
/// quotes. `None` when the string is not terminated or contains a bare CR/LF.
pub(crate) fn quoted_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Some(i + 1),
            // quoted-pair: any octet but CR and LF may follow the backslash
            b'\\' => {
                let next = *b.get(i + 1)?;
                if next == b'\r' || next == b'\n' {
                    return None;
                }
                i += 2;
            }
            b'\r' | b'\n' => return None,
            _ => i += 1,
        }
    }
    None
}

/// Removes the quotes and backslash escapes of a complete quoted string.
pub(crate) fn unquote(s: &str) -> String {
    let inner = s
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(s);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Quotes `s` as a quoted-string, escaping `"` and `\`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Splits a header value on top-level commas: commas inside quoted strings and angle
/// brackets do not split. Elements are trimmed of LWS; empty elements are kept (callers
/// decide whether they are an error). `None` when a quoted string is unterminated.
pub(crate) fn split_commas(s: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let (mut start, mut i, mut angle) = (0, 0, false);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += quoted_len(&s[i..])?;
                continue;
            }
            b'<' => angle = true,
            b'>' => angle = false,
            b',' if !angle => {
                out.push(trim_lws(&s[start..i]));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(trim_lws(&s[start..]));
    Some(out)
}

/// Whether `s` is a valid percent-escaped string: every `%` is followed by two hex digits.
pub(crate) fn escapes_valid(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// Decodes percent escapes (already validated) into bytes.
pub(crate) fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Parses an unsigned decimal made only of digits (leading zeros allowed) into `u64`,
/// `None` on any other character, emptiness or overflow.
pub(crate) fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.bytes().try_fold(0u64, |acc, c| {
        acc.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings() {
        assert_eq!(quoted_len(r#""a\"b" rest"#), Some(6));
        assert_eq!(quoted_len(r#""unterminated"#), None);
        assert_eq!(unquote(r#""J Rosenberg \\\"""#), r#"J Rosenberg \""#);
        assert_eq!(quote(r#"a"b\"#), r#""a\"b\\""#);
    }

    #[test]
    fn comma_lists() {
        let v = split_commas(r#"<sip:a@b>;x="1,2", "x, y" <sip:c>, d"#).unwrap_or_default();
        assert_eq!(v, vec![r#"<sip:a@b>;x="1,2""#, r#""x, y" <sip:c>"#, "d"]);
        assert_eq!(split_commas(";;,;,,").map(|v| v.len()), Some(4));
    }

    #[test]
    fn escapes_and_digits() {
        assert!(escapes_valid("cal%6Cer"));
        assert!(!escapes_valid("a%Zb"));
        assert!(!escapes_valid("a%4"));
        assert_eq!(unescape("%75se%72"), b"user");
        assert_eq!(parse_digits("0068"), Some(68));
        assert_eq!(parse_digits("36893488147419103232"), None);
        assert_eq!(parse_digits("-1"), None);
    }
}
