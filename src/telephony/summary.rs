//! What a finished call reports: [`CallSummary`], sent by the call task on a bounded channel
//! that the store consumes. Until the SQLite store lands, [`spawn_jsonl_sink`] appends each
//! summary as one JSON line to `calls.jsonl` in the data directory. Owns the record's shape;
//! never touches sockets or the call's engines.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;
use tokio::sync::mpsc;

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HangupCause {
    /// The caller sent BYE.
    CallerBye,
    /// The caller cancelled before the answer (an abandoned call).
    Cancelled,
    /// Refused with 503 before ringing: at the call limit or no RTP port free.
    Busy,
    /// The call logic hung up.
    Logic,
    /// No RTP arrived for the configured time.
    MediaTimeout,
    /// The ACK for our 200 never arrived.
    NoAck,
    /// The gateway shut down past its grace period.
    Shutdown,
    /// The media socket failed.
    MediaError,
}

impl HangupCause {
    /// A short readable form ("media timeout").
    pub fn as_str(self) -> &'static str {
        match self {
            HangupCause::CallerBye => "caller hung up",
            HangupCause::Cancelled => "cancelled",
            HangupCause::Busy => "busy",
            HangupCause::Logic => "call logic hung up",
            HangupCause::MediaTimeout => "media timeout",
            HangupCause::NoAck => "no ACK",
            HangupCause::Shutdown => "shutdown",
            HangupCause::MediaError => "media error",
        }
    }

    /// Which side ended the call.
    pub fn side(self) -> HangupSide {
        match self {
            HangupCause::CallerBye | HangupCause::Cancelled => HangupSide::Caller,
            _ => HangupSide::Gateway,
        }
    }
}

/// Which side ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HangupSide {
    /// The caller.
    Caller,
    /// voxgate.
    Gateway,
}

/// Counters of one direction of media.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// RTP packets.
    pub packets: u64,
    /// RTP payload bytes.
    pub bytes: u64,
}

/// The record of one call, for the store.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CallSummary {
    /// The runtime's call number.
    pub call_no: u64,
    /// The SIP Call-ID. Written only as its `privacy::stable_hash`, named `call_id_hash`
    /// (a Call-ID often holds the caller's host or number).
    #[serde(rename = "call_id_hash", serialize_with = "hashed")]
    pub call_id: String,
    /// When the INVITE arrived (Unix ms).
    pub started_ms: u64,
    /// When media started (Unix ms); 0 for a call never answered.
    pub answered_ms: u64,
    /// When the call ended (Unix ms).
    pub ended_ms: u64,
    /// Codec name; `None` for a call never answered.
    pub codec: Option<&'static str>,
    /// Packet time in ms; 0 for a call never answered.
    pub ptime_ms: u32,
    /// Our RTP port.
    pub local_port: u16,
    /// Our SSRC.
    pub local_ssrc: u32,
    /// The caller's SSRC (the last one seen).
    pub remote_ssrc: Option<u32>,
    /// What we sent.
    pub sent: Flow,
    /// What we received (valid RTP of this call's payload types).
    pub received: Flow,
    /// Packets lost (RFC 3550 cumulative count).
    pub lost: i64,
    /// Interarrival jitter in ms.
    pub jitter_ms: f64,
    /// Key presses received (RFC 4733 or INFO). Only the count: digits can be PINs or
    /// account numbers, personal data the call logic handles, not the call record.
    pub digits: u32,
    /// Why it ended.
    pub cause: HangupCause,
    /// Who ended it.
    pub side: HangupSide,
}

/// Serializes an identifier as its stable hash.
fn hashed<S: serde::Serializer>(value: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::privacy::stable_hash(value))
}

impl CallSummary {
    /// The record of a call that never reached media: refused, cancelled while ringing, or
    /// refused at shutdown. Such calls still count (abandoned and lost calls are what a
    /// contact center reports first).
    pub(crate) fn unanswered(
        call_no: u64,
        call_id: String,
        started_ms: u64,
        cause: HangupCause,
    ) -> CallSummary {
        CallSummary {
            call_no,
            call_id,
            started_ms,
            answered_ms: 0,
            ended_ms: unix_ms(),
            codec: None,
            ptime_ms: 0,
            local_port: 0,
            local_ssrc: 0,
            remote_ssrc: None,
            sent: Flow::default(),
            received: Flow::default(),
            lost: 0,
            jitter_ms: 0.0,
            digits: 0,
            cause,
            side: cause.side(),
        }
    }
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Logs every summary and, when `export` names a directory (`[store] export_jsonl`),
/// appends it as a JSON line to `calls.jsonl` there (the store keeps every record anyway).
/// Ends when every sender is dropped.
pub fn spawn_jsonl_sink(
    export: Option<PathBuf>,
    mut rx: mpsc::Receiver<CallSummary>,
) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_blocking(move || {
        let path = export.map(|dir| dir.join("calls.jsonl"));
        while let Some(s) = rx.blocking_recv() {
            tracing::info!(
                call = s.call_no,
                cause = s.cause.as_str(),
                sent = s.sent.packets,
                received = s.received.packets,
                lost = s.lost,
                "call ended"
            );
            let Some(path) = &path else { continue };
            let line = match serde_json::to_string(&s) {
                Ok(line) => line,
                Err(e) => {
                    tracing::warn!(error = %e, "call summary not serializable");
                    continue;
                }
            };
            let written = crate::fsutil::append(path).and_then(|mut f| writeln!(f, "{line}"));
            if let Err(e) = written {
                tracing::warn!(error = %e, path = %path.display(), "cannot write call summary");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[tokio::test]
    async fn the_jsonl_sink_writes_the_call_id_only_hashed_in_a_private_file() {
        let tmp = tempfile::tempdir().unwrap();
        let call_id = "a84b4c76e66710@pc33.atlanta.com";
        let (tx, rx) = mpsc::channel(4);
        let sink = spawn_jsonl_sink(Some(tmp.path().to_path_buf()), rx);
        let summary = CallSummary::unanswered(7, call_id.into(), 1, HangupCause::Busy);
        tx.send(summary).await.unwrap();
        drop(tx);
        sink.await.unwrap();
        let path = tmp.path().join("calls.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("a84b4c76e66710"), "{text}");
        assert!(!text.contains("atlanta"), "{text}");
        let line: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(
            line["call_id_hash"],
            crate::privacy::stable_hash(call_id).as_str()
        );
        assert!(line.get("call_id").is_none());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
