//! Generic `;name=value` parameter lists, as used by URIs, Via, name-addr headers and
//! media types. Names compare case-insensitively; values are kept exactly as received
//! (a quoted value keeps its quotes) so that printing reproduces the input.

use std::fmt;

use crate::text::{find_any, is_token, quoted_len, trim_lws, unquote};

/// One parameter: a name and an optional raw value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The parameter name as received.
    pub name: String,
    /// The raw value (quotes included when it was a quoted string), or `None` for a flag.
    pub value: Option<String>,
}

/// An ordered parameter list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<Param>);

/// Why a parameter list did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamsError {
    /// `;;` or a trailing `;`.
    Empty,
    /// A name or value with characters the grammar does not allow.
    BadChar,
    /// An unterminated quoted string.
    Unterminated,
}

/// How strict the value grammar is: header parameters allow quoted strings and hosts,
/// URI parameters allow the URI `paramchar` set and percent escapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamSyntax {
    /// `generic-param` of header fields: token / host / quoted-string, LWS around `;` and `=`.
    Header,
    /// `uri-parameter`: paramchar only, no white space, no quotes.
    Uri,
}

impl Params {
    /// An empty list.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Parses `;a=b;c` (the leading `;` included) with the given syntax.
    pub(crate) fn parse(s: &str, syntax: ParamSyntax) -> Result<Self, ParamsError> {
        let mut out = Vec::new();
        let mut rest = s;
        loop {
            rest = match syntax {
                ParamSyntax::Header => trim_lws(rest),
                ParamSyntax::Uri => rest,
            };
            if rest.is_empty() {
                return Ok(Self(out));
            }
            let Some(after) = rest.strip_prefix(';') else {
                return Err(ParamsError::BadChar);
            };
            let (param, tail) = take_param(after, syntax)?;
            out.push(param);
            rest = tail;
        }
    }

    /// Looks a parameter up by name (case-insensitive); `Some(None)` for a flag.
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.0
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_deref())
    }

    /// The value of a parameter with quotes removed.
    pub fn get_unquoted(&self, name: &str) -> Option<String> {
        self.get(name).flatten().map(|v| {
            if v.starts_with('"') {
                unquote(v)
            } else {
                v.to_owned()
            }
        })
    }

    /// Whether the parameter is present (with or without a value).
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets (replacing) a parameter.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        let value = value.map(str::to_owned);
        match self
            .0
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        {
            Some(p) => p.value = value,
            None => self.0.push(Param {
                name: name.to_owned(),
                value,
            }),
        }
    }

    /// Removes a parameter.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|p| !p.name.eq_ignore_ascii_case(name));
    }

    /// Iterates the parameters in order.
    pub fn iter(&self) -> impl Iterator<Item = &Param> {
        self.0.iter()
    }

    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn take_param(s: &str, syntax: ParamSyntax) -> Result<(Param, &str), ParamsError> {
    let lws = syntax == ParamSyntax::Header;
    let s = if lws { trim_lws(s) } else { s };
    let name_end = find_any(s, b";= \t").unwrap_or(s.len());
    let name = &s[..name_end];
    if name.is_empty() {
        return Err(ParamsError::Empty);
    }
    let name_ok = match syntax {
        ParamSyntax::Header => is_token(name),
        ParamSyntax::Uri => name.bytes().all(is_uri_paramchar),
    };
    if !name_ok {
        return Err(ParamsError::BadChar);
    }
    let mut rest = &s[name_end..];
    if lws {
        rest = trim_lws(rest);
    }
    let Some(after_eq) = rest.strip_prefix('=') else {
        let param = Param {
            name: name.to_owned(),
            value: None,
        };
        return Ok((param, rest));
    };
    let v = if lws { trim_lws(after_eq) } else { after_eq };
    let (value, tail) = take_value(v, syntax)?;
    let param = Param {
        name: name.to_owned(),
        value: Some(value.to_owned()),
    };
    Ok((param, tail))
}

fn take_value(v: &str, syntax: ParamSyntax) -> Result<(&str, &str), ParamsError> {
    if syntax == ParamSyntax::Header && v.starts_with('"') {
        let n = quoted_len(v).ok_or(ParamsError::Unterminated)?;
        return Ok((&v[..n], &v[n..]));
    }
    let end = find_any(v, b"; \t").unwrap_or(v.len());
    let value = &v[..end];
    let ok = match syntax {
        // gen-value = token / host / quoted-string; hosts add `:` `[` `]`
        ParamSyntax::Header => value
            .bytes()
            .all(|c| crate::text::is_token_char(c) || matches!(c, b':' | b'[' | b']')),
        ParamSyntax::Uri => value.bytes().all(is_uri_paramchar),
    };
    if value.is_empty() || !ok {
        return Err(ParamsError::BadChar);
    }
    Ok((value, &v[end..]))
}

/// `paramchar` of SIP URIs: unreserved, escaped and `[ ] / : & + $`.
fn is_uri_paramchar(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'-' | b'_'
                | b'.'
                | b'!'
                | b'~'
                | b'*'
                | b'\''
                | b'('
                | b')'
                | b'%'
                | b'['
                | b']'
                | b'/'
                | b':'
                | b'&'
                | b'+'
                | b'$'
        )
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            match &p.value {
                Some(v) => write!(f, ";{}={}", p.name, v)?,
                None => write!(f, ";{}", p.name)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_params_allow_lws_and_quotes() {
        let p = Params::parse(
            " ; newparam =\t newvalue ;  secondparam ; q = 0.33",
            ParamSyntax::Header,
        );
        let p = p.unwrap_or_default();
        assert_eq!(p.get("NEWPARAM"), Some(Some("newvalue")));
        assert_eq!(p.get("secondparam"), Some(None));
        assert_eq!(p.to_string(), ";newparam=newvalue;secondparam;q=0.33");
        let q = Params::parse(r#";x="a;b\"c""#, ParamSyntax::Header).unwrap_or_default();
        assert_eq!(q.get_unquoted("x").as_deref(), Some(r#"a;b"c"#));
    }

    #[test]
    fn empty_params_are_rejected() {
        assert_eq!(
            Params::parse(";;", ParamSyntax::Header),
            Err(ParamsError::Empty)
        );
        assert_eq!(
            Params::parse(";a;", ParamSyntax::Header),
            Err(ParamsError::Empty)
        );
        assert_eq!(
            Params::parse("; lr", ParamSyntax::Uri),
            Err(ParamsError::Empty)
        );
    }
}
