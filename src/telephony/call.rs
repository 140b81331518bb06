//! The per-call task: owns the call's RTP (and RTCP) socket, its port lease, its
//! [`MediaSession`] and its [`CallLogic`], and `select!`s over the sockets, a media tick of
//! one packet time, and a bounded command channel from the signalling core. It never touches
//! SIP: hang-ups it decides go to the core as [`CallEvent`]s, and at the end it sends a
//! [`CallSummary`] to the store's channel.
//!
//! The tick uses `MissedTickBehavior::Skip`: when the task is late (a busy machine) it does
//! not burst the missed frames out back to back, which would overrun the caller's jitter
//! buffer; the next frame's RTP timestamp follows the wall clock instead, so the caller sees
//! a short gap (concealed like a loss) and no drift.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use super::logic::{CallAction, CallLogic, LegEvent, LegSide, TransferOutcome};
use super::media::{Dest, MediaParams, MediaSession};
use super::ports::PortLease;
use super::summary::{CallSummary, HangupCause, unix_ms};

pub(crate) use super::media::LocalSource;

/// What the signalling core tells a call.
#[derive(Debug)]
pub(crate) enum CallCommand {
    /// A re-INVITE was answered: new direction, hold state or address.
    Update(MediaParams),
    /// A digit arrived by SIP INFO.
    Digit(char),
    /// How the transfer the call asked for went.
    Transferred(TransferOutcome),
    /// The second leg was answered: its media starts.
    LegUp(Box<LegMedia>),
    /// The second leg rings, failed or ended.
    Leg(LegEvent),
    /// A re-INVITE on the second leg was answered.
    LegUpdate(MediaParams),
    /// A digit arrived by SIP INFO on the second leg.
    LegDigit(char),
    /// The call is over (BYE, CANCEL, no ACK, shutdown): stop now.
    End(HangupCause),
}

/// The media of an answered second leg, handed from signalling to the call task.
#[derive(Debug)]
pub(crate) struct LegMedia {
    pub(crate) socket: std::net::UdpSocket,
    /// RTCP's own socket (the RTP port + 1) unless the agent's phone multiplexes RTCP.
    pub(crate) rtcp: Option<std::net::UdpSocket>,
    pub(crate) lease: PortLease,
    pub(crate) params: MediaParams,
    pub(crate) local: LocalSource,
}

/// What a call tells the signalling core.
#[derive(Debug)]
pub(crate) enum CallEvent {
    /// The call ended on its own (logic, media timeout): send BYE.
    Hangup {
        /// The call.
        call_no: u64,
        /// Why.
        cause: HangupCause,
    },
    /// The logic asks for a blind transfer: send REFER.
    Refer {
        /// The call.
        call_no: u64,
        /// Where to (the logic's URI, checked by signalling).
        to: String,
    },
    /// The logic asks to ring an agent on a second leg.
    DialAgent {
        /// The call.
        call_no: u64,
        /// The agent's id.
        agent: String,
    },
    /// The logic (or the leg's media timeout) ends the second leg.
    DropLeg {
        /// The call.
        call_no: u64,
    },
}

/// Everything a call task starts with.
pub(crate) struct CallSetup {
    pub(crate) call_no: u64,
    pub(crate) call_id: String,
    pub(crate) started_ms: u64,
    pub(crate) socket: std::net::UdpSocket,
    pub(crate) rtcp_socket: Option<std::net::UdpSocket>,
    pub(crate) lease: PortLease,
    pub(crate) params: MediaParams,
    pub(crate) local: LocalSource,
    pub(crate) timeout: Duration,
    /// Where media is accepted from, and where the call's signalling came from.
    pub(crate) source: (crate::config::MediaSource, std::net::IpAddr),
    pub(crate) logic: Box<dyn CallLogic>,
    pub(crate) commands: mpsc::Receiver<CallCommand>,
    pub(crate) events: mpsc::Sender<CallEvent>,
    pub(crate) summaries: mpsc::Sender<CallSummary>,
}

/// Consecutive socket errors after which the call gives up.
const MAX_SOCKET_ERRORS: u32 = 100;

/// Runs one call until it ends, then reports its summary.
pub(crate) async fn run(setup: CallSetup) {
    let CallSetup {
        call_no,
        call_id,
        started_ms,
        lease,
        params,
        local,
        timeout,
        source,
        mut logic,
        mut commands,
        events,
        summaries,
        ..
    } = setup;
    let (socket, rtcp) = match sockets(setup.socket, setup.rtcp_socket) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(call = call_no, error = %e, "media socket");
            crate::metrics::metrics().call_ended(None, None);
            let _ = events.try_send(CallEvent::Hangup {
                call_no,
                cause: HangupCause::MediaError,
            });
            return;
        }
    };
    let codec = params.codec;
    let ptime_ms = params.ptime_ms;
    let now = Instant::now();
    let mut session =
        MediaSession::new(params, local, now, timeout).with_source(source.0, source.1);
    logic.on_answer(now);
    let answered_ms = unix_ms();
    let period = session.ptime();
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut buf = vec![0u8; 2048];
    let mut rtcp_buf = vec![0u8; 2048];
    let mut leg_buf = vec![0u8; 2048];
    let mut leg_rtcp_buf = vec![0u8; 2048];
    let mut leg: Option<Leg> = None;
    let mut errors = 0u32;
    let mut send = |dest: Dest, bytes: &[u8]| {
        let (sock, to) = match dest {
            Dest::Rtp(to) => (&socket, to),
            Dest::Rtcp(to) => (rtcp.as_ref().unwrap_or(&socket), to),
        };
        // A full socket buffer drops the frame: RTP is loss tolerant, waiting is not.
        let _ = sock.try_send_to(bytes, to);
    };
    let cause = loop {
        tokio::select! {
            r = socket.recv_from(&mut buf) => match r {
                Ok((n, from)) => {
                    errors = 0;
                    session.receive(Instant::now(), &buf[..n], from, logic.as_mut());
                }
                Err(e) => {
                    errors += 1;
                    tracing::debug!(call = call_no, error = %e, "rtp receive");
                    if errors > MAX_SOCKET_ERRORS {
                        break notify(&events, call_no, HangupCause::MediaError);
                    }
                }
            },
            r = recv_opt(rtcp.as_ref(), &mut rtcp_buf) => {
                if let Ok((n, from)) = r {
                    session.receive_rtcp(Instant::now(), &rtcp_buf[..n], from);
                }
            }
            r = recv_leg(leg.as_ref(), &mut leg_buf) => {
                if let (Ok((n, from)), Some(l)) = (r, leg.as_mut()) {
                    l.session.receive(Instant::now(), &leg_buf[..n], from, &mut LegSide(logic.as_mut()));
                }
            }
            r = recv_opt(leg.as_ref().and_then(|l| l.rtcp.as_ref()), &mut leg_rtcp_buf) => {
                if let (Ok((n, from)), Some(l)) = (r, leg.as_mut()) {
                    l.session.receive_rtcp(Instant::now(), &leg_rtcp_buf[..n], from);
                }
            }
            _ = tick.tick() => {
                let now = Instant::now();
                if let Some(l) = leg.as_mut() {
                    l.tick(now, logic.as_mut());
                    if l.session.timed_out(now) {
                        leg = None;
                        logic.on_leg(now, LegEvent::Ended);
                        let _ = events.try_send(CallEvent::DropLeg { call_no });
                    }
                }
                if session.tick(now, logic.as_mut(), &mut send) {
                    break notify(&events, call_no, HangupCause::Logic);
                }
                while let Some(action) = session.take_signalling() {
                    to_signalling(now, call_no, action, &events, logic.as_mut(), &mut leg);
                }
                if session.timed_out(now) {
                    break notify(&events, call_no, HangupCause::MediaTimeout);
                }
            }
            cmd = commands.recv() => match cmd {
                Some(CallCommand::Update(p)) => session.update(Instant::now(), p),
                Some(CallCommand::Digit(d)) => session.info_digit(Instant::now(), d, logic.as_mut()),
                Some(CallCommand::Transferred(outcome)) => logic.on_transfer(Instant::now(), outcome),
                Some(CallCommand::End(cause)) => break cause,
                Some(cmd) => on_leg_command(cmd, &mut leg, logic.as_mut(), timeout, ptime_ms),
                None => break HangupCause::Shutdown,
            },
        }
    };
    logic.on_end(Instant::now(), cause);
    let t = session.totals();
    let expected = t
        .received
        .packets
        .saturating_add(u64::try_from(t.lost).unwrap_or(0));
    crate::metrics::metrics().call_ended(
        (expected > 0).then(|| t.lost.max(0) as f64 / expected as f64),
        (t.received.packets > 0).then(|| Duration::from_secs_f64(t.jitter_ms / 1000.0)),
    );
    if t.rejected > 0 {
        tracing::info!(
            call = call_no,
            packets = t.rejected,
            "media from other sources refused"
        );
    }
    let summary = CallSummary {
        call_no,
        call_id,
        started_ms,
        answered_ms,
        ended_ms: unix_ms(),
        codec: Some(match codec {
            rtp::G711::Ulaw => "PCMU",
            rtp::G711::Alaw => "PCMA",
        }),
        ptime_ms,
        local_port: lease.port(),
        local_ssrc: t.local_ssrc,
        remote_ssrc: t.remote_ssrc,
        sent: t.sent,
        received: t.received,
        lost: t.lost,
        jitter_ms: t.jitter_ms,
        digits: t.digits,
        cause,
        side: cause.side(),
    };
    drop(socket);
    drop(rtcp);
    drop(lease);
    let _ = summaries.send(summary).await;
}

/// An answered second leg: its socket, port and media session, driven with the call.
struct Leg {
    socket: UdpSocket,
    rtcp: Option<UdpSocket>,
    session: MediaSession,
    _lease: PortLease,
}

impl Leg {
    fn start(m: LegMedia, timeout: Duration, ptime_ms: u32) -> io::Result<Leg> {
        let socket = UdpSocket::from_std(m.socket)?;
        let rtcp = m.rtcp.map(UdpSocket::from_std).transpose()?;
        // The leg's frames are the caller's size: one tick drives both (a phone that asked
        // for another packet time still takes ours).
        let params = MediaParams {
            ptime_ms,
            ..m.params
        };
        let session = MediaSession::new(params, m.local, Instant::now(), timeout);
        Ok(Leg {
            socket,
            rtcp,
            session,
            _lease: m.lease,
        })
    }

    fn tick(&mut self, now: Instant, logic: &mut dyn CallLogic) {
        let (socket, rtcp) = (&self.socket, self.rtcp.as_ref());
        let mut send = |dest: Dest, bytes: &[u8]| {
            let (sock, to) = match dest {
                Dest::Rtp(to) => (socket, to),
                Dest::Rtcp(to) => (rtcp.unwrap_or(socket), to),
            };
            let _ = sock.try_send_to(bytes, to);
        };
        self.session.tick(now, &mut LegSide(logic), &mut send);
    }
}

/// Carries what the logic asked of signalling to the core; what cannot be asked fails at
/// once, as the logic would hear from the core.
fn to_signalling(
    now: Instant,
    call_no: u64,
    action: CallAction,
    events: &mpsc::Sender<CallEvent>,
    logic: &mut dyn CallLogic,
    leg: &mut Option<Leg>,
) {
    let event = match action {
        CallAction::Transfer(to) => CallEvent::Refer { call_no, to },
        CallAction::DialAgent(agent) => CallEvent::DialAgent { call_no, agent },
        CallAction::DropLeg => {
            *leg = None;
            CallEvent::DropLeg { call_no }
        }
        _ => return,
    };
    if let Err(e) = events.try_send(event) {
        match e.into_inner() {
            CallEvent::Refer { .. } => logic.on_transfer(now, TransferOutcome::Failed(None)),
            CallEvent::DialAgent { .. } => logic.on_leg(now, LegEvent::Failed(None)),
            _ => {}
        }
    }
}

/// A command about the second leg.
fn on_leg_command(
    cmd: CallCommand,
    leg: &mut Option<Leg>,
    logic: &mut dyn CallLogic,
    timeout: Duration,
    ptime_ms: u32,
) {
    let now = Instant::now();
    match cmd {
        CallCommand::LegUp(m) => match Leg::start(*m, timeout, ptime_ms) {
            Ok(l) => {
                *leg = Some(l);
                logic.on_leg(now, LegEvent::Answered);
            }
            Err(e) => {
                tracing::warn!(error = %e, "second leg's media socket");
                logic.on_leg(now, LegEvent::Failed(None));
            }
        },
        CallCommand::Leg(ev) => {
            if matches!(
                ev,
                LegEvent::Ended | LegEvent::Failed(_) | LegEvent::Referred(_)
            ) {
                *leg = None;
            }
            logic.on_leg(now, ev);
        }
        CallCommand::LegUpdate(p) => {
            if let Some(l) = leg.as_mut() {
                let held = p.on_hold;
                l.session.update(now, p);
                logic.on_leg(now, LegEvent::Held(held));
            }
        }
        CallCommand::LegDigit(d) => {
            if let Some(l) = leg.as_mut() {
                l.session.info_digit(now, d, &mut LegSide(logic));
            }
        }
        _ => {}
    }
}

/// Receives on the second leg's socket, or never when there is none.
async fn recv_leg(leg: Option<&Leg>, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    match leg {
        Some(l) => l.socket.recv_from(buf).await,
        None => std::future::pending().await,
    }
}

type Sockets = (UdpSocket, Option<UdpSocket>);

fn sockets(rtp: std::net::UdpSocket, rtcp: Option<std::net::UdpSocket>) -> io::Result<Sockets> {
    let rtp = UdpSocket::from_std(rtp)?;
    let rtcp = rtcp.map(UdpSocket::from_std).transpose()?;
    Ok((rtp, rtcp))
}

/// Tells the core the call hangs up by itself; returns the cause.
fn notify(events: &mpsc::Sender<CallEvent>, call_no: u64, cause: HangupCause) -> HangupCause {
    tracing::info!(call = call_no, cause = cause.as_str(), "hanging up");
    if events
        .try_send(CallEvent::Hangup { call_no, cause })
        .is_err()
    {
        tracing::warn!(call = call_no, "signalling core busy: BYE not sent");
    }
    cause
}

/// Receives on `socket`, or never when there is none.
async fn recv_opt(socket: Option<&UdpSocket>, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    match socket {
        Some(s) => s.recv_from(buf).await,
        None => std::future::pending().await,
    }
}
