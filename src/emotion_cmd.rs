//! `voxgate emotion ["TEXT"] [--audio FILE.wav] [--json]`: how a caller feels, from a
//! sentence, a recording or both. A recording gives the voice's arousal (against a
//! population baseline: one clip has no caller baseline of its own) and, without a text,
//! its transcript (Whisper base, any language).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use voxgate::emotion::{Analyzer, Emotion, Lexicons};
use voxgate::models::{self, ModelId, Models};
use voxgate::speech::prosody::{self, Baseline};

use crate::cli::EmotionArgs;

/// The longest recording read.
const MAX_AUDIO: Duration = Duration::from_secs(120);

/// Runs `voxgate emotion`.
pub(crate) fn run(args: &EmotionArgs) -> anyhow::Result<()> {
    let text = args
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if text.is_none() && args.audio.is_none() {
        anyhow::bail!("give a sentence, --audio FILE.wav, or both");
    }
    let cfg = match &args.config {
        Some(path) => voxgate::config::Config::from_file(path)?.emotion,
        None => Default::default(),
    };
    cfg.validate().map_err(anyhow::Error::msg)?;
    let dir = args
        .models_dir
        .clone()
        .unwrap_or_else(models::default_models_dir);
    let models = Models::locate(dir)?;
    let started = Instant::now();
    let analyzer = Analyzer::new(Arc::new(Lexicons::load(&models)?), cfg);
    let loaded = started.elapsed();
    let (text, voice) = match &args.audio {
        Some(path) => {
            let (mono, rate) = voxgate::media::read_wav_mono(path, MAX_AUDIO)?;
            let pcm8k = to_8k(&mono, rate)?;
            let said = match text {
                Some(t) => t.to_string(),
                None => transcribe(&models, &args.model, &mono, rate)?,
            };
            let words = count_words(&said);
            let p = prosody::of_clip(&pcm8k, Some(words)).with_context(|| {
                format!(
                    "{}: too little voiced speech to hear how it was said",
                    path.display()
                )
            })?;
            (said, Some(Baseline::default().arousal(&p)))
        }
        None => (text.unwrap_or_default().to_string(), None),
    };
    let t = Instant::now();
    let e = analyzer.analyze(&text, voice);
    let crisis = voxgate::dialog::crisis::judge(&text).map(|k| k.as_str());
    let spent = t.elapsed();
    if args.json {
        println!("{}", json(&text, &e, crisis));
    } else {
        print_plain(&text, &e, crisis);
        eprintln!(
            "lexicons loaded in {} ms; analysed in {} µs",
            loaded.as_millis(),
            spent.as_micros()
        );
    }
    Ok(())
}

fn to_8k(mono: &[f32], rate: u32) -> anyhow::Result<Vec<i16>> {
    let pcm = if rate == 8000 {
        mono.to_vec()
    } else {
        voxgate::media::resample_clip(mono, rate, 8000)?
    };
    Ok(pcm
        .iter()
        .map(|s| (s.clamp(-1.0, 1.0) * 32767.0) as i16)
        .collect())
}

/// Words of English, or Mandarin characters as syllables (one per character).
fn count_words(text: &str) -> usize {
    if voxgate::emotion::is_mandarin(text) {
        text.chars().filter(|c| c.is_alphanumeric()).count()
    } else {
        text.split_whitespace().count()
    }
}

fn transcribe(models: &Models, model: &str, mono: &[f32], rate: u32) -> anyhow::Result<String> {
    use voxgate::speech::stt::{DecodeOptions, Language, STT_RATE, SttModel, SttPool};
    let id = match model {
        "tiny.en" | "tiny" => ModelId::WhisperTinyEn,
        "base" => ModelId::WhisperBase,
        other => anyhow::bail!("--model {other}: choose tiny.en or base"),
    };
    let pcm = voxgate::media::resample_clip(mono, rate, STT_RATE)?;
    let stt = SttModel::load(&models.require(id)?)?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let pool = SttPool::start(&stt, 1, threads, 1)?;
    let opts = DecodeOptions {
        language: Language::parse("auto"),
        threads,
        prompt: None,
    };
    Ok(pool.transcribe_blocking(pcm, opts)?.text.trim().to_string())
}

fn json(text: &str, e: &Emotion, crisis: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "text": text,
        "label": e.label,
        "valence": round(e.valence),
        "arousal": round(e.arousal),
        "confidence": round(e.confidence),
        "voice_arousal": e.voice.map(round),
        "language": e.language,
        "crisis": crisis,
        "cues": e.cues.iter().map(|c| serde_json::json!({
            "label": c.label,
            "name": c.name,
            "text": c.text,
            "weight": round(c.weight),
        })).collect::<Vec<_>>(),
    })
}

fn round(v: f32) -> f64 {
    (f64::from(v) * 1000.0).round() / 1000.0
}

fn print_plain(text: &str, e: &Emotion, crisis: Option<&str>) {
    println!("{}", e.label.as_str());
    println!("  text:       {text}");
    println!(
        "  valence {:+.2}  arousal {:+.2}  confidence {:.2}  ({})",
        e.valence, e.arousal, e.confidence, e.language
    );
    if let Some(z) = e.voice {
        println!("  voice:      arousal score {z:+.2} against a typical caller");
    }
    if let Some(kind) = crisis {
        println!("  CRISIS:     {kind} (a call would be handed to a person at once)");
    }
    for c in &e.cues {
        println!(
            "  cue:        {} ({}, {:.1}): \"{}\"",
            c.label.as_str(),
            c.name,
            c.weight,
            c.text
        );
    }
}
