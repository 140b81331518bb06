//! Streaming recognition with the real tiny.en model: a recorded Asterisk prompt fed frame
//! by frame (20 ms, through μ-law as on a call) into an `UtteranceStream`, each request
//! answered by the real pool before the next frame (virtual time). Partials must come
//! before the end of the speech, the finals after it, and the finals must read as the
//! prompt's published transcript.
//! Skipped (with a message) only when the model or the prompts are missing and CI is not
//! "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use voxgate::models::{ModelId, Models};
use voxgate::rtp::{linear_to_ulaw, ulaw_to_linear};
use voxgate::speech::stream::{StreamConfig, StreamEvent, UtteranceStream};
use voxgate::speech::stt::{DecodeOptions, SttModel, SttPool, wer};

const PROMPT: &str = "/usr/share/asterisk/sounds/en_US_f_Allison/agent-alreadyon.wav";
const TEXT: &str =
    "That agent is already logged on.  Please enter your agent number followed by the pound key.";

#[test]
fn a_recorded_prompt_streams_partials_then_finals_that_match_its_transcript() {
    if !Path::new(PROMPT).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{PROMPT} is required under CI=true: run scripts/setup --test"
        );
        eprintln!("SKIPPED: {PROMPT} missing");
        return;
    }
    let Some(models) = common::models::fetch(&["whisper-tiny.en"]) else {
        return;
    };
    let path = Models::locate(&models)
        .unwrap()
        .require(ModelId::WhisperTinyEn)
        .unwrap();
    let pool = SttPool::start(&SttModel::load(&path).unwrap(), 1, 1, 4).unwrap();
    let mut pcm: Vec<i16> = hound::WavReader::open(PROMPT)
        .unwrap()
        .into_samples::<i16>()
        .map(|s| ulaw_to_linear(linear_to_ulaw(s.unwrap())))
        .collect();
    let speech_frames = pcm.len().div_ceil(160);
    pcm.extend(vec![0; 8 * 1500]);
    let mut stream = UtteranceStream::new(StreamConfig::default(), 20).unwrap();
    let t0 = Instant::now();
    let (mut partials_before_end, mut finals) = (0, Vec::new());
    for (i, frame) in pcm.chunks(160).enumerate() {
        stream.on_frame(t0 + Duration::from_millis(20 * i as u64), frame);
        while let Some(r) = stream.poll_request() {
            let answer = pool.transcribe_blocking(r.pcm16k, DecodeOptions::default());
            stream.on_result(r.id, answer);
        }
        while let Some(ev) = stream.poll_event() {
            match ev {
                StreamEvent::Partial { text, stable_words } => {
                    eprintln!("frame {i}: partial ({stable_words} stable): {text}");
                    if i < speech_frames {
                        partials_before_end += 1;
                    }
                }
                StreamEvent::Final { transcript, .. } => {
                    eprintln!("frame {i}: final: {}", transcript.text);
                    finals.push((i, transcript.text));
                }
                _ => {}
            }
        }
    }
    assert!(partials_before_end >= 1, "no partial before the end");
    assert!(!finals.is_empty(), "no final");
    let last = finals.last().unwrap().0;
    // The turn ends 500 ms after the last word: never before the audio is nearly over.
    assert!(
        last + 25 >= speech_frames,
        "last final at frame {last} of {speech_frames}"
    );
    let text: Vec<&str> = finals.iter().map(|f| f.1.as_str()).collect();
    let (errors, words) = wer::word_errors(TEXT, &text.join(" "));
    eprintln!(
        "{partials_before_end} partials before the end, {} finals, WER {errors}/{words}",
        finals.len()
    );
    assert!(errors * 10 <= words, "WER {errors}/{words}: {text:?}");
}
