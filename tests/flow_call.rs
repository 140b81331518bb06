//! Flows on real calls: baresip calls voxgate with `calls.logic = "flow"`. The bundled demo
//! flow: a question spoken over the menu is the agent's first turn (answered, never asked
//! again); keys choose orders, the order number keyed in reaches the order webhook and its
//! answer is read back. An operator's flow: a voicemail is recorded, stored and listed. A
//! spoken menu: words that match no option are a no-match (retried), a spoken choice is
//! taken and spoken digits are collected. A flow file with an error stops `serve` naming
//! the file and line.
//! Skipped (with a message) only when baresip or the models are missing and CI is not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "peers/baresip.rs"]
#[allow(dead_code)]
mod baresip;
mod common;

use std::fs;
use std::time::Duration;

use baresip::{Baresip, decoded_recording};
use common::http::curl;
use common::voice_call::{AgentGateway, MODELS, mic_at as mic, read_wav};
use common::{Ports, TempDir, have_peer};

fn transcript_lines(gw: &AgentGateway, n: usize, timeout: Duration) -> Vec<String> {
    gw.wait_jsonl("transcripts.jsonl", n, timeout)
        .iter()
        .filter_map(|l| l["text"].as_str().map(str::to_string))
        .collect()
}

/// An API call with curl and the admin token; the JSON answer (`Null` when none).
/// Waits for a transcript line containing `want`.
fn wait_line(gw: &AgentGateway, want: &str, timeout: Duration) -> Vec<String> {
    let end = std::time::Instant::now() + timeout;
    loop {
        let lines = transcript_lines(gw, 0, Duration::ZERO);
        if lines.iter().any(|l| l.contains(want)) || std::time::Instant::now() >= end {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_question_spoken_over_the_demo_menu_is_answered_by_the_agent() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("flow-question");
    // The greeting takes about 2 s; the question comes while the menu is being read.
    let (mic, question_end) = mic(
        &models,
        &dir.0,
        4000,
        "How many days do I have to return an item?",
        150,
    );
    let ports = Ports::new(57);
    let gw = AgentGateway::start_logic(&dir.0, ports, &models, "flow", "");
    let mut phone = Baresip::dial_with_mic(&dir.0, ports, false, &mic);
    phone.wait_established(Duration::from_secs(10));
    let turns = gw.wait_jsonl("agent_turns.jsonl", 1, Duration::from_secs(150));
    std::thread::sleep(Duration::from_millis(500));
    let trace = phone.quit();
    assert_eq!(turns.len(), 1, "no turn answered:\n{}\n{trace}", gw.log());
    assert!(
        turns[0]["handoff"].is_null(),
        "handed off: {}\n{}",
        turns[0],
        gw.log()
    );
    let lines = transcript_lines(&gw, 4, Duration::from_secs(10));
    assert!(
        lines
            .iter()
            .any(|l| l == "[agent] Thanks for calling Example Shop."),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("[agent] Press 1")),
        "{lines:?}"
    );
    let log = gw.log();
    // It names returns, so it chose that option and went on as the returns agent's first
    // turn, without the "what would you like to know" of a bare "returns".
    assert!(log.contains("node=returns_agent"), "{log}");
    assert!(!log.contains("node=returns_ask"), "{log}");
    let heard =
        common::voice_call::heard_after(&decoded_recording(&dir.0), &dir.0, &models, question_end);
    eprintln!("the caller heard: {heard:?}");
    assert!(
        (heard.contains("30") || heard.contains("thirty"))
            && (heard.contains("day") || heard.contains("return")),
        "the return window is not in what the caller heard: {heard:?}"
    );
    assert!(
        !heard.contains("press 1"),
        "the menu was read again after the question: {heard:?}"
    );
}

#[test]
fn keys_choose_orders_and_the_keyed_order_number_is_looked_up_and_read_back() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("flow-keys");
    let ports = Ports::new(58);
    let gw = AgentGateway::start_logic(&dir.0, ports, &models, "flow", "");
    let mut phone = Baresip::dial(&dir.0, ports, false);
    phone.wait_established(Duration::from_secs(10));
    std::thread::sleep(Duration::from_secs(4));
    phone.send_digit('1');
    // "Please key or say your order number."
    let lines = wait_line(&gw, "order number", Duration::from_secs(20));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Please key or say your order number")),
        "{lines:?}\n{}",
        gw.log()
    );
    std::thread::sleep(Duration::from_secs(3));
    for key in "104233#".chars() {
        phone.send_digit(key);
        std::thread::sleep(Duration::from_millis(250));
    }
    let lines = wait_line(&gw, "Royal Mail", Duration::from_secs(30));
    let read_back = lines.iter().find(|l| l.contains("Royal Mail"));
    assert!(
        read_back.is_some_and(|l| l.contains("is shipped")),
        "{lines:?}\n{}",
        gw.log()
    );
    // Let the read-back play, then check the caller heard it.
    std::thread::sleep(Duration::from_secs(9));
    let _ = phone.quit();
    let rec = read_wav(&decoded_recording(&dir.0));
    assert!(
        rec.len() > 8000 * 10,
        "the call was short: {} samples",
        rec.len()
    );
    let heard = common::voice_call::heard_after(
        &decoded_recording(&dir.0),
        &dir.0,
        &models,
        rec.len().saturating_sub(8000 * 14),
    );
    eprintln!("the caller heard: {heard:?}");
    assert!(
        heard.contains("shipped") || heard.contains("royal mail"),
        "{heard:?}"
    );
}

#[test]
fn an_operators_voicemail_flow_records_stores_and_hangs_up() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("flow-voicemail");
    // Open around the clock, but today (UTC, the real clock) is a closed day.
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let flows = dir.0.join("data/flows");
    fs::create_dir_all(&flows).unwrap();
    fs::write(
        flows.join("after-hours.yaml"),
        format!(
            "flow: after-hours\nstart: hours\nnodes:\n  hours:\n    condition:\n      - if: {{open: {{tz: UTC, hours: \"daily 00:00-24:00\", holidays: [{today}]}}}}\n        next: open\n    else: vm\n  open:\n    hangup: {{say: \"We are open.\"}}\n  vm:\n    voicemail: {{say: \"We are closed. Leave a message after the tone.\", max_secs: 30}}\n"
        ),
    )
    .unwrap();
    let (mic, _) = mic(
        &models,
        &dir.0,
        6000,
        "Hello, this is Sam. Please call me back about my order.",
        30,
    );
    let ports = Ports::new(59);
    let gw = AgentGateway::start_logic(
        &dir.0,
        ports,
        &models,
        "flow",
        "[flows]\ndir = \"flows\"\ndefault_flow = \"after-hours\"\n",
    );
    let mut phone = Baresip::dial_with_mic(&dir.0, ports, false, &mic);
    phone.wait_established(Duration::from_secs(10));
    // The message ends 5 s after the caller stops; then voxgate hangs up.
    phone.wait_closed(Duration::from_secs(40));
    let _ = phone.quit();
    let store =
        voxgate::store::Store::open(&dir.0.join("data"), voxgate::store::CallerPolicy::Redact)
            .unwrap();
    let mut found = Vec::new();
    for _ in 0..50 {
        found = store.voicemails(10).unwrap();
        if !found.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(found.len(), 1, "{}", gw.log());
    let vm = &found[0];
    assert_eq!((vm.flow.as_str(), vm.node.as_str()), ("after-hours", "vm"));
    assert!(!gw.log().contains("node=open"), "{}", gw.log());
    let wav = read_wav(&dir.0.join("data").join(&vm.path));
    // The message (about 4 s of speech) and half a second after it; not the 30 s of silence.
    assert!((3000..12_000).contains(&vm.duration_ms), "{vm:?}");
    assert_eq!(wav.len() as u64 / 8, vm.duration_ms);
    // The operator changes the flow over HTTP (curl): a new active version, audited.
    let token = fs::read_to_string(dir.0.join("data/admin-token")).unwrap();
    let base = format!("http://127.0.0.1:{}", ports.base + 5);
    let curl = |args: &[&str]| curl(&token, args);
    let listed = curl(&[&format!("{base}/api/v1/voicemails")]);
    assert_eq!(
        listed["voicemails"][0]["path"],
        vm.path.as_str(),
        "{listed}"
    );
    let list = curl(&[&format!("{base}/api/v1/flows")]);
    assert_eq!(list["flows"][0]["name"], "after-hours", "{list}");
    assert_eq!(list["flows"][0]["version"], 1, "{list}");
    let v2 = flows.join("v2.yaml.txt");
    fs::write(
        &v2,
        "flow: after-hours\nstart: vm\nnodes:\n  vm:\n    voicemail: {say: \"Leave a message.\"}\n",
    )
    .unwrap();
    let put = curl(&[
        "-X",
        "PUT",
        "--data-binary",
        &format!("@{}", v2.display()),
        &format!("{base}/api/v1/flows/after-hours"),
    ]);
    assert_eq!(put["version"], 2, "{put}");
    let audit = curl(&[&format!("{base}/api/v1/audit")]);
    assert_eq!(audit["entries"][0]["action"], "flow.activate", "{audit}");
    assert_eq!(audit["entries"][1]["action"], "flow.import", "{audit}");
    let loud = wav
        .chunks(160)
        .filter(|f| f.iter().any(|s| s.unsigned_abs() > 1000))
        .count();
    assert!(
        loud > 50,
        "the recording holds no speech ({loud} loud frames)"
    );
}

#[test]
fn serve_refuses_a_broken_flow_file_naming_file_and_line() {
    let dir = TempDir::new("flow-broken");
    let flows = dir.0.join("data/flows");
    fs::create_dir_all(&flows).unwrap();
    fs::write(
        flows.join("main.yaml"),
        "flow: main\nstart: a\nnodes:\n  a:\n    say: Hi\n    next: nowhere\n",
    )
    .unwrap();
    let config = dir.0.join("voxgate.toml");
    fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n[sip]\nlisten = \"127.0.0.1:0\"\n[http]\nlisten = \"127.0.0.1:0\"\n[calls]\nlogic = \"flow\"\n[flows]\ndir = \"flows\"\ndefault_flow = \"main\"\n",
            dir.0.join("data").display()
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("VOXGATE_MODELS", dir.0.join("no-models"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("main.yaml:6: error: node `a`: goes to `nowhere`"),
        "{err}"
    );
}

const SALES: &str = "flow: sales\nstart: hi\nnodes:\n  hi:\n    menu:\n      say: \"Sales, version one. Press 1.\"\n      options: {\"1\": done}\n      timeout_secs: 20\n      no_input: {retries: 3, then: done}\n  done:\n    hangup: {say: \"Goodbye from version one.\"}\n";

#[test]
fn dialled_numbers_choose_flows_and_a_new_version_applies_to_the_next_call_only() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("flow-versions");
    let flows = dir.0.join("data/flows");
    fs::create_dir_all(&flows).unwrap();
    fs::write(
        flows.join("main.yaml"),
        "flow: main\nstart: hi\nnodes:\n  hi:\n    say: \"This is the main line.\"\n    next: bye\n  bye:\n    hangup: true\n",
    )
    .unwrap();
    fs::write(flows.join("sales.yaml"), SALES).unwrap();
    let ports = Ports::new(60);
    // baresip dials the user `svc`: mapped to the sales flow.
    let gw = AgentGateway::start_logic(
        &dir.0,
        ports,
        &models,
        "flow",
        "[flows]\ndir = \"flows\"\ndefault_flow = \"main\"\nnumbers = { svc = \"sales\" }\n",
    );
    let token = fs::read_to_string(dir.0.join("data/admin-token")).unwrap();
    let base = format!("http://127.0.0.1:{}", ports.base + 5);

    // Call 1 starts on version 1.
    let mut first = Baresip::dial(&dir.0, ports, false);
    first.wait_established(Duration::from_secs(10));
    let lines = wait_line(&gw, "Sales, version one", Duration::from_secs(20));
    assert!(
        lines.iter().any(|l| l.contains("Sales, version one")),
        "{lines:?}\n{}",
        gw.log()
    );
    let calls = curl(&token, &[&format!("{base}/api/v1/calls")]);
    assert_eq!(calls["calls"][0]["flow"], "sales", "{calls}");
    assert_eq!(calls["calls"][0]["node"], "hi", "{calls}");

    // Version 2 is activated while call 1 is in progress; a broken one is refused.
    let broken = flows.join("broken.txt");
    fs::write(&broken, SALES.replace("then: done", "then: dnoe")).unwrap();
    let refused = curl(
        &token,
        &[
            "-X",
            "PUT",
            "--data-binary",
            &format!("@{}", broken.display()),
            &format!("{base}/api/v1/flows/sales"),
        ],
    );
    assert_eq!(refused["error"], "invalid flow", "{refused}");
    let v2 = flows.join("v2.txt");
    fs::write(&v2, SALES.replace("version one", "version two")).unwrap();
    let put = curl(
        &token,
        &[
            "-X",
            "PUT",
            "--data-binary",
            &format!("@{}", v2.display()),
            &format!("{base}/api/v1/flows/sales"),
        ],
    );
    assert_eq!(put["version"], 2, "{put}");

    // Call 1 finishes on version 1.
    first.send_digit('1');
    let lines = wait_line(&gw, "Goodbye from version one", Duration::from_secs(20));
    assert!(
        lines.iter().any(|l| l.contains("Goodbye from version one")),
        "{lines:?}\n{}",
        gw.log()
    );
    first.wait_closed(Duration::from_secs(20));
    let _ = first.quit();

    // Call 2 follows version 2.
    let mut second = Baresip::dial(&dir.0, ports, false);
    second.wait_established(Duration::from_secs(10));
    let lines = wait_line(&gw, "Sales, version two", Duration::from_secs(20));
    assert!(
        lines.iter().any(|l| l.contains("Sales, version two")),
        "{lines:?}\n{}",
        gw.log()
    );
    second.send_digit('1');
    let lines = wait_line(&gw, "Goodbye from version two", Duration::from_secs(20));
    assert!(
        lines.iter().any(|l| l.contains("Goodbye from version two")),
        "{lines:?}\n{}",
        gw.log()
    );
    second.wait_closed(Duration::from_secs(20));
    let _ = second.quit();
    assert!(
        !lines.iter().any(|l| l.contains("This is the main line")),
        "{lines:?}"
    );
}

const SPOKEN: &str = "flow: spoken
start: ask
nodes:
  ask:
    menu:
      say: \"Say sales or support.\"
      options: {sales: sales, support: bye}
      timeout_secs: 10
      no_match: {retries: 1, say: \"Sorry, I did not catch that.\", then: bye}
      no_input: {retries: 0, then: bye}
  sales:
    collect:
      say: \"Please say your account number.\"
      digits: {min: 6, max: 6}
      into: account
      timeout_secs: 10
      invalid: {retries: 0, then: bye}
    next: tell
  tell:
    say: \"Account {account}, thank you.\"
    next: bye
  bye:
    hangup: {say: \"Goodbye.\"}
";

/// Spoken input through a flow on a real call: words that are no option are a no-match
/// (its line said, the menu asked again), a spoken option is chosen, and an account number
/// said as words is collected and said back.
#[test]
fn spoken_words_take_no_match_a_choice_and_digits_through_a_flow() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("flow-spoken");
    let flows = dir.0.join("data/flows");
    fs::create_dir_all(&flows).unwrap();
    fs::write(flows.join("spoken.yaml"), SPOKEN).unwrap();
    // The caller: a word that is no option, a choice, then the number, each well after the
    // prompt it answers has begun (speech over a prompt interrupts it).
    let silence = |ms: usize| vec![0i16; ms * 8];
    let say = |text: &str| common::voice_call::say(&models, &dir.0, text);
    let mut pcm = silence(3000);
    pcm.extend(say("Banana smoothie."));
    pcm.extend(silence(5000));
    pcm.extend(say("Sales."));
    pcm.extend(silence(5000));
    pcm.extend(say("One two three four five six."));
    pcm.extend(silence(60_000));
    let mic = dir.0.join("mic.wav");
    common::voice_call::write_wav(&mic, &pcm);
    let ports = Ports::new(63);
    let gw = AgentGateway::start_logic(
        &dir.0,
        ports,
        &models,
        "flow",
        "[flows]\ndir = \"flows\"\ndefault_flow = \"spoken\"\n",
    );
    let mut phone = Baresip::dial_with_mic(&dir.0, ports, false, &mic);
    phone.wait_established(Duration::from_secs(10));
    let lines = wait_line(&gw, "thank you", Duration::from_secs(60));
    let _ = phone.quit();
    let said = |want: &str| lines.iter().any(|l| l.contains(want));
    assert!(
        said("Sorry, I did not catch that."),
        "no no-match line: {lines:?}\n{}",
        gw.log()
    );
    assert!(
        said("Account 123456, thank you."),
        "the spoken number was not collected: {lines:?}\n{}",
        gw.log()
    );
    let log = gw.log();
    let nodes: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("flow node call=1 "))
        .filter_map(|l| l.split("node=").nth(1))
        .map(str::trim)
        .collect();
    assert_eq!(nodes[..3], ["ask", "sales", "tell"], "{lines:?}");
}

const MOOD: &str = "flow: mood
start: ask
nodes:
  ask:
    menu:
      say: \"Say sales or support.\"
      options: {sales: calm, support: calm}
      timeout_secs: 15
      other: check
      no_input: {retries: 0, then: bye}
  check:
    condition:
      - if: {emotion: [angry, frustrated]}
        next: sorry
    else: calm
  sorry:
    say: \"I am sorry about all this.\"
    next: bye
  calm:
    say: \"Thank you.\"
    next: bye
  bye:
    hangup: {say: \"Goodbye.\"}
";

/// How the caller sounds, on a real call: an angry complaint said loudly is read as angry
/// or frustrated (an `emotion` event in the log, the label kept with the caller's line in
/// the call's transcript) and the flow's `emotion` test sends the call down its branch.
#[test]
fn a_loud_angry_complaint_is_read_kept_with_the_line_and_branched_on() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("flow-mood");
    let flows = dir.0.join("data/flows");
    fs::create_dir_all(&flows).unwrap();
    fs::write(flows.join("mood.yaml"), MOOD).unwrap();
    let complaint = "This is the third time I have called about this. It is ridiculous. I want my money back now.";
    // Spoken loudly: the voice at twice its amplitude (+6 dB), clipped.
    let loud: Vec<i16> = common::voice_call::say(&models, &dir.0, complaint)
        .iter()
        .map(|&s| (i32::from(s) * 2).clamp(-32_000, 32_000) as i16)
        .collect();
    let mut pcm = vec![0i16; 3000 * 8];
    pcm.extend(loud);
    pcm.extend(vec![0i16; 40_000 * 8]);
    let mic = dir.0.join("mic.wav");
    common::voice_call::write_wav(&mic, &pcm);
    let ports = Ports::new(64);
    let gw = AgentGateway::start_logic(
        &dir.0,
        ports,
        &models,
        "flow",
        "[flows]\ndir = \"flows\"\ndefault_flow = \"mood\"\n",
    );
    let mut phone = Baresip::dial_with_mic(&dir.0, ports, false, &mic);
    phone.wait_established(Duration::from_secs(10));
    let lines = wait_line(&gw, "Goodbye", Duration::from_secs(60));
    let _ = phone.quit();
    let log = gw.log();
    let event = log
        .lines()
        .find(|l| l.contains(" emotion call=1 "))
        .unwrap_or_else(|| panic!("no emotion event: {lines:?}\n{log}"));
    assert!(
        event.contains("label=angry ") || event.contains("label=frustrated "),
        "{event}"
    );
    eprintln!("emotion event: {event}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("I am sorry about all this.")),
        "the flow did not branch on the emotion: {lines:?}\n{log}"
    );
    let stored = gw.wait_jsonl("transcripts.jsonl", 0, Duration::ZERO);
    let heard = stored
        .iter()
        .find(|r| r["text"].as_str().is_some_and(|t| t.contains("money back")))
        .unwrap_or_else(|| panic!("the complaint is not in the transcript: {stored:?}"));
    let label = heard["emotion"]["label"].as_str().unwrap_or_default();
    assert!(["angry", "frustrated"].contains(&label), "{heard}");
    assert!(heard["emotion"]["arousal"].as_f64().is_some(), "{heard}");
}

/// Crisis words said at the demo's menu, on a real call: the caller hears the emergency line
/// at once and the call goes to the flow's `on_crisis` node (a transfer at top priority).
#[test]
fn crisis_words_at_the_menu_get_the_emergency_line_and_on_crisis() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("flow-crisis");
    let (mic, _) = mic(
        &models,
        &dir.0,
        4000,
        "Honestly, I don't want to live anymore.",
        60,
    );
    let ports = Ports::new(65);
    let gw = AgentGateway::start_logic(&dir.0, ports, &models, "flow", "");
    let mut phone = Baresip::dial_with_mic(&dir.0, ports, false, &mic);
    phone.wait_established(Duration::from_secs(10));
    let lines = wait_line(&gw, "immediate danger", Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(500));
    let _ = phone.quit();
    let log = gw.log();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("If you are in immediate danger")),
        "no emergency line: {lines:?}\n{log}"
    );
    assert!(log.contains("crisis language: handing off"), "{log}");
    assert!(log.contains("node=crisis"), "{log}");
}
