//! A call handed to a human agent, end to end with real phones: baresip as the agent's phone
//! registers with digest (a wrong password is refused first), a baresip caller says why
//! they call and keys an order number, the flow transfers to the support queue, voxgate
//! rings the agent's phone on a second leg, the agent hears the whisper (transcribed: the
//! caller's reason and the order number), then caller and agent hear each other
//! (each side's words, played after the bridge, are transcribed from the other side's
//! recording) and the agent's words are in the stored transcript, marked as theirs.
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
use common::voice_call::{AgentGateway, MODELS, heard_after, say, write_wav};
use common::{Ports, TempDir, have_peer};

const FLOW: &str = "flow: support
start: why
nodes:
  why:
    menu:
      say: \"Please tell me briefly why you are calling.\"
      options: {\"0\": order}
      other: order
      no_input: {retries: 1, say: \"Sorry?\", then: order}
  order:
    collect:
      say: \"Please key your order number, then the hash key.\"
      digits: {min: 6, max: 8}
      speech: false
      into: order
    next: person
  person:
    transfer: {queue: support, priority: 5}
    on_fail: nobody
  nobody:
    voicemail: {say: \"Please leave a message after the tone.\", max_secs: 10}
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

#[test]
fn a_caller_reaches_a_registered_agent_who_hears_the_story_first() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) = common::models::fetch(MODELS) else {
        return;
    };
    let dir = TempDir::new("human-agent");
    let flows = dir.0.join("data/flows");
    fs::create_dir_all(&flows).unwrap();
    fs::write(flows.join("support.yaml"), FLOW).unwrap();
    let ports = Ports::new(86);
    let gw = AgentGateway::start_logic(
        &dir.0,
        ports,
        &models,
        "flow",
        &format!("[flows]\ndir = \"flows\"\ndefault_flow = \"support\"\n{CENTER}"),
    );
    let silent = dir.0.join("silent.wav");
    write_wav(&silent, &vec![0i16; 120 * 8000]);

    // A phone with the wrong password is refused and logs nobody in.
    let bad_dir = dir.0.join("intruder");
    fs::create_dir_all(&bad_dir).unwrap();
    let intruder = Baresip::agent(
        &bad_dir,
        Ports::new(88),
        ports.base,
        ("alice", "guessed-it"),
        &silent,
    );
    let end = Instant::now() + Duration::from_secs(15);
    while !gw.log().contains("REGISTER refused: wrong credentials") {
        assert!(
            Instant::now() < end,
            "no refusal:\n{}\n{}",
            gw.log(),
            intruder.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !gw.log().contains("agent phone registration"),
        "{}",
        gw.log()
    );
    drop(intruder);

    // Alice's phone registers and logs her in.
    let agent_dir = dir.0.join("agent");
    fs::create_dir_all(&agent_dir).unwrap();
    let mut agent = Baresip::agent(
        &agent_dir,
        Ports::new(87),
        ports.base,
        ("alice", "alice-secret-1"),
        &silent,
    );
    let end = Instant::now() + Duration::from_secs(15);
    while !gw.log().contains("state=\"available\"") && !gw.log().contains("state=available") {
        assert!(
            Instant::now() < end,
            "alice not available:\n{}\n{}",
            gw.log(),
            agent.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // The caller says why, keys the order number and is handed to Alice.
    let reason = "My parcel never arrived and it was meant to come on Monday.";
    let mic = speech_wav(&models, &dir.0, "mic.wav", 4000, reason, 120);
    let mut caller = Baresip::dial_with_mic(&dir.0, ports, false, &mic);
    caller.wait_established(Duration::from_secs(10));
    let start = Instant::now();
    wait_log(&gw, "node=order", Duration::from_secs(40));
    std::thread::sleep(Duration::from_secs(3)); // the prompt is said
    for key in "48213377#".chars() {
        caller.send_digit(key);
        std::thread::sleep(Duration::from_millis(300));
    }
    wait_log(&gw, "agent answered: whisper", Duration::from_secs(30));
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
        "Hello, this is Alice from support. I can help with that parcel.",
        30,
    );
    let caller_line = speech_wav(
        &models,
        &dir.0,
        "again.wav",
        300,
        "Thank you Alice, the order was a birthday present.",
        30,
    );
    agent.play(&alice_line);
    caller.play(&caller_line);
    std::thread::sleep(Duration::from_secs(9));
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
    assert!(
        agent_heard.contains("parcel") || agent_heard.contains("arrive"),
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
}

fn wait_log(gw: &AgentGateway, needle: &str, timeout: Duration) {
    let end = Instant::now() + timeout;
    while !gw.log().contains(needle) {
        assert!(
            Instant::now() < end,
            "no `{needle}` after {timeout:?}:\n{}",
            gw.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
