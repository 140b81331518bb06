//! The HTTP backend against tiny loopback servers (std TcpListener threads) that stream SSE,
//! fail, stall or die, one scripted behaviour per accepted connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::ops::ControlFlow;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::*;
use crate::dialog::llm::{ChatMessage, Role};

/// What the server does with one connection.
enum Act {
    /// 200 with these SSE `data:` payloads, then `[DONE]`.
    Stream(Vec<String>),
    /// 200, these payloads, then the connection is closed without `[DONE]`.
    StreamThenDie(Vec<String>),
    /// 200, these payloads, then wait for the client to close and report it.
    StreamThenWait(Vec<String>),
    /// A status with a small body.
    Status(u16),
    /// Read the request and never answer (until the client goes away).
    Silent,
}

/// Events the server thread reports.
#[derive(Debug, PartialEq)]
enum Seen {
    Request(Value),
    ClientClosed,
}

fn chunk(text: &str) -> String {
    json!({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]})
        .to_string()
}

fn read_request(stream: &mut TcpStream) -> Option<Value> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn write_sse(stream: &mut TcpStream, payloads: &[String], done: bool) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
    let _ = stream.write_all(head.as_bytes());
    for p in payloads {
        let _ = stream.write_all(format!("data: {p}\n\n").as_bytes());
        let _ = stream.flush();
    }
    if done {
        let _ = stream.write_all(b"data: [DONE]\n\n");
    }
}

/// Serves `acts` in order, one per connection; returns the base URL and the event channel.
fn serve(acts: Vec<Act>) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/v1", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for act in acts {
            let Ok((mut s, _)) = listener.accept() else {
                return;
            };
            if let Some(req) = read_request(&mut s) {
                let _ = tx.send(Seen::Request(req));
            }
            match act {
                Act::Stream(p) => write_sse(&mut s, &p, true),
                Act::StreamThenDie(p) => write_sse(&mut s, &p, false),
                Act::StreamThenWait(p) => {
                    write_sse(&mut s, &p, false);
                    let mut buf = [0u8; 64];
                    while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
                    let _ = tx.send(Seen::ClientClosed);
                }
                Act::Status(code) => {
                    let body = "{\"error\":\"boom\"}";
                    let msg = format!(
                        "HTTP/1.1 {code} Oops\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = s.write_all(msg.as_bytes());
                }
                Act::Silent => {
                    let mut buf = [0u8; 64];
                    while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
                }
            }
        }
    });
    (base, rx)
}

fn config(base: &str) -> OpenAiConfig {
    OpenAiConfig {
        connect_timeout: Duration::from_millis(500),
        first_token_timeout: Duration::from_millis(500),
        total_timeout: Duration::from_secs(5),
        ..OpenAiConfig::new(base, "test-model")
    }
}

fn request() -> GenerateRequest {
    GenerateRequest {
        messages: vec![
            ChatMessage::new(Role::System, "Answer briefly."),
            ChatMessage::new(Role::User, "When are you open?"),
        ],
        max_tokens: 32,
        stop: vec!["\nUser:".into()],
    }
}

fn requests(rx: &mpsc::Receiver<Seen>) -> Vec<Value> {
    rx.try_iter()
        .filter_map(|s| match s {
            Seen::Request(v) => Some(v),
            Seen::ClientClosed => None,
        })
        .collect()
}

#[test]
fn streamed_chunks_are_assembled_in_order() {
    let mut payloads: Vec<String> = ["We are ", "open 9 to ", "5."]
        .iter()
        .map(|t| chunk(t))
        .collect();
    payloads.push(
        json!({"choices": [], "usage": {"prompt_tokens": 21, "completion_tokens": 3}}).to_string(),
    );
    let (base, rx) = serve(vec![Act::Stream(payloads)]);
    let llm = OpenAiHttp::new(config(&base));
    let mut pieces = Vec::new();
    let generation = llm
        .generate(&request(), &mut |p| {
            pieces.push(p.to_owned());
            ControlFlow::Continue(())
        })
        .expect("generation");
    assert_eq!(pieces, ["We are ", "open 9 to ", "5."]);
    assert_eq!(generation.text, "We are open 9 to 5.");
    assert_eq!(generation.finish, Finish::Stop);
    assert_eq!(
        (generation.prompt_tokens, generation.completion_tokens),
        (21, 3)
    );
    let sent = requests(&rx);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["stream"], json!(true));
    assert_eq!(sent[0]["temperature"], json!(0));
    assert_eq!(sent[0]["max_tokens"], json!(32));
    assert_eq!(sent[0]["stop"], json!(["\nUser:"]));
    assert_eq!(
        sent[0]["messages"][1],
        json!({"role": "user", "content": "When are you open?"})
    );
    assert!(llm.name().starts_with("http:test-model@127.0.0.1:"));
}

#[test]
fn a_dead_port_is_unavailable_quickly() {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let llm = OpenAiHttp::new(config(&format!("http://127.0.0.1:{port}/v1")));
    let start = Instant::now();
    let err = llm
        .generate(&request(), &mut |_| ControlFlow::Continue(()))
        .expect_err("dead port");
    assert!(matches!(err, LlmError::Unavailable { .. }), "{err:?}");
    // Two retries with 100 + 200 ms backoff: well under the 5 s total budget.
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    let (base, _rx) = serve(vec![Act::Silent]);
    let llm = OpenAiHttp::new(OpenAiConfig {
        retries: 0,
        ..config(&base)
    });
    let err = llm
        .generate(&request(), &mut |_| ControlFlow::Continue(()))
        .expect_err("silent");
    assert!(matches!(err, LlmError::Timeout { .. }), "{err:?}");
}

#[test]
fn a_500_is_retried_and_then_succeeds() {
    let (base, rx) = serve(vec![Act::Status(500), Act::Stream(vec![chunk("Hello.")])]);
    let llm = OpenAiHttp::new(config(&base));
    let generation = llm
        .generate(&request(), &mut |_| ControlFlow::Continue(()))
        .expect("retried");
    assert_eq!(generation.text, "Hello.");
    assert_eq!(requests(&rx).len(), 2);
}

#[test]
fn a_400_is_a_protocol_error_and_not_retried() {
    let (base, rx) = serve(vec![Act::Status(400), Act::Stream(vec![chunk("never")])]);
    let llm = OpenAiHttp::new(config(&base));
    let err = llm
        .generate(&request(), &mut |_| ControlFlow::Continue(()))
        .expect_err("400");
    assert!(matches!(err, LlmError::Protocol(_)), "{err:?}");
    assert_eq!(requests(&rx).len(), 1);
}

#[test]
fn a_failure_after_the_first_token_is_never_retried() {
    let (base, rx) = serve(vec![
        Act::StreamThenDie(vec![chunk("Half an ")]),
        Act::Stream(vec![chunk("again")]),
    ]);
    let llm = OpenAiHttp::new(config(&base));
    let mut heard = String::new();
    let err = llm
        .generate(&request(), &mut |p| {
            heard.push_str(p);
            ControlFlow::Continue(())
        })
        .expect_err("died mid-stream");
    assert!(matches!(err, LlmError::Protocol(_)), "{err:?}");
    assert_eq!(heard, "Half an ");
    assert_eq!(requests(&rx).len(), 1);
}

#[test]
fn break_closes_the_stream() {
    let (base, rx) = serve(vec![Act::StreamThenWait(vec![
        chunk("One. "),
        chunk("Two."),
    ])]);
    let llm = OpenAiHttp::new(OpenAiConfig {
        total_timeout: Duration::from_secs(30),
        ..config(&base)
    });
    let generation = llm
        .generate(&request(), &mut |_| ControlFlow::Break(()))
        .expect("cancelled");
    assert_eq!(generation.finish, Finish::Cancelled);
    assert_eq!(generation.text, "One. ");
    let closed = loop {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Seen::ClientClosed) => break true,
            Ok(Seen::Request(_)) => continue,
            Err(_) => break false,
        }
    };
    assert!(closed, "the client kept the stream open after Break");
}
