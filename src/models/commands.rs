//! What `voxgate models fetch` and `voxgate models list` print and do; `main.rs` only parses
//! the arguments and calls these.

use std::path::PathBuf;
use std::time::Instant;

use super::fetch::{self, FetchError, FetchOptions, Outcome};
use super::manifest::ManifestError;
use super::progress::human_bytes;
use super::store::Models;

/// Why a models command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// `voxgate models fetch [NAME...]`: fetches, builds and verifies; prints a summary line.
pub fn fetch(names: &[String], opts: &FetchOptions) -> Result<(), CommandError> {
    let models = Models::locate(&opts.models_dir)?;
    let started = Instant::now();
    let done = fetch::fetch(models.manifest(), names, opts)?;
    let built = done
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Built(_)))
        .count();
    eprintln!(
        "models: {} files in {} ({built} built, {} already verified) in {:.1} s",
        done.len(),
        opts.models_dir.display(),
        done.len() - built,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `voxgate models list`: one row per model with its state after a full check.
pub fn list(models: &Models) -> Result<String, CommandError> {
    let mut rows = vec![[
        "MODEL".to_owned(),
        "KIND".to_owned(),
        "SIZE".to_owned(),
        "STATE".to_owned(),
        "PATH".to_owned(),
    ]];
    for entry in &models.manifest().models {
        let state = models.state(entry).map_err(|source| CommandError::Io {
            path: models.dir().to_owned(),
            source,
        })?;
        rows.push([
            entry.id.clone(),
            entry.kind.clone(),
            human_bytes(entry.size()),
            state.as_str().to_owned(),
            models
                .dir()
                .join(&entry.files[0].path)
                .display()
                .to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| format!("{v:<w$}", w = widths[c]))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    Ok(out)
}
