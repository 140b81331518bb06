//! Utterances of a chosen length made from real recorded telephone speech: Debian's
//! Asterisk prompts (en_US_f_Allison, 8 kHz), each trimmed of its leading and trailing
//! silence, joined with short pauses and cut to the length, then passed through μ-law and
//! resampled to Whisper's 16 kHz like a phone line.

use std::path::Path;

use anyhow::{Context, Result, bail};
use voxgate::rtp::{linear_to_ulaw, ulaw_to_linear};
use voxgate::speech::stt::STT_RATE;

const SOUNDS: &str = "/usr/share/asterisk/sounds/en_US_f_Allison";
/// The WER test's prompt list (at least four words each, no annotations).
const LIST: &str = include_str!("../../tests/data/wer-prompts.txt");
const RATE: usize = 8000;
/// The pause between joined prompts.
const GAP: usize = RATE * 150 / 1000;
/// A 10 ms window quieter than this (peak) counts as silence when trimming.
const SILENT_PEAK: i16 = 300;

/// The trimmed prompts, 8 kHz.
pub(crate) struct Corpus {
    prompts: Vec<Vec<i16>>,
}

impl Corpus {
    pub(crate) fn load() -> Result<Corpus> {
        if !Path::new(SOUNDS).is_dir() {
            bail!("{SOUNDS} is missing (asterisk-core-sounds-en-wav)");
        }
        let mut prompts = Vec::new();
        for name in LIST
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let path = Path::new(SOUNDS).join(format!("{}.wav", name.trim()));
            let mut r =
                hound::WavReader::open(&path).with_context(|| path.display().to_string())?;
            let pcm: Vec<i16> = r.samples::<i16>().collect::<Result<_, _>>()?;
            let t = trim(&pcm);
            if !t.is_empty() {
                prompts.push(t.to_vec());
            }
        }
        if prompts.len() < 20 {
            bail!("only {} prompts readable in {SOUNDS}", prompts.len());
        }
        Ok(Corpus { prompts })
    }

    /// About `secs` of speech at 8 kHz, starting with prompt number `first`.
    pub(crate) fn utterance_8k(&self, secs: f64, first: usize) -> Vec<i16> {
        let want = (secs * RATE as f64) as usize;
        let mut out = Vec::with_capacity(want + RATE);
        let mut i = first;
        while out.len() < want {
            if !out.is_empty() {
                out.resize(out.len() + GAP, 0);
            }
            out.extend_from_slice(&self.prompts[i % self.prompts.len()]);
            i += 1;
        }
        out.truncate(want);
        // A 20 ms fade so the cut does not click.
        let fade = (RATE / 50).min(out.len());
        let n = out.len();
        for (k, s) in out[n - fade..].iter_mut().enumerate() {
            *s = (f32::from(*s) * (fade - k) as f32 / fade as f32) as i16;
        }
        out
    }

    /// [`utterance_8k`](Self::utterance_8k) as a phone line delivers it to the recognizer.
    pub(crate) fn utterance_16k(&self, secs: f64, first: usize) -> Vec<f32> {
        phone_line_16k(&self.utterance_8k(secs, first))
    }
}

/// 8 kHz PCM through μ-law and up to 16 kHz, −1..1.
pub(crate) fn phone_line_16k(pcm: &[i16]) -> Vec<f32> {
    let line: Vec<f32> = pcm
        .iter()
        .map(|&s| f32::from(ulaw_to_linear(linear_to_ulaw(s))) / 32_768.0)
        .collect();
    voxgate::media::resample_clip(&line, RATE as u32, STT_RATE).expect("8 → 16 kHz")
}

/// `pcm` without its silent 10 ms windows at either end.
fn trim(pcm: &[i16]) -> &[i16] {
    let win = RATE / 100;
    let loud = |c: &[i16]| {
        c.iter()
            .any(|s| s.unsigned_abs() > SILENT_PEAK.unsigned_abs())
    };
    let chunks: Vec<&[i16]> = pcm.chunks(win).collect();
    let Some(start) = chunks.iter().position(|c| loud(c)) else {
        return &[];
    };
    let end = chunks.iter().rposition(|c| loud(c)).unwrap_or(start) + 1;
    &pcm[start * win..(end * win).min(pcm.len())]
}
