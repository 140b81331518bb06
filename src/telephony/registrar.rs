//! The registrar (RFC 3261 §10.3) for the human agents' SIP phones: REGISTER always needs
//! digest credentials of a configured agent (from any source, trusted or not), the address
//! of record is the agent's own (`To` user = digest user), and each agent keeps at most
//! [`MAX_CONTACTS`] bindings, each with its expiry, its Call-ID/CSeq, and the source it
//! registered from (where INVITEs go: the phone's NAT binding or TCP connection).
//!
//! Sans-IO: requests and `now` in; a response and reachability events out; expiries are
//! timers returned by [`Registrar::poll_timeout`]. Owns: the bindings. Must not touch:
//! sockets, the transaction layer, calls, the router (it hears of reachability as events).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use sip::auth::{AuthError, Credentials, DigestServer, ServerConfig};
use sip::{Contact, HeaderName, NameAddr, Peer, Request, Response, StatusCode};

/// Bindings one agent may hold (phones, softphones); one more is refused with 403.
pub(crate) const MAX_CONTACTS: usize = 5;
/// The shortest registration accepted (RFC 3261 recommends one hour by default; phones
/// refresh at about half the granted time).
pub(crate) const MIN_EXPIRES: u32 = 60;
/// The longest registration granted; longer requests are shortened.
pub(crate) const MAX_EXPIRES: u32 = 3600;

/// One agent who may register.
#[derive(Clone)]
pub(crate) struct Registrant {
    /// The digest user name and address-of-record user part.
    pub(crate) user: String,
    /// How its phone proves who it is.
    pub(crate) secret: super::agents::Secret,
}

impl std::fmt::Debug for Registrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registrant")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Where an agent's phone can be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding {
    /// The Contact URI (the Request-URI of INVITEs to it).
    pub(crate) uri: sip::Uri,
    /// Where the REGISTER came from: INVITEs are sent there (NAT, TCP connections).
    pub(crate) source: Peer,
    /// When the binding ends.
    pub(crate) expires: Instant,
    call_id: String,
    cseq: u32,
    /// When it was last refreshed (the most recent binding is rung).
    refreshed: Instant,
}

/// What the registrar reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RegistrarEvent {
    /// An agent's reachability changed: it now has `contacts` bindings (0: unreachable).
    Changed { user: String, contacts: usize },
}

/// How a REGISTER went, for the source policy and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Bindings updated (or fetched).
    Ok,
    /// Challenged (no or stale credentials).
    Challenged,
    /// Wrong credentials or an address of record that is not the user's: a strike.
    AuthFailed,
    /// Refused for its content (expiry, too many contacts, bad Contact, old CSeq).
    Refused,
}

/// The registrar. See the module documentation.
pub(crate) struct Registrar {
    users: Vec<Registrant>,
    digest: DigestServer,
    bindings: BTreeMap<String, Vec<Binding>>,
    events: VecDeque<RegistrarEvent>,
}

impl Registrar {
    /// A registrar for `users` in `realm`, challenging with `algorithms` in that order (the
    /// defaults when empty); `secret` keys the nonces.
    pub(crate) fn new(
        users: Vec<Registrant>,
        (realm, algorithms): (String, Vec<sip::auth::Algorithm>),
        secret: [u8; 32],
        now: Instant,
    ) -> Registrar {
        let mut config = ServerConfig::default();
        if !algorithms.is_empty() {
            config.algorithms = algorithms;
        }
        Registrar {
            users,
            digest: DigestServer::new(realm, secret, config, now),
            bindings: BTreeMap::new(),
            events: VecDeque::new(),
        }
    }

    /// Adds `user` or changes its secret (its bindings stay).
    pub(crate) fn upsert(&mut self, user: Registrant) {
        match self.users.iter_mut().find(|u| u.user == user.user) {
            Some(u) => *u = user,
            None => self.users.push(user),
        }
    }

    /// Removes `user` and its bindings (reported as unreachable when it had any).
    pub(crate) fn remove(&mut self, user: &str) {
        self.users.retain(|u| u.user != user);
        if self.bindings.remove(user).is_some_and(|b| !b.is_empty()) {
            self.events.push_back(RegistrarEvent::Changed {
                user: user.to_owned(),
                contacts: 0,
            });
        }
    }

    /// Whether `user` may register.
    pub(crate) fn knows(&self, user: &str) -> bool {
        self.users.iter().any(|u| u.user == user)
    }

    /// Whether any agent may register (else REGISTER is not a method voxgate serves).
    pub(crate) fn serves(&self) -> bool {
        !self.users.is_empty()
    }

    /// Answers a REGISTER from `source`; `tag` is the To tag of the answer.
    pub(crate) fn handle(
        &mut self,
        now: Instant,
        req: &Request,
        source: Peer,
        tag: &str,
    ) -> (Response, Verdict) {
        let user = match self.authenticate(now, req) {
            Ok(user) => user,
            Err(AuthError::StaleNonce) => {
                return (self.challenge(now, req, tag, true), Verdict::Challenged);
            }
            Err(AuthError::MissingField(_) | AuthError::UnsupportedScheme(_))
                if no_credentials(req) =>
            {
                return (self.challenge(now, req, tag, false), Verdict::Challenged);
            }
            Err(_) => {
                let resp = Response::for_request(req, StatusCode::FORBIDDEN).with_to_tag(tag);
                return (resp, Verdict::AuthFailed);
            }
        };
        let answer = match self.update(now, req, &user, source) {
            Ok(()) => (self.ok(now, req, &user, tag), Verdict::Ok),
            Err(resp) => (*resp, Verdict::Refused),
        };
        answer.map_tag(tag)
    }

    /// The user whose valid credentials `req` carries, whose address of record it is.
    fn authenticate(&mut self, now: Instant, req: &Request) -> Result<String, AuthError> {
        let value = req
            .head
            .headers
            .get(&HeaderName::Authorization)
            .ok_or(AuthError::MissingField("Authorization"))?;
        let creds: Credentials = value.parse()?;
        let user = self
            .users
            .iter()
            .find(|u| u.user == creds.username)
            .ok_or(AuthError::BadResponse)?;
        let ha1 = user
            .secret
            .ha1(&creds.username, self.digest.realm(), creds.algorithm)
            .ok_or(AuthError::BadResponse)?;
        let verified = self.digest.verify_ha1(now, "REGISTER", &creds, &ha1)?;
        let aor = sip::sip_user(&req.head.to.uri);
        if aor.as_deref() != Some(verified.username.as_str()) {
            return Err(AuthError::BadResponse);
        }
        tracing::debug!(user = %verified.username, algorithm = %creds.algorithm, "agent phone authenticated");
        Ok(verified.username)
    }

    fn challenge(&mut self, now: Instant, req: &Request, tag: &str, stale: bool) -> Response {
        self.digest.challenge(now, stale).into_iter().fold(
            Response::for_request(req, StatusCode::UNAUTHORIZED).with_to_tag(tag),
            |resp, c| resp.with_header(HeaderName::WwwAuthenticate, c.to_string()),
        )
    }

    /// Applies the REGISTER's Contacts to `user`'s bindings (RFC 3261 §10.3 steps 6–8).
    fn update(
        &mut self,
        now: Instant,
        req: &Request,
        user: &str,
        source: Peer,
    ) -> Result<(), Box<Response>> {
        let refuse = |status: StatusCode| Box::new(Response::for_request(req, status));
        let contacts = req
            .head
            .contacts()
            .map_err(|_| refuse(StatusCode::BAD_REQUEST))?;
        let header_expires = match req.head.headers.get(&HeaderName::Expires) {
            Some(v) => {
                Some(sip::parse_delta_seconds(v).map_err(|_| refuse(StatusCode::BAD_REQUEST))?)
            }
            None => None,
        };
        let (call_id, cseq) = (req.head.call_id.clone(), req.head.cseq.seq);
        let before = self.bindings.get(user).map_or(0, Vec::len);
        let list = self.bindings.entry(user.to_owned()).or_default();
        if contacts.contains(&Contact::Star) {
            if contacts.len() != 1 || header_expires != Some(0) {
                return Err(refuse(StatusCode::BAD_REQUEST));
            }
            if list.iter().any(|b| b.call_id == call_id && b.cseq >= cseq) {
                return Err(refuse(StatusCode::SERVER_INTERNAL_ERROR));
            }
            list.clear();
        }
        let mut wanted = Vec::new();
        for c in &contacts {
            let Contact::Addr(addr) = c else { continue };
            let expires = contact_expires(addr, header_expires)
                .ok_or_else(|| refuse(StatusCode::BAD_REQUEST))?;
            if expires != 0 && expires < MIN_EXPIRES {
                let mut resp = Response::for_request(req, StatusCode::INTERVAL_TOO_BRIEF);
                resp = resp.with_header(HeaderName::MinExpires, MIN_EXPIRES.to_string());
                return Err(Box::new(resp));
            }
            wanted.push((addr.uri.clone(), expires.min(MAX_EXPIRES)));
        }
        if wanted.iter().any(|(uri, _)| {
            list.iter()
                .any(|b| b.uri == *uri && b.call_id == call_id && b.cseq >= cseq)
        }) {
            return Err(refuse(StatusCode::SERVER_INTERNAL_ERROR));
        }
        let mut next = list.clone();
        for (uri, expires) in wanted {
            next.retain(|b| b.uri != uri);
            if expires > 0 {
                next.push(Binding {
                    uri,
                    source,
                    expires: now + Duration::from_secs(u64::from(expires)),
                    call_id: call_id.clone(),
                    cseq,
                    refreshed: now,
                });
            }
        }
        if next.len() > MAX_CONTACTS {
            return Err(refuse(StatusCode::FORBIDDEN));
        }
        *list = next;
        let after = list.len();
        if after == 0 {
            self.bindings.remove(user);
        }
        if (before == 0) != (after == 0) || before != after {
            self.events.push_back(RegistrarEvent::Changed {
                user: user.to_owned(),
                contacts: after,
            });
        }
        Ok(())
    }

    /// 200 with every current binding and its remaining time.
    fn ok(&self, now: Instant, req: &Request, user: &str, tag: &str) -> Response {
        let mut resp = Response::for_request(req, StatusCode::OK).with_to_tag(tag);
        for b in self.bindings.get(user).into_iter().flatten() {
            let left = b.expires.saturating_duration_since(now).as_secs();
            resp = resp.with_header(HeaderName::Contact, format!("<{}>;expires={left}", b.uri));
        }
        resp
    }

    /// Drops the bindings that have expired at `now`.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        let mut changed = Vec::new();
        for (user, list) in &mut self.bindings {
            let before = list.len();
            list.retain(|b| b.expires > now);
            if list.len() != before {
                changed.push((user.clone(), list.len()));
            }
        }
        self.bindings.retain(|_, l| !l.is_empty());
        for (user, contacts) in changed {
            self.events
                .push_back(RegistrarEvent::Changed { user, contacts });
        }
    }

    /// When the next binding expires.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.bindings.values().flatten().map(|b| b.expires).min()
    }

    /// The next event (drain after every input).
    pub(crate) fn poll_event(&mut self) -> Option<RegistrarEvent> {
        self.events.pop_front()
    }

    /// Where to ring `user` now: the most recently refreshed binding.
    /// Every binding of `user`, the most recently refreshed first (all of them are rung).
    pub(crate) fn bindings_of(&self, user: &str) -> Vec<&Binding> {
        let mut all: Vec<&Binding> = self
            .bindings
            .get(user)
            .map(|b| b.iter().collect())
            .unwrap_or_default();
        all.sort_by_key(|b| std::cmp::Reverse(b.refreshed));
        all
    }

    /// The most recently refreshed binding of `user`.
    #[cfg(test)]
    pub(crate) fn lookup(&self, user: &str) -> Option<&Binding> {
        self.bindings.get(user)?.iter().max_by_key(|b| b.refreshed)
    }

    /// How many bindings `user` has.
    #[cfg(test)]
    pub(crate) fn contacts(&self, user: &str) -> usize {
        self.bindings.get(user).map_or(0, Vec::len)
    }
}

/// Whether `req` carries no Authorization at all.
fn no_credentials(req: &Request) -> bool {
    !req.head.headers.contains(&HeaderName::Authorization)
}

/// A Contact's requested expiry: its `expires` parameter, else the Expires header, else
/// one hour (RFC 3261 §10.2.1.1); `None` when the parameter is not a number.
fn contact_expires(addr: &NameAddr, header: Option<u32>) -> Option<u32> {
    match addr.params.get("expires") {
        Some(Some(v)) => sip::parse_delta_seconds(v).ok(),
        Some(None) => None,
        None => Some(header.unwrap_or(MAX_EXPIRES)),
    }
}

/// Gives a response the To tag it lacks (refusals built before the tag was known).
trait MapTag {
    fn map_tag(self, tag: &str) -> Self;
}

impl MapTag for (Response, Verdict) {
    fn map_tag(self, tag: &str) -> Self {
        let (resp, v) = self;
        if resp.head.to.tag().is_some() {
            (resp, v)
        } else {
            (resp.with_to_tag(tag), v)
        }
    }
}

#[cfg(test)]
#[path = "registrar_tests.rs"]
mod tests;
