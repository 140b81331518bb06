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
    /// `worker` (the default: the GGUF in the models directory on llama.cpp, in the
    /// supervised `voxgate-llm` process), `embedded` (the same GGUF on candle, in process:
    /// slower, but no second binary) or `openai` (an OpenAI-compatible server).
    pub llm: String,
    /// The model of `embedded` and `worker`: `qwen2.5-coder-0.5b` or `smollm2-135m`.
    pub embedded_model: String,
    /// CPU threads of the `embedded` or `worker` model.
    pub llm_threads: usize,
    /// The `voxgate-llm` binary of `worker`; by default it is looked for beside the
    /// `voxgate` executable.
    pub worker_path: Option<PathBuf>,
    /// The OpenAI-compatible server.
    pub openai: OpenAiSettings,
    /// `generated`: the language model words every answer (the passage's own sentences are
    /// the fallback). `quoted_first`: when a passage sentence plainly answers the question it
    /// is spoken at once, without the model (about a second sooner on a CPU); the model
    /// words the rest.
    pub answer_style: String,
    /// Hand off after this many caller turns.
    pub max_turns: u32,
    /// The operator's webhook tools.
    pub tools: Vec<ToolSettings>,
    /// Add the demo order-status tool (on this gateway's `/demo/orders`).
    pub demo_tools: bool,
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
            llm: String::from("worker"),
            embedded_model: String::from("qwen2.5-coder-0.5b"),
            llm_threads: 2,
            worker_path: None,
            openai: OpenAiSettings::default(),
            answer_style: String::from("quoted_first"),
            max_turns: 10,
            tools: Vec::new(),
            demo_tools: true,
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
        if !matches!(self.llm.as_str(), "embedded" | "worker" | "openai") {
            return Err(format!(
                "agent.llm: `{}` is not `embedded`, `worker` or `openai`",
                self.llm
            ));
        }
        if !matches!(
            self.embedded_model.as_str(),
            "qwen2.5-coder-0.5b" | "smollm2-135m"
        ) {
            return Err(format!(
                "agent.embedded_model: `{}` is not `qwen2.5-coder-0.5b` or `smollm2-135m`",
                self.embedded_model
            ));
        }
        if !matches!(self.answer_style.as_str(), "generated" | "quoted_first") {
            return Err(format!(
                "agent.answer_style: `{}` is not `generated` or `quoted_first`",
                self.answer_style
            ));
        }
        if !(1..=64).contains(&self.llm_threads) {
            return Err(String::from("agent.llm_threads: must be 1–64"));
        }
        if !(100..=60_000).contains(&self.kb_poll_ms) {
            return Err(String::from("agent.kb_poll_ms: must be 100–60000"));
        }
        if !(1..=100).contains(&self.max_turns) {
            return Err(String::from("agent.max_turns: must be 1–100"));
        }
        if self.llm == "openai" && !self.openai.base_url.starts_with("http://") {
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
