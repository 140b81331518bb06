//! What the telephony runtime knows of the human agents: how each one's phone proves who it
//! is (a digest secret) and where it is reached when it has not registered (a fixed URI),
//! and the changes the contact center sends while running (an agent added, changed or
//! removed through the API).
//!
//! Owns: the secret's forms. Secrets never appear in `Debug` output or logs.

use sip::auth::Algorithm;

/// How an agent's phone authenticates.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// A password from the configuration file.
    Password(String),
    /// Only the digest hashes of a password (`HA1 = H(user:realm:password)`) for one realm:
    /// what the store keeps for agents added through the API.
    Hashed {
        /// The realm the hashes were made for (a changed `sip.realm` voids them).
        realm: String,
        /// HA1 with MD5 (for `MD5` and `MD5-sess`).
        md5: String,
        /// HA1 with SHA-256 (for `SHA-256` and `SHA-256-sess`).
        sha256: String,
    },
}

impl Secret {
    /// The hashes of `password` for `user` in `realm`.
    pub fn hashed(user: &str, realm: &str, password: &str) -> Secret {
        let (md5, sha256) = digest_hashes(user, realm, password);
        Secret::Hashed {
            realm: realm.to_owned(),
            md5,
            sha256,
        }
    }

    /// The HA1 to check credentials of `algorithm` against in `realm`; `None` when the
    /// hashes were made for another realm.
    pub(crate) fn ha1(&self, user: &str, realm: &str, algorithm: Algorithm) -> Option<String> {
        match self {
            Secret::Password(p) => Some(algorithm.ha1(user, realm, p)),
            Secret::Hashed {
                realm: made_in,
                md5,
                sha256,
            } => (made_in == realm).then(|| match algorithm {
                Algorithm::Md5 | Algorithm::Md5Sess => md5.clone(),
                _ => sha256.clone(),
            }),
        }
    }
}

/// `HA1 = H(user:realm:password)` with MD5 and with SHA-256, hex.
pub fn digest_hashes(user: &str, realm: &str, password: &str) -> (String, String) {
    (
        Algorithm::Md5.ha1(user, realm, password),
        Algorithm::Sha256.ha1(user, realm, password),
    )
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Secret::Password(_) => "Secret::Password(..)",
            Secret::Hashed { .. } => "Secret::Hashed(..)",
        })
    }
}

/// One agent as telephony needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentPhone {
    /// The agent's id: its SIP user name.
    pub id: String,
    /// How its phone registers (`None`: it does not register).
    pub secret: Option<Secret>,
    /// Its fixed address, if any.
    pub uri: Option<String>,
}

/// A change to the agents while running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentChange {
    /// Added, or changed (its bindings stay when the secret is unchanged).
    Upsert(AgentPhone),
    /// Removed: its registrations are dropped and it is no longer rung.
    Remove(String),
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hashes_match_the_password_in_their_realm_only() {
        let plain = Secret::Password("correct horse".into());
        let hashed = Secret::hashed("alice", "voxgate", "correct horse");
        for alg in [
            Algorithm::Md5,
            Algorithm::Md5Sess,
            Algorithm::Sha256,
            Algorithm::Sha256Sess,
        ] {
            assert_eq!(
                hashed.ha1("alice", "voxgate", alg),
                plain.ha1("alice", "voxgate", alg)
            );
        }
        assert_eq!(hashed.ha1("alice", "other", Algorithm::Md5), None);
        assert!(!format!("{hashed:?}{plain:?}").contains("horse"));
    }
}
