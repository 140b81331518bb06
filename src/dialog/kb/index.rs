//! The in-memory index: documents → chunks with their embeddings and a BM25 index, and the
//! hybrid search over them. Updates are computed by [`super::update`] and swapped in here.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::bm25::Bm25Index;
use super::embed::cosine;
use super::update::{Doc, Problem, TextHash, Update};
use super::vocabulary::Vocabulary;
use super::{Chunk, DocumentInfo, Embedder, FileProblem, Hit, KbError, RefreshReport};
use crate::dialog::aliases::{self, Alias};
use crate::dialog::words::is_negated;

/// Weight of the (non-negative) cosine in the fused score.
pub const SEMANTIC_WEIGHT: f32 = 0.6;
/// Weight of the normalised BM25 score in the fused score.
pub const LEXICAL_WEIGHT: f32 = 0.4;
/// Added for a negated question ("what isn't covered?") to a section whose own heading is
/// negated ("What is not covered"): MiniLM and BM25 barely see the "not" that tells it from
/// its positive neighbour ("What is covered").
const NEGATION_BOOST: f32 = 0.08;

/// Whether the last heading of a section path is negated.
fn heading_negated(section: &str) -> bool {
    is_negated(section.rsplit(" > ").next().unwrap_or(section))
}

/// A searchable knowledge base, from a directory ([`KnowledgeBase::open`]) or from documents
/// in memory ([`KnowledgeBase::from_documents`]).
pub struct KnowledgeBase {
    pub(super) root: Option<PathBuf>,
    pub(super) embedder: Arc<Embedder>,
    pub(super) docs: BTreeMap<String, Doc>,
    pub(super) vectors: HashMap<TextHash, Arc<[f32]>>,
    pub(super) problems: BTreeMap<String, Problem>,
    chunks: Vec<Arc<Chunk>>,
    embeddings: Vec<Arc<[f32]>>,
    bm25: Bm25Index,
    /// The nicknames the documents define, found once per change.
    aliases: Vec<Alias>,
    /// The chunks' words, counted once per change.
    vocabulary: Arc<Vocabulary>,
}

impl std::fmt::Debug for KnowledgeBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeBase")
            .field("root", &self.root)
            .field("documents", &self.docs.len())
            .field("chunks", &self.chunks.len())
            .finish()
    }
}

impl KnowledgeBase {
    fn empty(root: Option<PathBuf>, embedder: Arc<Embedder>) -> KnowledgeBase {
        KnowledgeBase {
            root,
            embedder,
            docs: BTreeMap::new(),
            vectors: HashMap::new(),
            problems: BTreeMap::new(),
            chunks: Vec::new(),
            embeddings: Vec::new(),
            bm25: Bm25Index::default(),
            aliases: Vec::new(),
            vocabulary: Arc::default(),
        }
    }

    /// Indexes every `*.md`, `*.markdown` and `*.txt` under `dir` (recursively, skipping hidden
    /// files and directories and `*.tmp`). A file that cannot be read is logged and skipped.
    pub fn open(dir: &Path, embedder: Arc<Embedder>) -> Result<KnowledgeBase, KbError> {
        if !dir.is_dir() {
            return Err(KbError::NotADirectory {
                path: dir.to_path_buf(),
            });
        }
        let mut kb = KnowledgeBase::empty(Some(dir.to_path_buf()), embedder);
        let report = kb.refresh()?;
        if kb.docs.is_empty() {
            tracing::warn!(dir = %dir.display(), "knowledge base directory has no documents");
        }
        tracing::info!(
            dir = %dir.display(),
            documents = kb.docs.len(),
            chunks = kb.chunks.len(),
            failed = report.failed.len(),
            "knowledge base loaded"
        );
        Ok(kb)
    }

    /// An in-memory knowledge base of `(name, markdown)` documents (a `.txt` name is read as
    /// plain text). It has no directory: [`KnowledgeBase::refresh`] finds nothing to do.
    pub fn from_documents(
        docs: &[(&str, &str)],
        embedder: Arc<Embedder>,
    ) -> Result<KnowledgeBase, KbError> {
        let mut kb = KnowledgeBase::empty(None, embedder);
        let update = kb.plan_texts(docs)?;
        kb.apply(update);
        Ok(kb)
    }

    /// The directory the documents come from (`None` for an in-memory knowledge base).
    pub fn dir(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The embedding model.
    pub fn embedder(&self) -> &Arc<Embedder> {
        &self.embedder
    }

    /// How many chunks are indexed.
    pub fn chunks(&self) -> usize {
        self.chunks.len()
    }

    /// Every indexed chunk, in document-name then document order.
    pub fn all_chunks(&self) -> &[Arc<Chunk>] {
        &self.chunks
    }

    /// The nicknames the documents define ("the Row" for Port Alder).
    pub(crate) fn aliases(&self) -> &[Alias] {
        &self.aliases
    }

    /// The chunks' words (shared: a turn keeps it while the knowledge base changes).
    pub(crate) fn vocabulary(&self) -> Arc<Vocabulary> {
        Arc::clone(&self.vocabulary)
    }

    /// The indexed documents, by name.
    pub fn documents(&self) -> Vec<DocumentInfo> {
        self.docs
            .iter()
            .map(|(name, doc)| DocumentInfo {
                name: name.clone(),
                chunks: doc.chunks.len(),
                bytes: doc.bytes,
            })
            .collect()
    }

    /// Files that currently fail to index (their previous version, if any, is still live).
    /// They are read again once their size or modification time changes.
    pub fn problems(&self) -> Vec<FileProblem> {
        self.problems
            .iter()
            .map(|(file, p)| FileProblem {
                file: file.clone(),
                reason: p.reason.clone(),
            })
            .collect()
    }

    /// Re-reads the directory: files whose size or modification time changed are read again,
    /// and re-chunked when their content hash differs; only chunk texts not seen before are
    /// embedded. On an embedding error nothing changes.
    pub fn refresh(&mut self) -> Result<RefreshReport, KbError> {
        let update = self.plan_scan(&[])?;
        let report = update.report.clone();
        self.apply(update);
        Ok(report)
    }

    /// Adds or replaces documents in memory (no file is written).
    pub fn put_texts(&mut self, docs: &[(&str, &str)]) -> Result<RefreshReport, KbError> {
        let update = self.plan_texts(docs)?;
        let report = update.report.clone();
        self.apply(update);
        Ok(report)
    }

    /// Swaps a computed update in and rebuilds the flat index (cheap: no embedding here).
    pub(super) fn apply(&mut self, update: Update) {
        for (hash, vector) in update.vectors {
            self.vectors.insert(hash, vector);
        }
        for (name, problem) in update.problems {
            match problem {
                Some(p) => self.problems.insert(name, p),
                None => self.problems.remove(&name),
            };
        }
        for (name, doc) in update.docs {
            match doc {
                Some(doc) => self.docs.insert(name, doc),
                None => self.docs.remove(&name),
            };
        }
        let mut chunks = Vec::new();
        let mut embeddings = Vec::new();
        let mut live = HashMap::new();
        for doc in self.docs.values() {
            for (chunk, hash) in &doc.chunks {
                if let Some(v) = self.vectors.get(hash) {
                    chunks.push(Arc::clone(chunk));
                    embeddings.push(Arc::clone(v));
                    live.insert(*hash, Arc::clone(v));
                }
            }
        }
        self.vectors = live;
        self.bm25 = Bm25Index::build(chunks.iter().map(|c| c.text.as_str()));
        self.aliases = aliases::defined(&chunks);
        self.vocabulary = Arc::new(Vocabulary::of(&chunks));
        self.chunks = chunks;
        self.embeddings = embeddings;
    }

    /// The `k` best chunks for `query` by fused score (see the module doc). If the query cannot
    /// be embedded the search is lexical only (logged).
    pub fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        if k == 0 || self.chunks.is_empty() {
            return Vec::new();
        }
        let query_vector = match self.embedder.embed(&[query]) {
            Ok(mut v) => v.pop(),
            Err(e) => {
                tracing::warn!(error = %e, "query embedding failed: lexical search only");
                None
            }
        };
        self.search_with(query, query_vector.as_deref(), k)
    }

    /// [`KnowledgeBase::search`] with the query's embedding computed by the caller.
    pub fn search_with(&self, query: &str, query_vector: Option<&[f32]>, k: usize) -> Vec<Hit> {
        self.search_worded(query, query, query_vector, k)
    }

    /// [`KnowledgeBase::search_with`] where a chunk's lexical score is the better of the
    /// query's and of `words`' (the query with other words for the same things: as
    /// alternatives they must not dilute the query's own matches).
    pub fn search_worded(
        &self,
        query: &str,
        words: &str,
        query_vector: Option<&[f32]>,
        k: usize,
    ) -> Vec<Hit> {
        let normalised = |text: &str| {
            let (raw, reference) = self.bm25.score(text);
            raw.into_iter()
                .map(|r| match reference > 0.0 {
                    true => (r / reference).min(1.0),
                    false => 0.0,
                })
                .collect::<Vec<f32>>()
        };
        let mut bm25 = normalised(query);
        if words != query {
            for (best, alt) in bm25.iter_mut().zip(normalised(words)) {
                *best = best.max(alt);
            }
        }
        let negated = is_negated(query);
        let mut hits: Vec<Hit> = self
            .chunks
            .iter()
            .zip(&self.embeddings)
            .zip(bm25)
            .map(|((chunk, vector), lexical)| {
                let semantic = query_vector.map_or(0.0, |q| cosine(q, vector));
                let polarity = match negated && heading_negated(&chunk.section) {
                    true => NEGATION_BOOST,
                    false => 0.0,
                };
                Hit {
                    chunk: Arc::clone(chunk),
                    score: SEMANTIC_WEIGHT * semantic.max(0.0)
                        + LEXICAL_WEIGHT * lexical
                        + polarity,
                    lexical,
                    semantic,
                }
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(k);
        hits
    }
}
