//! [`AgentCallLogic`]: the [`CallLogic`] of an agent call. Runs the caller's frames through the
//! shared listen stage ([`Listener`]: an utterance stream on the shared [`SttPool`]), feeds
//! barge-ins and finals to the
//! [`DialogEngine`], sends every caller and agent line to the transcript sink (masked
//! there), and plays what the engine says into the outgoing frames.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use super::engine::{DialogEngine, EngineOut};
use super::records::{CallTranscript, RecordSink};
use super::worker::AgentWorkers;
use super::{Responder, Voice, VoiceConfig, warm_cache};
use crate::privacy::stable_hash;
use crate::speech::listener::{Heard, Listener};
use crate::speech::stt::SttPool;
use crate::store::TranscriptMsg;
use crate::telephony::{CallAction, CallInfo, CallLogic, HangupCause, LogicFactory};

/// Agent lines in the transcript store begin with this (the table has no speaker column).
pub const AGENT_PREFIX: &str = "[agent] ";

/// The agent logic of one call.
pub struct AgentCallLogic {
    call_no: u64,
    listener: Listener,
    engine: DialogEngine,
    greeting: String,
    transcript: CallTranscript,
    hangup: bool,
}

impl std::fmt::Debug for AgentCallLogic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentCallLogic")
            .field("call_no", &self.call_no)
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

/// A factory of [`AgentCallLogic`]s: starts the agent workers and the record writer, and
/// renders the greeting and the acknowledgement once into the TTS cache.
pub fn factory(
    agent: Arc<dyn Responder>,
    pool: SttPool,
    voice: Arc<dyn Voice>,
    sink: mpsc::Sender<TranscriptMsg>,
    cfg: VoiceConfig,
) -> std::io::Result<LogicFactory> {
    let workers = AgentWorkers::start(Arc::clone(&agent), cfg.workers, cfg.queue)?;
    let records = RecordSink::start(&cfg.data_dir)?;
    let (greeting, ack) = (agent.greeting(), agent.acknowledgement());
    warm_cache(Arc::clone(&voice), vec![ack.clone(), greeting.clone()]);
    Ok(Arc::new(move |info: &CallInfo| -> Box<dyn CallLogic> {
        let now = Instant::now();
        let call_id_hash = stable_hash(info.call_id.expose());
        let listener = match Listener::new(info.call_no, info.ptime_ms, pool.clone()) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(call = info.call_no, error = %e, "no agent: answering silently");
                return Box::new(crate::telephony::logic::DemoLogic::new(info.call_no));
            }
        };
        let engine = DialogEngine::new(
            cfg.clone(),
            call_id_hash.clone(),
            Arc::clone(&voice),
            workers.clone(),
            records.clone(),
            &ack,
            now,
        );
        Box::new(AgentCallLogic {
            call_no: info.call_no,
            listener,
            engine,
            greeting: greeting.clone(),
            transcript: CallTranscript::new(info.call_no, call_id_hash.clone(), sink.clone(), now),
            hangup: false,
        })
    }))
}

impl AgentCallLogic {
    fn drain_heard(&mut self, now: Instant) {
        while let Some(heard) = self.listener.poll() {
            match heard {
                Heard::BargeIn { at } => self.engine.on_barge_in(at),
                Heard::Final {
                    transcript,
                    started,
                    ended,
                    decided,
                } => {
                    tracing::info!(
                        call = self.call_no,
                        words = transcript.words.len(),
                        latency_ms = now.saturating_duration_since(ended).as_millis() as u64,
                        "caller turn"
                    );
                    self.transcript
                        .line(started, ended, &transcript.text, false);
                    let eot = decided.unwrap_or(now);
                    self.engine.on_final(now, &transcript.text, ended, eot);
                }
            }
        }
    }

    fn drain_engine(&mut self, now: Instant) {
        while let Some(out) = self.engine.poll_out() {
            match out {
                EngineOut::Said(text) => self.transcript.line(now, now, &text, true),
                EngineOut::Hangup => self.hangup = true,
                // Only in flow mode, which this logic never sets.
                EngineOut::HandedOff(_) => {}
            }
        }
    }
}

impl CallLogic for AgentCallLogic {
    fn on_answer(&mut self, now: Instant) {
        let greeting = self.greeting.clone();
        self.engine.greet(&greeting);
        self.drain_engine(now);
    }

    fn on_caller_audio(&mut self, now: Instant, pcm_8k: &[i16]) {
        let (playing, finals_only) = (self.engine.playing(), self.engine.handed_off());
        self.listener.on_frame(now, pcm_8k, playing, finals_only);
        self.drain_heard(now);
    }

    fn on_dtmf(&mut self, _now: Instant, digit: char) {
        // Ignored by the agent; logged without its value (keys spell PINs).
        crate::telephony::logic::log_key(self.call_no, digit, "agent");
    }

    fn fill_outgoing(&mut self, now: Instant, pcm_8k: &mut [i16]) {
        self.engine.fill(now, pcm_8k);
        self.drain_engine(now);
    }

    fn poll_action(&mut self) -> Option<CallAction> {
        std::mem::take(&mut self.hangup).then_some(CallAction::Hangup)
    }

    fn on_end(&mut self, now: Instant, cause: HangupCause) {
        self.listener.finish(now);
        self.engine.end();
        self.drain_engine(now);
        tracing::info!(
            call = self.call_no,
            lines = self.transcript.lines(),
            cause = cause.as_str(),
            "agent call ended"
        );
    }
}
