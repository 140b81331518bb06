//! Calls handed to a person: one row per call that went to a queue — the queue, why, the
//! story told to the agent (the summary, as JSON: facts from the call, numbers masked), who
//! took it, when it was queued, answered and ended, how it ended, the caller's last
//! emotion, and the disposition the agent sets afterwards through the API.

use std::time::SystemTime;

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, from_ms, to_ms};

/// One call that went to a queue of human agents.
#[derive(Debug, Clone, PartialEq)]
pub struct HumanCallRecord {
    /// `privacy::stable_hash` of the Call-ID.
    pub call_id_hash: String,
    /// The queue.
    pub queue: String,
    /// Why it was handed over (`asked_for_person`, `upset`, `crisis`…), if known.
    pub reason: Option<String>,
    /// The agents who talked to the caller, in order (a transfer adds one).
    pub agents: Vec<String>,
    /// The summary given to the agent, as JSON.
    pub summary: String,
    /// When it was queued.
    pub queued: SystemTime,
    /// When the first agent answered.
    pub answered: Option<SystemTime>,
    /// When it ended.
    pub ended: SystemTime,
    /// `talked`, `nobody`, `overflow`, `caller_left`, `transfer_failed`.
    pub outcome: String,
    /// The caller's last emotion and its trend.
    pub emotion: Option<(String, String)>,
    /// The post-call summary (key points, next steps), as JSON.
    pub post_call: String,
}

/// A stored call, with its disposition.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHumanCall {
    /// The row id (the API's id).
    pub id: i64,
    /// What was recorded.
    pub record: HumanCallRecord,
    /// The agent's disposition and note.
    pub disposition: Option<(String, String)>,
}

/// What a search may filter on (all optional, combined with AND).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HumanCallQuery {
    /// Calls one of whose agents was this.
    pub agent: Option<String>,
    /// The queue.
    pub queue: Option<String>,
    /// The disposition.
    pub disposition: Option<String>,
    /// The caller's last emotion.
    pub emotion: Option<String>,
    /// The hand-off reason.
    pub reason: Option<String>,
    /// Queued at or after (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Queued before (ms since the epoch).
    pub until_ms: Option<i64>,
    /// At most this many, newest first.
    pub limit: usize,
}

impl Store {
    /// Stores one call's record; returns its id.
    pub fn insert_human_call(&self, c: &HumanCallRecord) -> Result<i64, StoreError> {
        let agents = serde_json::to_string(&c.agents).unwrap_or_else(|_| "[]".into());
        let (emotion, trend) = c.emotion.clone().unzip();
        self.conn.execute(
            "INSERT INTO human_calls (call_id_hash, queue, reason, agents, summary, queued_ms,
                                      answered_ms, ended_ms, outcome, emotion, emotion_trend,
                                      post_call)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                c.call_id_hash,
                c.queue,
                c.reason,
                agents,
                c.summary,
                to_ms(c.queued),
                c.answered.map(to_ms),
                to_ms(c.ended),
                c.outcome,
                emotion,
                trend,
                c.post_call
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Sets the disposition of call `id`; false when there is no such call.
    pub fn set_disposition(
        &self,
        id: i64,
        disposition: &str,
        note: &str,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE human_calls SET disposition = ?2, disposition_note = ?3, disposed_ms = ?4
             WHERE id = ?1",
            params![id, disposition, note, to_ms(SystemTime::now())],
        )?;
        Ok(n == 1)
    }

    /// Call `id`.
    pub fn human_call(&self, id: i64) -> Result<Option<StoredHumanCall>, StoreError> {
        let sql = format!("{SELECT} WHERE id = ?1");
        Ok(self.conn.query_row(&sql, [id], row).optional()?)
    }

    /// The calls that match `q`, newest first.
    pub fn human_calls(&self, q: &HumanCallQuery) -> Result<Vec<StoredHumanCall>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM json_each(agents) WHERE value = ?1))
               AND (?2 IS NULL OR queue = ?2) AND (?3 IS NULL OR disposition = ?3)
               AND (?4 IS NULL OR emotion = ?4) AND (?5 IS NULL OR reason = ?5)
               AND (?6 IS NULL OR queued_ms >= ?6) AND (?7 IS NULL OR queued_ms < ?7)
             ORDER BY queued_ms DESC, id DESC LIMIT ?8"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(
            params![
                q.agent,
                q.queue,
                q.disposition,
                q.emotion,
                q.reason,
                q.since_ms,
                q.until_ms,
                q.limit as i64
            ],
            row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

const SELECT: &str = "SELECT id, call_id_hash, queue, reason, agents, summary, queued_ms,
    answered_ms, ended_ms, outcome, emotion, emotion_trend, disposition, disposition_note,
    post_call FROM human_calls";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredHumanCall> {
    let agents: String = r.get(4)?;
    let emotion: Option<String> = r.get(10)?;
    let trend: Option<String> = r.get(11)?;
    let disposition: Option<String> = r.get(12)?;
    let note: Option<String> = r.get(13)?;
    Ok(StoredHumanCall {
        id: r.get(0)?,
        record: HumanCallRecord {
            call_id_hash: r.get(1)?,
            queue: r.get(2)?,
            reason: r.get(3)?,
            agents: serde_json::from_str(&agents).unwrap_or_default(),
            summary: r.get(5)?,
            queued: from_ms(r.get(6)?),
            answered: r.get::<_, Option<i64>>(7)?.map(from_ms),
            ended: from_ms(r.get(8)?),
            outcome: r.get(9)?,
            emotion: emotion.zip(trend),
            post_call: r.get(14)?,
        },
        disposition: disposition.map(|d| (d, note.unwrap_or_default())),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::CallerPolicy;
    use std::time::Duration;

    fn call(hash: &str, agents: &[&str], secs: u64, emotion: &str) -> HumanCallRecord {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs);
        HumanCallRecord {
            call_id_hash: hash.into(),
            queue: "support".into(),
            reason: Some("asked_for_person".into()),
            agents: agents.iter().map(|a| (*a).to_owned()).collect(),
            summary: "{}".into(),
            queued: t,
            answered: Some(t + Duration::from_secs(5)),
            ended: t + Duration::from_secs(60),
            outcome: "talked".into(),
            emotion: Some((emotion.into(), "steady".into())),
            post_call: "{}".into(),
        }
    }

    #[test]
    fn calls_are_stored_found_by_agent_emotion_and_time_and_disposed() {
        let s = Store::open_in_memory(CallerPolicy::Redact).unwrap();
        let a = s
            .insert_human_call(&call("a", &["alice"], 0, "angry"))
            .unwrap();
        let b = s
            .insert_human_call(&call("b", &["alice", "bob"], 10, "neutral"))
            .unwrap();
        s.insert_human_call(&call("c", &[], 20, "neutral")).unwrap();
        let q = |f: &dyn Fn(&mut HumanCallQuery)| {
            let mut q = HumanCallQuery {
                limit: 10,
                ..Default::default()
            };
            f(&mut q);
            s.human_calls(&q)
                .unwrap()
                .into_iter()
                .map(|c| c.record.call_id_hash)
                .collect::<Vec<_>>()
        };
        assert_eq!(q(&|_| {}), ["c", "b", "a"]);
        assert_eq!(q(&|q| q.agent = Some("bob".into())), ["b"]);
        assert_eq!(q(&|q| q.agent = Some("alice".into())), ["b", "a"]);
        assert_eq!(q(&|q| q.emotion = Some("angry".into())), ["a"]);
        assert_eq!(q(&|q| q.since_ms = Some(1_800_000_005_000)), ["c", "b"]);
        assert_eq!(q(&|q| q.until_ms = Some(1_800_000_005_000)), ["a"]);
        assert!(s.set_disposition(b, "resolved", "refund sent").unwrap());
        assert!(!s.set_disposition(999, "resolved", "").unwrap());
        assert_eq!(q(&|q| q.disposition = Some("resolved".into())), ["b"]);
        let got = s.human_call(b).unwrap().unwrap();
        assert_eq!(
            got.disposition,
            Some(("resolved".into(), "refund sent".into()))
        );
        assert_eq!(got.record, call("b", &["alice", "bob"], 10, "neutral"));
        assert_eq!(s.human_call(a).unwrap().unwrap().disposition, None);
    }
}
