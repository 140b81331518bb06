//! The harness's own load generator for SRTP calls (SIPp cannot do SRTP): one thread, one SIP
//! socket for all calls and one media socket per call (its RTCP port bound beside it, never
//! read). Each call is an INVITE whose offer is RTP/SAVP with an `a=crypto`
//! AES_CM_128_HMAC_SHA1_80 key from a seeded RNG (or plain RTP/AVP, for comparison); the 200's
//! answer key builds the inbound context; then 20 ms PCMU packets go out protected with
//! `rtp::SrtpContext` and every packet that comes back is unprotected and counted (or
//! counted as failed). INVITE → 200 is timed per call with a monotonic clock.
//!
//! Owns: the generator's calls and sockets. Must not touch: voxgate, SIPp, the figures.

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use voxgate::rtp::SrtpContext;
use voxgate::sip::sdp::SDES_KEY_LEN;

/// One media packet every 20 ms.
const PTIME: Duration = Duration::from_millis(20);
/// PCMU: 160 samples per 20 ms.
const PAYLOAD: usize = 160;
/// An unanswered INVITE or BYE is sent again after this.
const RETRANSMIT: Duration = Duration::from_millis(500);

/// Where a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Inviting,
    Up,
    Byeing,
    Done,
    Failed,
}

/// One call of the generator.
struct Call {
    call_id: String,
    media: UdpSocket,
    _rtcp: UdpSocket,
    state: State,
    /// The INVITE (or BYE) in flight and when it was last sent.
    msg: String,
    sent_at: Instant,
    first_sent: Instant,
    to: String,
    remote: Option<SocketAddr>,
    local_key: [u8; SDES_KEY_LEN],
    out: Option<SrtpContext>,
    inbound: Option<SrtpContext>,
    seq: u16,
    ts: u32,
    ssrc: u32,
    tx: u64,
    rx_ok: u64,
    rx_bad: u64,
}

/// What the generator counted.
#[derive(Debug, Clone, Default)]
pub(crate) struct UacStats {
    pub(crate) up: usize,
    pub(crate) failed: usize,
    /// INVITE → 200 of every answered call, µs.
    pub(crate) setup_us: Vec<f64>,
    pub(crate) tx: u64,
    pub(crate) rx_ok: u64,
    pub(crate) rx_bad: u64,
    /// The fewest packets one call received intact (the caller may narrow it to a window).
    pub(crate) rx_min: u64,
    /// Calls whose answer lacked a usable key (SRTP asked for, not agreed).
    pub(crate) no_key: usize,
}

/// The generator.
pub(crate) struct Uac {
    sip: UdpSocket,
    target: SocketAddr,
    srtp: bool,
    calls: Vec<Call>,
    by_id: HashMap<String, usize>,
    next_tick: Instant,
    setup_us: Vec<f64>,
    no_key: usize,
    buf: Vec<u8>,
    tone: [u8; PAYLOAD],
}

impl Uac {
    /// Binds the SIP socket on 127.0.0.1:`sip_port` and two media ports per call from
    /// `media_base` (RTP even, RTCP odd); keys from `seed`.
    pub(crate) fn bind(
        target: SocketAddr,
        sip_port: u16,
        media_base: u16,
        calls: usize,
        srtp: bool,
        seed: u64,
    ) -> Result<Uac> {
        let sip = UdpSocket::bind(("127.0.0.1", sip_port)).context("generator SIP port")?;
        let mut rng = StdRng::seed_from_u64(seed);
        let now = Instant::now();
        let mut list = Vec::with_capacity(calls);
        let mut by_id = HashMap::new();
        for i in 0..calls {
            let port = media_base + 2 * i as u16;
            let media = UdpSocket::bind(("127.0.0.1", port)).context("generator media port")?;
            media.set_nonblocking(true)?;
            let rtcp = UdpSocket::bind(("127.0.0.1", port + 1)).context("generator RTCP port")?;
            let mut local_key = [0u8; SDES_KEY_LEN];
            rng.fill(&mut local_key[..]);
            let call_id = format!("srtpgen-{}-{seed}-{i}@127.0.0.1", std::process::id());
            by_id.insert(call_id.clone(), i);
            list.push(Call {
                call_id,
                media,
                _rtcp: rtcp,
                state: State::Waiting,
                msg: String::new(),
                sent_at: now,
                first_sent: now,
                to: String::new(),
                remote: None,
                local_key,
                out: None,
                inbound: None,
                seq: rng.random(),
                ts: rng.random(),
                ssrc: rng.random(),
                tx: 0,
                rx_ok: 0,
                rx_bad: 0,
            });
        }
        let tone = std::array::from_fn(|i| {
            let x = (i as f64 * 2.0 * std::f64::consts::PI * 440.0 / 8000.0).sin();
            voxgate::rtp::linear_to_ulaw((x * 8000.0) as i16)
        });
        Ok(Uac {
            sip,
            target,
            srtp,
            calls: list,
            by_id,
            next_tick: now,
            setup_us: Vec::new(),
            no_key: 0,
            buf: vec![0u8; 4096],
            tone,
        })
    }

    /// Calls answered and not yet hung up.
    pub(crate) fn up(&self) -> usize {
        self.calls.iter().filter(|c| c.state == State::Up).count()
    }

    /// Places the calls at `rate` per second while running the others, until all are up or
    /// failed, or `timeout`.
    pub(crate) fn ramp(&mut self, rate: f64, timeout: Duration) -> Result<()> {
        let start = Instant::now();
        let gap = Duration::from_secs_f64(1.0 / rate.max(0.001));
        let mut placed = 0;
        while start.elapsed() < timeout {
            while placed < self.calls.len() && start + gap * placed as u32 <= Instant::now() {
                self.invite(placed)?;
                placed += 1;
            }
            let settled = self
                .calls
                .iter()
                .all(|c| matches!(c.state, State::Up | State::Failed));
            if placed == self.calls.len() && settled {
                return Ok(());
            }
            self.turn()?;
        }
        Ok(())
    }

    /// Keeps the calls going for `d`.
    pub(crate) fn run_for(&mut self, d: Duration) -> Result<()> {
        let end = Instant::now() + d;
        while Instant::now() < end {
            self.turn()?;
        }
        Ok(())
    }

    /// Sends BYE on every call that is up and waits (at most `timeout`) for the 200s.
    pub(crate) fn hang_up(&mut self, timeout: Duration) -> Result<()> {
        for i in 0..self.calls.len() {
            if self.calls[i].state == State::Up {
                let msg = self.request(i, "BYE", 2, "");
                let c = &mut self.calls[i];
                c.msg = msg;
                c.state = State::Byeing;
                self.sip.send_to(c.msg.as_bytes(), self.target)?;
                c.sent_at = Instant::now();
            }
        }
        let end = Instant::now() + timeout;
        while Instant::now() < end && self.calls.iter().any(|c| c.state == State::Byeing) {
            self.turn()?;
        }
        Ok(())
    }

    /// The packets each call has received intact so far.
    pub(crate) fn rx_counts(&self) -> Vec<u64> {
        self.calls.iter().map(|c| c.rx_ok).collect()
    }

    /// The counts so far.
    pub(crate) fn stats(&self) -> UacStats {
        UacStats {
            up: self.up(),
            failed: self
                .calls
                .iter()
                .filter(|c| c.state == State::Failed)
                .count(),
            setup_us: self.setup_us.clone(),
            tx: self.calls.iter().map(|c| c.tx).sum(),
            rx_ok: self.calls.iter().map(|c| c.rx_ok).sum(),
            rx_bad: self.calls.iter().map(|c| c.rx_bad).sum(),
            rx_min: self.calls.iter().map(|c| c.rx_ok).min().unwrap_or(0),
            no_key: self.no_key,
        }
    }

    /// One turn: SIP responses until the next media tick (or a retransmission is due), then
    /// the tick: a packet out on every call that is up, and what came back read.
    fn turn(&mut self) -> Result<()> {
        let now = Instant::now();
        if now < self.next_tick {
            self.sip.set_read_timeout(Some(self.next_tick - now))?;
            if let Ok((n, _)) = self.sip.recv_from(&mut self.buf) {
                let msg = self.buf[..n].to_vec();
                self.on_sip(&msg)?;
            }
            return Ok(());
        }
        // One packet per tick; a late tick is skipped rather than bursted, like voxgate.
        self.next_tick += PTIME;
        if self.next_tick < now {
            self.next_tick = now + PTIME;
        }
        for i in 0..self.calls.len() {
            match self.calls[i].state {
                State::Up => {
                    self.send_media(i)?;
                    self.read_media(i);
                }
                State::Byeing | State::Inviting
                    if self.calls[i].sent_at.elapsed() >= RETRANSMIT =>
                {
                    let c = &mut self.calls[i];
                    if c.first_sent.elapsed() > RETRANSMIT * 10 {
                        c.state = State::Failed;
                    } else {
                        self.sip.send_to(c.msg.as_bytes(), self.target)?;
                        c.sent_at = Instant::now();
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[path = "srtp_uac_sip.rs"]
mod sip_side;
