//! The installed models as the rest of the gateway sees them: where the models directory is,
//! whether a model is there ([`Models::require`], a cheap existence and size check for start-up),
//! and its full state with sha256 verification ([`Models::state`], for `models list`).

use std::fmt;
use std::path::{Path, PathBuf};

use super::manifest::{Manifest, ManifestError, ModelEntry};
use super::verify;

/// The models the code refers to; each is a `[[model]]` of the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelId {
    WhisperTinyEn,
    WhisperBase,
    PiperJoeMedium,
    OnnxRuntime,
    QwenCoder05b,
    SmolLm2,
    MiniLmL6V2,
    SileroVad,
    VaderLexicon,
    ZhSentiment,
}

impl ModelId {
    pub const ALL: [ModelId; 10] = [
        ModelId::WhisperTinyEn,
        ModelId::WhisperBase,
        ModelId::PiperJoeMedium,
        ModelId::OnnxRuntime,
        ModelId::QwenCoder05b,
        ModelId::SmolLm2,
        ModelId::MiniLmL6V2,
        ModelId::SileroVad,
        ModelId::VaderLexicon,
        ModelId::ZhSentiment,
    ];

    /// The manifest id (what `voxgate models fetch NAME` takes).
    pub fn as_str(self) -> &'static str {
        match self {
            ModelId::WhisperTinyEn => "whisper-tiny.en",
            ModelId::WhisperBase => "whisper-base",
            ModelId::PiperJoeMedium => "piper-joe-medium",
            ModelId::OnnxRuntime => "onnxruntime",
            ModelId::QwenCoder05b => "qwen2.5-coder-0.5b",
            ModelId::SmolLm2 => "smollm2-135m",
            ModelId::MiniLmL6V2 => "minilm-l6-v2",
            ModelId::SileroVad => "silero-vad",
            ModelId::VaderLexicon => "vader-lexicon",
            ModelId::ZhSentiment => "zh-sentiment",
        }
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A model a command needs is not usable. Its text says what to run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MissingModel {
    #[error("model {id} is missing from {dir}: run `voxgate models fetch {id}`", dir = .dir.display())]
    Missing { id: &'static str, dir: PathBuf },
    #[error("model {id} in {dir} is damaged ({file} is {size} bytes, not {want}): run `voxgate models fetch {id}`", dir = .dir.display())]
    WrongSize {
        id: &'static str,
        dir: PathBuf,
        file: String,
        size: u64,
        want: u64,
    },
    #[error("model {id} is not in the manifest (a build without it)")]
    Unknown { id: &'static str },
}

/// The state of one model's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelState {
    /// Some file is absent.
    Missing,
    /// Every file is present with the pinned size and sha256.
    Verified,
    /// Some file is present but differs from the pin.
    Corrupt,
}

impl ModelState {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelState::Missing => "missing",
            ModelState::Verified => "verified",
            ModelState::Corrupt => "corrupt",
        }
    }
}

/// The models directory and the manifest that says what belongs in it.
#[derive(Debug, Clone)]
pub struct Models {
    dir: PathBuf,
    manifest: Manifest,
}

/// `$VOXGATE_MODELS`, else `~/.cache/voxgate/models`: the one models directory per user that
/// every command (`serve`, `ask`, `say`, `transcribe`, `models fetch`), the tests and the
/// benchmarks use, from any working directory (models fetched once are found everywhere).
pub fn default_models_dir() -> PathBuf {
    shared_models_dir()
}

/// The same directory as [`default_models_dir`] (the name the tests and benchmarks use).
pub fn shared_models_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("VOXGATE_MODELS").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache/voxgate/models")
}

/// `$VOXGATE_CACHE`, else `~/.cache/voxgate/downloads`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("VOXGATE_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache/voxgate/downloads")
}

impl Models {
    /// The models in `dir`, described by the embedded manifest.
    pub fn locate(dir: impl Into<PathBuf>) -> Result<Models, ManifestError> {
        Ok(Models {
            dir: dir.into(),
            manifest: Manifest::embedded()?,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The path of the model's primary file (its other files sit beside it), if every file is
    /// present with the pinned size. Cheap: no checksum (`models list` does that).
    pub fn require(&self, id: ModelId) -> Result<PathBuf, MissingModel> {
        let name = id.as_str();
        let entry = self
            .manifest
            .model(name)
            .ok_or(MissingModel::Unknown { id: name })?;
        for file in &entry.files {
            let path = self.dir.join(&file.path);
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() && m.len() == file.size => {}
                Ok(m) if m.is_file() => {
                    return Err(MissingModel::WrongSize {
                        id: name,
                        dir: self.dir.clone(),
                        file: file.path.clone(),
                        size: m.len(),
                        want: file.size,
                    });
                }
                _ => {
                    return Err(MissingModel::Missing {
                        id: name,
                        dir: self.dir.clone(),
                    });
                }
            }
        }
        Ok(self.dir.join(&entry.files[0].path))
    }

    /// Full check of one model: every file's size and sha256.
    pub fn state(&self, entry: &ModelEntry) -> std::io::Result<ModelState> {
        let mut state = ModelState::Verified;
        for file in &entry.files {
            let path = self.dir.join(&file.path);
            if !path.is_file() {
                return Ok(ModelState::Missing);
            }
            let size = std::fs::metadata(&path)?.len();
            if size != file.size
                || !verify::digest_file(&path, |_| {})?.matches(file.size, &file.sha256)
            {
                state = ModelState::Corrupt;
            }
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn every_model_id_is_in_the_manifest_and_back() {
        let m = Manifest::embedded().unwrap();
        for id in ModelId::ALL {
            assert!(m.model(id.as_str()).is_some(), "{id} not in the manifest");
        }
        for entry in &m.models {
            assert!(
                ModelId::ALL.iter().any(|id| id.as_str() == entry.id),
                "{} has no ModelId",
                entry.id
            );
        }
    }

    #[test]
    fn require_names_the_model_the_dir_and_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let models = Models::locate(dir.path()).unwrap();
        let err = models.require(ModelId::VaderLexicon).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "model vader-lexicon is missing from {}: run `voxgate models fetch vader-lexicon`",
                dir.path().display()
            )
        );
        let entry = models.manifest().model("vader-lexicon").unwrap().clone();
        assert_eq!(models.state(&entry).unwrap(), ModelState::Missing);
        let path = dir.path().join(&entry.files[0].path);
        std::fs::write(&path, b"short").unwrap();
        let err = models.require(ModelId::VaderLexicon).unwrap_err();
        assert!(
            matches!(err, MissingModel::WrongSize { size: 5, .. }),
            "{err}"
        );
        assert_eq!(models.state(&entry).unwrap(), ModelState::Corrupt);
        // Right size, wrong bytes: `require` lets it pass (size only), `state` does not.
        std::fs::write(&path, vec![b'x'; entry.files[0].size as usize]).unwrap();
        assert_eq!(models.require(ModelId::VaderLexicon).unwrap(), path);
        assert_eq!(models.state(&entry).unwrap(), ModelState::Corrupt);
    }
}
