//! What a UAS checks in a well-formed request before acting on it (RFC 3261 §8.2), and
//! what a UAC checks in a response before handing it to a transaction (§8.1.3.3, §18.1.2).
//! A failed check names the status to answer and the headers that must go with it.

use crate::headers::{HeaderName, MediaType};
use crate::message::{Request, Response};
use crate::method::Method;
use crate::status::StatusCode;
use crate::uri::{Host, Uri};

/// What this UAS supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UasPolicy {
    /// Request-URI schemes served (lower case).
    pub schemes: Vec<String>,
    /// Option tags understood in Require.
    pub extensions: Vec<String>,
    /// Body types understood in requests that carry a session description.
    pub body_types: Vec<MediaType>,
    /// Authentication schemes understood in Authorization.
    pub auth_schemes: Vec<String>,
}

impl Default for UasPolicy {
    fn default() -> Self {
        Self {
            schemes: vec!["sip".into(), "sips".into(), "tel".into()],
            extensions: Vec::new(),
            body_types: vec![MediaType::sdp()],
            auth_schemes: vec!["digest".into()],
        }
    }
}

/// A request the UAS refuses, with the status and the headers to send with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {}", status.reason())]
pub struct Rejection {
    /// The status to answer with.
    pub status: StatusCode,
    /// Headers the response must carry (Unsupported, Accept, Accept-Encoding).
    pub headers: Vec<(HeaderName, String)>,
}

impl Rejection {
    fn new(status: StatusCode) -> Self {
        Self {
            status,
            headers: Vec::new(),
        }
    }

    fn with(mut self, name: HeaderName, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Whether the answer must carry a fresh authentication challenge (401).
    pub fn needs_challenge(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
    }
}

/// Runs the RFC 3261 §8.2.1–§8.2.3 checks in order: URI scheme (416), required extensions
/// (420), body type and encoding (415), acceptable answer type (406), and authorization
/// schemes (401). ACK and CANCEL are only checked for the scheme.
pub fn check_request(req: &Request, policy: &UasPolicy) -> Result<(), Rejection> {
    let scheme = req.uri.scheme();
    if !policy.schemes.contains(&scheme) {
        return Err(Rejection::new(StatusCode::UNSUPPORTED_URI_SCHEME));
    }
    if matches!(req.method, Method::Ack | Method::Cancel) {
        return Ok(());
    }
    check_require(req, policy)?;
    check_body(req, policy)?;
    check_accept(req, policy)?;
    check_authorization(req, policy)
}

fn check_require(req: &Request, policy: &UasPolicy) -> Result<(), Rejection> {
    let unknown: Vec<String> = req
        .head
        .tokens(&HeaderName::Require)
        .into_iter()
        .filter(|t| !policy.extensions.iter().any(|e| e.eq_ignore_ascii_case(t)))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Rejection::new(StatusCode::BAD_EXTENSION).with(HeaderName::Unsupported, unknown.join(", ")))
}

fn accept_list(policy: &UasPolicy) -> String {
    let types: Vec<String> = policy.body_types.iter().map(ToString::to_string).collect();
    types.join(", ")
}

fn check_body(req: &Request, policy: &UasPolicy) -> Result<(), Rejection> {
    if req.body.is_empty() {
        return Ok(());
    }
    let encodings = req.head.tokens(&HeaderName::ContentEncoding);
    if encodings
        .iter()
        .any(|e| !e.eq_ignore_ascii_case("identity"))
    {
        return Err(Rejection::new(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            .with(HeaderName::AcceptEncoding, "identity".into())
            .with(HeaderName::Accept, accept_list(policy)));
    }
    // Only methods whose body is a session description are ours to interpret; others
    // (MESSAGE, INFO, NOTIFY…) are left to the application.
    if !carries_session(&req.method) {
        return Ok(());
    }
    let understood = req
        .head
        .content_type()
        .is_some_and(|ct| policy.body_types.iter().any(|t| t.matches(&ct)));
    if understood {
        return Ok(());
    }
    Err(Rejection::new(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        .with(HeaderName::Accept, accept_list(policy)))
}

fn carries_session(m: &Method) -> bool {
    matches!(
        m,
        Method::Invite | Method::Ack | Method::Update | Method::Prack
    )
}

/// An INVITE whose Accept excludes every type we could answer with gets 406.
fn check_accept(req: &Request, policy: &UasPolicy) -> Result<(), Rejection> {
    if req.method != Method::Invite {
        return Ok(());
    }
    let values: Vec<&str> = req.head.headers.get_all(&HeaderName::Accept).collect();
    if values.is_empty() {
        return Ok(());
    }
    let ranges: Vec<MediaType> = values
        .iter()
        .filter_map(|v| MediaType::parse_list(v).ok())
        .flatten()
        .collect();
    let ok = ranges
        .iter()
        .any(|r| policy.body_types.iter().any(|t| r.matches(t)));
    if ok {
        Ok(())
    } else {
        Err(Rejection::new(StatusCode::NOT_ACCEPTABLE)
            .with(HeaderName::Accept, accept_list(policy)))
    }
}

/// Credentials in a scheme we do not know cannot be verified: challenge afresh
/// (RFC 4475 §3.3.7).
fn check_authorization(req: &Request, policy: &UasPolicy) -> Result<(), Rejection> {
    for v in req.head.headers.get_all(&HeaderName::Authorization) {
        let scheme = v.split([' ', '\t']).next().unwrap_or_default();
        if !policy
            .auth_schemes
            .iter()
            .any(|s| s.eq_ignore_ascii_case(scheme))
        {
            return Err(Rejection::new(StatusCode::UNAUTHORIZED));
        }
    }
    Ok(())
}

/// Why a UAC drops a response before any transaction sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseDrop {
    /// More than one Via: the response was not meant for this element (RFC 3261 §8.1.3.3).
    #[error("response carries more than one Via")]
    ExtraVia,
    /// The topmost Via names a broadcast or unspecified address.
    #[error("response Via names a broadcast address")]
    BroadcastVia,
}

/// Checks a response received by a UAC.
pub fn check_response(resp: &Response) -> Result<(), ResponseDrop> {
    if resp.head.via.len() != 1 {
        return Err(ResponseDrop::ExtraVia);
    }
    let bad_host = resp.head.via.iter().any(|v| match &v.host {
        Host::V4(a) => a.is_broadcast() || a.is_unspecified(),
        _ => false,
    });
    if bad_host {
        return Err(ResponseDrop::BroadcastVia);
    }
    Ok(())
}

/// Whether the Request-URI is a SIP URI; convenience for callers that route by user.
pub fn sip_user(uri: &Uri) -> Option<String> {
    uri.as_sip().and_then(|u| u.user_unescaped())
}
