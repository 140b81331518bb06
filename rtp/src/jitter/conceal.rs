//! Packet loss concealment for linear PCM: repeat the last good frame while fading it out,
//! reaching silence after 60 ms at 8 kHz.

/// Samples over which [`conceal`] fades a repeated frame to silence (60 ms at 8 kHz).
pub const CONCEAL_FADE_SAMPLES: usize = 480;

/// Fills `out` with a replacement for the `n_lost`-th consecutive lost frame (1 for the first):
/// `prev`, the last frame played, repeated with a linear fade that reaches silence
/// [`CONCEAL_FADE_SAMPLES`] samples into the loss. Silence if `prev` is empty.
pub fn conceal(prev: &[i16], n_lost: usize, out: &mut [i16]) {
    let start = n_lost.saturating_sub(1).saturating_mul(out.len());
    for (i, o) in out.iter_mut().enumerate() {
        let remaining = CONCEAL_FADE_SAMPLES.saturating_sub(start.saturating_add(i));
        let source = prev.get(i % prev.len().max(1)).copied().unwrap_or(0);
        *o = (i32::from(source) * remaining as i32 / CONCEAL_FADE_SAMPLES as i32) as i16;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fades_to_silence_after_sixty_ms() {
        let prev = [1000i16; 160];
        let mut out = [0i16; 160];
        conceal(&prev, 1, &mut out);
        assert_eq!(out[0], 1000);
        assert!(out[159] < 1000 && out[159] > 600);
        conceal(&prev, 3, &mut out);
        assert!(out[0] > 0 && out[159] < 10);
        conceal(&prev, 4, &mut out);
        assert!(out.iter().all(|&s| s == 0));
        conceal(&[], 1, &mut out);
        assert!(out.iter().all(|&s| s == 0));
    }
}
