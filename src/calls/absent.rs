//! Stand-ins for what a gateway did not start because none of its flows uses it: a voice
//! that says nothing and an agent that hands every turn off. Flows activated later that need
//! them are refused by the API (`Needs`), so these are only reached by a defect; they fail
//! safe (silence, a handoff) and say so in the log.

use std::ops::ControlFlow;

use crate::dialog::voice::{Responder, Voice};
use crate::dialog::{Answer, Conversation, HandoffReason, TurnTimings};
use crate::speech::tts::{TtsChunk, TtsError};

/// No voice: every `speak` fails.
#[derive(Debug, Clone, Copy)]
pub struct NoVoice;

impl Voice for NoVoice {
    fn speak(
        &self,
        _text: &str,
        _rate: u32,
    ) -> Result<tokio::sync::mpsc::Receiver<TtsChunk>, TtsError> {
        Err(TtsError::Runtime(
            "this gateway started without the voice (no flow said anything)".into(),
        ))
    }
}

/// No agent: every turn is handed off as `llm_unavailable`.
#[derive(Debug, Clone, Copy)]
pub struct NoAgent;

impl Responder for NoAgent {
    fn greeting(&self) -> String {
        String::new()
    }
    fn acknowledgement(&self) -> String {
        String::new()
    }
    fn respond(
        &self,
        _conv: &mut Conversation,
        _caller_text: &str,
        _on_sentence: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Answer {
        tracing::warn!("a turn reached an agent this gateway did not start: handing off");
        Answer {
            text: String::new(),
            handoff: Some(HandoffReason::LlmUnavailable),
            sources: Vec::new(),
            timings: TurnTimings::default(),
        }
    }
}
