//! `voxgate serve`: loads the configuration, sets up logging, runs the telephony runtime
//! until Ctrl-C or SIGTERM, then shuts down gracefully (no new calls; running calls finish
//! until the grace deadline, then are hung up). The edge of the program: errors are anyhow.

use anyhow::Context;
use tokio::sync::{mpsc, watch};
use voxgate::config::{Config, Overrides};
use voxgate::models::{ModelId, Models};
use voxgate::speech::stt::{SttModel, SttPool};
use voxgate::store::{CallerPolicy, Store, TranscriptMsg, spawn_store_sink, spawn_transcript_sink};
use voxgate::telephony::{self, LogicFactory, logic::factory_for, summary::spawn_jsonl_sink};

use crate::cli::ServeArgs;

/// Summaries queued for the store.
const SUMMARY_QUEUE: usize = 1024;
/// Transcripts queued for the store.
const TRANSCRIPT_QUEUE: usize = 1024;
/// Speech-to-text workers, threads per decode and waiting finals (`transcribe` logic).
/// Two single-threaded workers: measured on 2 cores (benches/speech.rs), they keep up with
/// 8 talking calls, while one worker with 2 threads fell behind with one, because
/// whisper.cpp's threads spin when a core is busy elsewhere.
const STT_WORKERS: usize = 2;
const STT_THREADS: usize = 1;
const STT_QUEUE: usize = 64;

pub(crate) fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let flags = Overrides {
        sip_listen: args.sip_listen,
        http_listen: args.http_listen,
        advertise_ip: args.advertise_ip,
        data_dir: args.data_dir.clone(),
    };
    let config = Config::load(args.config.as_deref(), &flags)?;
    let level: tracing::Level = config.log_level.parse().unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data_dir {}", config.data_dir.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run(config))
}

async fn run(config: Config) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let (sum_tx, sum_rx) = mpsc::channel(SUMMARY_QUEUE);
    let (log_tx, log_rx) = mpsc::channel(SUMMARY_QUEUE);
    let store = Store::open(&config.data_dir, CallerPolicy::Redact)
        .with_context(|| format!("cannot open the store in {}", config.data_dir.display()))?;
    let stored = spawn_store_sink(store, sum_rx, log_tx);
    let sink = spawn_jsonl_sink(config.data_dir.clone(), log_rx);
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested");
        let _ = stop_tx.send(true);
        wait_for_signal().await;
        tracing::warn!("second signal: exiting now");
        std::process::exit(130);
    });
    let (logic, transcripts) = logic_for(&config)?;
    telephony::serve(&config, logic, sum_tx, stop_rx).await?;
    let _ = stored.await;
    let _ = sink.await;
    if let Some(t) = transcripts {
        // Finals still being recognized are waited for, within the grace time.
        let grace = std::time::Duration::from_secs_f64(config.calls.shutdown_grace_secs.max(1.0));
        if tokio::time::timeout(grace, t).await.is_err() {
            tracing::warn!("transcripts still pending at exit");
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// The call logic `calls.logic` names. `transcribe` loads the speech model (refusing to
/// start when it is missing), starts the shared pool and the transcript sink, whose task is
/// returned to be awaited at shutdown.
fn logic_for(
    config: &Config,
) -> anyhow::Result<(LogicFactory, Option<tokio::task::JoinHandle<()>>)> {
    if config.calls.logic != "transcribe" {
        return Ok((factory_for(&config.calls.logic, &config.data_dir), None));
    }
    let path = Models::locate(&config.models_dir)?.require(ModelId::WhisperTinyEn)?;
    let model = SttModel::load(&path)?;
    let pool = SttPool::start(&model, STT_WORKERS, STT_THREADS, STT_QUEUE)?;
    let store = Store::open(&config.data_dir, CallerPolicy::Redact)
        .with_context(|| format!("cannot open the store in {}", config.data_dir.display()))?;
    let (tx, rx) = mpsc::channel::<TranscriptMsg>(TRANSCRIPT_QUEUE);
    let sink = spawn_transcript_sink(store, rx, config.data_dir.clone());
    tracing::info!(model = %path.display(), "transcribing calls");
    Ok((voxgate::speech::listen::factory(pool, tx), Some(sink)))
}

/// Ctrl-C or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
