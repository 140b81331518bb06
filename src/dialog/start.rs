//! Setting the agent up: the knowledge directory (filled with the bundled demo knowledge base
//! the first time), the embeddings model, the language-model backend named by `[agent]`, the
//! operator's tools (plus the demo order-status tool, which calls this gateway's own
//! `/demo/orders` endpoint), and the watcher that makes file edits live.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::kb::{Embedder, KbError, KnowledgeBase, LiveKnowledge};
use super::llm::{
    EmbeddedLlm, LanguageModel, LlmError, OpenAiConfig, OpenAiHttp, WorkerConfig, WorkerLlm,
    find_worker,
};
use super::settings::{AgentSettings, ToolSettings};
use super::tools::{Tool, ToolError};
use super::turn::{Agent, Inner};
use crate::models::{MissingModel, ModelId, Models};

/// The bundled demo knowledge base (a fictional online shop), as (file name, Markdown).
pub const DEMO_KB: &[(&str, &str)] = &[
    ("README.md", include_str!("../../kb/demo/README.md")),
    ("orders.md", include_str!("../../kb/demo/orders.md")),
    ("shipping.md", include_str!("../../kb/demo/shipping.md")),
    ("returns.md", include_str!("../../kb/demo/returns.md")),
    ("payment.md", include_str!("../../kb/demo/payment.md")),
    ("warranty.md", include_str!("../../kb/demo/warranty.md")),
    ("contact.md", include_str!("../../kb/demo/contact.md")),
    ("account.md", include_str!("../../kb/demo/account.md")),
    ("products.md", include_str!("../../kb/demo/products.md")),
];

/// The agent could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    #[error(transparent)]
    Model(#[from] MissingModel),
    #[error("models directory: {0}")]
    Models(String),
    #[error("knowledge base: {0}")]
    Knowledge(#[from] KbError),
    #[error(transparent)]
    Llm(#[from] LlmError),
    #[error(transparent)]
    Tool(#[from] ToolError),
    #[error("knowledge base directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where the knowledge comes from.
#[derive(Debug, Clone)]
pub enum KnowledgeSource {
    /// A directory, watched for changes every `poll`.
    Dir {
        path: PathBuf,
        poll: Option<Duration>,
    },
    /// The bundled demo, in memory.
    Demo,
}

impl Agent {
    /// The agent `voxgate serve` runs: `[agent]` settings, the knowledge directory under
    /// `data_dir` (created from the demo when absent), and the demo order tool calling
    /// `demo` (this gateway's own endpoint) when given.
    pub fn start(
        settings: &AgentSettings,
        data_dir: &Path,
        models: &Models,
        demo: Option<&DemoEndpoint>,
    ) -> Result<Agent, AgentError> {
        let dir = data_dir.join(&settings.kb_dir);
        if !dir.exists() {
            write_demo(&dir)?;
        }
        let poll = Some(Duration::from_millis(settings.kb_poll_ms));
        let mut tools = settings.tools.clone();
        if settings.demo_tools
            && let Some(demo) = demo
        {
            tools.push(demo_order_tool(demo));
        }
        Agent::build(
            settings,
            KnowledgeSource::Dir { path: dir, poll },
            models,
            &tools,
        )
    }

    /// An agent on `source` with `settings`' model and `tools`.
    pub fn build(
        settings: &AgentSettings,
        source: KnowledgeSource,
        models: &Models,
        tools: &[ToolSettings],
    ) -> Result<Agent, AgentError> {
        let minilm = models.require(ModelId::MiniLmL6V2)?;
        let minilm_dir = minilm
            .parent()
            .ok_or_else(|| AgentError::Models(format!("{} has no parent", minilm.display())))?;
        let embedder = Embedder::load(minilm_dir)?;
        let embedder = Arc::new(match &source {
            // Chunk embeddings are kept beside the knowledge (a hidden file the index skips),
            // so a restart or another `voxgate ask` embeds only what changed.
            KnowledgeSource::Dir { path, .. } => {
                embedder.with_cache_file(&path.join(".voxgate-embeddings.bin"))
            }
            KnowledgeSource::Demo => embedder,
        });
        let (kb, poll) = match source {
            KnowledgeSource::Dir { path, poll } => {
                (KnowledgeBase::open(&path, embedder.clone())?, poll)
            }
            KnowledgeSource::Demo => (
                KnowledgeBase::from_documents(DEMO_KB, embedder.clone())?,
                None,
            ),
        };
        let kb = LiveKnowledge::new(kb);
        let watcher = poll.map(|every| kb.spawn_watcher(every));
        let llm = language_model(settings, models)?;
        let tools = tools.iter().map(Tool::new).collect::<Result<Vec<_>, _>>()?;
        let crisis_meaning = match super::crisis_meaning::CrisisMeaning::new(&embedder) {
            Ok(m) => Some(m),
            Err(e) => {
                tracing::warn!(error = %e, "crisis check by meaning off: patterns only");
                None
            }
        };
        Ok(Agent::from_inner(Inner {
            kb,
            embedder,
            llm,
            tools,
            max_turns: settings.max_turns,
            emergency_line: settings.emergency_line.trim().to_string(),
            crisis_meaning,
            quote_first: settings.answer_style == super::AnswerStyle::QuotedFirst,
            _watcher: watcher,
        }))
    }
}

/// The backend `[agent] llm` names.
pub fn language_model(
    settings: &AgentSettings,
    models: &Models,
) -> Result<Arc<dyn LanguageModel>, AgentError> {
    if settings.llm == super::LlmBackend::Openai {
        let o = &settings.openai;
        return Ok(Arc::new(OpenAiHttp::new(OpenAiConfig {
            base_url: o.base_url.clone(),
            model: o.model.clone(),
            api_key: o.api_key.clone(),
            connect_timeout: Duration::from_millis(o.connect_timeout_ms),
            first_token_timeout: Duration::from_millis(o.first_token_timeout_ms),
            total_timeout: Duration::from_millis(o.total_timeout_ms),
            retries: o.retries,
        })));
    }
    let id = settings.embedded_model.model_id();
    let path = models.require(id)?;
    if settings.llm == super::LlmBackend::Worker {
        let binary = find_worker(settings.worker_path.as_deref())?;
        let cfg = WorkerConfig::new(binary, path, settings.llm_threads);
        return Ok(Arc::new(WorkerLlm::start(cfg)?));
    }
    Ok(Arc::new(EmbeddedLlm::load(&path, settings.llm_threads)?))
}

/// Writes the demo knowledge base into `dir` (for an operator to edit).
pub fn write_demo(dir: &Path) -> Result<(), AgentError> {
    let io = |source| AgentError::Io {
        path: dir.to_path_buf(),
        source,
    };
    crate::fsutil::create_dir_all(dir).map_err(io)?;
    for (name, text) in DEMO_KB {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            crate::fsutil::create_dir_all(parent).map_err(io)?;
        }
        crate::fsutil::create(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .map_err(io)?;
    }
    Ok(())
}

/// This gateway's own demo order endpoint, for the demo tool.
#[derive(Debug, Clone)]
pub struct DemoEndpoint {
    /// The HTTP API's base URL, e.g. `http://127.0.0.1:8080`.
    pub base: String,
    /// Sent as a bearer token: the API's per-process token whose role may only call `/demo/*`.
    pub token: String,
}

/// The demo order-status tool on this gateway's own demo endpoint.
fn demo_order_tool(demo: &DemoEndpoint) -> ToolSettings {
    let http_base = demo.base.as_str();
    let mut headers = std::collections::BTreeMap::new();
    if !demo.token.is_empty() {
        headers.insert(
            String::from("Authorization"),
            format!("Bearer {}", demo.token),
        );
    }
    ToolSettings {
        headers,
        name: String::from("order_status"),
        description: String::from("Looks up an order's status by its six-digit number"),
        url: format!("{}/demo/orders/{{value}}", http_base.trim_end_matches('/')),
        triggers: ["order", "parcel", "package", "delivery", "shipment"]
            .map(String::from)
            .to_vec(),
        parameter_pattern: String::from(r"\b\d{5,8}\b"),
        ask_for: String::from("I can check that for you. What is your six-digit order number?"),
        reply: Some(String::from(
            "Order {value} is {status}. It travels with {carrier}. The expected delivery date is {expected_delivery}. {note}",
        )),
        not_found_reply: Some(String::from(
            "I couldn't find an order with the number {value}. Could you check the number and tell me again?",
        )),
        timeout_ms: 2000,
    }
}
