//! Prompts: WAV audio decoded once to 8 kHz mono i16, for a call's outgoing audio (the
//! dialog's playback plays them).
//!
//! Owns: WAV decoding (any rate, mono/stereo, 8–32-bit int or 32-bit float) and the built-in
//! prompts embedded in the binary. Must not touch: clocks, codecs, sockets.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::TELEPHONE_RATE;
use super::resample::{ResampleError, resample_clip};

/// Longest prompt accepted (bounds memory for a bad file).
const MAX_PROMPT: Duration = Duration::from_secs(600);

/// Why a prompt could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PromptError {
    /// The file could not be read or is not a WAV file hound understands.
    #[error("{name}: not a readable WAV file: {source}")]
    Wav {
        /// The prompt's name.
        name: String,
        /// hound's reason.
        source: hound::Error,
    },
    /// A sample format hound decodes but prompts do not support (for example 64-bit float).
    #[error("{name}: unsupported WAV format ({bits}-bit {format})")]
    Format {
        /// The prompt's name.
        name: String,
        /// Bits per sample.
        bits: u16,
        /// "int" or "float".
        format: &'static str,
    },
    /// Longer than [`MAX_PROMPT`] or with no channels.
    #[error("{name}: too long or empty header")]
    Size {
        /// The prompt's name.
        name: String,
    },
    /// Resampling to 8 kHz failed.
    #[error("{name}: {source}")]
    Resample {
        /// The prompt's name.
        name: String,
        /// The resampler's reason.
        source: ResampleError,
    },
}

/// One prompt: a name (for logs and tests) and 8 kHz mono samples, shared cheaply.
#[derive(Clone, PartialEq, Eq)]
pub struct Prompt {
    name: Arc<str>,
    samples: Arc<[i16]>,
}

impl std::fmt::Debug for Prompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Prompt({}, {} ms)",
            self.name,
            self.duration().as_millis()
        )
    }
}

impl Prompt {
    /// A prompt from 8 kHz mono samples.
    pub fn from_samples(name: &str, samples: Vec<i16>) -> Self {
        Self {
            name: name.into(),
            samples: samples.into(),
        }
    }

    /// Decodes a WAV file held in memory (any rate, mono or stereo, int or float).
    pub fn from_wav_bytes(name: &str, bytes: &[u8]) -> Result<Self, PromptError> {
        decode(name, std::io::Cursor::new(bytes))
    }

    /// Reads and decodes a WAV file.
    pub fn from_wav_file(path: &Path) -> Result<Self, PromptError> {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = std::fs::File::open(path).map_err(|e| PromptError::Wav {
            name: name.clone(),
            source: hound::Error::IoError(e),
        })?;
        decode(&name, std::io::BufReader::new(file))
    }

    /// The prompt's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 8 kHz mono samples.
    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    /// How long it plays.
    pub fn duration(&self) -> Duration {
        Duration::from_micros(self.samples.len() as u64 * 1_000_000 / u64::from(TELEPHONE_RATE))
    }
}

/// A WAV file's audio as mono f32 (channels averaged) at its own rate, for any common
/// sample format; refused when longer than `max`.
pub fn read_wav_mono(path: &Path, max: Duration) -> Result<(Vec<f32>, u32), PromptError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| PromptError::Wav {
        name: name.clone(),
        source: hound::Error::IoError(e),
    })?;
    decode_mono(&name, std::io::BufReader::new(file), max)
}

fn decode_mono<R: Read>(
    name: &str,
    input: R,
    max: Duration,
) -> Result<(Vec<f32>, u32), PromptError> {
    let wav_err = |source| PromptError::Wav {
        name: name.to_owned(),
        source,
    };
    let mut reader = hound::WavReader::new(input).map_err(wav_err)?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    let frames = u64::from(reader.duration());
    if channels == 0
        || spec.sample_rate == 0
        || frames > max.as_secs() * u64::from(spec.sample_rate)
    {
        return Err(PromptError::Size {
            name: name.to_owned(),
        });
    }
    let interleaved: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(wav_err)?
        }
        (hound::SampleFormat::Float, 32) => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(wav_err)?,
        (format, bits) => {
            return Err(PromptError::Format {
                name: name.to_owned(),
                bits,
                format: if format == hound::SampleFormat::Int {
                    "int"
                } else {
                    "float"
                },
            });
        }
    };
    let mono: Vec<f32> = interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect();
    Ok((mono, spec.sample_rate))
}

fn decode<R: Read>(name: &str, input: R) -> Result<Prompt, PromptError> {
    let (mono, rate) = decode_mono(name, input, MAX_PROMPT)?;
    let resampled =
        resample_clip(&mono, rate, TELEPHONE_RATE).map_err(|source| PromptError::Resample {
            name: name.to_owned(),
            source,
        })?;
    let samples = resampled
        .iter()
        .map(|x| (x * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect();
    Ok(Prompt::from_samples(name, samples))
}

macro_rules! embedded {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!("../../assets/prompts/", $name, ".wav")).as_slice(),
        )
    };
}

const EMBEDDED: [(&str, &[u8]); 15] = [
    embedded!("greeting"),
    embedded!("you-entered"),
    embedded!("digit-0"),
    embedded!("digit-1"),
    embedded!("digit-2"),
    embedded!("digit-3"),
    embedded!("digit-4"),
    embedded!("digit-5"),
    embedded!("digit-6"),
    embedded!("digit-7"),
    embedded!("digit-8"),
    embedded!("digit-9"),
    embedded!("star"),
    embedded!("pound"),
    embedded!("goodbye"),
];

/// The names of the built-in prompts (a flow's `play: builtin:NAME`, and `spell`'s
/// `digit-0`…`digit-9`, `star`, `pound`), as in `assets/prompts/`.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    EMBEDDED.iter().map(|(name, _)| *name)
}

/// The built-in prompts embedded in the binary (espeak-ng, see `scripts/make-prompts`),
/// each named as in [`builtin_names`], decoded on first use and shared afterwards.
pub fn builtin_prompts() -> Result<Vec<Prompt>, PromptError> {
    static CACHE: OnceLock<Vec<Prompt>> = OnceLock::new();
    if let Some(all) = CACHE.get() {
        return Ok(all.clone());
    }
    let all = EMBEDDED
        .iter()
        .map(|(name, bytes)| Prompt::from_wav_bytes(name, bytes))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CACHE.get_or_init(|| all).clone())
}

#[cfg(test)]
mod tests;
