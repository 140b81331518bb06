//! Agents added through the API (the configuration file's agents are not stored): who they
//! are, their skills and languages, their fixed address, and their phone's password kept
//! only as its digest hashes for one realm.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, to_ms};

/// An agent as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredAgent {
    /// Its id.
    pub id: String,
    /// How it is shown.
    pub name: Option<String>,
    /// Its skills.
    pub skills: Vec<String>,
    /// Its languages.
    pub languages: Vec<String>,
    /// Its fixed SIP address.
    pub uri: Option<String>,
    /// The password's hashes (MD5 HA1, SHA-256 HA1) and the realm they were made for.
    pub hashes: Option<StoredHashes>,
}

/// A password's digest hashes.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredHashes {
    /// The realm.
    pub realm: String,
    /// `MD5(user:realm:password)`, hex.
    pub md5: String,
    /// `SHA-256(user:realm:password)`, hex.
    pub sha256: String,
}

impl std::fmt::Debug for StoredAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredAgent")
            .field("id", &self.id)
            .field("skills", &self.skills)
            .field("uri", &self.uri)
            .field("registers", &self.hashes.is_some())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Adds or replaces an agent.
    pub fn put_agent(&self, a: &StoredAgent) -> Result<(), StoreError> {
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let (realm, secrets) = match &a.hashes {
            Some(h) => (
                h.realm.clone(),
                serde_json::json!({ "md5": h.md5, "sha256": h.sha256 }).to_string(),
            ),
            None => (String::new(), "{}".into()),
        };
        self.conn.execute(
            "INSERT INTO agents (id, name, skills, languages, uri, realm, secrets, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET name = ?2, skills = ?3, languages = ?4, uri = ?5,
                 realm = ?6, secrets = ?7, updated_ms = ?8",
            params![
                a.id,
                a.name,
                json(&a.skills),
                json(&a.languages),
                a.uri,
                realm,
                secrets,
                to_ms(std::time::SystemTime::now())
            ],
        )?;
        Ok(())
    }

    /// Removes an agent; false when there was none.
    pub fn delete_agent(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM agents WHERE id = ?1", [id])?
            > 0)
    }

    /// One agent.
    pub fn agent(&self, id: &str) -> Result<Option<StoredAgent>, StoreError> {
        Ok(self
            .conn
            .query_row(&format!("{SELECT} WHERE id = ?1"), [id], row)
            .optional()?)
    }

    /// How many agents are stored.
    pub fn agent_count(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM agents", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Every stored agent, by id.
    pub fn agents(&self) -> Result<Vec<StoredAgent>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} ORDER BY id"))?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

const SELECT: &str = "SELECT id, name, skills, languages, uri, realm, secrets FROM agents";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredAgent> {
    let list = |i: usize| -> rusqlite::Result<Vec<String>> {
        Ok(serde_json::from_str(&r.get::<_, String>(i)?).unwrap_or_default())
    };
    let secrets: serde_json::Value =
        serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default();
    let hashes = match (secrets["md5"].as_str(), secrets["sha256"].as_str()) {
        (Some(md5), Some(sha256)) => Some(StoredHashes {
            realm: r.get(5)?,
            md5: md5.to_owned(),
            sha256: sha256.to_owned(),
        }),
        _ => None,
    };
    Ok(StoredAgent {
        id: r.get(0)?,
        name: r.get(1)?,
        skills: list(2)?,
        languages: list(3)?,
        uri: r.get(4)?,
        hashes,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::CallerPolicy;

    #[test]
    fn agents_are_added_replaced_and_removed() {
        let s = Store::open_in_memory(CallerPolicy::Redact).unwrap();
        let mut carol = StoredAgent {
            id: "carol".into(),
            name: Some("Carol".into()),
            skills: vec!["billing".into()],
            languages: vec![],
            uri: None,
            hashes: Some(StoredHashes {
                realm: "voxgate".into(),
                md5: "aa".into(),
                sha256: "bb".into(),
            }),
        };
        s.put_agent(&carol).unwrap();
        assert_eq!(s.agent("carol").unwrap(), Some(carol.clone()));
        carol.hashes = None;
        carol.uri = Some("sip:carol@192.0.2.1".into());
        s.put_agent(&carol).unwrap();
        assert_eq!(s.agents().unwrap(), vec![carol]);
        assert_eq!(s.agent_count().unwrap(), 1);
        assert!(s.delete_agent("carol").unwrap());
        assert!(!s.delete_agent("carol").unwrap());
        assert_eq!(s.agents().unwrap(), vec![]);
    }
}
