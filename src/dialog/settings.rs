//! `[agent]`: how the AI agent is set up — where its knowledge lives, which language model it
//! talks to, the operator's webhook tools and the guardrail limits. Parsing and checking only.

use std::path::PathBuf;

use serde::Deserialize;

/// `[agent]` of the configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentSettings {
    /// The knowledge base directory; relative paths are under the data directory. Filled
    /// with the bundled demo knowledge base when it does not exist.
    pub kb_dir: PathBuf,
    /// How often the knowledge directory is checked for changed files (ms).
    pub kb_poll_ms: u64,
    /// Which language model answers (see [`LlmBackend`]).
    pub llm: LlmBackend,
    /// The model of `embedded` and `worker` (see [`LocalModel`]).
    pub embedded_model: LocalModel,
    /// CPU threads of the `embedded` or `worker` model.
    pub llm_threads: usize,
    /// The `voxgate-llm` binary of `worker`; by default it is looked for beside the
    /// `voxgate` executable.
    pub worker_path: Option<PathBuf>,
    /// The OpenAI-compatible server.
    pub openai: OpenAiSettings,
    /// How answers are worded (see [`AnswerStyle`]).
    pub answer_style: AnswerStyle,
    /// Hand off after this many caller turns.
    pub max_turns: u32,
    /// The operator's webhook tools.
    pub tools: Vec<ToolSettings>,
    /// Add the demo order-status tool (on this gateway's `/demo/orders`).
    pub demo_tools: bool,
    /// Said to a caller in crisis before they are put through to a person: the operator's
    /// emergency numbers ("If you are in danger now, call 999, or Samaritans on 116 123.").
    pub emergency_line: String,
}

/// `agent.llm`: which language model answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmBackend {
    /// The GGUF in the models directory on llama.cpp, in the supervised `voxgate-llm`
    /// process (the default).
    Worker,
    /// The same GGUF on candle, in process: slower, but no second binary.
    Embedded,
    /// An OpenAI-compatible server (`[agent.openai]`).
    Openai,
}

/// `agent.embedded_model`: the local model of `worker` and `embedded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum LocalModel {
    /// Qwen2.5-Coder 0.5B Instruct, Q4_K_M (the default).
    #[serde(rename = "qwen2.5-coder-0.5b")]
    QwenCoder05b,
    /// SmolLM2 135M Instruct, Q4_1: tiny and fast, generic.
    #[serde(rename = "smollm2-135m")]
    SmolLm2,
}

impl LocalModel {
    /// Its model in the manifest.
    pub fn model_id(self) -> crate::models::ModelId {
        match self {
            LocalModel::QwenCoder05b => crate::models::ModelId::QwenCoder05b,
            LocalModel::SmolLm2 => crate::models::ModelId::SmolLm2,
        }
    }
}

/// `agent.answer_style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerStyle {
    /// When a passage sentence plainly answers the question it is spoken at once, without
    /// the model (about a second sooner on a CPU); the model words the rest (the default).
    QuotedFirst,
    /// The language model words every answer (the passage's own sentences are the fallback).
    Generated,
}

/// Parses a value as the config file writes it (`"worker"`, `"quoted_first"`), for
/// environment variables and command-line flags.
fn from_config_str<T: for<'de> Deserialize<'de>>(s: &str, expected: &str) -> Result<T, String> {
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(s))
        .map_err(|_| format!("`{s}` is not {expected}"))
}

impl std::str::FromStr for LlmBackend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        from_config_str(s, "`worker`, `embedded` or `openai`")
    }
}

impl std::str::FromStr for AnswerStyle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        from_config_str(s, "`quoted_first` or `generated`")
    }
}

/// `[agent.openai]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenAiSettings {
    /// Base URL including `/v1`, e.g. `http://127.0.0.1:8081/v1` (plain HTTP).
    pub base_url: String,
    /// The model name sent to the server.
    pub model: String,
    /// Sent as a bearer token when set.
    pub api_key: Option<String>,
    pub connect_timeout_ms: u64,
    pub first_token_timeout_ms: u64,
    pub total_timeout_ms: u64,
    /// Retries before the first token (connection refused, 5xx, timeout).
    pub retries: u32,
}

/// `[[agent.tools]]`: an HTTP webhook the agent may call. The agent calls it when the
/// caller's words contain one of `triggers` and a value matching `parameter_pattern` (a
/// regex); `{value}` in `url` is replaced by that value (digits only after normalising
/// spoken numbers). The JSON answer is given to the model as a source named `tool:NAME`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolSettings {
    pub name: String,
    /// What the tool does (shown to operators and in `ask --json`).
    pub description: String,
    /// GET URL with a `{value}` placeholder.
    pub url: String,
    /// Words that make the tool relevant (any of them, lowercase).
    pub triggers: Vec<String>,
    /// The parameter's regex, e.g. `\b\d{5,8}\b` for an order number.
    pub parameter_pattern: String,
    /// What to ask the caller for when a trigger is heard but no value.
    pub ask_for: String,
    /// What to say with the answer (`{field}`: a field of the JSON answer, `{value}`: the
    /// caller's value; a sentence whose field is missing is left out). Without it the
    /// language model words the answer.
    #[serde(default)]
    pub reply: Option<String>,
    /// What to say when the webhook answers 404.
    #[serde(default)]
    pub not_found_reply: Option<String>,
    #[serde(default = "default_tool_timeout")]
    pub timeout_ms: u64,
    /// Extra request headers (`Authorization = "Bearer ..."` for a webhook that needs a
    /// credential).
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
}

fn default_tool_timeout() -> u64 {
    2000
}

impl Default for AgentSettings {
    fn default() -> AgentSettings {
        AgentSettings {
            kb_dir: PathBuf::from("kb"),
            kb_poll_ms: 1000,
            llm: LlmBackend::Worker,
            embedded_model: LocalModel::QwenCoder05b,
            llm_threads: 2,
            worker_path: None,
            openai: OpenAiSettings::default(),
            answer_style: AnswerStyle::QuotedFirst,
            max_turns: 10,
            tools: Vec::new(),
            demo_tools: true,
            emergency_line: String::from(
                "If you are in immediate danger, please call your local emergency number.",
            ),
        }
    }
}

impl Default for OpenAiSettings {
    fn default() -> OpenAiSettings {
        OpenAiSettings {
            base_url: String::from("http://127.0.0.1:8081/v1"),
            model: String::from("default"),
            api_key: None,
            connect_timeout_ms: 1000,
            first_token_timeout_ms: 5000,
            total_timeout_ms: 20000,
            retries: 1,
        }
    }
}

impl AgentSettings {
    /// Checks the values; the error names the field.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=64).contains(&self.llm_threads) {
            return Err(String::from("agent.llm_threads: must be 1–64"));
        }
        if !(100..=60_000).contains(&self.kb_poll_ms) {
            return Err(String::from("agent.kb_poll_ms: must be 100–60000"));
        }
        if !(1..=100).contains(&self.max_turns) {
            return Err(String::from("agent.max_turns: must be 1–100"));
        }
        if self.emergency_line.trim().is_empty() || self.emergency_line.chars().count() > 400 {
            return Err(String::from(
                "agent.emergency_line: must say something, in at most 400 characters",
            ));
        }
        if self.llm == LlmBackend::Openai && !self.openai.base_url.starts_with("http://") {
            return Err(String::from(
                "agent.openai.base_url: must start with http:// (TLS is not supported yet)",
            ));
        }
        for (i, t) in self.tools.iter().enumerate() {
            if !t.url.contains("{value}") {
                return Err(format!(
                    "agent.tools[{i}].url: has no {{value}} placeholder"
                ));
            }
            if t.triggers.is_empty() {
                return Err(format!("agent.tools[{i}].triggers: is empty"));
            }
            for (name, value) in &t.headers {
                let name_ok = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                let value_ok = value
                    .bytes()
                    .all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
                if !(name_ok && value_ok) {
                    return Err(format!(
                        "agent.tools[{i}].headers: `{name}` is not a valid header name and value"
                    ));
                }
            }
        }
        Ok(())
    }
}
