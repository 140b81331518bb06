//! Streaming sample-rate conversion of 16-bit mono frames (8 kHz ↔ 16 kHz on a call, any rate
//! to 8/16 kHz for prompts) on top of rubato's synchronous FFT resampler.
//!
//! Owns: the resampler state, its preallocated buffers and the latency bookkeeping. Must not
//! touch: clocks, sockets, codecs. Per-frame processing never allocates: every buffer is sized at
//! construction from the largest frame the caller declares.

use std::collections::VecDeque;

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{Fft, FixedSync, Resampler};

/// Why a resampler could not be built or could not process a frame.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResampleError {
    /// A rate is zero, or the pair needs an internal block that is unreasonably large.
    #[error("unsupported sample rates {input} Hz → {output} Hz")]
    UnsupportedRates {
        /// Input rate (Hz).
        input: u32,
        /// Output rate (Hz).
        output: u32,
    },
    /// A frame longer than the `max_frame` given at construction.
    #[error("frame of {len} samples exceeds the declared maximum of {max}")]
    FrameTooLong {
        /// Samples offered.
        len: usize,
        /// The declared maximum.
        max: usize,
    },
    /// The output slice cannot hold the samples this frame produces.
    #[error("output holds {len} samples but {needed} are produced")]
    OutputTooShort {
        /// Samples the output slice holds.
        len: usize,
        /// Samples this call produces.
        needed: usize,
    },
    /// rubato refused (should not happen with the sizes this type computes).
    #[error("resampler: {0}")]
    Rubato(String),
}

/// Converts a stream of mono i16 frames from one rate to another, frame by frame.
///
/// Every call to [`process`](Self::process) returns exactly the number of output samples that
/// corresponds to the input received so far (`total_in · out_rate / in_rate`, rounded down), so
/// a 20 ms frame in gives a 20 ms frame out whatever the internal block size. The price is a
/// fixed [`latency`](Self::latency): one internal block plus half the FFT block.
pub struct FrameResampler {
    inner: Fft<f32>,
    in_rate: u32,
    out_rate: u32,
    max_frame: usize,
    chunk_in: usize,
    chunk_out: usize,
    /// Input samples waiting for a whole block (one channel).
    pending: Vec<Vec<f32>>,
    pending_len: usize,
    /// One block of output (one channel).
    block_out: Vec<Vec<f32>>,
    /// Converted samples not yet handed out; capacity fixed at construction.
    fifo: VecDeque<f32>,
    total_in: u64,
    total_out: u64,
}

impl std::fmt::Debug for FrameResampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameResampler")
            .field("in_rate", &self.in_rate)
            .field("out_rate", &self.out_rate)
            .field("chunk_in", &self.chunk_in)
            .finish_non_exhaustive()
    }
}

/// The internal block: 10 ms of input, rounded up to what the rate pair allows.
fn block_len(in_rate: u32) -> usize {
    (in_rate as usize / 100).max(1)
}

impl FrameResampler {
    /// A resampler from `in_rate` to `out_rate` for frames of at most `max_frame` input samples.
    pub fn new(in_rate: u32, out_rate: u32, max_frame: usize) -> Result<Self, ResampleError> {
        let bad = || ResampleError::UnsupportedRates {
            input: in_rate,
            output: out_rate,
        };
        if in_rate == 0 || out_rate == 0 || max_frame == 0 {
            return Err(bad());
        }
        let inner = Fft::<f32>::new(
            in_rate as usize,
            out_rate as usize,
            block_len(in_rate),
            1,
            FixedSync::Both,
        )
        .map_err(|_| bad())?;
        let chunk_in = inner.input_frames_next();
        let chunk_out = inner.output_frames_next();
        // Rate pairs with a tiny common divisor need huge blocks: not a telephony use.
        if chunk_in > in_rate as usize || chunk_out > out_rate as usize {
            return Err(bad());
        }
        // Priming with one block of silence guarantees a partial block never starves the output.
        let capacity = chunk_out * (max_frame / chunk_in + 3);
        let mut fifo = VecDeque::with_capacity(capacity);
        fifo.extend(std::iter::repeat_n(0.0, chunk_out));
        Ok(Self {
            pending: vec![vec![0.0; chunk_in]],
            block_out: vec![vec![0.0; inner.output_frames_max()]],
            inner,
            in_rate,
            out_rate,
            max_frame,
            chunk_in,
            chunk_out,
            pending_len: 0,
            fifo,
            total_in: 0,
            total_out: 0,
        })
    }

    /// Input rate (Hz).
    pub fn input_rate(&self) -> u32 {
        self.in_rate
    }

    /// Output rate (Hz).
    pub fn output_rate(&self) -> u32 {
        self.out_rate
    }

    /// Delay between a sample going in and its converted counterpart coming out, in output
    /// samples.
    pub fn latency_samples(&self) -> usize {
        self.chunk_out + self.inner.output_delay()
    }

    /// [`latency_samples`](Self::latency_samples) as a duration.
    pub fn latency(&self) -> std::time::Duration {
        std::time::Duration::from_micros(
            self.latency_samples() as u64 * 1_000_000 / u64::from(self.out_rate),
        )
    }

    /// How many output samples the next call with `input_len` samples will produce.
    pub fn output_len_for(&self, input_len: usize) -> usize {
        let total =
            (self.total_in + input_len as u64) * u64::from(self.out_rate) / u64::from(self.in_rate);
        (total - self.total_out) as usize
    }

    /// Converts one frame: reads all of `input`, writes the produced samples at the start of
    /// `output` and returns how many (see [`output_len_for`](Self::output_len_for)).
    pub fn process(&mut self, input: &[i16], output: &mut [i16]) -> Result<usize, ResampleError> {
        if input.len() > self.max_frame {
            return Err(ResampleError::FrameTooLong {
                len: input.len(),
                max: self.max_frame,
            });
        }
        let needed = self.output_len_for(input.len());
        if output.len() < needed {
            return Err(ResampleError::OutputTooShort {
                len: output.len(),
                needed,
            });
        }
        let mut rest = input;
        while !rest.is_empty() {
            let take = rest.len().min(self.chunk_in - self.pending_len);
            let dst = &mut self.pending[0][self.pending_len..self.pending_len + take];
            for (d, s) in dst.iter_mut().zip(&rest[..take]) {
                *d = f32::from(*s) / 32768.0;
            }
            self.pending_len += take;
            rest = &rest[take..];
            if self.pending_len == self.chunk_in {
                self.run_block()?;
            }
        }
        for out in &mut output[..needed] {
            // The priming block guarantees the FIFO holds enough; silence if it ever did not.
            *out = to_i16(self.fifo.pop_front().unwrap_or(0.0));
        }
        self.total_in += input.len() as u64;
        self.total_out += needed as u64;
        Ok(needed)
    }

    fn run_block(&mut self) -> Result<(), ResampleError> {
        let rubato_err = |e: &dyn std::fmt::Display| ResampleError::Rubato(e.to_string());
        let input = SequentialSliceOfVecs::new(&self.pending, 1, self.chunk_in)
            .map_err(|e| rubato_err(&e))?;
        let frames_out = self.block_out[0].len();
        let mut output = SequentialSliceOfVecs::new_mut(&mut self.block_out, 1, frames_out)
            .map_err(|e| rubato_err(&e))?;
        let (_, produced) = self
            .inner
            .process_into_buffer(&input, &mut output, None)
            .map_err(|e| rubato_err(&e))?;
        self.fifo
            .extend(self.block_out[0][..produced].iter().copied());
        self.pending_len = 0;
        Ok(())
    }
}

fn to_i16(x: f32) -> i16 {
    (x * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}

/// Resamples a whole clip (mono f32 in −1..1) once, trimming the resampler's start-up delay:
/// any rate to 8 or 16 kHz for prompts and synthesized speech. Allocates: for load time, not
/// for the per-frame path.
pub fn resample_clip(
    samples: &[f32],
    in_rate: u32,
    out_rate: u32,
) -> Result<Vec<f32>, ResampleError> {
    if in_rate == out_rate {
        return Ok(samples.to_vec());
    }
    let bad = || ResampleError::UnsupportedRates {
        input: in_rate,
        output: out_rate,
    };
    if in_rate == 0 || out_rate == 0 {
        return Err(bad());
    }
    let mut inner = Fft::<f32>::new(
        in_rate as usize,
        out_rate as usize,
        1024,
        1,
        FixedSync::Input,
    )
    .map_err(|_| bad())?;
    if samples.is_empty() {
        return Ok(Vec::new());
    }
    let owned = [samples.to_vec()];
    let input = SequentialSliceOfVecs::new(&owned, 1, samples.len())
        .map_err(|e| ResampleError::Rubato(e.to_string()))?;
    let out = inner
        .process_all(&input, samples.len(), None)
        .map_err(|e| ResampleError::Rubato(e.to_string()))?;
    Ok(out.take_data())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sine(rate: u32, freq: f32, amp: f32, len: usize) -> Vec<i16> {
        (0..len)
            .map(|i| {
                let t = i as f32 / rate as f32;
                (amp * (2.0 * std::f32::consts::PI * freq * t).sin()).round() as i16
            })
            .collect()
    }

    /// Amplitude and frequency (from zero crossings) of a steady tone.
    fn measure(samples: &[i16], rate: u32) -> (f32, f32) {
        let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        let rising = samples.windows(2).filter(|w| w[0] < 0 && w[1] >= 0).count();
        let freq = rising as f32 * rate as f32 / samples.len() as f32;
        (f32::from(peak), freq)
    }

    fn run(in_rate: u32, out_rate: u32, frame: usize, input: &[i16]) -> (Vec<i16>, usize) {
        let mut r = FrameResampler::new(in_rate, out_rate, frame).unwrap();
        let mut out = Vec::new();
        let mut buf = vec![0i16; frame * 4];
        for chunk in input.chunks(frame) {
            let n = r.process(chunk, &mut buf).unwrap();
            out.extend_from_slice(&buf[..n]);
        }
        (out, r.latency_samples())
    }

    fn check_tone(in_rate: u32, out_rate: u32, frame: usize) {
        let input = sine(in_rate, 1000.0, 16000.0, in_rate as usize); // 1 s
        let (out, latency) = run(in_rate, out_rate, frame, &input);
        assert_eq!(
            out.len(),
            out_rate as usize,
            "one second in, one second out"
        );
        // Skip the latency and the filter's settling; measure the steady part.
        let steady = &out[latency + out_rate as usize / 50..out.len() - out_rate as usize / 50];
        let (amp, freq) = measure(steady, out_rate);
        assert!((freq - 1000.0).abs() < 10.0, "frequency {freq}");
        assert!((amp - 16000.0).abs() < 16000.0 * 0.05, "amplitude {amp}");
    }

    #[test]
    fn tone_survives_8k_to_16k_in_20ms_frames() {
        check_tone(8000, 16000, 160);
    }

    #[test]
    fn tone_survives_16k_to_8k_in_30ms_frames() {
        check_tone(16000, 8000, 480);
    }

    #[test]
    fn latency_is_reported_and_matches_the_signal() {
        let r = FrameResampler::new(8000, 16000, 160).unwrap();
        assert!(r.latency() <= std::time::Duration::from_millis(20), "{r:?}");
        // An impulse comes out `latency_samples` later.
        let mut input = vec![0i16; 1600];
        input[400] = 30000;
        let (out, latency) = run(8000, 16000, 160, &input);
        let peak = out
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| s.unsigned_abs())
            .map(|(i, _)| i)
            .unwrap();
        assert!(
            peak.abs_diff(800 + latency) <= 1,
            "peak {peak} latency {latency}"
        );
    }

    #[test]
    fn arbitrary_frame_sizes_give_proportional_output() {
        let mut r = FrameResampler::new(8000, 16000, 300).unwrap();
        let mut buf = [0i16; 600];
        let (mut total_in, mut total_out) = (0, 0);
        for len in [1, 7, 160, 240, 300, 13, 0, 299, 80] {
            let input = vec![100i16; len];
            let n = r.process(&input, &mut buf).unwrap();
            total_in += len;
            total_out += n;
            assert_eq!(total_out, total_in * 2);
        }
        let mut down = FrameResampler::new(16000, 8000, 300).unwrap();
        let (mut total_in, mut total_out) = (0, 0);
        for len in [3, 161, 240, 300, 1] {
            total_in += len;
            total_out += down.process(&vec![0i16; len], &mut buf).unwrap();
            assert_eq!(total_out, total_in / 2);
        }
    }

    #[test]
    fn misuse_is_reported() {
        let mut r = FrameResampler::new(8000, 16000, 160).unwrap();
        let mut out = [0i16; 100];
        assert!(matches!(
            r.process(&[0; 161], &mut [0; 400]),
            Err(ResampleError::FrameTooLong { len: 161, max: 160 })
        ));
        assert!(matches!(
            r.process(&[0; 160], &mut out),
            Err(ResampleError::OutputTooShort {
                len: 100,
                needed: 320
            })
        ));
        assert!(FrameResampler::new(0, 8000, 160).is_err());
    }

    #[test]
    fn clip_resampling_keeps_length_and_tone() {
        let input: Vec<f32> = sine(44100, 1000.0, 16000.0, 44100)
            .iter()
            .map(|s| f32::from(*s) / 32768.0)
            .collect();
        let out = resample_clip(&input, 44100, 8000).unwrap();
        assert!(out.len().abs_diff(8000) <= 1, "{}", out.len());
        let as_i16: Vec<i16> = out.iter().map(|x| to_i16(*x)).collect();
        let (amp, freq) = measure(&as_i16[400..7600], 8000);
        assert!((freq - 1000.0).abs() < 10.0, "frequency {freq}");
        assert!((amp - 16000.0).abs() < 800.0, "amplitude {amp}");
    }
}
