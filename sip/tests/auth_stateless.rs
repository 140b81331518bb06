//! A UAS challenging unknown sources statelessly: the 401 built from the request alone,
//! credentials found in and checked against the request, refusals answered without state,
//! and a bounded nonce-count table under a flood. Virtual time: one `Instant`, offsets.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use sip::auth::{AuthError, Challenge, DigestServer, ServerConfig, answer};
use sip::{HeaderName, Message, Request, Response, StatusCode};

const REALM: &str = "voxgate.example";
const USER: &str = "alice";
const PASS: &str = "correct horse";
const RURI: &str = "sip:queue@voxgate.example";

fn server(config: ServerConfig) -> (DigestServer, Instant) {
    let t0 = Instant::now();
    (DigestServer::new(REALM, [9; 32], config, t0), t0)
}

fn invite(authorization: Option<&str>) -> Request {
    let auth = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let text = format!(
        "INVITE {RURI} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-flood;rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:alice@198.51.100.7>;tag=caller\r\n\
         To: <{RURI}>\r\n\
         Call-ID: c1@198.51.100.7\r\n\
         CSeq: 1 INVITE\r\n\
         {auth}\
         Content-Length: 0\r\n\r\n"
    );
    match Message::parse(text.as_bytes()).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => unreachable!(),
    }
}

/// The challenges of a response, read back from its wire form.
fn challenges(resp: &Response, header: &HeaderName) -> Vec<Challenge> {
    let Message::Response(back) = Message::parse(&resp.to_bytes()).unwrap() else {
        panic!("not a response");
    };
    back.head
        .headers
        .get_all(header)
        .map(|v| v.parse().unwrap())
        .collect()
}

/// What a phone sends after a challenge: the request again with credentials.
fn answered(c: &Challenge, user: &str, password: &str, uri: &str, nc: u32) -> Request {
    let creds = answer(c, user, password, "INVITE", uri, "0a4f113b", nc).unwrap();
    invite(Some(&creds.to_string()))
}

fn ha1_of(user: &str) -> Option<String> {
    (user == USER).then(|| sip::auth::Algorithm::Sha256.ha1(USER, REALM, PASS))
}

#[test]
fn challenge_is_built_from_the_request_alone() {
    let (mut s, t0) = server(ServerConfig::default());
    let req = invite(None);
    let resp = s.challenge_response(t0, &req, false, "gw-tag");
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    assert_eq!(resp.head.via, req.head.via);
    assert_eq!(resp.head.call_id, req.head.call_id);
    assert_eq!(resp.head.cseq, req.head.cseq);
    assert_eq!(resp.head.to.tag(), Some("gw-tag"));
    let cs = challenges(&resp, &HeaderName::WwwAuthenticate);
    assert_eq!(cs.len(), 2);
    assert!(cs.iter().all(|c| c.realm == REALM && !c.stale));
    // Nothing was remembered for it.
    assert_eq!(s.tracked_nonces(), 0);

    let mut proxy = ServerConfig::default();
    proxy.proxy = true;
    let (mut p, t0) = server(proxy);
    let resp = p.challenge_response(t0, &req, true, "t");
    assert_eq!(resp.status, StatusCode::PROXY_AUTH_REQUIRED);
    let cs = challenges(&resp, &HeaderName::ProxyAuthenticate);
    assert!(cs.iter().all(|c| c.stale));
}

#[test]
fn right_password_authenticates_and_wrong_ones_are_rechallenged() {
    let (mut s, t0) = server(ServerConfig::default());
    let resp = s.challenge_response(t0, &invite(None), false, "t");
    let c = &challenges(&resp, &HeaderName::WwwAuthenticate)[0];

    let good = answered(c, USER, PASS, RURI, 1);
    let v = s.authenticate(t0, &good, ha1_of).unwrap();
    assert_eq!(v.username, USER);
    // The same nonce-count again is a replay, answered with a fresh challenge.
    let e = s.authenticate(t0, &good, ha1_of).unwrap_err();
    assert_eq!(e, AuthError::Replay);
    let again = s.refusal_response(t0, &good, &e, "t");
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenges(&again, &HeaderName::WwwAuthenticate).len(), 2);

    let wrong = answered(c, USER, "guess", RURI, 2);
    assert_eq!(
        s.authenticate(t0, &wrong, ha1_of),
        Err(AuthError::BadResponse)
    );
    // An unknown user fails exactly like a wrong password.
    let unknown = answered(c, "mallory", PASS, RURI, 3);
    assert_eq!(
        s.authenticate(t0, &unknown, |_| None),
        Err(AuthError::BadResponse)
    );
}

#[test]
fn missing_foreign_and_malformed_credentials() {
    let (mut s, t0) = server(ServerConfig::default());
    let none = invite(None);
    let e = s.authenticate(t0, &none, ha1_of).unwrap_err();
    assert_eq!(e, AuthError::NoCredentials);
    assert_eq!(
        s.refusal_response(t0, &none, &e, "t").status,
        StatusCode::UNAUTHORIZED
    );

    // Credentials for another realm are not ours: challenge.
    let other = invite(Some(
        r#"Digest username="alice", realm="elsewhere", nonce="n", uri="sip:queue@voxgate.example", response="00""#,
    ));
    assert_eq!(
        s.authenticate(t0, &other, ha1_of),
        Err(AuthError::NoCredentials)
    );

    let malformed = invite(Some(r#"Digest username="alice", realm="#));
    let e = s.authenticate(t0, &malformed, ha1_of).unwrap_err();
    let resp = s.refusal_response(t0, &malformed, &e, "t");
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(
        resp.head
            .headers
            .get(&HeaderName::WwwAuthenticate)
            .is_none()
    );
}

#[test]
fn digest_uri_must_name_the_request_uri() {
    let (mut s, t0) = server(ServerConfig::default());
    let resp = s.challenge_response(t0, &invite(None), false, "t");
    let c = &challenges(&resp, &HeaderName::WwwAuthenticate)[0];
    let elsewhere = answered(c, USER, PASS, "sip:other@voxgate.example", 1);
    let e = s.authenticate(t0, &elsewhere, ha1_of).unwrap_err();
    assert_eq!(e, AuthError::UriMismatch);
    assert_eq!(
        s.refusal_response(t0, &elsewhere, &e, "t").status,
        StatusCode::BAD_REQUEST
    );
    // The same URI written differently (scheme case) still matches.
    let same = answered(c, USER, PASS, "SIP:queue@voxgate.example", 1);
    assert!(s.authenticate(t0, &same, ha1_of).is_ok());
}

#[test]
fn stale_nonce_gets_a_stale_challenge() {
    let (mut s, t0) = server(ServerConfig::default());
    let resp = s.challenge_response(t0, &invite(None), false, "t");
    let c = &challenges(&resp, &HeaderName::WwwAuthenticate)[0];
    let late = t0 + Duration::from_secs(301);
    let req = answered(c, USER, PASS, RURI, 1);
    let e = s.authenticate(late, &req, ha1_of).unwrap_err();
    assert_eq!(e, AuthError::StaleNonce);
    let resp = s.refusal_response(late, &req, &e, "t");
    assert!(
        challenges(&resp, &HeaderName::WwwAuthenticate)
            .iter()
            .all(|c| c.stale)
    );
}

/// A flood of challenges keeps no state, and a flood of successful logins keeps at most
/// `max_tracked_nonces` nonce-counts (expired ones leave first).
#[test]
fn floods_keep_bounded_state() {
    let mut config = ServerConfig::default();
    config.max_tracked_nonces = 16;
    let (mut s, t0) = server(config);
    let req = invite(None);
    for i in 0..10_000 {
        let now = t0 + Duration::from_millis(i);
        s.challenge_response(now, &req, false, "t");
        // Garbage credentials cost one MAC check and no state.
        let bogus = invite(Some(&format!(
            r#"Digest username="x", realm="{REALM}", nonce="{i:056x}", uri="{RURI}", response="00""#
        )));
        assert_eq!(
            s.authenticate(now, &bogus, ha1_of),
            Err(AuthError::InvalidNonce)
        );
    }
    assert_eq!(s.tracked_nonces(), 0);
    for i in 0..500u64 {
        let now = t0 + Duration::from_secs(i);
        let resp = s.challenge_response(now, &req, false, "t");
        let c = &challenges(&resp, &HeaderName::WwwAuthenticate)[0];
        assert!(
            s.authenticate(now, &answered(c, USER, PASS, RURI, 1), ha1_of)
                .is_ok()
        );
        assert!(s.tracked_nonces() <= 16);
    }
}
