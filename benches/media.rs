//! Per-tick cost of the media path a call runs every 20 ms: a prompt played into the
//! outgoing frame by the dialog's playback (as a flow's `play` does) and both sides written to
//! the call's stereo recording (what a recorded flow call does besides its flow), and 8 kHz ↔
//! 16 kHz resampling. The capacity goal (≤ 0.1 % of a core per call) is 20 µs per 20 ms tick
//! for everything a call does.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use voxgate::dialog::voice::playback::{Playback, Source, TAG_PROMPT};
use voxgate::media::{FrameResampler, Recorder, builtin_prompts};

fn prompt_and_recording_tick(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("voxgate-bench-{}", std::process::id()));
    let path = dir.join("bench.wav");
    // One minute of prompt so that nearly every measured tick plays audio.
    let greeting: Arc<[i16]> = builtin_prompts().unwrap()[0]
        .samples()
        .iter()
        .copied()
        .cycle()
        .take(8000 * 60)
        .collect();
    let mut playback = Playback::new();
    let mut rec = Recorder::create_at(path.clone()).unwrap();
    let caller = [123i16; 160];
    let mut out = [0i16; 160];
    let mut now = Instant::now();
    c.bench_function("call tick (20 ms prompt + stereo recording)", |b| {
        b.iter(|| {
            if !playback.busy() {
                playback.push(Source::Pcm(Arc::clone(&greeting)), TAG_PROMPT, false);
                rec = Recorder::create_at(path.clone()).unwrap();
            }
            now += Duration::from_millis(20);
            out.fill(0);
            playback.poll(now);
            playback.fill(now, &mut out);
            while playback.poll_event().is_some() {}
            rec.write_tick(black_box(&caller), &out).unwrap();
        })
    });
    drop(rec);
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

criterion_group!(benches, prompt_and_recording_tick, resample);
criterion_main!(benches);
