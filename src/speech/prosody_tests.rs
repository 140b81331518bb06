//! Prosody on synthetic voices: a harmonic tone with a pitch contour, at a chosen level,
//! through the same frame analyser calls use.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::speech::features::FrameAnalyzer;

/// A voiced utterance: `secs` of a five-harmonic tone whose pitch goes from `f0` to
/// `f0_end` Hz, at peak `amp`; `gap_at` inserts 400 ms of silence at that second.
fn voice(f0: f32, f0_end: f32, amp: f32, secs: f32, gap_at: Option<f32>) -> Vec<i16> {
    let n = (secs * 8000.0) as usize;
    let mut phase = 0.0f32;
    (0..n)
        .map(|i| {
            let t = i as f32 / 8000.0;
            if gap_at.is_some_and(|g| t >= g && t < g + 0.4) {
                return 0;
            }
            let f = f0 + (f0_end - f0) * t / secs;
            phase += 2.0 * std::f32::consts::PI * f / 8000.0;
            let s: f32 = (1..=5).map(|h| (phase * h as f32).sin() / h as f32).sum();
            (amp * s / 2.3) as i16
        })
        .collect()
}

fn prosody(pcm: &[i16], words: Option<usize>) -> UtteranceProsody {
    let mut a = FrameAnalyzer::new(8000, 160);
    let mut t = ProsodyTracker::new(20);
    for frame in pcm.chunks(160) {
        t.push(&a.analyse(frame));
    }
    t.finish(words).unwrap()
}

#[test]
fn pitch_level_range_slope_loudness_and_pauses_are_read() {
    let flat = prosody(&voice(150.0, 150.0, 6000.0, 2.0, None), Some(5));
    assert!((flat.pitch_st - semitones(150.0)).abs() < 0.5, "{flat:?}");
    assert!(flat.range_st < 1.0, "{flat:?}");
    assert!(flat.slope_st_per_s.abs() < 0.5, "{flat:?}");
    assert_eq!(flat.pauses, 0);
    assert!((flat.rate_wps.unwrap() - 2.5).abs() < 0.1, "{flat:?}");
    let rising = prosody(&voice(120.0, 200.0, 6000.0, 2.0, None), None);
    assert!(rising.slope_st_per_s > 3.0, "{rising:?}");
    assert!(rising.range_st > 5.0, "{rising:?}");
    let falling = prosody(&voice(200.0, 120.0, 6000.0, 2.0, None), None);
    assert!(falling.slope_st_per_s < -3.0, "{falling:?}");
    let loud = prosody(&voice(150.0, 150.0, 24_000.0, 2.0, None), None);
    let gain = loud.loudness_db - flat.loudness_db;
    assert!((gain - 12.0).abs() < 1.0, "{gain} dB");
    let paused = prosody(&voice(150.0, 150.0, 6000.0, 2.0, Some(1.0)), None);
    assert_eq!(paused.pauses, 1, "{paused:?}");
}

#[test]
fn too_little_voice_is_no_prosody_and_the_tracker_is_reused() {
    let mut a = FrameAnalyzer::new(8000, 160);
    let mut t = ProsodyTracker::new(20);
    for frame in [0i16; 1600].chunks(160) {
        t.push(&a.analyse(frame));
    }
    assert_eq!(t.finish(Some(2)), None);
    for frame in voice(150.0, 150.0, 6000.0, 1.0, None).chunks(160) {
        t.push(&a.analyse(frame));
    }
    assert!(t.finish(None).is_some());
}

fn calm() -> UtteranceProsody {
    prosody(&voice(140.0, 130.0, 3000.0, 2.0, None), Some(5))
}

#[test]
fn louder_higher_and_faster_raise_arousal_against_the_callers_baseline() {
    let mut b = Baseline::default();
    for _ in 0..3 {
        b.update(&calm());
    }
    let usual = b.arousal(&calm());
    assert!(usual.abs() < 0.3, "the caller's usual voice: {usual}");
    let louder = prosody(&voice(140.0, 130.0, 6000.0, 2.0, None), Some(5));
    let higher = prosody(&voice(175.0, 165.0, 3000.0, 2.0, None), Some(5));
    let faster = prosody(&voice(140.0, 130.0, 3000.0, 2.0, None), Some(8));
    for (what, u) in [("louder", louder), ("higher", higher), ("faster", faster)] {
        let a = b.arousal(&u);
        assert!(a > usual + 0.3, "{what}: {a} vs {usual}");
    }
    let agitated = prosody(&voice(190.0, 230.0, 9000.0, 2.0, None), Some(8));
    assert!(b.arousal(&agitated) > 1.5, "{}", b.arousal(&agitated));
}

#[test]
fn a_loud_speaker_is_not_agitated_once_the_baseline_has_settled() {
    let loud = || prosody(&voice(200.0, 190.0, 16_000.0, 2.0, None), Some(6));
    let mut b = Baseline::default();
    let first = b.arousal(&loud());
    assert!(first > 1.0, "judged by population defaults first: {first}");
    for _ in 0..BASELINE_SETTLES {
        b.update(&loud());
    }
    let settled = b.arousal(&loud());
    assert!(settled.abs() < 0.3, "the same voice, settled: {settled}");
}
