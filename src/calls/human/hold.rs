//! Music on hold, made here: an eight-second loop of soft arpeggiated chords (C, A minor,
//! F, G), each note a sine with a little second harmonic under an attack/decay envelope,
//! at about −22 dBFS. Computed once (deterministic, no file, nothing to license) and played
//! from a shared buffer; a waiting caller never hears silence.

use std::sync::{Arc, OnceLock};

/// 8 kHz.
const RATE: f32 = 8000.0;
/// One note: a quarter of a second.
const NOTE: usize = 2000;
/// Peak amplitude.
const PEAK: f32 = 2600.0;

/// The chords, as the MIDI notes of each arpeggio (four notes per chord, two passes).
const CHORDS: [[u8; 4]; 4] = [
    [60, 64, 67, 72],
    [57, 60, 64, 69],
    [53, 57, 60, 65],
    [55, 59, 62, 67],
];

/// The loop (shared by every waiting caller).
pub fn music() -> Arc<[i16]> {
    static MUSIC: OnceLock<Arc<[i16]>> = OnceLock::new();
    Arc::clone(MUSIC.get_or_init(make))
}

fn make() -> Arc<[i16]> {
    let mut out = Vec::with_capacity(CHORDS.len() * 8 * NOTE);
    for chord in CHORDS {
        for pass in 0..2 {
            for (i, &note) in chord.iter().enumerate() {
                let note = if pass == 1 && i == 3 { note + 12 } else { note };
                push_note(&mut out, note);
            }
        }
    }
    out.into()
}

fn push_note(out: &mut Vec<i16>, midi: u8) {
    let f = 440.0 * 2f32.powf((f32::from(midi) - 69.0) / 12.0);
    for n in 0..NOTE {
        let t = n as f32 / RATE;
        let attack = (n as f32 / 80.0).min(1.0);
        let decay = (-3.0 * t).exp();
        let w = std::f32::consts::TAU * f * t;
        let s = (w.sin() + 0.25 * (2.0 * w).sin()) / 1.25;
        out.push((s * attack * decay * PEAK) as i16);
    }
}

/// Plays the loop into frames.
#[derive(Debug, Clone)]
pub struct HoldPlayer {
    music: Arc<[i16]>,
    at: usize,
}

impl Default for HoldPlayer {
    fn default() -> Self {
        HoldPlayer {
            music: music(),
            at: 0,
        }
    }
}

impl HoldPlayer {
    /// The next frame of music.
    pub fn fill(&mut self, out: &mut [i16]) {
        for s in out.iter_mut() {
            *s = self.music[self.at];
            self.at = (self.at + 1) % self.music.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loop_is_eight_seconds_never_silent_and_never_loud() {
        let m = music();
        assert_eq!(m.len(), 8 * 8000);
        let peak = m.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert!((1500..3000).contains(&peak), "peak {peak}");
        // No 100 ms stretch is silent.
        for w in m.chunks(800) {
            let level: u32 = w.iter().map(|s| u32::from(s.unsigned_abs())).sum::<u32>() / 800;
            assert!(level > 30, "quiet stretch: {level}");
        }
    }

    #[test]
    fn the_player_wraps_around() {
        let mut p = HoldPlayer::default();
        let mut frame = [0i16; 160];
        for _ in 0..400 {
            p.fill(&mut frame);
        }
        let mut again = HoldPlayer::default();
        let mut first = [0i16; 160];
        again.fill(&mut first);
        // 400 frames = exactly one loop: the next frame is the first again.
        p.fill(&mut frame);
        assert_eq!(frame, first);
    }
}
