//! Hostile endpoints on loopback against the real HTTP client: an answer too large, one that
//! drips, one that never comes, a redirect, and more requests than may be in flight.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::*;

/// A server on loopback that answers each of `conns` connections with `answer` (after
/// reading the request head); returns its base URL.
fn server(conns: usize, answer: fn(&mut TcpStream)) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for _ in 0..conns {
            let Ok((mut s, _)) = l.accept() else { return };
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && s.read(&mut b).is_ok_and(|n| n == 1) {
                    head.push(b[0]);
                }
                answer(&mut s);
            });
        }
    });
    base
}

fn get(hooks: &Webhooks, url: String, timeout_ms: u64) -> (Result<WebhookReply, String>, Duration) {
    let started = Instant::now();
    let rx = hooks.submit(Request {
        method: Method::Get,
        url,
        body: None,
        timeout: Duration::from_millis(timeout_ms),
    });
    let answer = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("no answer at all");
    (answer, started.elapsed())
}

#[test]
fn an_answer_larger_than_the_limit_is_an_error_not_a_value() {
    let base = server(1, |s| {
        let big = format!("{{\"note\": \"{}\"}}", "x".repeat(1 << 20));
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{big}",
            big.len()
        );
    });
    let (answer, _) = get(&Webhooks::new(None), format!("{base}/big"), 5000);
    let e = answer.unwrap_err();
    assert!(e.contains("larger than 64 KiB"), "{e}");
}

#[test]
fn a_server_that_drips_or_never_answers_is_cut_off_at_the_timeout() {
    let drip = server(1, |s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        for _ in 0..200 {
            if s.write_all(b"{").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let silent = server(1, |_| std::thread::sleep(Duration::from_secs(15)));
    let hooks = Webhooks::new(None);
    for url in [format!("{drip}/drip"), format!("{silent}/silent")] {
        let (answer, took) = get(&hooks, url.clone(), 500);
        assert!(answer.is_err(), "{url}: {answer:?}");
        // Cut off at the node's timeout, not when the server gives up (10 s and 15 s).
        assert!(took < Duration::from_secs(5), "{url}: {took:?}");
    }
}

#[test]
fn redirects_are_not_followed_and_a_non_json_answer_is_no_value() {
    let base = server(2, |s| {
        let _ = s.write_all(
            b"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest\r\nContent-Length: 9\r\n\r\nnot json!",
        );
    });
    let (answer, _) = get(&Webhooks::new(None), format!("{base}/r"), 5000);
    let reply = answer.unwrap();
    assert_eq!(reply.status, 302);
    assert_eq!(reply.body, serde_json::Value::Null);
}

#[test]
fn requests_beyond_the_in_flight_cap_fail_at_once() {
    let slow = server(MAX_IN_FLIGHT, |_| {
        std::thread::sleep(Duration::from_secs(3))
    });
    let hooks = Webhooks::new(None);
    let waiting: Vec<Pending> = (0..MAX_IN_FLIGHT)
        .map(|i| {
            hooks.submit(Request {
                method: Method::Get,
                url: format!("{slow}/{i}"),
                body: None,
                timeout: Duration::from_secs(2),
            })
        })
        .collect();
    let (answer, took) = get(&hooks, format!("{slow}/one-too-many"), 2000);
    assert_eq!(answer.unwrap_err(), "too many webhook requests in flight");
    assert!(took < Duration::from_secs(1), "{took:?}");
    for rx in waiting {
        assert!(rx.recv_timeout(Duration::from_secs(10)).unwrap().is_err());
    }
    // Once they are done, requests go out again.
    let (answer, _) = get(&hooks, "/own".into(), 500);
    assert_eq!(answer.unwrap_err(), "this gateway's API is not listening");
}
