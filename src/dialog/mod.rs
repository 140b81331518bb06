//! The dialog layer: the knowledge base ([`kb`]), language-model backends ([`llm`]) and the
//! AI agent that answers from them: guardrails (`guard`), the operator's webhook tools
//! (`tools`), the prompt (`prompt`), the grounding check (`grounding`) and the turn itself
//! (`turn`). Above the speech layer, below the API; the phone side is in [`voice`].

pub mod crisis;
pub mod crisis_chars;
pub mod crisis_meaning;
pub mod kb;
pub mod llm;
pub mod voice;

mod agent;
mod aliases;
mod asks;
mod cells;
mod clock;
mod colloquial;
mod columns;
mod conditions;
mod crisis_animals;
mod exceptions;
mod extremes;
mod grounding;
mod guard;
mod instructions;
mod key_cells;
mod lead_time;
mod limits;
mod look_alike;
mod near_rows;
mod permission;
mod prompt;
mod quote;
mod requests;
mod settings;
mod slots;
mod sole_fact;
mod spoken;
mod start;
mod tiers;
pub(crate) mod tools;
mod turn;
mod unknown;
mod when_asked;
mod words;

pub use agent::{Answer, HandoffReason, TurnTimings};
pub use settings::{
    AgentSettings, AnswerStyle, LlmBackend, LocalModel, OpenAiSettings, ToolSettings,
};
pub use start::{AgentError, DEMO_KB, DemoEndpoint, KnowledgeSource, language_model, write_demo};
pub use tools::ToolError;
pub use turn::{Agent, Conversation};
