use super::*;

/// Hands out `data` in pieces of `step` bytes, like a socket.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    step: usize,
}

impl Read for Trickle {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len() - self.at);
        out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn read(data: &[u8], step: usize) -> Result<Request, HttpError> {
    let mut r = Trickle {
        data: data.to_vec(),
        at: 0,
        step,
    };
    read_request(&mut r, |_| Ok(()))
}

#[test]
fn a_post_with_a_body_arrives_in_pieces() {
    let raw = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\
                Content-Length: 5\r\n\r\nhello";
    let req = read(raw, 3).expect("reads");
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(req.header("authorization"), Some("Bearer t"));
    assert_eq!(req.body, b"hello");
}

#[test]
fn limits_and_malformed_requests() {
    let big = format!(
        "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
        MAX_BODY + 1
    );
    assert_eq!(
        read(big.as_bytes(), 64).expect_err("refused").status(),
        Some(413)
    );
    let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
    assert_eq!(
        read(long.as_bytes(), 4096).expect_err("refused").status(),
        Some(431)
    );
    let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_eq!(read(chunked, 64).expect_err("refused").status(), Some(411));
    let no_len = b"POST / HTTP/1.1\r\n\r\n";
    assert_eq!(read(no_len, 64).expect_err("refused").status(), Some(411));
    assert_eq!(
        read(b"GARBAGE\r\n\r\n", 64).expect_err("refused").status(),
        Some(400)
    );
    assert!(matches!(
        read(b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc", 64),
        Err(HttpError::Closed)
    ));
}

#[test]
fn an_event_stream_is_chunked() {
    let mut out = Vec::new();
    let mut s = EventStream::start(&mut out).expect("head");
    s.event("{}").expect("event");
    s.end().expect("end");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("Transfer-Encoding: chunked\r\n"));
    assert!(
        text.ends_with("\r\n\r\na\r\ndata: {}\n\n\r\n0\r\n\r\n"),
        "{text}"
    );
}

#[test]
fn constant_time_compare() {
    assert!(constant_time_eq(b"abc", b"abc"));
    assert!(!constant_time_eq(b"abc", b"abd"));
    assert!(!constant_time_eq(b"abc", b"ab"));
}
