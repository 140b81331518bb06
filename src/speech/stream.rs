//! Streaming speech-to-text for one call, sans-IO: the caller's 8 kHz frames go in with
//! `now`; out come recognition requests ([`SttRequest`], polled) and, once their results
//! are handed back with [`UtteranceStream::on_result`], partial and final transcripts
//! ([`StreamEvent`]). A [`FrameAnalyzer`] and [`TurnDetector`] inside find the utterances;
//! the audio is kept at 16 kHz with a pre-roll from before the detector confirmed speech.
//! Whoever owns the stream owns the recognizer (the shared pool): this module never blocks,
//! spawns or waits.
//!
//! Partials are asked for every `partial_every` of new speech while none is in flight; the
//! words two successive partials agree on form the stable prefix (LocalAgreement-2). The
//! final, asked for at the end of the turn, replaces them.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::features::FrameAnalyzer;
use super::prosody::{ProsodyTracker, UtteranceProsody};
use super::stt::{Priority, STT_RATE, SttError, Transcript};
use super::turn::{TurnConfig, TurnDetector, TurnEvent};
use crate::media::FrameResampler;

/// How the stream cuts and previews utterances.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamConfig {
    /// Audio kept from before speech was confirmed (the detector needs ~100 ms to decide).
    pub pre_roll: Duration,
    /// New speech after which another partial is asked for.
    pub partial_every: Duration,
    /// Audio kept after the last speech frame in a final.
    pub tail: Duration,
    /// The longest utterance kept (the buffer is preallocated to this).
    pub max_utterance: Duration,
    /// Turn-taking.
    pub turn: TurnConfig,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            pre_roll: Duration::from_millis(400),
            partial_every: Duration::from_millis(600),
            tail: Duration::from_millis(250),
            max_utterance: Duration::from_secs(30),
            turn: TurnConfig::default(),
        }
    }
}

/// Audio to recognize; answer with [`UtteranceStream::on_result`] and the same `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct SttRequest {
    /// Names the request.
    pub id: u64,
    /// 16 kHz mono audio, −1..1.
    pub pcm16k: Vec<f32>,
    /// Partial (may be refused when busy) or final.
    pub priority: Priority,
    /// A final's utterance: when its speech began and ended.
    pub span: Option<(Instant, Instant)>,
}

/// What the stream reports.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StreamEvent {
    /// The caller started speaking.
    SpeechStarted {
        /// When.
        at: Instant,
    },
    /// The caller spoke over voxgate's playback.
    BargeIn {
        /// When it was decided.
        at: Instant,
    },
    /// A preview of the utterance so far.
    Partial {
        /// The text.
        text: String,
        /// How many leading words the last two partials agree on.
        stable_words: usize,
    },
    /// The utterance's transcript.
    Final {
        /// What was said.
        transcript: Transcript,
        /// When the speech began.
        started: Instant,
        /// When it ended.
        ended: Instant,
        /// How it was said (pitch, loudness, pace), when enough of it was voiced.
        prosody: Option<UtteranceProsody>,
    },
    /// The final could not be recognized.
    Failed {
        /// Why.
        error: String,
        /// When the speech began.
        started: Instant,
        /// When it ended.
        ended: Instant,
    },
}

/// The utterance being collected.
#[derive(Debug, Clone, Copy)]
struct Open {
    /// The utterance's number.
    seq: u64,
    /// When sample 0 of the buffer was heard.
    t0: Instant,
    /// Buffer length when the last partial was asked for.
    partial_at: usize,
}

/// A request whose answer has not come back.
#[derive(Debug, Clone, Copy)]
enum Pending {
    Partial {
        seq: u64,
    },
    Final {
        started: Instant,
        ended: Instant,
        prosody: Option<UtteranceProsody>,
    },
}

/// Streaming recognition of one call's caller audio. Feed every frame with
/// [`on_frame`](Self::on_frame), then drain [`poll_request`](Self::poll_request) and
/// [`poll_event`](Self::poll_event).
pub struct UtteranceStream {
    cfg: StreamConfig,
    analyzer: FrameAnalyzer,
    /// How the open utterance is said, frame by frame.
    prosody: ProsodyTracker,
    turn: TurnDetector,
    resampler: FrameResampler,
    frame_dur: Duration,
    scratch: Vec<i16>,
    pre_roll: VecDeque<i16>,
    pre_roll_cap: usize,
    utterance: Vec<i16>,
    utterance_cap: usize,
    open: Option<Open>,
    next_seq: u64,
    next_id: u64,
    pending: Vec<(u64, Pending)>,
    partial_in_flight: bool,
    last_partial: Vec<String>,
    requests: VecDeque<SttRequest>,
    events: VecDeque<StreamEvent>,
}

impl std::fmt::Debug for UtteranceStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UtteranceStream")
            .field("open", &self.open)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

/// 16 kHz samples in `d`.
fn samples(d: Duration) -> usize {
    usize::try_from(d.as_millis()).unwrap_or(usize::MAX / 32) * (STT_RATE as usize / 1000)
}

/// The duration of `n` 16 kHz samples.
fn duration_of(n: usize) -> Duration {
    Duration::from_micros(u64::try_from(n).unwrap_or(u64::MAX / 1000) * 1_000_000 / 16_000)
}

impl UtteranceStream {
    /// A stream for frames of `ptime_ms` at 8 kHz.
    pub fn new(
        cfg: StreamConfig,
        ptime_ms: u32,
    ) -> Result<UtteranceStream, crate::media::ResampleError> {
        let frame = 8 * ptime_ms.max(1) as usize;
        let resampler = FrameResampler::new(8000, STT_RATE, frame)?;
        let pre_roll_cap = samples(cfg.pre_roll);
        let utterance_cap = pre_roll_cap + samples(cfg.max_utterance) + samples(cfg.tail);
        Ok(UtteranceStream {
            analyzer: FrameAnalyzer::new(8000, frame),
            prosody: ProsodyTracker::new(ptime_ms),
            turn: TurnDetector::new(cfg.turn.clone()),
            scratch: vec![0; resampler.output_len_for(frame) + 64],
            resampler,
            frame_dur: Duration::from_millis(u64::from(ptime_ms.max(1))),
            pre_roll: VecDeque::with_capacity(pre_roll_cap),
            pre_roll_cap,
            utterance: Vec::with_capacity(utterance_cap),
            utterance_cap,
            open: None,
            next_seq: 0,
            next_id: 0,
            pending: Vec::with_capacity(8),
            partial_in_flight: false,
            last_partial: Vec::new(),
            requests: VecDeque::with_capacity(4),
            events: VecDeque::with_capacity(8),
            cfg,
        })
    }

    /// Whether voxgate is playing to the caller (speech then is a barge-in).
    pub fn set_playing(&mut self, playing: bool) {
        self.turn.set_playing(playing);
    }

    /// Whether the caller is speaking now.
    pub fn in_turn(&self) -> bool {
        self.open.is_some()
    }

    /// Requests not answered yet.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// One frame of caller audio that started at `now`.
    pub fn on_frame(&mut self, now: Instant, pcm_8k: &[i16]) {
        let features = self.analyzer.analyse(pcm_8k);
        self.turn.push(now, self.frame_dur, &features);
        let n = self
            .resampler
            .process(pcm_8k, &mut self.scratch)
            .unwrap_or(0);
        if self.open.is_some() {
            let room = self.utterance_cap - self.utterance.len();
            self.utterance
                .extend_from_slice(&self.scratch[..n.min(room)]);
        } else {
            for &s in &self.scratch[..n] {
                if self.pre_roll.len() == self.pre_roll_cap {
                    self.pre_roll.pop_front();
                }
                self.pre_roll.push_back(s);
            }
        }
        let end = now + self.frame_dur;
        while let Some(ev) = self.turn.poll_event() {
            self.on_turn(end, ev);
        }
        if self.open.is_some() {
            self.prosody.push(&features);
        }
        self.maybe_partial();
    }

    /// The caller hung up: a turn still open is finalized as it is.
    pub fn finish(&mut self, now: Instant) {
        if let Some(open) = self.open {
            let ended = now.max(open.t0);
            self.close(ended, ended);
        }
    }

    /// The answer to request `id`.
    pub fn on_result(&mut self, id: u64, result: Result<Transcript, SttError>) {
        let Some(i) = self.pending.iter().position(|(p, _)| *p == id) else {
            return;
        };
        match (self.pending.swap_remove(i).1, result) {
            (Pending::Partial { seq }, Ok(t)) => {
                self.partial_in_flight = false;
                if self.open.is_some_and(|o| o.seq == seq) {
                    self.partial(t.text);
                }
            }
            (Pending::Partial { .. }, Err(_)) => self.partial_in_flight = false,
            (
                Pending::Final {
                    started,
                    ended,
                    prosody,
                },
                Ok(transcript),
            ) => {
                let prosody = prosody.map(|p| p.with_words(transcript.words.len()));
                self.events.push_back(StreamEvent::Final {
                    transcript,
                    started,
                    ended,
                    prosody,
                });
            }
            (Pending::Final { started, ended, .. }, Err(e)) => {
                self.events.push_back(StreamEvent::Failed {
                    error: e.to_string(),
                    started,
                    ended,
                });
            }
        }
    }

    /// The next request to send to the recognizer.
    pub fn poll_request(&mut self) -> Option<SttRequest> {
        self.requests.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<StreamEvent> {
        self.events.pop_front()
    }

    fn on_turn(&mut self, end: Instant, ev: TurnEvent) {
        match ev {
            TurnEvent::SpeechStarted { at } => {
                self.utterance.clear();
                self.utterance.extend(self.pre_roll.drain(..));
                let t0 = end
                    .checked_sub(duration_of(self.utterance.len()))
                    .unwrap_or(at);
                self.open = Some(Open {
                    seq: self.next_seq,
                    t0,
                    partial_at: 0,
                });
                self.next_seq += 1;
                self.last_partial.clear();
                self.prosody.clear();
                self.events.push_back(StreamEvent::SpeechStarted { at });
            }
            TurnEvent::BargeIn { at } => self.events.push_back(StreamEvent::BargeIn { at }),
            TurnEvent::EndOfTurn { started, ended, .. } => self.close(started, ended),
            TurnEvent::Noise { .. } => {}
        }
    }

    /// Ends the open utterance at `ended` and asks for its final.
    fn close(&mut self, started: Instant, ended: Instant) {
        let Some(open) = self.open.take() else {
            return;
        };
        let keep = samples(ended.saturating_duration_since(open.t0) + self.cfg.tail);
        let keep = keep.min(self.utterance.len());
        let pcm = to_f32(&self.utterance[..keep]);
        self.utterance.clear();
        let prosody = self.prosody.finish(None);
        self.request(
            pcm,
            Priority::Final,
            Pending::Final {
                started,
                ended,
                prosody,
            },
        );
    }

    /// Asks for a partial when enough new speech came and none is in flight.
    fn maybe_partial(&mut self) {
        let Some(open) = self.open else {
            return;
        };
        let every = samples(self.cfg.partial_every);
        if self.partial_in_flight || self.utterance.len() < open.partial_at + every {
            return;
        }
        self.open = Some(Open {
            partial_at: self.utterance.len(),
            ..open
        });
        self.partial_in_flight = true;
        let pcm = to_f32(&self.utterance);
        self.request(pcm, Priority::Partial, Pending::Partial { seq: open.seq });
    }

    fn request(&mut self, pcm16k: Vec<f32>, priority: Priority, what: Pending) {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.push((id, what));
        let span = match what {
            Pending::Final { started, ended, .. } => Some((started, ended)),
            Pending::Partial { .. } => None,
        };
        self.requests.push_back(SttRequest {
            id,
            pcm16k,
            priority,
            span,
        });
    }

    /// A partial's text: its stable prefix against the previous one, and a hint for the
    /// turn detector.
    fn partial(&mut self, text: String) {
        let words: Vec<String> = text.split_whitespace().map(word_key).collect();
        let stable_words = agreed_prefix(&self.last_partial, &words);
        self.last_partial = words;
        self.turn.hint_words(&text);
        self.events
            .push_back(StreamEvent::Partial { text, stable_words });
    }
}

/// A word as compared between partials: lower case, without punctuation.
fn word_key(w: &str) -> String {
    w.chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'')
        .flat_map(char::to_lowercase)
        .collect()
}

/// How many leading words `a` and `b` share (LocalAgreement-2).
pub fn agreed_prefix(a: &[String], b: &[String]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn to_f32(pcm: &[i16]) -> Vec<f32> {
    pcm.iter().map(|&s| f32::from(s) / 32_768.0).collect()
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
