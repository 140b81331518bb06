//! Text-to-speech: a Piper voice through ONNX Runtime ([`voice`]), fed sentence by
//! sentence ([`text`]) so the first sentence can play while the rest is made; [`service`]
//! streams replies for calls from worker threads with a prompt cache; [`render`] makes a
//! whole text at once (for `voxgate say`).

pub mod service;
pub mod text;
pub mod voice;

pub use service::{PromptCache, TtsChunk, TtsConfig, TtsService};
pub use text::{sentences, spoken, streaming_chunks};
pub use voice::{PiperVoice, Scales, TtsError};

use crate::media::resample_clip;

/// Silence between sentences (Piper's default).
pub const SENTENCE_GAP_MS: u32 = 200;

/// `text` spoken by `voice` at `rate` Hz: its sentences in order with
/// [`SENTENCE_GAP_MS`] of silence between them.
pub fn render(voice: &mut PiperVoice, text: &str, rate: u32) -> Result<Vec<i16>, TtsError> {
    let gap = vec![0i16; (voice.rate() * SENTENCE_GAP_MS / 1000) as usize];
    let mut pcm = Vec::new();
    for sentence in sentences(text) {
        let audio = voice.synthesize(&sentence)?;
        if audio.is_empty() {
            continue;
        }
        if !pcm.is_empty() {
            pcm.extend_from_slice(&gap);
        }
        pcm.extend_from_slice(&audio);
    }
    resample_pcm(&pcm, voice.rate(), rate)
}

/// 16-bit PCM from `from` Hz to `to` Hz.
pub fn resample_pcm(pcm: &[i16], from: u32, to: u32) -> Result<Vec<i16>, TtsError> {
    if from == to || pcm.is_empty() {
        return Ok(pcm.to_vec());
    }
    let f: Vec<f32> = pcm.iter().map(|&s| f32::from(s) / 32_768.0).collect();
    let out = resample_clip(&f, from, to).map_err(|e| TtsError::Resample(e.to_string()))?;
    Ok(out
        .iter()
        .map(|v| (v * 32_768.0).clamp(-32_768.0, 32_767.0) as i16)
        .collect())
}
