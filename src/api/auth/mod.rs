//! Who may call the API: bearer tokens with roles (see [`Role`]), checked on every route but
//! `/health`. A missing or unknown token gets 401 with `WWW-Authenticate: Bearer`, a token
//! whose role may not use the route 403, and a source with too many wrong tokens 429 with
//! `Retry-After` (see [`limiter`]). Owns the route → roles policy and the middleware; tokens
//! live in the store (`store::tokens`), hashed.

mod limiter;
mod tickets;
pub mod token;

pub use tickets::TICKET_TTL;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiState;
use super::error::ApiError;
use crate::metrics::{HttpRefusal, metrics};
use crate::store::Store;
use limiter::FailureLimiter;
pub use token::{Role, TokenError};

/// The window of the failed-authentication limit (and the length of a ban).
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

const SCRAPE: &[Role] = &[Role::Admin, Role::Metrics];
const ADMIN: &[Role] = &[Role::Admin];
const OPERATE: &[Role] = &[Role::Admin, Role::Operator];
/// Operators' paths a human agent uses too, narrowed by [`agent_may`].
const AGENT_TOO: &[Role] = &[Role::Admin, Role::Operator, Role::Agent];
const DEMO: &[Role] = &[Role::Admin, Role::Operator, Role::Webhook];
/// Unknown paths: any valid token, then 404 (scanning without a token learns nothing).
const ANY: &[Role] = &[Role::Admin, Role::Operator, Role::Metrics, Role::Webhook];

/// The roles that may use a path; `None`: anyone (`/health`).
pub fn roles_for(path: &str) -> Option<&'static [Role]> {
    let under = |p: &str| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if path == "/health" {
        return None;
    }
    let roles = if path == "/metrics" {
        SCRAPE
    } else if under("/api/v1/tokens") || under("/api/v1/audit") {
        ADMIN
    } else if under("/api/v1/agents") || under("/api/v1/human-calls") || under("/api/v1/events") {
        AGENT_TOO
    } else if path == "/api/v1/ask"
        || under("/api/v1/kb")
        || under("/api/v1/flows")
        || under("/api/v1/calls")
        || under("/api/v1/voicemails")
        || under("/api/v1/callbacks")
        || under("/api/v1/agent-states")
        || under("/api/v1/agent-report")
    {
        OPERATE
    } else if under("/demo") {
        DEMO
    } else {
        ANY
    };
    Some(roles)
}

/// What a human agent's token may do, of the paths [`AGENT_TOO`] opens: list the agents and
/// queues, set its own presence, read its calls and set their dispositions (the handlers keep
/// it to its own calls), and watch the event stream (kept to its own calls and state).
/// Adding, changing or removing agents, and anyone else's presence, it may not.
pub fn agent_may(method: &Method, path: &str, agent: &str) -> bool {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["", "api", "v1", "agents"]) => true,
        ("PUT", ["", "api", "v1", "agents", id, "presence"]) => *id == agent,
        ("GET", ["", "api", "v1", "human-calls", ..]) => parts.len() <= 5,
        ("PUT", ["", "api", "v1", "human-calls", _, "disposition"]) => true,
        ("GET", ["", "api", "v1", "events"]) => true,
        ("POST", ["", "api", "v1", "events", "ticket"]) => true,
        _ => false,
    }
}

/// Whether `caller` may use `method path` (its role among `roles`; an agent narrowed).
fn permitted(caller: &Caller, roles: &[Role], method: &Method, path: &str) -> bool {
    roles.contains(&caller.role)
        && (caller.role != Role::Agent || agent_may(method, path, &caller.name))
}

/// The authenticated caller, put in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name (`webhook` for the gateway's own demo tool).
    pub name: String,
    /// Its role.
    pub role: Role,
}

/// The token store, the gateway's own webhook token and the failure limiter.
pub(super) struct Auth {
    store: Option<Arc<Mutex<Store>>>,
    /// One-time tickets for browsers' event streams.
    pub(super) tickets: tickets::Tickets,
    webhook: Option<[u8; 32]>,
    failures: Mutex<FailureLimiter>,
    pub(super) max_tokens: usize,
}

impl Auth {
    /// Tokens from `store` (`None`: no token is valid), and `webhook`, the per-process token of
    /// the demo tool (empty: none).
    pub(super) fn new(
        store: Option<Store>,
        webhook: &str,
        failures_per_minute: u32,
        max_tokens: usize,
    ) -> Auth {
        Auth {
            store: store.map(|s| Arc::new(Mutex::new(s))),
            tickets: tickets::Tickets::default(),
            webhook: (!webhook.is_empty()).then(|| token::hash(webhook)),
            failures: Mutex::new(FailureLimiter::new(failures_per_minute, FAILURE_WINDOW)),
            max_tokens,
        }
    }

    /// Runs `f` on the store off the async workers.
    pub(super) async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let Some(store) = self.store.clone() else {
            return Err(ApiError::internal("token store", "no token store"));
        };
        tokio::task::spawn_blocking(move || {
            f(&store.lock().unwrap_or_else(PoisonError::into_inner))
        })
        .await
        .map_err(|e| ApiError::internal("token store task", e))?
    }

    /// The caller a presented token names. The store is searched by the token's SHA-256 (an
    /// index lookup's timing tells nothing about a 256-bit secret's hash prefix an attacker
    /// could choose); the found hash is then compared in constant time all the same.
    async fn lookup(&self, presented: &str) -> Result<Option<Caller>, ApiError> {
        let hash = token::hash(presented);
        if let Some(w) = &self.webhook
            && token::constant_time_eq(w, &hash)
        {
            return Ok(Some(Caller {
                name: String::from("webhook"),
                role: Role::Webhook,
            }));
        }
        if self.store.is_none() {
            return Ok(None);
        }
        let found = self
            .with_store(move |s| {
                s.use_token(&hash, SystemTime::now())
                    .map_err(|e| ApiError::internal("token lookup", e))
            })
            .await?;
        Ok(found.and_then(|t| {
            let role = Role::parse(&t.role)?;
            token::constant_time_eq(&t.hash, &hash).then_some(Caller { name: t.name, role })
        }))
    }

    fn check_source(&self, ip: IpAddr) -> Result<(), Duration> {
        let f = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        f.check(ip, Instant::now())
    }

    fn failed(&self, ip: IpAddr) {
        let r = {
            let mut f = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
            f.fail(ip, Instant::now())
        };
        if r.log {
            let limited = if r.banned {
                "; refused for a minute"
            } else {
                ""
            };
            tracing::warn!(source = %ip, "API authentication failed{limited}");
        }
    }
}

/// The bearer token of a request, if it has one.
fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The `ticket` of an event-stream request (`GET /api/v1/events?ticket=…`), if it has one:
/// the only place a ticket stands for a token.
fn stream_ticket(req: &Request) -> Option<&str> {
    if req.uri().path() != "/api/v1/events" {
        return None;
    }
    req.uri()
        .query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("ticket="))
        .filter(|t| !t.is_empty())
}

/// The source address (unspecified when the server did not say, as in router tests).
pub(super) fn source(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// The middleware: 429 for a limited source, 401 without a valid token, 403 for a role that
/// may not use the route; the caller goes into the request's extensions.
pub(super) async fn authenticate(
    State(state): State<ApiState>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(roles) = roles_for(req.uri().path()) else {
        return next.run(req).await;
    };
    let auth = state.auth();
    let ip = source(&req);
    if let Err(wait) = auth.check_source(ip) {
        metrics().http_refused(HttpRefusal::RateLimited);
        return ApiError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        }
        .into_response();
    }
    let Some(presented) = bearer(&req).map(str::to_owned) else {
        return match stream_ticket(&req).map(|t| auth.tickets.redeem(t, Instant::now())) {
            Some(Some(caller)) if permitted(&caller, roles, req.method(), req.uri().path()) => {
                req.extensions_mut().insert(caller);
                next.run(req).await
            }
            Some(_) => {
                auth.failed(ip);
                metrics().http_refused(HttpRefusal::Unauthenticated);
                ApiError::Unauthorized.into_response()
            }
            None => {
                metrics().http_refused(HttpRefusal::Unauthenticated);
                ApiError::Unauthorized.into_response()
            }
        };
    };
    let caller = match auth.lookup(&presented).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            auth.failed(ip);
            metrics().http_refused(HttpRefusal::Unauthenticated);
            return ApiError::Unauthorized.into_response();
        }
        Err(e) => return e.into_response(),
    };
    if !permitted(&caller, roles, req.method(), req.uri().path()) {
        metrics().http_refused(HttpRefusal::Forbidden);
        return ApiError::Forbidden(caller.role.as_str()).into_response();
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_gives_each_role_its_routes() {
        assert_eq!(roles_for("/health"), None);
        let may = |role: Role, path: &str| roles_for(path).is_some_and(|r| r.contains(&role));
        assert!(may(Role::Metrics, "/metrics") && !may(Role::Metrics, "/api/v1/ask"));
        assert!(may(Role::Operator, "/api/v1/kb/documents/a.md"));
        assert!(!may(Role::Operator, "/api/v1/tokens") && may(Role::Admin, "/api/v1/tokens/x"));
        assert!(may(Role::Webhook, "/demo/orders/1") && !may(Role::Webhook, "/api/v1/kb/search"));
        assert!(!may(Role::Operator, "/metrics"));
        assert!(!may(Role::Operator, "/api/v1/tokensx") || may(Role::Operator, "/x"));
    }

    #[test]
    fn an_agent_token_does_its_own_work_only() {
        let agent = Caller {
            name: "alice".into(),
            role: Role::Agent,
        };
        let ok = |m: Method, path: &str| {
            roles_for(path).is_some_and(|roles| permitted(&agent, roles, &m, path))
        };
        assert!(ok(Method::GET, "/api/v1/agents"));
        assert!(ok(Method::PUT, "/api/v1/agents/alice/presence"));
        assert!(ok(Method::GET, "/api/v1/human-calls"));
        assert!(ok(Method::GET, "/api/v1/human-calls/7"));
        assert!(ok(Method::PUT, "/api/v1/human-calls/7/disposition"));
        assert!(ok(Method::GET, "/api/v1/events"));
        assert!(ok(Method::POST, "/api/v1/events/ticket"));
        for (m, path) in [
            (Method::PUT, "/api/v1/agents/bob/presence"),
            (Method::PUT, "/api/v1/agents/alice"),
            (Method::DELETE, "/api/v1/agents/bob"),
            (Method::GET, "/api/v1/agent-report"),
            (Method::GET, "/api/v1/callbacks"),
            (Method::GET, "/api/v1/flows"),
            (Method::POST, "/api/v1/ask"),
            (Method::GET, "/api/v1/tokens"),
            (Method::GET, "/metrics"),
            (Method::GET, "/api/v1/human-calls/7/x"),
        ] {
            assert!(!ok(m.clone(), path), "{m} {path}");
        }
    }
}
