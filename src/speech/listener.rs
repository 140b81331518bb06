//! The listen stage every call logic that hears the caller shares: the caller's frames
//! through an [`UtteranceStream`], its requests to the shared [`SttPool`] (answers collected
//! without waiting), and what was heard out as [`Heard`] events: barge-ins, partial
//! transcripts of the utterance in progress (when asked for) and final transcripts with the
//! instant the end of the turn was decided.

use std::time::Instant;

use super::in_flight::{InFlight, Reply};
use super::prosody::UtteranceProsody;
use super::stream::{StreamConfig, StreamEvent, SttRequest, UtteranceStream};
use super::stt::{DecodeOptions, Priority, SttPool, Transcript};
use crate::media::ResampleError;
use crate::privacy::hide_digits;

/// What the listener heard.
#[derive(Debug, Clone)]
pub enum Heard {
    /// The caller began speaking while voxgate was speaking.
    BargeIn {
        /// When.
        at: Instant,
    },
    /// The utterance in progress so far (asked for every 600 ms of new speech unless
    /// `finals_only`; refused by a busy pool, so some never come).
    Partial {
        /// The words so far.
        text: String,
        /// How many leading words the last two partials agree on.
        stable_words: usize,
    },
    /// The caller's turn, recognized.
    Final {
        /// What was said.
        transcript: Transcript,
        /// When the speech began.
        started: Instant,
        /// When it ended.
        ended: Instant,
        /// When the end of the turn was decided (the final was asked for), when known.
        decided: Option<Instant>,
        /// How it was said, when enough of it was voiced.
        prosody: Option<UtteranceProsody>,
    },
}

/// A final the pool was still recognizing when the call ended: its answer and span.
#[derive(Debug)]
pub struct Unfinished {
    /// The pool's answer, to wait for off the call task.
    pub reply: Reply,
    /// When the speech began.
    pub started: Instant,
    /// When it ended.
    pub ended: Instant,
}

/// A final in flight: when it was asked for, and the speech's span.
#[derive(Debug, Clone, Copy)]
struct FinalTag {
    decided: Instant,
    span: Option<(Instant, Instant)>,
}

/// The listen stage of one call.
pub struct Listener {
    call_no: u64,
    stream: UtteranceStream,
    pool: SttPool,
    /// Requests in flight; a final's tag is when it was asked for and its span.
    in_flight: InFlight<Option<FinalTag>>,
    /// When the last final that came back was asked for.
    decided: Option<Instant>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("call_no", &self.call_no)
            .field("in_flight", &self.in_flight.len())
            .finish_non_exhaustive()
    }
}

impl Listener {
    /// The listener of call `call_no`, whose frames are `ptime_ms` long.
    pub fn new(call_no: u64, ptime_ms: u32, pool: SttPool) -> Result<Listener, ResampleError> {
        Ok(Listener {
            call_no,
            stream: UtteranceStream::new(StreamConfig::default(), ptime_ms)?,
            pool,
            in_flight: InFlight::default(),
            decided: None,
        })
    }

    /// One frame of the caller; `playing` says whether voxgate is speaking (speech then is a
    /// barge-in), `finals_only` skips partial transcripts (nobody reads them).
    pub fn on_frame(&mut self, now: Instant, pcm_8k: &[i16], playing: bool, finals_only: bool) {
        self.stream.set_playing(playing);
        self.stream.on_frame(now, pcm_8k);
        self.submit(now, finals_only);
        self.collect();
    }

    fn collect(&mut self) {
        for (id, answer, tag) in self.in_flight.take_ready() {
            self.decided = self.decided.or(tag.map(|t| t.decided));
            self.stream.on_result(id, answer);
        }
    }

    /// The next thing heard.
    pub fn poll(&mut self) -> Option<Heard> {
        while let Some(ev) = self.stream.poll_event() {
            match ev {
                StreamEvent::BargeIn { at } => return Some(Heard::BargeIn { at }),
                StreamEvent::Partial { text, stable_words } => {
                    tracing::debug!(
                        call = self.call_no,
                        stable_words,
                        text = %hide_digits(&text),
                        "partial"
                    );
                    return Some(Heard::Partial { text, stable_words });
                }
                StreamEvent::Final {
                    transcript,
                    started,
                    ended,
                    prosody,
                } => {
                    let decided = self.decided.take();
                    tracing::info!(
                        call = self.call_no,
                        words = transcript.words.len(),
                        latency_ms = decided
                            .map_or(0, |d| d.saturating_duration_since(ended).as_millis() as u64),
                        decode_ms = transcript.decode_ms,
                        "final transcript"
                    );
                    return Some(Heard::Final {
                        transcript,
                        started,
                        ended,
                        decided,
                        prosody,
                    });
                }
                StreamEvent::Failed { error, .. } => {
                    tracing::warn!(call = self.call_no, %error, "caller turn lost");
                }
                _ => {}
            }
        }
        None
    }

    /// The call ended: the utterance in progress is closed and sent for recognition; what
    /// has come back is heard (`poll`), and the finals still being recognized are returned
    /// for the transcript store to wait for.
    pub fn finish(&mut self, now: Instant) -> Vec<Unfinished> {
        self.stream.finish(now);
        self.submit(now, true);
        self.collect();
        self.in_flight
            .take_all()
            .into_iter()
            .filter_map(|(_, reply, tag)| {
                let (started, ended) = tag?.span?;
                Some(Unfinished {
                    reply,
                    started,
                    ended,
                })
            })
            .collect()
    }

    /// Sends the stream's requests to the pool; a refusal is the request's answer.
    fn submit(&mut self, now: Instant, finals_only: bool) {
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
            let tag = (priority == Priority::Final).then_some(FinalTag { decided: now, span });
            match self.pool.submit(pcm16k, DecodeOptions::default(), priority) {
                Ok(rx) => self.in_flight.push(id, rx, tag),
                Err(e) => {
                    if priority == Priority::Final {
                        tracing::warn!(call = self.call_no, error = %e, "utterance not transcribed");
                    }
                    self.stream.on_result(id, Err(e));
                }
            }
        }
    }
}
