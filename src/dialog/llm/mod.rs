//! Language-model backends behind one blocking, streaming trait, [`LanguageModel`]: the
//! embedded Qwen2.5 GGUF on candle (in process), the same GGUF on llama.cpp in a supervised
//! worker process, and any OpenAI-compatible HTTP server (llama.cpp server, vLLM, Ollama…).
//! Generation is greedy and blocking: callers run it on their own worker thread, never on a
//! call task. Owns prompts-to-tokens and tokens-to-text; knows nothing of knowledge bases,
//! guardrails or calls.

use std::ops::ControlFlow;

mod chat_template;
mod embedded;
mod openai;
mod qwen2;
mod stream;
#[cfg(test)]
mod test_support;
mod tokenizer;
mod worker;

pub use embedded::EmbeddedLlm;
pub use openai::{OpenAiConfig, OpenAiHttp};
pub use worker::{WorkerConfig, WorkerLlm, find_worker};

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    /// The role's name in chat templates and the OpenAI API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: Role, content: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role,
            content: content.into(),
        }
    }
}

/// What to generate: greedy decoding of at most `max_tokens`, stopping early at any of
/// `stop` (the stop text itself is not emitted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateRequest {
    pub messages: Vec<ChatMessage>,
    pub max_tokens: usize,
    pub stop: Vec<String>,
}

/// Why a generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// End-of-turn token or a stop string.
    Stop,
    /// `max_tokens` reached.
    Length,
    /// The token callback returned `Break`.
    Cancelled,
}

/// A finished generation and its costs.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    pub text: String,
    pub finish: Finish,
    /// Prompt tokens in all, and how many of them came from the cached prefix.
    pub prompt_tokens: usize,
    pub cached_tokens: usize,
    pub completion_tokens: usize,
    /// From the call to the first token's text, and to the end (ms).
    pub first_token_ms: f64,
    pub total_ms: f64,
}

/// A backend failed. `Unavailable` and `Timeout` mean "hand the caller to a person".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LlmError {
    #[error("language model server {endpoint} is unavailable: {reason}")]
    Unavailable { endpoint: String, reason: String },
    #[error("language model timed out after {ms} ms ({stage})")]
    Timeout { ms: u64, stage: &'static str },
    #[error("language model server answered something unexpected: {0}")]
    Protocol(String),
    #[error("language model file {path}: {reason}")]
    Model { path: String, reason: String },
    #[error("language model failed: {0}")]
    Inference(String),
    /// The `voxgate-llm` worker process cannot be found or started.
    #[error("language model worker: {0}")]
    Worker(String),
}

/// A chat model. `on_token` gets each piece of text as it is decoded (never splitting a
/// UTF-8 character) and may stop the generation by returning `Break`.
pub trait LanguageModel: Send + Sync {
    /// A short name for logs and `--json` (e.g. `qwen2.5-coder-0.5b`, `http:model@host`).
    fn name(&self) -> &str;
    fn generate(
        &self,
        req: &GenerateRequest,
        on_token: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, LlmError>;

    /// Computes and caches `messages` (the fixed system prompt, say) before the first
    /// request, where the backend keeps a prompt cache; later prompts that start with the
    /// same text reuse it. Returns the tokens cached (0: this backend has no cache).
    fn warm(&self, _messages: &[ChatMessage]) -> Result<usize, LlmError> {
        Ok(0)
    }
}
