//! Per-frame acoustic features of the caller's audio for voice activity, turn-taking and
//! prosody: level (dBFS), periodicity (is it voiced: a pitch present) and the pitch itself,
//! and the share of energy in the upper band (a nasal hum such as "mm" has almost none;
//! vowels and fricatives do).
//! Sans-IO and allocation-free after construction: one [`FrameAnalyzer`] per call, fed
//! every frame in order.

/// The lowest and highest pitch looked for (Hz): below most male, above most child voices.
const PITCH_MIN_HZ: u32 = 70;
const PITCH_MAX_HZ: u32 = 400;
/// Frames quieter than this (dBFS) are not analysed for pitch: silence costs nothing.
const ANALYSE_ABOVE_DBFS: f32 = -55.0;
/// Periodicity from which a frame is voiced and its pitch reported.
pub const VOICED: f32 = 0.5;
/// A shorter lag whose correlation is this close to the best is the period (the best is
/// often a multiple of it: an octave error).
const OCTAVE_SHARE: f32 = 0.9;

/// What one frame sounds like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameFeatures {
    /// RMS level in dBFS (−100 for digital silence).
    pub level_dbfs: f32,
    /// Peak normalised autocorrelation over the pitch lags, 0–1: above about 0.5 the frame
    /// is voiced (periodic); noise, clicks and coughs stay low. 0 for quiet frames.
    pub periodicity: f32,
    /// Energy of the second difference over the energy of the signal, 0–16: it weighs
    /// each frequency by (2·sin(πf/fs))⁴, so it is a steep proxy for the share of energy
    /// above about 1 kHz (near 0 for a closed-mouth hum, higher for vowels with a second
    /// formant and for fricatives).
    pub brightness: f32,
    /// The pitch (F0) in Hz when the frame is voiced (`periodicity` ≥ [`VOICED`]), else 0.
    pub pitch_hz: f32,
}

/// Computes [`FrameFeatures`] frame by frame, keeping the previous frame so pitch lags can
/// span a frame boundary.
#[derive(Debug, Clone)]
pub struct FrameAnalyzer {
    rate: u32,
    /// Previous frame then current, decimated by two, as f32.
    window: Vec<f32>,
    frame_len: usize,
    /// The correlation at each lag of the last frame (index = lag).
    corr: Vec<f32>,
}

impl FrameAnalyzer {
    /// An analyser for frames of `frame_len` samples at `rate` Hz (8 or 16 kHz).
    pub fn new(rate: u32, frame_len: usize) -> FrameAnalyzer {
        let half = frame_len.div_ceil(2);
        let max_lag = ((rate / 2 / PITCH_MIN_HZ) as usize).min(half);
        FrameAnalyzer {
            rate,
            window: vec![0.0; half * 2],
            frame_len,
            corr: vec![0.0; max_lag + 2],
        }
    }

    /// The features of the next frame (which must have the declared length; a shorter one
    /// is analysed as it is).
    pub fn analyse(&mut self, frame: &[i16]) -> FrameFeatures {
        let n = frame.len().min(self.frame_len);
        let frame = &frame[..n];
        let level_dbfs = level_dbfs(frame);
        let brightness = brightness(frame);
        self.push_decimated(frame);
        let (periodicity, pitch_hz) = if level_dbfs > ANALYSE_ABOVE_DBFS {
            self.periodicity()
        } else {
            (0.0, 0.0)
        };
        FrameFeatures {
            level_dbfs,
            periodicity,
            brightness,
            pitch_hz,
        }
    }

    /// Shifts the window by one frame and appends `frame` decimated by two (a pair average,
    /// enough of a low-pass for pitch).
    fn push_decimated(&mut self, frame: &[i16]) {
        let half = self.window.len() / 2;
        self.window.copy_within(half.., 0);
        let tail = &mut self.window[half..];
        for (i, out) in tail.iter_mut().enumerate() {
            let a = frame.get(2 * i).copied().unwrap_or(0);
            let b = frame.get(2 * i + 1).copied().unwrap_or(a);
            *out = (f32::from(a) + f32::from(b)) * 0.5;
        }
    }

    /// The best normalised autocorrelation of the current half against earlier samples, and
    /// the pitch when it is voiced: the shortest lag at a local peak within
    /// [`OCTAVE_SHARE`] of the best (so a multiple of the period is not taken for it),
    /// refined between lags by a parabola through its neighbours.
    fn periodicity(&mut self) -> (f32, f32) {
        let rate = self.rate / 2;
        let min_lag = (rate / PITCH_MAX_HZ).max(1) as usize;
        let half = self.window.len() / 2;
        let max_lag = ((rate / PITCH_MIN_HZ) as usize).min(half);
        let cur = &self.window[half..];
        let e_cur: f32 = cur.iter().map(|v| v * v).sum();
        if e_cur <= 0.0 {
            return (0.0, 0.0);
        }
        let mut best = 0.0f32;
        self.corr.fill(0.0);
        for lag in min_lag..=max_lag {
            let past = &self.window[half - lag..half - lag + cur.len()];
            let mut dot = 0.0f32;
            let mut e_past = 0.0f32;
            for (a, b) in cur.iter().zip(past) {
                dot += a * b;
                e_past += b * b;
            }
            if e_past > 0.0 {
                let c = dot / (e_cur * e_past).sqrt();
                self.corr[lag] = c;
                best = best.max(c);
            }
        }
        let best = best.clamp(0.0, 1.0);
        if best < VOICED {
            return (best, 0.0);
        }
        let c = &self.corr;
        let peak = (min_lag..=max_lag)
            .find(|&l| {
                c[l] >= OCTAVE_SHARE * best && c[l] >= c[l.saturating_sub(1)] && c[l] >= c[l + 1]
            })
            .unwrap_or(min_lag);
        let (a, b, d) = (c[peak.saturating_sub(1)], c[peak], c[peak + 1]);
        let denom = a - 2.0 * b + d;
        let shift = if denom.abs() > 1e-6 && peak > min_lag && peak < max_lag {
            (0.5 * (a - d) / denom).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        (best, rate as f32 / (peak as f32 + shift))
    }
}

/// RMS level of `frame` in dBFS; −100 for silence.
pub fn level_dbfs(frame: &[i16]) -> f32 {
    if frame.is_empty() {
        return -100.0;
    }
    let sum: f64 = frame.iter().map(|&s| f64::from(s).powi(2)).sum();
    let rms = (sum / frame.len() as f64).sqrt() / 32_768.0;
    if rms <= 1e-5 {
        -100.0
    } else {
        (20.0 * rms.log10()) as f32
    }
}

/// Energy of the second difference over the energy of `frame` (0 for silence).
fn brightness(frame: &[i16]) -> f32 {
    let energy: f64 = frame.iter().map(|&s| f64::from(s).powi(2)).sum();
    if energy <= 0.0 {
        return 0.0;
    }
    let diff: f64 = frame
        .windows(3)
        .map(|w| (f64::from(w[2]) - 2.0 * f64::from(w[1]) + f64::from(w[0])).powi(2))
        .sum();
    (diff / energy) as f32
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn tone(hz: f32, amp: f32, n: usize, rate: f32, phase0: usize) -> Vec<i16> {
        (0..n)
            .map(|i| {
                let t = (i + phase0) as f32 / rate;
                (amp * (2.0 * std::f32::consts::PI * hz * t).sin()) as i16
            })
            .collect()
    }

    fn noise(n: usize, amp: f32, seed: &mut u32) -> Vec<i16> {
        (0..n)
            .map(|_| {
                *seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((*seed >> 16) as f32 / 32_768.0 - 1.0).mul_add(amp, 0.0) as i16
            })
            .collect()
    }

    #[test]
    fn levels_in_dbfs() {
        assert_eq!(level_dbfs(&[0; 160]), -100.0);
        let full = tone(1000.0, 32_767.0, 160, 8000.0, 0);
        assert!((level_dbfs(&full) + 3.0).abs() < 0.2);
    }

    #[test]
    fn a_pitched_tone_is_periodic_and_noise_is_not() {
        for rate in [8000, 16_000] {
            let len = rate as usize / 50;
            let mut a = FrameAnalyzer::new(rate, len);
            let mut last = None;
            for f in 0..5 {
                let frame = tone(150.0, 8000.0, len, rate as f32, f * len);
                last = Some(a.analyse(&frame));
            }
            let voiced = last.unwrap();
            assert!(voiced.periodicity > 0.9, "{rate}: {voiced:?}");
            let mut seed = 7;
            let mut b = FrameAnalyzer::new(rate, len);
            for _ in 0..5 {
                last = Some(b.analyse(&noise(len, 8000.0, &mut seed)));
            }
            let unvoiced = last.unwrap();
            assert!(unvoiced.periodicity < 0.4, "{rate}: {unvoiced:?}");
        }
    }

    #[test]
    fn the_pitch_of_a_voiced_frame_is_found_without_octave_errors() {
        for hz in [90.0, 120.0, 150.0, 210.0, 300.0] {
            let mut a = FrameAnalyzer::new(8000, 160);
            let mut f = None;
            for i in 0..4 {
                f = Some(a.analyse(&tone(hz, 8000.0, 160, 8000.0, i * 160)));
            }
            let f = f.unwrap();
            let err = (f.pitch_hz / hz).log2().abs() * 12.0;
            assert!(
                err < 0.5,
                "{hz} Hz read as {} Hz ({err:.2} semitones)",
                f.pitch_hz
            );
        }
        let mut seed = 5;
        let mut a = FrameAnalyzer::new(8000, 160);
        let f = a.analyse(&noise(160, 8000.0, &mut seed));
        assert_eq!(f.pitch_hz, 0.0, "{f:?}");
    }

    #[test]
    fn a_low_hum_is_dark_and_noise_is_bright() {
        let mut a = FrameAnalyzer::new(8000, 160);
        let hum = a.analyse(&tone(200.0, 8000.0, 160, 8000.0, 0));
        let mut seed = 3;
        let hiss = a.analyse(&noise(160, 8000.0, &mut seed));
        assert!(hum.brightness < 0.01, "{hum:?}");
        assert!(hiss.brightness > 1.0, "{hiss:?}");
    }

    #[test]
    fn quiet_frames_skip_the_pitch_search() {
        let mut a = FrameAnalyzer::new(8000, 160);
        let f = a.analyse(&tone(150.0, 20.0, 160, 8000.0, 0));
        assert_eq!(f.periodicity, 0.0);
        assert!(f.level_dbfs < ANALYSE_ABOVE_DBFS);
    }
}
