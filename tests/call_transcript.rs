//! A real call transcribed: baresip calls voxgate (`logic = "transcribe"`: the bundled
//! `transcribe` flow) with two
//! sentences made by `voxgate say` as its microphone, one of them with a card number, then
//! hangs up. The transcripts in SQLite and in transcripts.jsonl must read as the sentences
//! and the card number must be masked in both. Also: `serve` refuses to start the
//! transcribe logic without its model, naming `voxgate models fetch`.
//! Skipped (with a message) only when baresip or the models are missing and CI is not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "peers/baresip.rs"]
#[allow(dead_code)]
mod baresip;
mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use baresip::Baresip;
use common::voice_call::say;
use common::{Gateway, Ports, TempDir, have_peer};
use voxgate::speech::stt::wer;
use voxgate::store::{CallerPolicy, Store};

const ORDER: &str = "I would like to check the status of my order, please.";
const CARD: &str = "My card number is 4111 1111 1111 1111.";

/// The microphone: silence, the first sentence, a pause, the second, then silence for as
/// long as the call may last.
fn mic(models: &Path, dir: &Path) -> std::path::PathBuf {
    let silence = |ms: usize| vec![0i16; ms * 8];
    let mut pcm = silence(1000);
    pcm.extend(say(models, dir, ORDER));
    pcm.extend(silence(1500));
    pcm.extend(say(models, dir, CARD));
    pcm.extend(silence(120_000));
    let path = dir.join("sentences.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for s in pcm {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    path
}

/// The transcripts in transcripts.jsonl, waiting (at most `timeout`) for `n`.
fn wait_transcripts(gw: &Gateway, n: usize, timeout: Duration) -> Vec<serde_json::Value> {
    let end = Instant::now() + timeout;
    loop {
        let lines: Vec<serde_json::Value> =
            fs::read_to_string(gw.dir.join("data/transcripts.jsonl"))
                .unwrap_or_default()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
        if lines.len() >= n || Instant::now() >= end {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_call_is_transcribed_into_the_store_with_its_card_number_masked() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) =
        common::models::fetch(&["whisper-tiny.en", "piper-joe-medium", "onnxruntime"])
    else {
        return;
    };
    let dir = TempDir::new("call-transcript");
    let mic = mic(&models, &dir.0);
    let ports = Ports::new(40);
    let gw = Gateway::start(&dir.0, ports, "logic = \"transcribe\"", "");
    let mut phone = Baresip::dial_with_mic(&dir.0, ports, false, &mic);
    phone.wait_established(Duration::from_secs(10));
    let lines = wait_transcripts(&gw, 2, Duration::from_secs(120));
    let trace = phone.quit();
    let summary = &gw.wait_summaries(1, Duration::from_secs(10))[0];
    assert_eq!(summary["side"], "caller", "{summary}");
    assert_eq!(lines.len(), 2, "{lines:?}\n{}\n{trace}", gw.log());
    let log = gw.log();
    for line in log.lines().filter(|l| l.contains("final transcript")) {
        eprintln!("{line}");
    }
    // How many partials arrive before their utterance ends depends on the decode speed
    // (the stream test asserts them); here they are counted.
    let partials = log
        .lines()
        .filter(|l| l.contains(": partial "))
        .inspect(|l| eprintln!("{l}"))
        .count();
    eprintln!("{partials} partials shown in the call");
    let end = gw.wait_log("flow call ended", Duration::from_secs(10));
    let ended = end.lines().find(|l| l.contains("flow call ended"));
    eprintln!("{}", ended.unwrap_or(""));
    assert!(
        ended.is_some_and(|l| l.contains("flow=transcribe") && l.contains("lines=2")),
        "{end}"
    );
    let texts: Vec<&str> = lines.iter().map(|l| l["text"].as_str().unwrap()).collect();
    eprintln!("transcripts: {texts:?}");
    let (errors, words) = wer::word_errors(ORDER, texts[0]);
    eprintln!("WER of the first sentence: {errors}/{words}");
    // At most 2 of its 11 words wrong (the voice is read steady; measured 0/11).
    assert!(
        errors * 100 <= words * 20,
        "WER {errors}/{words}: {:?}",
        texts[0]
    );
    // The card number: masked, only its last four digits (at most) left.
    let card = texts[1];
    let digits = card.chars().filter(char::is_ascii_digit).count();
    // (Only the masking is asserted here: tiny.en hears "card" as "current" in some runs, as
    // the voice sampled its prosody; it is read steady now, and the number is what matters.)
    assert!(card.contains('*') && digits <= 4, "not masked: {card:?}");
    assert!(
        !gw.log().contains("1111 1111"),
        "the card number was logged"
    );
    // The store has the same, in order.
    let hash = lines[0]["call_id_hash"].as_str().unwrap();
    let store = Store::open(&gw.dir.join("data"), CallerPolicy::Redact).unwrap();
    let stored = store.transcripts_of(hash).unwrap();
    let stored: Vec<(u32, &str)> = stored.iter().map(|t| (t.seq, t.text.as_str())).collect();
    assert_eq!(stored, vec![(0, texts[0]), (1, texts[1])]);
    let (s0, e0) = (
        lines[0]["started_ms"].as_i64(),
        lines[0]["ended_ms"].as_i64(),
    );
    assert!(
        s0 < e0 && e0 <= lines[1]["started_ms"].as_i64(),
        "{lines:?}"
    );
}

#[test]
fn serve_refuses_the_transcribe_logic_without_its_model() {
    let dir = TempDir::new("transcribe-no-model");
    let ports = Ports::new(41);
    let config = dir.0.join("voxgate.toml");
    fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n[sip]\nlisten = \"{}\"\n[media]\nrtp_port_min = {}\n\
             rtp_port_max = {}\n[calls]\nlogic = \"transcribe\"\nmax_calls = 4\n",
            dir.0.join("data").display(),
            ports.sip(),
            ports.rtp_min(),
            ports.rtp_max()
        ),
    )
    .unwrap();
    let empty = dir.0.join("no-models");
    fs::create_dir_all(&empty).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("VOXGATE_MODELS", &empty)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let end = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() >= end {
            let _ = child.kill();
            panic!("voxgate serve still running without its model");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success());
    assert!(
        err.contains("whisper-tiny.en") && err.contains("voxgate models fetch"),
        "{err}"
    );
}
