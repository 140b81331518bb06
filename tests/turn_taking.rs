//! Turn-taking on real recorded telephone speech: every top-level prompt of Debian's
//! `asterisk-core-sounds-en-wav` (a human voice, 8 kHz), passed through G.711 μ-law as a
//! phone line would, must barge in within 200 ms of its first word while voxgate plays, and
//! end its turn after the silence that follows. Sounds that are not speech (a short
//! closed-mouth "mm" from espeak-ng, clicks, a cough-like burst) must not barge in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use voxgate::rtp::{linear_to_ulaw, ulaw_to_linear};
use voxgate::speech::{FrameAnalyzer, TurnConfig, TurnDetector, TurnEvent, features};

const SOUNDS: &str = "/usr/share/asterisk/sounds/en_US_f_Allison";
const FRAME: usize = 160;
const TICK: Duration = Duration::from_millis(20);

fn have_sounds() -> bool {
    if Path::new(SOUNDS).is_dir() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{SOUNDS} is required under CI=true: run scripts/setup --test"
    );
    eprintln!("SKIPPED: asterisk-core-sounds-en-wav not installed");
    false
}

/// A WAV's samples (8 kHz mono 16-bit) through μ-law.
fn phone_line(path: &Path) -> Vec<i16> {
    let mut r = hound::WavReader::open(path).unwrap();
    assert_eq!(r.spec().sample_rate, 8000, "{}", path.display());
    r.samples::<i16>()
        .map(|s| ulaw_to_linear(linear_to_ulaw(s.unwrap())))
        .collect()
}

/// The shipped transcripts (`name: text` lines).
const TRANSCRIPTS: &str = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz";

/// Every top-level prompt whose transcript is speech (not `<beep …>` or `[tone]`), sorted.
fn prompts() -> Vec<PathBuf> {
    let out = std::process::Command::new("zcat")
        .arg(TRANSCRIPTS)
        .output()
        .expect("zcat");
    assert!(
        out.status.success(),
        "{TRANSCRIPTS} unreadable: scripts/setup --test"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut v: Vec<PathBuf> = text
        .lines()
        .filter_map(|l| l.split_once(": "))
        .filter(|(_, t)| !t.trim_start().starts_with(['<', '[']))
        .map(|(name, _)| Path::new(SOUNDS).join(format!("{}.wav", name.trim())))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Runs `pcm` (after `lead_ms` of silence, followed by 1 s of silence) through the
/// detector with voxgate playing; returns the events with their ms offsets.
fn detect(pcm: &[i16], lead_ms: usize) -> Vec<(u64, TurnEvent)> {
    let mut audio = vec![0i16; lead_ms * 8];
    audio.extend_from_slice(pcm);
    audio.extend(std::iter::repeat_n(0, 8000));
    let mut a = FrameAnalyzer::new(8000, FRAME);
    let mut d = TurnDetector::new(TurnConfig::default());
    d.set_playing(true);
    let start = Instant::now();
    let mut out = Vec::new();
    for (i, frame) in audio.chunks_exact(FRAME).enumerate() {
        let now = start + TICK * u32::try_from(i).unwrap();
        d.push(now, TICK, &a.analyse(frame));
        while let Some(ev) = d.poll_event() {
            out.push((u64::try_from(i * 20).unwrap(), ev));
        }
    }
    out
}

/// The first 20 ms frame of `pcm` louder than −35 dBFS, in ms: where the words begin.
fn onset_ms(pcm: &[i16]) -> Option<u64> {
    pcm.chunks_exact(FRAME)
        .position(|f| features::level_dbfs(f) > -35.0)
        .map(|i| u64::try_from(i * 20).unwrap())
}

#[test]
fn recorded_speech_barges_in_within_200_ms_and_ends_its_turn() {
    if !have_sounds() {
        return;
    }
    let lead = 500;
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for path in prompts() {
        let pcm = phone_line(&path);
        let Some(onset) = onset_ms(&pcm) else {
            continue; // a silence file
        };
        let ev = detect(&pcm, lead);
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let barge = ev
            .iter()
            .find(|(_, e)| matches!(e, TurnEvent::BargeIn { .. }))
            .map(|(t, _)| *t);
        let ended = ev
            .iter()
            .any(|(_, e)| matches!(e, TurnEvent::EndOfTurn { .. }));
        match barge {
            Some(t) if t + 20 >= lead as u64 + onset && ended => {
                latencies.push(t + 20 - (lead as u64 + onset));
            }
            _ => failures.push(format!("{name}: {ev:?}")),
        }
    }
    latencies.sort_unstable();
    let n = latencies.len();
    assert!(
        n >= 300,
        "only {n} prompts barged in; failures: {failures:#?}"
    );
    let pct = |p: usize| latencies[(n - 1) * p / 100];
    eprintln!(
        "{n} prompts: barge-in after the first word p50 {} ms, p95 {} ms, max {} ms; {} failed",
        pct(50),
        pct(95),
        latencies[n - 1],
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "prompts without a barge-in and an end of turn: {failures:#?}"
    );
    let late: Vec<_> = latencies.iter().filter(|&&l| l > 200).collect();
    assert!(
        late.len() * 100 <= n,
        "more than 1 % of prompts barged in later than 200 ms: {late:?}"
    );
}

/// espeak-ng's rendering of `text` at 8 kHz, through μ-law (None when espeak-ng or sox is
/// missing outside CI).
fn espeak(text: &str, dir: &Path) -> Option<Vec<i16>> {
    let raw = dir.join("raw.wav");
    let out = dir.join("8k.wav");
    let ok = std::process::Command::new("espeak-ng")
        .args(["-v", "en-us", "-w"])
        .arg(&raw)
        .arg(text)
        .status()
        .is_ok_and(|s| s.success())
        && std::process::Command::new("sox")
            .arg(&raw)
            .args(["-r", "8000", "-c", "1", "-b", "16"])
            .arg(&out)
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "espeak-ng and sox are required under CI=true"
        );
        eprintln!("SKIPPED: espeak-ng or sox missing");
        return None;
    }
    Some(phone_line(&out))
}

#[test]
fn hums_clicks_and_coughs_do_not_barge_in() {
    if !have_sounds() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("voxgate-turn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut sounds: Vec<(String, Vec<i16>)> = Vec::new();
    // Phoneme input: plain "mm" is spelled out as letters ("em em"). espeak's longer
    // "[[hm:]]" and "[[mhm]]" (0.5–0.6 s of voicing, with bright frames) do barge in.
    for text in ["[[m:]]", "[[n:]]"] {
        let Some(pcm) = espeak(text, &dir) else {
            return;
        };
        sounds.push((format!("espeak {text:?}"), pcm));
    }
    let mut click = vec![0i16; 160];
    click[10] = 28_000;
    click[11] = -28_000;
    sounds.push(("click".into(), click.clone()));
    let mut clicks = click.clone();
    clicks.extend(vec![0; 800]);
    clicks.extend(&click);
    sounds.push(("double click".into(), clicks));
    let mut x = 11u32;
    let burst: Vec<i16> = (0..2400)
        .map(|i| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let v = (f64::from(x >> 16) / 32_768.0 - 1.0) * 14_000.0;
            (v * (-f64::from(i) / 600.0).exp()) as i16
        })
        .collect();
    sounds.push(("cough-like burst".into(), burst));
    for (name, pcm) in &sounds {
        let ev = detect(pcm, 300);
        assert!(
            !ev.iter().any(|(_, e)| matches!(
                e,
                TurnEvent::BargeIn { .. } | TurnEvent::SpeechStarted { .. }
            )),
            "{name} barged in: {ev:?}"
        );
    }
    // The same detector does take a spoken sentence from the same voice.
    let Some(speech) = espeak("where is my order", &dir) else {
        return;
    };
    let ev = detect(&speech, 300);
    assert!(
        ev.iter()
            .any(|(_, e)| matches!(e, TurnEvent::BargeIn { .. })),
        "espeak speech did not barge in: {ev:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
