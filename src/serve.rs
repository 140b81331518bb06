//! `voxgate serve`: loads the configuration, sets up logging, runs the telephony runtime
//! until Ctrl-C or SIGTERM, then shuts down gracefully (no new calls; running calls finish
//! until the grace deadline, then are hung up). The edge of the program: errors are anyhow.

use anyhow::Context;
use tokio::sync::{mpsc, watch};
use voxgate::config::{Config, Overrides};
use voxgate::store::{CallerPolicy, Store, spawn_store_sink};
use voxgate::telephony::{self, logic::factory_for, summary::spawn_jsonl_sink};

use crate::cli::ServeArgs;

/// Summaries queued for the store.
const SUMMARY_QUEUE: usize = 1024;

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
    let logic = factory_for(&config.calls.logic, &config.data_dir);
    telephony::serve(&config, logic, sum_tx, stop_rx).await?;
    let _ = stored.await;
    let _ = sink.await;
    tracing::info!("stopped");
    Ok(())
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
