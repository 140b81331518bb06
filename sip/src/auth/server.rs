//! Server side: issuing challenges and verifying credentials.
//!
//! Nonces are stateless to verify: each one is
//! `hex(seconds since server start, 4 bytes) ‖ hex(salt counter, 8 bytes) ‖
//! hex(HMAC-SHA256(secret, tag ‖ seconds ‖ salt ‖ realm)[..16])`, so the
//! server only needs memory for nonce-counts of nonces actually used.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use super::digest::{DigestInput, ct_eq, hmac_sha256, unhex_into};
use super::{Algorithm, AuthError, Challenge, Credentials, Qop};

/// Domain separation for the nonce MAC.
const NONCE_TAG: &[u8] = b"voxgate-sip digest nonce v1\0";
const TS_LEN: usize = 4;
const SALT_LEN: usize = 8;
const MAC_LEN: usize = 16;
const NONCE_HEX_LEN: usize = 2 * (TS_LEN + SALT_LEN + MAC_LEN);

/// Settings for a [`DigestServer`]. Start from [`ServerConfig::default`]
/// and change fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// How long a nonce is accepted after it was issued (default 300 s).
    pub nonce_lifetime: Duration,
    /// Algorithms offered, one challenge each, most preferred first
    /// (default SHA-256 then MD5, as RFC 8760 §2.4 recommends). Credentials
    /// using an algorithm not listed are rejected.
    pub algorithms: Vec<Algorithm>,
    /// Act as a proxy: 407 with `Proxy-Authenticate` / `Proxy-Authorization`
    /// instead of 401 with `WWW-Authenticate` / `Authorization`.
    pub proxy: bool,
    /// Upper bound on nonces whose nonce-count is remembered (default 4096).
    pub max_tracked_nonces: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            nonce_lifetime: Duration::from_secs(300),
            algorithms: vec![Algorithm::Sha256, Algorithm::Md5],
            proxy: false,
            max_tracked_nonces: 4096,
        }
    }
}

/// What a successful [`DigestServer::verify`] established.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The authenticated user name.
    pub username: String,
    /// The algorithm the client used.
    pub algorithm: Algorithm,
    /// The qop the client used (`None`: RFC 2069 form, nonce now spent).
    pub qop: Option<Qop>,
}

/// Nonce-count bookkeeping for one used nonce.
#[derive(Debug, Clone, Copy)]
struct Used {
    issued: u32,
    last_nc: u32,
    without_qop: bool,
}

/// Sans-IO Digest authentication server for one realm (qop `auth`).
///
/// Time is passed in as [`Instant`]s and nonces are derived from `secret`
/// and a counter, so the server reads no clock and uses no RNG. `secret`
/// must be 32 random bytes, fresh for every `DigestServer`: nonces carry
/// timestamps relative to the server's creation, so reusing a secret across
/// instances would let old nonces look fresh.
///
/// The caller must still check that [`Credentials::uri`] matches the
/// request's Request-URI, and that [`Credentials::username`] is the user
/// whose password or HA1 it passes in.
pub struct DigestServer {
    realm: String,
    secret: [u8; 32],
    config: ServerConfig,
    epoch: Instant,
    next_salt: u64,
    /// Used nonces by salt. Salts below `floor` that are not present were
    /// evicted while still live and are refused as stale.
    used: BTreeMap<u64, Used>,
    floor: u64,
}

impl fmt::Debug for DigestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestServer")
            .field("realm", &self.realm)
            .field("config", &self.config)
            .field("tracked_nonces", &self.used.len())
            .finish_non_exhaustive()
    }
}

impl DigestServer {
    /// A server for `realm`, created at `now`.
    #[must_use]
    pub fn new(
        realm: impl Into<String>,
        secret: [u8; 32],
        config: ServerConfig,
        now: Instant,
    ) -> Self {
        Self {
            realm: realm.into(),
            secret,
            config,
            epoch: now,
            next_salt: 0,
            used: BTreeMap::new(),
            floor: 0,
        }
    }

    /// The realm this server authenticates for.
    #[must_use]
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// How many nonces' nonce-counts are remembered (at most `max_tracked_nonces`).
    #[must_use]
    pub fn tracked_nonces(&self) -> usize {
        self.used.len()
    }

    /// Whether this server acts as a proxy (407 / Proxy-Authenticate).
    pub(super) fn is_proxy(&self) -> bool {
        self.config.proxy
    }

    /// A stand-in HA1 for a user name nobody configured, derived from the secret so that
    /// no client can compute a matching response, and verified like a real one so that
    /// an unknown name costs and answers the same as a wrong password.
    pub(super) fn unknown_user_ha1(&self, username: &str) -> String {
        const TAG: &[u8] = b"voxgate-sip unknown user\0";
        super::digest::hex(&hmac_sha256(&self.secret, &[TAG, username.as_bytes()]))
    }

    /// Status for a challenge response: 401, or 407 when acting as a proxy.
    #[must_use]
    pub fn challenge_status(&self) -> u16 {
        if self.config.proxy { 407 } else { 401 }
    }

    /// Status for rejecting a request with `err`: [`AuthError::status_code`],
    /// with 401 turned into 407 when acting as a proxy.
    #[must_use]
    pub fn status_for(&self, err: &AuthError) -> u16 {
        match err.status_code() {
            401 => self.challenge_status(),
            other => other,
        }
    }

    /// Header carrying the challenges: `WWW-Authenticate` or
    /// `Proxy-Authenticate`.
    #[must_use]
    pub fn challenge_header(&self) -> &'static str {
        if self.config.proxy {
            "Proxy-Authenticate"
        } else {
            "WWW-Authenticate"
        }
    }

    /// Header carrying the credentials: `Authorization` or
    /// `Proxy-Authorization`.
    #[must_use]
    pub fn credentials_header(&self) -> &'static str {
        if self.config.proxy {
            "Proxy-Authorization"
        } else {
            "Authorization"
        }
    }

    /// Fresh challenges, one per configured algorithm in order, each with its
    /// own nonce and `qop="auth"`. Set `stale` after [`AuthError::StaleNonce`].
    pub fn challenge(&mut self, now: Instant, stale: bool) -> Vec<Challenge> {
        let algorithms = self.config.algorithms.clone();
        algorithms
            .into_iter()
            .map(|algorithm| Challenge {
                realm: self.realm.clone(),
                nonce: self.issue_nonce(now),
                opaque: None,
                algorithm,
                qop: vec![Qop::Auth],
                stale,
                domain: None,
                other: Vec::new(),
            })
            .collect()
    }

    /// Verifies `creds` for a request with `method` against the user's
    /// plain-text `password`.
    ///
    /// # Errors
    ///
    /// As [`verify_ha1`](Self::verify_ha1).
    pub fn verify(
        &mut self,
        now: Instant,
        method: &str,
        creds: &Credentials,
        password: &str,
    ) -> Result<Verified, AuthError> {
        let ha1 = creds.algorithm.ha1(&creds.username, &self.realm, password);
        self.verify_ha1(now, method, creds, &ha1)
    }

    /// Verifies `creds` against a stored `ha1` =
    /// [`Algorithm::ha1`]`(username, realm, password)` computed with the hash
    /// of `creds.algorithm` (MD5 or SHA-256).
    ///
    /// Checks, in order: algorithm offered and qop supported, realm, nonce
    /// MAC ([`AuthError::InvalidNonce`]), the digest
    /// ([`AuthError::BadResponse`], compared in constant time), nonce age
    /// ([`AuthError::StaleNonce`], only reported for a correct digest, as
    /// RFC 2617 §3.2.1 asks), and finally that the nonce-count increased
    /// ([`AuthError::Replay`]). Only a successful call records the
    /// nonce-count. Credentials without qop spend their nonce.
    ///
    /// # Errors
    ///
    /// [`AuthError::UnsupportedAlgorithm`], [`AuthError::UnsupportedQop`],
    /// [`AuthError::RealmMismatch`], [`AuthError::InvalidNonce`],
    /// [`AuthError::MissingField`] (qop without `nc`/`cnonce`, `-sess`
    /// without `cnonce`), [`AuthError::BadResponse`],
    /// [`AuthError::StaleNonce`] (also for a live nonce whose nonce-count
    /// had to be forgotten to respect `max_tracked_nonces`), and
    /// [`AuthError::Replay`]. Answer with [`challenge`](Self::challenge)
    /// (`stale` set for `StaleNonce`) and [`status_for`](Self::status_for).
    pub fn verify_ha1(
        &mut self,
        now: Instant,
        method: &str,
        creds: &Credentials,
        ha1: &str,
    ) -> Result<Verified, AuthError> {
        if !self.config.algorithms.contains(&creds.algorithm) {
            return Err(AuthError::UnsupportedAlgorithm(creds.algorithm.to_string()));
        }
        if let Some(Qop::AuthInt) = creds.qop {
            return Err(AuthError::UnsupportedQop(Qop::AuthInt.to_string()));
        }
        if creds.realm != self.realm {
            return Err(AuthError::RealmMismatch(creds.realm.clone()));
        }
        let (issued, salt) = self
            .open_nonce(&creds.nonce)
            .ok_or(AuthError::InvalidNonce)?;
        let expected = DigestInput {
            algorithm: creds.algorithm,
            ha1: &ha1.to_ascii_lowercase(),
            nonce: &creds.nonce,
            cnonce: creds.cnonce.as_deref(),
            nc: creds.nc,
            qop: creds.qop,
            method,
            uri: &creds.uri,
        }
        .response()?;
        if !ct_eq(
            expected.as_bytes(),
            creds.response.to_ascii_lowercase().as_bytes(),
        ) {
            return Err(AuthError::BadResponse);
        }
        let now_secs = self.secs(now);
        if self.expired(issued, now_secs) {
            return Err(AuthError::StaleNonce);
        }
        self.record_use(now_secs, issued, salt, creds.qop.and(creds.nc))?;
        Ok(Verified {
            username: creds.username.clone(),
            algorithm: creds.algorithm,
            qop: creds.qop,
        })
    }

    fn secs(&self, now: Instant) -> u32 {
        let secs = now.saturating_duration_since(self.epoch).as_secs();
        u32::try_from(secs).unwrap_or(u32::MAX)
    }

    fn expired(&self, issued: u32, now_secs: u32) -> bool {
        Duration::from_secs(u64::from(now_secs.saturating_sub(issued))) > self.config.nonce_lifetime
    }

    fn mac(&self, issued: u32, salt: u64) -> [u8; MAC_LEN] {
        let full = hmac_sha256(
            &self.secret,
            &[
                NONCE_TAG,
                &issued.to_be_bytes(),
                &salt.to_be_bytes(),
                self.realm.as_bytes(),
            ],
        );
        let mut out = [0u8; MAC_LEN];
        out.copy_from_slice(&full[..MAC_LEN]);
        out
    }

    fn issue_nonce(&mut self, now: Instant) -> String {
        let issued = self.secs(now);
        let salt = self.next_salt;
        self.next_salt += 1;
        let mac = self.mac(issued, salt);
        format!("{issued:08x}{salt:016x}{}", super::digest::hex(&mac))
    }

    /// `(issued, salt)` if `nonce` is well-formed and carries our MAC.
    fn open_nonce(&self, nonce: &str) -> Option<(u32, u64)> {
        if nonce.len() != NONCE_HEX_LEN || !nonce.is_ascii() {
            return None;
        }
        let (mut ts, mut salt, mut mac) = ([0u8; TS_LEN], [0u8; SALT_LEN], [0u8; MAC_LEN]);
        unhex_into(&nonce[..2 * TS_LEN], &mut ts)?;
        unhex_into(&nonce[2 * TS_LEN..2 * (TS_LEN + SALT_LEN)], &mut salt)?;
        unhex_into(&nonce[2 * (TS_LEN + SALT_LEN)..], &mut mac)?;
        let (issued, salt) = (u32::from_be_bytes(ts), u64::from_be_bytes(salt));
        ct_eq(&self.mac(issued, salt), &mac).then_some((issued, salt))
    }

    /// Replay check and bookkeeping. `nc` is `None` for the RFC 2069 form,
    /// which may use a nonce only once.
    fn record_use(
        &mut self,
        now_secs: u32,
        issued: u32,
        salt: u64,
        nc: Option<u32>,
    ) -> Result<(), AuthError> {
        if let Some(used) = self.used.get_mut(&salt) {
            return match nc {
                Some(nc) if !used.without_qop && nc > used.last_nc => {
                    used.last_nc = nc;
                    Ok(())
                }
                _ => Err(AuthError::Replay),
            };
        }
        if salt < self.floor {
            // Its nonce-count was forgotten while the nonce was still live.
            return Err(AuthError::StaleNonce);
        }
        if nc == Some(0) {
            return Err(AuthError::Replay);
        }
        self.make_room(now_secs);
        self.used.insert(
            salt,
            Used {
                issued,
                last_nc: nc.unwrap_or(0),
                without_qop: nc.is_none(),
            },
        );
        Ok(())
    }

    /// Keeps at most `max_tracked_nonces - 1` entries before an insertion:
    /// expired nonces go first, then the oldest-issued live ones, whose
    /// salts are then refused via `floor`.
    fn make_room(&mut self, now_secs: u32) {
        let cap = self.config.max_tracked_nonces.max(1);
        if self.used.len() < cap {
            return;
        }
        // Salts are issued in time order, so expired nonces come first: popping them
        // from the front costs O(log n) each, where a full scan would cost O(n) on every
        // insertion into a full table (a flood of valid logins).
        while let Some((_, u)) = self.used.first_key_value() {
            if !self.expired(u.issued, now_secs) {
                break;
            }
            self.used.pop_first();
        }
        while self.used.len() >= cap {
            if let Some((salt, _)) = self.used.pop_first() {
                self.floor = self.floor.max(salt.saturating_add(1));
            }
        }
    }
}
