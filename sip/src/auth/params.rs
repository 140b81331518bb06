//! The `Digest k=v, k="quoted", ...` header-value grammar (RFC 3261 §25.1,
//! RFC 7616 §3): parsing into [`AuthParam`]s and printing them back.
//!
//! Parsing is total: any input yields either parameters or an
//! [`AuthError`], never a panic. Printing never emits CR or LF, so values
//! taken from untrusted input cannot inject header lines.

use std::fmt;

use super::AuthError;
pub(crate) use crate::text::is_token;
use crate::text::is_token_char as is_token_byte;

/// An auth-param this crate does not interpret, kept so it can be printed
/// back (for example 3GPP `integrity-protected="yes"` or RFC 7616 `userhash`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuthParam {
    /// Parameter name as received; must be a token to be printed.
    pub name: String,
    /// Value with surrounding quotes removed and backslash escapes resolved.
    pub value: String,
    /// Whether the value is sent as a quoted-string. Values that are not
    /// tokens are always quoted when printed.
    pub quoted: bool,
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    /// Skips linear white space (`*WSP` with optional `CRLF 1*WSP` folds).
    /// Returns whether anything was skipped.
    fn skip_lws(&mut self) -> bool {
        let start = self.pos;
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t')) {
                self.pos += 1;
            }
            let rest = &self.s.as_bytes()[self.pos..];
            if rest.len() >= 3 && rest[..2] == *b"\r\n" && matches!(rest[2], b' ' | b'\t') {
                self.pos += 2;
                continue;
            }
            break;
        }
        self.pos > start
    }

    /// Consumes a (possibly empty) token.
    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_token_byte) {
            self.pos += 1;
        }
        // Token bytes are ASCII, so both ends are char boundaries.
        &self.s[start..self.pos]
    }

    /// Consumes a quoted-string (cursor on the opening quote) and returns its
    /// unescaped content. Folded line breaks are removed, keeping the WSP.
    fn quoted(&mut self) -> Result<String, AuthError> {
        debug_assert_eq!(self.peek(), Some(b'"'));
        let mut out = String::new();
        let mut chars = self.s[self.pos + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += 1 + i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, e)) if e.is_ascii() && e != '\r' && e != '\n' => out.push(e),
                    _ => return Err(AuthError::malformed("invalid escape in quoted-string")),
                },
                '\r' => match (chars.next(), chars.next()) {
                    (Some((_, '\n')), Some((_, w @ (' ' | '\t')))) => out.push(w),
                    _ => return Err(AuthError::malformed("line break in quoted-string")),
                },
                '\t' => out.push(c),
                c if c.is_ascii_control() => {
                    return Err(AuthError::malformed("control character in quoted-string"));
                }
                c => out.push(c),
            }
        }
        Err(AuthError::malformed("unterminated quoted-string"))
    }
}

/// Parses a `Digest` credentials or challenge header value into its
/// parameters, in order. The scheme is matched case-insensitively; any other
/// scheme yields [`AuthError::UnsupportedScheme`] without looking further.
pub(crate) fn parse_digest(input: &str) -> Result<Vec<AuthParam>, AuthError> {
    let mut c = Cursor { s: input, pos: 0 };
    c.skip_lws();
    let scheme = c.token();
    if scheme.is_empty() {
        return Err(AuthError::malformed("missing auth-scheme"));
    }
    if !scheme.eq_ignore_ascii_case("Digest") {
        return Err(AuthError::UnsupportedScheme(scheme.to_owned()));
    }
    let mut params = Vec::new();
    let separated = c.skip_lws();
    if c.at_end() {
        return Ok(params);
    }
    if !separated {
        return Err(AuthError::malformed(
            "expected white space after auth-scheme",
        ));
    }
    loop {
        // Empty list elements (`a=b, , c=d`) are tolerated, as RFC 9110 §5.6.1 asks.
        c.skip_lws();
        if c.peek() == Some(b',') {
            c.pos += 1;
            continue;
        }
        if c.at_end() {
            return Ok(params);
        }
        let name = c.token();
        if name.is_empty() {
            return Err(AuthError::malformed("expected parameter name"));
        }
        c.skip_lws();
        if c.peek() != Some(b'=') {
            return Err(AuthError::malformed("expected '=' after parameter name"));
        }
        c.pos += 1;
        c.skip_lws();
        let (value, quoted) = if c.peek() == Some(b'"') {
            (c.quoted()?, true)
        } else {
            let v = c.token();
            if v.is_empty() {
                return Err(AuthError::malformed(
                    "expected token or quoted-string value",
                ));
            }
            (v.to_owned(), false)
        };
        params.push(AuthParam {
            name: name.to_owned(),
            value,
            quoted,
        });
        c.skip_lws();
        match c.peek() {
            None => return Ok(params),
            Some(b',') => c.pos += 1,
            Some(_) => return Err(AuthError::malformed("expected ',' between parameters")),
        }
    }
}

/// Stores `value` in `slot`, rejecting a second occurrence of a parameter.
pub(crate) fn set_once<T>(slot: &mut Option<T>, value: T) -> Result<(), AuthError> {
    if slot.is_some() {
        return Err(AuthError::malformed("duplicate parameter"));
    }
    *slot = Some(value);
    Ok(())
}

/// Writes `Digest p1, p2, ...`, inserting the separators.
pub(crate) struct ParamWriter<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    first: bool,
}

impl<'a, 'b> ParamWriter<'a, 'b> {
    pub(crate) fn new(f: &'a mut fmt::Formatter<'b>) -> Result<Self, fmt::Error> {
        f.write_str("Digest")?;
        Ok(Self { f, first: true })
    }

    fn sep(&mut self) -> fmt::Result {
        let s = if self.first { " " } else { ", " };
        self.first = false;
        self.f.write_str(s)
    }

    /// `name="value"` with escaping.
    pub(crate) fn quoted(&mut self, name: &str, value: &str) -> fmt::Result {
        self.sep()?;
        write!(self.f, "{name}=")?;
        write_quoted(self.f, value)
    }

    /// `name=value` for values that are tokens by construction.
    pub(crate) fn token(&mut self, name: &str, value: impl fmt::Display) -> fmt::Result {
        self.sep()?;
        write!(self.f, "{name}={value}")
    }

    /// An uninterpreted parameter. Parameters whose name is not a token or
    /// collides with one of `known` are skipped, since printing them would
    /// produce an unparseable header.
    pub(crate) fn other(&mut self, p: &AuthParam, known: &[&str]) -> fmt::Result {
        if !is_token(&p.name) || known.iter().any(|k| k.eq_ignore_ascii_case(&p.name)) {
            return Ok(());
        }
        if p.quoted || !is_token(&p.value) {
            self.quoted(&p.name, &p.value)
        } else {
            self.token(&p.name, &p.value)
        }
    }
}

/// Writes `s` as a quoted-string. `"` and `\` and control characters other
/// than HTAB are backslash-escaped; CR and LF, which no quoted-string can
/// carry, are replaced by a space.
fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    use fmt::Write as _;
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '\r' | '\n' => f.write_char(' ')?,
            '"' | '\\' => {
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            '\t' => f.write_char(c)?,
            c if c.is_ascii_control() => {
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn p(name: &str, value: &str, quoted: bool) -> AuthParam {
        AuthParam {
            name: name.into(),
            value: value.into(),
            quoted,
        }
    }

    #[test]
    fn tokens_and_quoted_strings() {
        let got = parse_digest("digest  a=b,c = \"x\\\"y\\\\z\" ,\r\n\td=\"\"").unwrap();
        assert_eq!(
            got,
            vec![
                p("a", "b", false),
                p("c", "x\"y\\z", true),
                p("d", "", true)
            ]
        );
    }

    #[test]
    fn folded_line_inside_quoted_string_keeps_the_space() {
        let got = parse_digest("Digest a=\"x\r\n y\"").unwrap();
        assert_eq!(got, vec![p("a", "x y", true)]);
    }

    #[test]
    fn utf8_in_quoted_string() {
        let got = parse_digest("Digest username=\"J\u{fc}rgen \u{1F600}\"").unwrap();
        assert_eq!(got, vec![p("username", "J\u{fc}rgen \u{1F600}", true)]);
    }

    #[test]
    fn empty_list_elements_are_tolerated() {
        let got = parse_digest("Digest , a=b,, c=d ,").unwrap();
        assert_eq!(got, vec![p("a", "b", false), p("c", "d", false)]);
    }

    #[test]
    fn scheme_only() {
        assert_eq!(parse_digest("  Digest  ").unwrap(), vec![]);
    }

    #[test]
    fn other_scheme_is_distinct_error() {
        assert_eq!(
            parse_digest("NoOneKnowsThisScheme opaque-data=here"),
            Err(AuthError::UnsupportedScheme("NoOneKnowsThisScheme".into()))
        );
        assert_eq!(
            parse_digest("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
            Err(AuthError::UnsupportedScheme("Basic".into()))
        );
        assert_eq!(
            parse_digest("Digesta=b"),
            Err(AuthError::UnsupportedScheme("Digesta".into()))
        );
    }

    #[test]
    fn malformed_inputs() {
        for bad in [
            "",
            "   ",
            "\"Digest\"",
            "Digest=a",
            "Digest a",
            "Digest a=",
            "Digest a=\"unterminated",
            "Digest a=\"bad\\\r\"",
            "Digest a=\"x\ny\"",
            "Digest a=\"x\r\ny\"",
            "Digest a=\"nul\u{0}\"",
            "Digest a=b c=d",
            "Digest a=b, Digest c=d",
            "Digest a=b/c",
            "Digest a=\"b\"c",
        ] {
            assert!(
                matches!(parse_digest(bad), Err(AuthError::Malformed { .. })),
                "{bad:?} -> {:?}",
                parse_digest(bad)
            );
        }
    }

    #[test]
    fn set_once_rejects_duplicates() {
        let mut slot = None;
        set_once(&mut slot, 1).unwrap();
        assert!(matches!(
            set_once(&mut slot, 2),
            Err(AuthError::Malformed { .. })
        ));
    }

    struct Show<'a>(&'a [AuthParam]);
    impl fmt::Display for Show<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let mut w = ParamWriter::new(f)?;
            for p in self.0 {
                w.other(p, &["realm"])?;
            }
            Ok(())
        }
    }

    #[test]
    fn printing_escapes_and_never_emits_line_breaks() {
        let params = [
            p("a", "tok", false),
            p("b", "tok", true),
            p("c", "needs quotes", false),
            p("d", "q\"b\\\r\n\u{1}", true),
            p("bad name", "x", false),
            p("REALM", "dup", true),
        ];
        let s = Show(&params).to_string();
        assert_eq!(
            s,
            "Digest a=tok, b=\"tok\", c=\"needs quotes\", d=\"q\\\"b\\\\  \\\u{1}\""
        );
        assert!(!s.contains(['\r', '\n']));
        let back = parse_digest(&s).unwrap();
        assert_eq!(back[3], p("d", "q\"b\\  \u{1}", true));
    }
}
