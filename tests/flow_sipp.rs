//! A keypad flow on real calls from SIPp (keys by SIP INFO): no model is loaded for it; a
//! key chooses an option, a webhook that cannot be reached takes `on_error`, a key that is no
//! option takes `no_match`, silence retries with its prompt then takes `no_input`'s `then`,
//! a subflow runs and returns, and the dialled number chooses the flow. What each call did is read from the gateway's
//! log of the nodes it entered.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::time::Duration;

use common::{Gateway, GatewayOpts, Ports, Sipp, TempDir, have_peer, scenario};

const IVR: &str = "flow: ivr
start: menu
nodes:
  menu:
    menu:
      play: greeting.wav
      options: {\"1\": one, \"2\": two}
      speech: false
      timeout_secs: 1
      no_input: {retries: 1, play: pound.wav, then: quiet}
      no_match: {retries: 0, then: wrong}
  one:
    set: {choice: \"one\"}
    next: lookup
  lookup:
    # Nothing listens on the discard port: the request fails and the flow goes on.
    webhook: {url: \"http://127.0.0.1:9/orders/{choice}\", timeout_ms: 500, into: order}
    next: found
    on_error: fallback
  found:
    hangup: {play: goodbye.wav}
  fallback:
    hangup: {play: goodbye.wav}
  two:
    subflow: goodbye
    next: done
  done:
    hangup: true
  quiet:
    hangup: true
  wrong:
    hangup: true
";

const GOODBYE: &str = "flow: goodbye\nstart: tone\nnodes:\n  tone:\n    play: goodbye.wav\n    next: back\n  back:\n    return: true\n";

const OTHER: &str = "flow: other\nstart: bye\nnodes:\n  bye:\n    hangup: true\n";

/// The nodes call `call` entered, in order.
fn path_of(gw: &Gateway, call: u64) -> Vec<String> {
    let tag = format!("flow node call={call} ");
    gw.log()
        .lines()
        .filter(|l| l.contains(&tag))
        .filter_map(|l| l.split("node=").nth(1).map(|n| n.trim().to_string()))
        .collect()
}

fn call(gw: &Gateway, dir: &TempDir, n: u16, key: Option<&str>) {
    let sf = match key {
        Some(k) => scenario(
            &dir.0,
            "uac_flow_key.xml",
            &[("PAUSE_MS", "700"), ("KEY", k), ("BYE_WAIT_MS", "15000")],
        ),
        None => scenario(&dir.0, "uac_flow_wait.xml", &[("BYE_WAIT_MS", "30000")]),
    };
    let (code, out) = Sipp::spawn(&dir.0, gw.ports, n, &sf, &[]).wait();
    assert_eq!(code, 0, "sipp failed:\n{out}\nvoxgate log:\n{}", gw.log());
}

#[test]
fn a_keypad_flow_takes_every_branch_on_real_calls_without_models() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("flow-sipp");
    let flows = dir.0.join("data/flows");
    fs::create_dir_all(&flows).unwrap();
    fs::write(flows.join("ivr.yaml"), IVR).unwrap();
    fs::write(flows.join("other.yaml"), OTHER).unwrap();
    fs::write(flows.join("goodbye.yaml"), GOODBYE).unwrap();
    let prompts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/prompts");
    for wav in ["greeting.wav", "pound.wav", "goodbye.wav"] {
        fs::copy(prompts.join(wav), flows.join(wav)).unwrap();
    }
    let ports = Ports::new(61);
    // SIPp dials `svc`: mapped to the ivr flow; other numbers get `other`.
    let gw = Gateway::start_opts(
        &dir.0,
        ports,
        &GatewayOpts {
            calls: "logic = \"flow\"",
            tail: "[flows]\ndir = \"flows\"\ndefault_flow = \"other\"\nnumbers = { svc = \"ivr\" }",
            ..GatewayOpts::default()
        },
    );
    let log = gw.wait_log("calls run flows", Duration::from_secs(5));
    assert!(
        log.contains("agent=false speech=false voice=false"),
        "{log}"
    );

    call(&gw, &dir, 0, Some("1"));
    assert_eq!(
        path_of(&gw, 1),
        ["menu", "one", "lookup", "fallback"],
        "{}",
        gw.log()
    );
    call(&gw, &dir, 1, Some("7"));
    assert_eq!(path_of(&gw, 2), ["menu", "wrong"]);
    call(&gw, &dir, 2, None);
    assert_eq!(path_of(&gw, 3), ["menu", "quiet"]);
    // The no-input retry played its prompt and the menu's again before giving up: the call
    // lasted at least the two timeouts and the three prompts.
    let summaries = gw.wait_summaries(3, Duration::from_secs(10));
    let third = &summaries[2];
    let lasted = third["ended_ms"].as_i64().unwrap() - third["answered_ms"].as_i64().unwrap();
    assert!(lasted >= 2000, "{third}");
    assert!(third["sent"]["packets"].as_u64().unwrap() > 100, "{third}");
    assert_eq!(third["side"], "gateway", "{third}");
    // A subflow plays its prompt and returns to the calling flow's `next`.
    call(&gw, &dir, 3, Some("2"));
    assert_eq!(path_of(&gw, 4), ["menu", "two", "tone", "back", "done"]);
    // A NOTIFY reporting a transfer nobody asked for is answered and changes nothing: the
    // call goes on to its key as before (a forged "200 OK" must not end it).
    let sf = scenario(
        &dir.0,
        "uac_notify_key.xml",
        &[("PAUSE_MS", "700"), ("KEY", "2"), ("BYE_WAIT_MS", "15000")],
    );
    let (code, out) = Sipp::spawn(&dir.0, gw.ports, 0, &sf, &[]).wait();
    assert_eq!(code, 0, "sipp failed:\n{out}\nvoxgate log:\n{}", gw.log());
    assert_eq!(path_of(&gw, 5), ["menu", "two", "tone", "back", "done"]);
}

const TRANSFER: &str = "flow: xfer
start: go
nodes:
  go:
    transfer: {uri: \"sip:desk@example.invalid\"}
    on_fail: failed
  failed:
    hangup: {play: goodbye.wav}
";

/// A transfer to a SIP address is a REFER: SIPp accepts it and reports the referred call in
/// a NOTIFY. A 200 there ends voxgate's leg (its BYE); a 486 takes the flow's `on_fail`.
#[test]
fn a_transfer_to_a_sip_address_is_a_refer_whose_outcome_the_flow_follows() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("flow-refer");
    let flows = dir.0.join("data/flows");
    fs::create_dir_all(&flows).unwrap();
    fs::write(flows.join("xfer.yaml"), TRANSFER).unwrap();
    let prompts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/prompts");
    fs::copy(prompts.join("goodbye.wav"), flows.join("goodbye.wav")).unwrap();
    let ports = Ports::new(62);
    let gw = Gateway::start_opts(
        &dir.0,
        ports,
        &GatewayOpts {
            calls: "logic = \"flow\"",
            tail: "[flows]\ndir = \"flows\"\ndefault_flow = \"xfer\"",
            ..GatewayOpts::default()
        },
    );
    for (n, status) in [(0u16, "200 OK"), (1, "486 Busy Here")] {
        let sf = scenario(
            &dir.0,
            "uac_refer.xml",
            &[("STATUS", status), ("BYE_WAIT_MS", "15000")],
        );
        let (code, out) = Sipp::spawn(&dir.0, gw.ports, n, &sf, &[]).wait();
        assert_eq!(code, 0, "sipp failed:\n{out}\nvoxgate log:\n{}", gw.log());
    }
    assert_eq!(path_of(&gw, 1), ["go"], "{}", gw.log());
    assert_eq!(path_of(&gw, 2), ["go", "failed"], "{}", gw.log());
    let log = gw.log();
    for line in log.lines().filter(|l| l.contains("transfer")) {
        eprintln!("{line}");
    }
    assert!(log.contains("outcome=Connected"), "{log}");
    assert!(log.contains("outcome=Failed(Some(486))"), "{log}");
    let s = gw.wait_summaries(2, Duration::from_secs(10));
    assert!(s.iter().all(|c| c["side"] == "gateway"), "{s:?}");
}
