//! The `api_tokens` table: HTTP API tokens by name and role, stored only as the SHA-256 of the
//! token (the token itself is shown once, by whoever created it). Owns the SQL; the token
//! format, hashing and the role rules are the API's (`api::auth`).

use std::time::SystemTime;

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, to_ms};

/// `last_used_ms` is written at most this often per token (ms), so checking a token is a read.
const TOUCH_EVERY_MS: i64 = 60_000;

/// One token as listed (never its hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenRecord {
    /// The name.
    pub name: String,
    /// `admin`, `operator` or `metrics`.
    pub role: String,
    /// When it was created (ms since the Unix epoch).
    pub created_ms: i64,
    /// When it was last used, to the minute (ms since the Unix epoch).
    pub last_used_ms: Option<i64>,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A live token found by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUse {
    /// The name.
    pub name: String,
    /// The role.
    pub role: String,
    /// The stored hash (for the caller's constant-time comparison).
    pub hash: [u8; 32],
}

impl Store {
    /// Adds a live token; `limit` bounds the live tokens of the install.
    pub fn insert_token(
        &self,
        name: &str,
        role: &str,
        hash: &[u8; 32],
        now: SystemTime,
        limit: usize,
    ) -> Result<(), StoreError> {
        let live: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM api_tokens WHERE revoked = 0",
            [],
            |r| r.get(0),
        )?;
        if usize::try_from(live).unwrap_or(usize::MAX) >= limit {
            return Err(StoreError::TooManyTokens { limit });
        }
        let done = self.conn.execute(
            "INSERT INTO api_tokens (name, role, hash, created_ms) VALUES (?1, ?2, ?3, ?4)",
            params![name, role, &hash[..], to_ms(now)],
        );
        match done {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                Err(StoreError::TokenExists { name: name.into() })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every token, live and revoked, by name.
    pub fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT name, role, created_ms, last_used_ms, revoked FROM api_tokens
             ORDER BY name, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TokenRecord {
                name: r.get(0)?,
                role: r.get(1)?,
                created_ms: r.get(2)?,
                last_used_ms: r.get(3)?,
                revoked: r.get::<_, i64>(4)? != 0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many tokens were ever created (revoked ones included).
    pub fn token_count(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM api_tokens", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Revokes the live token `name`; false when there is none.
    pub fn revoke_token(&self, name: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE api_tokens SET revoked = 1 WHERE name = ?1 AND revoked = 0",
            [name],
        )?;
        Ok(n > 0)
    }

    /// The live token with this hash, its last use noted (at most once a minute).
    pub fn use_token(
        &self,
        hash: &[u8; 32],
        now: SystemTime,
    ) -> Result<Option<TokenUse>, StoreError> {
        let found = self
            .conn
            .query_row(
                "SELECT id, name, role, hash, last_used_ms FROM api_tokens
                 WHERE hash = ?1 AND revoked = 0",
                [&hash[..]],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Vec<u8>>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, name, role, stored, last)) = found else {
            return Ok(None);
        };
        let now_ms = to_ms(now);
        if last.is_none_or(|t| now_ms - t >= TOUCH_EVERY_MS) {
            self.conn.execute(
                "UPDATE api_tokens SET last_used_ms = ?1 WHERE id = ?2",
                params![now_ms, id],
            )?;
        }
        let Ok(hash) = <[u8; 32]>::try_from(stored.as_slice()) else {
            return Ok(None);
        };
        Ok(Some(TokenUse { name, role, hash }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::CallerPolicy;

    #[test]
    fn tokens_are_found_by_hash_revoked_and_limited() {
        let s = Store::open_in_memory(CallerPolicy::Redact).unwrap();
        let now = SystemTime::now();
        s.insert_token("ci", "operator", &[1; 32], now, 2).unwrap();
        assert!(matches!(
            s.insert_token("ci", "admin", &[2; 32], now, 2),
            Err(StoreError::TokenExists { .. })
        ));
        s.insert_token("prom", "metrics", &[3; 32], now, 2).unwrap();
        assert!(matches!(
            s.insert_token("x", "admin", &[4; 32], now, 2),
            Err(StoreError::TooManyTokens { limit: 2 })
        ));
        let found = s.use_token(&[1; 32], now).unwrap().unwrap();
        assert_eq!(
            (found.name.as_str(), found.role.as_str()),
            ("ci", "operator")
        );
        assert!(s.tokens().unwrap()[0].last_used_ms.is_some());
        assert!(s.revoke_token("ci").unwrap());
        assert!(!s.revoke_token("ci").unwrap());
        assert!(s.use_token(&[1; 32], now).unwrap().is_none(), "revoked");
        // The name is free again, and the limit counts live tokens only.
        s.insert_token("ci", "operator", &[5; 32], now, 2).unwrap();
        assert_eq!(s.token_count().unwrap(), 3);
        assert!(s.insert_token("bad", "root", &[6; 32], now, 9).is_err());
    }
}
