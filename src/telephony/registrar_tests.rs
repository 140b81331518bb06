//! The registrar in virtual time: challenge, right and wrong passwords, another agent's
//! address of record, expiries (423, clamping, timers), several contacts and their limit,
//! removal one by one and with `*`, the CSeq rule, and which binding is rung.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use super::*;
use sip::Transport;
use sip::auth::{Challenge, answer};

fn registrar(t0: Instant) -> Registrar {
    let users = ["alice", "bob"]
        .map(|u| Registrant {
            user: u.into(),
            secret: crate::telephony::agents::Secret::Password(format!("{u} secret")),
        })
        .to_vec();
    Registrar::new(users, ("voxgate".into(), Vec::new()), [3; 32], t0)
}

fn peer(port: u16) -> Peer {
    Peer::new(SocketAddr::from(([198, 51, 100, 7], port)), Transport::Udp)
}

/// A REGISTER for `aor` with these extra header lines.
fn register(aor: &str, cseq: u32, extra: &str) -> Request {
    let text = format!(
        "REGISTER sip:192.0.2.10 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK{cseq}\r\n\
         From: <sip:{aor}@192.0.2.10>;tag=1\r\nTo: <sip:{aor}@192.0.2.10>\r\n\
         Call-ID: reg-{aor}\r\nCSeq: {cseq} REGISTER\r\nMax-Forwards: 70\r\n{extra}\
         Content-Length: 0\r\n\r\n"
    );
    match sip::Message::parse(text.as_bytes()).unwrap() {
        sip::Message::Request(r) => r,
        sip::Message::Response(_) => unreachable!(),
    }
}

/// Registers with a challenge first; returns the final answer.
fn signed(
    r: &mut Registrar,
    now: Instant,
    (user, password): (&str, &str),
    aor: &str,
    cseq: u32,
    extra: &str,
    from: Peer,
) -> (Response, Verdict) {
    let (resp, v) = r.handle(now, &register(aor, cseq, extra), from, "t");
    assert_eq!((resp.status.code(), v), (401, Verdict::Challenged));
    let c: Challenge = resp
        .head
        .headers
        .get(&HeaderName::WwwAuthenticate)
        .unwrap()
        .parse()
        .unwrap();
    let creds = answer(&c, user, password, "REGISTER", "sip:192.0.2.10", "cn", 1).unwrap();
    let auth = format!("Authorization: {creds}\r\n{extra}");
    r.handle(now, &register(aor, cseq, &auth), from, "t")
}

fn contacts(resp: &Response) -> Vec<String> {
    resp.head
        .headers
        .get_all(&HeaderName::Contact)
        .map(str::to_owned)
        .collect()
}

const ALICE: (&str, &str) = ("alice", "alice secret");

#[test]
fn the_right_password_binds_and_the_phone_becomes_reachable() {
    let t0 = Instant::now();
    let mut r = registrar(t0);
    let extra = "Contact: <sip:alice@198.51.100.7:5062>\r\nExpires: 600\r\n";
    let (resp, v) = signed(&mut r, t0, ALICE, "alice", 1, extra, peer(5062));
    assert_eq!((resp.status.code(), v), (200, Verdict::Ok));
    assert_eq!(
        contacts(&resp),
        ["<sip:alice@198.51.100.7:5062>;expires=600"]
    );
    assert_eq!(
        r.poll_event(),
        Some(RegistrarEvent::Changed {
            user: "alice".into(),
            contacts: 1
        })
    );
    let b = r.lookup("alice").unwrap();
    assert_eq!(b.source, peer(5062));
    assert_eq!(b.uri.to_string(), "sip:alice@198.51.100.7:5062");
    assert_eq!(r.poll_timeout(), Some(t0 + Duration::from_secs(600)));
    r.handle_timeout(t0 + Duration::from_secs(599));
    assert_eq!(r.contacts("alice"), 1);
    r.handle_timeout(t0 + Duration::from_secs(600));
    assert_eq!(r.contacts("alice"), 0);
    assert_eq!(
        r.poll_event(),
        Some(RegistrarEvent::Changed {
            user: "alice".into(),
            contacts: 0
        })
    );
    assert_eq!(r.poll_timeout(), None);
}

#[test]
fn a_wrong_password_an_unknown_user_and_another_agents_record_are_refused() {
    let t0 = Instant::now();
    let mut r = registrar(t0);
    let extra = "Contact: <sip:x@198.51.100.7>\r\n";
    let (resp, v) = signed(&mut r, t0, ("alice", "guess"), "alice", 1, extra, peer(1));
    assert_eq!((resp.status.code(), v), (403, Verdict::AuthFailed));
    let (resp, v) = signed(&mut r, t0, ("mallory", "x"), "mallory", 2, extra, peer(1));
    assert_eq!((resp.status.code(), v), (403, Verdict::AuthFailed));
    // Alice's own credentials do not register Bob's phone.
    let (resp, v) = signed(&mut r, t0, ALICE, "bob", 3, extra, peer(1));
    assert_eq!((resp.status.code(), v), (403, Verdict::AuthFailed));
    assert_eq!(r.contacts("alice") + r.contacts("bob"), 0);
    assert_eq!(r.poll_event(), None);
}

#[test]
fn too_brief_is_423_with_min_expires_and_too_long_is_shortened() {
    let t0 = Instant::now();
    let mut r = registrar(t0);
    let extra = "Contact: <sip:alice@198.51.100.7>;expires=30\r\n";
    let (resp, v) = signed(&mut r, t0, ALICE, "alice", 1, extra, peer(1));
    assert_eq!((resp.status.code(), v), (423, Verdict::Refused));
    assert_eq!(resp.head.headers.get(&HeaderName::MinExpires), Some("60"));
    let extra = "Contact: <sip:alice@198.51.100.7>\r\nExpires: 86400\r\n";
    let (resp, _) = signed(&mut r, t0, ALICE, "alice", 2, extra, peer(1));
    assert_eq!(contacts(&resp), ["<sip:alice@198.51.100.7>;expires=3600"]);
}

#[test]
fn several_phones_the_newest_is_rung_and_the_sixth_is_refused() {
    let t0 = Instant::now();
    let mut r = registrar(t0);
    for i in 1..=5u16 {
        let extra = format!("Contact: <sip:alice@198.51.100.{i}>\r\n");
        let now = t0 + Duration::from_secs(u64::from(i));
        let (resp, _) = signed(&mut r, now, ALICE, "alice", u32::from(i), &extra, peer(i));
        assert_eq!(resp.status.code(), 200);
        assert_eq!(contacts(&resp).len(), usize::from(i));
    }
    assert_eq!(r.lookup("alice").unwrap().source, peer(5));
    let extra = "Contact: <sip:alice@198.51.100.6>\r\n";
    let (resp, v) = signed(&mut r, t0, ALICE, "alice", 6, extra, peer(6));
    assert_eq!((resp.status.code(), v), (403, Verdict::Refused));
    assert_eq!(r.contacts("alice"), 5);
    // Refreshing an existing one is fine and makes it the newest.
    let extra = "Contact: <sip:alice@198.51.100.2>\r\n";
    let later = t0 + Duration::from_secs(10);
    let (resp, _) = signed(&mut r, later, ALICE, "alice", 7, extra, peer(2));
    assert_eq!(resp.status.code(), 200);
    assert_eq!(r.lookup("alice").unwrap().source, peer(2));
}

#[test]
fn expires_zero_removes_one_and_star_removes_all_but_not_with_an_old_cseq() {
    let t0 = Instant::now();
    let mut r = registrar(t0);
    let two = "Contact: <sip:alice@198.51.100.1>, <sip:alice@198.51.100.2>\r\n";
    signed(&mut r, t0, ALICE, "alice", 5, two, peer(1));
    assert_eq!(r.contacts("alice"), 2);
    let one = "Contact: <sip:alice@198.51.100.1>;expires=0\r\n";
    let (resp, _) = signed(&mut r, t0, ALICE, "alice", 6, one, peer(1));
    assert_eq!(contacts(&resp), ["<sip:alice@198.51.100.2>;expires=3600"]);
    // The same Call-ID with an old CSeq is refused and changes nothing.
    let star = "Contact: *\r\nExpires: 0\r\n";
    let (resp, _) = signed(&mut r, t0, ALICE, "alice", 4, star, peer(1));
    assert_eq!(resp.status.code(), 500);
    assert_eq!(r.contacts("alice"), 1);
    // `*` needs Expires: 0.
    let (resp, _) = signed(&mut r, t0, ALICE, "alice", 8, "Contact: *\r\n", peer(1));
    assert_eq!(resp.status.code(), 400);
    let (resp, _) = signed(&mut r, t0, ALICE, "alice", 9, star, peer(1));
    assert_eq!((resp.status.code(), contacts(&resp).len()), (200, 0));
    assert_eq!(r.contacts("alice"), 0);
}

#[test]
fn a_register_without_contacts_fetches_the_bindings() {
    let t0 = Instant::now();
    let mut r = registrar(t0);
    signed(
        &mut r,
        t0,
        ALICE,
        "alice",
        1,
        "Contact: <sip:a@198.51.100.1>\r\n",
        peer(1),
    );
    let later = t0 + Duration::from_secs(100);
    let (resp, _) = signed(&mut r, later, ALICE, "alice", 2, "", peer(1));
    assert_eq!(contacts(&resp), ["<sip:a@198.51.100.1>;expires=3500"]);
}

#[test]
fn garbage_expiries_are_400_not_a_panic() {
    // (A bad Expires header never parses: the transport answers 400 before the registrar.)
    let t0 = Instant::now();
    let mut r = registrar(t0);
    for extra in [
        "Contact: <sip:a@198.51.100.1>;expires=soon\r\n",
        "Contact: <sip:a@198.51.100.1>;expires\r\n",
    ] {
        let (resp, v) = signed(&mut r, t0, ALICE, "alice", 1, extra, peer(1));
        assert_eq!((resp.status.code(), v), (400, Verdict::Refused), "{extra}");
    }
}

#[test]
fn an_agent_added_with_hashed_secrets_registers_and_removal_drops_its_phone() {
    let t0 = Instant::now();
    let mut r = Registrar::new(Vec::new(), ("voxgate".into(), Vec::new()), [3; 32], t0);
    assert!(!r.serves());
    let secret = crate::telephony::agents::Secret::hashed("carol", "voxgate", "carol's secret");
    r.upsert(Registrant {
        user: "carol".into(),
        secret,
    });
    assert!(r.serves());
    let extra = "Contact: <sip:carol@198.51.100.7:5064>\r\nExpires: 600\r\n";
    let wrong = signed(
        &mut r,
        t0,
        ("carol", "guess"),
        "carol",
        1,
        extra,
        peer(5064),
    );
    assert_eq!((wrong.0.status.code(), wrong.1), (403, Verdict::AuthFailed));
    let carol = ("carol", "carol's secret");
    let (resp, v) = signed(&mut r, t0, carol, "carol", 2, extra, peer(5064));
    assert_eq!((resp.status.code(), v), (200, Verdict::Ok));
    let _ = r.poll_event();
    r.remove("carol");
    assert_eq!(r.contacts("carol"), 0);
    assert_eq!(
        r.poll_event(),
        Some(RegistrarEvent::Changed {
            user: "carol".into(),
            contacts: 0
        })
    );
    let (resp, v) = r.handle(t0, &register("carol", 3, extra), peer(5064), "t");
    assert_eq!((resp.status.code(), v), (401, Verdict::Challenged));
    assert!(!r.serves());
}
