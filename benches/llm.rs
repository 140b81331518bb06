//! The LLM benchmark of issues #5 and #11: load time, prefill tokens/s on a ~400-token
//! agent-style prompt, decode tokens/s, and time to first token with the fixed system prompt
//! cached (what every turn after the first sees) and not, per CPU thread count, for the
//! embedded candle backend and the llama.cpp worker (`voxgate-llm`) on the same GGUF.
//!
//! ```text
//! cargo build --release -p voxgate-llm-worker   # the worker binary, found beside this bench
//! cargo bench --bench llm -- [--backend embedded,worker] [--model qwen|smollm2] [--threads 1,2]
//!                            [--repeat N] [--models-dir DIR]
//! ```
//!
//! candle sizes its CPU pool once per process (`CANDLE_NUM_THREADS`), so each embedded
//! thread count runs in a child process of this binary with that variable set; the worker
//! is a process anyway (`--threads`). A cold prompt is a cleared cache (embedded) or a system
//! prompt with a new first word (worker: only the template's first tokens match). Models come
//! from `--models-dir`, else `$VOXGATE_MODELS`, else `~/.cache/voxgate/models`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;
use voxgate::dialog::llm::{
    ChatMessage, EmbeddedLlm, GenerateRequest, Generation, LanguageModel, Role, WorkerConfig,
    WorkerLlm, find_worker,
};
use voxgate::models::{ModelId, Models};

const CHILD: &str = "VOXGATE_LLM_BENCH_THREADS";

#[derive(Parser, Debug)]
#[command(about = "voxgate embedded LLM benchmark")]
struct Args {
    /// Backends to measure: embedded (candle, in process) and/or worker (llama.cpp).
    #[arg(long, value_delimiter = ',', default_value = "embedded,worker")]
    backend: Vec<String>,
    /// qwen (Qwen2.5-Coder-0.5B Q4_K_M) or smollm2 (SmolLM2-135M Q4_1).
    #[arg(long, default_value = "qwen")]
    model: String,
    /// Thread counts, each in its own process.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    threads: Vec<usize>,
    /// Timed runs of each measurement (after one warm-up); medians are printed.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Tokens generated for the decode figure.
    #[arg(long, default_value_t = 48)]
    decode_tokens: usize,
    #[arg(long)]
    models_dir: Option<PathBuf>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// A support agent's fixed instructions plus retrieved knowledge: about 400 tokens in all.
const SYSTEM: &str = "You are the telephone assistant of Acme Bikes, a bicycle shop and repair \
workshop. Answer the caller in one or two short spoken sentences, using only the facts in the \
knowledge below. Never invent prices, dates or policies. If the knowledge does not answer the \
question, say you will pass the caller to a colleague. Cite nothing aloud; speak naturally.\n\n\
Knowledge:\n\
[hours.md#opening-hours] The shop is open Monday to Friday from 9 am to 6 pm and on Saturday \
from 10 am to 4 pm. It is closed on Sundays and public holidays. The workshop takes the last \
repair at 5 pm.\n\
[returns.md#refunds] Unused items can be returned within 30 days with the receipt for a full \
refund to the original payment method. Bicycles that have been ridden can be exchanged within \
14 days but not refunded. Custom-built wheels cannot be returned.\n\
[repairs.md#service] A standard service costs 69 euros and includes brake and gear adjustment, \
chain cleaning, tyre pressure and a safety check. A full service costs 129 euros and adds hub \
and headset bearings. Most services are ready within two working days.\n\
[delivery.md#shipping] Orders over 50 euros ship free within the country and arrive in two to \
four working days. Express delivery costs 9 euros and arrives the next working day when ordered \
before noon. Bicycles are delivered fully assembled.\n\
[warranty.md#frames] Frames carry a lifetime warranty against manufacturing defects for the \
first owner. Components carry the maker's warranty, usually two years. Crash damage is not \
covered, but owners get 30 percent off a replacement frame.";

fn messages(question: &str) -> Vec<ChatMessage> {
    messages_after("", question)
}

/// The messages with `prefix` before the system prompt (a new prefix makes the prompt cold).
fn messages_after(prefix: &str, question: &str) -> Vec<ChatMessage> {
    vec![
        ChatMessage::new(Role::System, format!("{prefix}{SYSTEM}")),
        ChatMessage::new(Role::User, question),
    ]
}

fn generate(
    llm: &dyn LanguageModel,
    messages: Vec<ChatMessage>,
    max_tokens: usize,
) -> Result<Generation> {
    let t = Instant::now();
    let req = GenerateRequest {
        messages,
        max_tokens,
        stop: Vec::new(),
    };
    let g = llm.generate(&req, &mut |_| ControlFlow::Continue(()))?;
    eprintln!(
        "  {:>6.0} ms: prompt {} (cached {}), {} tokens, first token {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0,
        g.prompt_tokens,
        g.cached_tokens,
        g.completion_tokens,
        g.first_token_ms
    );
    Ok(g)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

const QUESTIONS: [&str; 4] = [
    "Hi, how long do I have to return a helmet I bought last week?",
    "What does a full service cost and what is included?",
    "Are you open on Saturday afternoon?",
    "If I order a bike today, when will it arrive?",
];

/// How a measurement makes the next prompt cold.
enum Cold<'a> {
    /// Clear the embedded backend's cache.
    Clear(&'a EmbeddedLlm),
    /// Put a new word before the system prompt.
    NewPrefix,
}

/// Medians over `args.repeat` runs.
struct Figures {
    prompt_tokens: usize,
    cold_ms: f64,
    warm_ms: f64,
    cached: f64,
    decode: f64,
}

fn measure(args: &Args, llm: &dyn LanguageModel, cold_by: &Cold<'_>) -> Result<Figures> {
    generate(llm, messages(QUESTIONS[0]), 4)?; // warm-up
    let (mut cold, mut warm, mut cached, mut decode) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut prompt_tokens = 0;
    for i in 0..args.repeat {
        // Cold: nothing cached, one token: the whole prompt is prefilled.
        let prefix = match cold_by {
            Cold::Clear(embedded) => {
                embedded.clear_cache();
                String::new()
            }
            Cold::NewPrefix => format!("Session {i}. "),
        };
        let g = generate(llm, messages_after(&prefix, QUESTIONS[i % 4]), 1)?;
        cold.push(g.first_token_ms);
        prompt_tokens = g.prompt_tokens;
        // Warm: the system prompt is cached (another question was asked before).
        let g = generate(llm, messages_after(&prefix, QUESTIONS[(i + 1) % 4]), 1)?;
        warm.push(g.first_token_ms);
        cached.push(g.cached_tokens as f64);
        // Decode: tokens after the first, per second.
        let question = "Tell me everything about your services, prices and delivery, in detail.";
        let g = generate(llm, messages_after(&prefix, question), args.decode_tokens)?;
        if g.completion_tokens > 1 {
            decode.push(
                (g.completion_tokens - 1) as f64 / ((g.total_ms - g.first_token_ms) / 1000.0),
            );
        }
    }
    Ok(Figures {
        prompt_tokens,
        cold_ms: median(cold),
        warm_ms: median(warm),
        cached: median(cached),
        decode: if decode.is_empty() {
            0.0
        } else {
            median(decode)
        },
    })
}

fn result_line(backend: &str, name: &str, threads: usize, load_ms: f64, f: &Figures) -> String {
    format!(
        "{backend} {name} threads={threads} load_ms={load_ms:.0} prompt_tokens={} \
         ttft_cold_ms={:.0} prefill_tok_s={:.1} ttft_cached_ms={:.0} cached_tokens={:.0} decode_tok_s={:.1}",
        f.prompt_tokens,
        f.cold_ms,
        f.prompt_tokens as f64 / (f.cold_ms / 1000.0),
        f.warm_ms,
        f.cached,
        f.decode,
    )
}

/// Measures the embedded backend in this process (its candle pool has `threads` threads)
/// and prints one line.
fn child(args: &Args, path: &Path, threads: usize) -> Result<()> {
    let t = Instant::now();
    let llm = EmbeddedLlm::load(path, threads)?;
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    if llm.threads() != threads {
        bail!("candle uses {} threads, not {threads}", llm.threads());
    }
    let f = measure(args, &llm, &Cold::Clear(&llm))?;
    println!(
        "RESULT {}",
        result_line("embedded", llm.name(), threads, load_ms, &f)
    );
    Ok(())
}

/// Measures the llama.cpp worker with `threads` threads and prints one line.
fn worker(args: &Args, path: &Path, threads: usize) -> Result<()> {
    let binary = find_worker(None)?;
    let t = Instant::now();
    let llm = WorkerLlm::start(WorkerConfig::new(binary, path.to_path_buf(), threads))?;
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let f = measure(args, &llm, &Cold::NewPrefix)?;
    println!(
        "{}",
        result_line("worker", llm.name(), threads, load_ms, &f)
    );
    Ok(())
}

/// Runs the embedded measurement in a child process with `threads` candle threads.
fn embedded(exe: &Path, threads: usize) -> Result<()> {
    let out = Command::new(exe)
        .args(std::env::args().skip(1))
        .env(CHILD, threads.to_string())
        .env("CANDLE_NUM_THREADS", threads.to_string())
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    match stdout.lines().find(|l| l.starts_with("RESULT ")) {
        Some(line) => println!("{}", &line[7..]),
        None => bail!(
            "{threads} threads failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    let dir = args.models_dir.clone().unwrap_or_else(voxgate_models_dir);
    let id = match args.model.as_str() {
        "qwen" => ModelId::QwenCoder05b,
        "smollm2" => ModelId::SmolLm2,
        other => bail!("unknown model {other} (qwen, smollm2)"),
    };
    let path = Models::locate(&dir)?.require(id).with_context(|| {
        format!(
            "fetch it: voxgate models fetch {} --models-dir {}",
            id.as_str(),
            dir.display()
        )
    })?;
    if let Ok(n) = std::env::var(CHILD) {
        return child(&args, &path, n.parse()?);
    }
    let exe = std::env::current_exe()?;
    for backend in &args.backend {
        for &threads in &args.threads {
            match backend.as_str() {
                "embedded" => embedded(&exe, threads)?,
                "worker" => worker(&args, &path, threads)?,
                other => bail!("unknown backend {other} (embedded, worker)"),
            }
        }
    }
    Ok(())
}

fn voxgate_models_dir() -> PathBuf {
    voxgate::models::shared_models_dir()
}
