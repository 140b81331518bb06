//! Just enough HTTP/1.1 for a loopback API with one client: read one request (head and
//! `Content-Length` body, bounded in size and time), write one answer and close. Answers are
//! either whole (`Content-Length`) or a chunked stream (SSE). No keep-alive, no pipelining.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// The request line and headers.
const MAX_HEAD: usize = 16 * 1024;
/// A prompt with retrieved passages is a few kilobytes.
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// For the whole request, head and body.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// One request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    /// Names lowercased.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request could not be read; each maps to the status to answer (if any).
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    #[error("malformed request: {0}")]
    Malformed(&'static str),
    #[error("request head over {MAX_HEAD} bytes")]
    HeadTooLarge,
    #[error("request body over {MAX_BODY} bytes")]
    BodyTooLarge,
    #[error("a body needs Content-Length")]
    LengthRequired,
    #[error("request not read within {} s", READ_TIMEOUT.as_secs())]
    Timeout,
    #[error("connection closed mid-request")]
    Closed,
    #[error(transparent)]
    Io(io::Error),
}

impl HttpError {
    /// The status to answer with; `None`: just close.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            HttpError::Malformed(_) => Some(400),
            HttpError::HeadTooLarge => Some(431),
            HttpError::BodyTooLarge => Some(413),
            HttpError::LengthRequired => Some(411),
            HttpError::Timeout => Some(408),
            HttpError::Closed | HttpError::Io(_) => None,
        }
    }
}

fn io_error(e: io::Error) -> HttpError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => HttpError::Timeout,
        _ => HttpError::Io(e),
    }
}

/// Reads into `buf` until `done(buf)` says how long the message is, within `deadline`.
/// `set_timeout` is called before each read with what time is left.
fn read_until<R: Read>(
    r: &mut R,
    buf: &mut Vec<u8>,
    deadline: Instant,
    set_timeout: &mut dyn FnMut(Duration) -> io::Result<()>,
    mut done: impl FnMut(&[u8]) -> Result<Option<usize>, HttpError>,
) -> Result<usize, HttpError> {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(n) = done(buf)? {
            return Ok(n);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HttpError::Timeout);
        }
        set_timeout(left).map_err(HttpError::Io)?;
        let n = r.read(&mut chunk).map_err(io_error)?;
        if n == 0 {
            return Err(HttpError::Closed);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn head_end(buf: &[u8]) -> Result<Option<usize>, HttpError> {
    match buf.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(p) if p + 4 <= MAX_HEAD => Ok(Some(p + 4)),
        Some(_) => Err(HttpError::HeadTooLarge),
        None if buf.len() > MAX_HEAD => Err(HttpError::HeadTooLarge),
        None => Ok(None),
    }
}

/// Parses the head (request line and headers, without the blank line).
fn parse_head(head: &[u8]) -> Result<Request, HttpError> {
    let head = std::str::from_utf8(head).map_err(|_| HttpError::Malformed("not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(path), Some(version), None) =
        (start.next(), start.next(), start.next(), start.next())
    else {
        return Err(HttpError::Malformed("request line"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(HttpError::Malformed("HTTP version"));
    }
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or(HttpError::Malformed("header line"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(Request {
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body: Vec::new(),
    })
}

fn content_length(req: &Request) -> Result<usize, HttpError> {
    if req.header("transfer-encoding").is_some() {
        return Err(HttpError::LengthRequired);
    }
    match req.header("content-length") {
        None if req.method == "POST" => Err(HttpError::LengthRequired),
        None => Ok(0),
        Some(v) => {
            let n: usize = v
                .parse()
                .map_err(|_| HttpError::Malformed("Content-Length"))?;
            if n > MAX_BODY {
                return Err(HttpError::BodyTooLarge);
            }
            Ok(n)
        }
    }
}

/// Reads one request from `r`. `set_timeout` sets the socket's read timeout.
pub(crate) fn read_request<R: Read>(
    r: &mut R,
    mut set_timeout: impl FnMut(Duration) -> io::Result<()>,
) -> Result<Request, HttpError> {
    let deadline = Instant::now() + READ_TIMEOUT;
    let mut buf = Vec::new();
    let head_len = read_until(r, &mut buf, deadline, &mut set_timeout, head_end)?;
    let mut req = parse_head(&buf[..head_len - 4])?;
    let body_len = content_length(&req)?;
    let total = head_len + body_len;
    read_until(r, &mut buf, deadline, &mut set_timeout, |b| {
        Ok((b.len() >= total).then_some(total))
    })?;
    req.body = buf[head_len..total].to_vec();
    Ok(req)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Writes a whole JSON answer.
pub(crate) fn write_json<W: Write>(
    w: &mut W,
    status: u16,
    body: &serde_json::Value,
) -> io::Result<()> {
    let body = body.to_string();
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    if status == 401 {
        out.push_str("WWW-Authenticate: Bearer\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    w.write_all(out.as_bytes())?;
    w.flush()
}

/// An event stream: SSE `data:` events in HTTP chunks.
pub(crate) struct EventStream<W: Write> {
    w: W,
}

impl<W: Write> EventStream<W> {
    /// Writes the head of a `200 text/event-stream` answer.
    pub(crate) fn start(mut w: W) -> io::Result<EventStream<W>> {
        w.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
              Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        )?;
        w.flush()?;
        Ok(EventStream { w })
    }

    /// Sends one `data: …` event at once.
    pub(crate) fn event(&mut self, data: &str) -> io::Result<()> {
        let event = format!("data: {data}\n\n");
        write!(self.w, "{:x}\r\n{event}\r\n", event.len())?;
        self.w.flush()
    }

    /// Ends the stream (the last chunk).
    pub(crate) fn end(mut self) -> io::Result<()> {
        self.w.write_all(b"0\r\n\r\n")?;
        self.w.flush()
    }
}

/// Compares in time independent of where the first difference is.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
