//! The harness's caller: a small SIP user agent over UDP on 127.0.0.1 (INVITE with one PCMU
//! stream, ACK, BYE; requests from voxgate answered 200) and its RTP leg, paced by the
//! caller: one 20 ms μ-law packet per `send_frame`, packets from voxgate timestamped as
//! they arrive. Hand-written messages; every wait is bounded.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Mean absolute amplitude above which a frame counts as speech.
pub(crate) const VOICED: u32 = 300;

/// Whether a frame is speech.
pub(crate) fn voiced(pcm: &[i16]) -> bool {
    let sum: u64 = pcm.iter().map(|s| u64::from(s.unsigned_abs())).sum();
    sum / (pcm.len().max(1) as u64) > u64::from(VOICED)
}

/// One call in progress.
pub(crate) struct Call {
    sip: UdpSocket,
    rtp: UdpSocket,
    target: SocketAddr,
    remote_rtp: SocketAddr,
    call_id: String,
    to: String,
    cseq: u32,
    /// The call's number (in branches and the Call-ID).
    n: u32,
    seq: u16,
    ts: u32,
    /// Set when voxgate sent BYE.
    pub(crate) ended: bool,
}

/// A SIP message's first line and the headers the harness needs.
struct Msg {
    first: String,
    call_id: String,
    cseq: String,
    to: String,
    via: Vec<String>,
    from: String,
    body: String,
}

fn parse(data: &[u8]) -> Option<Msg> {
    let text = std::str::from_utf8(data).ok()?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
    let mut lines = head.split("\r\n");
    let mut m = Msg {
        first: lines.next()?.to_owned(),
        call_id: String::new(),
        cseq: String::new(),
        to: String::new(),
        via: Vec::new(),
        from: String::new(),
        body: body.to_owned(),
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        match name.trim().to_ascii_lowercase().as_str() {
            "call-id" | "i" => m.call_id = value,
            "cseq" => m.cseq = value,
            "to" | "t" => m.to = value,
            "from" | "f" => m.from = value,
            "via" | "v" => m.via.push(value),
            _ => {}
        }
    }
    Some(m)
}

/// Sends OPTIONS from `local` until a 200 comes (at most `timeout`).
pub(crate) fn options(local: u16, target: SocketAddr, timeout: Duration) -> bool {
    let Ok(sock) = UdpSocket::bind(("127.0.0.1", local)) else {
        return false;
    };
    let _ = sock.set_read_timeout(Some(Duration::from_millis(200)));
    let msg = format!(
        "OPTIONS sip:svc@{target} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-opt-{}\r\n\
         From: <sip:bench@127.0.0.1>;tag=opt\r\nTo: <sip:svc@{target}>\r\nCall-ID: opt-{}\r\n\
         CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        std::process::id(),
        std::process::id()
    );
    let end = Instant::now() + timeout;
    let mut buf = [0u8; 4096];
    while Instant::now() < end {
        let _ = sock.send_to(msg.as_bytes(), target);
        if let Ok((n, _)) = sock.recv_from(&mut buf)
            && parse(&buf[..n]).is_some_and(|m| m.first.starts_with("SIP/2.0 200"))
        {
            return true;
        }
    }
    false
}

impl Call {
    /// Dials voxgate at `target` from SIP port `sip_port` with media on `rtp_port`.
    pub(crate) fn dial(n: u32, sip_port: u16, rtp_port: u16, target: SocketAddr) -> Result<Call> {
        let sip = UdpSocket::bind(("127.0.0.1", sip_port)).context("caller SIP port")?;
        sip.set_read_timeout(Some(Duration::from_millis(100)))?;
        let rtp = UdpSocket::bind(("127.0.0.1", rtp_port)).context("caller RTP port")?;
        let mut call = Call {
            sip,
            rtp,
            target,
            remote_rtp: target,
            call_id: format!("latency-{}-{n}@127.0.0.1", std::process::id()),
            to: format!("<sip:svc@{target}>"),
            cseq: 1,
            n,
            seq: 0,
            ts: 0,
            ended: false,
        };
        let sdp = format!(
            "v=0\r\no=bench 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {rtp_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n"
        );
        let invite = call.request("INVITE", Some(&sdp));
        let ok = call.transact(&invite, "INVITE", Duration::from_secs(10))?;
        if !ok.first.starts_with("SIP/2.0 200") {
            bail!("INVITE answered {}", ok.first);
        }
        call.to = ok.to.clone();
        let port = ok
            .body
            .lines()
            .find_map(|l| l.strip_prefix("m=audio "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|p| p.parse::<u16>().ok())
            .context("no audio port in the answer")?;
        call.remote_rtp = SocketAddr::from(([127, 0, 0, 1], port));
        let ack = call.request("ACK", None);
        call.sip.send_to(ack.as_bytes(), target)?;
        call.rtp.set_nonblocking(true)?;
        Ok(call)
    }

    fn request(&self, method: &str, sdp: Option<&str>) -> String {
        let local = self.sip.local_addr().map_or(self.target, |a| a);
        let cseq = if method == "ACK" { 1 } else { self.cseq };
        let ctype = if sdp.is_some() {
            "Content-Type: application/sdp\r\n"
        } else {
            ""
        };
        let body = sdp.unwrap_or("");
        format!(
            "{method} sip:svc@{t} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-lat-{id}-{n}-{cseq}-{method}\r\n\
             From: <sip:bench@127.0.0.1>;tag=bench{id}\r\nTo: {to}\r\nCall-ID: {cid}\r\n\
             CSeq: {cseq} {method}\r\nContact: <sip:bench@{local}>\r\nMax-Forwards: 70\r\n\
             {ctype}Content-Length: {len}\r\n\r\n{body}",
            t = self.target,
            n = self.n,
            id = std::process::id(),
            to = self.to,
            cid = self.call_id,
            len = body.len()
        )
    }

    fn transact(&mut self, msg: &str, method: &str, timeout: Duration) -> Result<Msg> {
        let start = Instant::now();
        let mut sent = start;
        self.sip.send_to(msg.as_bytes(), self.target)?;
        let mut buf = vec![0u8; 8192];
        while start.elapsed() < timeout {
            if sent.elapsed() >= Duration::from_millis(500) {
                self.sip.send_to(msg.as_bytes(), self.target)?;
                sent = Instant::now();
            }
            let Ok((n, _)) = self.sip.recv_from(&mut buf) else {
                continue;
            };
            let Some(m) = parse(&buf[..n]) else { continue };
            let status = m.first.strip_prefix("SIP/2.0 ").and_then(|s| s.get(..3));
            let code: u16 = status.and_then(|s| s.parse().ok()).unwrap_or(0);
            if m.call_id == self.call_id && m.cseq.ends_with(method) && code >= 200 {
                return Ok(m);
            }
        }
        bail!("no final response to {method} in {timeout:?}")
    }

    /// Answers requests voxgate sent (BYE ends the call), without waiting.
    pub(crate) fn poll_sip(&mut self) {
        let _ = self.sip.set_nonblocking(true);
        let mut buf = vec![0u8; 8192];
        while let Ok((n, from)) = self.sip.recv_from(&mut buf) {
            let Some(m) = parse(&buf[..n]) else { continue };
            if m.first.starts_with("SIP/2.0") {
                continue;
            }
            self.ended |= m.first.starts_with("BYE ");
            let vias: String = m.via.iter().map(|v| format!("Via: {v}\r\n")).collect();
            let ok = format!(
                "SIP/2.0 200 OK\r\n{vias}From: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {}\r\nContent-Length: 0\r\n\r\n",
                m.from, m.to, m.call_id, m.cseq
            );
            let _ = self.sip.send_to(ok.as_bytes(), from);
        }
        let _ = self.sip.set_read_timeout(Some(Duration::from_millis(100)));
    }

    /// Sends one 20 ms frame (160 samples) as PCMU.
    pub(crate) fn send_frame(&mut self, pcm: &[i16]) -> Result<()> {
        let mut pkt = Vec::with_capacity(12 + pcm.len());
        pkt.extend_from_slice(&[0x80, 0]);
        pkt.extend_from_slice(&self.seq.to_be_bytes());
        pkt.extend_from_slice(&self.ts.to_be_bytes());
        pkt.extend_from_slice(&0x5eed_u32.to_be_bytes());
        pkt.extend(pcm.iter().map(|&s| voxgate::rtp::linear_to_ulaw(s)));
        self.seq = self.seq.wrapping_add(1);
        self.ts = self.ts.wrapping_add(pcm.len() as u32);
        self.rtp.send_to(&pkt, self.remote_rtp)?;
        Ok(())
    }

    /// Every packet voxgate sent that has arrived: (arrival, voiced).
    pub(crate) fn recv_frames(&mut self, out: &mut Vec<(Instant, bool)>) {
        let mut buf = [0u8; 2048];
        let mut pcm = [0i16; 480];
        while let Ok(n) = self.rtp.recv(&mut buf) {
            let at = Instant::now();
            if n <= 12 || buf[1] & 0x7f != 0 {
                continue;
            }
            let payload = &buf[12..n];
            let len = payload.len().min(pcm.len());
            for (o, &c) in pcm.iter_mut().zip(&payload[..len]) {
                *o = voxgate::rtp::ulaw_to_linear(c);
            }
            out.push((at, voiced(&pcm[..len])));
        }
    }

    /// Hangs up (BYE, bounded wait) unless voxgate already did.
    pub(crate) fn hang_up(mut self) {
        if self.ended {
            return;
        }
        self.cseq += 1;
        let bye = self.request("BYE", None);
        let _ = self.transact(&bye, "BYE", Duration::from_secs(3));
    }
}
