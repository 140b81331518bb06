//! The operator's knowledge base: a directory of Markdown/FAQ/text files → chunks
//! ([`chunker`]) → hybrid retrieval, BM25 ([`bm25`]) fused with MiniLM embeddings ([`embed`]),
//! kept live ([`LiveKnowledge`]: a polling watcher and a document API that writes files).
//!
//! Owns reading the knowledge-base directory and the index. It must not call the language model,
//! decide what is said to a caller, or serve HTTP (the agent and the API do, through this API).
//!
//! Scoring (see [`Hit`]): `lexical` is BM25 divided by the sum of the query terms' idf (1.0 ≈
//! every query term present in a chunk of average length), capped at 1; `semantic` is the
//! cosine of the MiniLM embeddings; the fused `score = 0.6·max(semantic, 0) + 0.4·lexical`.

mod blocks;
pub mod bm25;
pub mod chunker;
mod disk_cache;
pub mod embed;
mod error;
mod index;
mod live;
mod names;
mod sections;
mod update;
mod vocabulary;

#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use embed::Embedder;
pub use error::KbError;
pub use index::{KnowledgeBase, LEXICAL_WEIGHT, SEMANTIC_WEIGHT};
pub use live::{LiveKnowledge, WatcherHandle};
pub use names::validate_name;
pub use update::MAX_DOCUMENT_BYTES;
pub(crate) use vocabulary::Vocabulary;

/// One retrievable piece of a document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Chunk {
    /// `file#slug`, e.g. `returns.md#refund-timeline`: what answers cite.
    pub id: String,
    /// The document's path relative to the knowledge-base root (`/`-separated).
    pub file: String,
    /// The heading path, e.g. "Returns > Refund timeline" (the file stem before any heading).
    pub section: String,
    /// The 1-based line the chunk starts on (its heading's line when it has one).
    pub line: usize,
    /// The chunk body with its heading path prepended as the first line.
    pub text: String,
    /// For a table row: its label (first, maybe empty), the table's column headers and the
    /// headings above it — the words that tell this row from its neighbours. Empty for prose.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}

/// A search result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub chunk: Arc<Chunk>,
    /// The fused score, higher is better (0..1).
    pub score: f32,
    /// BM25 normalised to 0..1 by the query's reference score (see the module doc).
    pub lexical: f32,
    /// Cosine similarity of query and chunk embeddings, −1..1.
    pub semantic: f32,
}

/// One indexed document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentInfo {
    /// The path relative to the root, e.g. `returns.md` or `faq/billing.md`.
    pub name: String,
    pub chunks: usize,
    pub bytes: u64,
}

/// A file that could not be (re)indexed; the previous version of it, if any, stays live.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileProblem {
    pub file: String,
    pub reason: String,
}

/// What a refresh (or a document edit) changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RefreshReport {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// Chunks whose text was new and had to be embedded (others came from the cache).
    pub embedded: usize,
    /// Files that failed to read; their old versions stay indexed.
    pub failed: Vec<FileProblem>,
}

impl RefreshReport {
    /// True when no document was added, changed or removed.
    pub fn is_unchanged(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}
