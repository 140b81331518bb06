//! Stream framing (RFC 3261 §18.3): on TCP/TLS a message ends where its Content-Length
//! says; CRLF keep-alives (RFC 5626 §3.5.1) come between messages. The decoder owns the
//! receive buffer and where it stands in it; parsing a header section is `parse`'s.
//!
//! Work is linear in the bytes received, however they are split: the search for the blank
//! line resumes where the previous push left it, the header section is parsed once when it
//! is complete (so an oversized Content-Length is refused before its body arrives), and the
//! body is then only counted until it is all there.

use super::Message;
use super::error::{ParseError, ParseErrorKind};
use super::limits::Limits;
use super::parse::{Framing, Pending, find_head_end, parse_head};

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

/// Where the decoder stands in the current message. Offsets are relative to the start of
/// the message (`StreamDecoder::start`).
#[derive(Debug)]
enum State {
    /// Waiting for the blank line; none starts before `scanned`.
    Head { scanned: usize },
    /// The header section parsed; waiting for `pending.body_len` bytes from `body_at`.
    Body {
        pending: Box<Pending>,
        body_at: usize,
    },
}

/// Reassembles messages from a byte stream. Feed bytes with [`StreamDecoder::push`], then
/// call [`StreamDecoder::next`] until it returns `None`. After an error the stream has lost
/// framing and the connection should be closed.
#[derive(Debug)]
pub struct StreamDecoder {
    buf: Vec<u8>,
    /// Where the current message starts in `buf`; bytes before it are consumed and dropped
    /// at the next push (once per push, not once per message).
    start: usize,
    state: State,
    limits: Limits,
    failed: bool,
    /// Bytes scanned for the blank line, parsed as header sections or copied as bodies.
    examined: u64,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl StreamDecoder {
    /// A decoder with the given limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            state: State::Head { scanned: 0 },
            limits,
            failed: false,
            examined: 0,
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed {
            return;
        }
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes buffered and not yet consumed.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Bytes the decoder has examined so far: scanned for the end of a header section,
    /// parsed, or copied into a body. Linear in the bytes pushed.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn examined(&self) -> u64 {
        self.examined
    }

    /// The next complete item, `None` when more bytes are needed.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Result<StreamItem, ParseError>> {
        if self.failed {
            return None;
        }
        if let State::Head { scanned } = self.state {
            if scanned == 0 {
                match self.skip_line_ends() {
                    Gap::KeepAlive => return Some(Ok(StreamItem::KeepAlive)),
                    Gap::NeedMore => return None,
                    Gap::Message if self.buffered() == 0 => return None,
                    Gap::Message => {}
                }
            }
            if let Err(e) = self.read_head(scanned)? {
                return Some(Err(self.fail(e)));
            }
        }
        self.take_body()
            .map(|m| Ok(StreamItem::Message(Box::new(m))))
    }

    /// Looks for the blank line from where the last look stopped; once found, parses the
    /// header section and moves to [`State::Body`]. `None` while the blank line is missing.
    fn read_head(&mut self, scanned: usize) -> Option<Result<(), ParseError>> {
        let data = &self.buf[self.start..];
        let Some((text_end, body_at)) = find_head_end(data, scanned) else {
            self.examined += (data.len() - scanned) as u64;
            // The blank line still to come starts at `len - 2` at the earliest (its first
            // LF may already be here, followed by a CR): resume there, and give up only
            // when that is past the limit, so that the verdict does not depend on how the
            // bytes were split.
            let len = data.len();
            self.state = State::Head {
                scanned: len.saturating_sub(2).max(scanned),
            };
            if len > self.limits.max_head.saturating_add(2) {
                return Some(Err(ParseError::new(ParseErrorKind::TooLarge)));
            }
            return None;
        };
        self.examined += (body_at - scanned + text_end) as u64;
        match parse_head(&data[..text_end], Framing::Stream, 0, &self.limits) {
            Ok(pending) => {
                self.state = State::Body {
                    pending: Box::new(pending),
                    body_at,
                };
                Some(Ok(()))
            }
            Err(e) => Some(Err(e)),
        }
    }

    /// The message, once its whole body is buffered.
    fn take_body(&mut self) -> Option<Message> {
        let State::Body { pending, body_at } = &self.state else {
            return None;
        };
        let (body_at, body_len) = (*body_at, pending.body_len);
        let from = self.start + body_at;
        let body = self.buf.get(from..from + body_len)?.to_vec();
        let State::Body { pending, .. } =
            std::mem::replace(&mut self.state, State::Head { scanned: 0 })
        else {
            return None;
        };
        self.examined += body_len as u64;
        self.start = from + body_len;
        Some(pending.finish(body))
    }

    /// Drops the CR and LF bytes that come before a message, one at a time, stopping at a
    /// double-CRLF ping and at a buffer that could still become one. Deciding on each byte
    /// only once what follows it is known keeps the outcome independent of how the stream
    /// was split into pushes (a ping split as `\r\n` + `\r\n` is still a ping).
    fn skip_line_ends(&mut self) -> Gap {
        let mut i = self.start;
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
        self.start = i;
        gap
    }

    fn fail(&mut self, e: ParseError) -> ParseError {
        self.failed = true;
        self.buf = Vec::new();
        self.start = 0;
        self.state = State::Head { scanned: 0 };
        e
    }
}
