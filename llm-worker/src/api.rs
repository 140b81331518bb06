//! The OpenAI-compatible wire format this worker speaks: the chat request it accepts (what
//! voxgate's `dialog/llm/openai.rs` sends; unknown fields such as `temperature` are ignored,
//! decoding is always greedy) and the JSON it answers with, streamed as SSE chunks or whole.

use serde::Deserialize;
use serde_json::{Value, json};

/// More messages than this is not a phone agent's prompt.
const MAX_MESSAGES: usize = 64;
const MAX_STOPS: usize = 8;
const MAX_STOP_BYTES: usize = 64;
/// `max_tokens` when the request gives none.
const DEFAULT_MAX_TOKENS: usize = 256;

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Message {
    pub(crate) role: Role,
    pub(crate) content: String,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Stop {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Default, Deserialize)]
struct StreamOptions {
    #[serde(default)]
    include_usage: bool,
}

#[derive(Debug, Deserialize)]
struct Wire {
    messages: Vec<Message>,
    #[serde(default)]
    stream: bool,
    #[serde(default)]
    stream_options: Option<StreamOptions>,
    #[serde(default)]
    max_tokens: Option<usize>,
    #[serde(default)]
    max_completion_tokens: Option<usize>,
    #[serde(default)]
    stop: Option<Stop>,
}

/// A checked chat request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChatRequest {
    pub(crate) messages: Vec<Message>,
    pub(crate) stream: bool,
    pub(crate) include_usage: bool,
    pub(crate) max_tokens: usize,
    pub(crate) stop: Vec<String>,
}

/// Parses and checks a `POST /v1/chat/completions` body; the error is for a 400.
pub(crate) fn parse_chat(body: &[u8]) -> Result<ChatRequest, String> {
    let wire: Wire = serde_json::from_slice(body).map_err(|e| format!("bad request body: {e}"))?;
    if wire.messages.is_empty() || wire.messages.len() > MAX_MESSAGES {
        return Err(format!("messages: 1–{MAX_MESSAGES} expected"));
    }
    let stop = match wire.stop {
        None => Vec::new(),
        Some(Stop::One(s)) => vec![s],
        Some(Stop::Many(v)) => v,
    };
    if stop.len() > MAX_STOPS || stop.iter().any(|s| s.len() > MAX_STOP_BYTES) {
        return Err(format!(
            "stop: at most {MAX_STOPS} strings of {MAX_STOP_BYTES} bytes"
        ));
    }
    let max_tokens = wire
        .max_tokens
        .or(wire.max_completion_tokens)
        .unwrap_or(DEFAULT_MAX_TOKENS);
    Ok(ChatRequest {
        messages: wire.messages,
        stream: wire.stream,
        include_usage: wire.stream_options.unwrap_or_default().include_usage,
        max_tokens,
        stop,
    })
}

/// What a finished generation cost, in OpenAI's `usage` shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    pub(crate) prompt_tokens: usize,
    pub(crate) cached_tokens: usize,
    pub(crate) completion_tokens: usize,
}

impl Usage {
    fn json(self) -> Value {
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": self.cached_tokens},
        })
    }
}

/// The fields every answer of one completion shares.
#[derive(Debug, Clone)]
pub(crate) struct Completion {
    pub(crate) id: String,
    pub(crate) created: u64,
    pub(crate) model: String,
}

impl Completion {
    fn chunk(&self, choices: Value) -> Value {
        json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": choices,
        })
    }

    /// A streamed piece of text.
    pub(crate) fn delta(&self, text: &str) -> Value {
        self.chunk(json!([{"index": 0, "delta": {"content": text}, "finish_reason": null}]))
    }

    /// The last choice chunk: why the generation ended.
    pub(crate) fn finish(&self, reason: &str) -> Value {
        self.chunk(json!([{"index": 0, "delta": {}, "finish_reason": reason}]))
    }

    /// The usage chunk (`stream_options.include_usage`): no choices.
    pub(crate) fn usage(&self, usage: Usage) -> Value {
        let mut v = self.chunk(json!([]));
        v["usage"] = usage.json();
        v
    }

    /// The whole answer of a request without `stream`.
    pub(crate) fn whole(&self, text: &str, reason: &str, usage: Usage) -> Value {
        json!({
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": reason,
            }],
            "usage": usage.json(),
        })
    }
}

/// An error body, `{"error": {"message", "type"}}`.
pub(crate) fn error(message: &str, kind: &str) -> Value {
    json!({"error": {"message": message, "type": kind}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gateway_clients_request_parses() {
        let body = br#"{"model":"m","messages":[{"role":"system","content":"S"},
            {"role":"user","content":"Q"}],"stream":true,"stream_options":{"include_usage":true},
            "temperature":0,"max_tokens":12,"stop":["\n\n","Caller:"]}"#;
        let req = parse_chat(body).expect("parses");
        assert!(req.stream && req.include_usage);
        assert_eq!(req.max_tokens, 12);
        assert_eq!(req.stop, vec!["\n\n", "Caller:"]);
        assert_eq!(req.messages[1].role, Role::User);
    }

    #[test]
    fn a_single_stop_string_and_defaults() {
        let req = parse_chat(br#"{"messages":[{"role":"user","content":"Q"}],"stop":"X"}"#)
            .expect("parses");
        assert_eq!(req.stop, vec!["X"]);
        assert!(!req.stream && !req.include_usage);
        assert_eq!(req.max_tokens, DEFAULT_MAX_TOKENS);
    }

    #[test]
    fn bad_requests_are_refused() {
        for body in [
            &br#"{"messages":[]}"#[..],
            br#"{"messages":[{"role":"tool","content":"x"}]}"#,
            br#"{"messages":[{"role":"user","content":["x"]}]}"#,
            br#"{"messages":[{"role":"user","content":"x"}],"stop":["1","2","3","4","5","6","7","8","9"]}"#,
            b"not json",
        ] {
            assert!(parse_chat(body).is_err(), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn chunks_have_the_shape_the_client_reads() {
        let c = Completion {
            id: "chatcmpl-1".into(),
            created: 1,
            model: "m".into(),
        };
        assert_eq!(c.delta("Hi")["choices"][0]["delta"]["content"], "Hi");
        assert_eq!(c.finish("length")["choices"][0]["finish_reason"], "length");
        let usage = Usage {
            prompt_tokens: 10,
            cached_tokens: 7,
            completion_tokens: 3,
        };
        let u = c.usage(usage);
        assert_eq!(u["usage"]["prompt_tokens_details"]["cached_tokens"], 7);
        assert!(u["choices"][0].is_null());
        assert_eq!(
            c.whole("Hi", "stop", usage)["choices"][0]["message"]["content"],
            "Hi"
        );
    }
}
