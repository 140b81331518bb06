//! The AI agent's side of a call, used by the flows' `agent` node
//! ([`crate::calls::flow_logic`] feeds it what the shared listen stage heard): it hands each
//! final transcript to the agent worker ([`worker`]: std threads, bounded queue, the call's
//! memory moved in and back) and speaks the answer's sentences in order as they come
//! ([`playback`] over the shared [`TtsService`]). Barge-in stops playback at once and cancels
//! the generation; a late answer gets a short acknowledgement; a handoff speaks its line,
//! files a record and gives the call back to the flow ([`engine`], sans-IO). Per-turn timings
//! and handoffs go to JSON-lines files ([`records`]); caller and agent lines go to the
//! transcript store, masked ([`CallTranscript`]). The call task never waits: every channel is
//! polled with `try_recv`.
//!
//! Owns the call-side wiring only: what the agent answers is `dialog::Agent`'s business.

pub mod engine;
pub mod playback;
pub mod records;
pub mod worker;

#[cfg(test)]
mod tests;

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use engine::{DialogEngine, EngineOut};
pub use records::{
    AGENT_PREFIX, CallTranscript, HANDOFFS_FILE, HUMAN_PREFIX, HandoffRecord, RecordSink,
    TURNS_FILE, TurnRecord,
};
pub use worker::{AgentWorkers, JobHandle, WorkerError, WorkerMsg};

use crate::dialog::{Agent, Answer, Conversation};
use crate::speech::tts::{TtsChunk, TtsError, TtsService};

/// The telephone rate everything here speaks at.
pub const RATE: u32 = 8000;

/// How an agent call behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceConfig {
    /// Where `agent_turns.jsonl` and `handoffs.jsonl` go.
    pub data_dir: PathBuf,
    /// Play the acknowledgement when no answer audio has started this long after the end of
    /// the caller's speech.
    pub ack_after: Duration,
    /// …and only once the agent has worked on the turn this long (a quick answer needs none).
    pub ack_agent_grace: Duration,
    /// Hand off when the first sentence has not come this long after the agent got the turn.
    pub answer_timeout: Duration,
    /// Said when the agent cannot be reached and gave no line of its own.
    pub handoff_line: String,
    /// Agent worker threads and waiting turns.
    pub workers: usize,
    /// Turns that may wait for a worker.
    pub queue: usize,
}

impl VoiceConfig {
    /// The defaults, writing records under `data_dir`.
    pub fn new(data_dir: PathBuf) -> VoiceConfig {
        VoiceConfig {
            data_dir,
            ack_after: Duration::from_millis(700),
            ack_agent_grace: Duration::from_millis(500),
            answer_timeout: Duration::from_secs(10),
            handoff_line: String::from(
                "I'm sorry, I can't help with that right now. Let me connect you with a person. Please hold.",
            ),
            workers: 1,
            queue: 16,
        }
    }
}

/// What answers a caller turn: [`Agent`] in production, a fake in tests.
pub trait Responder: Send + Sync + 'static {
    /// Said when the call is answered.
    fn greeting(&self) -> String;
    /// Said when the answer is late.
    fn acknowledgement(&self) -> String;
    /// One caller turn (blocking; see [`Agent::respond`]).
    fn respond(
        &self,
        conv: &mut Conversation,
        caller_text: &str,
        on_sentence: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Answer;
}

impl Responder for Agent {
    fn greeting(&self) -> String {
        Agent::greeting(self).to_string()
    }
    fn acknowledgement(&self) -> String {
        Agent::acknowledgement(self).to_string()
    }
    fn respond(
        &self,
        conv: &mut Conversation,
        caller_text: &str,
        on_sentence: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Answer {
        Agent::respond(self, conv, caller_text, on_sentence)
    }
}

/// What speaks: [`TtsService`] in production, a fake in tests.
pub trait Voice: Send + Sync + 'static {
    /// `text` at `rate` Hz, streaming (see [`TtsService::speak`]); dropping the receiver
    /// cancels.
    fn speak(
        &self,
        text: &str,
        rate: u32,
    ) -> Result<tokio::sync::mpsc::Receiver<TtsChunk>, TtsError>;
}

impl Voice for TtsService {
    fn speak(
        &self,
        text: &str,
        rate: u32,
    ) -> Result<tokio::sync::mpsc::Receiver<TtsChunk>, TtsError> {
        TtsService::speak(self, text, rate)
    }
}

/// Makes `texts` once so they are in the TTS cache before the first call needs them
/// (a thread that waits for each reply to finish).
pub fn warm_cache(voice: Arc<dyn Voice>, texts: Vec<String>) {
    let spawned = std::thread::Builder::new()
        .name("tts-warm".into())
        .spawn(move || {
            for t in texts {
                if let Ok(mut rx) = voice.speak(&t, RATE) {
                    while let Some(c) = rx.blocking_recv() {
                        if !matches!(c, TtsChunk::Audio(_)) {
                            break;
                        }
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "prompts not pre-rendered");
    }
}
