//! Computing an update without touching the live index: scan the directory (size + mtime,
//! then content hash), chunk what changed, embed only chunk texts not embedded before. The
//! result is swapped in by `KnowledgeBase::apply`, so searches never wait for embedding.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::chunker::chunk_document;
use super::index::KnowledgeBase;
use super::names::is_document_file;
use super::{Chunk, FileProblem, KbError, RefreshReport};

/// The largest document indexed (bytes).
pub const MAX_DOCUMENT_BYTES: u64 = 4 << 20;
/// How deep the directory scan descends.
const MAX_DEPTH: usize = 8;
/// A file modified more recently than this is not trusted by its stamp alone: two edits within
/// the file system's timestamp granularity could keep size and mtime, so it is hashed again on
/// the next scan.
const RACY: Duration = Duration::from_secs(2);

pub(crate) type TextHash = [u8; 32];

/// What a file looked like when it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    size: u64,
    mtime: SystemTime,
}

/// One indexed document.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    /// `None` when in memory, or when the file was too fresh to trust its stamp.
    stamp: Option<Stamp>,
    hash: TextHash,
    pub(crate) bytes: u64,
    pub(crate) chunks: Vec<(Arc<Chunk>, TextHash)>,
}

/// A computed change: documents to insert (`Some`) or remove (`None`) and new embeddings.
#[derive(Debug, Default)]
pub(crate) struct Update {
    pub(crate) docs: Vec<(String, Option<Doc>)>,
    pub(crate) vectors: Vec<(TextHash, Arc<[f32]>)>,
    /// Files that failed (`Some`: remember, so an unchanged broken file is not read and logged
    /// again every tick) or no longer fail (`None`).
    pub(crate) problems: Vec<(String, Option<Problem>)>,
    pub(crate) report: RefreshReport,
}

/// A file that failed to index, as it was when it failed.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// `None` while the file is too fresh to trust its stamp (it is read again).
    stamp: Option<Stamp>,
    pub(crate) reason: String,
}

fn sha256(bytes: &[u8]) -> TextHash {
    Sha256::digest(bytes).into()
}

/// A document file found by the scan.
struct Found {
    name: String,
    path: PathBuf,
    stamp: Stamp,
}

fn scan(root: &Path) -> Result<Vec<Found>, KbError> {
    if !root.is_dir() {
        return Err(KbError::NotADirectory {
            path: root.to_path_buf(),
        });
    }
    let mut out = Vec::new();
    walk(root, "", 0, &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<Found>) -> Result<(), KbError> {
    let entries = fs::read_dir(dir).map_err(|e| KbError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| KbError::io(dir, e))?;
        let Some(segment) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if segment.starts_with('.') || segment.ends_with(".tmp") || segment.ends_with('~') {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = fs::metadata(&path) else {
            continue; // a dangling link or a file removed meanwhile
        };
        let name = format!("{prefix}{segment}");
        if meta.is_dir() {
            if depth < MAX_DEPTH {
                walk(&path, &format!("{name}/"), depth + 1, out)?;
            }
        } else if meta.is_file() && is_document_file(&segment) {
            let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            out.push(Found {
                name,
                path,
                stamp: Stamp {
                    size: meta.len(),
                    mtime,
                },
            });
        }
    }
    Ok(())
}

fn read_text(name: &str, path: &Path, size: u64) -> Result<(String, TextHash), KbError> {
    if size > MAX_DOCUMENT_BYTES {
        return Err(KbError::TooLarge {
            name: name.to_string(),
            size,
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    let bytes = fs::read(path).map_err(|e| KbError::io(path, e))?;
    let hash = sha256(&bytes);
    let text = String::from_utf8(bytes).map_err(|_| KbError::NotText {
        name: name.to_string(),
    })?;
    Ok((text, hash))
}

/// A stamp worth remembering: not one so fresh that a same-size edit could hide behind it.
fn trusted(stamp: Stamp) -> Option<Stamp> {
    let age = SystemTime::now()
        .duration_since(stamp.mtime)
        .unwrap_or_default();
    (age >= RACY).then_some(stamp)
}

impl KnowledgeBase {
    /// Scans the directory (nothing for an in-memory knowledge base). `force` names files to
    /// read whatever their stamps say.
    pub(crate) fn plan_scan(&self, force: &[&str]) -> Result<Update, KbError> {
        let Some(root) = &self.root else {
            return Ok(Update::default());
        };
        let found = scan(root)?;
        let mut update = Update::default();
        let mut texts: Vec<(String, String, Option<Stamp>, TextHash)> = Vec::new();
        let seen: HashSet<&str> = found.iter().map(|f| f.name.as_str()).collect();
        for f in &found {
            let old = self.docs.get(&f.name);
            let forced = force.contains(&f.name.as_str());
            let known_bad = self.problems.get(&f.name);
            let unchanged = |stamp: Option<Stamp>| stamp == Some(f.stamp);
            if !forced
                && (old.is_some_and(|d| unchanged(d.stamp))
                    || known_bad.is_some_and(|p| unchanged(p.stamp)))
            {
                continue;
            }
            if known_bad.is_some() {
                update.problems.push((f.name.clone(), None));
            }
            match read_text(&f.name, &f.path, f.stamp.size) {
                Ok((text, hash)) => match old {
                    Some(d) if d.hash == hash => {
                        let mut same = d.clone();
                        same.stamp = trusted(f.stamp);
                        if same.stamp != d.stamp {
                            update.docs.push((f.name.clone(), Some(same)));
                        }
                    }
                    _ => texts.push((f.name.clone(), text, trusted(f.stamp), hash)),
                },
                Err(e) => {
                    if known_bad.is_none_or(|p| p.reason != e.to_string()) {
                        tracing::warn!(file = %f.name, reason = %e, "knowledge file not indexed; keeping its old version");
                    }
                    update.report.failed.push(FileProblem {
                        file: f.name.clone(),
                        reason: e.to_string(),
                    });
                    let problem = Problem {
                        stamp: trusted(f.stamp),
                        reason: e.to_string(),
                    };
                    update.problems.push((f.name.clone(), Some(problem)));
                }
            }
        }
        for name in self.docs.keys().filter(|n| !seen.contains(n.as_str())) {
            update.docs.push((name.clone(), None));
            update.report.removed.push(name.clone());
        }
        for name in self.problems.keys().filter(|n| !seen.contains(n.as_str())) {
            update.problems.push((name.clone(), None));
        }
        self.plan_documents(texts, &mut update)?;
        Ok(update)
    }

    /// Plans in-memory documents (no stamps).
    pub(crate) fn plan_texts(&self, docs: &[(&str, &str)]) -> Result<Update, KbError> {
        let mut update = Update::default();
        let texts = docs
            .iter()
            .filter(|(name, text)| {
                let hash = sha256(text.as_bytes());
                self.docs.get(*name).is_none_or(|d| d.hash != hash)
            })
            .map(|(name, text)| {
                let hash = sha256(text.as_bytes());
                (name.to_string(), text.to_string(), None, hash)
            })
            .collect();
        self.plan_documents(texts, &mut update)?;
        Ok(update)
    }

    /// Chunks new or changed documents and embeds the chunk texts not cached yet.
    fn plan_documents(
        &self,
        texts: Vec<(String, String, Option<Stamp>, TextHash)>,
        update: &mut Update,
    ) -> Result<(), KbError> {
        let mut pending: Vec<(TextHash, Arc<Chunk>)> = Vec::new();
        let mut queued: HashSet<TextHash> = HashSet::new();
        for (name, text, stamp, hash) in texts {
            let chunks: Vec<(Arc<Chunk>, TextHash)> = chunk_document(&name, &text)
                .into_iter()
                .map(|c| {
                    let h = sha256(c.text.as_bytes());
                    (Arc::new(c), h)
                })
                .collect();
            for (chunk, h) in &chunks {
                if !self.vectors.contains_key(h) && queued.insert(*h) {
                    pending.push((*h, Arc::clone(chunk)));
                }
            }
            if self.docs.contains_key(&name) {
                update.report.changed.push(name.clone());
            } else {
                update.report.added.push(name.clone());
            }
            let doc = Doc {
                stamp,
                hash,
                bytes: text.len() as u64,
                chunks,
            };
            update.docs.push((name, Some(doc)));
        }
        let inputs: Vec<&str> = pending.iter().map(|(_, c)| c.text.as_str()).collect();
        let vectors = self.embedder.embed_documents(&inputs)?;
        update.report.embedded = vectors.len();
        update.vectors = pending
            .into_iter()
            .zip(vectors)
            .map(|((h, _), v)| (h, Arc::from(v)))
            .collect();
        Ok(())
    }
}
