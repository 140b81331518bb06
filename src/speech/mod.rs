//! Speech: what the caller's audio means for the conversation. So far the per-frame
//! acoustic features ([`features`]) and turn-taking ([`turn`]: speech start, barge-in, end
//! of turn); speech-to-text and text-to-speech join here. Everything in this module is
//! sans-IO with time as input; model inference will run off the call task.

pub mod features;
pub mod turn;

pub use features::{FrameAnalyzer, FrameFeatures};
pub use turn::{TurnConfig, TurnDetector, TurnEvent, is_complete_question};
