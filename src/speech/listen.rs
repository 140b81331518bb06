//! `calls.logic = "transcribe"`: a call logic that answers silently and transcribes what the
//! caller says. It runs an [`UtteranceStream`] on the caller's audio, submits its requests
//! to the shared [`SttPool`], polls the answers without waiting (`try_recv`, once a tick),
//! logs partials at debug level (digits hidden) and sends each final to the transcript sink (a channel to
//! the blocking store task; never SQLite on the call task). Finals still being recognized
//! when the call ends are handed to the sink, which waits for them. Hangs up on `#`.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use super::in_flight::{InFlight, WallClock};
use super::stream::{StreamConfig, StreamEvent, SttRequest, UtteranceStream};
use super::stt::{DecodeOptions, Priority, SttPool, Transcript};
use crate::privacy::{hide_digits, stable_hash};
use crate::store::{TranscriptMsg, TranscriptRecord};
use crate::telephony::{CallAction, CallInfo, CallLogic, HangupCause, LogicFactory};

/// A final being recognized: its number in the call and its span.
#[derive(Debug, Clone, Copy)]
struct FinalMeta {
    seq: u32,
    started: Instant,
    ended: Instant,
}

/// The transcribing logic of one call.
pub struct TranscribeLogic {
    call_no: u64,
    call_id_hash: String,
    stream: UtteranceStream,
    pool: SttPool,
    sink: mpsc::Sender<TranscriptMsg>,
    in_flight: InFlight<Option<FinalMeta>>,
    next_seq: u32,
    clock: WallClock,
    hangup: bool,
    /// Partials asked for, refused by a busy pool, and shown.
    partials: (u32, u32, u32),
}

impl std::fmt::Debug for TranscribeLogic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TranscribeLogic")
            .field("call_no", &self.call_no)
            .field("in_flight", &self.in_flight.len())
            .finish_non_exhaustive()
    }
}

/// A factory of [`TranscribeLogic`]s sharing `pool` and `sink`.
pub fn factory(pool: SttPool, sink: mpsc::Sender<TranscriptMsg>) -> LogicFactory {
    Arc::new(move |info: &CallInfo| -> Box<dyn CallLogic> {
        match UtteranceStream::new(StreamConfig::default(), info.ptime_ms) {
            Ok(stream) => Box::new(TranscribeLogic {
                call_no: info.call_no,
                call_id_hash: stable_hash(info.call_id.expose()),
                stream,
                pool: pool.clone(),
                sink: sink.clone(),
                in_flight: InFlight::default(),
                next_seq: 0,
                clock: WallClock::new(Instant::now()),
                hangup: false,
                partials: (0, 0, 0),
            }),
            Err(e) => {
                tracing::error!(call = info.call_no, error = %e, "no transcription: answering silently");
                Box::new(crate::telephony::logic::DemoLogic::new(info.call_no))
            }
        }
    })
}

impl TranscribeLogic {
    fn record(&self, meta: FinalMeta, t: Transcript) -> TranscriptRecord {
        TranscriptRecord {
            call_id_hash: self.call_id_hash.clone(),
            seq: meta.seq,
            started: self.clock.wall(meta.started),
            ended: self.clock.wall(meta.ended),
            text: t.text,
            language: t.language.or_else(|| Some("en".into())),
        }
    }

    /// Sends the stream's requests to the pool; a refusal is the request's answer.
    fn submit(&mut self, finals_only: bool) {
        while let Some(SttRequest {
            id,
            pcm16k,
            priority,
            span,
        }) = self.stream.poll_request()
        {
            if finals_only && priority == Priority::Partial {
                continue;
            }
            let meta = span.map(|(started, ended)| {
                self.next_seq += 1;
                FinalMeta {
                    seq: self.next_seq - 1,
                    started,
                    ended,
                }
            });
            if priority == Priority::Partial {
                self.partials.0 += 1;
            }
            match self.pool.submit(pcm16k, DecodeOptions::default(), priority) {
                Ok(rx) => self.in_flight.push(id, rx, meta),
                Err(e) => {
                    if priority == Priority::Final {
                        tracing::warn!(call = self.call_no, error = %e, "utterance not transcribed");
                    } else {
                        self.partials.1 += 1;
                    }
                    self.stream.on_result(id, Err(e));
                }
            }
        }
    }

    /// Hands every answer that came to the stream, without waiting.
    fn collect(&mut self) {
        for (id, answer, meta) in self.in_flight.take_ready() {
            match (meta, answer) {
                (Some(meta), Ok(t)) => {
                    self.store(meta, &t);
                    self.stream.on_result(id, Ok(t));
                }
                (_, answer) => self.stream.on_result(id, answer),
            }
        }
    }

    fn store(&self, meta: FinalMeta, t: &Transcript) {
        if t.text.trim().is_empty() {
            return;
        }
        let record = self.record(meta, t.clone());
        if self.sink.try_send(TranscriptMsg::Done(record)).is_err() {
            tracing::warn!(
                call = self.call_no,
                "transcript sink full: utterance dropped"
            );
        }
    }

    fn drain_events(&mut self, now: Instant) {
        while let Some(ev) = self.stream.poll_event() {
            match ev {
                StreamEvent::Partial { text, stable_words } => {
                    self.partials.2 += 1;
                    tracing::debug!(
                        call = self.call_no,
                        stable_words,
                        text = %hide_digits(&text),
                        "partial"
                    );
                }
                StreamEvent::Final {
                    transcript, ended, ..
                } => tracing::info!(
                    call = self.call_no,
                    words = transcript.words.len(),
                    latency_ms = now.saturating_duration_since(ended).as_millis() as u64,
                    decode_ms = transcript.decode_ms,
                    "final transcript"
                ),
                StreamEvent::Failed { error, .. } => {
                    tracing::warn!(call = self.call_no, %error, "utterance lost");
                }
                _ => {}
            }
        }
    }
}

impl CallLogic for TranscribeLogic {
    fn on_answer(&mut self, _now: Instant) {}

    fn on_caller_audio(&mut self, now: Instant, pcm_8k: &[i16]) {
        self.stream.on_frame(now, pcm_8k);
        self.submit(false);
        self.collect();
        self.drain_events(now);
    }

    fn on_dtmf(&mut self, _now: Instant, digit: char) {
        self.hangup |= digit == '#';
    }

    fn fill_outgoing(&mut self, _now: Instant, _pcm_8k: &mut [i16]) {}

    fn poll_action(&mut self) -> Option<CallAction> {
        std::mem::take(&mut self.hangup).then_some(CallAction::Hangup)
    }

    fn on_end(&mut self, now: Instant, _cause: HangupCause) {
        self.stream.finish(now);
        self.submit(true);
        self.collect();
        self.drain_events(now);
        let (asked, refused, shown) = self.partials;
        tracing::info!(
            call = self.call_no,
            utterances = self.next_seq,
            partials_asked = asked,
            partials_refused = refused,
            partials_shown = shown,
            "transcription ended"
        );
        for (_, rx, meta) in self.in_flight.take_all() {
            let Some(meta) = meta else { continue };
            let base = self.record(meta, Transcript::default());
            let wait = move || {
                let t = rx.blocking_recv().ok()?.ok()?;
                (!t.text.trim().is_empty()).then(|| TranscriptRecord {
                    text: t.text,
                    language: t.language.or(base.language.clone()),
                    ..base
                })
            };
            if self
                .sink
                .try_send(TranscriptMsg::Deferred(Box::new(wait)))
                .is_err()
            {
                tracing::warn!(
                    call = self.call_no,
                    "transcript sink full: utterance dropped"
                );
            }
        }
    }
}
