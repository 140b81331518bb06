//! Voicemail messages: one row per message, the audio in a WAV file the row names.

use std::time::SystemTime;

use rusqlite::params;

use super::{Store, StoreError, from_ms, to_ms};

/// One message left by a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoicemailRecord {
    /// `privacy::stable_hash` of the Call-ID.
    pub call_id_hash: String,
    /// The flow and node that recorded it.
    pub flow: String,
    /// The node.
    pub node: String,
    /// When the recording ended.
    pub created: SystemTime,
    /// Its length.
    pub duration_ms: u64,
    /// The WAV file (8 kHz mono), relative to the data directory.
    pub path: String,
}

impl Store {
    /// Stores one message's record; returns its row id.
    pub fn insert_voicemail(&self, v: &VoicemailRecord) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO voicemails (call_id_hash, flow, node, created_ms, duration_ms, path)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                v.call_id_hash,
                v.flow,
                v.node,
                to_ms(v.created),
                v.duration_ms as i64,
                v.path
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The newest `limit` messages, newest first.
    pub fn voicemails(&self, limit: usize) -> Result<Vec<VoicemailRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT call_id_hash, flow, node, created_ms, duration_ms, path
             FROM voicemails ORDER BY created_ms DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(VoicemailRecord {
                call_id_hash: r.get(0)?,
                flow: r.get(1)?,
                node: r.get(2)?,
                created: from_ms(r.get(3)?),
                duration_ms: r.get::<_, i64>(4)?.max(0) as u64,
                path: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
