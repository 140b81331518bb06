//! Piper's time to first audio (the first `streaming_chunks` chunk of a reply synthesized
//! by a preloaded voice) and its real-time factor on whole replies, per ONNX Runtime thread
//! count, and the cost of resampling its 22.05 kHz output to the line's 8 kHz.

use std::time::{Duration, Instant};

use anyhow::Result;
use voxgate::models::{ModelId, Models};
use voxgate::speech::tts::{self, PiperVoice};

use crate::stats::{Spread, uptime};

/// Typical support replies: short "Sure," first chunks, a first sentence of ten words, an
/// identifier read digit by digit.
const REPLIES: [&str; 6] = [
    "Sure, I can help you with that. Your order shipped yesterday and should arrive on Friday.",
    "Of course. Let me transfer you to an agent who can look at your billing question.",
    "Thanks for waiting, I found your account. Your last payment was received on March third.",
    "I have checked your account and everything looks fine now. Is there anything else?",
    "I'm sorry to hear that, we can replace the device for free while it is under warranty.",
    "Your ticket number is 48213. Please keep it for your records.",
];
const LINE_RATE: u32 = 8000;

pub(crate) fn run(models: &Models, repeat: usize) -> Result<()> {
    let onnx = models.require(ModelId::PiperJoeMedium)?;
    let ort = models.require(ModelId::OnnxRuntime)?;
    println!(
        "\n## TTS time to first audio (voice preloaded; the first streaming chunk; {repeat} runs after a warm-up)\n"
    );
    println!(
        "| ORT threads | first chunk | audio ms | synth p50 ms | min–max ms | resample → 8 kHz ms |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut summary = Vec::new();
    for threads in [1, 2] {
        let mut voice = PiperVoice::load(&onnx, &ort, threads)?;
        voice.synthesize("Hello.")?;
        let mut all = Vec::new();
        for reply in REPLIES {
            let first = tts::streaming_chunks(reply)
                .into_iter()
                .next()
                .unwrap_or_default();
            let mut times = Vec::new();
            let mut pcm = voice.synthesize(&first)?;
            for _ in 0..repeat {
                let t = Instant::now();
                pcm = voice.synthesize(&first)?;
                times.push(t.elapsed());
            }
            let r = Instant::now();
            tts::resample_pcm(&pcm, voice.rate(), LINE_RATE)?;
            let resample = r.elapsed();
            let s = Spread::new(&times);
            println!(
                "| {threads} | \"{first}\" | {:.0} | {:.0} | {:.0}–{:.0} | {:.2} |",
                pcm.len() as f64 * 1000.0 / f64::from(voice.rate()),
                s.p50(),
                s.min(),
                s.max(),
                resample.as_secs_f64() * 1000.0
            );
            all.extend(times);
        }
        let s = Spread::new(&all);
        let (rtf, audio) = whole_replies(&mut voice, repeat)?;
        summary.push((threads, s.p50(), s.q(0.95), s.max(), rtf, audio));
    }
    println!(
        "\n| ORT threads | first audio p50 ms | p95 ms | max ms | goal ≤ 150 ms (p95) | whole replies RTF (incl. resample) | audio s |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (threads, p50, p95, max, rtf, audio) in summary {
        let met = if p95 <= 150.0 { "met" } else { "NOT met" };
        println!("| {threads} | {p50:.0} | {p95:.0} | {max:.0} | {met} | {rtf:.3} | {audio:.1} |");
    }
    println!("({})", uptime());
    Ok(())
}

/// Real-time factor of rendering every reply whole at 8 kHz (best of `repeat`), and the
/// seconds of audio made.
fn whole_replies(voice: &mut PiperVoice, repeat: usize) -> Result<(f64, f64)> {
    let mut best = Duration::MAX;
    let mut samples = 0;
    for _ in 0..repeat {
        let t = Instant::now();
        samples = 0;
        for reply in REPLIES {
            samples += tts::render(voice, reply, LINE_RATE)?.len();
        }
        best = best.min(t.elapsed());
    }
    let audio = samples as f64 / f64::from(LINE_RATE);
    Ok((best.as_secs_f64() / audio, audio))
}
