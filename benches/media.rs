//! Per-tick cost of the media path a call runs every 20 ms: the built-in script filling and
//! recording a frame, and 8 kHz ↔ 16 kHz resampling. The capacity goal (≤ 0.1 % of a core per
//! call) is 20 µs per 20 ms tick for everything a call does.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use voxgate::media::{FrameResampler, Prompt, PromptSet, Recorder};
use voxgate::script::{DigitScript, ScriptConfig, ScriptEvent};

fn new_script(path: &std::path::Path, prompts: &PromptSet, now: Instant) -> DigitScript {
    let config = ScriptConfig {
        inter_digit_timeout: Duration::from_secs(1_000_000),
        collect_timeout: Duration::from_secs(1_000_000),
        max_call: Duration::from_secs(1_000_000),
        ..ScriptConfig::default()
    };
    let rec = Recorder::create_at(path.to_path_buf()).unwrap();
    let mut script = DigitScript::new(prompts.clone(), config, Some(rec));
    script.on_answer(now);
    script
}

fn script_tick(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("voxgate-bench-{}", std::process::id()));
    let path = dir.join("bench.wav");
    let mut prompts = PromptSet::embedded().unwrap();
    // One minute of prompt so that nearly every measured tick plays audio.
    let greeting = prompts
        .greeting
        .samples()
        .iter()
        .copied()
        .cycle()
        .take(8000 * 60);
    prompts.greeting = Prompt::from_samples("greeting", greeting.collect());
    let mut now = Instant::now();
    let mut script = new_script(&path, &prompts, now);
    let caller = [123i16; 160];
    let mut out = [0i16; 160];
    c.bench_function("script tick (20 ms prompt + stereo recording)", |b| {
        b.iter(|| {
            now += Duration::from_millis(20);
            script.on_caller_audio(now, black_box(&caller));
            script.fill_outgoing(now, &mut out);
            let mut restart = false;
            while let Some(e) = script.poll_event() {
                restart |= matches!(e, ScriptEvent::PromptFinished(_));
            }
            if restart {
                script = new_script(&path, &prompts, now);
            }
        })
    });
    drop(script);
    let _ = std::fs::remove_dir_all(dir);
}

fn resample(c: &mut Criterion) {
    let mut up = FrameResampler::new(8000, 16000, 160).unwrap();
    let mut down = FrameResampler::new(16000, 8000, 320).unwrap();
    let input = [1000i16; 160];
    let mut wide = [0i16; 320];
    let mut narrow = [0i16; 160];
    c.bench_function("resample 20 ms 8k->16k->8k", |b| {
        b.iter(|| {
            let n = up.process(black_box(&input), &mut wide).unwrap();
            down.process(&wide[..n], &mut narrow).unwrap();
        })
    });
}

criterion_group!(benches, script_tick, resample);
criterion_main!(benches);
