//! What an agent call leaves behind besides its transcripts: one row per caller turn (where
//! the time went, for the latency harness) and one per handoff (reason and masked transcript)
//! in the store, and the same as JSON lines in `<data>/agent_turns.jsonl` and
//! `<data>/handoffs.jsonl` when `[store] export_jsonl`. A blocking thread owns the writes;
//! calls hand records over with `try_send` and never wait.

use std::io::Write;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use serde::Serialize;

/// Per-turn timings.
pub const TURNS_FILE: &str = "agent_turns.jsonl";
/// Handoff records.
pub const HANDOFFS_FILE: &str = "handoffs.jsonl";
/// Lines that may wait for the writer.
const QUEUE: usize = 1024;

/// One caller turn's timing: every stage in ms after the end of the caller's speech
/// (`None` when the stage did not happen, e.g. after a barge-in).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TurnRecord {
    /// `privacy::stable_hash` of the Call-ID.
    pub call_id_hash: String,
    /// The turn's number in the call, from 0.
    pub turn: u32,
    /// The end of the caller's speech, ms since the Unix epoch.
    pub speech_end_unix_ms: i64,
    /// The turn detector decided the turn was over.
    pub end_of_turn_ms: Option<f64>,
    /// The final transcript came back.
    pub stt_final_ms: Option<f64>,
    /// Retrieval done.
    pub retrieval_ms: Option<f64>,
    /// The LLM's first token.
    pub llm_first_token_ms: Option<f64>,
    /// The first sentence reached the call.
    pub first_sentence_ms: Option<f64>,
    /// The first audio of the answer came from text-to-speech.
    pub tts_first_audio_ms: Option<f64>,
    /// The first packet of the answer went out.
    pub first_packet_ms: Option<f64>,
    /// The acknowledgement's first packet went out (if one was played).
    pub ack_packet_ms: Option<f64>,
    /// The agent's turn was over (`respond` returned).
    pub agent_done_ms: Option<f64>,
    /// The caller spoke over the answer.
    pub barged_in: bool,
    /// Why the call was handed off, if it was.
    pub handoff: Option<&'static str>,
    /// Knowledge chunks the answer cites.
    pub sources: Vec<String>,
}

/// One line of a handoff's transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// `caller` or `agent`.
    pub who: &'static str,
    /// What was said (numbers masked).
    pub text: String,
}

/// A call handed to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandoffRecord {
    /// `privacy::stable_hash` of the Call-ID.
    pub call_id_hash: String,
    /// `HandoffReason::as_str`.
    pub reason: &'static str,
    /// The call so far, masked.
    pub transcript: Vec<Line>,
    /// When, ms since the Unix epoch.
    pub at_unix_ms: i64,
}

/// A record on its way to the writer.
enum Record {
    Turn(TurnRecord),
    Handoff(HandoffRecord),
}

/// Where records go. Cheap to clone.
#[derive(Debug, Clone)]
pub struct RecordSink {
    tx: SyncSender<Record>,
}

impl RecordSink {
    /// Starts the writer: rows in the store of `data_dir` (`voxgate.sqlite3`), and JSON lines
    /// in `data_dir` too when `export_jsonl`.
    pub fn start(data_dir: &Path, export_jsonl: bool) -> std::io::Result<RecordSink> {
        let store = crate::store::Store::open(data_dir, crate::store::CallerPolicy::Redact)
            .map_err(std::io::Error::other)?;
        let (tx, rx) = sync_channel(QUEUE);
        let export = export_jsonl.then(|| data_dir.to_path_buf());
        std::thread::Builder::new()
            .name("agent-records".into())
            .spawn(move || write_records(&store, export.as_deref(), &rx))?;
        Ok(RecordSink { tx })
    }

    /// Queues a turn's timing.
    pub fn turn(&self, r: &TurnRecord) {
        self.send(Record::Turn(r.clone()));
    }

    /// Queues a handoff.
    pub fn handoff(&self, r: &HandoffRecord) {
        self.send(Record::Handoff(r.clone()));
    }

    fn send(&self, r: Record) {
        if self.tx.try_send(r).is_err() {
            tracing::warn!("agent record writer full: record dropped");
        }
    }
}

fn write_records(store: &crate::store::Store, export: Option<&Path>, rx: &Receiver<Record>) {
    use crate::store::{StoredHandoff, StoredTurn};
    while let Ok(record) = rx.recv() {
        let (stored, file, line) = match &record {
            Record::Turn(t) => {
                let detail = serde_json::to_string(t).unwrap_or_default();
                let row = StoredTurn {
                    call_id_hash: t.call_id_hash.clone(),
                    turn: t.turn,
                    speech_end_ms: t.speech_end_unix_ms,
                    handoff: t.handoff.map(str::to_string),
                    barged_in: t.barged_in,
                    detail: detail.clone(),
                };
                (store.insert_turn(&row), TURNS_FILE, detail)
            }
            Record::Handoff(h) => {
                let row = StoredHandoff {
                    call_id_hash: h.call_id_hash.clone(),
                    reason: h.reason.to_string(),
                    at_ms: h.at_unix_ms,
                    transcript: serde_json::to_string(&h.transcript).unwrap_or_default(),
                };
                let line = serde_json::to_string(h).unwrap_or_default();
                (store.insert_handoff(&row), HANDOFFS_FILE, line)
            }
        };
        if let Err(e) = stored {
            tracing::warn!(file, error = %e, "agent record not stored");
        }
        if let Some(dir) = export
            && let Err(e) = append_line(dir, file, &line)
        {
            tracing::warn!(file, error = %e, "agent record not exported");
        }
    }
}

fn append_line(dir: &Path, file: &str, line: &str) -> std::io::Result<()> {
    crate::fsutil::create_dir_all(dir)?;
    let mut f = crate::fsutil::append(&dir.join(file))?;
    writeln!(f, "{line}")
}

/// voxgate's lines in the transcript store begin with this (the table has no speaker column).
pub const AGENT_PREFIX: &str = "[agent] ";
/// A human agent's lines (a bridged call) begin with this.
pub const HUMAN_PREFIX: &str = "[human] ";

/// One call's lines for the transcript store: numbered in order, voxgate's own marked with
/// [`AGENT_PREFIX`](AGENT_PREFIX), handed to the store's sink without waiting (a full
/// sink drops the line with a warning). Shared by the agent and flow call logics.
#[derive(Debug)]
pub struct CallTranscript {
    call_no: u64,
    call_id_hash: String,
    sink: tokio::sync::mpsc::Sender<crate::store::TranscriptMsg>,
    clock: crate::speech::in_flight::WallClock,
    next_seq: u32,
}

impl CallTranscript {
    /// The transcript of call `call_no` (its Call-ID hashed), starting at `now`.
    pub fn new(
        call_no: u64,
        call_id_hash: String,
        sink: tokio::sync::mpsc::Sender<crate::store::TranscriptMsg>,
        now: std::time::Instant,
    ) -> CallTranscript {
        CallTranscript {
            call_no,
            call_id_hash,
            sink,
            clock: crate::speech::in_flight::WallClock::new(now),
            next_seq: 0,
        }
    }

    /// Stores a line voxgate said from `started` to `ended` (prefixed `[agent] `).
    pub fn said(&mut self, started: std::time::Instant, ended: std::time::Instant, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let record = self.next_record(started, ended, format!("{AGENT_PREFIX}{text}"));
        self.send(crate::store::TranscriptMsg::Done(record));
    }

    /// Stores a line the human agent said on a bridged call (prefixed `[human] `).
    pub fn human(&mut self, started: std::time::Instant, ended: std::time::Instant, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let record = self.next_record(started, ended, format!("{HUMAN_PREFIX}{text}"));
        self.send(crate::store::TranscriptMsg::Done(record));
    }

    /// A human agent's line still being recognized when the call ended.
    pub fn unfinished_human(&mut self, u: crate::speech::listener::Unfinished) {
        let base = self.next_record(u.started, u.ended, String::new());
        let reply = u.reply;
        let wait = move || {
            let t = reply.blocking_recv().ok()?.ok()?;
            (!t.text.trim().is_empty()).then(|| crate::store::TranscriptRecord {
                text: format!("{HUMAN_PREFIX}{}", t.text.trim()),
                language: t.language.or(base.language.clone()),
                ..base
            })
        };
        self.send(crate::store::TranscriptMsg::Deferred(Box::new(wait)));
    }

    /// Stores a caller's line with how they sounded in it.
    pub fn heard(
        &mut self,
        started: std::time::Instant,
        ended: std::time::Instant,
        text: &str,
        emotion: Option<crate::store::UtteranceEmotion>,
    ) {
        if text.trim().is_empty() {
            return;
        }
        let record = crate::store::TranscriptRecord {
            emotion,
            ..self.next_record(started, ended, text.to_owned())
        };
        self.send(crate::store::TranscriptMsg::Done(record));
    }

    /// A caller's line still being recognized when the call ended: the store waits for it
    /// (off the call task) and keeps it in its place.
    pub fn unfinished(&mut self, u: crate::speech::listener::Unfinished) {
        let base = self.next_record(u.started, u.ended, String::new());
        let reply = u.reply;
        let wait = move || {
            let t = reply.blocking_recv().ok()?.ok()?;
            (!t.text.trim().is_empty()).then(|| crate::store::TranscriptRecord {
                text: t.text,
                language: t.language.or(base.language.clone()),
                ..base
            })
        };
        self.send(crate::store::TranscriptMsg::Deferred(Box::new(wait)));
    }

    /// The next line's record (it takes the next number).
    fn next_record(
        &mut self,
        started: std::time::Instant,
        ended: std::time::Instant,
        text: String,
    ) -> crate::store::TranscriptRecord {
        self.next_seq += 1;
        crate::store::TranscriptRecord {
            call_id_hash: self.call_id_hash.clone(),
            seq: self.next_seq - 1,
            started: self.clock.wall(started),
            ended: self.clock.wall(ended),
            language: Some(
                if crate::emotion::is_mandarin(&text) {
                    "zh"
                } else {
                    "en"
                }
                .into(),
            ),
            text,
            emotion: None,
        }
    }

    fn send(&self, msg: crate::store::TranscriptMsg) {
        if self.sink.try_send(msg).is_err() {
            tracing::warn!(call = self.call_no, "transcript sink full: line dropped");
        }
    }

    /// Lines stored so far.
    pub fn lines(&self) -> u32 {
        self.next_seq
    }
}
