//! Schema migrations: an ordered list of SQL scripts; `schema_version` holds how many ran.
//! Append only: a released migration never changes (add a new one instead).

use rusqlite::{Connection, OptionalExtension};

use super::StoreError;

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: call records.
    "CREATE TABLE calls (
        id               INTEGER PRIMARY KEY,
        call_id_hash     TEXT NOT NULL,
        caller           TEXT,
        started_ms       INTEGER NOT NULL,
        answered_ms      INTEGER,
        ended_ms         INTEGER,
        codec            TEXT,
        ptime_ms         INTEGER,
        packets_sent     INTEGER NOT NULL DEFAULT 0,
        bytes_sent       INTEGER NOT NULL DEFAULT 0,
        packets_received INTEGER NOT NULL DEFAULT 0,
        bytes_received   INTEGER NOT NULL DEFAULT 0,
        packets_lost     INTEGER NOT NULL DEFAULT 0,
        jitter_ms        REAL,
        hangup_cause     TEXT,
        hangup_side      TEXT CHECK (hangup_side IN ('caller', 'gateway')),
        recording_path   TEXT
    );
    CREATE INDEX calls_started ON calls (started_ms DESC);
    CREATE INDEX calls_call_id ON calls (call_id_hash);",
    // 2: what callers said, one row per utterance (numbers masked).
    "CREATE TABLE transcripts (
        id           INTEGER PRIMARY KEY,
        call_id_hash TEXT NOT NULL,
        seq          INTEGER NOT NULL,
        started_ms   INTEGER NOT NULL,
        ended_ms     INTEGER NOT NULL,
        text         TEXT NOT NULL,
        language     TEXT
    );
    CREATE INDEX transcripts_call ON transcripts (call_id_hash, seq);",
    // 3: HTTP API tokens, stored as SHA-256 hashes; a revoked token keeps its row (and frees
    // its name).
    "CREATE TABLE api_tokens (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'metrics')),
        hash         BLOB NOT NULL UNIQUE,
        created_ms   INTEGER NOT NULL,
        last_used_ms INTEGER,
        revoked      INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked = 0;",
    // 4: voicemail messages left in flows (the audio is a WAV file under the data directory).
    "CREATE TABLE voicemails (
        id           INTEGER PRIMARY KEY,
        call_id_hash TEXT NOT NULL,
        flow         TEXT NOT NULL,
        node         TEXT NOT NULL,
        created_ms   INTEGER NOT NULL,
        duration_ms  INTEGER NOT NULL,
        path         TEXT NOT NULL
    );
    CREATE INDEX voicemails_created ON voicemails (created_ms DESC);",
    // 5: flow versions (the YAML as written), which version of each flow is active, and the
    // audit log of operator changes.
    "CREATE TABLE flow_versions (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        version    INTEGER NOT NULL,
        source     TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        UNIQUE (name, version)
    );
    CREATE TABLE flow_active (
        name    TEXT PRIMARY KEY,
        version INTEGER NOT NULL
    );
    CREATE TABLE audit_log (
        id     INTEGER PRIMARY KEY,
        at_ms  INTEGER NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_log_at ON audit_log (at_ms DESC);",
    // 6: the AI agent's turns (stage times as JSON) and hand-offs (the masked transcript so
    // far as JSON), which were JSON-lines files only.
    "CREATE TABLE agent_turns (
        id            INTEGER PRIMARY KEY,
        call_id_hash  TEXT NOT NULL,
        turn          INTEGER NOT NULL,
        speech_end_ms INTEGER NOT NULL,
        handoff       TEXT,
        barged_in     INTEGER NOT NULL,
        detail        TEXT NOT NULL
    );
    CREATE INDEX agent_turns_call ON agent_turns (call_id_hash, turn);
    CREATE TABLE handoffs (
        id           INTEGER PRIMARY KEY,
        call_id_hash TEXT NOT NULL,
        reason       TEXT NOT NULL,
        at_ms        INTEGER NOT NULL,
        transcript   TEXT NOT NULL
    );
    CREATE INDEX handoffs_at ON handoffs (at_ms DESC);",
    // 7: how the caller sounded, per utterance (the call's emotion timeline).
    "ALTER TABLE transcripts ADD COLUMN emotion TEXT;
    ALTER TABLE transcripts ADD COLUMN valence REAL;
    ALTER TABLE transcripts ADD COLUMN arousal REAL;
    ALTER TABLE transcripts ADD COLUMN emotion_confidence REAL;",
    // 8: calls handed to human agents: the story told, who took it, how it ended, the
    // disposition set afterwards.
    "CREATE TABLE human_calls (
        id               INTEGER PRIMARY KEY,
        call_id_hash     TEXT NOT NULL,
        queue            TEXT NOT NULL,
        reason           TEXT,
        agents           TEXT NOT NULL,
        summary          TEXT NOT NULL,
        queued_ms        INTEGER NOT NULL,
        answered_ms      INTEGER,
        ended_ms         INTEGER NOT NULL,
        outcome          TEXT NOT NULL,
        emotion          TEXT,
        emotion_trend    TEXT,
        disposition      TEXT,
        disposition_note TEXT,
        disposed_ms      INTEGER
    );
    CREATE INDEX human_calls_queued ON human_calls (queued_ms DESC);",
    // 9: the post-call summary (key points, the agent's next steps) of each such call.
    "ALTER TABLE human_calls ADD COLUMN post_call TEXT NOT NULL DEFAULT '{}';",
    // 10: every change of an agent's state, for reports (time available, on calls, in
    // after-call work, away).
    "CREATE TABLE agent_states (
        id     INTEGER PRIMARY KEY,
        agent  TEXT NOT NULL,
        state  TEXT NOT NULL,
        detail TEXT,
        call   INTEGER,
        at_ms  INTEGER NOT NULL
    );
    CREATE INDEX agent_states_at ON agent_states (agent, at_ms);",
    // 11: agents added through the API (config-file agents are not stored); the password is
    // kept only as its digest hashes (HA1 per algorithm, for the realm they were made in).
    "CREATE TABLE agents (
        id         TEXT PRIMARY KEY,
        name       TEXT,
        skills     TEXT NOT NULL,
        languages  TEXT NOT NULL,
        uri        TEXT,
        realm      TEXT NOT NULL,
        secrets    TEXT NOT NULL,
        updated_ms INTEGER NOT NULL
    );",
    // 12: callback requests: a caller who waited too long in a queue whose overflow is a
    // callback (the number is the one the caller called from: kept to call them back).
    "CREATE TABLE callbacks (
        id           INTEGER PRIMARY KEY,
        call_id_hash TEXT NOT NULL,
        queue        TEXT NOT NULL,
        number       TEXT NOT NULL,
        reason       TEXT,
        requested_ms INTEGER NOT NULL,
        status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'failed')),
        note         TEXT NOT NULL DEFAULT '',
        updated_ms   INTEGER
    );
    CREATE INDEX callbacks_open ON callbacks (status, requested_ms);",
    // 13: tokens of human agents (role `agent`, named after the agent): SQLite cannot change
    // a CHECK, so the table is made again with its rows.
    "CREATE TABLE api_tokens_13 (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'metrics', 'agent')),
        hash         BLOB NOT NULL UNIQUE,
        created_ms   INTEGER NOT NULL,
        last_used_ms INTEGER,
        revoked      INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO api_tokens_13 (id, name, role, hash, created_ms, last_used_ms, revoked)
        SELECT id, name, role, hash, created_ms, last_used_ms, revoked FROM api_tokens;
    DROP TABLE api_tokens;
    ALTER TABLE api_tokens_13 RENAME TO api_tokens;
    CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked = 0;",
];

/// The schema version this build writes.
pub(super) const CURRENT: u32 = MIGRATIONS.len() as u32;

/// Brings the database to [`CURRENT`], each step in its own transaction.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let found: u32 = conn
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    if found > CURRENT {
        return Err(StoreError::NewerSchema {
            found,
            supported: CURRENT,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = i as u32 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|source| StoreError::Migration { version, source })?;
        tx.execute("DELETE FROM schema_version", [])?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [version],
        )?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tokens_made_before_agent_tokens_existed_survive_migration_13() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            .unwrap();
        for sql in &MIGRATIONS[..12] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute("INSERT INTO schema_version (version) VALUES (12)", [])
            .unwrap();
        conn.execute(
            "INSERT INTO api_tokens (name, role, hash, created_ms) VALUES ('ops', 'operator', x'01', 5)",
            [],
        )
        .unwrap();
        let agent = "INSERT INTO api_tokens (name, role, hash, created_ms) VALUES ('alice', 'agent', x'02', 6)";
        assert!(conn.execute(agent, []).is_err(), "no agent role before 13");
        migrate(&mut conn).unwrap();
        let (name, role): (String, String) = conn
            .query_row("SELECT name, role FROM api_tokens", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((name.as_str(), role.as_str()), ("ops", "operator"));
        conn.execute(agent, []).unwrap();
        let dup = "INSERT INTO api_tokens (name, role, hash, created_ms) VALUES ('ops', 'admin', x'03', 7)";
        assert!(
            conn.execute(dup, []).is_err(),
            "the live-name index is back"
        );
    }
}
