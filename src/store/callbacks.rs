//! Callback requests: callers who waited too long in a queue whose overflow is a callback.
//! The number is the one the caller called from, kept because the caller asked to be
//! called back on it; operators mark each request done or failed through the API.

use std::time::SystemTime;

use rusqlite::params;
use serde::Serialize;

use super::{Store, StoreError, to_ms};

/// A request to call a caller back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRequest {
    /// `privacy::stable_hash` of the Call-ID.
    pub call_id_hash: String,
    /// The queue it waited in.
    pub queue: String,
    /// The number to call.
    pub number: String,
    /// Why the call was handed to a person, if known.
    pub reason: Option<String>,
    /// When it was requested.
    pub requested: SystemTime,
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCallback {
    /// Its id.
    pub id: i64,
    /// `privacy::stable_hash` of the Call-ID.
    pub call: String,
    /// The queue.
    pub queue: String,
    /// The number to call.
    pub number: String,
    /// Why the call was handed to a person.
    pub reason: Option<String>,
    /// When, ms since the epoch.
    pub requested_ms: i64,
    /// `open`, `done`, `failed`.
    pub status: String,
    /// The operator's note.
    pub note: String,
}

/// The statuses a request may have.
pub const CALLBACK_STATUSES: [&str; 3] = ["open", "done", "failed"];

impl Store {
    /// Stores a request; returns its id.
    pub fn insert_callback(&self, c: &CallbackRequest) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO callbacks (call_id_hash, queue, number, reason, requested_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                c.call_id_hash,
                c.queue,
                c.number,
                c.reason,
                to_ms(c.requested)
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Requests with `status` (all when `None`), oldest first (the order to call back in).
    pub fn callbacks(
        &self,
        status: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StoredCallback>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, call_id_hash, queue, number, reason, requested_ms, status, note
             FROM callbacks WHERE (?1 IS NULL OR status = ?1)
             ORDER BY requested_ms, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![status, limit as i64], |r| {
            Ok(StoredCallback {
                id: r.get(0)?,
                call: r.get(1)?,
                queue: r.get(2)?,
                number: r.get(3)?,
                reason: r.get(4)?,
                requested_ms: r.get(5)?,
                status: r.get(6)?,
                note: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets request `id`'s status and note; false when there is no such request.
    pub fn set_callback(&self, id: i64, status: &str, note: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE callbacks SET status = ?2, note = ?3, updated_ms = ?4 WHERE id = ?1",
            params![id, status, note, to_ms(SystemTime::now())],
        )?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::CallerPolicy;

    #[test]
    fn requests_are_listed_oldest_first_and_closed() {
        let s = Store::open_in_memory(CallerPolicy::Redact).unwrap();
        for (hash, at) in [("b", 20), ("a", 10)] {
            let req = CallbackRequest {
                call_id_hash: hash.into(),
                queue: "support".into(),
                number: "+441632960001".into(),
                reason: Some("asked_for_person".into()),
                requested: crate::store::from_ms(at),
            };
            s.insert_callback(&req).unwrap();
        }
        let open = s.callbacks(Some("open"), 10).unwrap();
        assert_eq!(
            open.iter().map(|c| c.call.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(
            s.set_callback(open[0].id, "done", "called, resolved")
                .unwrap()
        );
        assert_eq!(s.callbacks(Some("open"), 10).unwrap().len(), 1);
        assert_eq!(
            s.callbacks(Some("done"), 10).unwrap()[0].note,
            "called, resolved"
        );
        assert!(!s.set_callback(99, "done", "").unwrap());
        assert!(
            s.set_callback(open[1].id, "bogus", "").is_err(),
            "the CHECK holds"
        );
    }
}
