//! How the caller feels, per utterance, from their words (English and Mandarin) and their
//! voice: one of six labels with valence, arousal, a confidence and the cues that decided it.
//! The words give valence ([`words`], lexicons in [`lexicon`]) and cue phrases of support
//! calls ([`cues`]); the voice gives arousal against the caller's own baseline
//! ([`crate::speech::prosody`]); [`fuse`] decides; [`mood`] follows one call (baseline,
//! timeline, trend, upset turns in a row). Crisis language is the guard's
//! ([`crate::dialog::crisis`]), judged beside this, not by it.
//!
//! Sans-IO: text and prosody in, [`Emotion`] out; the lexicons load once per process.

pub mod cues;
mod fuse;
pub mod lexicon;
pub mod mood;
mod words;

use std::sync::Arc;

pub use cues::Cue;
pub use lexicon::{LexiconError, Lexicons};
pub use mood::{CallMood, Trend};

/// The six labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Neutral,
    Satisfied,
    Frustrated,
    Angry,
    Anxious,
    Sad,
}

impl Label {
    /// Every label, in score order.
    pub const ALL: [Label; 6] = [
        Label::Neutral,
        Label::Satisfied,
        Label::Frustrated,
        Label::Angry,
        Label::Anxious,
        Label::Sad,
    ];

    /// Its name in logs, JSON, the store and flow conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Neutral => "neutral",
            Label::Satisfied => "satisfied",
            Label::Frustrated => "frustrated",
            Label::Angry => "angry",
            Label::Anxious => "anxious",
            Label::Sad => "sad",
        }
    }

    /// The label named `s`.
    pub fn parse(s: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.as_str() == s)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Angry or anxious: the labels that, turn after turn, send the caller to a person.
    pub fn is_upset(self) -> bool {
        matches!(self, Label::Angry | Label::Anxious)
    }
}

/// How one utterance sounded and read.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Emotion {
    pub label: Label,
    /// −1 (negative) .. 1 (positive), from the words.
    pub valence: f32,
    /// −1 (flat, slow) .. 1 (loud, fast, shouting): the voice against the caller's baseline
    /// when heard, else the words' intensity.
    pub arousal: f32,
    /// 0 .. 1.
    pub confidence: f32,
    /// The cue phrases found.
    pub cues: Vec<Cue>,
    /// The voice's arousal score (z against the caller's baseline), when there was audio.
    pub voice: Option<f32>,
    /// "en" or "zh".
    pub language: &'static str,
}

/// `[emotion]`: the thresholds (defaults tuned on `tests/data/emotion-tune.toml`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmotionConfig {
    /// The evidence a label needs; below it the caller is neutral.
    pub neutral_below: f32,
    /// How much the words' valence counts beside the cue phrases.
    pub valence_weight: f32,
    /// How much arousal tips anger against sadness (0 = not at all).
    pub arousal_weight: f32,
    /// Arousal above which a complaint counts as anger.
    pub angry_arousal: f32,
    /// The voice's share of arousal when there is audio (the rest is the words').
    pub voice_weight: f32,
    /// Angry or anxious turns in a row after which the agent hands the caller to a person
    /// (reason `upset`); 0 never.
    pub upset_turns: u32,
}

impl Default for EmotionConfig {
    fn default() -> Self {
        EmotionConfig {
            neutral_below: 0.9,
            valence_weight: 1.2,
            arousal_weight: 0.5,
            angry_arousal: 0.55,
            voice_weight: 0.7,
            upset_turns: 2,
        }
    }
}

impl EmotionConfig {
    /// Refuses settings out of range, naming the key.
    pub fn validate(&self) -> Result<(), String> {
        let ranges = [
            ("neutral_below", self.neutral_below, 0.0, 10.0),
            ("valence_weight", self.valence_weight, 0.0, 10.0),
            ("arousal_weight", self.arousal_weight, 0.0, 2.0),
            ("angry_arousal", self.angry_arousal, -1.0, 1.0),
            ("voice_weight", self.voice_weight, 0.0, 1.0),
        ];
        for (key, v, lo, hi) in ranges {
            if !(lo..=hi).contains(&v) {
                return Err(format!("emotion.{key} = {v} is outside {lo}..={hi}"));
            }
        }
        Ok(())
    }
}

/// Reads utterances: the lexicons and thresholds.
#[derive(Debug, Clone)]
pub struct Analyzer {
    lexicons: Arc<Lexicons>,
    cfg: EmotionConfig,
}

impl Analyzer {
    /// The reader; the segmenter and patterns are loaded here, once per process.
    pub fn new(lexicons: Arc<Lexicons>, cfg: EmotionConfig) -> Analyzer {
        words::warm();
        cues::warm();
        let a = Analyzer { lexicons, cfg };
        // The patterns' automata are built lazily: build them now, not on a caller's turn.
        for text in [
            "it's the third time I called, thanks",
            "我已经打了三次电话了，谢谢",
        ] {
            let _ = a.analyze(text, Some(0.0));
        }
        a
    }

    pub fn config(&self) -> &EmotionConfig {
        &self.cfg
    }

    /// One utterance: its words, and the voice's arousal z-score when it was heard.
    pub fn analyze(&self, text: &str, voice_z: Option<f32>) -> Emotion {
        let mandarin = is_mandarin(text);
        let folded = text.replace(['\u{2019}', '\u{2018}'], "'").to_lowercase();
        let cues = cues::find(&folded, mandarin);
        let reading = if mandarin {
            words::mandarin(&self.lexicons, text)
        } else {
            words::english(&self.lexicons, text)
        };
        let sum =
            |l: Label| -> f32 { cues.iter().filter(|c| c.label == l).map(|c| c.weight).sum() };
        let text_arousal = (reading.intensity
            + 0.25 * sum(Label::Angry)
            + 0.15 * sum(Label::Anxious)
            + 0.1 * sum(Label::Frustrated)
            - 0.2 * sum(Label::Sad))
        .clamp(-1.0, 1.0);
        let arousal = match voice_z {
            Some(z) => {
                let w = self.cfg.voice_weight;
                w * z.tanh() + (1.0 - w) * text_arousal
            }
            None => text_arousal,
        };
        let (label, confidence) = fuse::decide(&self.cfg, &cues, &reading, arousal);
        let unhappy =
            sum(Label::Angry) + sum(Label::Frustrated) + sum(Label::Anxious) + sum(Label::Sad);
        let valence = (0.6 * reading.valence
            + 0.4 * (0.6 * (sum(Label::Satisfied) - unhappy)).tanh())
        .clamp(-1.0, 1.0);
        Emotion {
            label,
            valence,
            arousal,
            confidence,
            cues,
            voice: voice_z,
            language: if mandarin { "zh" } else { "en" },
        }
    }
}

/// A Han character (the CJK unified ideographs and extension A).
pub fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// More Han characters than Latin letters.
pub fn is_mandarin(text: &str) -> bool {
    let han = text.chars().filter(|&c| is_han(c)).count();
    han > 0 && han >= text.chars().filter(char::is_ascii_alphabetic).count() / 3
}

#[cfg(test)]
mod tests;
