//! A flow's HTTP requests, made off the call task: each on its own short-lived thread, at
//! most [`MAX_IN_FLIGHT`] at once across the gateway (beyond, a request fails at once rather
//! than queue behind slow endpoints), with the node's timeout over the whole exchange (a
//! server that drips its answer is cut off too) and a 64 KiB answer limit (larger is an
//! error, the flow's `on_error`); redirects are not followed. A
//! URL starting with `/` is this gateway's own API, called with its per-process webhook
//! token. The answer comes back on a channel the call polls without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::flows::WebhookReply;
use crate::flows::model::Method;

/// Requests in flight across all calls.
pub const MAX_IN_FLIGHT: usize = 32;
/// The largest answer read.
const MAX_BODY: u64 = 64 * 1024;

/// This gateway's own API for relative URLs: its base URL and the token to show.
#[derive(Debug, Clone)]
pub struct OwnApi {
    /// `http://127.0.0.1:8080`.
    pub base: String,
    /// A bearer token with the webhook role.
    pub token: String,
}

/// The shared webhook runner (cheap to clone).
#[derive(Debug, Clone)]
pub struct Webhooks {
    own: Option<OwnApi>,
    in_flight: Arc<AtomicUsize>,
}

/// One request to make.
#[derive(Debug, Clone)]
pub struct Request {
    /// GET or POST.
    pub method: Method,
    /// Absolute, or `/…` for this gateway.
    pub url: String,
    /// POST's JSON body.
    pub body: Option<serde_json::Value>,
    /// Give up after this long.
    pub timeout: Duration,
}

/// The answer to come.
pub type Pending = mpsc::Receiver<Result<WebhookReply, String>>;

impl Webhooks {
    /// A runner; `own` serves relative URLs.
    pub fn new(own: Option<OwnApi>) -> Webhooks {
        Webhooks {
            own,
            in_flight: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Starts `req`; the answer arrives on the returned channel.
    pub fn submit(&self, req: Request) -> Pending {
        let (tx, rx) = mpsc::sync_channel(1);
        if self.in_flight.fetch_add(1, Ordering::AcqRel) >= MAX_IN_FLIGHT {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            let _ = tx.send(Err("too many webhook requests in flight".into()));
            return rx;
        }
        let (own, count) = (self.own.clone(), Arc::clone(&self.in_flight));
        let spawned = std::thread::Builder::new()
            .name("flow-webhook".into())
            .spawn(move || {
                let _ = tx.send(run(own.as_ref(), &req));
                count.fetch_sub(1, Ordering::AcqRel);
            });
        if let Err(e) = spawned {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            let (tx, rx) = mpsc::sync_channel(1);
            let _ = tx.send(Err(format!("no thread for the request: {e}")));
            return rx;
        }
        rx
    }
}

fn run(own: Option<&OwnApi>, req: &Request) -> Result<WebhookReply, String> {
    let (url, token) = match (req.url.starts_with('/'), own) {
        (true, Some(own)) => (
            format!("{}{}", own.base.trim_end_matches('/'), req.url),
            Some(&own.token),
        ),
        (true, None) => return Err("this gateway's API is not listening".into()),
        (false, _) => (req.url.clone(), None),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(req.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let auth = token.map(|t| format!("Bearer {t}"));
    let result = match (req.method, &req.body) {
        (Method::Post, body) => {
            let mut r = agent.post(&url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a.as_str());
            }
            r.send_json(body.clone().unwrap_or(serde_json::Value::Null))
        }
        (Method::Get, _) => {
            let mut r = agent.get(&url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a.as_str());
            }
            r.call()
        }
    };
    let mut resp = result.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_string()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => {
                format!("the answer is larger than {} KiB", MAX_BODY / 1024)
            }
            other => format!("the answer could not be read: {other}"),
        })?;
    // An answer that is not JSON is no value (its status still counts).
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Ok(WebhookReply { status, body })
}

#[cfg(test)]
mod tests;
