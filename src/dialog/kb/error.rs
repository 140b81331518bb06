//! The knowledge base's error type: every failure names the file or document it concerns.

use std::io;
use std::path::PathBuf;

/// What can go wrong loading, indexing or editing the knowledge base.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KbError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The knowledge base directory is not a directory (or does not exist).
    #[error("{} is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    /// A document name that is not a plain relative `*.md`/`*.markdown`/`*.txt` path.
    #[error("bad document name {name:?}: {reason}")]
    BadName { name: String, reason: &'static str },
    /// The embedding model could not be loaded.
    #[error("embedding model in {}: {reason}", path.display())]
    Model { path: PathBuf, reason: String },
    /// Running the embedding model failed.
    #[error("embedding failed: {reason}")]
    Embed { reason: String },
    /// A document with no text to index.
    #[error("{name}: no text to index (empty, or only headings and front matter)")]
    Empty { name: String },
    /// A document that is not UTF-8 text.
    #[error("{name}: not UTF-8 text")]
    NotText { name: String },
    /// A document above the size limit.
    #[error("{name}: {size} bytes, above the {limit} byte limit")]
    TooLarge { name: String, size: u64, limit: u64 },
    /// A write would take the knowledge base beyond a configured limit.
    #[error("{reason}")]
    Limit { reason: String },
}

impl KbError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> KbError {
        KbError::Io {
            path: path.into(),
            source,
        }
    }
}
