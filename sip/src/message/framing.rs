//! Size limits and stream framing (RFC 3261 §18.3): on TCP/TLS a message ends where its
//! Content-Length says; CRLF keep-alives (RFC 5626 §3.5.1) come between messages.

use super::Message;
use super::error::{ParseError, ParseErrorKind};
use super::parse::{Framing, find_head_end, parse_at, skip_leading_crlf};

/// Size limits applied while parsing peer input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest header section in bytes.
    pub max_head: usize,
    /// Largest body in bytes.
    pub max_body: usize,
    /// Most header lines.
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_head: 32 * 1024,
            max_body: 256 * 1024,
            max_headers: 256,
        }
    }
}

/// What a stream decoder produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamItem {
    /// A complete message.
    Message(Box<Message>),
    /// A double-CRLF keep-alive ping; answer it with a single CRLF (pong).
    KeepAlive,
}

/// Reassembles messages from a byte stream. Feed bytes with [`StreamDecoder::push`], then
/// call [`StreamDecoder::next`] until it returns `None`. After an error the stream has lost
/// framing and the connection should be closed.
#[derive(Debug, Default)]
pub struct StreamDecoder {
    buf: Vec<u8>,
    limits: Limits,
    failed: bool,
}

impl StreamDecoder {
    /// A decoder with the given limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            buf: Vec::new(),
            limits,
            failed: false,
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if !self.failed {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes buffered and not yet consumed.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next complete item, `None` when more bytes are needed.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Result<StreamItem, ParseError>> {
        if self.failed {
            return None;
        }
        let lead = skip_leading_crlf(&self.buf);
        if lead > 0 {
            let ping = self.buf.starts_with(b"\r\n\r\n");
            self.buf.drain(..if ping { 4 } else { lead });
            if ping {
                return Some(Ok(StreamItem::KeepAlive));
            }
        }
        let Some(head) = find_head_end(&self.buf) else {
            if self.buf.len() > self.limits.max_head {
                return Some(Err(self.fail(ParseError::new(ParseErrorKind::TooLarge))));
            }
            return None;
        };
        match parse_at(&self.buf, 0, head, Framing::Stream, &self.limits) {
            Ok((msg, used)) => {
                self.buf.drain(..used);
                Some(Ok(StreamItem::Message(Box::new(msg))))
            }
            Err(e) if e.kind == ParseErrorKind::BodyTruncated => None,
            Err(e) => Some(Err(self.fail(e))),
        }
    }

    fn fail(&mut self, e: ParseError) -> ParseError {
        self.failed = true;
        self.buf.clear();
        e
    }
}
