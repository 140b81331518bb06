//! The source policy in virtual time: trusted sources, challenges, right and wrong
//! passwords, unknown users, bans, rate limits and the log lines they cost.
#![allow(clippy::unwrap_used)]

use super::*;
use sip::auth::{Challenge, answer};

fn settings(users: Vec<SipUser>) -> AdmissionSettings {
    AdmissionSettings {
        realm: "voxgate".into(),
        trusted: vec![
            "127.0.0.0/8".parse().unwrap(),
            "203.0.113.0/24".parse().unwrap(),
        ],
        users,
        limits: LimitSettings {
            ban_after_failures: 3,
            ..LimitSettings::default()
        },
        log_interval: Duration::from_secs(60),
        algorithms: vec![sip::auth::Algorithm::Sha256, sip::auth::Algorithm::Md5],
    }
}

fn alice() -> Vec<SipUser> {
    vec![SipUser {
        name: "alice".into(),
        password: "correct horse".into(),
    }]
}

fn invite(auth: Option<&str>, branch: u32) -> Request {
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let text = format!(
        "INVITE sip:support@192.0.2.10 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK{branch}\r\n\
         From: <sip:alice@198.51.100.7>;tag=1\r\nTo: <sip:support@192.0.2.10>\r\n\
         Call-ID: c{branch}\r\nCSeq: {branch} INVITE\r\nMax-Forwards: 70\r\n{auth}\
         Content-Length: 0\r\n\r\n"
    );
    match sip::Message::parse(text.as_bytes()).unwrap() {
        sip::Message::Request(r) => r,
        sip::Message::Response(_) => unreachable!(),
    }
}

fn status(v: &Verdict) -> Option<u16> {
    match v {
        Verdict::Answer(r, _) => Some(r.status.code()),
        _ => None,
    }
}

fn challenges(v: &Verdict) -> Vec<Challenge> {
    let Verdict::Answer(r, _) = v else {
        panic!("expected an answer, got {v:?}")
    };
    r.head
        .headers
        .get_all(&HeaderName::WwwAuthenticate)
        .map(|h| h.parse().unwrap())
        .collect()
}

fn credentials(c: &Challenge, user: &str, password: &str, nc: u32) -> String {
    answer(
        c,
        user,
        password,
        "INVITE",
        "sip:support@192.0.2.10",
        "abc",
        nc,
    )
    .unwrap()
    .to_string()
}

const STRANGER: &str = "198.51.100.7";

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn trusted_sources_pass_without_credentials() {
    let t0 = Instant::now();
    let mut a = Admission::new(settings(alice()), [7; 32], t0);
    for src in ["127.0.0.1", "127.0.0.2", "203.0.113.99", "::ffff:127.0.0.1"] {
        let v = a.check(t0, &invite(None, 1), ip(src), false, "t");
        assert!(matches!(v, Verdict::Pass { user: None }), "{src}: {v:?}");
    }
}

#[test]
fn a_stranger_is_challenged_then_admitted_with_the_right_password() {
    let t0 = Instant::now();
    let mut a = Admission::new(settings(alice()), [7; 32], t0);
    let v = a.check(t0, &invite(None, 1), ip(STRANGER), false, "t");
    assert_eq!(status(&v), Some(401));
    let cs = challenges(&v);
    assert_eq!(cs.len(), 2, "SHA-256 and MD5");
    for c in &cs {
        assert!(
            c.qop.contains(&sip::auth::Qop::Auth),
            "svcrack needs qop=auth"
        );
    }
    let creds = credentials(&cs[1], "alice", "correct horse", 1);
    let v = a.check(t0, &invite(Some(&creds), 2), ip(STRANGER), false, "t");
    assert!(
        matches!(&v, Verdict::Pass { user: Some(u) } if u == "alice"),
        "{v:?}"
    );
    // SHA-256 too.
    let creds = credentials(&cs[0], "alice", "correct horse", 1);
    let v = a.check(t0, &invite(Some(&creds), 3), ip(STRANGER), false, "t");
    assert!(matches!(v, Verdict::Pass { user: Some(_) }), "{v:?}");
}

#[test]
fn wrong_passwords_and_unknown_users_look_alike_and_lead_to_a_ban() {
    let t0 = Instant::now();
    let mut a = Admission::new(settings(alice()), [7; 32], t0);
    let c = challenges(&a.check(t0, &invite(None, 1), ip(STRANGER), false, "t"))[0].clone();
    let wrong = credentials(&c, "alice", "wrong", 1);
    let unknown = credentials(&c, "bob", "correct horse", 2);
    let v1 = a.check(t0, &invite(Some(&wrong), 2), ip(STRANGER), false, "t");
    let v2 = a.check(t0, &invite(Some(&unknown), 3), ip(STRANGER), false, "t");
    assert_eq!((status(&v1), status(&v2)), (Some(403), Some(403)));
    let v3 = a.check(t0, &invite(Some(&wrong), 4), ip(STRANGER), false, "t");
    assert_eq!(status(&v3), Some(403));
    // Banned now: even the right password is dropped.
    let right = credentials(&c, "alice", "correct horse", 5);
    let v = a.check(t0, &invite(Some(&right), 5), ip(STRANGER), false, "t");
    assert!(matches!(v, Verdict::Drop(Refusal::Banned)), "{v:?}");
    assert!(a.is_banned(t0, ip(STRANGER)));
    assert!(!a.is_banned(t0, ip("127.0.0.1")));
}

#[test]
fn a_replayed_authorization_is_refused_but_a_retransmission_passes() {
    let t0 = Instant::now();
    let mut a = Admission::new(settings(alice()), [7; 32], t0);
    let c = challenges(&a.check(t0, &invite(None, 1), ip(STRANGER), false, "t"))[0].clone();
    let creds = credentials(&c, "alice", "correct horse", 1);
    let req = invite(Some(&creds), 2);
    assert!(matches!(
        a.check(t0, &req, ip(STRANGER), false, "t"),
        Verdict::Pass { .. }
    ));
    // The same INVITE again, known to the transaction layer: a retransmission.
    assert!(matches!(
        a.check(t0, &req, ip(STRANGER), true, "t"),
        Verdict::Pass { .. }
    ));
    // The same credentials on a new INVITE: a replay.
    let v = a.check(t0, &invite(Some(&creds), 3), ip(STRANGER), false, "t");
    assert_eq!(status(&v), Some(403));
}

#[test]
fn without_users_strangers_are_refused_and_never_challenged() {
    let t0 = Instant::now();
    let mut a = Admission::new(settings(Vec::new()), [7; 32], t0);
    let v = a.check(t0, &invite(None, 1), ip(STRANGER), false, "t");
    assert_eq!(status(&v), Some(403));
}

#[test]
fn a_flood_is_dropped_and_logged_in_a_few_lines() {
    let t0 = Instant::now();
    let mut a = Admission::new(settings(alice()), [7; 32], t0);
    let mut answered = 0;
    let mut lines = Vec::new();
    for i in 0..2000u32 {
        let now = t0 + Duration::from_millis(u64::from(i) * 5);
        if let Verdict::Answer(..) = a.check(now, &invite(None, i), ip(STRANGER), false, "t") {
            answered += 1;
        }
        lines.extend(std::iter::from_fn(|| a.poll_log(now)));
    }
    lines.extend(std::iter::from_fn(|| {
        a.poll_log(t0 + Duration::from_secs(3600))
    }));
    assert!(answered <= 40, "{answered} answers to 2000 INVITEs in 10 s");
    assert!(lines.len() <= 4, "{lines:?}");
    assert!(lines.iter().any(|l| matches!(l, LogLine::Banned { .. })));
}

#[test]
fn in_dialog_requests_and_options_need_no_credentials() {
    let t0 = Instant::now();
    let mut a = Admission::new(settings(alice()), [7; 32], t0);
    let text = "BYE sip:voxgate@192.0.2.10 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK9\r\n\
         From: <sip:alice@198.51.100.7>;tag=1\r\nTo: <sip:support@192.0.2.10>;tag=2\r\n\
         Call-ID: c1\r\nCSeq: 9 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    let sip::Message::Request(bye) = sip::Message::parse(text.as_bytes()).unwrap() else {
        unreachable!()
    };
    assert!(matches!(
        a.check(t0, &bye, ip(STRANGER), false, "t"),
        Verdict::Pass { user: None }
    ));
}

#[test]
fn the_digest_uri_must_name_this_server() {
    let t0 = Instant::now();
    let mut a = Admission::new(settings(alice()), [7; 32], t0);
    let c = challenges(&a.check(t0, &invite(None, 1), ip(STRANGER), false, "t"))[1].clone();
    // SIPp's form: the server's address without the user.
    let bare = answer(
        &c,
        "alice",
        "correct horse",
        "INVITE",
        "sip:192.0.2.10",
        "x",
        1,
    )
    .unwrap()
    .to_string();
    let v = a.check(t0, &invite(Some(&bare), 2), ip(STRANGER), false, "t");
    assert!(matches!(v, Verdict::Pass { .. }), "{v:?}");
    // Another server's address: credentials made for elsewhere.
    let other = answer(
        &c,
        "alice",
        "correct horse",
        "INVITE",
        "sip:192.0.2.99",
        "x",
        2,
    )
    .unwrap()
    .to_string();
    let v = a.check(t0, &invite(Some(&other), 3), ip(STRANGER), false, "t");
    assert_eq!(status(&v), Some(403));
}
