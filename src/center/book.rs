//! Agents added, changed and removed while running (the API; the store keeps them across
//! restarts): the router learns the agent's skills and languages, telephony its phone's
//! secret and fixed address. Agents of the configuration file are not changed here: the file
//! is their source of truth.

use std::time::Instant;

use router::AgentSpec;

use super::Service;
use crate::telephony::{AgentChange, AgentPhone, Secret};

/// An agent to add or change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentEntry {
    /// Its id (its SIP user name).
    pub id: String,
    /// How it is shown.
    pub name: Option<String>,
    /// Its skills.
    pub skills: Vec<String>,
    /// Its languages (empty: any).
    pub languages: Vec<String>,
    /// Its fixed SIP address.
    pub uri: Option<String>,
    /// How its phone registers.
    pub secret: Option<Secret>,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    /// The agent is defined in the configuration file.
    #[error("agent `{0}` is defined in the configuration file; change it there")]
    Configured(String),
    /// No such agent.
    #[error("no agent `{0}`")]
    Unknown(String),
    /// The contact center stopped.
    #[error("the contact center stopped")]
    Stopped,
}

impl AgentEntry {
    /// The entry of an agent the store kept.
    pub fn from_stored(a: crate::store::StoredAgent) -> AgentEntry {
        AgentEntry {
            id: a.id,
            name: a.name,
            skills: a.skills,
            languages: a.languages,
            uri: a.uri,
            secret: a.hashes.map(|h| Secret::Hashed {
                realm: h.realm,
                md5: h.md5,
                sha256: h.sha256,
            }),
        }
    }
}

/// The hashes of `password` for agent `id` in `realm`, as stored.
pub fn hashes(id: &str, realm: &str, password: &str) -> crate::store::StoredHashes {
    let (md5, sha256) = crate::telephony::digest_hashes(id, realm, password);
    crate::store::StoredHashes {
        realm: realm.to_owned(),
        md5,
        sha256,
    }
}

impl Service {
    /// Adds or changes `entry`: a fixed address makes it reachable and available at once
    /// (as at start); a phone that registers logs it in when it does.
    pub(super) fn upsert(&mut self, now: Instant, entry: AgentEntry) -> Result<(), BookError> {
        if self.configured.contains(&entry.id) {
            return Err(BookError::Configured(entry.id));
        }
        let id = entry.id.clone();
        self.router.upsert_agent(
            now,
            AgentSpec {
                id: id.clone(),
                skills: entry.skills,
                languages: entry.languages,
            },
        );
        self.names
            .insert(id.clone(), entry.name.unwrap_or_else(|| id.clone()));
        if entry.uri.is_some() {
            super::reach(&mut self.router, now, &id, true);
        }
        self.tell_phones(AgentChange::Upsert(AgentPhone {
            id,
            secret: entry.secret,
            uri: entry.uri,
        }));
        Ok(())
    }

    /// Removes agent `id` (on a call, it keeps the call and goes when it ends).
    pub(super) fn remove(&mut self, now: Instant, id: &str) -> Result<(), BookError> {
        if self.configured.contains(id) {
            return Err(BookError::Configured(id.to_owned()));
        }
        self.router
            .remove_agent(now, id)
            .map_err(|_| BookError::Unknown(id.to_owned()))?;
        self.names.remove(id);
        self.tell_phones(AgentChange::Remove(id.to_owned()));
        Ok(())
    }

    fn tell_phones(&self, change: AgentChange) {
        let Some(tx) = &self.phone_book else {
            return;
        };
        if tx.try_send(change).is_err() {
            tracing::warn!("telephony is behind: an agent change was not applied to phones");
        }
    }
}
