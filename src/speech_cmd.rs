//! `voxgate say` (text → WAV with the Piper voice) and `voxgate transcribe` (WAV → text
//! with Whisper). The models come from the models directory (`voxgate models fetch` puts
//! them there); a missing one is named with the command that fetches it.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use voxgate::models::{self, ModelId, Models};
use voxgate::speech::tts::{self, PiperVoice};

use crate::cli::SayArgs;

/// Runs `voxgate say`.
pub(crate) fn say(args: &SayArgs) -> anyhow::Result<()> {
    if args.text.trim().is_empty() {
        anyhow::bail!("nothing to say: the text is empty");
    }
    let rate = args.rate.unwrap_or(0);
    if args.rate.is_some() && !(8000..=48_000).contains(&rate) {
        anyhow::bail!("--rate {rate}: must be between 8000 and 48000 Hz");
    }
    let dir = args
        .models_dir
        .clone()
        .unwrap_or_else(models::default_models_dir);
    let (voice_path, ort_lib) = voice_files(dir)?;
    let loaded = Instant::now();
    let mut voice = PiperVoice::load(&voice_path, &ort_lib, 2)?;
    if args.steady {
        let scales = voice.scales();
        voice.set_scales(tts::Scales {
            noise: 0.0,
            noise_w: 0.0,
            ..scales
        });
    }
    let rate = if rate == 0 { voice.rate() } else { rate };
    let started = Instant::now();
    let pcm = tts::render(&mut voice, &args.text, rate)?;
    let spent = started.elapsed();
    write_wav(&args.out, &pcm, rate)?;
    let secs = pcm.len() as f64 / f64::from(rate);
    eprintln!(
        "wrote {} ({secs:.2} s at {rate} Hz; voice loaded in {} ms, synthesized in {} ms, real-time factor {:.2})",
        args.out.display(),
        (started - loaded).as_millis(),
        spent.as_millis(),
        spent.as_secs_f64() / secs.max(1e-3),
    );
    Ok(())
}

/// The Piper voice and the ONNX Runtime library in `dir`.
fn voice_files(dir: PathBuf) -> anyhow::Result<(PathBuf, PathBuf)> {
    let models = Models::locate(dir)?;
    Ok((
        models.require(ModelId::PiperJoeMedium)?,
        models.require(ModelId::OnnxRuntime)?,
    ))
}

fn write_wav(path: &std::path::Path, pcm: &[i16], rate: u32) -> anyhow::Result<()> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec)
        .with_context(|| format!("cannot create {}", path.display()))?;
    for &s in pcm {
        w.write_sample(s)?;
    }
    w.finalize()?;
    Ok(())
}

/// Longest file `voxgate transcribe` takes.
const MAX_TRANSCRIBE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Runs `voxgate transcribe`: prints the text of a WAV file (any rate, mono or stereo).
pub(crate) fn transcribe(args: &crate::cli::TranscribeArgs) -> anyhow::Result<()> {
    use voxgate::speech::stt::{DecodeOptions, Language, STT_RATE, SttModel, SttPool};
    let id = match args.model.as_str() {
        "tiny.en" | "tiny" => ModelId::WhisperTinyEn,
        "base" => ModelId::WhisperBase,
        other => anyhow::bail!("--model {other}: choose tiny.en or base"),
    };
    let (mono, rate) = voxgate::media::read_wav_mono(&args.file, MAX_TRANSCRIBE)?;
    let pcm = voxgate::media::resample_clip(&mono, rate, STT_RATE)?;
    let dir = args
        .models_dir
        .clone()
        .unwrap_or_else(models::default_models_dir);
    let path = Models::locate(dir)?.require(id)?;
    let model = SttModel::load(&path)?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let pool = SttPool::start(&model, 1, threads, 1)?;
    let opts = DecodeOptions {
        language: Language::parse(&args.language),
        threads,
        prompt: None,
    };
    let t = pool.transcribe_blocking(pcm, opts)?;
    println!("{}", t.text);
    eprintln!(
        "{} ms of audio decoded in {} ms (real-time factor {:.2}){}",
        t.audio_ms,
        t.decode_ms,
        f64::from(t.decode_ms) / f64::from(t.audio_ms.max(1)),
        t.language
            .map(|l| format!("; language {l}"))
            .unwrap_or_default(),
    );
    Ok(())
}
