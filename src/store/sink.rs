//! Turns the runtime's call summaries into stored call records: a blocking task that owns the
//! SQLite connection, inserts each summary as it arrives, and passes it on (to the JSON-lines
//! log the integration tests read).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;

use super::{CallRecord, Store};
use crate::privacy::stable_hash;
use crate::telephony::CallSummary;

/// The stored form of a summary. The Call-ID is kept only as its hash.
pub fn record_from_summary(s: &CallSummary) -> CallRecord {
    let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
    let mut r = CallRecord::new(stable_hash(&s.call_id), at(s.started_ms));
    r.answered = (s.answered_ms > 0).then(|| at(s.answered_ms));
    r.ended = Some(at(s.ended_ms)).filter(|t| *t >= SystemTime::UNIX_EPOCH && s.ended_ms > 0);
    r.codec = s.codec.map(str::to_owned);
    r.ptime_ms = Some(s.ptime_ms).filter(|&p| p > 0);
    r.packets_sent = s.sent.packets;
    r.bytes_sent = s.sent.bytes;
    r.packets_received = s.received.packets;
    r.bytes_received = s.received.bytes;
    r.packets_lost = s.lost;
    r.jitter_ms = s.codec.map(|_| s.jitter_ms);
    r.hangup_cause = Some(s.cause.as_str().to_owned());
    r.hangup_side = Some(s.side);
    r
}

/// Stores every summary from `rx`, then forwards it to `forward`. Ends when `rx` closes.
pub fn spawn_store_sink(
    store: Store,
    mut rx: mpsc::Receiver<CallSummary>,
    forward: mpsc::Sender<CallSummary>,
) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_blocking(move || {
        while let Some(s) = rx.blocking_recv() {
            if let Err(e) = store.insert_call(&record_from_summary(&s)) {
                tracing::warn!(error = %e, call = s.call_no, "call record not stored");
            }
            if forward.blocking_send(s).is_err() {
                tracing::debug!("summary log closed");
            }
        }
    })
}
