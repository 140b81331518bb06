//! The conversation side of an agent call, sans-IO with time as input: caller turns (final
//! transcripts) go in, the agent worker answers them, the answer's sentences are spoken in
//! order as they come, barge-in cancels the rest and the generation, a late answer gets a
//! short acknowledgement, and a handoff speaks its line, files the handoff record and gives
//! the call back to its flow ([`EngineOut::HandedOff`]). Owns the call's
//! [`Conversation`] (lent to one job at a time), its [`Playback`] and its turn records;
//! knows nothing of audio frames coming in, STT or the store.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::TryRecvError;
use std::time::{Instant, SystemTime};

use super::playback::{
    PlayEvent, Playback, Source, TAG_ACK, TAG_GREETING, TAG_HANDOFF, TAG_PROMPT, Tag,
};
use super::records::{HandoffRecord, Line, RecordSink, TurnRecord};
use super::worker::{AgentWorkers, JobHandle, WorkerMsg};
use super::{RATE, Voice, VoiceConfig};
use crate::dialog::{Conversation, HandoffReason};
use crate::privacy::{Carry, mask_numbers, mask_utterance};
use crate::speech::tts::TtsChunk;

/// What the engine asks of its call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngineOut {
    /// voxgate said this (for the transcript store).
    Said(String),
    /// The agent handed the call off and said its line: the flow decides what happens next.
    HandedOff(HandoffReason),
}

/// Where the call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Talking with the agent.
    Conversing,
    /// Speaking the handoff line.
    HandingOff(HandoffReason),
    /// Handed back to the flow after a handoff.
    Handed,
}

/// The acknowledgement's audio, made at the start of the call.
#[derive(Debug)]
enum Ack {
    Rendering(tokio::sync::mpsc::Receiver<TtsChunk>, Vec<i16>),
    Ready(Arc<[i16]>),
    Unavailable,
}

/// The caller turn being answered.
#[derive(Debug)]
struct Turn {
    job: Option<JobHandle>,
    speech_end: Instant,
    record: TurnRecord,
    sentences: u32,
    done: bool,
    cancelled: bool,
    ack_played: bool,
    /// When the agent got the turn.
    started: Instant,
}

/// A caller turn waiting for the conversation to come back from the worker.
#[derive(Debug)]
struct Waiting {
    text: String,
    speech_end: Instant,
    end_of_turn: Instant,
    stt_final: Instant,
}

/// The conversation engine of one call.
pub struct DialogEngine {
    cfg: VoiceConfig,
    call_id_hash: String,
    voice: Arc<dyn Voice>,
    workers: AgentWorkers,
    records: RecordSink,
    conv: Option<Conversation>,
    turn: Option<Turn>,
    waiting: Option<Waiting>,
    next_turn: u32,
    playback: Playback,
    ack: Ack,
    phase: Phase,
    lines: Vec<Line>,
    /// The digits the caller's last line ended with (a number cut into utterances).
    carry: Carry,
    out: std::collections::VecDeque<EngineOut>,
    anchor: (Instant, SystemTime),
    /// Turns the flow's agent node still allows (`max_turns`), when it sets a limit.
    turns_left: Option<u32>,
    /// The caller has been upset for `emotion.upset_turns` turns: the next turn hands off.
    upset: bool,
}

impl std::fmt::Debug for DialogEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DialogEngine")
            .field("phase", &self.phase)
            .field("turns", &self.next_turn)
            .finish_non_exhaustive()
    }
}

fn ms(from: Instant, to: Instant) -> f64 {
    to.saturating_duration_since(from).as_secs_f64() * 1000.0
}

impl DialogEngine {
    /// The engine of one call; `acknowledgement` is rendered at once (from the TTS cache
    /// after the first call).
    pub fn new(
        cfg: VoiceConfig,
        call_id_hash: String,
        voice: Arc<dyn Voice>,
        workers: AgentWorkers,
        records: RecordSink,
        acknowledgement: &str,
        now: Instant,
    ) -> DialogEngine {
        let ack = match voice.speak(acknowledgement, RATE) {
            Ok(rx) => Ack::Rendering(rx, Vec::new()),
            Err(e) => {
                tracing::warn!(error = %e, "no acknowledgement for this call");
                Ack::Unavailable
            }
        };
        DialogEngine {
            cfg,
            call_id_hash,
            voice,
            workers,
            records,
            conv: Some(Conversation::new()),
            turn: None,
            waiting: None,
            next_turn: 0,
            playback: Playback::new(),
            ack,
            phase: Phase::Conversing,
            lines: Vec::new(),
            carry: Carry::default(),
            out: std::collections::VecDeque::new(),
            anchor: (now, SystemTime::now()),
            turns_left: None,
            upset: false,
        }
    }

    /// Whether voxgate is speaking (or about to): caller speech then is a barge-in.
    pub fn playing(&self) -> bool {
        self.playback.busy()
    }

    /// Greets (the caller may talk over it: that is a turn).
    pub fn greet(&mut self, text: &str) {
        self.say(text, TAG_GREETING, false);
    }

    /// Talks with the caller (a flow's agent node, also after a handoff), answering at most
    /// `max_turns` turns before handing off as `too_many_turns`.
    pub fn resume(&mut self, max_turns: Option<u32>) {
        if self.phase == Phase::Handed {
            self.phase = Phase::Conversing;
        }
        self.turns_left = max_turns;
    }

    /// Whether the caller has been upset for long enough that their next turn goes to a
    /// person (reason `upset`); set before each [`on_final`](Self::on_final).
    pub fn set_caller_upset(&mut self, upset: bool) {
        self.upset = upset;
    }

    /// Says a flow's prompt (after what is playing).
    pub fn say_prompt(&mut self, text: &str) {
        self.say(text, TAG_PROMPT, false);
    }

    /// Plays audio already made (a flow's prompt file, a tone) after what is playing.
    pub fn play_prompt(&mut self, pcm: Arc<[i16]>) {
        self.playback.push(Source::Pcm(pcm), TAG_PROMPT, false);
    }

    /// Stops speaking at once (the caller answered a flow's prompt).
    pub fn stop_speaking(&mut self) {
        self.playback.stop();
    }

    /// Notes a caller's line heard outside the conversation (at a flow's menu) for the
    /// handoff record.
    pub fn note_caller(&mut self, text: &str) {
        if !text.trim().is_empty() {
            self.lines.push(Line {
                who: "caller",
                text: mask_utterance(text.trim(), &mut self.carry),
            });
        }
    }

    /// The caller spoke over voxgate: stop at once and cancel the generation.
    pub fn on_barge_in(&mut self, now: Instant) {
        if self.phase != Phase::Conversing || !self.playback.busy() {
            return;
        }
        self.playback.stop();
        if let Some(turn) = &mut self.turn {
            turn.record.barged_in = true;
            cancel(turn);
        }
        tracing::debug!(at_ms = ms(self.anchor.0, now), "barge-in: playback stopped");
    }

    /// A final transcript of the caller's turn: speech ended at `speech_end`, the turn
    /// detector decided at `end_of_turn`, the text came back at `now`.
    pub fn on_final(
        &mut self,
        now: Instant,
        text: &str,
        speech_end: Instant,
        end_of_turn: Instant,
    ) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.lines.push(Line {
            who: "caller",
            text: mask_utterance(text, &mut self.carry),
        });
        if self.phase != Phase::Conversing {
            return;
        }
        // A new turn replaces one still being answered (the caller said more).
        if let Some(turn) = &mut self.turn
            && (!turn.done || self.playback.has(turn.record.turn))
        {
            self.playback.stop();
            cancel(turn);
        }
        let text = match self.waiting.take() {
            Some(w) => format!("{} {text}", w.text),
            None => text.to_owned(),
        };
        self.waiting = Some(Waiting {
            text,
            speech_end,
            end_of_turn,
            stt_final: now,
        });
        self.start_waiting(now);
    }

    /// Submits the waiting turn once the conversation is back.
    fn start_waiting(&mut self, now: Instant) {
        if self.conv.is_none() || self.waiting.is_none() {
            return;
        }
        self.close_turn();
        let (Some(w), Some(mut conv)) = (self.waiting.take(), self.conv.take()) else {
            return;
        };
        conv.set_over_budget(self.turns_left == Some(0));
        conv.set_upset(self.upset);
        self.turns_left = self.turns_left.map(|n| n.saturating_sub(1));
        let no = self.next_turn;
        self.next_turn += 1;
        let mut record = TurnRecord {
            call_id_hash: self.call_id_hash.clone(),
            turn: no,
            speech_end_unix_ms: self.unix_ms(w.speech_end),
            end_of_turn_ms: Some(ms(w.speech_end, w.end_of_turn)),
            stt_final_ms: Some(ms(w.speech_end, w.stt_final)),
            ..TurnRecord::default()
        };
        let job = match self.workers.submit(conv, &w.text) {
            Ok(job) => Some(job),
            Err((conv, e)) => {
                tracing::warn!(error = %e, "agent unavailable: handing off");
                self.conv = Some(conv);
                record.handoff = Some(HandoffReason::LlmUnavailable.as_str());
                self.hand_off(HandoffReason::LlmUnavailable, None);
                None
            }
        };
        let done = job.is_none();
        self.turn = Some(Turn {
            job,
            speech_end: w.speech_end,
            record,
            sentences: 0,
            done,
            cancelled: false,
            ack_played: false,
            started: now,
        });
    }

    /// Everything that happens on a tick: answers in, acknowledgement, hold, then the frame.
    pub fn fill(&mut self, now: Instant, pcm_8k: &mut [i16]) {
        self.poll_ack();
        self.poll_job(now);
        self.start_waiting(now);
        self.check_deadline(now);
        self.maybe_ack(now);
        self.playback.poll(now);
        self.playback.fill(now, pcm_8k);
        while let Some(ev) = self.playback.poll_event() {
            self.on_play_event(ev);
        }
        self.advance_phase(now);
        if self
            .turn
            .as_ref()
            .is_some_and(|t| t.done && !self.playback.has(t.record.turn))
        {
            self.close_turn();
        }
    }

    /// The next thing for the call to do.
    pub fn poll_out(&mut self) -> Option<EngineOut> {
        self.out.pop_front()
    }

    /// The call is over: the turn in flight is cancelled and recorded.
    pub fn end(&mut self) {
        if let Some(turn) = &mut self.turn {
            cancel(turn);
        }
        self.playback.stop();
        self.close_turn();
    }

    fn poll_ack(&mut self) {
        let Ack::Rendering(rx, pcm) = &mut self.ack else {
            return;
        };
        loop {
            match rx.try_recv() {
                Ok(TtsChunk::Audio(a)) => pcm.extend_from_slice(&a),
                Ok(TtsChunk::Done) => {
                    self.ack = Ack::Ready(Arc::from(std::mem::take(pcm)));
                    return;
                }
                Ok(TtsChunk::Failed(_))
                | Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => {
                    self.ack = Ack::Unavailable;
                    return;
                }
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => return,
            }
        }
    }

    fn poll_job(&mut self, now: Instant) {
        loop {
            let Some(turn) = &mut self.turn else { return };
            let Some(job) = &turn.job else { return };
            let msg = match job.rx.try_recv() {
                Ok(m) => m,
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    tracing::error!("the agent worker lost a turn");
                    turn.job = None;
                    turn.done = true;
                    self.conv.get_or_insert_with(Conversation::new);
                    return;
                }
            };
            match msg {
                WorkerMsg::Sentence(s) => self.on_sentence(now, &s),
                WorkerMsg::Done {
                    conv,
                    answer,
                    started,
                } => {
                    self.conv = Some(conv);
                    let base = turn.speech_end;
                    let at = |d: f64| ms(base, started) + d;
                    let t = answer.timings;
                    turn.record.retrieval_ms = Some(at(t.retrieval_ms));
                    turn.record.llm_first_token_ms = t.llm_first_token_ms.map(at);
                    turn.record.agent_done_ms = Some(ms(base, now));
                    turn.record.sources = answer.sources.clone();
                    turn.record.handoff = answer.handoff.map(HandoffReason::as_str);
                    turn.job = None;
                    turn.done = true;
                    let (cancelled, spoke) = (turn.cancelled, turn.sentences > 0);
                    let tag = turn.record.turn;
                    if cancelled {
                        return;
                    }
                    let text = (!spoke && !answer.text.trim().is_empty()).then_some(answer.text);
                    match answer.handoff {
                        Some(reason) => {
                            let line = if spoke {
                                Some((String::new(), tag))
                            } else {
                                text.map(|t| (t, tag))
                            };
                            self.hand_off(reason, line);
                        }
                        None => {
                            if let Some(text) = text {
                                self.say(&text, tag, false);
                            }
                        }
                    }
                    return;
                }
            }
        }
    }

    fn on_sentence(&mut self, now: Instant, s: &str) {
        let Some(turn) = &mut self.turn else { return };
        if turn.cancelled || s.trim().is_empty() {
            return;
        }
        turn.sentences += 1;
        if turn.record.first_sentence_ms.is_none() {
            turn.record.first_sentence_ms = Some(ms(turn.speech_end, now));
        }
        let (tag, gap) = (turn.record.turn, turn.sentences > 1);
        self.say(s, tag, gap);
    }

    /// Speaks `text` (queued after what is playing) and notes it in the transcript.
    fn say(&mut self, text: &str, tag: Tag, gap: bool) {
        self.lines.push(Line {
            who: "agent",
            text: mask_numbers(text),
        });
        self.out.push_back(EngineOut::Said(text.to_owned()));
        match self.voice.speak(text, RATE) {
            Ok(rx) => self.playback.push(Source::Tts(rx), tag, gap),
            Err(e) => tracing::warn!(error = %e, "a sentence was not spoken"),
        }
    }

    /// Starts handing off: speaks `line` unless the answer's sentences already said it
    /// (`Some(("", tag))`), or the configured line when there is none.
    fn hand_off(&mut self, reason: HandoffReason, line: Option<(String, Tag)>) {
        match line {
            Some((text, _)) if text.is_empty() => {}
            Some((text, tag)) => self.say(&text, tag, false),
            None => {
                let text = self.cfg.handoff_line.clone();
                self.say(&text, TAG_HANDOFF, false);
            }
        }
        tracing::info!(reason = reason.as_str(), "handing the call to a person");
        self.phase = Phase::HandingOff(reason);
    }

    /// A turn whose first sentence has not come `answer_timeout` after the agent got it (a
    /// slow model) is given up: the caller is told and handed to a person, never left waiting.
    fn check_deadline(&mut self, now: Instant) {
        if self.phase != Phase::Conversing {
            return;
        }
        let Some(turn) = &mut self.turn else { return };
        if turn.done || turn.cancelled || turn.sentences > 0 {
            return;
        }
        if now < turn.started + self.cfg.answer_timeout {
            return;
        }
        tracing::warn!(
            after_ms = ms(turn.started, now),
            "the agent did not answer in time: handing off"
        );
        cancel(turn);
        turn.record.handoff = Some(HandoffReason::LlmUnavailable.as_str());
        let tag = turn.record.turn;
        self.playback.stop();
        self.hand_off(
            HandoffReason::LlmUnavailable,
            Some((String::from(TOO_SLOW_LINE), tag)),
        );
    }

    fn maybe_ack(&mut self, now: Instant) {
        if self.phase != Phase::Conversing {
            return;
        }
        let Ack::Ready(pcm) = &self.ack else { return };
        let Some(turn) = &mut self.turn else { return };
        if turn.ack_played
            || turn.cancelled
            || turn.record.tts_first_audio_ms.is_some()
            || now < turn.speech_end + self.cfg.ack_after
            // Only while the agent itself is working on it: not in front of an answer that
            // is about to come (a quote, a guardrail's handoff line).
            || now < turn.started + self.cfg.ack_agent_grace
            || turn.sentences > 0
            || turn.done
        {
            return;
        }
        turn.ack_played = true;
        self.playback
            .push_next(Source::Pcm(Arc::clone(pcm)), TAG_ACK);
    }

    fn on_play_event(&mut self, ev: PlayEvent) {
        let Some(turn) = &mut self.turn else { return };
        let no = turn.record.turn;
        let base = turn.speech_end;
        match ev {
            PlayEvent::AudioReady(tag, at) if tag == no => {
                turn.record.tts_first_audio_ms = Some(ms(base, at));
            }
            PlayEvent::Started(tag, at) if tag == no => {
                turn.record.first_packet_ms = Some(ms(base, at));
            }
            PlayEvent::Started(TAG_ACK, at) => turn.record.ack_packet_ms = Some(ms(base, at)),
            _ => {}
        }
    }

    fn advance_phase(&mut self, now: Instant) {
        match self.phase {
            Phase::HandingOff(reason) if !self.playback.busy() => {
                let record = HandoffRecord {
                    call_id_hash: self.call_id_hash.clone(),
                    reason: reason.as_str(),
                    transcript: self.lines.clone(),
                    at_unix_ms: self.unix_ms(now),
                };
                self.records.handoff(&record);
                self.phase = Phase::Handed;
                self.out.push_back(EngineOut::HandedOff(reason));
            }
            _ => {}
        }
    }

    /// Writes the current turn's record (once).
    fn close_turn(&mut self) {
        if let Some(turn) = self.turn.take() {
            if let Some(job) = turn.job {
                // Still generating: cancelled; its conversation comes back on the channel,
                // which is gone now, so the call starts a fresh memory.
                job.cancel.store(true, Ordering::Relaxed);
                self.conv.get_or_insert_with(Conversation::new);
            }
            self.records.turn(&turn.record);
        }
    }

    fn unix_ms(&self, t: Instant) -> i64 {
        let (i0, s0) = self.anchor;
        let wall = match t.checked_duration_since(i0) {
            Some(d) => s0 + d,
            None => s0 - i0.duration_since(t),
        };
        crate::store::to_ms(wall)
    }
}

/// What the caller hears when the agent gives up on a slow answer.
const TOO_SLOW_LINE: &str =
    "I'm sorry, this is taking me too long. I'm connecting you with a colleague who can help.";

fn cancel(turn: &mut Turn) {
    turn.cancelled = true;
    if let Some(job) = &turn.job {
        job.cancel.store(true, Ordering::Relaxed);
    }
}
