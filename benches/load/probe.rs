//! The harness's own SIP client on 127.0.0.1 over UDP: OPTIONS to see that voxgate is ready,
//! and probe calls (INVITE → 200, ACK, BYE at once) that time the INVITE→200 setup with a
//! monotonic clock while SIPp holds the load. Hand-written messages; every wait is bounded
//! and the INVITE and BYE are retransmitted every 500 ms like any UDP client.

use std::collections::HashSet;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A SIP client socket aimed at voxgate.
pub(crate) struct SipClient {
    sock: UdpSocket,
    /// Where voxgate may send RTP for probe calls (never read; bound so nothing bounces).
    media: UdpSocket,
    target: SocketAddr,
    seq: u32,
    /// `privacy::stable_hash` of every probe call's Call-ID (the summaries carry only that).
    calls: HashSet<String>,
}

/// One response: status code, CSeq method and the To header's value.
struct Response {
    code: u16,
    method: String,
    call_id: String,
    to: String,
}

impl SipClient {
    /// Binds `local` (SIP) and `media` (RTP) on 127.0.0.1.
    pub(crate) fn bind(local: u16, media: u16, target: SocketAddr) -> Result<SipClient> {
        let sock = UdpSocket::bind(("127.0.0.1", local)).context("probe SIP port")?;
        sock.set_read_timeout(Some(Duration::from_millis(100)))?;
        let media = UdpSocket::bind(("127.0.0.1", media)).context("probe media port")?;
        Ok(SipClient {
            sock,
            media,
            target,
            seq: 0,
            calls: HashSet::new(),
        })
    }

    /// The hashed Call-IDs of the probe calls placed so far.
    pub(crate) fn call_hashes(&self) -> &HashSet<String> {
        &self.calls
    }

    fn local(&self) -> SocketAddr {
        self.sock.local_addr().unwrap_or(self.target)
    }

    /// Whether voxgate answers OPTIONS with 200 within `timeout`.
    pub(crate) fn options(&mut self, timeout: Duration) -> bool {
        self.seq += 1;
        let call_id = format!("probe-options-{}-{}", std::process::id(), self.seq);
        let msg = self.request("OPTIONS", &call_id, 1, "", None, "");
        self.transact(&msg, &call_id, "OPTIONS", timeout)
            .map(|r| r.code == 200)
            .unwrap_or(false)
    }

    /// One probe call: the time from sending the INVITE to receiving its 200, then ACK and
    /// BYE (awaiting the BYE's 200).
    pub(crate) fn call(&mut self) -> Result<Duration> {
        self.seq += 1;
        let call_id = format!("probe-{}-{}@127.0.0.1", std::process::id(), self.seq);
        self.calls.insert(voxgate::privacy::stable_hash(&call_id));
        let port = self.media.local_addr()?.port();
        let sdp = format!(
            "v=0\r\no=probe 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
             a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n"
        );
        let invite = self.request("INVITE", &call_id, 1, "", Some("application/sdp"), &sdp);
        let start = Instant::now();
        let ok = self.transact(&invite, &call_id, "INVITE", Duration::from_secs(5))?;
        let setup = start.elapsed();
        if ok.code != 200 {
            bail!("probe INVITE answered {}", ok.code);
        }
        let ack = self.request("ACK", &call_id, 1, &ok.to, None, "");
        self.sock.send_to(ack.as_bytes(), self.target)?;
        let bye = self.request("BYE", &call_id, 2, &ok.to, None, "");
        let r = self.transact(&bye, &call_id, "BYE", Duration::from_secs(3))?;
        if r.code != 200 {
            bail!("probe BYE answered {}", r.code);
        }
        Ok(setup)
    }

    /// A request; `to` is the To value with the peer's tag (empty: no tag yet).
    fn request(
        &self,
        method: &str,
        call_id: &str,
        cseq: u32,
        to: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> String {
        let local = self.local();
        let uri = format!("sip:svc@{}", self.target);
        let to = if to.is_empty() {
            format!("<{uri}>")
        } else {
            to.to_owned()
        };
        let branch = format!("z9hG4bK-probe-{}-{}-{method}", self.seq, std::process::id());
        let ctype = content_type
            .map(|t| format!("Content-Type: {t}\r\n"))
            .unwrap_or_default();
        format!(
            "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch={branch}\r\n\
             From: <sip:probe@{local}>;tag=probe{}\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
             CSeq: {cseq} {method}\r\nContact: <sip:probe@{local}>\r\nMax-Forwards: 70\r\n\
             {ctype}Content-Length: {}\r\n\r\n{body}",
            self.seq,
            body.len()
        )
    }

    /// Sends `msg` (retransmitted every 500 ms) until a final response to `method` of
    /// `call_id` arrives, or `timeout`.
    fn transact(
        &self,
        msg: &str,
        call_id: &str,
        method: &str,
        timeout: Duration,
    ) -> Result<Response> {
        let start = Instant::now();
        let mut sent_at = start;
        self.sock.send_to(msg.as_bytes(), self.target)?;
        let mut buf = vec![0u8; 8192];
        while start.elapsed() < timeout {
            if sent_at.elapsed() >= Duration::from_millis(500) {
                self.sock.send_to(msg.as_bytes(), self.target)?;
                sent_at = Instant::now();
            }
            let Ok((n, _)) = self.sock.recv_from(&mut buf) else {
                continue;
            };
            let Some(r) = parse_response(&buf[..n]) else {
                continue;
            };
            if r.call_id == call_id && r.method == method && r.code >= 200 {
                return Ok(r);
            }
        }
        bail!("no final response to {method} in {timeout:?}")
    }
}

/// The parts of a SIP response the probe needs; `None` for requests and garbage.
fn parse_response(data: &[u8]) -> Option<Response> {
    let text = std::str::from_utf8(data).ok()?;
    let mut lines = text.split("\r\n");
    let code = lines
        .next()?
        .strip_prefix("SIP/2.0 ")?
        .get(..3)?
        .parse()
        .ok()?;
    let (mut method, mut call_id, mut to) = (String::new(), String::new(), String::new());
    for line in lines.take_while(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "cseq" => method = value.split_whitespace().nth(1).unwrap_or("").to_owned(),
            "call-id" | "i" => call_id = value.to_owned(),
            "to" | "t" => to = value.to_owned(),
            _ => {}
        }
    }
    Some(Response {
        code,
        method,
        call_id,
        to,
    })
}
