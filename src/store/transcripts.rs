//! Transcripts: one row per caller utterance, written by a blocking sink task that also
//! appends each one to `<data>/transcripts.jsonl`. The text is masked
//! ([`crate::privacy::mask_numbers`]) before it reaches the database or the file.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rusqlite::params;
use tokio::sync::mpsc;

use super::{Store, StoreError, from_ms, to_ms};
use crate::privacy::{Carry, mask_numbers, mask_utterance};

/// The JSON-lines file of transcripts inside the data directory.
pub const TRANSCRIPTS_FILE: &str = "transcripts.jsonl";
/// Calls whose last utterance ended in a number, remembered by the sink (beyond, it forgets
/// them all: a bound, not an expected case).
const MAX_CARRIES: usize = 4096;

/// How the caller sounded in one utterance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UtteranceEmotion {
    /// One of neutral, satisfied, frustrated, angry, anxious, sad.
    pub label: String,
    /// −1..1.
    pub valence: f32,
    /// −1..1.
    pub arousal: f32,
    /// 0..1.
    pub confidence: f32,
}

/// One utterance of one call.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptRecord {
    /// `privacy::stable_hash` of the Call-ID.
    pub call_id_hash: String,
    /// The utterance's number in its call, from 0.
    pub seq: u32,
    /// When the speech began.
    pub started: SystemTime,
    /// When it ended.
    pub ended: SystemTime,
    /// What was said (masked on insert).
    pub text: String,
    /// The language recognized.
    pub language: Option<String>,
    /// How the caller sounded (caller lines, when emotion is read).
    pub emotion: Option<UtteranceEmotion>,
}

/// What the transcript sink receives.
pub enum TranscriptMsg {
    /// A transcript ready to store.
    Done(TranscriptRecord),
    /// A transcript still being recognized when its call ended: the sink waits for it
    /// (the closure blocks) and stores what it returns.
    Deferred(Box<dyn FnOnce() -> Option<TranscriptRecord> + Send>),
    /// A voicemail message whose audio file is written.
    Voicemail(super::VoicemailRecord),
    /// A call handed to human agents, at its end.
    HumanCall(Box<super::HumanCallRecord>),
    /// A caller to call back.
    Callback(super::CallbackRequest),
}

impl std::fmt::Debug for TranscriptMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TranscriptMsg::Done(r) => f.debug_tuple("Done").field(&r.seq).finish(),
            TranscriptMsg::Deferred(_) => f.write_str("Deferred"),
            TranscriptMsg::Voicemail(v) => f.debug_tuple("Voicemail").field(&v.path).finish(),
            TranscriptMsg::HumanCall(c) => f.debug_tuple("HumanCall").field(&c.queue).finish(),
            TranscriptMsg::Callback(c) => f.debug_tuple("Callback").field(&c.queue).finish(),
        }
    }
}

impl Store {
    /// Stores one utterance (its text masked); returns its row id.
    pub fn insert_transcript(&self, t: &TranscriptRecord) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO transcripts (call_id_hash, seq, started_ms, ended_ms, text, language,
                                      emotion, valence, arousal, emotion_confidence)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                t.call_id_hash,
                t.seq,
                to_ms(t.started),
                to_ms(t.ended),
                mask_numbers(&t.text),
                t.language,
                t.emotion.as_ref().map(|e| &e.label),
                t.emotion.as_ref().map(|e| e.valence),
                t.emotion.as_ref().map(|e| e.arousal),
                t.emotion.as_ref().map(|e| e.confidence),
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The utterances of one call, in order.
    pub fn transcripts_of(&self, call_id_hash: &str) -> Result<Vec<TranscriptRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT call_id_hash, seq, started_ms, ended_ms, text, language,
                    emotion, valence, arousal, emotion_confidence
             FROM transcripts WHERE call_id_hash = ?1 ORDER BY seq, id",
        )?;
        let rows = stmt.query_map([call_id_hash], |r| {
            Ok(TranscriptRecord {
                call_id_hash: r.get(0)?,
                seq: r.get(1)?,
                started: from_ms(r.get(2)?),
                ended: from_ms(r.get(3)?),
                text: r.get(4)?,
                language: r.get(5)?,
                emotion: r
                    .get::<_, Option<String>>(6)?
                    .map(|label| UtteranceEmotion {
                        label,
                        valence: r.get::<_, Option<f32>>(7).ok().flatten().unwrap_or(0.0),
                        arousal: r.get::<_, Option<f32>>(8).ok().flatten().unwrap_or(0.0),
                        confidence: r.get::<_, Option<f32>>(9).ok().flatten().unwrap_or(0.0),
                    }),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Stores every transcript from `rx` (masked; a number cut into utterances of one call is
/// judged whole, see `privacy::Carry`) and, when `export` names a directory (`[store]
/// export_jsonl`), appends it to `transcripts.jsonl` there. Ends when every sender is gone.
pub fn spawn_transcript_sink(
    store: Store,
    mut rx: mpsc::Receiver<TranscriptMsg>,
    export: Option<PathBuf>,
) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_blocking(move || {
        let mut carries: HashMap<String, Carry> = HashMap::new();
        while let Some(msg) = rx.blocking_recv() {
            let record = match msg {
                TranscriptMsg::Done(r) => Some(r),
                TranscriptMsg::Deferred(wait) => wait(),
                TranscriptMsg::Voicemail(v) => {
                    if let Err(e) = store.insert_voicemail(&v) {
                        tracing::warn!(error = %e, "voicemail not stored");
                    }
                    None
                }
                TranscriptMsg::HumanCall(c) => {
                    if let Err(e) = store.insert_human_call(&c) {
                        tracing::warn!(error = %e, "human call not stored");
                    }
                    None
                }
                TranscriptMsg::Callback(c) => {
                    if let Err(e) = store.insert_callback(&c) {
                        tracing::warn!(error = %e, "callback request not stored");
                    }
                    None
                }
            };
            let Some(mut record) = record else {
                continue;
            };
            // The agent's lines (on agent calls) neither end nor continue the caller's number.
            if record.text.starts_with(crate::dialog::voice::AGENT_PREFIX)
                || record.text.starts_with(crate::dialog::voice::HUMAN_PREFIX)
            {
                record.text = mask_numbers(&record.text);
            } else {
                let carry = carries.entry(record.call_id_hash.clone()).or_default();
                record.text = mask_utterance(&record.text, carry);
                if carry.is_empty() {
                    carries.remove(&record.call_id_hash);
                } else if carries.len() > MAX_CARRIES {
                    carries.clear();
                }
            }
            if let Err(e) = store.insert_transcript(&record) {
                tracing::warn!(error = %e, seq = record.seq, "transcript not stored");
            }
            if let Some(dir) = &export
                && let Err(e) = append_jsonl(dir, &record)
            {
                tracing::warn!(error = %e, "transcript not exported");
            }
        }
    })
}

/// One JSON line per transcript.
fn append_jsonl(dir: &Path, r: &TranscriptRecord) -> std::io::Result<()> {
    let line = serde_json::json!({
        "call_id_hash": r.call_id_hash,
        "seq": r.seq,
        "started_ms": to_ms(r.started),
        "ended_ms": to_ms(r.ended),
        "text": r.text,
        "language": r.language,
        "emotion": r.emotion,
    });
    let mut f = crate::fsutil::append(&dir.join(TRANSCRIPTS_FILE))?;
    writeln!(f, "{line}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::CallerPolicy;
    use std::time::Duration;

    fn record(seq: u32, text: &str) -> TranscriptRecord {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
        TranscriptRecord {
            call_id_hash: "abc".into(),
            seq,
            started: t,
            ended: t + Duration::from_millis(1500),
            text: text.into(),
            language: Some("en".into()),
            emotion: None,
        }
    }

    #[test]
    fn transcripts_come_back_in_order_with_card_numbers_masked() {
        let store = Store::open_in_memory(CallerPolicy::Redact).unwrap();
        store
            .insert_transcript(&record(1, "my card is 4111 1111 1111 1111"))
            .unwrap();
        store.insert_transcript(&record(0, "hello")).unwrap();
        let got = store.transcripts_of("abc").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], record(0, "hello"));
        assert_eq!(got[1].text, "my card is **** **** **** 1111");
        assert!(store.transcripts_of("other").unwrap().is_empty());
    }

    #[test]
    fn the_sink_stores_and_logs_done_and_deferred_transcripts() {
        let dir = std::env::temp_dir().join(format!("vx-transcripts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(dir.join(TRANSCRIPTS_FILE));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let store = Store::open(&dir, CallerPolicy::Redact).unwrap();
        let (tx, rx) = mpsc::channel(4);
        rt.block_on(async {
            let sink = spawn_transcript_sink(store, rx, Some(dir.clone()));
            tx.send(TranscriptMsg::Done(record(0, "one two")))
                .await
                .unwrap();
            tx.send(TranscriptMsg::Done(record(2, "my card is 4111 1111")))
                .await
                .unwrap();
            tx.send(TranscriptMsg::Done(record(3, "[agent] Go on.")))
                .await
                .unwrap();
            tx.send(TranscriptMsg::Done(record(4, "1111 1111")))
                .await
                .unwrap();
            let late = record(1, "card 4111111111111111");
            tx.send(TranscriptMsg::Deferred(Box::new(move || Some(late))))
                .await
                .unwrap();
            drop(tx);
            sink.await.unwrap();
        });
        let lines = std::fs::read_to_string(dir.join(TRANSCRIPTS_FILE)).unwrap();
        let lines: Vec<serde_json::Value> = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 5);
        // The card cut into two utterances (the agent spoke between): the second part is
        // masked.
        assert_eq!(lines[1]["text"], "my card is 4111 1111");
        assert_eq!(lines[3]["text"], "**** ****");
        assert_eq!(lines[4]["text"], "card ************1111");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(TRANSCRIPTS_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let store = Store::open(&dir, CallerPolicy::Redact).unwrap();
        assert_eq!(store.transcripts_of("abc").unwrap().len(), 5);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
