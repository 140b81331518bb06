//! The `voxgate-llm` binary end to end on the real Qwen2.5 GGUF: the port line, the bearer
//! token, a streamed completion with usage, the prompt cache on a second request, and exit
//! when stdin closes. Skips without the model, except under CI=true.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TOKEN: &str = "test-token-0123456789";

fn model_path() -> Option<PathBuf> {
    let dir = std::env::var_os("VOXGATE_MODELS")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/voxgate/models"))
        })?;
    let path = dir.join("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf");
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "model missing under CI"
    );
    eprintln!("skipping: the Qwen2.5 GGUF is not fetched");
    None
}

struct Worker {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(model: &PathBuf) -> Worker {
    let mut child = Command::new(env!("CARGO_BIN_EXE_voxgate-llm"))
        .arg("--model")
        .arg(model)
        .args(["--port", "0", "--threads", "2", "--exit-with-stdin"])
        .env("VOXGATE_LLM_TOKEN", TOKEN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("worker starts");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).expect("port line");
    let addr = line
        .trim()
        .strip_prefix("listening ")
        .expect(&line)
        .parse()
        .expect("address");
    Worker { child, addr }
}

/// One request; the whole raw answer.
fn send(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// The SSE `data:` payloads of a streamed answer (chunk sizes are small hex lines: skipped).
fn events(raw: &str) -> Vec<String> {
    raw.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(str::to_owned)
        .collect()
}

fn chat(question: &str) -> String {
    json!({
        "model": "x",
        "messages": [
            {"role": "system", "content": "You are a shop assistant. The shop opens at 9 am and closes at 6 pm. Answer in one short sentence."},
            {"role": "user", "content": question},
        ],
        "stream": true,
        "stream_options": {"include_usage": true},
        "temperature": 0,
        "max_tokens": 24,
        "stop": ["\n\n"],
    })
    .to_string()
}

fn usage(events: &[String]) -> Value {
    events
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e).ok())
        .find(|v| v["usage"].is_object())
        .expect("a usage chunk")["usage"]
        .clone()
}

#[test]
fn serves_streamed_chat_with_a_token_and_a_prompt_cache() {
    let Some(model) = model_path() else { return };
    let w = start(&model);
    for (token, status) in [
        (None, "401"),
        (Some("wrong-token"), "401"),
        (Some(TOKEN), "200"),
    ] {
        let raw = send(w.addr, "GET", "/health", token, "");
        assert!(raw.starts_with(&format!("HTTP/1.1 {status}")), "{raw}");
    }
    let raw = send(
        w.addr,
        "POST",
        "/v1/chat/completions",
        None,
        &chat("When do you open?"),
    );
    assert!(raw.starts_with("HTTP/1.1 401"), "{raw}");

    let raw = send(
        w.addr,
        "POST",
        "/v1/chat/completions",
        Some(TOKEN),
        &chat("When do you open?"),
    );
    let ev = events(&raw);
    assert_eq!(ev.last().map(String::as_str), Some("[DONE]"), "{raw}");
    let text: String = ev
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e).ok())
        .filter_map(|v| {
            v["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    eprintln!("answer: {text}");
    assert!(text.contains('9'), "{text}");
    let first = usage(&ev);
    assert_eq!(first["prompt_tokens_details"]["cached_tokens"], 0);

    // The same system prompt again: only the new question is computed.
    let raw = send(
        w.addr,
        "POST",
        "/v1/chat/completions",
        Some(TOKEN),
        &chat("And when do you close?"),
    );
    let second = usage(&events(&raw));
    let cached = second["prompt_tokens_details"]["cached_tokens"]
        .as_u64()
        .unwrap();
    let system = first["prompt_tokens"].as_u64().unwrap() - 10;
    assert!(cached >= system, "cached {cached} of {second}");
}

#[test]
fn exits_when_stdin_closes() {
    let Some(model) = model_path() else { return };
    let mut w = start(&model);
    drop(w.child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(5);
    while w.child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "still running after stdin closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn refuses_to_start_without_a_token() {
    let out = Command::new(env!("CARGO_BIN_EXE_voxgate-llm"))
        .args(["--model", "/nonexistent.gguf"])
        .env_remove("VOXGATE_LLM_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("VOXGATE_LLM_TOKEN"));
}
