//! Whisper decode time and real-time factor per model, thread count and utterance length,
//! and the time from the end of a 3 s utterance to its final transcript.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use voxgate::models::{ModelId, Models};
use voxgate::speech::TurnConfig;
use voxgate::speech::stt::{DecodeOptions, SttModel, SttPool};

use crate::audio::Corpus;
use crate::stats::{Spread, cpu_time, uptime};

pub(crate) const MODELS: [(ModelId, &str); 2] = [
    (ModelId::WhisperTinyEn, "tiny.en"),
    (ModelId::WhisperBase, "base"),
];
const THREADS: [usize; 2] = [1, 2];
const LENGTHS: [f64; 3] = [2.0, 5.0, 10.0];
/// The "end of speech to final" utterance.
const FINAL_SECS: f64 = 3.0;

pub(crate) fn run(models: &Models, corpus: &Corpus, repeat: usize) -> Result<()> {
    println!("\n## STT decode time (one recognizer, idle queue; {repeat} runs after a warm-up)\n");
    println!(
        "| model | threads | audio s | p50 ms | min ms | max ms | RTF (p50) | RTF (min) | CPU ms per decode | words |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut loaded = Vec::new();
    for (id, name) in MODELS {
        let model = SttModel::load(&models.require(id)?)?;
        for threads in THREADS {
            let mut rec = model.recognizer()?;
            let opts = DecodeOptions {
                threads,
                ..DecodeOptions::default()
            };
            for secs in LENGTHS {
                let pcm = corpus.utterance_16k(secs, 3);
                let words = rec.transcribe(&pcm, &opts)?.words.len();
                let cpu = cpu_time();
                let times: Vec<Duration> = (0..repeat)
                    .map(|_| {
                        let t = Instant::now();
                        rec.transcribe(&pcm, &opts).map(|_| t.elapsed())
                    })
                    .collect::<Result<_, _>>()?;
                let cpu_ms = (cpu_time() - cpu).as_secs_f64() * 1000.0 / repeat as f64;
                let s = Spread::new(&times);
                println!(
                    "| {name} | {threads} | {secs:.0} | {:.0} | {:.0} | {:.0} | {:.3} | {:.3} | {cpu_ms:.0} | {words} |",
                    s.p50(),
                    s.min(),
                    s.max(),
                    s.p50() / 1000.0 / secs,
                    s.min() / 1000.0 / secs
                );
            }
        }
        loaded.push((name, model));
    }
    println!("({})", uptime());
    end_of_speech(&loaded, corpus, repeat)
}

/// A 3 s final through a one-worker pool (the path a call's final takes), over `repeat`
/// different utterances; plus the turn detector's end-of-turn silence.
fn end_of_speech(loaded: &[(&str, Arc<SttModel>)], corpus: &Corpus, repeat: usize) -> Result<()> {
    let turn = TurnConfig::default();
    let (end, question) = (
        turn.end_silence.as_millis(),
        turn.question_silence.as_millis(),
    );
    println!(
        "\n## End of speech → final transcript, {FINAL_SECS:.0} s utterance ({repeat} different utterances)\n"
    );
    println!(
        "The turn detector ends a turn after {end} ms of silence ({question} ms when the words \
         already form a complete question); the final is decoded after that.\n"
    );
    println!(
        "| model | threads | decode p50 ms | min–max ms | + {end} ms silence | + {question} ms (question) | goal ≤ 300 ms (decode) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (name, model) in loaded {
        for threads in THREADS {
            let pool = SttPool::start(model, 1, threads, 4)?;
            let opts = DecodeOptions {
                threads,
                ..DecodeOptions::default()
            };
            let clips: Vec<Vec<f32>> = (0..repeat)
                .map(|k| corpus.utterance_16k(FINAL_SECS, 11 * k + 1))
                .collect();
            let warm = pool.transcribe_blocking(clips[0].clone(), opts.clone())?;
            let mut times = Vec::new();
            for clip in &clips {
                let t = Instant::now();
                pool.transcribe_blocking(clip.clone(), opts.clone())?;
                times.push(t.elapsed());
            }
            let s = Spread::new(&times);
            let met = if s.p50() <= 300.0 { "met" } else { "NOT met" };
            println!(
                "| {name} | {threads} | {:.0} | {:.0}–{:.0} | {:.0} | {:.0} | {met} |",
                s.p50(),
                s.min(),
                s.max(),
                s.p50() + end as f64,
                s.p50() + question as f64
            );
            if threads == 1 {
                println!("|   | e.g. | \"{}\" | | | | |", warm.text.trim());
            }
        }
    }
    println!("({})", uptime());
    Ok(())
}
