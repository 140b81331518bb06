//! `{name}` placeholders in prompts, URLs and `set` values.

use std::collections::HashMap;

/// The placeholder names in `text`, in order (`{order}`, `{status.eta}`).
pub fn names(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| {
        let name = rest.split_once('}')?.0;
        super::parse::valid_name(name).then_some(name)
    })
}

/// `text` with each placeholder replaced by its variable's value (empty when unset);
/// `url` percent-encodes the values, so a caller's words cannot change a URL's path or query.
pub fn expand(text: &str, vars: &HashMap<String, String>, url: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.split_once('}') {
            Some((name, tail)) if super::parse::valid_name(name) => {
                let value = vars.get(name).map(String::as_str).unwrap_or("");
                if url {
                    encode_into(value, &mut out);
                } else {
                    out.push_str(value);
                }
                rest = tail;
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn encode_into(value: &str, out: &mut String) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn placeholders_are_found_and_filled() {
        let t = "Order {order} is {status.state}; {not a name} {";
        assert_eq!(names(t).collect::<Vec<_>>(), ["order", "status.state"]);
        let vars = HashMap::from([
            ("order".to_string(), "4711".to_string()),
            ("status.state".to_string(), "on its way".to_string()),
        ]);
        assert_eq!(
            expand(t, &vars, false),
            "Order 4711 is on its way; {not a name} {"
        );
    }

    #[test]
    fn url_values_cannot_escape_their_place() {
        let vars = HashMap::from([("order".to_string(), "1/../admin?x=1#".to_string())]);
        assert_eq!(
            expand("http://h/orders/{order}", &vars, true),
            "http://h/orders/1%2F..%2Fadmin%3Fx%3D1%23"
        );
    }
}
