//! The operator's webhook tools: a tool is relevant when the caller's words contain one of
//! its trigger words, and it is called (HTTP GET, `{value}` in its URL replaced) when they
//! also contain a value matching its parameter pattern — spoken digits ("one oh four two…")
//! are joined into a number first. The JSON answer becomes a passage the model answers from,
//! named `tool:NAME`. Deterministic on purpose: a 0.5B model's own tool calls are unreliable,
//! and a wrong lookup read to a caller is worse than asking for the number again.

use std::time::Duration;

use regex::Regex;

use super::settings::ToolSettings;
use super::words::{number_word, tokens};

/// A tool ready to use.
#[derive(Debug, Clone)]
pub(crate) struct Tool {
    pub(crate) name: String,
    url: String,
    triggers: Vec<String>,
    pattern: Regex,
    pub(crate) ask_for: String,
    reply: Option<String>,
    not_found_reply: Option<String>,
    timeout: Duration,
    headers: Vec<(String, String)>,
}

/// A tool setting could not be used.
#[derive(Debug, thiserror::Error)]
#[error("agent.tools `{name}`: parameter_pattern: {reason}")]
pub struct ToolError {
    name: String,
    reason: String,
}

/// What the tools make of a turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ToolUse {
    /// No tool is relevant.
    None,
    /// A tool's trigger was heard but no value: the agent asks for it unless the knowledge
    /// base answers the turn, and takes a value from the next turn.
    Triggered { tool: usize },
    /// Call tool `tool` with `value`.
    Call { tool: usize, value: String },
}

/// The result of calling a tool: what to say (the operator's reply template filled in), a
/// passage for the model to answer from, or why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ToolResult {
    Say(String),
    Passage(String),
    Failed(String),
}

impl Tool {
    pub(crate) fn new(s: &ToolSettings) -> Result<Tool, ToolError> {
        let pattern = Regex::new(&s.parameter_pattern).map_err(|e| ToolError {
            name: s.name.clone(),
            reason: e.to_string(),
        })?;
        Ok(Tool {
            name: s.name.clone(),
            url: s.url.clone(),
            triggers: s.triggers.iter().map(|t| t.to_lowercase()).collect(),
            pattern,
            ask_for: s.ask_for.clone(),
            reply: s.reply.clone(),
            not_found_reply: s.not_found_reply.clone(),
            timeout: Duration::from_millis(s.timeout_ms),
            headers: s.headers.clone().into_iter().collect(),
        })
    }

    fn triggered(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        self.triggers.iter().any(|t| contains_words(&lower, t))
    }

    fn value(&self, text: &str) -> Option<String> {
        self.pattern
            .find(&join_spoken_digits(text))
            .map(|m| m.as_str().to_string())
    }

    /// Calls the webhook; the answer's JSON object is flattened into `key: value` lines.
    pub(crate) fn call(&self, value: &str) -> ToolResult {
        let url = self.url.replace("{value}", value);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let mut req = agent.get(&url);
        for (name, value) in &self.headers {
            req = req.header(name.as_str(), value.as_str());
        }
        let mut resp = match req.call() {
            Ok(r) => r,
            Err(e) => return ToolResult::Failed(e.to_string()),
        };
        let status = resp.status().as_u16();
        let body: serde_json::Value = match resp.body_mut().read_json() {
            Ok(v) => v,
            Err(e) => return ToolResult::Failed(format!("status {status}, body: {e}")),
        };
        let template = match status {
            200..=299 => &self.reply,
            404 => &self.not_found_reply,
            _ => return ToolResult::Failed(format!("status {status}")),
        };
        if let Some(said) = template.as_deref().and_then(|t| fill(t, value, &body)) {
            return ToolResult::Say(said);
        }
        match status {
            404 => ToolResult::Passage(format!(
                "{}: nothing was found for {value}. {}",
                self.name,
                flatten(&body)
            )),
            _ => ToolResult::Passage(describe(&self.name, value, &body)),
        }
    }
}

/// Which tool this turn needs, given the tool asked about in the previous turn (`pending`),
/// whose value may now come without a trigger word.
pub(crate) fn select(tools: &[Tool], text: &str, pending: Option<usize>) -> ToolUse {
    if let Some(i) = pending
        && let Some(value) = tools.get(i).and_then(|t| t.value(text))
    {
        return ToolUse::Call { tool: i, value };
    }
    for (i, t) in tools.iter().enumerate() {
        if t.triggered(text) {
            return match t.value(text) {
                Some(value) => ToolUse::Call { tool: i, value },
                None => ToolUse::Triggered { tool: i },
            };
        }
    }
    ToolUse::None
}

/// A reply template filled from the JSON answer: `{value}` is the caller's value, `{field}`
/// a top-level field. A sentence whose field is missing or null is left out ("It travels
/// with {carrier}." for an order not yet shipped); `None` when nothing is left.
fn fill(template: &str, value: &str, body: &serde_json::Value) -> Option<String> {
    let field = |name: &str| -> Option<String> {
        if name == "value" {
            return Some(value.to_string());
        }
        match body.get(name)? {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) if s.trim().is_empty() => None,
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    };
    let mut out = Vec::new();
    'sentence: for sentence in crate::speech::tts::sentences(template) {
        let mut filled = String::new();
        let mut rest = sentence.as_str();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            filled.push_str(&rest[..open]);
            match field(&rest[open + 1..open + close]) {
                Some(v) => filled.push_str(&v),
                None => continue 'sentence,
            }
            rest = &rest[open + close + 1..];
        }
        filled.push_str(rest);
        out.push(filled);
    }
    (!out.is_empty()).then(|| out.join(" "))
}

fn describe(name: &str, value: &str, body: &serde_json::Value) -> String {
    format!("Result of {name} for {value}: {}", flatten(body))
}

/// A JSON object as `key: value` sentences (`expected_delivery` → "expected delivery").
fn flatten(body: &serde_json::Value) -> String {
    match body {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                format!("{}: {v}.", k.replace('_', " "))
            })
            .collect::<Vec<_>>()
            .join(" "),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `phrase` occurs in `lower` on word boundaries.
fn contains_words(lower: &str, phrase: &str) -> bool {
    let hay = format!(" {} ", tokens(lower).join(" "));
    let needle = format!(" {} ", tokens(phrase).join(" "));
    hay.contains(&needle)
}

/// Spoken and spaced digits joined: "one oh four, two 3 3" → "104233"; other words kept.
pub(crate) fn join_spoken_digits(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut digits = String::new();
    for raw in text.split(|c: char| c.is_whitespace() || c == ',' || c == '-') {
        let word = raw
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        let as_digits = if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
            Some(word.clone())
        } else {
            number_word(&word)
                .filter(|d| d.len() == 1)
                .map(str::to_string)
        };
        match as_digits {
            Some(d) => digits.push_str(&d),
            None if word.is_empty() => {}
            None => {
                if !digits.is_empty() {
                    out.push(std::mem::take(&mut digits));
                }
                out.push(raw.to_string());
            }
        }
    }
    if !digits.is_empty() {
        out.push(digits);
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order_tool() -> Tool {
        Tool::new(&ToolSettings {
            name: "order_status".into(),
            description: "order status".into(),
            url: "http://127.0.0.1:9/demo/orders/{value}".into(),
            triggers: vec!["order".into(), "parcel".into(), "package".into()],
            parameter_pattern: r"\b\d{5,8}\b".into(),
            ask_for: "What is your order number?".into(),
            reply: None,
            not_found_reply: None,
            timeout_ms: 500,
            headers: Default::default(),
        })
        .expect("valid")
    }

    #[test]
    fn spoken_digits_join() {
        assert_eq!(
            join_spoken_digits("my order is one oh four, two 3 3"),
            "my order is 104233"
        );
        assert_eq!(
            join_spoken_digits("order 104233 please"),
            "order 104233 please"
        );
        assert_eq!(join_spoken_digits("10 42 33."), "104233");
    }

    #[test]
    fn selects_calls_and_asks() {
        let tools = [order_tool()];
        assert_eq!(
            select(&tools, "Where is my order 104233?", None),
            ToolUse::Call {
                tool: 0,
                value: "104233".into()
            }
        );
        assert_eq!(
            select(&tools, "Where is my parcel?", None),
            ToolUse::Triggered { tool: 0 }
        );
        assert_eq!(
            select(&tools, "It's one zero four two three three.", Some(0)),
            ToolUse::Call {
                tool: 0,
                value: "104233".into()
            }
        );
        assert_eq!(
            select(&tools, "What are your opening hours?", None),
            ToolUse::None
        );
        // "reorder" is not "order".
        assert_eq!(select(&tools, "Can I reorder a lamp?", None), ToolUse::None);
    }

    #[test]
    fn a_dead_webhook_fails_cleanly() {
        assert!(matches!(order_tool().call("104233"), ToolResult::Failed(_)));
    }

    #[test]
    fn reply_templates_skip_sentences_with_missing_fields() {
        let t = "Order {order} is {status}. It travels with {carrier}. {note}";
        let shipped = serde_json::json!({"order": "104233", "status": "shipped", "carrier": "Royal Mail", "note": ""});
        assert_eq!(
            fill(t, "104233", &shipped).as_deref(),
            Some("Order 104233 is shipped. It travels with Royal Mail.")
        );
        let packing = serde_json::json!({"order": "104234", "status": "processing", "carrier": null, "note": "Being packed."});
        assert_eq!(
            fill(t, "104234", &packing).as_deref(),
            Some("Order 104234 is processing. Being packed.")
        );
        assert_eq!(
            fill("No order {value}.", "9", &serde_json::json!({})).as_deref(),
            Some("No order 9.")
        );
        assert_eq!(fill("{missing}.", "9", &serde_json::json!({})), None);
    }

    #[test]
    fn json_is_flattened() {
        let v = serde_json::json!({"order": "104233", "status": "shipped", "expected_delivery": "3 December"});
        assert_eq!(
            describe("order_status", "104233", &v),
            "Result of order_status for 104233: expected delivery: 3 December. order: 104233. status: shipped."
        );
    }
}
