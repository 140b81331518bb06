//! One Whisper model (whisper.cpp through whisper-rs) and recognizers over it: 16 kHz mono
//! audio in, the text with word timings out. Decoding is sized to the utterance: the
//! encoder runs over the audio there is (plus a margin), not a padded 30 s window, which is
//! what makes a short utterance fast. A model is shared; each recognizer owns its own
//! whisper state (one per inference thread of the pool).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

/// Samples per second the recognizer takes.
pub const STT_RATE: u32 = 16_000;
/// Audio shorter than this is padded with silence (whisper needs about a second).
const MIN_SAMPLES: usize = STT_RATE as usize * 11 / 10;
/// Encoder positions per second of audio (whisper: 50), and the margin of silence kept
/// beyond them. The margin matters: measured on the WER set with tiny.en, 64 or 100
/// positions let the decoder loop on repetitions (WER 46 %), 175 gave 7.5 %, 200 and 256
/// gave 4.0 % (the full 30 s window: 3.6 %, at 5× the time).
const CTX_PER_SEC: usize = 50;
const CTX_MARGIN: usize = 256;
/// Tokens allowed per second of audio (and a floor): a guard against runaway repetition,
/// well above speech (about 4 tokens per second).
const TOKENS_PER_SEC: usize = 12;
const TOKENS_MIN: usize = 32;
/// Whisper's full window in encoder positions (30 s).
const CTX_FULL: usize = 1500;

/// Why speech-to-text failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SttError {
    /// The model file is missing.
    #[error("speech model not found at {0}: run `voxgate models fetch`")]
    Missing(PathBuf),
    /// whisper.cpp refused the model or the audio.
    #[error("whisper: {0}")]
    Whisper(String),
    /// The model cannot do the requested language (tiny.en is English only).
    #[error("model {model} speaks English only; use the multilingual base model for {language:?}")]
    Language {
        /// The model's name.
        model: String,
        /// The language asked for.
        language: String,
    },
    /// The inference pool is full: try again later (partials are dropped, finals wait).
    #[error("speech-to-text is busy ({0} requests queued)")]
    Busy(usize),
    /// The pool has shut down.
    #[error("speech-to-text has stopped")]
    Stopped,
}

fn whisper(e: impl std::fmt::Display) -> SttError {
    SttError::Whisper(e.to_string())
}

/// The language to recognize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Language {
    /// A fixed language code (`en`, `zh`, `de`…).
    Code(String),
    /// Detect it (multilingual models only).
    Auto,
}

impl Language {
    /// `auto` or a language code.
    pub fn parse(s: &str) -> Language {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Language::Auto,
            code => Language::Code(code.to_owned()),
        }
    }
}

/// How to decode one piece of audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// The language.
    pub language: Language,
    /// Threads of this inference.
    pub threads: usize,
    /// Text that came before (the previous turn): context for names and spelling.
    pub prompt: Option<String>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            language: Language::Code("en".into()),
            threads: 1,
            prompt: None,
        }
    }
}

/// One recognized word and when it was said (ms from the start of the audio).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The word as written, without surrounding spaces.
    pub text: String,
    /// Start.
    pub start_ms: u32,
    /// End.
    pub end_ms: u32,
    /// Mean token probability.
    pub probability: f32,
}

/// What was said in one piece of audio.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transcript {
    /// The text, trimmed.
    pub text: String,
    /// Its words with timings.
    pub words: Vec<Word>,
    /// The language decoded (detected, when asked to).
    pub language: Option<String>,
    /// Whisper's probability that there was no speech at all.
    pub no_speech: f32,
    /// The audio's length.
    pub audio_ms: u32,
    /// Time spent decoding.
    pub decode_ms: u32,
}

/// A loaded Whisper model, shared by every recognizer.
pub struct SttModel {
    ctx: WhisperContext,
    name: String,
    multilingual: bool,
}

impl std::fmt::Debug for SttModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SttModel")
            .field("name", &self.name)
            .field("multilingual", &self.multilingual)
            .finish_non_exhaustive()
    }
}

impl SttModel {
    /// Loads the ggml model at `path`.
    pub fn load(path: &Path) -> Result<Arc<SttModel>, SttError> {
        if !path.is_file() {
            return Err(SttError::Missing(path.to_owned()));
        }
        whisper_rs::install_logging_hooks();
        let ctx = WhisperContext::new_with_params(path, WhisperContextParameters::default())
            .map_err(whisper)?;
        let multilingual = ctx.is_multilingual();
        let name = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        Ok(Arc::new(SttModel {
            ctx,
            name,
            multilingual,
        }))
    }

    /// Whether it knows languages other than English.
    pub fn is_multilingual(&self) -> bool {
        self.multilingual
    }

    /// A recognizer (its own decoding state) over this model.
    pub fn recognizer(self: &Arc<Self>) -> Result<Recognizer, SttError> {
        let state = self.ctx.create_state().map_err(whisper)?;
        Ok(Recognizer {
            model: Arc::clone(self),
            state,
        })
    }
}

/// Decodes audio with one model; one decode at a time.
pub struct Recognizer {
    model: Arc<SttModel>,
    state: whisper_rs::WhisperState,
}

impl std::fmt::Debug for Recognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recognizer")
            .field("model", &self.model.name)
            .finish_non_exhaustive()
    }
}

impl Recognizer {
    /// Transcribes `pcm` (16 kHz mono, −1..1). Empty audio gives an empty transcript.
    pub fn transcribe(
        &mut self,
        pcm: &[f32],
        opts: &DecodeOptions,
    ) -> Result<Transcript, SttError> {
        let audio_ms = u32::try_from(pcm.len() as u64 * 1000 / u64::from(STT_RATE)).unwrap_or(0);
        if pcm.is_empty() {
            return Ok(Transcript::default());
        }
        let language = self.language(&opts.language)?;
        let started = Instant::now();
        let mut padded;
        let audio = if pcm.len() < MIN_SAMPLES {
            padded = pcm.to_vec();
            padded.resize(MIN_SAMPLES, 0.0);
            &padded[..]
        } else {
            pcm
        };
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(i32::try_from(opts.threads.max(1)).unwrap_or(1));
        params.set_language(Some(language));
        params.set_audio_ctx(audio_ctx(audio.len()));
        params.set_max_tokens(max_tokens(audio.len()));
        params.set_no_context(true);
        params.set_single_segment(audio.len() <= 30 * STT_RATE as usize);
        params.set_token_timestamps(true);
        params.set_suppress_blank(true);
        params.set_suppress_nst(true);
        // No temperature fallback: a low-entropy run of tokens (a card number read as
        // "4111 1111 1111 1111") made whisper.cpp re-decode by sampling at rising
        // temperatures, taking five times as long and returning random words. One greedy
        // pass is deterministic and bounded; decoding loops are collapsed in `collect`.
        params.set_temperature_inc(0.0);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        if let Some(p) = opts.prompt.as_deref().filter(|p| !p.is_empty()) {
            params.set_initial_prompt(p);
        }
        self.state.full(params, audio).map_err(whisper)?;
        let mut t = self.collect();
        t.audio_ms = audio_ms;
        t.decode_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
        t.language = if language == "auto" {
            whisper_rs::get_lang_str(self.state.full_lang_id_from_state()).map(str::to_owned)
        } else {
            Some(language.to_owned())
        };
        Ok(t)
    }

    /// The language code to pass to whisper (`auto` to detect).
    fn language<'a>(&self, lang: &'a Language) -> Result<&'a str, SttError> {
        let code = match lang {
            Language::Auto if self.model.multilingual => "auto",
            Language::Auto => "en",
            Language::Code(c) => c.as_str(),
        };
        if !self.model.multilingual && code != "en" {
            return Err(SttError::Language {
                model: self.model.name.clone(),
                language: code.to_owned(),
            });
        }
        Ok(code)
    }

    /// Text, words and the no-speech probability of the decoded segments.
    fn collect(&self) -> Transcript {
        let eot = self.model.ctx.token_eot();
        let mut words: Vec<Word> = Vec::new();
        let mut no_speech = 0.0f32;
        let mut probs: Vec<f32> = Vec::new();
        for segment in self.state.as_iter() {
            no_speech = no_speech.max(segment.no_speech_probability());
            for i in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(i) else {
                    continue;
                };
                let data = token.token_data();
                if data.id >= eot {
                    continue; // special tokens: timestamps, end of text, language
                }
                let Ok(piece) = token.to_str_lossy() else {
                    continue;
                };
                let (t0, t1) = (centis_to_ms(data.t0), centis_to_ms(data.t1));
                let starts_word = piece.starts_with(' ') || words.is_empty();
                match words.last_mut() {
                    Some(w) if !starts_word => {
                        w.text.push_str(&piece);
                        w.end_ms = w.end_ms.max(t1);
                        probs.push(data.p);
                    }
                    _ => {
                        close_word(&mut words, &mut probs);
                        words.push(Word {
                            text: piece.trim_start().to_owned(),
                            start_ms: t0,
                            end_ms: t1,
                            probability: 0.0,
                        });
                        probs.push(data.p);
                    }
                }
            }
        }
        close_word(&mut words, &mut probs);
        words.retain(|w| !w.text.trim().is_empty());
        collapse_repeats(&mut words);
        let text = words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Transcript {
            text: text.trim().to_owned(),
            words,
            no_speech,
            ..Transcript::default()
        }
    }
}

/// Words that must repeat, in a row, for a repetition to be a decoding loop.
const MIN_REPEAT_WORDS: usize = 3;

/// Removes immediate repetitions of a run of at least [`MIN_REPEAT_WORDS`] words ("I want
/// a person. I want a person."): Whisper's decoding loops, which real speech almost never
/// produces. Words compare without case and punctuation; the first occurrence stays. Runs
/// of numbers are kept: callers do read "one two three one two three" as an account number.
fn collapse_repeats(words: &mut Vec<Word>) {
    let key = |w: &Word| {
        w.text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let mut keys: Vec<String> = words.iter().map(key).collect();
    let mut i = 0;
    while i < keys.len() {
        let longest = (keys.len() - i) / 2;
        let run = (MIN_REPEAT_WORDS..=longest).rev().find(|&n| {
            keys[i..i + n] == keys[i + n..i + 2 * n] && !keys[i..i + n].iter().all(|k| is_number(k))
        });
        match run {
            Some(n) => {
                words.drain(i + n..i + 2 * n);
                keys.drain(i + n..i + 2 * n);
            }
            None => i += 1,
        }
    }
}

/// Whether a (normalised) word is a number: digits, or a number word.
fn is_number(key: &str) -> bool {
    const WORDS: [&str; 24] = [
        "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "eleven", "twelve", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
        "eighty", "ninety", "hundred", "thousand",
    ];
    key.chars().all(|c| c.is_ascii_digit()) || WORDS.contains(&key)
}

/// Sets the last word's probability to the mean of its tokens'.
fn close_word(words: &mut [Word], probs: &mut Vec<f32>) {
    if let Some(w) = words.last_mut()
        && !probs.is_empty()
    {
        w.probability = probs.iter().sum::<f32>() / probs.len() as f32;
    }
    probs.clear();
}

/// Whisper timestamps (10 ms units) to ms.
fn centis_to_ms(t: i64) -> u32 {
    u32::try_from(t.max(0).saturating_mul(10)).unwrap_or(u32::MAX)
}

/// The most tokens to decode from `samples` of audio.
fn max_tokens(samples: usize) -> i32 {
    let n = samples * TOKENS_PER_SEC / STT_RATE as usize + TOKENS_MIN;
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Encoder positions for `samples` of audio: its length plus a margin, at most 30 s.
fn audio_ctx(samples: usize) -> i32 {
    let ctx = samples * CTX_PER_SEC / STT_RATE as usize + CTX_MARGIN;
    i32::try_from(ctx.min(CTX_FULL)).unwrap_or(1500)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_encoder_window_follows_the_audio() {
        assert_eq!(audio_ctx(16_000), 306);
        assert_eq!(audio_ctx(48_000), 406);
        assert_eq!(max_tokens(48_000), 68);
        assert_eq!(audio_ctx(16_000 * 60), 1500);
    }

    fn words(text: &str) -> Vec<Word> {
        text.split_whitespace()
            .map(|t| Word {
                text: t.to_owned(),
                start_ms: 0,
                end_ms: 0,
                probability: 1.0,
            })
            .collect()
    }

    fn joined(w: &[Word]) -> String {
        w.iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn decoding_loops_are_collapsed_and_real_repeats_kept() {
        let mut w = words("I would like a person. Please. I would like a person. Please.");
        collapse_repeats(&mut w);
        assert_eq!(joined(&w), "I would like a person. Please.");
        let mut w = words(
            "thank you for your patience thank you for your patience thank you for your patience",
        );
        collapse_repeats(&mut w);
        assert_eq!(joined(&w), "thank you for your patience");
        let mut w = words("no, no, no I said no no");
        collapse_repeats(&mut w);
        assert_eq!(joined(&w), "no, no, no I said no no");
        let mut w = words("press one two three one two three four");
        collapse_repeats(&mut w);
        assert_eq!(joined(&w), "press one two three one two three four");
    }

    #[test]
    fn languages_parse() {
        assert_eq!(Language::parse("AUTO"), Language::Auto);
        assert_eq!(Language::parse(""), Language::Auto);
        assert_eq!(Language::parse("zh"), Language::Code("zh".into()));
    }

    #[test]
    fn a_missing_model_names_the_fetch_command() {
        let e = SttModel::load(Path::new("/nonexistent/ggml.bin")).unwrap_err();
        assert!(e.to_string().contains("voxgate models fetch"), "{e}");
    }
}
