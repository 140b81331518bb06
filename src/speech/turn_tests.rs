//! Turn-taking in virtual time on synthetic sounds: a vowel-like voice (harmonics with
//! formant peaks), a hum, a click, a cough-like noise burst, background noise. The
//! recorded-speech checks live in tests/turn_taking.rs.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::speech::features::FrameAnalyzer;

const RATE: f32 = 8000.0;
const FRAME: usize = 160;
const TICK: Duration = Duration::from_millis(20);

/// Harmonics of `f0` weighted by `weight(freq)`, scaled to `amp` peak-ish.
fn harmonic(n: usize, f0: f32, amp: f32, weight: impl Fn(f32) -> f32) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let t = i as f32 / RATE;
            let vib = f0 * (1.0 + 0.02 * (2.0 * std::f32::consts::PI * 5.0 * t).sin());
            (1..40)
                .map(|k| k as f32 * vib)
                .take_while(|f| *f < 3400.0)
                .map(|f| weight(f) * (2.0 * std::f32::consts::PI * f * t).sin())
                .sum::<f32>()
                * amp
        })
        .collect()
}

fn formant(f: f32, centre: f32, width: f32) -> f32 {
    1.0 / (1.0 + ((f - centre) / width).powi(2))
}

/// A vowel-like sound: pitch 140 Hz, formants at 700 and 1200 Hz.
fn vowel(ms: usize) -> Vec<f32> {
    harmonic(ms * 8, 140.0, 1500.0, |f| {
        formant(f, 700.0, 150.0) + 0.7 * formant(f, 1200.0, 200.0) + 0.05
    })
}

/// A closed-mouth hum ("mm"): pitch 150 Hz, energy below 400 Hz only.
fn hum(ms: usize) -> Vec<f32> {
    harmonic(ms * 8, 150.0, 3000.0, |f| formant(f, 250.0, 60.0))
}

fn noise(ms: usize, amp: f32, seed: u32) -> Vec<f32> {
    let mut x = seed;
    (0..ms * 8)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((x >> 16) as f32 / 32_768.0 - 1.0) * amp
        })
        .collect()
}

/// A cough: a noise burst that decays within `ms`.
fn cough(ms: usize) -> Vec<f32> {
    let n = ms * 8;
    noise(ms, 12_000.0, 9)
        .into_iter()
        .enumerate()
        .map(|(i, v)| v * (-(i as f32) / (n as f32 / 4.0)).exp())
        .collect()
}

fn silence(ms: usize) -> Vec<f32> {
    vec![0.0; ms * 8]
}

fn to_pcm(parts: &[Vec<f32>]) -> Vec<i16> {
    parts
        .iter()
        .flatten()
        .map(|v| v.clamp(-32_768.0, 32_767.0) as i16)
        .collect()
}

/// Runs `pcm` through analyser and detector; returns (ms offset, event) pairs.
fn run(pcm: &[i16], playing: bool, hint: Option<(usize, &str)>) -> Vec<(u64, TurnEvent)> {
    let start = Instant::now();
    let mut a = FrameAnalyzer::new(8000, FRAME);
    let mut d = TurnDetector::new(TurnConfig::default());
    d.set_playing(playing);
    let mut out = Vec::new();
    for (i, frame) in pcm.chunks(FRAME).enumerate() {
        if let Some((at_ms, text)) = hint
            && i * 20 == at_ms
        {
            d.hint_words(text);
        }
        let now = start + TICK * i as u32;
        d.push(now, TICK, &a.analyse(frame));
        while let Some(ev) = d.poll_event() {
            out.push(((now - start).as_millis() as u64, ev));
        }
    }
    out
}

fn kinds(events: &[(u64, TurnEvent)]) -> Vec<&'static str> {
    events
        .iter()
        .map(|(_, e)| match e {
            TurnEvent::SpeechStarted { .. } => "start",
            TurnEvent::BargeIn { .. } => "barge",
            TurnEvent::EndOfTurn { .. } => "end",
            TurnEvent::Noise { .. } => "noise",
        })
        .collect()
}

#[test]
fn speech_then_silence_is_one_turn_ended_after_500_ms() {
    let pcm = to_pcm(&[silence(300), vowel(800), silence(1000)]);
    let ev = run(&pcm, false, None);
    assert_eq!(kinds(&ev), ["start", "end"], "{ev:?}");
    let (end_ms, end) = ev[1];
    assert!((1540..=1700).contains(&end_ms), "ended at {end_ms} ms");
    let TurnEvent::EndOfTurn {
        started,
        ended,
        question,
    } = end
    else {
        unreachable!()
    };
    assert_eq!((ended - started).as_millis(), 800);
    assert!(!question);
}

#[test]
fn speech_during_playback_barges_in_within_200_ms() {
    let pcm = to_pcm(&[silence(300), vowel(600), silence(700)]);
    let ev = run(&pcm, true, None);
    assert_eq!(kinds(&ev), ["start", "barge", "end"], "{ev:?}");
    let barge_ms = ev[1].0;
    assert!(
        barge_ms >= 300 && barge_ms - 300 < 200,
        "barge-in at {barge_ms} ms"
    );
}

#[test]
fn a_click_a_cough_and_a_hum_do_not_barge_in() {
    let mut click = silence(20);
    click[3] = 30_000.0;
    click[4] = -30_000.0;
    for (name, sound) in [("click", click), ("cough", cough(300)), ("mm", hum(250))] {
        let pcm = to_pcm(&[silence(300), sound, silence(800)]);
        let ev = run(&pcm, true, None);
        let k = kinds(&ev);
        assert!(
            !k.contains(&"barge") && !k.contains(&"start"),
            "{name}: {ev:?}"
        );
    }
}

#[test]
fn a_long_hum_counts_as_speech() {
    let pcm = to_pcm(&[silence(300), hum(600), silence(800)]);
    let ev = run(&pcm, true, None);
    assert_eq!(kinds(&ev), ["start", "barge", "end"], "{ev:?}");
    assert!(ev[1].0 >= 300 + 280, "{ev:?}");
}

#[test]
fn a_complete_question_ends_the_turn_sooner() {
    let pcm = to_pcm(&[silence(200), vowel(1000), silence(800)]);
    let ev = run(&pcm, false, Some((900, "where is my order?")));
    let (end_ms, end) = *ev.last().unwrap();
    assert!(
        matches!(end, TurnEvent::EndOfTurn { question: true, .. }),
        "{ev:?}"
    );
    assert!((1440..=1500).contains(&end_ms), "ended at {end_ms} ms");
}

#[test]
fn steady_background_noise_raises_the_floor_and_speech_still_starts() {
    let bg = noise(4000, 300.0, 5);
    let speech: Vec<f32> = vowel(700)
        .iter()
        .zip(noise(700, 300.0, 6))
        .map(|(v, n)| v + n)
        .collect();
    let pcm = to_pcm(&[bg, speech, noise(800, 300.0, 7)]);
    let ev = run(&pcm, true, None);
    assert_eq!(kinds(&ev), ["start", "barge", "end"], "{ev:?}");
    assert!(ev[0].0 >= 4000, "the background counted as speech: {ev:?}");
}

#[test]
fn a_turn_ends_at_the_longest_turn() {
    let cfg = TurnConfig {
        max_turn: Duration::from_secs(1),
        ..TurnConfig::default()
    };
    let start = Instant::now();
    let mut a = FrameAnalyzer::new(8000, FRAME);
    let mut d = TurnDetector::new(cfg);
    let pcm = to_pcm(&[vowel(2000)]);
    let mut ends = 0;
    for (i, frame) in pcm.chunks(FRAME).enumerate() {
        d.push(start + TICK * i as u32, TICK, &a.analyse(frame));
        while let Some(ev) = d.poll_event() {
            ends += u32::from(matches!(ev, TurnEvent::EndOfTurn { .. }));
        }
    }
    assert_eq!(ends, 1);
}

#[test]
fn complete_questions_are_recognised_from_their_words() {
    for q in [
        "Where is my order?",
        "what are your opening hours",
        "Can I return a jacket I bought last week",
        "is it open on sunday?",
        "How long does shipping take.",
    ] {
        assert!(is_complete_question(q), "{q}");
    }
    for not in [
        "",
        "I want to return",
        "what is the",
        "can you tell me about",
        "hello",
        "where is my order and",
        "what about,",
        "my order number is 12345",
    ] {
        assert!(!is_complete_question(not), "{not}");
    }
}
