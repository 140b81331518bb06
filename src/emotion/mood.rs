//! One call's mood: the caller's voice baseline (so their usual loudness, pitch and pace
//! read as calm), each utterance's [`Emotion`], the angry-or-anxious turns in a row, and
//! the trend (getting better or worse) over the last turns.
//!
//! Owns [`CallMood`]; sans-IO.

use super::{Analyzer, Emotion, Label};
use crate::speech::prosody::{Baseline, UtteranceProsody};

/// Where the caller's mood is heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    /// Fewer than four utterances, or no clear change.
    Steady,
    /// Valence falling or arousal rising with it over the last turns.
    Worsening,
    /// Valence rising.
    Improving,
}

impl Trend {
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Steady => "steady",
            Trend::Worsening => "worsening",
            Trend::Improving => "improving",
        }
    }
}

/// Valences kept for the trend.
const WINDOW: usize = 6;
/// A change in mean valence between the halves of the window that counts as a trend.
const TREND_STEP: f32 = 0.25;

/// The mood of one call.
#[derive(Debug, Clone)]
pub struct CallMood {
    analyzer: Analyzer,
    baseline: Baseline,
    recent: [f32; WINDOW],
    heard: usize,
    upset_run: u32,
    last: Option<Label>,
}

impl CallMood {
    pub fn new(analyzer: Analyzer) -> CallMood {
        CallMood {
            analyzer,
            baseline: Baseline::default(),
            recent: [0.0; WINDOW],
            heard: 0,
            upset_run: 0,
            last: None,
        }
    }

    /// One utterance of the caller, and how it was said when the audio was heard.
    pub fn on_utterance(&mut self, text: &str, prosody: Option<&UtteranceProsody>) -> Emotion {
        let voice_z = prosody.map(|p| self.baseline.arousal(p));
        let e = self.analyzer.analyze(text, voice_z);
        if let Some(p) = prosody {
            self.baseline.update(p);
        }
        self.recent[self.heard % WINDOW] = e.valence;
        self.heard += 1;
        self.upset_run = if e.label.is_upset() {
            self.upset_run + 1
        } else {
            0
        };
        self.last = Some(e.label);
        e
    }

    /// Angry or anxious utterances in a row, up to the last one.
    pub fn upset_run(&self) -> u32 {
        self.upset_run
    }

    /// Whether the caller has been upset long enough to want a person (the config's
    /// `upset_turns`; 0 never).
    pub fn wants_a_person(&self) -> bool {
        let n = self.analyzer.config().upset_turns;
        n > 0 && self.upset_run >= n
    }

    /// The last utterance's label.
    pub fn last(&self) -> Option<Label> {
        self.last
    }

    /// Whether the mood is getting better or worse: the mean valence of the newer half of
    /// the last six utterances against the older half.
    pub fn trend(&self) -> Trend {
        if self.heard < 4 {
            return Trend::Steady;
        }
        let n = self.heard.min(WINDOW);
        let ordered: Vec<f32> = (0..n)
            .map(|k| self.recent[(self.heard - n + k) % WINDOW])
            .collect();
        let half = n / 2;
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        let change = mean(&ordered[n - half..]) - mean(&ordered[..half]);
        if change <= -TREND_STEP {
            Trend::Worsening
        } else if change >= TREND_STEP {
            Trend::Improving
        } else {
            Trend::Steady
        }
    }
}
