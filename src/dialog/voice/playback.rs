//! What the call says, in order: a queue of pieces (a text-to-speech reply streaming in, or
//! audio already made, like the pre-rendered acknowledgement), each tagged, played into the
//! call's outgoing frames. Polled once per tick without waiting (`try_recv`): only the front
//! piece's audio is taken, so sentences play in the order they were asked for while later
//! ones are synthesized. It reports, per tag, when its first audio arrived and when its first
//! sample went out. `stop()` (barge-in) drops everything, which cancels the synthesis.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc::Receiver;
use tokio::sync::mpsc::error::TryRecvError;

use crate::speech::tts::{SENTENCE_GAP_MS, TtsChunk};

/// Names what a piece of audio is (a turn number, or one of the constants below).
pub type Tag = u32;

/// The greeting.
pub const TAG_GREETING: Tag = u32::MAX;
/// The acknowledgement.
pub const TAG_ACK: Tag = u32::MAX - 1;
/// The handoff line when it is not part of an answer.
pub const TAG_HANDOFF: Tag = u32::MAX - 2;
/// A flow's prompt.
pub const TAG_PROMPT: Tag = u32::MAX - 3;

/// Where a piece's audio comes from.
#[derive(Debug)]
pub enum Source {
    /// A reply streaming from text-to-speech at 8 kHz.
    Tts(Receiver<TtsChunk>),
    /// Audio already made.
    Pcm(Arc<[i16]>),
}

#[derive(Debug)]
struct Piece {
    source: Source,
    tag: Tag,
    /// Silence before it (between sentences of one answer).
    gap: bool,
    /// Some of its audio is in the output queue already.
    started: bool,
    /// How much of a `Pcm` source is queued.
    offset: usize,
}

/// Audio already made is queued at most this far ahead of what is sent (samples: 0.5 s), so
/// a call playing a long prompt holds half a second of it, not a copy of the whole prompt.
const PCM_LOOKAHEAD: usize = 4000;

/// What playback reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayEvent {
    /// The first audio of `tag` arrived (from text-to-speech or at once).
    AudioReady(Tag, Instant),
    /// The first sample of `tag` went out in a frame sent at the instant.
    Started(Tag, Instant),
    /// A piece of `tag` failed to synthesize.
    Failed(Tag),
}

/// The playback queue of one call.
#[derive(Debug, Default)]
pub struct Playback {
    pieces: VecDeque<Piece>,
    pcm: VecDeque<i16>,
    pushed: u64,
    popped: u64,
    /// Sample index where a tag's audio begins, not yet played.
    marks: VecDeque<(u64, Tag)>,
    /// Where each tag's queued audio ends (sample index), in order.
    ends: VecDeque<(Tag, u64)>,
    /// Tags whose first audio has been reported.
    ready: Vec<Tag>,
    events: VecDeque<PlayEvent>,
}

impl Playback {
    /// An empty queue.
    pub fn new() -> Playback {
        Playback::default()
    }

    /// Plays `source` after everything queued.
    pub fn push(&mut self, source: Source, tag: Tag, gap: bool) {
        self.pieces.push_back(Piece {
            source,
            tag,
            gap,
            started: false,
            offset: 0,
        });
    }

    /// Plays `source` before every piece not started yet (the acknowledgement).
    pub fn push_next(&mut self, source: Source, tag: Tag) {
        // Its start is reported each time it is played.
        self.ready.retain(|&t| t != tag);
        let at = usize::from(self.pieces.front().is_some_and(|p| p.started));
        self.pieces.insert(
            at,
            Piece {
                source,
                tag,
                gap: false,
                started: false,
                offset: 0,
            },
        );
    }

    /// Whether anything is playing or waiting to play.
    pub fn busy(&self) -> bool {
        !self.pcm.is_empty() || !self.pieces.is_empty()
    }

    /// Whether audio of `tag` is still queued or coming.
    pub fn has(&self, tag: Tag) -> bool {
        self.pieces.iter().any(|p| p.tag == tag) || self.ends.iter().any(|&(t, _)| t == tag)
    }

    /// Stops at once: queued audio and pending synthesis are dropped.
    pub fn stop(&mut self) {
        self.pieces.clear();
        self.pcm.clear();
        self.popped = self.pushed;
        self.marks.clear();
        self.ends.clear();
    }

    /// Takes what text-to-speech has made, without waiting.
    pub fn poll(&mut self, now: Instant) {
        while let Some(front) = self.pieces.front_mut() {
            let chunk = match &mut front.source {
                Source::Pcm(pcm) => {
                    if front.offset >= pcm.len() {
                        self.pieces.pop_front();
                        continue;
                    }
                    let room = PCM_LOOKAHEAD.saturating_sub(self.pcm.len());
                    if room == 0 {
                        return;
                    }
                    let (pcm, from) = (Arc::clone(pcm), front.offset);
                    let to = (from + room).min(pcm.len());
                    front.offset = to;
                    self.append(now, &pcm[from..to]);
                    continue;
                }
                Source::Tts(rx) => match rx.try_recv() {
                    Ok(c) => c,
                    Err(TryRecvError::Empty) => return,
                    Err(TryRecvError::Disconnected) => TtsChunk::Failed("stopped".into()),
                },
            };
            match chunk {
                TtsChunk::Audio(pcm) => self.append(now, &pcm),
                TtsChunk::Done => {
                    self.pieces.pop_front();
                }
                TtsChunk::Failed(e) => {
                    let tag = front.tag;
                    tracing::warn!(error = %e, "a sentence was not synthesized");
                    self.events.push_back(PlayEvent::Failed(tag));
                    self.pieces.pop_front();
                }
            }
        }
    }

    fn append(&mut self, now: Instant, pcm: &[i16]) {
        let Some(front) = self.pieces.front_mut() else {
            return;
        };
        if !front.started {
            front.started = true;
            if front.gap {
                let gap = (8 * SENTENCE_GAP_MS) as usize;
                self.pcm.extend(std::iter::repeat_n(0, gap));
                self.pushed += gap as u64;
            }
            if !self.ready.contains(&front.tag) {
                self.ready.push(front.tag);
                self.events.push_back(PlayEvent::AudioReady(front.tag, now));
                self.marks.push_back((self.pushed, front.tag));
            }
        }
        self.pcm.extend(pcm.iter().copied());
        self.pushed += pcm.len() as u64;
        let tag = front.tag;
        match self.ends.back_mut() {
            Some((t, end)) if *t == tag => *end = self.pushed,
            _ => self.ends.push_back((tag, self.pushed)),
        }
    }

    /// Fills the frame sent at `now` (it arrives zeroed).
    pub fn fill(&mut self, now: Instant, out: &mut [i16]) {
        let n = out.len().min(self.pcm.len());
        for (o, s) in out.iter_mut().zip(self.pcm.drain(..n)) {
            *o = s;
        }
        self.popped += n as u64;
        while self
            .ends
            .front()
            .is_some_and(|&(_, end)| end <= self.popped)
        {
            self.ends.pop_front();
        }
        while let Some(&(at, tag)) = self.marks.front() {
            if at >= self.popped {
                break;
            }
            self.marks.pop_front();
            self.events.push_back(PlayEvent::Started(tag, now));
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<PlayEvent> {
        self.events.pop_front()
    }
}
