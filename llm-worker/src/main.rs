//! `voxgate-llm`: llama.cpp behind a small OpenAI-compatible HTTP server on 127.0.0.1, the
//! worker process voxgate's gateway starts and supervises (`agent.llm = "worker"`). It is a
//! separate binary because llama.cpp's ggml cannot link beside whisper.cpp's in the gateway.
//!
//! ```text
//! VOXGATE_LLM_TOKEN=… voxgate-llm --model FILE.gguf [--port 0] [--threads 2] [--ctx 4096]
//!                                 [--exit-with-stdin]
//! ```
//!
//! After loading the model it prints `listening 127.0.0.1:PORT` as its first stdout line and
//! nothing else to stdout. Every request needs `Authorization: Bearer $VOXGATE_LLM_TOKEN`.
//! With `--exit-with-stdin` it exits when its stdin closes: the supervisor holds the other
//! end, so the worker never outlives the gateway, however the gateway ends.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;

mod api;
mod chatml;
mod engine;
mod http;
#[cfg(test)]
mod model_tests;
mod respond;
mod server;
// The stop-string and UTF-8 rules of voxgate's embedded backend, shared as source (this
// crate cannot depend on voxgate: that would link whisper.cpp's ggml beside llama.cpp's).
#[path = "../../src/dialog/llm/stream.rs"]
mod stream;

/// The environment variable holding the bearer token.
const TOKEN_ENV: &str = "VOXGATE_LLM_TOKEN";
/// Chat requests waiting for the engine; more get 503.
const QUEUE: usize = 4;

#[derive(Parser, Debug)]
#[command(
    name = "voxgate-llm",
    about = "voxgate's llama.cpp worker (OpenAI-compatible, loopback)"
)]
struct Args {
    /// The GGUF model (a ChatML model: Qwen2.5, SmolLM2).
    #[arg(long)]
    model: PathBuf,
    /// TCP port on 127.0.0.1; 0 picks a free one (see the first stdout line).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// CPU threads for prompt and generation.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: u16,
    /// Context length in tokens.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(256..=32768))]
    ctx: u32,
    /// Prompt tokens per decode call.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=4096))]
    batch: u32,
    /// The model name in answers (default: the file's stem).
    #[arg(long)]
    name: Option<String>,
    /// Exit when stdin reaches end of file (the supervisor's pipe closed).
    #[arg(long)]
    exit_with_stdin: bool,
}

/// The worker could not start.
#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error("{TOKEN_ENV} must hold a bearer token of at least 16 characters")]
    Token,
    #[error("model file {0}: not found")]
    NoModel(PathBuf),
    #[error("llama.cpp: {0}")]
    Llama(String),
    #[error(transparent)]
    Engine(#[from] engine::EngineError),
    #[error("127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("stdout: {0}")]
    Stdout(std::io::Error),
}

/// Exits the process when stdin closes.
fn exit_with_stdin() {
    let spawned = std::thread::Builder::new().name("stdin".into()).spawn(|| {
        let mut buf = [0u8; 256];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        std::process::exit(0);
    });
    if let Err(e) = spawned {
        eprintln!("voxgate-llm: cannot watch stdin: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), StartError> {
    let token: Arc<str> = match std::env::var(TOKEN_ENV) {
        Ok(t) if t.len() >= 16 => t.into(),
        _ => return Err(StartError::Token),
    };
    if args.exit_with_stdin {
        exit_with_stdin();
    }
    if !args.model.is_file() {
        return Err(StartError::NoModel(args.model));
    }
    let llama = |e: &dyn std::fmt::Display| StartError::Llama(e.to_string());
    let mut backend = LlamaBackend::init().map_err(|e| llama(&e))?;
    backend.void_logs();
    let params = LlamaModelParams::default();
    let model =
        LlamaModel::load_from_file(&backend, &args.model, &params).map_err(|e| llama(&e))?;
    let settings = engine::Settings {
        threads: args.threads,
        ctx: args.ctx,
        batch: args.batch,
    };
    let mut engine = engine::Engine::new(&backend, &model, settings)?;
    let listener =
        TcpListener::bind(("127.0.0.1", args.port)).map_err(|source| StartError::Bind {
            port: args.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        port: args.port,
        source,
    })?;
    let mut out = std::io::stdout();
    writeln!(out, "listening {addr}")
        .and_then(|()| out.flush())
        .map_err(StartError::Stdout)?;
    let (jobs, queue) = std::sync::mpsc::sync_channel(QUEUE);
    std::thread::Builder::new()
        .name("accept".into())
        .spawn(move || server::serve(listener, token, jobs))
        .map_err(|e| llama(&e))?;
    let model_name = args.name.unwrap_or_else(|| {
        args.model
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    });
    for (n, job) in queue.iter().enumerate() {
        let completion = api::Completion {
            id: format!("chatcmpl-{n}"),
            created: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            model: model_name.clone(),
        };
        respond::respond(&mut engine, job, &completion);
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("voxgate-llm: {e}");
            ExitCode::FAILURE
        }
    }
}
