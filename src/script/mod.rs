//! The built-in call script until the IVR flow engine exists: answer, play a greeting, collect
//! DTMF digits, read them back on `#`, say goodbye and ask for the hang-up.
//!
//! Owns: the script's states and timers (time is an input; nothing here reads a clock), a
//! [`PromptPlayer`] for what the caller hears, and the call's [`Recorder`] feed (caller frame
//! left, what voxgate sends right). Must not touch: sockets, RTP, SIP, the store. Sans-IO: the
//! call task drives it with the five operations of its `CallLogic` seam and nothing else is
//! required besides `on_end` (which the seam's trait also has); [`DigitScript::poll_event`] and
//! [`DigitScript::finish`] are optional extras for logging and the call record. Per-tick operations do not allocate.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::media::{PlayerEvent, PromptPlayer, PromptSet, Recorder, RecordingInfo};

/// Limits of the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptConfig {
    /// Silence allowed between digits (and after the greeting) before reading back.
    pub inter_digit_timeout: Duration,
    /// Longest time from answer to the end of digit collection.
    pub collect_timeout: Duration,
    /// Longest call from answer: the hang-up is requested then whatever is playing.
    pub max_call: Duration,
    /// Digits collected before the read-back starts on its own.
    pub max_digits: usize,
    /// Silence after "Goodbye." before the hang-up, so the caller's jitter buffer plays
    /// out the end of the word before the BYE tears the stream down.
    pub hangup_tail: Duration,
}

impl Default for ScriptConfig {
    fn default() -> Self {
        Self {
            inter_digit_timeout: Duration::from_secs(10),
            collect_timeout: Duration::from_secs(60),
            max_call: Duration::from_secs(120),
            max_digits: 20,
            hangup_tail: Duration::from_millis(400),
        }
    }
}

/// What the script asks the call task to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScriptAction {
    /// End the call (send BYE); the reason is for the call record.
    Hangup(HangupReason),
}

/// Why the script ended the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HangupReason {
    /// The caller pressed `#` (or reached the digit cap) and heard the read-back.
    Completed,
    /// No digit for `inter_digit_timeout`.
    InterDigitTimeout,
    /// Collection took longer than `collect_timeout`.
    CollectTimeout,
    /// The call reached `max_call`.
    MaxCallDuration,
}

/// What happened, for logs and tests (bounded queue; oldest dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScriptEvent {
    /// A prompt started playing.
    PromptStarted(Arc<str>),
    /// A prompt played to its end.
    PromptFinished(Arc<str>),
    /// A prompt was cut by the caller (barge-in).
    PromptCut(Arc<str>),
    /// A digit was collected (personal data when digits are PINs or account numbers: the
    /// runtime decides whether to log it).
    Digit(char),
    /// A key arrived when it is not collected (during the read-back, A–D, past the cap).
    KeyIgnored(char),
    /// Recording stopped after a write error; the call goes on.
    RecordingFailed,
    /// The script asked for the hang-up.
    Hangup(HangupReason),
}

/// The states, named after what each waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not answered yet: silence, nothing recorded.
    ExpectAnswer,
    /// Greeting and digits; `quiet_since` is when the caller last did something or a prompt
    /// last played (the inter-digit timer runs from there).
    ExpectDigits {
        answered: Instant,
        quiet_since: Instant,
    },
    /// Reading back / saying goodbye; hang up when the player is done.
    ExpectReadBackEnd {
        answered: Instant,
        reason: HangupReason,
    },
    /// The last prompt has been handed out: silence until `until`, then the hang-up.
    ExpectTailEnd {
        answered: Instant,
        reason: HangupReason,
        until: Instant,
    },
    /// Hang-up requested; silence until the call task ends the call.
    Done,
}

/// What the script leaves for the call record.
#[derive(Debug)]
pub struct ScriptSummary {
    /// The digits collected.
    pub digits: String,
    /// Why the script hung up, if it did.
    pub hangup: Option<HangupReason>,
    /// The finished recording, if there was one and it closed cleanly.
    pub recording: Option<RecordingInfo>,
}

const MAX_EVENTS: usize = 128;
/// Caller audio buffered between two outgoing ticks (four 30 ms frames).
const CALLER_BUF: usize = 960;

/// The built-in DTMF read-back script (see the module docs).
pub struct DigitScript {
    config: ScriptConfig,
    prompts: PromptSet,
    player: PromptPlayer,
    recorder: Option<Recorder>,
    /// The closed recording, after `on_end`.
    recording: Option<RecordingInfo>,
    state: State,
    digits: String,
    hangup: Option<HangupReason>,
    caller: Vec<i16>,
    actions: VecDeque<ScriptAction>,
    events: VecDeque<ScriptEvent>,
}

impl std::fmt::Debug for DigitScript {
    /// Digits can be account numbers or PINs: only their count is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigitScript")
            .field("state", &self.state)
            .field("digits", &self.digits.len())
            .field("playing", &self.player.is_playing())
            .field("recorder", &self.recorder)
            .finish_non_exhaustive()
    }
}

impl DigitScript {
    /// A script that speaks `prompts` and records into `recorder` (if any).
    pub fn new(prompts: PromptSet, config: ScriptConfig, recorder: Option<Recorder>) -> Self {
        Self {
            digits: String::with_capacity(config.max_digits),
            config,
            prompts,
            player: PromptPlayer::new(),
            recorder,
            recording: None,
            state: State::ExpectAnswer,
            hangup: None,
            caller: Vec::with_capacity(CALLER_BUF),
            actions: VecDeque::with_capacity(2),
            events: VecDeque::with_capacity(MAX_EVENTS),
        }
    }

    /// The call was answered: the greeting starts.
    pub fn on_answer(&mut self, now: Instant) {
        if self.state != State::ExpectAnswer {
            return;
        }
        self.player.enqueue(self.prompts.greeting.clone());
        self.state = State::ExpectDigits {
            answered: now,
            quiet_since: now,
        };
    }

    /// One decoded 8 kHz frame from the caller (20 or 30 ms). Kept for the recording.
    pub fn on_caller_audio(&mut self, now: Instant, frame: &[i16]) {
        self.check_timers(now);
        if matches!(self.state, State::ExpectAnswer) {
            return;
        }
        if self.caller.len() + frame.len() > self.caller.capacity() {
            // More caller audio than ticks: record it against silence rather than lose it.
            self.record_tick(&[]);
        }
        let take = frame.len().min(self.caller.capacity() - self.caller.len());
        self.caller.extend_from_slice(&frame[..take]);
    }

    /// A DTMF key from the caller (`0`–`9`, `*`, `#`, `A`–`D`).
    pub fn on_dtmf(&mut self, now: Instant, key: char) {
        self.check_timers(now);
        let State::ExpectDigits { answered, .. } = self.state else {
            self.push_event(ScriptEvent::KeyIgnored(key));
            return;
        };
        if self.player.is_playing() {
            self.player.stop(); // barge-in
            self.drain_player_events();
        }
        match key {
            '#' => self.read_back(answered, HangupReason::Completed),
            '0'..='9' | '*' if self.digits.len() < self.config.max_digits => {
                self.digits.push(key);
                self.push_event(ScriptEvent::Digit(key));
                self.state = State::ExpectDigits {
                    answered,
                    quiet_since: now,
                };
                if self.digits.len() == self.config.max_digits {
                    self.read_back(answered, HangupReason::Completed);
                }
            }
            _ => self.push_event(ScriptEvent::KeyIgnored(key)),
        }
    }

    /// Fills the next outgoing 8 kHz frame and records the tick.
    pub fn fill_outgoing(&mut self, now: Instant, out: &mut [i16]) {
        self.check_timers(now);
        let was_playing = self.player.is_playing();
        self.player.fill(out);
        self.drain_player_events();
        match self.state {
            State::ExpectAnswer => return,
            State::ExpectDigits { answered, .. } if was_playing => {
                // Quiet starts when the audio handed out now has played.
                self.state = State::ExpectDigits {
                    answered,
                    quiet_since: now + frame_time(out),
                };
            }
            State::ExpectReadBackEnd { answered, reason } if !self.player.is_playing() => {
                self.state = State::ExpectTailEnd {
                    answered,
                    reason,
                    until: now + frame_time(out) + self.config.hangup_tail,
                };
            }
            State::ExpectTailEnd { reason, until, .. } if now + frame_time(out) >= until => {
                self.request_hangup(reason);
            }
            _ => {}
        }
        self.record_tick(out);
    }

    /// The next thing the call task must do.
    pub fn poll_action(&mut self) -> Option<ScriptAction> {
        self.actions.pop_front()
    }

    /// The next event for the log, oldest first (optional).
    pub fn poll_event(&mut self) -> Option<ScriptEvent> {
        self.events.pop_front()
    }

    /// The digits collected so far.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The recording's file (while recording and after [`on_end`](Self::on_end)).
    pub fn recording_path(&self) -> Option<&Path> {
        match (&self.recorder, &self.recording) {
            (Some(r), _) => Some(r.path()),
            (None, Some(info)) => Some(&info.path),
            (None, None) => None,
        }
    }

    /// The call is over (the runtime's `CallLogic::on_end`): stops playback, records what the
    /// caller said since the last tick and closes the recording. Idempotent; returns the
    /// closed recording.
    pub fn on_end(&mut self, _now: Instant) -> Option<&RecordingInfo> {
        if self.recorder.is_some() {
            if !self.caller.is_empty() {
                self.record_tick(&[]);
            }
            if let Some(rec) = self.recorder.take() {
                match rec.finish() {
                    Ok(info) => self.recording = Some(info),
                    Err(_) => self.push_event(ScriptEvent::RecordingFailed),
                }
            }
        }
        self.player.stop();
        self.drain_player_events();
        self.state = State::Done;
        self.recording.as_ref()
    }

    /// Ends the script (calling [`on_end`](Self::on_end) if the runtime did not) and reports
    /// what the call record needs.
    pub fn finish(mut self, now: Instant) -> ScriptSummary {
        self.on_end(now);
        ScriptSummary {
            recording: self.recording.take(),
            digits: std::mem::take(&mut self.digits),
            hangup: self.hangup,
        }
    }

    fn check_timers(&mut self, now: Instant) {
        match self.state {
            State::ExpectDigits {
                answered,
                quiet_since,
            } => {
                if now >= answered + self.config.max_call {
                    self.request_hangup(HangupReason::MaxCallDuration);
                } else if now >= answered + self.config.collect_timeout {
                    self.timed_out(answered, HangupReason::CollectTimeout);
                } else if !self.player.is_playing()
                    && now >= quiet_since + self.config.inter_digit_timeout
                {
                    self.timed_out(answered, HangupReason::InterDigitTimeout);
                }
            }
            State::ExpectReadBackEnd { answered, .. } | State::ExpectTailEnd { answered, .. }
                if now >= answered + self.config.max_call =>
            {
                self.request_hangup(HangupReason::MaxCallDuration);
            }
            _ => {}
        }
    }

    fn timed_out(&mut self, answered: Instant, reason: HangupReason) {
        self.player.stop();
        self.drain_player_events();
        self.read_back(answered, reason);
    }

    /// "You entered" and the digits (when there are any), then "Goodbye."
    fn read_back(&mut self, answered: Instant, reason: HangupReason) {
        if !self.digits.is_empty() {
            self.player.enqueue(self.prompts.you_entered.clone());
            for key in self.digits.chars() {
                if let Some(p) = self.prompts.for_key(key) {
                    self.player.enqueue(p.clone());
                }
            }
        }
        self.player.enqueue(self.prompts.goodbye.clone());
        self.state = State::ExpectReadBackEnd { answered, reason };
    }

    fn request_hangup(&mut self, reason: HangupReason) {
        self.player.stop();
        self.drain_player_events();
        self.state = State::Done;
        self.hangup = Some(reason);
        self.actions.push_back(ScriptAction::Hangup(reason));
        self.push_event(ScriptEvent::Hangup(reason));
    }

    fn record_tick(&mut self, ours: &[i16]) {
        if let Some(rec) = self.recorder.as_mut()
            && rec.write_tick(&self.caller, ours).is_err()
        {
            self.recorder = None;
            self.push_event(ScriptEvent::RecordingFailed);
        }
        self.caller.clear();
    }

    fn drain_player_events(&mut self) {
        while let Some(e) = self.player.poll_event() {
            let event = match e {
                PlayerEvent::Started(n) => ScriptEvent::PromptStarted(n),
                PlayerEvent::Finished(n) => ScriptEvent::PromptFinished(n),
                PlayerEvent::Stopped(n) => ScriptEvent::PromptCut(n),
            };
            self.push_event(event);
        }
    }

    fn push_event(&mut self, event: ScriptEvent) {
        if self.events.len() == MAX_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }
}

mod logic;
#[cfg(test)]
mod tests;

pub use logic::factory;

/// How long the frame `out` plays at the telephone rate.
fn frame_time(out: &[i16]) -> Duration {
    Duration::from_micros(out.len() as u64 * 1_000_000 / u64::from(crate::media::TELEPHONE_RATE))
}
