//! Flow versions and the audit log. Every version of a flow is kept as written; one per flow
//! is active; every change says who made it.

use std::time::SystemTime;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Store, StoreError, to_ms};

/// One stored version of a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowVersion {
    /// The flow's name.
    pub name: String,
    /// Its version, from 1.
    pub version: i64,
    /// When it was stored (ms since the epoch).
    pub created_ms: i64,
    /// Who stored it (a token's name, or `file:NAME` for a flow file read at start).
    pub created_by: String,
    /// Whether calls start on it now.
    pub active: bool,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// What (`flow.activate`, `flow.rollback`, `flow.import`).
    pub action: String,
    /// On what (a flow's name).
    pub target: String,
    /// More (the version).
    pub detail: String,
}

impl Store {
    /// Stores `source` as the next version of flow `name`; returns its number.
    pub fn save_flow_version(&self, name: &str, source: &str, by: &str) -> Result<i64, StoreError> {
        let next: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM flow_versions WHERE name = ?1",
            [name],
            |r| r.get(0),
        )?;
        self.conn.execute(
            "INSERT INTO flow_versions (name, version, source, created_ms, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, next, source, to_ms(SystemTime::now()), by],
        )?;
        Ok(next)
    }

    /// Makes `version` of `name` the one new calls start on.
    pub fn activate_flow(&self, name: &str, version: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO flow_active (name, version) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version",
            params![name, version],
        )?;
        Ok(())
    }

    /// The active version of every flow: name, version, source.
    pub fn active_flows(&self) -> Result<Vec<(String, i64, String)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT a.name, a.version, v.source FROM flow_active a
             JOIN flow_versions v ON v.name = a.name AND v.version = a.version ORDER BY a.name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The source of one version of a flow.
    pub fn flow_source(&self, name: &str, version: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT source FROM flow_versions WHERE name = ?1 AND version = ?2",
                params![name, version],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every version of a flow, newest first.
    pub fn flow_versions(&self, name: &str) -> Result<Vec<FlowVersion>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT v.name, v.version, v.created_ms, v.created_by,
                    COALESCE(a.version = v.version, 0)
             FROM flow_versions v LEFT JOIN flow_active a ON a.name = v.name
             WHERE v.name = ?1 ORDER BY v.version DESC",
        )?;
        let rows = stmt.query_map([name], |r| {
            Ok(FlowVersion {
                name: r.get(0)?,
                version: r.get(1)?,
                created_ms: r.get(2)?,
                created_by: r.get(3)?,
                active: r.get::<_, i64>(4)? != 0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a flow file's text as a new active version when it differs from the active
    /// one; returns the new version, if any.
    pub fn import_flow(
        &self,
        name: &str,
        source: &str,
        by: &str,
    ) -> Result<Option<i64>, StoreError> {
        let active = self.active_flows()?.into_iter().find(|(n, _, _)| n == name);
        if active.is_some_and(|(_, _, s)| s == source) {
            return Ok(None);
        }
        let version = self.save_flow_version(name, source, by)?;
        self.activate_flow(name, version)?;
        self.audit(by, "flow.import", name, &format!("version {version}"))?;
        Ok(Some(version))
    }

    /// Writes an audit entry.
    pub fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO audit_log (at_ms, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![to_ms(SystemTime::now()), actor, action, target, detail],
        )?;
        Ok(())
    }

    /// The newest `limit` audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT at_ms, actor, action, target, detail FROM audit_log
             ORDER BY at_ms DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(AuditEntry {
                at_ms: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                target: r.get(3)?,
                detail: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
