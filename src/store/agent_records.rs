//! The AI agent's records: one row per caller turn (where the time went, as JSON) and one
//! per hand-off (the reason and the masked transcript so far, as JSON).

use rusqlite::params;

use super::{Store, StoreError};

/// A caller turn as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTurn {
    /// `privacy::stable_hash` of the Call-ID.
    pub call_id_hash: String,
    /// The turn's number in the call.
    pub turn: u32,
    /// The end of the caller's speech, ms since the Unix epoch.
    pub speech_end_ms: i64,
    /// Why the turn handed the call off, if it did.
    pub handoff: Option<String>,
    /// The caller spoke over the answer.
    pub barged_in: bool,
    /// The whole record (stage times, sources) as JSON.
    pub detail: String,
}

/// A hand-off as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHandoff {
    /// `privacy::stable_hash` of the Call-ID.
    pub call_id_hash: String,
    /// `HandoffReason::as_str`.
    pub reason: String,
    /// When, ms since the Unix epoch.
    pub at_ms: i64,
    /// The masked transcript so far, as a JSON array of `{who, text}`.
    pub transcript: String,
}

impl Store {
    /// Stores one turn.
    pub fn insert_turn(&self, t: &StoredTurn) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO agent_turns (call_id_hash, turn, speech_end_ms, handoff, barged_in, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                t.call_id_hash,
                t.turn,
                t.speech_end_ms,
                t.handoff,
                t.barged_in,
                t.detail
            ],
        )?;
        Ok(())
    }

    /// Stores one hand-off.
    pub fn insert_handoff(&self, h: &StoredHandoff) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO handoffs (call_id_hash, reason, at_ms, transcript) VALUES (?1, ?2, ?3, ?4)",
            params![h.call_id_hash, h.reason, h.at_ms, h.transcript],
        )?;
        Ok(())
    }

    /// The turns of one call, in order.
    pub fn turns_of(&self, call_id_hash: &str) -> Result<Vec<StoredTurn>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT call_id_hash, turn, speech_end_ms, handoff, barged_in, detail
             FROM agent_turns WHERE call_id_hash = ?1 ORDER BY turn, id",
        )?;
        let rows = stmt.query_map([call_id_hash], |r| {
            Ok(StoredTurn {
                call_id_hash: r.get(0)?,
                turn: r.get(1)?,
                speech_end_ms: r.get(2)?,
                handoff: r.get(3)?,
                barged_in: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest `limit` hand-offs, newest first.
    pub fn handoffs(&self, limit: usize) -> Result<Vec<StoredHandoff>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT call_id_hash, reason, at_ms, transcript
             FROM handoffs ORDER BY at_ms DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(StoredHandoff {
                call_id_hash: r.get(0)?,
                reason: r.get(1)?,
                at_ms: r.get(2)?,
                transcript: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
