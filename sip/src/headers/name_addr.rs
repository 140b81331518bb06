//! `name-addr` / `addr-spec` values with header parameters: From, To, Contact, Route,
//! Record-Route, Refer-To, Reply-To (RFC 3261 §20, §25.1).

use std::fmt;

use super::HeaderError;
use crate::params::{ParamSyntax, Params};
use crate::text::{
    find_byte, is_token_char, is_wsp, quote, quoted_len, split_commas, split_once_byte, trim_lws,
    unquote,
};
use crate::uri::Uri;

/// An address with an optional display name and header parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name without quotes or escapes.
    pub display: Option<String>,
    /// The URI.
    pub uri: Uri,
    /// Header parameters (`;tag=…`, `;expires=…`).
    pub params: Params,
}

impl NameAddr {
    /// An address with no display name and no parameters.
    pub fn new(uri: Uri) -> Self {
        Self {
            display: None,
            uri,
            params: Params::new(),
        }
    }

    /// Parses one value (not a comma-separated list).
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        let s = trim_lws(s);
        if s.is_empty() {
            return Err(HeaderError::Empty);
        }
        match display_name_end(s)? {
            Some((display, rest)) => parse_bracketed(display, rest),
            None => parse_addr_spec(s),
        }
    }

    /// Parses a comma-separated list of values.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, HeaderError> {
        split_commas(s)
            .ok_or(HeaderError::Quote)?
            .into_iter()
            .map(NameAddr::parse)
            .collect()
    }

    /// The `tag` parameter.
    pub fn tag(&self) -> Option<&str> {
        self.params.get("tag").flatten()
    }

    /// Sets the `tag` parameter.
    pub fn set_tag(&mut self, tag: &str) {
        self.params.set("tag", Some(tag));
    }
}

/// Finds where a name-addr's `<` is. Returns the raw display name (possibly empty) and the
/// text from `<` on, or `None` when the value is a bare addr-spec.
fn display_name_end(s: &str) -> Result<Option<(&str, &str)>, HeaderError> {
    if s.starts_with('"') {
        let n = quoted_len(s).ok_or(HeaderError::Quote)?;
        let rest = trim_lws(&s[n..]);
        if !rest.starts_with('<') {
            return Err(HeaderError::NameAddr);
        }
        return Ok(Some((&s[..n], rest)));
    }
    if s.starts_with('<') {
        return Ok(Some(("", s)));
    }
    // `*(token LWS) <`: a display name made of tokens, or a bare addr-spec (which starts
    // with a scheme and contains a `:` before any `<`).
    let Some(lt) = find_byte(s, b'<') else {
        return Ok(None);
    };
    let display = trim_lws(&s[..lt]);
    if display.bytes().all(|c| is_token_char(c) || is_wsp(c)) {
        return Ok(Some((display, &s[lt..])));
    }
    // A `<` after something that is not a token sequence: a bare addr-spec cannot hold `<`
    // either, so the value is malformed (RFC 4475 baddn: `Bell, Alexander <sip:...>`).
    Err(HeaderError::NameAddr)
}

fn parse_bracketed(display: &str, rest: &str) -> Result<NameAddr, HeaderError> {
    let inner_and_after = rest.strip_prefix('<').ok_or(HeaderError::NameAddr)?;
    let (inner, after) = split_once_byte(inner_and_after, b'>').ok_or(HeaderError::NameAddr)?;
    // No LWS is allowed inside the brackets (RFC 4475 badaspec).
    if inner.bytes().next().is_some_and(is_wsp) || inner.bytes().last().is_some_and(is_wsp) {
        return Err(HeaderError::NameAddr);
    }
    let uri = Uri::parse(inner)?;
    let params = Params::parse(after, ParamSyntax::Header)?;
    let display = match display {
        "" => None,
        d if d.starts_with('"') => Some(unquote(d)),
        d => Some(
            d.split([' ', '\t'])
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        ),
    };
    Ok(NameAddr {
        display,
        uri,
        params,
    })
}

/// A bare addr-spec: the URI ends at the first `;` (which starts header parameters). Such
/// a URI cannot carry `?` headers or `,` (RFC 3261 §20: those need angle brackets).
fn parse_addr_spec(s: &str) -> Result<NameAddr, HeaderError> {
    let (uri, params) = match find_byte(s, b';') {
        Some(i) => (trim_lws(&s[..i]), &s[i..]),
        None => (s, ""),
    };
    if uri.contains(['?', ',']) {
        return Err(HeaderError::NameAddr);
    }
    let uri = Uri::parse(uri)?;
    let params = Params::parse(params, ParamSyntax::Header)?;
    Ok(NameAddr {
        display: None,
        uri,
        params,
    })
}

impl fmt::Display for NameAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.display {
            write!(f, "{} ", quote(d))?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

/// A Contact value: an address or `*` (REGISTER removal of all bindings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    /// `*`
    Star,
    /// An address with parameters.
    Addr(NameAddr),
}

impl Contact {
    /// Parses a Contact field value (a comma-separated list, or `*`).
    pub fn parse_list(s: &str) -> Result<Vec<Contact>, HeaderError> {
        if trim_lws(s) == "*" {
            return Ok(vec![Contact::Star]);
        }
        Ok(NameAddr::parse_list(s)?
            .into_iter()
            .map(Contact::Addr)
            .collect())
    }
}

impl fmt::Display for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Contact::Star => f.write_str("*"),
            Contact::Addr(a) => a.fmt(f),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rt(s: &str) -> NameAddr {
        let a = NameAddr::parse(s).unwrap();
        assert_eq!(NameAddr::parse(&a.to_string()).unwrap(), a, "{s}");
        a
    }

    #[test]
    fn forms() {
        let a = rt(r#""J Rosenberg \\\""       <sip:jdrosen@example.com>  ;  tag = 98asjd8"#);
        assert_eq!(a.display.as_deref(), Some(r#"J Rosenberg \""#));
        assert_eq!(a.tag(), Some("98asjd8"));
        let b = rt("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
        assert_eq!(b.tag(), Some("1918181833n"));
        let c = rt("caller<sip:caller@example.com>;tag=323");
        assert_eq!(c.display.as_deref(), Some("caller"));
        let d = rt("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;tag=x");
        assert_eq!(d.display.as_deref(), Some("token1~` token2'+_ token3*%!.-"));
        let e = rt("sip:+19725552222@gw1.example.net;unknownparam");
        assert!(e.params.contains("unknownparam"));
        let f = rt("<sip:user@example.com?Route=%3Csip:sip.example.com%3E>");
        assert!(f.uri.as_sip().is_some_and(|u| u.headers.len() == 1));
    }

    #[test]
    fn rejects() {
        for s in [
            r#""Mr. J. User <sip:j.user@example.com>"#,
            "\"Watson, Thomas\" < sip:t.watson@example.org >",
            "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
            "\"Joe\" <sip:joe@example.org>;;;;",
            "",
        ] {
            assert!(NameAddr::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn contact_lists() {
        let v = Contact::parse_list("<sip:a@b>;q=0.5, \"x, y\" <sip:c@d>").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(Contact::parse_list(" * ").unwrap(), vec![Contact::Star]);
    }
}
