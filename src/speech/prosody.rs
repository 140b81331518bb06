//! How the caller said it: per utterance, from the frame features the listen stage already
//! computes ([`FrameFeatures`]: level, voicing, pitch), the pitch level, range and slope in
//! semitones, the loudness of the voiced frames, the speaking rate (from the word count the
//! recognizer gives) and the pauses; and arousal, each feature judged against this caller's
//! own baseline from the call so far, so a naturally loud or fast speaker is not "agitated".
//!
//! Sans-IO and allocation-free per frame: a [`ProsodyTracker`] holds a fixed buffer of pitch
//! values (30 s of voiced frames); [`Baseline`] keeps running means and variances.

use super::features::{FrameFeatures, VOICED};

/// Voiced frames kept per utterance (30 s of 20 ms frames); later ones count only in the
/// running sums.
const MAX_PITCHES: usize = 1500;
/// A run of unvoiced frames at least this long inside an utterance is a pause.
const PAUSE_MS: u32 = 250;
/// Utterances before the baseline is the caller's own (before, population defaults).
pub const BASELINE_SETTLES: u32 = 2;

/// How one utterance was said.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UtteranceProsody {
    /// Median pitch in semitones above 100 Hz.
    pub pitch_st: f32,
    /// Pitch range, the 90th minus the 10th percentile, in semitones.
    pub range_st: f32,
    /// Pitch slope over the utterance, semitones per second (rising is positive).
    pub slope_st_per_s: f32,
    /// Mean level of the voiced frames, dBFS.
    pub loudness_db: f32,
    /// Words per second, when the word count is known.
    pub rate_wps: Option<f32>,
    /// Pauses inside the utterance.
    pub pauses: u32,
    /// Length, seconds.
    pub duration_s: f32,
}

impl UtteranceProsody {
    /// The same, with the speaking rate from the `words` recognized in it (known only once
    /// the transcript is back).
    pub fn with_words(self, words: usize) -> UtteranceProsody {
        UtteranceProsody {
            rate_wps: (self.duration_s > 0.3).then(|| words as f32 / self.duration_s),
            ..self
        }
    }
}

/// Gathers one utterance's prosody frame by frame.
#[derive(Debug, Clone)]
pub struct ProsodyTracker {
    frame_ms: u32,
    pitches: Box<[f32; MAX_PITCHES]>,
    times: Box<[f32; MAX_PITCHES]>,
    kept: usize,
    frames: u32,
    voiced: u32,
    level_sum: f64,
    unvoiced_run_ms: u32,
    pauses: u32,
}

impl ProsodyTracker {
    /// A tracker for frames of `frame_ms`.
    pub fn new(frame_ms: u32) -> ProsodyTracker {
        ProsodyTracker {
            frame_ms: frame_ms.max(1),
            pitches: Box::new([0.0; MAX_PITCHES]),
            times: Box::new([0.0; MAX_PITCHES]),
            kept: 0,
            frames: 0,
            voiced: 0,
            level_sum: 0.0,
            unvoiced_run_ms: 0,
            pauses: 0,
        }
    }

    /// One frame of the utterance.
    pub fn push(&mut self, f: &FrameFeatures) {
        let t = self.frames as f32 * self.frame_ms as f32 / 1000.0;
        self.frames += 1;
        if f.periodicity < VOICED || f.pitch_hz <= 0.0 {
            self.unvoiced_run_ms += self.frame_ms;
            return;
        }
        if self.voiced > 0 && self.unvoiced_run_ms >= PAUSE_MS {
            self.pauses += 1;
        }
        self.unvoiced_run_ms = 0;
        self.voiced += 1;
        self.level_sum += f64::from(f.level_dbfs);
        if self.kept < MAX_PITCHES {
            self.pitches[self.kept] = semitones(f.pitch_hz);
            self.times[self.kept] = t;
            self.kept += 1;
        }
    }

    /// The utterance is over (`words` recognized in it, when known): its prosody, or `None`
    /// when too little of it was voiced to tell. The tracker is ready for the next one.
    pub fn finish(&mut self, words: Option<usize>) -> Option<UtteranceProsody> {
        let duration_s = self.frames as f32 * self.frame_ms as f32 / 1000.0;
        let out = (self.voiced >= 5).then(|| {
            let n = self.kept;
            let (slope, _) = fit(&self.times[..n], &self.pitches[..n]);
            let sorted = &mut self.pitches[..n];
            sorted.sort_by(f32::total_cmp);
            UtteranceProsody {
                pitch_st: percentile(sorted, 0.5),
                range_st: percentile(sorted, 0.9) - percentile(sorted, 0.1),
                slope_st_per_s: slope,
                loudness_db: (self.level_sum / f64::from(self.voiced)) as f32,
                rate_wps: words
                    .filter(|_| duration_s > 0.3)
                    .map(|w| w as f32 / duration_s),
                pauses: self.pauses,
                duration_s,
            }
        });
        self.reset();
        out
    }

    /// Forgets the utterance so far (a new one began).
    pub fn clear(&mut self) {
        self.reset();
    }

    fn reset(&mut self) {
        self.kept = 0;
        self.frames = 0;
        self.voiced = 0;
        self.level_sum = 0.0;
        self.unvoiced_run_ms = 0;
        self.pauses = 0;
    }
}

/// The prosody of a whole 8 kHz clip as one utterance of `words` words (20 ms frames):
/// what `voxgate emotion --audio` and the tests measure files with.
pub fn of_clip(pcm_8k: &[i16], words: Option<usize>) -> Option<UtteranceProsody> {
    let mut analyzer = super::features::FrameAnalyzer::new(8000, 160);
    let mut tracker = ProsodyTracker::new(20);
    for frame in pcm_8k.chunks_exact(160) {
        tracker.push(&analyzer.analyse(frame));
    }
    tracker.finish(words)
}

/// Semitones above 100 Hz.
fn semitones(hz: f32) -> f32 {
    12.0 * (hz / 100.0).log2()
}

/// The `q` quantile of sorted values (nearest rank).
fn percentile(sorted: &[f32], q: f32) -> f32 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f32 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Least-squares line through (x, y): slope and intercept.
fn fit(x: &[f32], y: &[f32]) -> (f32, f32) {
    let n = x.len() as f32;
    if x.len() < 2 {
        return (0.0, y.first().copied().unwrap_or(0.0));
    }
    let (mx, my) = (x.iter().sum::<f32>() / n, y.iter().sum::<f32>() / n);
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (slope, my - slope * mx)
}

/// The features arousal weighs, in order: loudness, pitch level, pitch range, rate.
const FEATURES: usize = 4;
/// Their weights in the arousal score (loudness and pitch carry most of it).
const WEIGHTS: [f32; FEATURES] = [0.4, 0.3, 0.15, 0.15];
/// Population spreads used before the caller's own baseline settles, and as the smallest
/// spread after (one utterance like the last must not look extreme): dB, semitones,
/// semitones, words per second.
const SPREAD: [f32; FEATURES] = [4.0, 2.0, 2.0, 0.6];
/// Population means for the first utterances: a conversational level on a phone line, a
/// mid pitch (about 150 Hz), a moderate range and rate.
const POPULATION: [f32; FEATURES] = [-26.0, 7.0, 4.0, 2.5];

/// This caller's running means and spreads of each feature.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    n: u32,
    mean: [f32; FEATURES],
    m2: [f32; FEATURES],
}

impl Baseline {
    /// Adds an utterance to the baseline (after it was judged).
    pub fn update(&mut self, u: &UtteranceProsody) {
        let x = values(u, &self.mean_or_population());
        self.n += 1;
        let n = self.n as f32;
        for ((x, mean), m2) in x.iter().zip(&mut self.mean).zip(&mut self.m2) {
            let d = x - *mean;
            *mean += d / n;
            *m2 += d * (x - *mean);
        }
    }

    /// Utterances in the baseline.
    pub fn utterances(&self) -> u32 {
        self.n
    }

    fn mean_or_population(&self) -> [f32; FEATURES] {
        if self.n == 0 { POPULATION } else { self.mean }
    }

    /// Arousal of `u` against this baseline: a weighted sum of z-scores, about 0 for the
    /// caller's usual way of speaking, positive when louder, higher, wider or faster.
    pub fn arousal(&self, u: &UtteranceProsody) -> f32 {
        let settled = self.n >= BASELINE_SETTLES;
        let reference = if settled { self.mean } else { POPULATION };
        let x = values(u, &reference);
        (0..FEATURES)
            .map(|i| {
                let spread = if settled && self.n > 1 {
                    (self.m2[i] / (self.n - 1) as f32).sqrt().max(SPREAD[i])
                } else {
                    SPREAD[i]
                };
                WEIGHTS[i] * (x[i] - reference[i]) / spread
            })
            .sum()
    }
}

/// The features of `u`; a rate not known counts as the reference's (no evidence either way).
fn values(u: &UtteranceProsody, reference: &[f32; FEATURES]) -> [f32; FEATURES] {
    [
        u.loudness_db,
        u.pitch_st,
        u.range_st,
        u.rate_wps.unwrap_or(reference[3]),
    ]
}

#[cfg(test)]
#[path = "prosody_tests.rs"]
mod tests;
