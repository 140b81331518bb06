//! The utterance stream in virtual time on a synthetic vowel, with a fake recognizer that
//! answers each request with one word per 300 ms of audio it was given.
#![allow(clippy::unwrap_used)]

use super::*;

const TICK: Duration = Duration::from_millis(20);
const WORDS: [&str; 8] = ["what", "is", "my", "balance", "on", "the", "card", "today"];

/// A vowel-like voice (pitch 140 Hz with formants), 8 kHz.
fn vowel(ms: usize) -> Vec<i16> {
    (0..ms * 8)
        .map(|i| {
            let t = i as f32 / 8000.0;
            let v: f32 = (1..24)
                .map(|k| {
                    let f = k as f32 * 140.0;
                    let w = 1.0 / (1.0 + ((f - 700.0) / 150.0).powi(2))
                        + 0.7 / (1.0 + ((f - 1200.0) / 200.0).powi(2))
                        + 0.05;
                    w * (2.0 * std::f32::consts::PI * f * t).sin()
                })
                .sum();
            (v * 1500.0) as i16
        })
        .collect()
}

/// The fake recognizer: the first `audio_ms / 300` words.
fn recognize(pcm: &[f32]) -> Transcript {
    let ms = pcm.len() / 16;
    let n = (ms / 300).min(WORDS.len());
    Transcript {
        text: WORDS[..n].join(" "),
        audio_ms: ms as u32,
        ..Transcript::default()
    }
}

/// What happened, with the frame index it happened at.
#[derive(Debug, Default)]
struct Log {
    partials: Vec<(usize, String, usize)>,
    finals: Vec<(usize, Transcript, Instant, Instant)>,
    requests: Vec<(Priority, usize)>,
}

/// Feeds `pcm` frame by frame, answering every request at once (or refusing partials when
/// `busy`).
fn run(pcm: &[i16], busy: bool) -> (Log, Instant) {
    let mut s = UtteranceStream::new(StreamConfig::default(), 20).unwrap();
    let t0 = Instant::now();
    let mut log = Log::default();
    for (i, frame) in pcm.chunks(160).enumerate() {
        s.on_frame(t0 + TICK * i as u32, frame);
        while let Some(r) = s.poll_request() {
            log.requests.push((r.priority, r.pcm16k.len()));
            let answer = if busy && r.priority == Priority::Partial {
                Err(SttError::Busy(1))
            } else {
                Ok(recognize(&r.pcm16k))
            };
            s.on_result(r.id, answer);
        }
        while let Some(ev) = s.poll_event() {
            match ev {
                StreamEvent::Partial { text, stable_words } => {
                    log.partials.push((i, text, stable_words));
                }
                StreamEvent::Final {
                    transcript,
                    started,
                    ended,
                    ..
                } => log.finals.push((i, transcript, started, ended)),
                _ => {}
            }
        }
    }
    (log, t0)
}

fn speech_then_silence(speech_ms: usize) -> Vec<i16> {
    let mut pcm = vec![0; 500 * 8];
    pcm.extend(vowel(speech_ms));
    pcm.extend(vec![0; 1500 * 8]);
    pcm
}

#[test]
fn an_utterance_fed_frame_by_frame_yields_partials_before_its_end_and_a_final_after_it() {
    let (log, t0) = run(&speech_then_silence(2400), false);
    let end_frame = (500 + 2400) / 20;
    assert!(
        log.partials.len() >= 3,
        "partials every 600 ms of 2.4 s: {:?}",
        log.partials
    );
    assert!(
        log.partials.iter().all(|p| p.0 < end_frame),
        "{:?}",
        log.partials
    );
    assert_eq!(log.finals.len(), 1, "{:?}", log.finals);
    let (at, t, started, ended) = &log.finals[0];
    assert!(*at >= end_frame, "final at frame {at}");
    // Speech began at 500 ms and ended at 2.9 s (within a frame or two).
    let ms = |t: &Instant| t.duration_since(t0).as_millis() as i64;
    assert!((ms(started) - 500).abs() <= 40, "started {}", ms(started));
    assert!((ms(ended) - 2900).abs() <= 60, "ended {}", ms(ended));
    // The final holds the pre-roll, the speech and the tail: 400 + 2400 + 250 ms.
    assert!(
        (2900..=3200).contains(&t.audio_ms),
        "final of {} ms",
        t.audio_ms
    );
    assert!(t.text.starts_with("what is my balance"), "{}", t.text);
}

#[test]
fn the_pre_roll_holds_the_onset_the_detector_confirmed_late() {
    let (log, _) = run(&speech_then_silence(1000), false);
    let (_, len) = log
        .requests
        .iter()
        .find(|r| r.0 == Priority::Final)
        .unwrap();
    // At least 300 ms of pre-roll before the 1 s of speech.
    assert!(*len >= 16 * 1300, "final of {len} samples");
}

#[test]
fn the_stable_prefix_is_what_two_partials_agree_on() {
    let (log, _) = run(&speech_then_silence(2400), false);
    // The fake grows by two words per partial; the first has nothing to agree with.
    assert_eq!(log.partials[0].2, 0, "{:?}", log.partials);
    for w in log.partials.windows(2) {
        let prev = w[0].1.split_whitespace().count();
        assert_eq!(w[1].2, prev, "{:?}", log.partials);
    }
    let a: Vec<String> = ["Hello,", "my", "name"]
        .iter()
        .map(|w| word_key(w))
        .collect();
    let b: Vec<String> = ["hello", "my", "game", "is"]
        .iter()
        .map(|w| word_key(w))
        .collect();
    assert_eq!(agreed_prefix(&a, &b), 2);
}

#[test]
fn a_busy_recognizer_loses_partials_but_never_the_final() {
    let (log, _) = run(&speech_then_silence(2400), true);
    assert!(log.partials.is_empty());
    assert!(
        log.requests
            .iter()
            .filter(|r| r.0 == Priority::Partial)
            .count()
            >= 2
    );
    assert_eq!(log.finals.len(), 1);
}

#[test]
fn silence_and_a_click_ask_for_nothing() {
    let mut pcm = vec![0i16; 2000 * 8];
    pcm[8000] = 20_000;
    pcm[8001] = -20_000;
    let (log, _) = run(&pcm, false);
    assert!(log.requests.is_empty(), "{:?}", log.requests);
}

#[test]
fn a_hang_up_mid_speech_still_asks_for_the_final() {
    let mut s = UtteranceStream::new(StreamConfig::default(), 20).unwrap();
    let t0 = Instant::now();
    let mut pcm = vec![0; 200 * 8];
    pcm.extend(vowel(1000));
    let mut ids = Vec::new();
    for (i, frame) in pcm.chunks(160).enumerate() {
        s.on_frame(t0 + TICK * i as u32, frame);
        while let Some(r) = s.poll_request() {
            ids.push((r.id, r.priority));
        }
    }
    assert!(s.in_turn());
    s.finish(t0 + Duration::from_millis(1200));
    let r = s.poll_request().unwrap();
    assert_eq!(r.priority, Priority::Final);
    s.on_result(r.id, Ok(recognize(&r.pcm16k)));
    assert!(matches!(
        s.poll_event(),
        Some(StreamEvent::SpeechStarted { .. })
    ));
    let finals = std::iter::from_fn(|| s.poll_event())
        .filter(|e| matches!(e, StreamEvent::Final { .. }))
        .count();
    assert_eq!(finals, 1);
}
