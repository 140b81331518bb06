//! Persistent state in SQLite (bundled): the call records and what callers said
//! ([`TranscriptRecord`], numbers masked by `privacy::mask_numbers`).
//!
//! Owns: the database file `<data>/voxgate.sqlite3`, its schema and migrations
//! (`schema_version`), and the rules for what personal data is written (caller numbers are
//! redacted unless [`CallerPolicy::Store`] is configured). Must not touch: the call task's
//! real-time path — calls here block on disk, so the runtime runs them off the call task (for
//! example with `spawn_blocking`) and never per frame.

mod agent_records;
mod agent_states;
mod agents;
mod callbacks;
mod flows;
mod human_calls;
mod migrations;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, Row, params};

use crate::privacy::Redacted;

/// The database file name inside the data directory.
pub const DB_FILE: &str = "voxgate.sqlite3";

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// The database was written by a newer voxgate.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    NewerSchema {
        /// Version found in the file.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// A migration failed (the database is left at the previous version).
    #[error("schema migration to version {version} failed: {source}")]
    Migration {
        /// The version being reached.
        version: u32,
        /// SQLite's reason.
        source: rusqlite::Error,
    },
    /// A live API token already has this name.
    #[error("a token named {name:?} exists")]
    TokenExists {
        /// The name.
        name: String,
    },
    /// The install has as many live API tokens as allowed.
    #[error("{limit} tokens exist, the most allowed; revoke one first")]
    TooManyTokens {
        /// The limit.
        limit: usize,
    },
    /// Any other SQLite error.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Whether caller numbers are stored in clear (configuration; redacted by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CallerPolicy {
    /// Keep only the last two digits (`***78`).
    #[default]
    Redact,
    /// Keep the number as received.
    Store,
}

mod sink;
mod tokens;
mod transcripts;
mod voicemails;

pub use crate::telephony::HangupSide;
pub use agent_records::{StoredHandoff, StoredTurn};
pub use agent_states::{AgentStateRow, AgentTime, spawn_agent_state_sink};
pub use agents::{StoredAgent, StoredHashes};
pub use callbacks::{CALLBACK_STATUSES, CallbackRequest, StoredCallback};
pub use flows::{AuditEntry, FlowVersion};
pub use human_calls::{HumanCallQuery, HumanCallRecord, StoredHumanCall};
pub use sink::{record_from_summary, spawn_store_sink};
pub use tokens::{TokenRecord, TokenUse};
pub use transcripts::{
    TRANSCRIPTS_FILE, TranscriptMsg, TranscriptRecord, UtteranceEmotion, spawn_transcript_sink,
};
pub use voicemails::VoicemailRecord;

/// How a hang-up side is stored.
trait SideText: Sized {
    fn to_text(self) -> &'static str;
    fn from_text(s: &str) -> Option<Self>;
}

impl SideText for HangupSide {
    fn to_text(self) -> &'static str {
        match self {
            Self::Caller => "caller",
            Self::Gateway => "gateway",
        }
    }

    fn from_text(s: &str) -> Option<Self> {
        match s {
            "caller" => Some(Self::Caller),
            "gateway" => Some(Self::Gateway),
            _ => None,
        }
    }
}

/// One call as the runtime reports it when the call ends.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// `privacy::stable_hash` of the Call-ID (never the Call-ID itself).
    pub call_id_hash: String,
    /// The caller's number or user part; redacted on insert unless the policy says otherwise.
    /// Read back as stored.
    pub caller: Option<Redacted<String>>,
    /// INVITE received.
    pub started: SystemTime,
    /// 200 OK sent.
    pub answered: Option<SystemTime>,
    /// Call ended.
    pub ended: Option<SystemTime>,
    /// Negotiated codec ("PCMU", "PCMA").
    pub codec: Option<String>,
    /// Negotiated packetization (ms).
    pub ptime_ms: Option<u32>,
    /// RTP packets sent.
    pub packets_sent: u64,
    /// RTP payload bytes sent.
    pub bytes_sent: u64,
    /// RTP packets received.
    pub packets_received: u64,
    /// RTP payload bytes received.
    pub bytes_received: u64,
    /// Packets lost (RFC 3550 cumulative; negative with duplicates).
    pub packets_lost: i64,
    /// Interarrival jitter at the end of the call (ms).
    pub jitter_ms: Option<f64>,
    /// Why the call ended ("bye", "completed", "rtp-timeout", "cancel"…).
    pub hangup_cause: Option<String>,
    /// Who ended it.
    pub hangup_side: Option<HangupSide>,
    /// The call's recording.
    pub recording_path: Option<PathBuf>,
}

impl CallRecord {
    /// A record with the identifying fields and every counter at zero.
    pub fn new(call_id_hash: String, started: SystemTime) -> Self {
        Self {
            call_id_hash,
            caller: None,
            started,
            answered: None,
            ended: None,
            codec: None,
            ptime_ms: None,
            packets_sent: 0,
            bytes_sent: 0,
            packets_received: 0,
            bytes_received: 0,
            packets_lost: 0,
            jitter_ms: None,
            hangup_cause: None,
            hangup_side: None,
            recording_path: None,
        }
    }
}

/// The SQLite store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    caller_policy: CallerPolicy,
}

impl Store {
    /// Opens (creating if needed) `<data_dir>/voxgate.sqlite3` and migrates it.
    pub fn open(data_dir: &Path, caller_policy: CallerPolicy) -> Result<Self, StoreError> {
        let data_dir_err = |source| StoreError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        };
        crate::fsutil::create_dir_all(data_dir).map_err(data_dir_err)?;
        // SQLite gives its -wal and -shm files the database file's mode: create that 0600
        // first, and narrow the three if an older version left them wider.
        let db = data_dir.join(DB_FILE);
        crate::fsutil::create_if_missing(&db).map_err(data_dir_err)?;
        let conn = Connection::open(&db)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            crate::fsutil::restrict(Path::new(&name)).map_err(data_dir_err)?;
        }
        conn.busy_timeout(Duration::from_secs(5))?;
        Self::with_connection(conn, caller_policy)
    }

    /// An in-memory store (tests, `--no-store` style runs).
    pub fn open_in_memory(caller_policy: CallerPolicy) -> Result<Self, StoreError> {
        Self::with_connection(Connection::open_in_memory()?, caller_policy)
    }

    fn with_connection(
        mut conn: Connection,
        caller_policy: CallerPolicy,
    ) -> Result<Self, StoreError> {
        migrations::migrate(&mut conn)?;
        Ok(Self {
            conn,
            caller_policy,
        })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))?)
    }

    /// Stores a finished call; returns its row id.
    pub fn insert_call(&self, call: &CallRecord) -> Result<i64, StoreError> {
        let caller = call.caller.as_ref().map(|c| match self.caller_policy {
            CallerPolicy::Store => c.expose().clone(),
            CallerPolicy::Redact => redact_number(c.expose()),
        });
        self.conn.execute(
            "INSERT INTO calls (call_id_hash, caller, started_ms, answered_ms, ended_ms, codec,
                ptime_ms, packets_sent, bytes_sent, packets_received, bytes_received,
                packets_lost, jitter_ms, hangup_cause, hangup_side, recording_path)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                call.call_id_hash,
                caller,
                to_ms(call.started),
                call.answered.map(to_ms),
                call.ended.map(to_ms),
                call.codec,
                call.ptime_ms,
                clamp(call.packets_sent),
                clamp(call.bytes_sent),
                clamp(call.packets_received),
                clamp(call.bytes_received),
                call.packets_lost,
                call.jitter_ms,
                call.hangup_cause,
                call.hangup_side.map(HangupSide::to_text),
                call.recording_path
                    .as_ref()
                    .map(|p| p.to_string_lossy().into_owned()),
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The most recent calls, newest first.
    pub fn recent_calls(&self, limit: usize) -> Result<Vec<CallRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT call_id_hash, caller, started_ms, answered_ms, ended_ms, codec, ptime_ms,
                packets_sent, bytes_sent, packets_received, bytes_received, packets_lost,
                jitter_ms, hangup_cause, hangup_side, recording_path
             FROM calls ORDER BY started_ms DESC, id DESC LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([limit], row_to_call)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn row_to_call(r: &Row<'_>) -> rusqlite::Result<CallRecord> {
    let unsigned = |i| r.get::<_, i64>(i).map(|v| u64::try_from(v).unwrap_or(0));
    Ok(CallRecord {
        call_id_hash: r.get(0)?,
        caller: r.get::<_, Option<String>>(1)?.map(Redacted::new),
        started: from_ms(r.get(2)?),
        answered: r.get::<_, Option<i64>>(3)?.map(from_ms),
        ended: r.get::<_, Option<i64>>(4)?.map(from_ms),
        codec: r.get(5)?,
        ptime_ms: r.get(6)?,
        packets_sent: unsigned(7)?,
        bytes_sent: unsigned(8)?,
        packets_received: unsigned(9)?,
        bytes_received: unsigned(10)?,
        packets_lost: r.get(11)?,
        jitter_ms: r.get(12)?,
        hangup_cause: r.get(13)?,
        hangup_side: r
            .get::<_, Option<String>>(14)?
            .as_deref()
            .and_then(HangupSide::from_text),
        recording_path: r.get::<_, Option<String>>(15)?.map(PathBuf::from),
    })
}

/// `***` and the last two digits of a number (`***` alone when it has fewer).
fn redact_number(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        n if n >= 6 => format!("***{}{}", digits[n - 2], digits[n - 1]),
        _ => String::from("***"),
    }
}

fn clamp(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn to_ms(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub(crate) fn from_ms(ms: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

#[cfg(test)]
mod tests;
