//! The event stream's defences against a running gateway, over real WebSockets: at most 64
//! subscribers (the next is refused with 429 until one leaves), a client message over 4 KiB
//! closes the stream, a ticket is one-time, and guessing tickets is an authentication
//! failure like a wrong token (the source is refused with 429 after the limit).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::http::curl_status;
use common::{Gateway, GatewayOpts, Ports, TempDir};
use tungstenite::client::IntoClientRequest;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

type Ws = WebSocket<MaybeTlsStream<TcpStream>>;

fn open(port: u16, token: &str) -> Result<Ws, tungstenite::Error> {
    let url = format!("ws://127.0.0.1:{port}/api/v1/events");
    let mut req = url.into_client_request().unwrap();
    let value = format!("Bearer {}", token.trim()).parse().unwrap();
    req.headers_mut().insert("authorization", value);
    tungstenite::connect(req).map(|(ws, _)| ws)
}

fn status_of(e: &tungstenite::Error) -> Option<u16> {
    match e {
        tungstenite::Error::Http(resp) => Some(resp.status().as_u16()),
        _ => None,
    }
}

#[test]
fn the_stream_bounds_subscribers_message_size_and_ticket_guessing() {
    let dir = TempDir::new("events-stream");
    let ports = Ports::new(30);
    let http = ports.base + 5;
    let tail = format!("[http]\nlisten = \"127.0.0.1:{http}\"\nauth_failures_per_minute = 5\n");
    let gw = Gateway::start_opts(
        &dir.0,
        ports,
        &GatewayOpts {
            calls: "logic = \"demo\"",
            tail: &tail,
            ..GatewayOpts::default()
        },
    );
    let token = fs::read_to_string(dir.0.join("data/admin-token")).unwrap();

    // 64 subscribers; the 65th is told to come back later; one leaving makes room.
    let mut open_ones: Vec<Ws> = (0..64)
        .map(|i| open(http, &token).unwrap_or_else(|e| panic!("subscriber {i}: {e}")))
        .collect();
    let refused = open(http, &token).expect_err("a 65th subscriber");
    assert_eq!(status_of(&refused), Some(429), "{refused}");
    let mut gone = open_ones.pop().unwrap();
    gone.close(None).unwrap();
    let _ = gone.flush();
    drop(gone);
    let end = Instant::now() + Duration::from_secs(5);
    let mut big = loop {
        match open(http, &token) {
            Ok(ws) => break ws,
            Err(e) => {
                assert_eq!(status_of(&e), Some(429), "{e}");
                assert!(Instant::now() < end, "no room after one left");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    drop(open_ones);

    // A message over 4 KiB closes the stream.
    big.send(Message::Text("x".repeat(8192).into())).unwrap();
    if let MaybeTlsStream::Plain(s) = big.get_mut() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    let closed = loop {
        match big.read() {
            Ok(Message::Close(_)) | Err(_) => break true,
            Ok(_) => {}
        }
    };
    assert!(closed);

    // Guessed tickets are failures: after the limit the source is refused outright.
    let url = |t: &str| format!("ws://127.0.0.1:{http}/api/v1/events?ticket={t}");
    let mut statuses = Vec::new();
    for i in 0..8 {
        let e = tungstenite::connect(url(&format!("vgt_{i:064x}"))).expect_err("a guess");
        statuses.push(status_of(&e));
    }
    assert_eq!(statuses[0], Some(401), "{statuses:?}");
    assert_eq!(
        statuses.last().copied().flatten(),
        Some(429),
        "{statuses:?}"
    );
    // Even a real ticket is refused while the source is limited.
    let api = format!("http://127.0.0.1:{http}/api/v1/events/ticket");
    let (s, _) = curl_status(&token, "POST", &api, "");
    assert_eq!(s, 429);
    drop(gw);
}
