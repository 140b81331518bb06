//! Host and Origin checks, and the query length limit, before anything else runs.
//!
//! DNS rebinding: a web page whose name the attacker re-points at 127.0.0.1 reaches the API
//! with the attacker's name in `Host`. So a request is served only for `localhost`, the names
//! in `http.allowed_hosts`, or an IP literal (which covers the listen address: a rebinding
//! attack always carries a name, since the browser sends the host of the page's own URL).
//! Others get **421 Misdirected Request** (RFC 9110 §15.5.20: this server does not answer for
//! that authority), which tells a real client its URL is wrong, unlike an auth 403.
//!
//! CSRF: browsers send `Origin` on cross-site POST, PUT and DELETE. A request with an
//! `Origin` is served only when it is same-origin (its host and port are the request's Host)
//! or listed in `http.allowed_origins`; others get 403 (`Origin: null` too).
//! `/health` is exempt from both (it reveals nothing and serves load balancers).

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiState;
use super::error::ApiError;
use crate::config::HttpConfig;
use crate::metrics::{HttpRefusal, metrics};

/// The longest query string accepted (bytes; a 4,000-byte search, percent-encoded, fits).
pub const MAX_QUERY_LEN: usize = 16 * 1024;

/// The Host and Origin rules of one server.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    /// Lowercase names, each with or without a port.
    names: Vec<String>,
    /// Lowercase origins (`scheme://host[:port]`).
    origins: Vec<String>,
}

impl HostPolicy {
    /// From `[http]`: `localhost` plus `allowed_hosts`; `allowed_origins`.
    pub fn new(http: &HttpConfig) -> HostPolicy {
        let mut names = vec![String::from("localhost")];
        names.extend(http.allowed_hosts.iter().map(|h| normal_host(h)));
        let origins = http
            .allowed_origins
            .iter()
            .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
            .collect();
        HostPolicy { names, origins }
    }

    /// Whether this `Host` value is served.
    pub fn host_allowed(&self, host: &str) -> bool {
        let host = normal_host(host);
        let (name, port) = split_port(&host);
        if let Some(inner) = name.strip_prefix('[') {
            return inner
                .strip_suffix(']')
                .is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok());
        }
        if name.parse::<std::net::Ipv4Addr>().is_ok() {
            return true;
        }
        self.names.iter().any(|allowed| {
            let (a_name, a_port) = split_port(allowed);
            a_name == name && (a_port.is_none() || a_port == port)
        })
    }

    /// Whether a request for `host` may come from a page of `origin`.
    pub fn origin_allowed(&self, origin: &str, host: &str) -> bool {
        let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
        if self.origins.contains(&origin) {
            return true;
        }
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false;
        };
        let default = match scheme {
            "http" => "80",
            "https" => "443",
            _ => return false,
        };
        let with_port = |a: &str| match split_port(a) {
            (n, Some(p)) => format!("{n}:{p}"),
            (n, None) => format!("{n}:{default}"),
        };
        with_port(authority) == with_port(&normal_host(host))
    }
}

/// Lowercase, without a trailing dot on the name.
fn normal_host(h: &str) -> String {
    let h = h.trim().to_ascii_lowercase();
    match split_port(&h) {
        (name, Some(port)) => format!("{}:{port}", name.trim_end_matches('.')),
        (name, None) => name.trim_end_matches('.').to_string(),
    }
}

/// `(name, port)`; an IPv6 literal keeps its brackets.
fn split_port(h: &str) -> (&str, Option<&str>) {
    if let Some(end) = h.find(']') {
        let (name, rest) = h.split_at(end + 1);
        return (name, rest.strip_prefix(':'));
    }
    match h.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            (name, Some(port))
        }
        _ => (h, None),
    }
}

/// The request's authority: the absolute URI's, else the `Host` header.
fn request_host(req: &Request) -> Option<String> {
    if let Some(a) = req.uri().authority() {
        return Some(a.as_str().to_string());
    }
    let h = req.headers().get(HOST)?.to_str().ok()?;
    Some(h.to_string())
}

/// The middleware: 421 for a Host not served, 403 for a foreign Origin, 414 for a long query.
pub(super) async fn check(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    if req.uri().query().is_some_and(|q| q.len() > MAX_QUERY_LEN) {
        return ApiError::UriTooLong.into_response();
    }
    if req.uri().path() == "/health" {
        return next.run(req).await;
    }
    let policy = state.hosts();
    let Some(host) = request_host(&req).filter(|h| policy.host_allowed(h)) else {
        metrics().http_refused(HttpRefusal::BadHost);
        return ApiError::MisdirectedHost.into_response();
    };
    if let Some(origin) = req.headers().get(ORIGIN) {
        let ok = origin
            .to_str()
            .is_ok_and(|o| policy.origin_allowed(o, &host));
        if !ok {
            metrics().http_refused(HttpRefusal::BadOrigin);
            return ApiError::CrossOrigin.into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> HostPolicy {
        HostPolicy::new(&HttpConfig {
            allowed_hosts: vec!["gw.example.com".into(), "ops.example.com:8443".into()],
            allowed_origins: vec!["https://console.example.com".into()],
            ..HttpConfig::default()
        })
    }

    #[test]
    fn hosts_names_ip_literals_and_ports() {
        let p = policy();
        for ok in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:8080",
            "[::1]",
            "[::1]:8080",
            "10.1.2.3:8080",
            "gw.example.com",
            "gw.example.com.:80",
            "ops.example.com:8443",
        ] {
            assert!(p.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "ops.example.com:80",
            "[::1",
            "[zz]:80",
            "",
        ] {
            assert!(!p.host_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn origins_same_origin_or_listed() {
        let p = policy();
        assert!(p.origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(p.origin_allowed("http://localhost", "localhost:80"));
        assert!(p.origin_allowed("https://console.example.com", "127.0.0.1:8080"));
        assert!(!p.origin_allowed("http://evil.example", "127.0.0.1:8080"));
        assert!(!p.origin_allowed("http://127.0.0.1:9999", "127.0.0.1:8080"));
        assert!(!p.origin_allowed("null", "127.0.0.1:8080"));
    }
}
