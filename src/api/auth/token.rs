//! API tokens: `vg_` and 64 hex digits (32 bytes from the OS RNG), stored as their SHA-256
//! (right for a 256-bit random secret: no salt or slow hash is needed, nothing to guess), and
//! compared in constant time. Roles say what a token may do. Owns the token format, the
//! roles and the first admin token; the table is `store::tokens`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError};

/// The prefix of every token (so secret scanners and people recognise one).
pub const TOKEN_PREFIX: &str = "vg_";
/// The file in the data directory the first admin token is written to.
pub const ADMIN_TOKEN_FILE: &str = "admin-token";
/// The longest token name.
pub const MAX_NAME_LEN: usize = 64;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Role {
    /// Everything, token management included.
    Admin,
    /// Questions, knowledge documents and search (and the demo webhook).
    Operator,
    /// `GET /metrics` only (for Prometheus).
    Metrics,
    /// `/demo/*` only: the gateway's own per-process token for its demo tool; never stored.
    Webhook,
    /// A human agent: the token's name is the agent's id; it sees the agents and queues,
    /// sets its own presence, reads and disposes of its own calls and watches its own calls'
    /// events (see `auth::agent_may`).
    Agent,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Metrics => "metrics",
            Role::Webhook => "webhook",
            Role::Agent => "agent",
        }
    }

    /// A role that may be stored (`admin`, `operator`, `metrics`, `agent`).
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "operator" => Some(Role::Operator),
            "metrics" => Some(Role::Metrics),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }
}

/// Why a token could not be made or stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The OS random number generator failed.
    #[error("the OS random number generator failed: {0}")]
    Random(String),
    /// A name that is empty, too long or not `[A-Za-z0-9._-]`.
    #[error("a token name is 1 to {MAX_NAME_LEN} letters, digits, `.`, `_` or `-`")]
    BadName,
    /// The store refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The admin token file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A new random token.
pub fn generate() -> Result<String, TokenError> {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| TokenError::Random(e.to_string()))?;
    let mut token = String::from(TOKEN_PREFIX);
    for b in bytes {
        let _ = write!(token, "{b:02x}");
    }
    Ok(token)
}

/// The stored form of a token.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Equality whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Checks a token name.
pub fn check_name(name: &str) -> Result<(), TokenError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok { Ok(()) } else { Err(TokenError::BadName) }
}

/// Creates a token named `name` with `role` and returns it (the only time it is seen).
pub fn create(store: &Store, name: &str, role: Role, limit: usize) -> Result<String, TokenError> {
    check_name(name)?;
    let token = generate()?;
    store.insert_token(name, role.as_str(), &hash(&token), SystemTime::now(), limit)?;
    Ok(token)
}

/// On an install that never had a token: creates the admin token `admin`, writes it to
/// `data_dir/admin-token` (mode 0600, created new) and returns it, for the caller to show
/// once. `None` when tokens exist (revoked ones count: revoking every token is a choice
/// `voxgate tokens create` undoes, not a reason to mint a new admin token).
pub fn ensure_admin(store: &Store, data_dir: &Path) -> Result<Option<String>, TokenError> {
    if store.token_count()? > 0 {
        return Ok(None);
    }
    let token = generate()?;
    let path = data_dir.join(ADMIN_TOKEN_FILE);
    write_private(&path, &format!("{token}\n"))?;
    let stored = store.insert_token("admin", "admin", &hash(&token), SystemTime::now(), 1);
    if let Err(e) = stored {
        let _ = std::fs::remove_file(&path);
        return Err(e.into());
    }
    Ok(Some(token))
}

/// Writes `text` to a new file only its owner may read (replacing a stale one).
fn write_private(path: &Path, text: &str) -> Result<(), TokenError> {
    let err = |source| TokenError::File {
        path: path.to_path_buf(),
        source,
    };
    let _ = std::fs::remove_file(path);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(err)?;
    f.write_all(text.as_bytes()).map_err(err)?;
    f.sync_all().map_err(err)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::CallerPolicy;

    #[test]
    fn tokens_are_random_prefixed_hex_and_hash_to_sha256() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 64);
        assert!(a[3..].chars().all(|c| c.is_ascii_hexdigit()));
        // FIPS 180-2 vector: SHA-256("abc").
        let abc = hash("abc");
        assert_eq!(abc[..4], [0xba, 0x78, 0x16, 0xbf]);
        assert!(constant_time_eq(&abc, &hash("abc")));
        assert!(!constant_time_eq(&abc, &hash("abd")));
    }

    #[test]
    fn the_first_admin_token_is_made_once_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_memory(CallerPolicy::Redact).unwrap();
        let token = ensure_admin(&store, dir.path()).unwrap().unwrap();
        let path = dir.path().join(ADMIN_TOKEN_FILE);
        assert_eq!(std::fs::read_to_string(&path).unwrap().trim(), token);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let found = store.use_token(&hash(&token), SystemTime::now()).unwrap();
        assert_eq!(found.unwrap().role, "admin");
        assert!(ensure_admin(&store, dir.path()).unwrap().is_none());
        assert!(check_name("ci-bot.1").is_ok() && check_name("a b").is_err());
    }
}
