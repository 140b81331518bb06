//! Test helpers: the real model files, from `$VOXGATE_MODELS` or `~/.cache/voxgate/models`
//! (what `voxgate models fetch` fills). A missing model skips the test, except under CI=true.

use std::path::PathBuf;

use crate::models::{ModelId, Models};

/// The path of `id`'s file, or `None` (skip) when it has not been fetched.
pub(crate) fn model_path(id: ModelId) -> Option<PathBuf> {
    let dir = std::env::var_os("VOXGATE_MODELS")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/voxgate/models"))
        })?;
    let found = Models::locate(dir).ok().and_then(|m| m.require(id).ok());
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "model {} missing under CI",
            id.as_str()
        );
        eprintln!(
            "skipping: model {} not fetched (voxgate models fetch {})",
            id.as_str(),
            id.as_str()
        );
    }
    found
}
