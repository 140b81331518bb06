//! A call handed to a human agent, end to end with real phones: baresip as the agent's phone
//! registers with digest (a wrong password is refused first), a baresip caller says why
//! they call and keys an order number, the flow transfers to the support queue, voxgate
//! rings the agent's phone on a second leg, the agent hears the whisper (transcribed: the
//! caller's reason and the order number), then caller and agent hear each other
//! (each side's words, played after the bridge, are transcribed from the other side's
//! recording) and the agent's words are in the stored transcript, marked as theirs.
//! Routing with real phones too: a VIP caller is answered before one who waited longer,
//! who hears their place; nobody logged in sends the caller to voicemail after saying so;
//! a phone that only rings is skipped for the next agent, who transfers the call (REFER)
//! to a colleague, who hears who transferred it.
//! Skipped (with a message) only when baresip or the models are missing and CI is not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "peers/baresip.rs"]
#[allow(dead_code)]
mod baresip;
mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use baresip::{Baresip, decoded_recording};
use common::http::curl;
use common::voice_call::{AgentGateway, MODELS, heard_after, say, write_wav};
use common::{Ports, TempDir, have_peer};

const FLOW: &str = "flow: support
start: order
nodes:
  order:
    collect:
      say: \"Please key your order number, then the hash key.\"
      digits: {min: 6, max: 8}
      speech: false
      into: order
    next: assistant
  assistant:
    agent: {kb: default, max_turns: 6}
    on_handoff: person
  person:
    transfer: {queue: support, priority: 5}
    on_fail: nobody
  nobody:
    voicemail: {say: \"Please leave a message after the tone.\", max_secs: 10}
";

const QUEUE_FLOW: &str = "flow: queue
start: hello
nodes:
  hello:
    say: \"Hello.\"
    next: person
  person:
    transfer: {queue: support, priority: 5}
    on_fail: nobody
  nobody:
    voicemail: {say: \"Please leave a message after the tone.\", max_secs: 5}
";

const CENTER: &str = "[[center.agents]]
id = \"alice\"
name = \"Alice\"
password = \"alice-secret-1\"
";

/// `text` with `lead_ms` of silence before and `tail_secs` after, as a WAV named `name`.
fn speech_wav(
    models: &Path,
    dir: &Path,
    name: &str,
    lead_ms: usize,
    text: &str,
    tail_secs: usize,
) -> std::path::PathBuf {
    let mut pcm = vec![0i16; lead_ms * 8];
    pcm.extend(say(models, dir, text));
    pcm.extend(vec![0i16; tail_secs * 8000]);
    let path = dir.join(name);
    write_wav(&path, &pcm);
    path
}

fn digits_of(text: &str) -> String {
    let words = [
        ("zero", '0'),
        ("one", '1'),
        ("two", '2'),
        ("three", '3'),
        ("four", '4'),
        ("five", '5'),
        ("six", '6'),
        ("seven", '7'),
        ("eight", '8'),
        ("nine", '9'),
    ];
    let mut out = String::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if let Some((_, d)) = words.iter().find(|(n, _)| *n == w) {
            out.push(*d);
        } else {
            out.extend(w.chars().filter(char::is_ascii_digit));
        }
    }
    out
}

/// A gateway running `flow` (as the default flow) with `center` appended to its config.
fn gateway(dir: &Path, ports: Ports, models: &Path, flow: &str, center: &str) -> AgentGateway {
    let flows = dir.join("data/flows");
    fs::create_dir_all(&flows).unwrap();
    let name = flow
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("flow: "))
        .unwrap()
        .trim()
        .to_owned();
    fs::write(flows.join(format!("{name}.yaml")), flow).unwrap();
    AgentGateway::start_logic(
        dir,
        ports,
        models,
        "flow",
        &format!("[flows]\ndir = \"flows\"\ndefault_flow = \"{name}\"\n{center}"),
    )
}

/// An agent's phone in `dir/NAME`, registered and logged in (waits for `available`).
fn phone(
    gw: &AgentGateway,
    dir: &Path,
    slot: u16,
    gateway: u16,
    who: (&str, &str),
    auto: bool,
) -> Baresip {
    let silent = dir.join("silent.wav");
    if !silent.exists() {
        write_wav(&silent, &vec![0i16; 120 * 8000]);
    }
    let own = dir.join(who.0);
    fs::create_dir_all(&own).unwrap();
    let p = Baresip::agent(&own, Ports::new(slot), (gateway, auto), who, &silent);
    let needle = format!("agent={} state=available", who.0);
    let end = Instant::now() + Duration::from_secs(15);
    while !lines(gw)
        .iter()
        .any(|l| l.contains("agent state") && l.replace('"', "").contains(&needle))
    {
        assert!(
            Instant::now() < end,
            "{} not available:\n{}\n{}",
            who.0,
            gw.log(),
            p.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    p
}

/// A caller in `dir/NAME` from its own port block, as `user`, with a silent microphone.
fn caller(dir: &Path, slot: u16, gateway: u16, user: &str) -> Baresip {
    let own = dir.join(format!("caller-{user}-{slot}"));
    fs::create_dir_all(&own).unwrap();
    let mic = own.join("mic.wav");
    write_wav(&mic, &vec![0i16; 120 * 8000]);
    let mut c = Baresip::call_from(&own, Ports::new(slot), gateway, (user, "svc"), &mic);
    c.wait_established(Duration::from_secs(10));
    c
}

fn lines(gw: &AgentGateway) -> Vec<String> {
    gw.log().lines().map(str::to_owned).collect()
}

/// Waits until `n` log lines contain every one of `needles`; returns them.
fn wait_lines(gw: &AgentGateway, needles: &[&str], n: usize, timeout: Duration) -> Vec<String> {
    let end = Instant::now() + timeout;
    loop {
        let found: Vec<String> = lines(gw)
            .into_iter()
            .filter(|l| needles.iter().all(|x| l.replace('"', "").contains(x)))
            .collect();
        if found.len() >= n {
            return found;
        }
        assert!(
            Instant::now() < end,
            "no {n} lines with {needles:?} after {timeout:?}:\n{}",
            gw.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait_log(gw: &AgentGateway, needle: &str, timeout: Duration) {
    wait_lines(gw, &[needle], 1, timeout);
}

/// The call number in a log line (`call=N`).
fn call_of(line: &str) -> u64 {
    let at = line.find("call=").expect("a call number") + 5;
    line[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[test]
fn a_caller_reaches_a_registered_agent_who_hears_the_story_first() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("human-agent");
    let ports = Ports::new(86);
    let gw = gateway(&dir.0, ports, &models, FLOW, CENTER);
    let silent = dir.0.join("silent.wav");
    write_wav(&silent, &vec![0i16; 120 * 8000]);

    // A phone with the wrong password is refused and logs nobody in.
    let bad_dir = dir.0.join("intruder");
    fs::create_dir_all(&bad_dir).unwrap();
    let intruder = Baresip::agent(
        &bad_dir,
        Ports::new(88),
        (ports.base, true),
        ("alice", "guessed-it"),
        &silent,
    );
    wait_log(
        &gw,
        "REGISTER refused: wrong credentials",
        Duration::from_secs(15),
    );
    assert!(
        !gw.log().contains("agent phone registration"),
        "{}",
        gw.log()
    );
    drop(intruder);

    // Alice's phone registers and logs her in.
    let mut agent = phone(
        &gw,
        &dir.0,
        87,
        ports.base,
        ("alice", "alice-secret-1"),
        true,
    );
    let agent_dir = dir.0.join("alice");

    // The event stream: an operator's token subscribes; nobody else may.
    let token = fs::read_to_string(gw.dir.join("data/admin-token")).unwrap();
    assert!(
        EventTap::connect(ports.base + 5, "").is_err(),
        "no token, no stream"
    );
    assert!(
        EventTap::connect(ports.base + 5, "vg_wrong").is_err(),
        "a wrong token, no stream"
    );
    drop(EventTap::connect(ports.base + 5, &token).unwrap());
    // The stream this test reads is opened as a browser does, with a one-time ticket.
    let api = format!("http://127.0.0.1:{}/api/v1", ports.base + 5);
    let (s, t) = common::http::curl_status(&token, "POST", &format!("{api}/events/ticket"), "");
    assert_eq!(s, 201, "{t}");
    let ticket = t["ticket"].as_str().unwrap();
    assert!(EventTap::with_ticket(ports.base + 5, "vgt_0000").is_err());
    let tap = EventTap::with_ticket(ports.base + 5, ticket).unwrap();
    // Agents' own tokens: Alice's stream follows her call, Bob's (another agent) sees none of it.
    let agent_tokens = (
        agent_token(&token, &api, "alice"),
        agent_token(&token, &api, "bob"),
    );
    let alice_tap = EventTap::connect(ports.base + 5, &agent_tokens.0).unwrap();
    let bob_tap = EventTap::connect(ports.base + 5, &agent_tokens.1).unwrap();
    assert!(
        EventTap::with_ticket(ports.base + 5, ticket).is_err(),
        "a ticket opens one stream"
    );

    // The caller keys the order number, asks the AI agent a question, hears the answer,
    // asks for a person and is handed to Alice.
    let question = speech_wav(
        &models,
        &dir.0,
        "question.wav",
        300,
        "How many days do I have to return an item?",
        60,
    );
    let person = speech_wav(
        &models,
        &dir.0,
        "person.wav",
        300,
        "Thanks. I would like to talk to a person please.",
        60,
    );
    let mut caller = Baresip::dial_with_mic(&dir.0, ports, false, &silent);
    caller.wait_established(Duration::from_secs(10));
    let start = Instant::now();
    wait_log(&gw, "node=order", Duration::from_secs(40));
    std::thread::sleep(Duration::from_secs(3)); // the prompt is said
    for key in "48213377#".chars() {
        caller.send_digit(key);
        std::thread::sleep(Duration::from_millis(300));
    }
    wait_log(&gw, "node=assistant", Duration::from_secs(20));
    caller.play(&question);
    let turns = gw.wait_jsonl("agent_turns.jsonl", 1, Duration::from_secs(150));
    assert_eq!(turns.len(), 1, "no answer:\n{}", gw.log());
    caller.play(&person);
    wait_log(&gw, "agent answered: whisper", Duration::from_secs(60));
    wait_log(
        &gw,
        "bridged: caller and agent talk",
        Duration::from_secs(60),
    );
    let bridged_at = start.elapsed();

    // Now each speaks once.
    let alice_line = speech_wav(
        &models,
        &agent_dir,
        "alice.wav",
        300,
        "Hello, this is Alice from support. I will email you a return label today.",
        30,
    );
    let caller_line = speech_wav(
        &models,
        &dir.0,
        "again.wav",
        300,
        "Thank you Alice, it was a birthday present. How long is the warranty on furniture frames?",
        30,
    );
    agent.play(&alice_line);
    caller.play(&caller_line);
    std::thread::sleep(Duration::from_secs(9));
    // Agent assist looks the caller's question up while they talk.
    wait_lines(
        &gw,
        &["assist: suggestion", "useful=true"],
        1,
        Duration::from_secs(90),
    );
    let caller_trace = caller.quit();
    std::thread::sleep(Duration::from_secs(2)); // voxgate hangs the agent's leg up
    let agent_trace = agent.quit();
    assert!(
        agent_trace.contains("BYE sip:"),
        "voxgate never hung the agent up:\n{agent_trace}"
    );
    // What Alice heard: the whisper (reason and order number), then the caller.
    let agent_heard = heard_after(&decoded_recording(&agent_dir), &agent_dir, &models, 0);
    eprintln!("agent heard: {agent_heard}");
    assert!(agent_heard.contains("for a person"), "{agent_heard}");
    assert!(
        agent_heard.contains("return"),
        "no reason in the whisper: {agent_heard}\n{}",
        gw.log()
    );
    assert!(
        digits_of(&agent_heard).contains("4821337"),
        "no order number in the whisper: {agent_heard}"
    );
    assert!(
        agent_heard.contains("birthday") || agent_heard.contains("present"),
        "the agent did not hear the caller: {agent_heard}"
    );
    // What the caller heard after the bridge: Alice.
    let from = (bridged_at.as_millis() as usize).saturating_sub(1000) * 8;
    let caller_heard = heard_after(&decoded_recording(&dir.0), &dir.0, &models, from);
    eprintln!("caller heard: {caller_heard}");
    assert!(
        caller_heard.contains("alice") || caller_heard.contains("support"),
        "the caller did not hear the agent: {caller_heard}\n{caller_trace}"
    );
    // The stored transcript has Alice's words, marked as the human agent's.
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let lines = gw.wait_jsonl("transcripts.jsonl", 1, Duration::from_secs(1));
        let human: Vec<String> = lines
            .iter()
            .filter_map(|l| l["text"].as_str())
            .filter(|t| t.starts_with("[human] "))
            .map(str::to_lowercase)
            .collect();
        if human
            .iter()
            .any(|t| t.contains("alice") || t.contains("support"))
        {
            break;
        }
        assert!(Instant::now() < end, "no agent line stored: {lines:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    stored_story_holds_only_what_was_said(&gw, ports, &agent_tokens);
    alice_s_day_is_on_record(&gw, ports);
    the_stream_told_it(&tap.finish());
    let (mine, his) = (alice_tap.finish(), bob_tap.finish());
    assert!(
        mine.iter()
            .any(|e| e["type"] == "transcript" && e["speaker"] == "caller"),
        "alice's stream: {mine:#?}"
    );
    assert!(mine.iter().any(|e| e["type"] == "call_ended"), "{mine:#?}");
    assert!(
        mine.iter()
            .all(|e| e["type"] != "node" || e["node"] != "order"),
        "before her phone rang: {mine:#?}"
    );
    assert_eq!(his, Vec::<serde_json::Value>::new(), "bob saw alice's call");
}

/// A token of role `agent` named `name`, made with the admin token.
fn agent_token(admin: &str, api: &str, name: &str) -> String {
    let body = format!(r#"{{"name": "{name}", "role": "agent"}}"#);
    let (s, t) = common::http::curl_status(admin, "POST", &format!("{api}/tokens"), &body);
    assert_eq!(s, 201, "{t}");
    t["token"].as_str().unwrap().to_owned()
}

/// The state history has Alice's call, in order, and the report counts it.
fn alice_s_day_is_on_record(gw: &AgentGateway, ports: Ports) {
    let token = fs::read_to_string(gw.dir.join("data/admin-token")).unwrap();
    let api = format!("http://127.0.0.1:{}/api/v1", ports.base + 5);
    let history = curl(&token, &[&format!("{api}/agent-states?agent=alice")]);
    let states: Vec<&str> = history["states"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["state"].as_str())
        .collect();
    let call = ["available", "ringing", "on_call", "after_call_work"];
    assert!(
        states.windows(4).any(|w| w == call),
        "no ring, talk and wrap-up on record: {history}"
    );
    let report = curl(&token, &[&format!("{api}/agent-report")]);
    let alice = report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"] == "alice")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(alice["calls"], 1, "{report}");
    assert!(
        alice["ms_in"]["on_call"].as_i64().unwrap() > 5000,
        "{report}"
    );
}

/// A WebSocket subscriber of `/api/v1/events`, collecting every message in a thread.
struct EventTap {
    seen: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EventTap {
    fn connect(http_port: u16, token: &str) -> Result<EventTap, String> {
        EventTap::open(&format!("ws://127.0.0.1:{http_port}/api/v1/events"), token)
    }

    /// As a browser does: no header, a one-time ticket in the URL.
    fn with_ticket(http_port: u16, ticket: &str) -> Result<EventTap, String> {
        let url = format!("ws://127.0.0.1:{http_port}/api/v1/events?ticket={ticket}");
        EventTap::open(&url, "")
    }

    fn open(url: &str, token: &str) -> Result<EventTap, String> {
        use tungstenite::client::IntoClientRequest;
        let mut req = url.into_client_request().unwrap();
        if !token.is_empty() {
            let value = format!("Bearer {}", token.trim()).parse().unwrap();
            req.headers_mut().insert("authorization", value);
        }
        let (mut ws, _) = tungstenite::connect(req).map_err(|e| e.to_string())?;
        if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_mut() {
            s.set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
        }
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
                match ws.read() {
                    Ok(tungstenite::Message::Text(t)) => {
                        seen2
                            .lock()
                            .unwrap()
                            .push(serde_json::from_str(&t).unwrap());
                    }
                    Ok(_) => {}
                    Err(tungstenite::Error::Io(e))
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => break,
                }
            }
        });
        Ok(EventTap {
            seen,
            stop,
            thread: Some(thread),
        })
    }

    fn finish(mut self) -> Vec<serde_json::Value> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.seen.lock().unwrap().clone()
    }
}

/// The event stream told the call as it happened: both sides' lines, marked by speaker, the
/// hand-off's steps in order, the summary, Alice's states.
fn the_stream_told_it(events: &[serde_json::Value]) {
    let said = |who: &str, what: &str| {
        events.iter().any(|e| {
            e["type"] == "transcript"
                && e["speaker"] == who
                && e["text"]
                    .as_str()
                    .is_some_and(|t| t.to_lowercase().contains(what))
        })
    };
    assert!(said("caller", "return"), "{events:#?}");
    assert!(said("voxgate", "30"), "{events:#?}");
    assert!(
        said("human", "alice") || said("human", "support"),
        "{events:#?}"
    );
    let steps: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "queue")
        .filter_map(|e| e["step"].as_str())
        .collect();
    let order = ["queued", "ringing", "answered", "bridged", "ended"];
    let mut at = 0;
    for s in &steps {
        if at < order.len() && *s == order[at] {
            at += 1;
        }
    }
    assert_eq!(at, order.len(), "steps {steps:?}");
    let summary = events
        .iter()
        .find(|e| e["type"] == "summary")
        .expect("a summary event");
    assert!(
        summary["summary"]["in_their_words"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("return"),
        "{summary}"
    );
    assert!(
        events.iter().any(|e| e["type"] == "agent_state"
            && e["agent"] == "alice"
            && e["state"] == "on_call"),
        "{events:#?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "node" && e["node"] == "assistant"),
        "{events:#?}"
    );
    assert!(
        events.iter().any(|e| e["type"] == "call_ended"),
        "{events:#?}"
    );
    // Words in progress come too (partials are decodes a busy pool may refuse, so only
    // their presence is asked for: several utterances of 3-5 s were said).
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "partial" && e["text"].as_str().is_some_and(|t| !t.is_empty())),
        "no partial: {events:#?}"
    );
    // Agent assist: the warranty passage for the caller's question, then the AI's answer.
    let of = |kind: &str| -> Vec<&serde_json::Value> {
        events.iter().filter(|e| e["type"] == kind).collect()
    };
    assert!(
        of("assist").iter().any(|a| a["passages"][0]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("warranty.md"))),
        "no warranty passage: {:#?}",
        of("assist")
    );
    assert!(
        of("suggestion")
            .iter()
            .any(|s| s["answer"].as_str().is_some_and(|a| a.contains("10"))),
        "no suggestion with the 10 years: {:#?}",
        of("suggestion")
    );
    // Numbers are masked on the stream as in the store: no card number ever appears.
    assert!(
        !events.iter().any(|e| e.to_string().contains("4111 1111")),
        "{events:#?}"
    );
}

/// After the call the stored hand-off has the scripted call's facts — why (the question),
/// the order number, what the AI answered, the reason, who took it — and every quote in it
/// is a line of the call's transcript; the disposition is set through the API.
fn stored_story_holds_only_what_was_said(
    gw: &AgentGateway,
    ports: Ports,
    agent_tokens: &(String, String),
) {
    let token = fs::read_to_string(gw.dir.join("data/admin-token")).unwrap();
    let base = format!("http://127.0.0.1:{}/api/v1/human-calls", ports.base + 5);
    let end = Instant::now() + Duration::from_secs(20);
    let call = loop {
        let list = curl(&token, &[&base]);
        if let Some(c) = list["calls"].as_array().and_then(|c| c.first()) {
            break c.clone();
        }
        assert!(
            Instant::now() < end,
            "no hand-off stored: {list}\n{}",
            gw.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    eprintln!("stored: {call}");
    assert_eq!(call["reason"], "asked_for_person", "{call}");
    assert_eq!(
        (call["agents"].clone(), call["outcome"].clone()),
        (serde_json::json!(["alice"]), serde_json::json!("talked"))
    );
    let summary = &call["summary"];
    assert_eq!(
        summary["collected"],
        serde_json::json!([["order", "48213377"]]),
        "{call}"
    );
    let why = summary["in_their_words"].as_str().unwrap();
    assert!(why.to_lowercase().contains("return"), "{call}");
    let answered = summary["answered"].as_str().unwrap();
    assert!(
        answered.contains("30") || answered.to_lowercase().contains("thirty"),
        "{call}"
    );
    let lines: Vec<String> = gw
        .wait_jsonl("transcripts.jsonl", 1, Duration::from_secs(1))
        .iter()
        .filter(|l| l["call_id_hash"] == call["call"])
        .filter_map(|l| l["text"].as_str().map(str::to_owned))
        .collect();
    assert!(
        lines.iter().any(|l| l == why),
        "{why:?} was never said: {lines:?}"
    );
    let ours = format!("[agent] {answered}");
    assert!(
        lines.contains(&ours),
        "{answered:?} was never said: {lines:?}"
    );
    // After the call: the key points are the call's facts, the next step is Alice's promise.
    let post = &call["post_call"];
    let points = post["key_points"].to_string();
    assert!(
        points.contains("48213377") && points.to_lowercase().contains("return"),
        "{post}"
    );
    let steps = post["next_steps"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .any(|s| s.as_str().unwrap().to_lowercase().contains("label")),
        "{post}"
    );
    let uri = format!("{base}/{}/disposition", call["id"]);
    let body = r#"{"disposition": "resolved", "note": "refund card 4111 1111 1111 1111"}"#;
    curl(
        &token,
        &[
            "-X",
            "PUT",
            "-H",
            "content-type: application/json",
            "--data",
            body,
            &uri,
        ],
    );
    let again = curl(
        &token,
        &[&format!("{base}?disposition=resolved&agent=alice")],
    );
    let got = &again["calls"][0];
    assert_eq!(got["disposition"], "resolved", "{again}");
    assert!(
        !got["disposition_note"].as_str().unwrap().contains("4111"),
        "{again}"
    );
    agents_see_their_own_calls_only(agent_tokens, ports, &call["id"].to_string());
}

/// Agent tokens (named after the agent): Alice sees and disposes of her call; Bob, another
/// agent, sees nothing of it, and neither may do an operator's work.
fn agents_see_their_own_calls_only((alice, bob): &(String, String), ports: Ports, id: &str) {
    use common::http::curl_status;
    let api = format!("http://127.0.0.1:{}/api/v1", ports.base + 5);
    let calls = |t: &str| curl(t, &[&format!("{api}/human-calls")])["calls"].clone();
    assert_eq!(calls(alice).as_array().map(Vec::len), Some(1));
    assert_eq!(calls(bob), serde_json::json!([]), "bob sees alice's call");
    let one = format!("{api}/human-calls/{id}");
    assert_eq!(curl_status(alice, "GET", &one, "").0, 200);
    assert_eq!(curl_status(bob, "GET", &one, "").0, 404);
    let dispose = format!("{one}/disposition");
    let body = r#"{"disposition": "callback_promised"}"#;
    assert_eq!(curl_status(bob, "PUT", &dispose, body).0, 404);
    assert_eq!(curl_status(alice, "PUT", &dispose, body).0, 204);
    for (method, path) in [
        ("GET", "flows"),
        ("GET", "callbacks"),
        ("PUT", "agents/alice"),
        ("PUT", "agents/bob/presence"),
    ] {
        let (s, _) = curl_status(alice, method, &format!("{api}/{path}"), "{}");
        assert_eq!(s, 403, "{method} {path}");
    }
}

#[test]
fn a_vip_goes_first_the_other_hears_its_place_and_nobody_means_voicemail() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("human-queue");
    let ports = Ports::new(89);
    let center = "[center]\nvip_callers = [\"vip\"]\n[[center.agents]]\nid = \"alice\"\npassword = \"alice-secret-1\"\n\
                  [[center.queues]]\nname = \"support\"\nannounce_secs = 4\nwrap_up_secs = 1\n";
    let gw = gateway(&dir.0, ports, &models, QUEUE_FLOW, center);

    // Nobody logged in: the caller hears so and reaches voicemail.
    let early = caller(&dir.0, 91, ports.base, "early");
    wait_log(&gw, "node=nobody", Duration::from_secs(20));
    wait_lines(
        &gw,
        &["not queued", "is logged in"],
        1,
        Duration::from_secs(1),
    );
    std::thread::sleep(Duration::from_secs(8));
    let _ = early.quit();
    let heard = heard_after(
        &decoded_recording(&dir.0.join("caller-early-91")),
        &dir.0,
        &models,
        0,
    );
    eprintln!("the early caller heard: {heard}");
    assert!(
        heard.contains("no one") && heard.contains("message"),
        "{heard}"
    );

    // One agent, three callers: the first talks to Alice, the second waits, the VIP comes
    // in after the second and is answered before it; the second hears it is number two.
    let _alice = phone(
        &gw,
        &dir.0,
        90,
        ports.base,
        ("alice", "alice-secret-1"),
        true,
    );
    let first = caller(&dir.0, 92, ports.base, "first");
    wait_lines(
        &gw,
        &["bridged: caller and agent talk"],
        1,
        Duration::from_secs(40),
    );
    let _second = caller(&dir.0, 93, ports.base, "second");
    let queued = wait_lines(&gw, &["queued for an agent"], 2, Duration::from_secs(20));
    let second_call = call_of(&queued[1]);
    let _vip = caller(&dir.0, 94, ports.base, "vip");
    let queued = wait_lines(&gw, &["queued for an agent"], 3, Duration::from_secs(20));
    let vip_call = call_of(&queued[2]);
    let vip_line = format!("call={vip_call} ");
    wait_lines(
        &gw,
        &["queued for a person", &vip_line, "vip=true"],
        1,
        Duration::from_secs(1),
    );
    let told = wait_lines(
        &gw,
        &["queue position told", &format!("call={second_call} ")],
        1,
        Duration::from_secs(20),
    );
    assert!(told[0].contains("position=2"), "{}", told[0]);
    // The first caller hangs up: after Alice's wrap-up the VIP is rung, not the second.
    let _ = first.quit();
    let rung = wait_lines(&gw, &["ringing agent"], 2, Duration::from_secs(30));
    assert_eq!(call_of(&rung[1]), vip_call, "{}", gw.log());
}

#[test]
fn a_phone_that_only_rings_is_skipped_and_the_next_agent_transfers_to_a_colleague() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("human-transfer");
    let ports = Ports::new(95);
    let mut center = String::new();
    for id in ["slow", "alice", "bob"] {
        center.push_str(&format!(
            "[[center.agents]]\nid = \"{id}\"\npassword = \"{id}-secret-1\"\n"
        ));
    }
    center.push_str("[[center.queues]]\nname = \"support\"\nring_secs = 4\n");
    let gw = gateway(&dir.0, ports, &models, QUEUE_FLOW, &center);
    // Registered in this order, so Slow has been idle longest and is rung first.
    let _slow = phone(
        &gw,
        &dir.0,
        96,
        ports.base,
        ("slow", "slow-secret-1"),
        false,
    );
    let mut alice = phone(
        &gw,
        &dir.0,
        97,
        ports.base,
        ("alice", "alice-secret-1"),
        true,
    );
    let bob = phone(&gw, &dir.0, 98, ports.base, ("bob", "bob-secret-1"), true);
    let c = caller(&dir.0, 99, ports.base, "caller");
    let rung = wait_lines(&gw, &["ringing agent"], 2, Duration::from_secs(30));
    assert!(
        rung[0].contains("agent=slow") && rung[1].contains("agent=alice"),
        "{rung:?}"
    );
    wait_lines(
        &gw,
        &["agent state", "agent=slow", "state=away"],
        1,
        Duration::from_secs(1),
    );
    wait_log(
        &gw,
        "bridged: caller and agent talk",
        Duration::from_secs(40),
    );
    alice.transfer(&format!("sip:bob@127.0.0.1:{}", ports.base));
    wait_log(
        &gw,
        "the agent transferred the call",
        Duration::from_secs(10),
    );
    let rung = wait_lines(&gw, &["ringing agent"], 3, Duration::from_secs(10));
    assert!(rung[2].contains("agent=bob"), "{rung:?}");
    wait_lines(
        &gw,
        &["bridged: caller and agent talk"],
        2,
        Duration::from_secs(40),
    );
    // Keys go across the bridge both ways (RFC 4733 events, relayed by voxgate).
    std::thread::sleep(Duration::from_secs(1));
    let (mut bob, mut c) = (bob, c);
    c.send_digit('5');
    bob.send_digit('7');
    let end = Instant::now() + Duration::from_secs(10);
    while !(dtmf_seen(&bob.output(), '5') && dtmf_seen(&c.output(), '7')) {
        assert!(
            Instant::now() < end,
            "keys not relayed:\nbob: {}\ncaller: {}",
            bob.output(),
            c.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Bob holds the call: his microphone is silent, so what the caller hears now is music.
    bob.hold(true);
    wait_lines(
        &gw,
        &["the agent's hold", "held=true"],
        1,
        Duration::from_secs(10),
    );
    std::thread::sleep(Duration::from_secs(3));
    let _ = c.quit();
    let heard = common::voice_call::read_wav(&decoded_recording(&dir.0.join("caller-caller-99")));
    let tail = &heard[heard.len().saturating_sub(20_000)..heard.len().saturating_sub(4_000)];
    let rms = (tail.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / tail.len() as f64).sqrt();
    assert!(
        rms > 300.0,
        "the caller heard silence while held (rms {rms:.0})"
    );
    std::thread::sleep(Duration::from_secs(2));
    let _ = bob.quit();
    let bob_dir = dir.0.join("bob");
    let heard = heard_after(&decoded_recording(&bob_dir), &bob_dir, &models, 0);
    eprintln!("bob heard: {heard}");
    // "Transferred by alice." leads the story only after a transfer (tiny.en hears the name
    // as "alice", "alis", "ellis"… on a loaded machine: the word "transfer" is the check).
    assert!(heard.contains("transfer"), "{heard}");
    let _ = alice.quit();
}

#[test]
fn a_caller_who_hangs_up_while_the_agent_rings_cancels_the_ring() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("human-cancel");
    let ports = Ports::new(78);
    let center = "[[center.agents]]\nid = \"slow\"\npassword = \"slow-secret-1\"\n\
                  [[center.queues]]\nname = \"support\"\nring_secs = 30\n";
    let gw = gateway(&dir.0, ports, &models, QUEUE_FLOW, center);
    let slow = phone(
        &gw,
        &dir.0,
        79,
        ports.base,
        ("slow", "slow-secret-1"),
        false,
    );
    let c = caller(&dir.0, 80, ports.base, "caller");
    wait_log(&gw, "agent phone rings", Duration::from_secs(20));
    let _ = c.quit();
    // The ring is cancelled at once (not after the 30 s ring time) and Slow is free again.
    wait_lines(
        &gw,
        &["agent state", "agent=slow", "state=available"],
        2,
        Duration::from_secs(5),
    );
    std::thread::sleep(Duration::from_millis(500));
    let trace = slow.quit();
    assert!(
        trace.contains("CANCEL sip:"),
        "no CANCEL reached the phone:\n{trace}"
    );
    let stored = wait_lines(
        &gw,
        &["hand-off over", "outcome=caller_left"],
        1,
        Duration::from_secs(5),
    );
    assert_eq!(stored.len(), 1);
}

/// A phone picked up just as its ring was withdrawn (its 200 crosses voxgate's CANCEL):
/// voxgate ACKs that 200 and hangs up at once, so the phone is not left in a silent call.
#[test]
fn an_agent_answer_that_crosses_the_cancel_is_acked_and_hung_up() {
    if !have_peer("baresip") || !have_peer("sipp") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("human-late-200");
    let ports = Ports::new(81);
    let (sipp_port, _, _) = ports.sipp(0);
    let center = format!(
        "[[center.agents]]\nid = \"late\"\nuri = \"sip:late@127.0.0.1:{sipp_port}\"\n\
         [[center.queues]]\nname = \"support\"\nring_secs = 2\n"
    );
    let gw = gateway(&dir.0, ports, &models, QUEUE_FLOW, &center);
    let sf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sipp/agent_late_200.xml");
    let sipp = common::Sipp::spawn(&dir.0, ports, 0, &sf, &[]);
    let c = caller(&dir.0, 82, ports.base, "caller");
    let (code, out) = sipp.wait();
    let _ = c.quit();
    assert_eq!(
        code,
        0,
        "the late 200 was not ACKed and hung up:\n{out}\n{}",
        gw.log()
    );
    wait_log(
        &gw,
        "an agent answered a cancelled ring: hung up",
        Duration::from_secs(1),
    );
}

#[test]
fn a_caller_who_waits_too_long_is_promised_a_callback_on_their_number() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("human-callback");
    let ports = Ports::new(27);
    let center = "[[center.agents]]\nid = \"slow\"\npassword = \"slow-secret-1\"\n\
                  [[center.queues]]\nname = \"support\"\nring_secs = 3\nmax_wait_secs = 8\n\
                  overflow = \"callback\"\n";
    let gw = gateway(&dir.0, ports, &models, QUEUE_FLOW, center);
    // Slow's phone only rings: it rings out, Slow goes away, and nobody else can answer.
    let _slow = phone(
        &gw,
        &dir.0,
        28,
        ports.base,
        ("slow", "slow-secret-1"),
        false,
    );
    let number = "+441632960123";
    let mut c = caller(&dir.0, 29, ports.base, number);
    wait_log(&gw, "callback requested", Duration::from_secs(40));
    // The call ends after the promise (voxgate hangs up).
    c.wait_closed(Duration::from_secs(30));
    let _ = c.quit();
    let heard = heard_after(
        &decoded_recording(&dir.0.join(format!("caller-{number}-29"))),
        &dir.0,
        &models,
        0,
    );
    eprintln!("the caller heard: {heard}");
    assert!(heard.contains("call you back"), "{heard}");
    assert!(
        digits_of(&heard).ends_with("0123") || heard.contains("0 1 2 3"),
        "{heard}"
    );
    // The request is there for an operator, with the number, and can be closed.
    let token = fs::read_to_string(gw.dir.join("data/admin-token")).unwrap();
    let api = format!("http://127.0.0.1:{}/api/v1", ports.base + 5);
    let end = Instant::now() + Duration::from_secs(10);
    let open = loop {
        let list = curl(&token, &[&format!("{api}/callbacks?status=open")]);
        if list["callbacks"].as_array().is_some_and(|a| !a.is_empty()) {
            break list;
        }
        assert!(Instant::now() < end, "no request stored: {list}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let req = &open["callbacks"][0];
    assert_eq!(
        (&req["number"], &req["queue"]),
        (&number.into(), &"support".into())
    );
    let url = format!("{api}/callbacks/{}", req["id"]);
    let (s, _) = common::http::curl_status(&token, "PUT", &url, r#"{"status": "done"}"#);
    assert_eq!(s, 204);
    let open = curl(&token, &[&format!("{api}/callbacks?status=open")]);
    assert_eq!(open["callbacks"], serde_json::json!([]), "{open}");
    let calls = curl(&token, &[&format!("{api}/human-calls")]);
    assert_eq!(calls["calls"][0]["outcome"], "callback", "{calls}");
}

/// A SIPp agent phone playing `scenario` at a fixed address; a baresip caller queued for it.
fn sipp_agent(
    name: &str,
    slot: u16,
    caller_slot: u16,
    scenario: &str,
) -> (AgentGateway, TempDir, Baresip, common::Sipp) {
    let models = common::models::fetch(MODELS).expect("models");
    let dir = TempDir::new(name);
    let ports = Ports::new(slot);
    let (sipp_port, _, _) = ports.sipp(0);
    let center = format!(
        "[[center.agents]]\nid = \"sippy\"\nuri = \"sip:sippy@127.0.0.1:{sipp_port}\"\n\
         [[center.queues]]\nname = \"support\"\nring_secs = 5\n"
    );
    let gw = gateway(&dir.0, ports, &models, QUEUE_FLOW, &center);
    let sf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sipp")
        .join(scenario);
    let sipp = common::Sipp::spawn(&dir.0, ports, 0, &sf, &[]);
    let c = caller(&dir.0, caller_slot, ports.base, "caller");
    (gw, dir, c, sipp)
}

#[test]
fn an_agent_answer_without_usable_audio_is_hung_up_and_the_caller_waits_on() {
    if !have_peer("baresip") || !have_peer("sipp") || common::models::fetch(MODELS).is_none() {
        return;
    }
    let (gw, _dir, c, sipp) = sipp_agent("human-bad-answer", 66, 67, "agent_bad_answer.xml");
    let (code, out) = sipp.wait();
    assert_eq!(
        code,
        0,
        "the answer was not ACKed and hung up:\n{out}\n{}",
        gw.log()
    );
    wait_log(
        &gw,
        "no usable audio: hanging it up",
        Duration::from_secs(1),
    );
    wait_log(&gw, "agent did not answer", Duration::from_secs(5));
    // The caller is still there, waiting for the next try.
    assert!(!gw.log().contains("hand-off over"), "{}", gw.log());
    let _ = c.quit();
}

#[test]
fn an_agent_cannot_transfer_a_caller_to_a_stranger() {
    if !have_peer("baresip") || !have_peer("sipp") || common::models::fetch(MODELS).is_none() {
        return;
    }
    let (gw, _dir, mut c, sipp) =
        sipp_agent("human-refer-stranger", 68, 69, "agent_refer_stranger.xml");
    let (code, out) = sipp.wait();
    assert_eq!(
        code,
        0,
        "the REFER was not refused with 403:\n{out}\n{}",
        gw.log()
    );
    assert!(
        !gw.log().contains("the agent transferred the call"),
        "{}",
        gw.log()
    );
    // The agent hung up after the refusal: the caller hears so and the call ends.
    wait_log(&gw, "the agent left the call", Duration::from_secs(5));
    c.wait_closed(Duration::from_secs(30));
}

/// Whether baresip's output shows it received key `key`.
fn dtmf_seen(output: &str, key: char) -> bool {
    output.contains(&format!("received event: '{key}'"))
}

#[test]
fn every_phone_of_the_agent_rings_and_the_first_to_answer_takes_the_call() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("human-fork");
    let ports = Ports::new(31);
    let gw = gateway(&dir.0, ports, &models, QUEUE_FLOW, CENTER);
    // Alice's desk phone only rings; her softphone answers.
    let desk = phone(
        &gw,
        &dir.0,
        33,
        ports.base,
        ("alice", "alice-secret-1"),
        false,
    );
    let soft_dir = dir.0.join("alice-soft");
    fs::create_dir_all(&soft_dir).unwrap();
    let silent = dir.0.join("silent.wav");
    let soft = Baresip::agent(
        &soft_dir,
        Ports::new(34),
        (ports.base, true),
        ("alice", "alice-secret-1"),
        &silent,
    );
    wait_log(
        &gw,
        "registration agent=alice contacts=2",
        Duration::from_secs(15),
    );
    let c = caller(&dir.0, 35, ports.base, "caller");
    wait_log(
        &gw,
        "bridged: caller and agent talk",
        Duration::from_secs(30),
    );
    // The desk phone rang too, and was told to stop when the softphone answered.
    let end = Instant::now() + Duration::from_secs(10);
    while !desk.output().contains("487") && !desk.output().contains("terminated") {
        assert!(
            Instant::now() < end,
            "the desk phone was not stopped:\n{}",
            desk.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(desk.output().contains("Incoming call"), "{}", desk.output());
    assert!(
        soft.output().contains("Call established"),
        "{}",
        soft.output()
    );
    let _ = c.quit();
}

#[test]
fn a_pjsua2_agent_phone_registers_with_sha256_and_takes_a_call() {
    if !have_peer("baresip") {
        return;
    }
    let Some(python) = common::python::importing(&["pjsua2"]) else {
        return;
    };
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("human-pjsua2");
    let ports = Ports::new(36);
    // SHA-256 only: PJSIP answers it (libre 1.x would not, hence MD5 by default).
    let center = format!("[center]\nregister_algorithms = [\"SHA-256\"]\n{CENTER}");
    // The flow records its calls: both legs, caller left, what the caller hears right.
    let recorded = QUEUE_FLOW.replacen("start:", "record: true\nstart:", 1);
    let gw = gateway(&dir.0, ports, &models, &recorded, &center);
    let play = speech_wav(
        &models,
        &dir.0,
        "pj-agent.wav",
        300,
        "Hello, this is Alice on another phone. How can I help?",
        1,
    );
    let heard = dir.0.join("pj-agent-heard.wav");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/pjsua2_agent.py");
    let (out, err) = (dir.0.join("pjsua2.out"), dir.0.join("pjsua2.err"));
    let mut agent = KillOnDrop(
        std::process::Command::new(&python)
            .arg(&script)
            .arg(format!("--registrar={}", ports.base))
            .args(["--user=alice", "--password=alice-secret-1"])
            .arg(format!("--sip-port={}", ports.base + 20))
            .arg(format!("--rtp-port={}", ports.base + 30))
            .arg("--play")
            .arg(&play)
            .arg("--record")
            .arg(&heard)
            .args(["--wait-secs=60", "--speak-after-secs=6", "--talk-secs=13"])
            .stdin(std::process::Stdio::null())
            .stdout(fs::File::create(&out).unwrap())
            .stderr(fs::File::create(&err).unwrap())
            .spawn()
            .expect("start the PJSUA2 agent"),
    );
    let said = || {
        let text = |p: &Path| fs::read_to_string(p).unwrap_or_default();
        format!("stderr:\n{}\nstdout:\n{}", text(&err), text(&out))
    };
    let end = Instant::now() + Duration::from_secs(20);
    while !gw
        .log()
        .replace('"', "")
        .contains("agent=alice state=available")
    {
        assert!(
            Instant::now() < end,
            "not registered:\n{}\n{}",
            said(),
            gw.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        gw.log().contains("algorithm=SHA-256"),
        "not SHA-256:\n{}",
        gw.log()
    );
    let c = caller(&dir.0, 37, ports.base, "caller");
    wait_log(
        &gw,
        "bridged: caller and agent talk",
        Duration::from_secs(40),
    );
    // The agent's phone hangs up after its 13 s.
    let end = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = agent.0.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > end {
            panic!("the PJSUA2 agent did not finish:\n{}", said());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status:?}\n{}\n{}", said(), gw.log());
    let _ = c.quit();
    let agent_heard = heard_after(&heard, &dir.0, &models, 0);
    eprintln!("the PJSUA2 agent heard: {agent_heard}");
    assert!(agent_heard.contains("support"), "no whisper: {agent_heard}");
    let caller_heard = heard_after(
        &decoded_recording(&dir.0.join("caller-caller-37")),
        &dir.0,
        &models,
        0,
    );
    eprintln!("the caller heard: {caller_heard}");
    assert!(
        caller_heard.contains("another phone") || caller_heard.contains("alice"),
        "{caller_heard}"
    );
    // The call's recording has the agent's words on the right (what the caller heard).
    let end = Instant::now() + Duration::from_secs(10);
    let wav = loop {
        let found = wavs_under(&dir.0.join("data/recordings"));
        if let Some(w) = found.into_iter().next() {
            break w;
        }
        assert!(Instant::now() < end, "no recording:\n{}", gw.log());
        std::thread::sleep(Duration::from_millis(200));
    };
    std::thread::sleep(Duration::from_secs(1)); // closed when the call task ends
    let stereo: Vec<i16> = hound::WavReader::open(&wav)
        .unwrap()
        .into_samples::<i16>()
        .map(Result::unwrap)
        .collect();
    let right: Vec<i16> = stereo.iter().skip(1).step_by(2).copied().collect();
    let mono = dir.0.join("recorded-right.wav");
    write_wav(&mono, &right);
    let recorded = heard_after(&mono, &dir.0, &models, 0);
    eprintln!("the recording's right channel: {recorded}");
    assert!(
        recorded.contains("another phone") || recorded.contains("how can i help"),
        "{recorded}"
    );
}

/// Every `.wav` below `dir`.
fn wavs_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(wavs_under(&p));
        } else if p.extension().is_some_and(|x| x == "wav") {
            out.push(p);
        }
    }
    out
}

/// A child process killed (and reaped) when the test ends, however it ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
