//! What a real peer heard: its recording (any WAV, decoded and resampled to 8 kHz mono by
//! voxgate's own prompt decoder) searched for the prompt audio by normalised
//! cross-correlation, computed with an FFT so a 30 s recording takes well under a second in a
//! debug build. A prompt counts as heard when its correlation peak reaches [`HEARD`].

use std::cell::RefCell;
use std::ops::Range;
use std::path::{Path, PathBuf};

use voxgate::media::Prompt;

/// Peak normalised cross-correlation from which a prompt counts as heard. A prompt that was
/// played scores 0.98–1.0 (G.711 over loopback, sample-aligned); the greeting with a frame
/// dropped and 40 ms inserted still 0.9, matched in pieces ([`PIECE`]); a short word with a
/// glitch inside about 0.7 (seen once under a load of two busy loops and four calls).
/// Another word of the default (espeak) prompts mostly scores 0.1–0.45, but the same vowel at the same synthetic pitch can score far more:
/// "pound" inside "five" 0.87, "six" inside the greeting 0.61. So a check that a prompt was
/// NOT heard must pick words unlike everything played, and a check that one was heard also
/// checks the order (see [`assert_heard_in_order`]).
pub const HEARD: f64 = 0.6;

/// Where a prompt was found in a recording.
#[derive(Debug, Clone)]
pub struct Match {
    pub name: String,
    /// The correlation peak, −1..1.
    pub peak: f64,
    /// The sample (8 kHz) of the recording where the prompt starts at the peak.
    pub at: usize,
    /// The prompt's length in samples.
    pub len: usize,
    /// How many of its samples fell after the end of the recording.
    pub cut: usize,
}

impl Match {
    pub fn secs(&self) -> f64 {
        self.at as f64 / 8000.0
    }
}

/// The path of a default prompt (`greeting`, `digit-1`, `star`…).
pub fn prompt_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/prompts")
        .join(format!("{name}.wav"))
}

/// A WAV file as 8 kHz mono samples in −1..1.
pub fn read_8k(path: &Path) -> Vec<f64> {
    let clip = Prompt::from_wav_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    clip.samples()
        .iter()
        .map(|&s| f64::from(s) / 32768.0)
        .collect()
}

/// Prompts are matched in pieces of at most this many samples (1 s), each piece right after
/// the one before, so a frame a jitter buffer dropped or inserted in the middle of a long
/// prompt costs one piece a little, not the whole match (matched whole, the greeting with
/// one dropped and one inserted frame scores 0.37). Not shorter: with 0.5 s pieces other
/// words reach 0.73, and with 125 ms the first piece of "four" anchored on "five".
pub const PIECE: usize = 8000;
/// How far (samples) a piece may start before the end of the previous one (frames dropped)…
const PIECE_EARLY: usize = 800;
/// …or after it (frames inserted).
const PIECE_LATE: usize = 4000;

/// A recording prepared for searching: its samples, running energy and cached spectra.
pub struct Recording {
    samples: Vec<f64>,
    /// `energy[i]` = sum of squares of `samples[..i]`.
    energy: Vec<f64>,
    spectra: RefCell<Vec<Vec<Complex>>>,
}

impl Recording {
    pub fn from_wav(path: &Path) -> Recording {
        Recording::new(read_8k(path))
    }

    pub fn new(samples: Vec<f64>) -> Recording {
        let mut energy = Vec::with_capacity(samples.len() + 1);
        energy.push(0.0);
        for x in &samples {
            energy.push(energy.last().unwrap() + x * x);
        }
        Recording {
            samples,
            energy,
            spectra: RefCell::new(Vec::new()),
        }
    }

    pub fn secs(&self) -> f64 {
        self.samples.len() as f64 / 8000.0
    }

    /// Where the default prompt `name` best matches: the first piece anywhere, each further
    /// piece just after the previous one; the peak is the energy-weighted mean of the
    /// pieces' correlation peaks (1.0 for a bit-exact copy).
    pub fn find(&self, name: &str) -> Match {
        let prompt = read_8k(&prompt_path(name));
        let pieces = prompt.len().div_ceil(PIECE).max(1);
        let step = prompt.len().div_ceil(pieces).max(1);
        let (mut weighted, mut total, mut start, mut next) = (0.0, 0.0, 0, None::<usize>);
        for piece in prompt.chunks(step) {
            let lags = match next {
                None => 0..self.samples.len(),
                Some(n) => n.saturating_sub(PIECE_EARLY)..n + PIECE_LATE,
            };
            let (peak, at) = self.ncc_peak_in(piece, lags);
            let energy: f64 = piece.iter().map(|x| x * x).sum();
            weighted += peak * energy;
            total += energy;
            start = if next.is_none() { at } else { start };
            next = Some(at + piece.len());
        }
        let end = next.unwrap_or(0);
        Match {
            name: name.to_owned(),
            peak: if total > 0.0 { weighted / total } else { 0.0 },
            at: start,
            len: prompt.len(),
            cut: end.saturating_sub(self.samples.len()),
        }
    }

    /// [`Recording::ncc_peak_in`] over every lag.
    pub fn ncc_peak(&self, prompt: &[f64]) -> (f64, usize) {
        self.ncc_peak_in(prompt, 0..self.samples.len())
    }

    /// The peak of `Σ p[i]·r[k+i] / (‖p‖·‖r[k..k+M]‖)` over the lags `k` in `lags` and
    /// where it is. The recording counts as silent after its end, so a prompt cut off by
    /// the hang-up still matches, scoring at most √(share of its energy that was heard).
    /// Windows far quieter than the prompt (digital silence) score 0.
    pub fn ncc_peak_in(&self, prompt: &[f64], lags: Range<usize>) -> (f64, usize) {
        let (n, m) = (self.samples.len(), prompt.len());
        if m == 0 || n == 0 {
            return (0.0, 0);
        }
        // Long enough that the circular correlation never wraps: lags 0..n, prompt m.
        let size = (n + m).next_power_of_two();
        let mut corr = spectrum(prompt, size);
        for (a, b) in corr.iter_mut().zip(self.spectrum(size).iter()) {
            *a = b.mul(a.conj());
        }
        fft(&mut corr, true);
        let p_energy: f64 = prompt.iter().map(|x| x * x).sum();
        let floor = p_energy * 1e-4;
        let (first, last) = (lags.start.min(n), lags.end.min(n));
        let mut best = (0.0, first);
        for (k, c) in corr.iter().enumerate().take(last).skip(first) {
            let window = self.energy[(k + m).min(n)] - self.energy[k];
            if window <= floor {
                continue;
            }
            let ncc = c.0 / size as f64 / (p_energy * window).sqrt();
            if ncc > best.0 {
                best = (ncc, k);
            }
        }
        best
    }

    /// The recording's spectrum zero-padded to `size` (computed once per size).
    fn spectrum(&self, size: usize) -> std::cell::Ref<'_, Vec<Complex>> {
        let have = self.spectra.borrow().iter().position(|s| s.len() == size);
        let index = have.unwrap_or_else(|| {
            let mut spectra = self.spectra.borrow_mut();
            spectra.push(spectrum(&self.samples, size));
            spectra.len() - 1
        });
        std::cell::Ref::map(self.spectra.borrow(), |s| &s[index])
    }
}

/// The FFT of `x` zero-padded to `size`.
fn spectrum(x: &[f64], size: usize) -> Vec<Complex> {
    let mut v: Vec<Complex> = x.iter().map(|&x| Complex(x, 0.0)).collect();
    v.resize(size, Complex(0.0, 0.0));
    fft(&mut v, false);
    v
}

/// Checks that `recording` holds every prompt of `heard` (peak ≥ [`HEARD`]) one after the
/// other in that order, and none of `absent`; prints every figure. Returns the matches of
/// `heard` then `absent`.
pub fn assert_heard_in_order(recording: &Path, heard: &[&str], absent: &[&str]) -> Vec<Match> {
    let rec = Recording::from_wav(recording);
    let found: Vec<Match> = heard.iter().map(|n| rec.find(n)).collect();
    let missing: Vec<Match> = absent.iter().map(|n| rec.find(n)).collect();
    let table: String = found
        .iter()
        .chain(&missing)
        .map(|m| {
            let cut = match m.cut {
                0 => String::new(),
                c => format!(" (its last {} ms after the end)", c / 8),
            };
            format!(
                "\n  {:<12} peak {:.3} at {:6.2} s{cut}",
                m.name,
                m.peak,
                m.secs()
            )
        })
        .collect();
    eprintln!(
        "correlation in {} ({:.1} s):{table}",
        recording.display(),
        rec.secs()
    );
    for m in &found {
        assert!(m.peak >= HEARD, "{} not heard:{table}", m.name);
    }
    for m in &missing {
        assert!(m.peak < HEARD, "{} heard but never played:{table}", m.name);
    }
    // Each prompt starts after the previous one ended (100 ms of slack for a peer's
    // jitter buffer dropping frames).
    for pair in found.windows(2) {
        assert!(
            pair[1].at + 800 >= pair[0].at + pair[0].len,
            "{} does not follow {}:{table}",
            pair[1].name,
            pair[0].name
        );
    }
    found.into_iter().chain(missing).collect()
}

/// A complex number (re, im) for the FFT.
#[derive(Debug, Clone, Copy)]
pub struct Complex(f64, f64);

impl Complex {
    fn mul(self, o: Complex) -> Complex {
        Complex(self.0 * o.0 - self.1 * o.1, self.0 * o.1 + self.1 * o.0)
    }
    fn conj(self) -> Complex {
        Complex(self.0, -self.1)
    }
}

/// In-place iterative radix-2 FFT (`inverse` without the 1/N scale); `x.len()` a power of 2.
fn fft(x: &mut [Complex], inverse: bool) {
    let n = x.len();
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            x.swap(i, j);
        }
    }
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut len = 2;
    while len <= n {
        let angle = sign * 2.0 * std::f64::consts::PI / len as f64;
        let step = Complex(angle.cos(), angle.sin());
        for start in (0..n).step_by(len) {
            let mut w = Complex(1.0, 0.0);
            for k in 0..len / 2 {
                let a = x[start + k];
                let b = x[start + k + len / 2].mul(w);
                x[start + k] = Complex(a.0 + b.0, a.1 + b.1);
                x[start + k + len / 2] = Complex(a.0 - b.0, a.1 - b.1);
                w = w.mul(step);
            }
        }
        len <<= 1;
    }
}
