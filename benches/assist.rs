//! Agent assist's cost (issue #14): for lines a caller says to a human agent, the time to
//! the knowledge passages (`Agent::passages_for`: the query embedded, hybrid retrieval, the
//! strength test) and to the suggested answer (a whole AI turn in a fresh conversation:
//! retrieval, quote or LLM, grounding), each on this machine's configured agent (`[agent]`
//! defaults) over the bundled demo knowledge base. Both run off the call task in `serve`.
//!
//! ```text
//! cargo bench --bench assist -- [--repeat N]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use clap::Parser;
use voxgate::dialog::{Agent, AgentSettings, KnowledgeSource};
use voxgate::models::Models;

#[derive(Parser, Debug)]
#[command(about = "agent assist: passages and suggestion latency")]
struct Args {
    /// Rounds over the lines (the first is a warm-up and not counted).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// Things callers say to a person: questions the demo knowledge answers, and talk it does not.
const LINES: &[&str] = &[
    "How long is the warranty on furniture frames?",
    "Do you ship to Switzerland?",
    "What does express delivery cost?",
    "Can I pay with PayPal?",
    "How long do I have to return an item?",
    "My parcel arrived damaged, what do I do?",
    "It was a birthday present for my sister.",
    "Thanks, that's really kind of you.",
];

fn main() {
    let args = Args::parse();
    let models = Models::locate(voxgate::models::shared_models_dir()).expect("models directory");
    let t = Instant::now();
    let agent = Agent::build(
        &AgentSettings::default(),
        KnowledgeSource::Demo,
        &models,
        &[],
    )
    .expect("the agent (scripts/run fetches the models)");
    println!("agent ready in {} ms", t.elapsed().as_millis());
    let (mut passages, mut answers) = (Vec::new(), Vec::new());
    for round in 0..args.repeat.max(2) {
        for line in LINES {
            let t = Instant::now();
            let hits = agent.passages_for(line, 3);
            let p_ms = t.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            let answer = agent.ask(line);
            let a_ms = t.elapsed().as_secs_f64() * 1e3;
            if round == 0 {
                let shown = answer
                    .handoff
                    .map_or_else(|| answer.text.clone(), |h| format!("(hands off: {h:?})"));
                println!(
                    "{line:50} passages {} ({:.0} ms) | {:.0} ms: {shown}",
                    hits.len(),
                    p_ms,
                    a_ms
                );
                continue;
            }
            passages.push(p_ms);
            answers.push(a_ms);
        }
    }
    let q = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    };
    println!(
        "passages: p50 {:.0} ms, p95 {:.0} ms; suggestion: p50 {:.0} ms, p95 {:.0} ms ({} lines)",
        q(&mut passages, 0.5),
        q(&mut passages, 0.95),
        q(&mut answers, 0.5),
        q(&mut answers, 0.95),
        passages.len()
    );
}
