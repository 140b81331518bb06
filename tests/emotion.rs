//! Emotion from the words, English and Mandarin (issue #13), on two labelled sets of support
//! callers' utterances (15 per label and language in each, a third or more without an
//! obvious emotion word): `emotion-tune.toml`, which the cue phrases and thresholds were
//! tuned on, and `emotion-test.toml`, written by someone else and never looked at while
//! tuning. Per-class precision and recall and macro-F1 per language are printed; floors hold
//! what was measured (the held-out figure is the one the README reports).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use voxgate::emotion::{Analyzer, EmotionConfig, Label, Lexicons};
use voxgate::models::{Models, store::shared_models_dir};

#[derive(serde::Deserialize)]
struct Set {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    text: String,
    lang: String,
    label: String,
    explicit: bool,
}

fn analyzer() -> Analyzer {
    let models = Models::locate(shared_models_dir()).unwrap();
    let lex = Lexicons::load(&models)
        .unwrap_or_else(|e| panic!("{e} (the test command fetches the models first)"));
    Analyzer::new(Arc::new(lex), EmotionConfig::default())
}

/// Macro-F1 per language ([English, Mandarin]), printing the confusion, per-class figures
/// and the misses.
fn evaluate(file: &str, show_misses: bool) -> [f32; 2] {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    let set: Set = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let a = analyzer();
    // confusion[lang][truth][predicted]
    let mut confusion = [[[0u32; 6]; 6]; 2];
    // Utterances without an obvious emotion word (emotional ones only): right, all.
    let mut implicit = [(0u32, 0u32); 2];
    for c in &set.case {
        let truth = Label::parse(&c.label).unwrap();
        let lang = usize::from(c.lang == "zh");
        let e = a.analyze(&c.text, None);
        confusion[lang][truth as usize][e.label as usize] += 1;
        if !c.explicit && truth != Label::Neutral {
            implicit[lang].0 += u32::from(e.label == truth);
            implicit[lang].1 += 1;
        }
        if show_misses && e.label != truth {
            let cues: Vec<&str> = e.cues.iter().map(|c| c.name).collect();
            eprintln!(
                "  miss [{} {} -> {}] {} (v {:.2}, a {:.2}, cues {cues:?})",
                c.lang,
                c.label,
                e.label.as_str(),
                c.text,
                e.valence,
                e.arousal
            );
        }
    }
    let mut f1s = [0.0; 2];
    for (lang, name) in ["English", "Mandarin"].iter().enumerate() {
        let m = &confusion[lang];
        let mut f1_sum = 0.0;
        let mut line = String::new();
        for l in Label::ALL {
            let i = l as usize;
            let tp = m[i][i] as f32;
            let predicted: u32 = (0..6).map(|t| m[t][i]).sum();
            let actual: u32 = m[i].iter().sum();
            let p = if predicted > 0 {
                tp / predicted as f32
            } else {
                0.0
            };
            let r = if actual > 0 { tp / actual as f32 } else { 0.0 };
            let f1 = if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            };
            f1_sum += f1;
            line += &format!(" {} P {:.2} R {:.2};", l.as_str(), p, r);
        }
        f1s[lang] = f1_sum / 6.0;
        let right: u32 = (0..6).map(|i| m[i][i]).sum();
        let all: u32 = m.iter().flatten().sum();
        eprintln!(
            "{file} {name}: macro-F1 {:.3}, {right}/{all} right ({}/{} of the emotional ones without an emotion word);{line}",
            f1s[lang], implicit[lang].0, implicit[lang].1
        );
    }
    f1s
}

#[test]
fn the_tuning_set_is_labelled_as_tuned() {
    let [en, zh] = evaluate("emotion-tune.toml", true);
    assert!(en >= 0.90, "English macro-F1 {en:.3} on the tuning set");
    assert!(zh >= 0.85, "Mandarin macro-F1 {zh:.3} on the tuning set");
}

#[test]
fn held_out_utterances_hold_the_measured_floor() {
    // Never tuned on: misses are not printed, so nobody tunes on them by reading this.
    let [en, zh] = evaluate("emotion-test.toml", false);
    assert!(en >= 0.78, "English macro-F1 {en:.3} on the held-out set");
    assert!(zh >= 0.73, "Mandarin macro-F1 {zh:.3} on the held-out set");
}

#[test]
fn the_same_words_louder_and_faster_read_angrier_than_calm() {
    let a = analyzer();
    let words = "this is the third time I've called about the same bill";
    let calm = a.analyze(words, Some(-0.5));
    let loud = a.analyze(words, Some(2.5));
    assert_eq!(calm.label, Label::Frustrated, "{calm:?}");
    assert_eq!(loud.label, Label::Angry, "{loud:?}");
    assert!(loud.arousal > calm.arousal);
}

#[test]
fn everyday_requests_are_neutral_in_both_languages() {
    let a = analyzer();
    for text in [
        "hi, I'd like to check the status of order 4417 please",
        "can you tell me your opening hours on Saturday",
        "我想查一下我的订单到哪了",
        "请问周末营业吗",
    ] {
        assert_eq!(a.analyze(text, None).label, Label::Neutral, "{text}");
    }
}

fn emotion_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .arg("emotion")
        .args(args)
        .arg("--json")
        .output()
        .expect("run voxgate emotion");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

/// `voxgate emotion`: text in either language, and a recording alone (transcribed first,
/// its voice giving arousal), each one JSON object with the label, valence, arousal,
/// confidence and cues.
#[test]
fn the_command_reads_text_and_recordings() {
    let Some(models) = common::models::fetch(&[
        "vader-lexicon",
        "zh-sentiment",
        "whisper-tiny.en",
        "piper-joe-medium",
        "onnxruntime",
    ]) else {
        return;
    };
    let dir = models.to_str().unwrap();
    let en = emotion_json(&[
        "This is the third time I've called and it's still broken, this is ridiculous!",
        "--models-dir",
        dir,
    ]);
    for key in ["label", "valence", "arousal", "confidence", "cues"] {
        assert!(!en[key].is_null(), "{key} missing: {en}");
    }
    assert!(
        ["angry", "frustrated"].contains(&en["label"].as_str().unwrap()),
        "{en}"
    );
    assert!(
        en["cues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "repeat contact"),
        "{en}"
    );
    let zh = emotion_json(&["太感谢了，问题终于解决了！", "--models-dir", dir]);
    assert_eq!(zh["label"], "satisfied", "{zh}");
    assert_eq!(zh["language"], "zh", "{zh}");
    let crisis = emotion_json(&["我不想活了", "--models-dir", dir]);
    assert_eq!(crisis["crisis"], "direct", "{crisis}");

    let tmp = common::TempDir::new("emotion-cli");
    let wav = tmp.0.join("thanks.wav");
    let said = Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .args([
            "say",
            "Thank you so much, that's sorted it, brilliant.",
            "--steady",
            "--out",
        ])
        .arg(&wav)
        .args(["--models-dir", dir])
        .output()
        .unwrap();
    assert!(
        said.status.success(),
        "{}",
        String::from_utf8_lossy(&said.stderr)
    );
    let heard = emotion_json(&[
        "--audio",
        wav.to_str().unwrap(),
        "--model",
        "tiny.en",
        "--models-dir",
        dir,
    ]);
    assert!(
        heard["text"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("thank"),
        "{heard}"
    );
    assert_eq!(heard["label"], "satisfied", "{heard}");
    assert!(heard["voice_arousal"].as_f64().is_some(), "{heard}");
}
