//! Size limits and stream framing (RFC 3261 §18.3): on TCP/TLS a message ends where its
//! Content-Length says; CRLF keep-alives (RFC 5626 §3.5.1) come between messages.

use super::Message;
use super::error::{ParseError, ParseErrorKind};
use super::parse::{Framing, find_head_end, parse_at};

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

/// The RFC 5626 keep-alive ping.
const PING: &[u8] = b"\r\n\r\n";

/// What comes first in the buffer once line ends between messages are dropped.
enum Gap {
    /// A keep-alive ping (consumed).
    KeepAlive,
    /// Only a prefix of a ping: wait for more bytes.
    NeedMore,
    /// The start of a message, or nothing.
    Message,
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
        match self.skip_line_ends() {
            Gap::KeepAlive => return Some(Ok(StreamItem::KeepAlive)),
            Gap::NeedMore => return None,
            Gap::Message => {}
        }
        let Some(head) = find_head_end(&self.buf) else {
            // The blank line still to come starts at `len - 2` at the earliest (its first
            // LF may already be here, followed by a CR): give up only when that is past the
            // limit, so that the verdict does not depend on how the bytes were split.
            if self.buf.len() > self.limits.max_head.saturating_add(2) {
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

    /// Drops the CR and LF bytes that come before a message, one at a time, stopping at a
    /// double-CRLF ping and at a buffer that could still become one. Deciding on each byte
    /// only once what follows it is known keeps the outcome independent of how the stream
    /// was split into pushes (a ping split as `\r\n` + `\r\n` is still a ping).
    fn skip_line_ends(&mut self) -> Gap {
        let mut i = 0;
        let gap = loop {
            let rest = self.buf.get(i..).unwrap_or_default();
            if !rest.first().is_some_and(|c| matches!(c, b'\r' | b'\n')) {
                break Gap::Message;
            }
            if rest.starts_with(PING) {
                i += PING.len();
                break Gap::KeepAlive;
            }
            if PING.starts_with(rest) {
                break Gap::NeedMore;
            }
            i += 1;
        };
        self.buf.drain(..i);
        gap
    }

    fn fail(&mut self, e: ParseError) -> ParseError {
        self.failed = true;
        self.buf.clear();
        e
    }
}
