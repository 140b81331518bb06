//! Server round trips in virtual time: one `Instant::now()`, then offsets.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use sip::auth::{
    Algorithm, AuthError, Challenge, Credentials, DigestServer, Qop, ServerConfig, answer,
    choose_challenge,
};

const REALM: &str = "voxgate.example";
const USER: &str = "alice";
const PASS: &str = "correct horse";
const URI: &str = "sip:queue@voxgate.example";

fn server(config: ServerConfig) -> (DigestServer, Instant) {
    let t0 = Instant::now();
    (DigestServer::new(REALM, [7; 32], config, t0), t0)
}

fn secs(t0: Instant, s: u64) -> Instant {
    t0 + Duration::from_secs(s)
}

/// Answers `c` and sends the credentials over the "wire" (print + parse).
fn respond(c: &Challenge, password: &str, nc: u32) -> Credentials {
    let wire_challenge: Challenge = c.to_string().parse().unwrap();
    assert_eq!(&wire_challenge, c);
    let creds = answer(&wire_challenge, USER, password, "INVITE", URI, "c0ffee", nc).unwrap();
    creds.to_string().parse().unwrap()
}

#[test]
fn default_challenges_offer_sha256_then_md5() {
    let (mut s, t0) = server(ServerConfig::default());
    let cs = s.challenge(t0, false);
    assert_eq!(cs.len(), 2);
    assert_eq!(cs[0].algorithm, Algorithm::Sha256);
    assert_eq!(cs[1].algorithm, Algorithm::Md5);
    assert_ne!(cs[0].nonce, cs[1].nonce);
    for c in &cs {
        assert_eq!(c.realm, REALM);
        assert_eq!(c.qop, vec![Qop::Auth]);
        assert!(!c.stale);
    }
    assert_eq!(choose_challenge(&cs), Some(&cs[0]));
    assert_eq!(s.challenge_status(), 401);
    assert_eq!(s.challenge_header(), "WWW-Authenticate");
    assert_eq!(s.credentials_header(), "Authorization");
    assert_eq!(s.status_for(&AuthError::BadResponse), 401);
    assert_eq!(s.status_for(&AuthError::MissingField("nc")), 400);
    assert_eq!(s.realm(), REALM);
}

#[test]
fn proxy_mode_uses_407() {
    let mut config = ServerConfig::default();
    config.proxy = true;
    let (s, _) = server(config);
    assert_eq!(s.challenge_status(), 407);
    assert_eq!(s.status_for(&AuthError::StaleNonce), 407);
    let malformed = "Digest a".parse::<Credentials>().unwrap_err();
    assert_eq!(s.status_for(&malformed), 400);
    assert_eq!(s.challenge_header(), "Proxy-Authenticate");
    assert_eq!(s.credentials_header(), "Proxy-Authorization");
}

#[test]
fn round_trip_sha256_and_md5() {
    let (mut s, t0) = server(ServerConfig::default());
    for c in s.challenge(t0, false) {
        let creds = respond(&c, PASS, 1);
        let ok = s.verify(secs(t0, 5), "INVITE", &creds, PASS).unwrap();
        assert_eq!(ok.username, USER);
        assert_eq!(ok.algorithm, c.algorithm);
        assert_eq!(ok.qop, Some(Qop::Auth));
    }
}

#[test]
fn session_algorithms_round_trip() {
    let mut config = ServerConfig::default();
    config.algorithms = vec![Algorithm::Sha256Sess, Algorithm::Md5Sess];
    let (mut s, t0) = server(config);
    for c in s.challenge(t0, false) {
        let creds = respond(&c, PASS, 1);
        assert_eq!(
            s.verify(t0, "INVITE", &creds, PASS).unwrap().algorithm,
            c.algorithm
        );
    }
}

#[test]
fn wrong_password_or_method_is_bad_response() {
    let (mut s, t0) = server(ServerConfig::default());
    for c in s.challenge(t0, false) {
        let creds = respond(&c, "wrong", 1);
        assert_eq!(
            s.verify(t0, "INVITE", &creds, PASS),
            Err(AuthError::BadResponse)
        );
        let creds = respond(&c, PASS, 1);
        assert_eq!(
            s.verify(t0, "REGISTER", &creds, PASS),
            Err(AuthError::BadResponse)
        );
        // A failed attempt does not consume the nonce-count.
        assert!(s.verify(t0, "INVITE", &creds, PASS).is_ok());
    }
}

#[test]
fn expired_nonce_is_stale_only_with_correct_digest() {
    let (mut s, t0) = server(ServerConfig::default());
    let cs = s.challenge(t0, false);
    let creds = respond(&cs[0], PASS, 1);
    let late = secs(t0, 301);
    assert_eq!(
        s.verify(late, "INVITE", &creds, PASS),
        Err(AuthError::StaleNonce)
    );
    let wrong = respond(&cs[0], "wrong", 1);
    assert_eq!(
        s.verify(late, "INVITE", &wrong, PASS),
        Err(AuthError::BadResponse)
    );
    assert!(s.verify(secs(t0, 299), "INVITE", &creds, PASS).is_ok());

    let fresh = s.challenge(late, true);
    assert!(fresh.iter().all(|c| c.stale));
    assert!(fresh[0].to_string().contains("stale=true"));
    let creds = respond(&fresh[0], PASS, 1);
    assert!(s.verify(late, "INVITE", &creds, PASS).is_ok());
}

#[test]
fn short_lifetime() {
    let mut config = ServerConfig::default();
    config.nonce_lifetime = Duration::from_secs(10);
    let (mut s, t0) = server(config);
    let c = &s.challenge(secs(t0, 100), false)[1];
    let creds = respond(c, PASS, 1);
    assert_eq!(
        s.verify(secs(t0, 111), "INVITE", &creds, PASS),
        Err(AuthError::StaleNonce)
    );
    assert!(s.verify(secs(t0, 110), "INVITE", &creds, PASS).is_ok());
}

#[test]
fn forged_or_foreign_nonces_are_invalid() {
    let (mut s, t0) = server(ServerConfig::default());
    let genuine = s.challenge(t0, false).remove(0);

    let mut forged = Vec::new();
    // Every single-character alteration of a genuine nonce.
    for i in 0..genuine.nonce.len() {
        let mut n = genuine.nonce.clone().into_bytes();
        n[i] = if n[i] == b'0' { b'1' } else { b'0' };
        forged.push(String::from_utf8(n).unwrap());
    }
    forged.push(genuine.nonce.to_uppercase());
    forged.push(format!("{}00", genuine.nonce));
    forged.push(genuine.nonce[..genuine.nonce.len() - 2].to_owned());
    forged.push("dcd98b7102dd2f0e8b11d0f600bfb0c093".to_owned());
    forged.push(String::new());
    forged.push("\u{e9}".repeat(28));
    // Same secret, other realm; and same realm, other secret.
    let mut other_realm = DigestServer::new("elsewhere", [7; 32], ServerConfig::default(), t0);
    forged.push(other_realm.challenge(t0, false).remove(0).nonce);
    let mut other_secret = DigestServer::new(REALM, [8; 32], ServerConfig::default(), t0);
    forged.push(other_secret.challenge(t0, false).remove(0).nonce);

    for nonce in forged {
        let mut c = genuine.clone();
        c.nonce = nonce;
        // The attacker knows the password: only the nonce is at fault.
        let creds = answer(&c, USER, PASS, "INVITE", URI, "c", 1).unwrap();
        assert_eq!(
            s.verify(t0, "INVITE", &creds, PASS),
            Err(AuthError::InvalidNonce),
            "{:?}",
            c.nonce
        );
    }
}

#[test]
fn nonce_count_replay() {
    let (mut s, t0) = server(ServerConfig::default());
    let c = s.challenge(t0, false).remove(0);
    let one = respond(&c, PASS, 1);
    assert!(s.verify(t0, "INVITE", &one, PASS).is_ok());
    assert_eq!(s.verify(t0, "INVITE", &one, PASS), Err(AuthError::Replay));
    for nc in [2, 3, 7, 0x1_0000] {
        assert!(s.verify(t0, "INVITE", &respond(&c, PASS, nc), PASS).is_ok());
    }
    for nc in [1, 6, 0x1_0000] {
        assert_eq!(
            s.verify(t0, "INVITE", &respond(&c, PASS, nc), PASS),
            Err(AuthError::Replay)
        );
    }
    // nc 0 is never valid.
    let c = s.challenge(t0, false).remove(0);
    assert_eq!(
        s.verify(t0, "INVITE", &respond(&c, PASS, 0), PASS),
        Err(AuthError::Replay)
    );
}

#[test]
fn without_qop_a_nonce_is_single_use() {
    let (mut s, t0) = server(ServerConfig::default());
    let mut c = s.challenge(t0, false).remove(1);
    c.qop.clear();
    let creds = respond(&c, PASS, 1);
    assert_eq!(creds.qop, None);
    let ok = s.verify(t0, "INVITE", &creds, PASS).unwrap();
    assert_eq!(ok.qop, None);
    assert_eq!(s.verify(t0, "INVITE", &creds, PASS), Err(AuthError::Replay));
    // Nor can the spent nonce be reused with qop.
    c.qop = vec![Qop::Auth];
    assert_eq!(
        s.verify(t0, "INVITE", &respond(&c, PASS, 5), PASS),
        Err(AuthError::Replay)
    );
}

#[test]
fn wrong_realm() {
    let (mut s, t0) = server(ServerConfig::default());
    let mut c = s.challenge(t0, false).remove(0);
    c.realm = "evil.example".into();
    let creds = respond(&c, PASS, 1);
    assert_eq!(
        s.verify(t0, "INVITE", &creds, PASS),
        Err(AuthError::RealmMismatch("evil.example".into()))
    );
}

#[test]
fn unknown_scheme_gets_a_fresh_challenge() {
    // RFC 4475 §3.3.7.
    let (mut s, t0) = server(ServerConfig::default());
    let err = "NoOneKnowsThisScheme opaque-data=here"
        .parse::<Credentials>()
        .unwrap_err();
    assert_eq!(
        err,
        AuthError::UnsupportedScheme("NoOneKnowsThisScheme".into())
    );
    assert_eq!(s.status_for(&err), 401);
    assert_eq!(s.challenge(t0, false).len(), 2);
}

#[test]
fn algorithm_not_offered_and_auth_int_are_refused() {
    let mut config = ServerConfig::default();
    config.algorithms = vec![Algorithm::Sha256];
    let (mut s, t0) = server(config);
    let mut c = s.challenge(t0, false).remove(0);
    c.algorithm = Algorithm::Md5;
    let creds = respond(&c, PASS, 1);
    assert_eq!(
        s.verify(t0, "INVITE", &creds, PASS),
        Err(AuthError::UnsupportedAlgorithm("MD5".into()))
    );
    let mut creds = respond(&s.challenge(t0, false).remove(0), PASS, 1);
    creds.qop = Some(Qop::AuthInt);
    assert_eq!(
        s.verify(t0, "INVITE", &creds, PASS),
        Err(AuthError::UnsupportedQop("auth-int".into()))
    );
}

#[test]
fn missing_cnonce_or_nc_with_qop() {
    let (mut s, t0) = server(ServerConfig::default());
    let c = s.challenge(t0, false).remove(0);
    let mut creds = respond(&c, PASS, 1);
    creds.nc = None;
    assert_eq!(
        s.verify(t0, "INVITE", &creds, PASS),
        Err(AuthError::MissingField("nc"))
    );
    let mut creds = respond(&c, PASS, 1);
    creds.cnonce = None;
    assert_eq!(
        s.verify(t0, "INVITE", &creds, PASS),
        Err(AuthError::MissingField("cnonce"))
    );
}

#[test]
fn verify_with_stored_ha1() {
    let (mut s, t0) = server(ServerConfig::default());
    for c in s.challenge(t0, false) {
        let creds = respond(&c, PASS, 1);
        let ha1 = creds.algorithm.ha1(USER, REALM, PASS);
        assert_eq!(
            s.verify_ha1(
                t0,
                "INVITE",
                &creds,
                &Algorithm::Md5Sess.ha1(USER, REALM, "x")
            ),
            Err(AuthError::BadResponse)
        );
        assert!(
            s.verify_ha1(t0, "INVITE", &creds, &ha1.to_uppercase())
                .is_ok()
        );
    }
}

#[test]
fn bounded_tracking_evicts_expired_first_then_refuses_evicted_live_nonces() {
    let mut config = ServerConfig::default();
    config.max_tracked_nonces = 2;
    let (mut s, t0) = server(config);
    let early = s.challenge(t0, false); // issued at 0
    let mid = s.challenge(secs(t0, 200), false); // issued at 200
    for c in &early {
        assert!(s.verify(t0, "INVITE", &respond(c, PASS, 1), PASS).is_ok());
    }
    // At 350 the early nonces have expired and make room for the mid ones.
    let now = secs(t0, 350);
    for c in &mid {
        assert!(s.verify(now, "INVITE", &respond(c, PASS, 1), PASS).is_ok());
    }
    for c in &mid {
        assert!(s.verify(now, "INVITE", &respond(c, PASS, 2), PASS).is_ok());
    }
    // A third live nonce evicts the oldest live one, which is then refused
    // as stale rather than having its nonce-count forgotten.
    let late = s.challenge(now, false).remove(0);
    assert!(
        s.verify(now, "INVITE", &respond(&late, PASS, 1), PASS)
            .is_ok()
    );
    assert_eq!(
        s.verify(now, "INVITE", &respond(&mid[0], PASS, 3), PASS),
        Err(AuthError::StaleNonce)
    );
    assert!(
        s.verify(now, "INVITE", &respond(&mid[1], PASS, 3), PASS)
            .is_ok()
    );
}

#[test]
fn debug_does_not_print_the_secret() {
    let (s, _) = server(ServerConfig::default());
    let dbg = format!("{s:?}");
    assert!(dbg.contains(REALM));
    assert!(!dbg.contains("7, 7"));
}
