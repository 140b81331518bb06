//! Text → IPA phonemes with the system's libespeak-ng (Debian `libespeak-ng1`, data in
//! `espeak-ng-data`), the phonemizer Piper voices were trained with. This crate owns the
//! FFI and nothing else: three C functions, called under one process-wide lock because
//! libespeak-ng keeps global state.
//!
//! [`phonemize`] splits the text at clause boundaries the way espeak does (`,` `;` `:` `.`
//! `?` `!`) and reports each clause's phonemes together with the punctuation that ended
//! it, which espeak's own output drops but a voice needs for prosody.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::sync::Mutex;

#[link(name = "espeak-ng")]
unsafe extern "C" {
    fn espeak_Initialize(
        output: c_int,
        buflength: c_int,
        path: *const c_char,
        options: c_int,
    ) -> c_int;
    fn espeak_SetVoiceByName(name: *const c_char) -> c_int;
    fn espeak_TextToPhonemes(
        textptr: *mut *const c_void,
        textmode: c_int,
        phonememode: c_int,
    ) -> *const c_char;
}

/// `AUDIO_OUTPUT_SYNCHRONOUS`: no audio thread is started.
const AUDIO_OUTPUT_SYNCHRONOUS: c_int = 2;
/// `espeakINITIALIZE_DONT_EXIT`: report errors instead of exiting the process.
const INITIALIZE_DONT_EXIT: c_int = 0x8000;
const CHARS_UTF8: c_int = 1;
const PHONEMES_IPA: c_int = 0x02;
/// Longest text accepted in one call (bytes).
pub const MAX_TEXT: usize = 64 * 1024;

/// Why phonemization failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EspeakError {
    /// libespeak-ng could not start (its data directory is missing).
    #[error(
        "espeak-ng could not initialise: install espeak-ng-data (apt-get install espeak-ng-data)"
    )]
    Init,
    /// The voice is unknown to espeak-ng.
    #[error("espeak-ng has no voice {0:?}")]
    Voice(String),
    /// The text holds a NUL byte or is longer than [`MAX_TEXT`].
    #[error("text not accepted: {0}")]
    Text(&'static str),
}

/// One clause: its phonemes (IPA with stress marks, words separated by spaces) and the
/// punctuation that ended it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// IPA phonemes.
    pub phonemes: String,
    /// `,` `;` `:` `.` `?` or `!`, when the clause ended with one.
    pub terminator: Option<char>,
}

struct Engine {
    voice: Option<String>,
}

static ENGINE: Mutex<Option<Engine>> = Mutex::new(None);

/// Phonemizes `text` with espeak-ng voice `voice` (for example `en-us`), clause by clause.
pub fn phonemize(voice: &str, text: &str) -> Result<Vec<Clause>, EspeakError> {
    if text.len() > MAX_TEXT {
        return Err(EspeakError::Text("longer than 64 KiB"));
    }
    if text.contains('\0') {
        return Err(EspeakError::Text("contains a NUL byte"));
    }
    let c_voice = CString::new(voice).map_err(|_| EspeakError::Voice(voice.to_owned()))?;
    let mut guard = ENGINE.lock().unwrap_or_else(|p| p.into_inner());
    let engine = match guard.as_mut() {
        Some(e) => e,
        None => guard.insert(init()?),
    };
    if engine.voice.as_deref() != Some(voice) {
        // SAFETY: c_voice is a valid NUL-terminated string for the duration of the call,
        // and the engine lock serialises every call into libespeak-ng.
        let rc = unsafe { espeak_SetVoiceByName(c_voice.as_ptr()) };
        if rc != 0 {
            engine.voice = None;
            return Err(EspeakError::Voice(voice.to_owned()));
        }
        engine.voice = Some(voice.to_owned());
    }
    Ok(clauses(text))
}

fn init() -> Result<Engine, EspeakError> {
    // SAFETY: a null path selects the default data directory; no callback is installed.
    let rate = unsafe {
        espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS,
            0,
            std::ptr::null(),
            INITIALIZE_DONT_EXIT,
        )
    };
    if rate <= 0 {
        return Err(EspeakError::Init);
    }
    Ok(Engine { voice: None })
}

/// Splits `text` into clauses at `,` `;` `:` `.` `?` `!` followed by white space or the
/// end (so "3.5" and "1,000" stay whole), and phonemizes each (the engine lock is held).
fn clauses(text: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.trim().is_empty() {
        let (clause, terminator, next) = split_clause(rest);
        let phonemes = clause_phonemes(clause);
        if !phonemes.is_empty() {
            out.push(Clause {
                phonemes,
                terminator,
            });
        }
        rest = next;
    }
    out
}

/// The first clause of `text`, its terminator and the text after it.
fn split_clause(text: &str) -> (&str, Option<char>, &str) {
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if matches!(c, ',' | ';' | ':' | '.' | '?' | '!') {
            let at_end = it.peek().is_none_or(|(_, n)| n.is_whitespace());
            if at_end {
                let after = i + c.len_utf8();
                return (&text[..i], Some(c), &text[after..]);
            }
        }
    }
    (text, None, "")
}

/// The phonemes of one clause: espeak_TextToPhonemes until it has consumed the text.
fn clause_phonemes(clause: &str) -> String {
    let Ok(c_text) = CString::new(clause) else {
        return String::new();
    };
    let mut ptr: *const c_void = c_text.as_ptr().cast();
    let mut phonemes = String::new();
    // Each call consumes at least one word; the bound guards against a library that
    // would not advance.
    for _ in 0..=clause.len() {
        if ptr.is_null() {
            break;
        }
        // SAFETY: ptr points into c_text, NUL-terminated and alive for this function;
        // libespeak-ng advances it within the string or sets it to null at the end, and
        // returns a NUL-terminated string valid until its next call, copied at once.
        let ph = unsafe { espeak_TextToPhonemes(&mut ptr, CHARS_UTF8, PHONEMES_IPA) };
        if !ph.is_null() {
            // SAFETY: see above.
            let part = unsafe { CStr::from_ptr(ph) }.to_string_lossy();
            let part = part.trim();
            if !part.is_empty() {
                if !phonemes.is_empty() {
                    phonemes.push(' ');
                }
                phonemes.push_str(part);
            }
        }
    }
    phonemes
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn clauses_keep_their_punctuation() {
        let c = phonemize("en-us", "Hello, world. Where is my order? Thanks!").unwrap();
        let terms: Vec<_> = c.iter().map(|c| c.terminator).collect();
        assert_eq!(terms, [Some(','), Some('.'), Some('?'), Some('!')], "{c:?}");
        assert!(c[0].phonemes.contains("h"), "{c:?}");
        assert!(c[2].phonemes.contains('ˈ'), "stress marks expected: {c:?}");
    }

    #[test]
    fn text_without_final_punctuation_and_empty_text() {
        let c = phonemize("en-us", "order status").unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].terminator, None);
        assert!(phonemize("en-us", "").unwrap().is_empty());
        assert!(phonemize("en-us", "   ").unwrap().is_empty());
        let c = phonemize("en-us", "It costs 3.50 dollars, or 1,000 cents.").unwrap();
        assert_eq!(c.len(), 2, "{c:?}");
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(
            phonemize("en-us", "a\0b").unwrap_err(),
            EspeakError::Text("contains a NUL byte")
        );
        assert!(matches!(
            phonemize("no-such-voice-xx", "hello"),
            Err(EspeakError::Voice(_))
        ));
        // A failed voice change leaves the engine usable.
        assert_eq!(phonemize("en-us", "yes").unwrap().len(), 1);
    }
}
