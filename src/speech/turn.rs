//! Turn-taking for one call, sans-IO: the caller's frame features go in with `now`, and out
//! come when the caller started speaking, when that speech should cut voxgate's playback
//! (barge-in), and when the caller's turn is over. The frames are the clock: one push per
//! media tick, so the engine needs no timers of its own.
//!
//! A sound becomes speech with voiced frames (a pitch present): 100 ms of them including
//! two bright, strongly periodic ones (a vowel with a second formant), or 300 ms of any
//! voicing. A click is one frame, a cough has no pitch, and a short closed-mouth "mm" is
//! dark and brief, so none of them starts a turn or interrupts a prompt; a long hum does.
//! The turn ends after `end_silence` without speech, or the shorter `question_silence` when
//! the words heard so far (the streaming transcript, through [`TurnDetector::hint_words`])
//! form a complete question.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::features::FrameFeatures;

/// How turns are judged. The defaults suit 20 ms telephone frames.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnConfig {
    /// Silence that ends a turn.
    pub end_silence: Duration,
    /// Silence that ends a turn whose words already form a complete question.
    pub question_silence: Duration,
    /// Voiced speech needed before a sound counts as speech (and can barge in).
    pub min_voiced: Duration,
    /// Bright voiced frames needed among them (a hum has none).
    pub min_bright_frames: u32,
    /// Voiced sound this long counts as speech however dark it is.
    pub long_voiced: Duration,
    /// A gap this long during the onset makes the sound noise, not speech.
    pub onset_gap: Duration,
    /// A turn longer than this ends anyway.
    pub max_turn: Duration,
    /// A frame is active when it is this far above the noise floor (dB)...
    pub margin_db: f32,
    /// ...and above this absolute level (dBFS).
    pub min_level_dbfs: f32,
    /// Periodicity at or above which an active frame is voiced.
    pub voiced_periodicity: f32,
    /// Brightness at or above which a voiced frame is not a hum...
    pub bright: f32,
    /// ...when it is at least this periodic (breathy /h/ transitions are bright but
    /// weakly periodic).
    pub bright_periodicity: f32,
}

impl Default for TurnConfig {
    fn default() -> Self {
        TurnConfig {
            end_silence: Duration::from_millis(500),
            question_silence: Duration::from_millis(250),
            min_voiced: Duration::from_millis(100),
            min_bright_frames: 2,
            long_voiced: Duration::from_millis(300),
            onset_gap: Duration::from_millis(100),
            max_turn: Duration::from_secs(30),
            margin_db: 10.0,
            min_level_dbfs: -50.0,
            voiced_periodicity: 0.5,
            bright: 0.02,
            bright_periodicity: 0.75,
        }
    }
}

/// What the detector reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TurnEvent {
    /// The caller started speaking (at the first voiced frame of the onset).
    SpeechStarted {
        /// When the speech began.
        at: Instant,
    },
    /// The caller spoke while voxgate was playing: stop the playback now.
    BargeIn {
        /// When it was decided.
        at: Instant,
    },
    /// The caller's turn is over.
    EndOfTurn {
        /// When the speech began.
        started: Instant,
        /// The end of the last speech frame.
        ended: Instant,
        /// Whether the shorter question silence ended it.
        question: bool,
    },
    /// A sound that did not become speech (click, cough, hum, noise burst).
    Noise {
        /// When it began.
        at: Instant,
    },
}

/// What the detector waits for (states are named after what they wait for).
#[derive(Debug, Clone, Copy)]
#[allow(clippy::enum_variant_names)]
enum State {
    /// Silence (or noise below the threshold).
    ExpectSound,
    /// A voiced sound began: is it speech?
    ExpectSpeech(Onset),
    /// Speech: waiting for the silence that ends the turn.
    ExpectEnd {
        since: Instant,
        last_speech: Instant,
    },
}

/// A sound that may become speech.
#[derive(Debug, Clone, Copy)]
struct Onset {
    since: Instant,
    last_active: Instant,
    voiced: Duration,
    bright: u32,
}

/// How one frame is classed.
#[derive(Debug, Clone, Copy)]
struct Class {
    active: bool,
    voiced: bool,
    bright: bool,
}

/// Turn-taking for one call. Push every frame's features in order with [`push`]; drain
/// [`poll_event`] after each push.
///
/// [`push`]: TurnDetector::push
/// [`poll_event`]: TurnDetector::poll_event
#[derive(Debug, Clone)]
pub struct TurnDetector {
    cfg: TurnConfig,
    state: State,
    floor_db: f32,
    playing: bool,
    question: bool,
    events: VecDeque<TurnEvent>,
}

/// The noise floor starts here (dBFS) and never goes below it.
const FLOOR_START_DB: f32 = -70.0;
/// How fast the floor rises towards a louder background, per frame (fraction of the gap;
/// about a second to follow a new background).
const FLOOR_RISE: f32 = 0.02;

impl TurnDetector {
    /// A detector with `cfg`.
    pub fn new(cfg: TurnConfig) -> TurnDetector {
        TurnDetector {
            cfg,
            state: State::ExpectSound,
            floor_db: FLOOR_START_DB,
            playing: false,
            question: false,
            events: VecDeque::with_capacity(8),
        }
    }

    /// Whether voxgate is playing to the caller now (speech then means barge-in).
    pub fn set_playing(&mut self, playing: bool) {
        self.playing = playing;
    }

    /// The words of the caller's current turn so far (a streaming partial transcript).
    pub fn hint_words(&mut self, text: &str) {
        self.question = is_complete_question(text);
    }

    /// Whether the caller is speaking (a turn has started and not ended).
    pub fn in_turn(&self) -> bool {
        matches!(self.state, State::ExpectEnd { .. })
    }

    /// The estimated background level (dBFS).
    pub fn noise_floor_dbfs(&self) -> f32 {
        self.floor_db
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<TurnEvent> {
        self.events.pop_front()
    }

    /// One frame of `dur` that started at `now`.
    pub fn push(&mut self, now: Instant, dur: Duration, f: &FrameFeatures) {
        let threshold = (self.floor_db + self.cfg.margin_db).max(self.cfg.min_level_dbfs);
        let active = f.level_dbfs >= threshold;
        let voiced = active && f.periodicity >= self.cfg.voiced_periodicity;
        if f.periodicity < self.cfg.voiced_periodicity {
            self.track_floor(f.level_dbfs);
        }
        let class = Class {
            active,
            voiced,
            bright: voiced
                && f.periodicity >= self.cfg.bright_periodicity
                && f.brightness >= self.cfg.bright,
        };
        let end = now + dur;
        self.state = match self.state {
            State::ExpectSound if voiced => State::ExpectSpeech(Onset {
                since: now,
                last_active: end,
                voiced: dur,
                bright: u32::from(class.bright),
            }),
            State::ExpectSound => State::ExpectSound,
            State::ExpectSpeech(o) => self.onset(now, end, o, class),
            State::ExpectEnd { since, last_speech } => {
                self.speaking(now, since, if active { end } else { last_speech })
            }
        };
    }

    /// During the onset: becomes speech once enough bright voiced frames came, noise after
    /// a gap.
    fn onset(&mut self, now: Instant, end: Instant, o: Onset, c: Class) -> State {
        if !c.active && now.saturating_duration_since(o.last_active) >= self.cfg.onset_gap {
            self.emit(TurnEvent::Noise { at: o.since });
            return State::ExpectSound;
        }
        let o = Onset {
            since: o.since,
            last_active: if c.active { end } else { o.last_active },
            voiced: if c.voiced {
                o.voiced + (end - now)
            } else {
                o.voiced
            },
            bright: o.bright + u32::from(c.bright),
        };
        let bright_speech =
            o.voiced >= self.cfg.min_voiced && o.bright >= self.cfg.min_bright_frames;
        if !bright_speech && o.voiced < self.cfg.long_voiced {
            return State::ExpectSpeech(o);
        }
        self.question = false;
        self.emit(TurnEvent::SpeechStarted { at: o.since });
        if self.playing {
            self.emit(TurnEvent::BargeIn { at: end });
        }
        State::ExpectEnd {
            since: o.since,
            last_speech: end,
        }
    }

    /// During speech: the turn ends after enough silence, or at the longest turn.
    fn speaking(&mut self, now: Instant, since: Instant, last_speech: Instant) -> State {
        let silence = now.saturating_duration_since(last_speech);
        let needed = if self.question {
            self.cfg.question_silence
        } else {
            self.cfg.end_silence
        };
        if silence >= needed || now.saturating_duration_since(since) >= self.cfg.max_turn {
            self.emit(TurnEvent::EndOfTurn {
                started: since,
                ended: last_speech,
                question: self.question && silence >= needed,
            });
            self.question = false;
            return State::ExpectSound;
        }
        State::ExpectEnd { since, last_speech }
    }

    /// Follows the background from every unvoiced frame: down at once, up within about a
    /// second. Voiced frames never lift it, so speech does not raise its own threshold.
    fn track_floor(&mut self, level: f32) {
        let level = level.max(FLOOR_START_DB);
        if level < self.floor_db {
            self.floor_db = level;
        } else {
            self.floor_db += (level - self.floor_db) * FLOOR_RISE;
        }
    }

    fn emit(&mut self, ev: TurnEvent) {
        if self.events.len() < self.events.capacity() {
            self.events.push_back(ev);
        }
    }
}

/// Words that open a question.
const QUESTION_OPENERS: [&str; 24] = [
    "what", "when", "where", "who", "whom", "whose", "why", "how", "which", "is", "are", "am",
    "can", "could", "do", "does", "did", "will", "would", "should", "may", "have", "has", "was",
];
/// Words a sentence does not end on: a question ending here is not complete yet.
const DANGLING: [&str; 22] = [
    "and", "or", "but", "the", "a", "an", "to", "of", "for", "my", "your", "with", "in", "on",
    "at", "is", "are", "um", "uh", "so", "if", "about",
];

/// Whether `text` reads as a complete question: it ends with "?", or it opens with a
/// question word, has at least three words and does not end on a word that needs more.
pub fn is_complete_question(text: &str) -> bool {
    let t = text.trim();
    if t.ends_with('?') {
        return true;
    }
    let words: Vec<String> = t
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    words.len() >= 3
        && QUESTION_OPENERS.contains(&first.as_str())
        && !DANGLING.contains(&last.as_str())
        && !t.ends_with(',')
}

#[cfg(test)]
#[path = "turn_tests.rs"]
mod tests;
