//! Speech-to-text with Whisper (whisper.cpp through whisper-rs): [`engine`] decodes one
//! piece of 16 kHz audio, sized to the utterance; [`pool`] is the bounded set of workers
//! every call shares; [`wer`] measures them (word error rate after a documented
//! normalisation).

pub mod engine;
pub mod pool;
pub mod wer;

pub use engine::{
    DecodeOptions, Language, Recognizer, STT_RATE, SttError, SttModel, Transcript, Word,
};
pub use pool::{Priority, SttPool};
