//! Agents added through the API, with a real phone: an operator adds Carol with a password
//! (refused: a configuration-file agent's id, a short password, neither password nor
//! address); her baresip phone registers with it (a wrong one is refused) and she shows
//! available; the store holds no password; a change without a password keeps hers; after a
//! restart she is still there and her phone registers again; removed, she is gone and her
//! phone's REGISTER is refused.
//! Skipped (with a message) only when baresip is missing and CI is not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "peers/baresip.rs"]
#[allow(dead_code)]
mod baresip;
mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use baresip::Baresip;
use common::http::{curl, curl_status};
use common::voice_call::write_wav;
use common::{Gateway, GatewayOpts, Ports, TempDir, have_peer};

const PASSWORD: &str = "carol-secret-9";

fn start(dir: &Path, ports: Ports) -> Gateway {
    let tail = format!(
        "[http]\nlisten = \"127.0.0.1:{}\"\n\
         [[center.agents]]\nid = \"alice\"\nuri = \"sip:alice@127.0.0.1:9\"\n",
        ports.base + 5
    );
    Gateway::start_opts(
        dir,
        ports,
        &GatewayOpts {
            sip: "[sip.limits]\nban_after_failures = 50",
            calls: "logic = \"demo\"",
            tail: &tail,
            ..GatewayOpts::default()
        },
    )
}

/// Carol's row in `GET /api/v1/agents`, if she is there.
fn carol(token: &str, api: &str) -> Option<serde_json::Value> {
    let view = curl(token, &[&format!("{api}/agents")]);
    view["agents"]
        .as_array()
        .unwrap_or_else(|| panic!("{view}"))
        .iter()
        .find(|a| a["id"] == "carol")
        .cloned()
}

/// Waits until Carol's row has `state`.
fn wait_state(gw: &Gateway, token: &str, api: &str, state: &str) {
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        let row = carol(token, api);
        if row.as_ref().is_some_and(|r| r["state"] == state) {
            return;
        }
        assert!(
            Instant::now() < end,
            "carol not {state}: {row:?}\n{}",
            gw.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn phone(dir: &Path, name: &str, slot: u16, registrar: u16, password: &str) -> Baresip {
    let own = dir.join(name);
    fs::create_dir_all(&own).unwrap();
    let silent = own.join("silent.wav");
    write_wav(&silent, &vec![0i16; 8000]);
    Baresip::agent(
        &own,
        Ports::new(slot),
        (registrar, true),
        ("carol", password),
        &silent,
    )
}

/// Waits until the gateway's log has `needle` `n` times.
fn wait_count(gw: &Gateway, needle: &str, n: usize) {
    let end = Instant::now() + Duration::from_secs(15);
    while gw.log().matches(needle).count() < n {
        assert!(Instant::now() < end, "no {n}× {needle:?}:\n{}", gw.log());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn an_agent_added_through_the_api_registers_survives_a_restart_and_is_removed() {
    if !have_peer("baresip") {
        return;
    }
    let dir = TempDir::new("agents-book");
    let ports = Ports::new(22);
    let mut gw = start(&dir.0, ports);
    let token = fs::read_to_string(dir.0.join("data/admin-token")).unwrap();
    let api = format!("http://127.0.0.1:{}/api/v1", ports.base + 5);
    let carol_url = format!("{api}/agents/carol");

    // What is refused, and why.
    let (s, body) = curl_status(&token, "PUT", &format!("{api}/agents/alice"), "{}");
    assert_eq!(s, 409, "a configured agent: {body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("configuration file")
    );
    let (s, body) = curl_status(&token, "PUT", &carol_url, r#"{"password": "short"}"#);
    assert_eq!(s, 400, "{body}");
    let (s, body) = curl_status(&token, "PUT", &carol_url, r#"{"name": "Carol"}"#);
    assert_eq!(s, 400, "neither password nor uri: {body}");
    let (s, _) = curl_status(&token, "PUT", &format!("{api}/agents/a.b"), "{}");
    assert_eq!(s, 400);
    assert!(carol(&token, &api).is_none());

    // Added: logged out until her phone registers; the answer never shows the secret.
    let body = format!(
        r#"{{"name": "Carol", "skills": ["billing"], "languages": ["en"], "password": "{PASSWORD}"}}"#
    );
    let (s, added) = curl_status(&token, "PUT", &carol_url, &body);
    assert_eq!(s, 201, "{added}");
    assert_eq!(added["registers"], true);
    assert!(!added.to_string().contains(PASSWORD), "{added}");
    let row = carol(&token, &api).unwrap();
    assert_eq!(
        (&row["state"], &row["source"], &row["skills"]),
        (
            &"logged_out".into(),
            &"api".into(),
            &serde_json::json!(["billing"])
        )
    );

    // A wrong password is refused; hers logs her in.
    let intruder = phone(&dir.0, "intruder", 23, ports.base, "carol-guess-1");
    wait_count(&gw, "REGISTER refused: wrong credentials", 1);
    drop(intruder);
    assert_eq!(carol(&token, &api).unwrap()["state"], "logged_out");
    let first = phone(&dir.0, "carol", 24, ports.base, PASSWORD);
    wait_state(&gw, &token, &api, "available");
    assert_eq!(carol(&token, &api).unwrap()["reachable"], true);

    // A change without a password keeps hers, and her registration.
    let (s, changed) = curl_status(&token, "PUT", &carol_url, r#"{"name": "Carol B"}"#);
    assert_eq!((s, &changed["registers"]), (200, &serde_json::json!(true)));
    let row = carol(&token, &api).unwrap();
    assert_eq!(
        (&row["name"], &row["reachable"]),
        (&"Carol B".into(), &true.into())
    );

    // The store keeps hashes only.
    drop(first);
    let db = fs::read(dir.0.join("data/voxgate.sqlite3")).unwrap();
    let wal = fs::read(dir.0.join("data/voxgate.sqlite3-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "the password is in the store"
        );
    }

    // After a restart she is still an agent, and her phone registers with the same password.
    gw.terminate(Duration::from_secs(10));
    let gw = start(&dir.0, ports);
    assert_eq!(carol(&token, &api).unwrap()["name"], "Carol B");
    let again = phone(&dir.0, "carol-again", 25, ports.base, PASSWORD);
    wait_state(&gw, &token, &api, "available");

    // Removed: gone from the list; her phone is refused from then on.
    let (s, _) = curl_status(&token, "DELETE", &carol_url, "");
    assert_eq!(s, 204);
    assert!(carol(&token, &api).is_none());
    let (s, _) = curl_status(&token, "DELETE", &carol_url, "");
    assert_eq!(s, 404);
    drop(again);
    // With no agent left who registers, REGISTER is not served at all (405).
    let late = phone(&dir.0, "carol-late", 26, ports.base, PASSWORD);
    let end = Instant::now() + Duration::from_secs(15);
    while !late.output().contains("405 Method Not Allowed") {
        assert!(Instant::now() < end, "not refused:\n{}", late.output());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        gw.log()
            .matches("registration agent=carol contacts=1")
            .count(),
        1,
        "{}",
        gw.log()
    );
    assert!(carol(&token, &api).is_none());
}
