//! What reading a caller's emotion costs (issue #13): the prosody tracker per 20 ms frame,
//! closing an utterance's prosody, the words of an utterance (English and Mandarin, the
//! sentences of `tests/data/emotion-tune.toml`), and from those the cost per call-minute and
//! the latency added at the end of a turn (closing the prosody + reading the words: the only
//! work between the final transcript and the emotion event).
//!
//! ```text
//! cargo bench --bench emotion -- [--models-dir DIR] [--repeat N]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use voxgate::emotion::{Analyzer, EmotionConfig, Lexicons};
use voxgate::models::Models;
use voxgate::speech::features::FrameAnalyzer;
use voxgate::speech::prosody::{Baseline, ProsodyTracker};

#[derive(Parser, Debug)]
#[command(about = "voxgate emotion benchmark: prosody and words per utterance")]
struct Args {
    /// The models directory (default `$VOXGATE_MODELS`, else ~/.cache/voxgate/models).
    #[arg(long)]
    models_dir: Option<PathBuf>,
    /// Passes over the sentences.
    #[arg(long, default_value_t = 20)]
    repeat: usize,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

#[derive(serde::Deserialize)]
struct Set {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    text: String,
    lang: String,
}

/// A voiced test signal: a 150 Hz tone with harmonics gliding over 3 s (8 kHz).
fn voice(seconds: f32) -> Vec<i16> {
    let n = (seconds * 8000.0) as usize;
    (0..n)
        .map(|i| {
            let t = i as f32 / 8000.0;
            let f = 150.0 + 20.0 * (t * 1.3).sin();
            let s = (2.0 * std::f32::consts::PI * f * t).sin()
                + 0.5 * (4.0 * std::f32::consts::PI * f * t).sin();
            (s * 6000.0) as i16
        })
        .collect()
}

fn main() {
    let args = Args::parse();
    let dir = args
        .models_dir
        .clone()
        .unwrap_or_else(voxgate::models::store::shared_models_dir);
    let models = Models::locate(dir).unwrap();
    let t = Instant::now();
    let lex = Lexicons::load(&models)
        .expect("the lexicons: voxgate models fetch vader-lexicon zh-sentiment");
    let analyzer = Analyzer::new(Arc::new(lex), EmotionConfig::default());
    println!(
        "lexicons and segmenter loaded in {} ms",
        t.elapsed().as_millis()
    );

    // Prosody: frames of a 3 s utterance, already analysed (the listen stage computes the
    // frame features anyway); the tracker's own cost.
    let pcm = voice(3.0);
    let mut fa = FrameAnalyzer::new(8000, 160);
    let frames: Vec<_> = pcm.chunks_exact(160).map(|f| fa.analyse(f)).collect();
    let mut tracker = ProsodyTracker::new(20);
    let baseline = Baseline::default();
    let (mut push_ns, mut finish_ns) = (0u128, 0u128);
    for _ in 0..args.repeat {
        let t = Instant::now();
        for f in &frames {
            tracker.push(black_box(f));
        }
        push_ns += t.elapsed().as_nanos();
        let t = Instant::now();
        let p = tracker.finish(Some(9)).unwrap();
        black_box(baseline.arousal(&p));
        finish_ns += t.elapsed().as_nanos();
    }
    let per_frame = push_ns as f64 / (args.repeat * frames.len()) as f64;
    let finish_us = finish_ns as f64 / args.repeat as f64 / 1000.0;
    println!(
        "prosody: {per_frame:.0} ns per 20 ms frame; closing a 3 s utterance {finish_us:.1} µs"
    );

    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/emotion-tune.toml");
    let set: Set = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut words_us = [0.0f64; 2];
    let mut singles: Vec<f64> = Vec::new();
    for (lang, spent) in words_us.iter_mut().enumerate() {
        let texts: Vec<&str> = set
            .case
            .iter()
            .filter(|c| usize::from(c.lang == "zh") == lang)
            .map(|c| c.text.as_str())
            .collect();
        let t = Instant::now();
        for _ in 0..args.repeat {
            for text in &texts {
                let one = Instant::now();
                black_box(analyzer.analyze(black_box(text), Some(0.5)));
                singles.push(one.elapsed().as_secs_f64() * 1e6);
            }
        }
        *spent = t.elapsed().as_secs_f64() * 1e6 / (args.repeat * texts.len()) as f64;
    }
    singles.sort_by(f64::total_cmp);
    let at = |q: f64| singles[((singles.len() - 1) as f64 * q) as usize];
    println!(
        "words: English {:.1} µs, Mandarin {:.1} µs per utterance on average; all: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        words_us[0],
        words_us[1],
        at(0.5),
        at(0.99),
        at(1.0)
    );
    let p99_turn = finish_us + at(0.99);
    println!(
        "added end-of-turn latency (p99): {:.3} ms per utterance (goal < 5 ms)",
        p99_turn / 1000.0
    );
    // A call-minute: 3000 frames of the caller's audio and about 12 utterances.
    let mean_turn = finish_us + words_us[0].max(words_us[1]);
    let minute_us = 3000.0 * per_frame / 1000.0 + 12.0 * mean_turn;
    println!(
        "per call-minute: {:.2} ms of one core ({:.4} % of a core)",
        minute_us / 1000.0,
        minute_us / 60e6 * 100.0
    );
}
