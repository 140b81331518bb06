//! Who may call: the source policy every SIP request passes before it reaches the transaction
//! layer. Sans-IO: requests, source addresses and `now` in; a verdict and log lines out.
//!
//! - **Trusted** sources (loopback by default, and every listed trunk's addresses) go through
//!   unchecked and unlimited.
//! - **Everyone else** is rate limited per source and in total, banned after repeated
//!   failures or a sustained flood, and must authenticate with SIP digest (a configured user)
//!   to start a call. The challenge (401) and the refusal (403) are sent statelessly: no
//!   transaction, so no retransmissions to amplify, no call record, no disk write. Requests
//!   inside an existing dialog or transaction (ACK, CANCEL, BYE, retransmissions) need no
//!   credentials: their dialog was authenticated when it began.
//! - Refusals are logged one line per source per interval ([`throttle`]).
//!
//! Owns: the policy and its state. Must not touch: sockets, the transaction layer, calls.

mod limiter;
mod net;
mod throttle;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use sip::auth::{AuthError, Credentials, DigestServer, ServerConfig};
use sip::{HeaderName, Method, Request, Response, StatusCode};

pub use limiter::{Blocked, LimitSettings, Limiter, Strike};
pub use net::{IpNet, IpNetError};
pub use throttle::{LogLine, LogThrottle, Refusal};

/// One user who may call from anywhere with digest authentication.
#[derive(Clone, PartialEq, Eq)]
pub struct SipUser {
    /// The digest user name.
    pub name: String,
    /// The password (the HA1 for MD5 and SHA-256 is derived from it).
    pub password: String,
}

impl std::fmt::Debug for SipUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipUser")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What the policy is configured with.
#[derive(Debug, Clone)]
pub struct AdmissionSettings {
    /// The digest realm.
    pub realm: String,
    /// Sources that need no authentication (loopback, trunks).
    pub trusted: Vec<IpNet>,
    /// Users who may authenticate.
    pub users: Vec<SipUser>,
    /// Rate limits and bans.
    pub limits: LimitSettings,
    /// One log line per source per this interval.
    pub log_interval: Duration,
    /// Digest algorithms offered, one challenge each, in this order (clients take the
    /// first they support; many, SIPp among them, only ever read the first).
    pub algorithms: Vec<sip::auth::Algorithm>,
}

/// What to do with a request.
#[derive(Debug)]
pub enum Verdict {
    /// Hand it to the transaction layer. `user` is the authenticated user, if any.
    Pass {
        /// The digest user that authenticated this request.
        user: Option<String>,
    },
    /// Answer it statelessly with this response (401 challenge or 403), for this reason.
    Answer(Box<Response>, Refusal),
    /// Drop it silently (rate limited or banned).
    Drop(Refusal),
}

/// The source policy. See the module documentation.
#[derive(Debug)]
pub struct Admission {
    trusted: Vec<IpNet>,
    users: Vec<SipUser>,
    digest: DigestServer,
    limiter: Limiter,
    log: LogThrottle,
    ban_for: Duration,
}

/// Sources whose refusals are logged separately (beyond: counted together).
const LOGGED_SOURCES: usize = 1024;

impl Admission {
    /// The policy, created at `now`; `secret` (32 random bytes) keys the digest nonces.
    pub fn new(s: AdmissionSettings, secret: [u8; 32], now: Instant) -> Admission {
        let ban_for = s.limits.ban_for;
        Admission {
            trusted: s.trusted,
            users: s.users,
            digest: DigestServer::new(s.realm, secret, digest_config(s.algorithms), now),
            limiter: Limiter::new(s.limits, now),
            log: LogThrottle::new(s.log_interval, LOGGED_SOURCES),
            ban_for,
        }
    }

    /// Whether `ip` is trusted (needs no authentication, has no rate limit).
    pub fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|n| n.contains(ip))
    }

    /// Whether `ip` is banned at `now` (for transports: refuse its connections).
    pub fn is_banned(&mut self, now: Instant, ip: IpAddr) -> bool {
        !self.is_trusted(ip) && self.limiter.banned(now, ip)
    }

    /// The verdict on `req` from `source`. `known` says the request belongs to a
    /// transaction the layer already has (a retransmission), which needs no new
    /// credentials. `to_tag` is the tag of a stateless answer.
    pub fn check(
        &mut self,
        now: Instant,
        req: &Request,
        source: IpAddr,
        known: bool,
        to_tag: &str,
    ) -> Verdict {
        if self.is_trusted(source) {
            return Verdict::Pass { user: None };
        }
        if let Err(blocked) = self.limiter.admit(now, source) {
            let reason = match blocked {
                Blocked::Banned => Refusal::Banned,
                Blocked::RateLimited => Refusal::RateLimited,
                Blocked::Overloaded => Refusal::Overloaded,
            };
            self.log.note(now, source, reason);
            if blocked == Blocked::RateLimited && self.limiter.banned(now, source) {
                self.log.banned(source, self.ban_for);
            }
            return Verdict::Drop(reason);
        }
        let new_call = req.method == Method::Invite && req.head.to.tag().is_none();
        if known || !new_call {
            return Verdict::Pass { user: None };
        }
        self.authenticate(now, req, source, to_tag)
    }

    /// A new INVITE from an untrusted source: challenge, refuse or let through.
    fn authenticate(&mut self, now: Instant, req: &Request, source: IpAddr, tag: &str) -> Verdict {
        if self.users.is_empty() {
            self.log.note(now, source, Refusal::NotAllowed);
            return answer(req, StatusCode::FORBIDDEN, tag, Refusal::NotAllowed);
        }
        let Some(value) = req.head.headers.get(&HeaderName::Authorization) else {
            self.log.note(now, source, Refusal::Challenged);
            return self.challenge(now, req, tag, false);
        };
        match self.verify(now, req, value) {
            Ok(user) => Verdict::Pass { user: Some(user) },
            Err(AuthError::StaleNonce) => self.challenge(now, req, tag, true),
            Err(AuthError::UnsupportedScheme(_)) => {
                self.log.note(now, source, Refusal::Challenged);
                self.challenge(now, req, tag, false)
            }
            Err(_) => {
                self.log.note(now, source, Refusal::AuthFailed);
                if self.limiter.failure(now, source) == Strike::Banned {
                    self.log.banned(source, self.ban_for);
                }
                answer(req, StatusCode::FORBIDDEN, tag, Refusal::AuthFailed)
            }
        }
    }

    /// Checks the credentials of `req`; the user name on success. An unknown user fails
    /// like a wrong password (403 for both: user names cannot be enumerated).
    fn verify(&mut self, now: Instant, req: &Request, value: &str) -> Result<String, AuthError> {
        let creds: Credentials = value.parse()?;
        let Some(user) = self.users.iter().find(|u| u.name == creds.username) else {
            return Err(AuthError::BadResponse);
        };
        if !uri_matches(&creds.uri, req) {
            return Err(AuthError::BadResponse);
        }
        let verified = self
            .digest
            .verify(now, req.method.as_str(), &creds, &user.password)?;
        Ok(verified.username)
    }

    fn challenge(&mut self, now: Instant, req: &Request, tag: &str, stale: bool) -> Verdict {
        let header = HeaderName::WwwAuthenticate;
        let resp = self.digest.challenge(now, stale).into_iter().fold(
            Response::for_request(req, StatusCode::UNAUTHORIZED).with_to_tag(tag),
            |resp, c| resp.with_header(header.clone(), c.to_string()),
        );
        Verdict::Answer(Box::new(resp), Refusal::Challenged)
    }

    /// Counts a failed authentication elsewhere (a REGISTER) against `source`: enough of
    /// them ban it, as failed calls do. Trusted sources are never banned.
    pub fn strike(&mut self, now: Instant, source: IpAddr) {
        if self.is_trusted(source) {
            return;
        }
        self.log.note(now, source, Refusal::AuthFailed);
        if self.limiter.failure(now, source) == Strike::Banned {
            self.log.banned(source, self.ban_for);
        }
    }

    /// The next line to log (drain after every input).
    pub fn poll_log(&mut self, now: Instant) -> Option<LogLine> {
        self.log.poll(now)
    }

    /// When a log window ends (a summary line is due).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.log.poll_timeout()
    }

    /// Sources banned now.
    pub fn bans(&self) -> usize {
        self.limiter.bans()
    }
}

fn answer(req: &Request, status: StatusCode, tag: &str, why: Refusal) -> Verdict {
    let resp = Response::for_request(req, status).with_to_tag(tag);
    Verdict::Answer(Box::new(resp), why)
}

fn digest_config(algorithms: Vec<sip::auth::Algorithm>) -> ServerConfig {
    let mut c = ServerConfig::default();
    if !algorithms.is_empty() {
        c.algorithms = algorithms;
    }
    c
}

/// Whether the digest-uri names the Request-URI (RFC 3261 §22.4 asks the server to check):
/// the same URI, or a SIP URI of the same host and port. The user part is not compared,
/// because common clients (SIPp among them) put the bare server address there; the nonce
/// count already refuses replays.
fn uri_matches(digest_uri: &str, req: &Request) -> bool {
    if digest_uri.eq_ignore_ascii_case(&req.uri.to_string()) {
        return true;
    }
    let (Ok(given), Some(target)) = (sip::Uri::parse(digest_uri), req.uri.as_sip()) else {
        return false;
    };
    given
        .as_sip()
        .is_some_and(|g| g.host == target.host && g.port == target.port)
}

#[cfg(test)]
mod tests;
