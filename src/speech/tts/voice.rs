//! A Piper voice (VITS, ONNX) run through ONNX Runtime: phonemes from espeak-ng become the
//! voice's phoneme ids (its `.onnx.json` map), and one inference per sentence gives PCM at
//! the voice's rate. The ONNX Runtime library is loaded at run time from the file `voxgate
//! models fetch` installs; it is checked before the first call, since ort waits forever on
//! a library that is not there.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::session::Session;
use ort::value::Tensor;

/// Why a voice cannot load or speak.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TtsError {
    /// A model file is missing.
    #[error("{what} not found at {path}: run `voxgate models fetch`")]
    Missing {
        /// Which file.
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The voice's JSON config is unreadable.
    #[error("voice config {path}: {reason}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// ONNX Runtime failed (loading the library or the voice, or running it).
    #[error("onnx runtime: {0}")]
    Runtime(String),
    /// ONNX Runtime was already loaded from another library file.
    #[error("onnx runtime already loaded from {0}")]
    OtherRuntime(PathBuf),
    /// Phonemization failed.
    #[error(transparent)]
    Phonemes(#[from] espeak::EspeakError),
    /// The output rate cannot be reached.
    #[error("cannot resample: {0}")]
    Resample(String),
}

fn runtime(e: impl std::fmt::Display) -> TtsError {
    TtsError::Runtime(e.to_string())
}

/// The process's one ONNX Runtime environment and the library it came from.
static ENVIRONMENT: OnceLock<(PathBuf, ort::environment::Environment)> = OnceLock::new();

/// The environment, loading `lib` on first use.
fn environment(lib: &Path) -> Result<&'static ort::environment::Environment, TtsError> {
    if let Some((from, env)) = ENVIRONMENT.get() {
        return if from == lib {
            Ok(env)
        } else {
            Err(TtsError::OtherRuntime(from.clone()))
        };
    }
    if !lib.is_file() {
        return Err(TtsError::Missing {
            what: "the ONNX Runtime library",
            path: lib.to_owned(),
        });
    }
    let env = ort::init_from(lib)
        .map_err(runtime)?
        .with_name("voxgate")
        .build()
        .map_err(runtime)?;
    let (_, env) = ENVIRONMENT.get_or_init(|| (lib.to_owned(), env));
    Ok(env)
}

/// How a voice is read: noise and length scales from its config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scales {
    /// Variation of the voice.
    pub noise: f32,
    /// Speaking time per phoneme (1 = the voice's pace; larger is slower).
    pub length: f32,
    /// Variation of phoneme durations.
    pub noise_w: f32,
}

/// What a voice's `.onnx.json` says that synthesis needs.
#[derive(Debug, Clone)]
struct VoiceConfig {
    rate: u32,
    espeak_voice: String,
    scales: Scales,
    ids: HashMap<char, Vec<i64>>,
}

impl VoiceConfig {
    fn read(path: &Path) -> Result<VoiceConfig, TtsError> {
        let bad = |reason: &str| TtsError::Config {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        let text = std::fs::read_to_string(path).map_err(|_| TtsError::Missing {
            what: "the voice config",
            path: path.to_owned(),
        })?;
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(&format!("not JSON: {e}")))?;
        let rate = v["audio"]["sample_rate"]
            .as_u64()
            .and_then(|r| u32::try_from(r).ok())
            .filter(|r| (8000..=48_000).contains(r))
            .ok_or_else(|| bad("audio.sample_rate missing or out of range"))?;
        let espeak_voice = v["espeak"]["voice"]
            .as_str()
            .ok_or_else(|| bad("espeak.voice missing"))?
            .to_owned();
        let scale = |k: &str, d: f64| v["inference"][k].as_f64().unwrap_or(d) as f32;
        let scales = Scales {
            noise: scale("noise_scale", 0.667),
            length: scale("length_scale", 1.0),
            noise_w: scale("noise_w", 0.8),
        };
        let map = v["phoneme_id_map"]
            .as_object()
            .ok_or_else(|| bad("phoneme_id_map missing"))?;
        let mut ids = HashMap::with_capacity(map.len());
        for (k, list) in map {
            let mut chars = k.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                continue;
            };
            let list: Option<Vec<i64>> = list
                .as_array()
                .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect());
            ids.insert(c, list.ok_or_else(|| bad("phoneme ids must be lists"))?);
        }
        for required in ['_', '^', '$'] {
            if !ids.contains_key(&required) {
                return Err(bad("phoneme_id_map lacks _ ^ $"));
            }
        }
        Ok(VoiceConfig {
            rate,
            espeak_voice,
            scales,
            ids,
        })
    }

    /// Piper's id sequence: `^`, then each phoneme's ids followed by the pad `_`, then `$`.
    /// Characters the voice does not know are skipped.
    fn encode(&self, phonemes: &str) -> Vec<i64> {
        let pad = &self.ids[&'_'];
        let mut out = Vec::with_capacity(phonemes.len() * 2 + 4);
        out.extend(&self.ids[&'^']);
        out.extend(pad);
        for c in phonemes.chars() {
            if let Some(ids) = self.ids.get(&c) {
                out.extend(ids);
                out.extend(pad);
            }
        }
        out.extend(&self.ids[&'$']);
        out
    }
}

/// A loaded Piper voice. One inference at a time (`&mut self`); a pool holds several for
/// concurrent calls.
pub struct PiperVoice {
    session: Session,
    config: VoiceConfig,
}

impl std::fmt::Debug for PiperVoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PiperVoice")
            .field("rate", &self.config.rate)
            .field("espeak_voice", &self.config.espeak_voice)
            .finish_non_exhaustive()
    }
}

impl PiperVoice {
    /// Loads the voice `onnx` (its config is `onnx` + `.json`) with the ONNX Runtime library
    /// `ort_lib`, running inference on `threads` threads.
    pub fn load(onnx: &Path, ort_lib: &Path, threads: usize) -> Result<PiperVoice, TtsError> {
        if !onnx.is_file() {
            return Err(TtsError::Missing {
                what: "the Piper voice",
                path: onnx.to_owned(),
            });
        }
        let mut json = onnx.as_os_str().to_owned();
        json.push(".json");
        let config = VoiceConfig::read(Path::new(&json))?;
        let env = environment(ort_lib)?;
        let session = Session::builder(env)
            .map_err(runtime)?
            .with_intra_threads(threads.max(1))
            .map_err(runtime)?
            .commit_from_file(onnx)
            .map_err(runtime)?;
        Ok(PiperVoice { session, config })
    }

    /// How the voice is read (from its config unless [`set_scales`](Self::set_scales)).
    pub fn scales(&self) -> Scales {
        self.config.scales
    }

    /// Reads the voice with `scales` from now on. Noise scales of 0 make synthesis
    /// deterministic (the same text gives the same samples).
    pub fn set_scales(&mut self, scales: Scales) {
        self.config.scales = scales;
    }

    /// The voice's sample rate.
    pub fn rate(&self) -> u32 {
        self.config.rate
    }

    /// The voice's phonemes for `sentence` (identifiers read digit by digit, see
    /// [`spoken`](super::text::spoken)): espeak-ng clause by clause, each followed by its
    /// punctuation, so commas pause and questions rise.
    pub fn phonemes(&self, sentence: &str) -> Result<String, TtsError> {
        let text = super::text::spoken(sentence);
        let clauses = espeak::phonemize(&self.config.espeak_voice, &text)?;
        let mut out = String::new();
        for c in clauses {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&c.phonemes);
            if let Some(t) = c.terminator {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// Synthesizes one sentence: 16-bit PCM at [`rate`](Self::rate), peak-normalised.
    /// Empty (or unpronounceable) text gives no samples.
    pub fn synthesize(&mut self, sentence: &str) -> Result<Vec<i16>, TtsError> {
        let phonemes = self.phonemes(sentence)?;
        if phonemes.trim().is_empty() {
            return Ok(Vec::new());
        }
        let ids = self.config.encode(&phonemes);
        let s = self.config.scales;
        let n = ids.len() as i64;
        let input = Tensor::from_array(([1usize, ids.len()], ids)).map_err(runtime)?;
        let lengths = Tensor::from_array(([1usize], vec![n])).map_err(runtime)?;
        let scales =
            Tensor::from_array(([3usize], vec![s.noise, s.length, s.noise_w])).map_err(runtime)?;
        let outputs = self
            .session
            .run(ort::inputs![
                "input" => input,
                "input_lengths" => lengths,
                "scales" => scales,
            ])
            .map_err(runtime)?;
        let (_, audio) = outputs["output"]
            .try_extract_tensor::<f32>()
            .map_err(runtime)?;
        Ok(to_pcm(audio))
    }
}

/// f32 audio to 16-bit PCM, scaled so the peak sits at 90 % of full scale (Piper's
/// normalisation), never amplifying near-silence by more than 100×.
fn to_pcm(audio: &[f32]) -> Vec<i16> {
    let peak = audio.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(0.01);
    let gain = 0.9 * 32_767.0 / peak;
    audio
        .iter()
        .map(|v| (v * gain).clamp(-32_768.0, 32_767.0) as i16)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn config() -> VoiceConfig {
        let dir = std::env::temp_dir().join(format!("voxgate-voice-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v.onnx.json");
        std::fs::write(
            &path,
            r#"{"audio":{"sample_rate":22050},"espeak":{"voice":"en-us"},
               "inference":{"noise_scale":0.5,"length_scale":1.1,"noise_w":0.7},
               "phoneme_id_map":{"_":[0],"^":[1],"$":[2]," ":[3],"h":[20],"ə":[59],",":[8]}}"#,
        )
        .unwrap();
        VoiceConfig::read(&path).unwrap()
    }

    #[test]
    fn ids_are_interspersed_with_the_pad_and_framed() {
        let c = config();
        assert_eq!(c.rate, 22_050);
        assert_eq!(c.scales.length, 1.1);
        assert_eq!(c.encode("hə, x"), [1, 0, 20, 0, 59, 0, 8, 0, 3, 0, 2]);
    }

    #[test]
    fn a_bad_config_names_the_problem() {
        let dir = std::env::temp_dir().join(format!("voxgate-voice-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v.onnx.json");
        std::fs::write(&path, r#"{"audio":{"sample_rate":22050}}"#).unwrap();
        let e = VoiceConfig::read(&path).unwrap_err().to_string();
        assert!(e.contains("espeak.voice"), "{e}");
        let e = PiperVoice::load(&dir.join("none.onnx"), Path::new("/x"), 1).unwrap_err();
        assert!(e.to_string().contains("voxgate models fetch"), "{e}");
    }

    #[test]
    fn pcm_is_peak_normalised() {
        let pcm = to_pcm(&[0.0, 0.25, -0.5]);
        assert_eq!(pcm, [0, 14_745, -29_490]);
        assert_eq!(to_pcm(&[0.0001]), [294]);
    }
}
