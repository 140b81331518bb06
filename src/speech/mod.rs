//! Speech: what the caller's audio means for the conversation, and voxgate's own voice.
//! The per-frame acoustic features ([`features`]), how an utterance was said ([`prosody`]:
//! pitch, loudness, rate, arousal against the caller's baseline), turn-taking ([`turn`]:
//! speech start, barge-in, end of turn), speech-to-text ([`stt`]), streaming it per call ([`stream`]) and
//! text-to-speech ([`tts`]). Everything in this module is sans-IO with time as input, except
//! [`listener`], the listen stage every call shares (a stream on the shared pool); model
//! inference runs off the call task.

pub mod features;
pub mod in_flight;
pub mod listener;
pub mod prosody;
pub mod stream;
pub mod stt;
pub mod tts;
pub mod turn;

pub use features::{FrameAnalyzer, FrameFeatures};
pub use turn::{TurnConfig, TurnDetector, TurnEvent, is_complete_question};
