//! The live knowledge base shared by calls, the watcher and the HTTP API: searches take a read
//! lock; an update is computed under a read lock (so searches go on while new chunks are
//! embedded) and swapped in under a short write lock. One updater at a time.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use super::names::validate_name;
use super::update::MAX_DOCUMENT_BYTES;
use super::{DocumentInfo, Hit, KbError, KnowledgeBase, RefreshReport, chunker};

/// A cheaply cloneable handle on one knowledge base.
#[derive(Debug, Clone)]
pub struct LiveKnowledge {
    kb: Arc<RwLock<KnowledgeBase>>,
    updating: Arc<Mutex<()>>,
    dir: Option<PathBuf>,
}

/// Keeps the watcher thread running; dropping it stops the thread (and waits for it).
#[derive(Debug)]
pub struct WatcherHandle {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for WatcherHandle {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl LiveKnowledge {
    /// Shares `kb`; documents are written into its directory, if it has one.
    pub fn new(kb: KnowledgeBase) -> LiveKnowledge {
        let dir = kb.dir().map(Path::to_path_buf);
        LiveKnowledge {
            kb: Arc::new(RwLock::new(kb)),
            updating: Arc::new(Mutex::new(())),
            dir,
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, KnowledgeBase> {
        self.kb.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, KnowledgeBase> {
        self.kb.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The knowledge base's directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// See [`KnowledgeBase::search`]. The query is embedded outside the lock, so a search
    /// never holds up an update for the length of a model run.
    pub fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        self.search_worded(query, query, k)
    }

    /// [`LiveKnowledge::search`] with the meaning taken from `query` and the words matched
    /// from `words` (the query with more words for the same things: extra words would move
    /// its embedding off the question).
    pub fn search_worded(&self, query: &str, words: &str, k: usize) -> Vec<Hit> {
        let embedder = Arc::clone(self.read().embedder());
        let vector = match embedder.embed(&[query]) {
            Ok(mut v) => v.pop(),
            Err(e) => {
                tracing::warn!(error = %e, "query embedding failed: lexical search only");
                None
            }
        };
        self.read()
            .search_worded(query, words, vector.as_deref(), k)
    }

    /// Runs `f` on the current index under the read lock (keep it short).
    pub fn with<R>(&self, f: impl FnOnce(&KnowledgeBase) -> R) -> R {
        f(&self.read())
    }

    /// The indexed documents.
    pub fn documents(&self) -> Vec<DocumentInfo> {
        self.read().documents()
    }

    /// Files that currently fail to index (see [`KnowledgeBase::problems`]).
    pub fn problems(&self) -> Vec<super::FileProblem> {
        self.read().problems()
    }

    /// How many chunks are indexed.
    pub fn chunks(&self) -> usize {
        self.read().chunks()
    }

    /// Re-reads changed files now (what the watcher does every tick).
    pub fn refresh(&self) -> Result<RefreshReport, KbError> {
        self.rescan(&[])
    }

    fn rescan(&self, force: &[&str]) -> Result<RefreshReport, KbError> {
        let _one = self.updating.lock().unwrap_or_else(PoisonError::into_inner);
        self.rescan_locked(force)
    }

    /// [`LiveKnowledge::rescan`] with the update lock already held.
    fn rescan_locked(&self, force: &[&str]) -> Result<RefreshReport, KbError> {
        let update = self.read().plan_scan(force)?;
        let report = update.report.clone();
        if !update.docs.is_empty() || !update.problems.is_empty() {
            self.write().apply(update);
        }
        Ok(report)
    }

    /// Starts a thread that calls [`LiveKnowledge::refresh`] every `every`; changes are logged,
    /// failures too (the old index stays). It stops when the handle is dropped. An in-memory
    /// knowledge base has nothing to watch: the thread only waits for the stop.
    pub fn spawn_watcher(&self, every: Duration) -> WatcherHandle {
        let (stop, stopped) = mpsc::channel::<()>();
        let live = self.clone();
        let thread = std::thread::Builder::new()
            .name("kb-watcher".into())
            .spawn(move || {
                let mut last_error = None;
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                    if live.dir.is_some() {
                        live.tick(&mut last_error);
                    }
                }
            });
        let thread = match thread {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the knowledge-base watcher");
                None
            }
        };
        WatcherHandle {
            stop: Some(stop),
            thread,
        }
    }

    /// One watcher poll; a failure is logged once, not on every poll, until it changes.
    fn tick(&self, last_error: &mut Option<String>) {
        match self.refresh() {
            Ok(r) => {
                if last_error.take().is_some() {
                    tracing::info!("knowledge base refresh works again");
                }
                if !r.is_unchanged() {
                    tracing::info!(
                        added = ?r.added,
                        changed = ?r.changed,
                        removed = ?r.removed,
                        embedded = r.embedded,
                        "knowledge base updated"
                    );
                }
            }
            Err(e) => {
                let text = e.to_string();
                if last_error.as_ref() != Some(&text) {
                    tracing::warn!(error = %text, "knowledge base refresh failed; old index kept");
                    *last_error = Some(text);
                }
            }
        }
    }

    /// Adds or replaces document `name` (see [`validate_name`]) and indexes it at once. With a
    /// directory the file is written atomically (a hidden temporary file of its own, then a
    /// rename); concurrent writes are serialised, the last one wins.
    pub fn put_document(&self, name: &str, markdown: &str) -> Result<RefreshReport, KbError> {
        validate_name(name)?;
        let size = markdown.len() as u64;
        if size > MAX_DOCUMENT_BYTES {
            return Err(KbError::TooLarge {
                name: name.to_string(),
                size,
                limit: MAX_DOCUMENT_BYTES,
            });
        }
        if chunker::chunk_document(name, markdown).is_empty() {
            return Err(KbError::Empty {
                name: name.to_string(),
            });
        }
        let Some(dir) = &self.dir else {
            let _one = self.updating.lock().unwrap_or_else(PoisonError::into_inner);
            let update = self.read().plan_texts(&[(name, markdown)])?;
            let report = update.report.clone();
            self.write().apply(update);
            return Ok(report);
        };
        // One writer at a time, the write and its indexing together: concurrent PUTs of one
        // document are serialised (the last one wins), and each has its own temporary file.
        let _one = self.updating.lock().unwrap_or_else(PoisonError::into_inner);
        write_atomically(dir, name, markdown.as_bytes())?;
        self.rescan_locked(&[name])
    }

    /// Removes document `name`; false when there was no such document.
    pub fn remove_document(&self, name: &str) -> Result<bool, KbError> {
        validate_name(name)?;
        let Some(dir) = &self.dir else {
            let _one = self.updating.lock().unwrap_or_else(PoisonError::into_inner);
            let mut kb = self.write();
            let existed = kb.docs.contains_key(name);
            if existed {
                let update = super::update::Update {
                    docs: vec![(name.to_string(), None)],
                    ..Default::default()
                };
                kb.apply(update);
            }
            return Ok(existed);
        };
        let _one = self.updating.lock().unwrap_or_else(PoisonError::into_inner);
        let path = dir.join(name);
        let existed = match fs::remove_file(&path) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(KbError::io(path, e)),
        };
        let report = self.rescan_locked(&[])?;
        Ok(existed || report.removed.iter().any(|n| n == name))
    }
}

fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), KbError> {
    let target = dir.join(name);
    let parent = target.parent().unwrap_or(dir).to_path_buf();
    crate::fsutil::create_dir_all(&parent).map_err(|e| KbError::io(&parent, e))?;
    let base = name.rsplit('/').next().unwrap_or(name);
    // A name of its own per write (a shared one let concurrent writers truncate and rename
    // each other's file).
    let tmp = parent.join(format!(".{base}.{:016x}.tmp", rand::random::<u64>()));
    let result = (|| {
        let mut f = crate::fsutil::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, &target)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(KbError::io(target, e));
    }
    Ok(())
}
