//! Printing messages in wire form. Core headers come first in a fixed order, then the
//! others as stored, then a Content-Length computed from the body.

use std::fmt::Write;

use super::{Head, Request, Response};

impl Request {
    /// The request in wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = String::with_capacity(512);
        let _ = write!(s, "{} {} SIP/2.0\r\n", self.method, self.uri);
        write_head(&mut s, &self.head, self.body.len());
        finish(s, &self.body)
    }
}

impl Response {
    /// The response in wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = String::with_capacity(512);
        let _ = write!(s, "SIP/2.0 {} {}\r\n", self.status, self.reason);
        write_head(&mut s, &self.head, self.body.len());
        finish(s, &self.body)
    }
}

fn write_head(s: &mut String, h: &Head, body_len: usize) {
    for v in &h.via {
        let _ = write!(s, "Via: {v}\r\n");
    }
    let _ = write!(
        s,
        "From: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {}\r\n",
        h.from, h.to, h.call_id, h.cseq
    );
    if let Some(mf) = h.max_forwards {
        let _ = write!(s, "Max-Forwards: {mf}\r\n");
    }
    for f in h.headers.iter() {
        let _ = write!(s, "{}: {}\r\n", f.name, f.value);
    }
    let _ = write!(s, "Content-Length: {body_len}\r\n\r\n");
}

fn finish(s: String, body: &[u8]) -> Vec<u8> {
    let mut out = s.into_bytes();
    out.extend_from_slice(body);
    out
}
