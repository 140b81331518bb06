//! Calls bridged to human agents (issue #14): a release voxgate running a flow that says
//! "Hello." and transfers to a queue, agents at fixed addresses answered by SIPp (`-sn uas`
//! with `-rtp_echo`: every RTP packet it gets goes straight back), and the harness's own
//! callers (`agent_latency/uac.rs`). Per step of N simultaneous calls it measures:
//! - transfer decision → agent's phone ringing: voxgate's own log (`ringing agent` is the
//!   router's decision reaching the call, `agent phone rings after_ms` the 180 coming back);
//! - the one-way delay voxgate's bridge adds: each caller sends a 40 ms tone burst every
//!   500 ms; the echo comes back through the bridge twice (caller → agent, agent → caller),
//!   so half the round trip on the caller's wire is one direction through voxgate (SIPp's
//!   echo adds nothing measurable);
//! - CPU per bridged call with both sides transcribed: every caller plays speech for the
//!   window (the agent side is its echo, so both sides are speech and both go to the STT
//!   pool); voxgate's utime + stime from /proc over the window, less an idle window measured
//!   first, ÷ N; and how many of the transcript lines of each side were stored by the end.
//!
//! ```text
//! cargo bench --bench bridge -- [--calls 1,2,4] [--secs 20] [--keep]
//! ```
//!
//! Ports: voxgate SIP 45700, HTTP 45705, RTP 45800–45899; SIPp agents 45710 (RTP 45720);
//! callers SIP 45730 + i, RTP 45750 + 2i.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "load/procfs.rs"]
#[allow(dead_code)]
mod procfs;
#[path = "agent_latency/served.rs"]
mod served;
#[path = "agent_latency/uac.rs"]
#[allow(dead_code)]
mod uac;

use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;

use served::{Served, spoken};
use uac::Call;

const SIP: u16 = 45_700;
const HTTP: u16 = 45_705;
const AGENTS: u16 = 45_710;
const AGENTS_RTP: u16 = 45_720;
const CALLER_SIP: u16 = 45_730;
const CALLER_RTP: u16 = 45_750;
const OPTIONS_PORT: u16 = 45_702;
const RTP_MIN: u16 = 45_800;
const RTP_MAX: u16 = 45_899;
const FRAME: usize = 160;

#[derive(Parser)]
struct Args {
    /// Simultaneous bridged calls per step.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4")]
    calls: Vec<usize>,
    /// The measuring window of each step, seconds.
    #[arg(long, default_value_t = 20)]
    secs: u64,
    /// Keep the work directory.
    #[arg(long)]
    keep: bool,
    /// cargo bench passes this.
    #[arg(long, hide = true)]
    bench: bool,
}

const FLOW: &str = "flow: bridge\nstart: hello\nnodes:\n  hello:\n    say: \"Hello.\"\n    next: person\n  person:\n    transfer: {queue: support, priority: 5}\n";

fn main() -> Result<()> {
    let args = Args::parse();
    let models = voxgate::models::shared_models_dir();
    let root = std::env::temp_dir().join(format!("voxgate-bridge-{}", std::process::id()));
    fs::create_dir_all(&root)?;
    println!(
        "voxgate bridged calls: steps {:?}, {} s windows ({} cores, load avg {:.2})",
        args.calls,
        args.secs,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        procfs::load_avg()
    );
    let speech = spoken(
        &models,
        &root,
        "Hello, I am calling about my order. It has not arrived yet, and I would like to know where it is.",
    )?;
    let most = args.calls.iter().copied().max().unwrap_or(1);
    let _sipp = Sipp::start(&root)?;
    let mut gw = Gateway::start(&root, &models, most)?;
    let idle = idle_cpu(&gw, args.secs)?;
    println!("idle voxgate: {:.2} % of a core", idle * 100.0);
    for &n in &args.calls {
        match step(&gw, n, args.secs, &speech, idle) {
            Ok(()) => {}
            Err(e) => println!("{n} calls: failed: {e:#}"),
        }
        std::thread::sleep(Duration::from_secs(3)); // wrap-up ends, agents free again
    }
    gw.stop();
    if args.keep {
        println!("work directory: {}", root.display());
    } else {
        let _ = fs::remove_dir_all(&root);
    }
    Ok(())
}

/// One step: `n` calls bridged at once, the delay and the CPU measured.
fn step(gw: &Gateway, n: usize, secs: u64, speech: &[i16], idle: f64) -> Result<()> {
    let before = gw
        .log()
        .lines()
        .filter(|l| l.contains("bridged: caller and agent talk"))
        .count();
    // Dialled at once, so no call pauses its media while another dials: a pause without
    // timestamps moving on reads to voxgate's jitter buffer as a late burst, and it would
    // grow (that is what a phone's network does, not what this harness should measure).
    let target = SocketAddr::from(([127, 0, 0, 1], SIP));
    let dials: Vec<_> = (0..n)
        .map(|i| {
            let (sip, rtp) = (CALLER_SIP + i as u16, CALLER_RTP + 2 * i as u16);
            std::thread::spawn(move || Call::dial(i as u32 + 1000 * n as u32, sip, rtp, target))
        })
        .collect();
    let mut calls = Vec::new();
    for d in dials {
        calls.push(
            d.join()
                .map_err(|_| anyhow::anyhow!("dialling thread panicked"))??,
        );
    }
    // Keep the callers' media flowing (silence) until every call is bridged.
    let silence = vec![0i16; FRAME];
    let end = Instant::now() + Duration::from_secs(60);
    let mut next = Instant::now();
    let mut sink = Vec::new();
    loop {
        let bridged = gw
            .log()
            .lines()
            .filter(|l| l.contains("bridged: caller and agent talk"))
            .count();
        if bridged >= before + n {
            break;
        }
        if Instant::now() > end {
            bail!("only {} of {n} calls bridged in 60 s", bridged - before);
        }
        pace(&mut next);
        for c in &mut calls {
            c.send_frame(&silence)?;
            c.recv_frames(&mut sink);
            c.poll_sip();
        }
    }
    let rtt = round_trips(&mut calls, Duration::from_secs(10))?;
    let (cpu, lines) = talking_cpu(gw, &mut calls, speech, secs)?;
    for c in calls {
        c.hang_up();
    }
    let (decided, rings) = ringing_times(gw);
    let per_call = (cpu - idle).max(0.0) / n as f64;
    println!(
        "{n} bridged calls: one-way delay through voxgate p50 {:.0} ms, p95 {:.0} ms ({} bursts); \
         transfer decision → agent's phone ringing p50 {:.0} ms (router decision after queueing p50 {:.0} ms); \
         CPU {:.1} % of a core for {n} calls talking on both sides, {:.1} % per call ({} lines transcribed in the window)",
        pct(&rtt, 0.5) / 2.0,
        pct(&rtt, 0.95) / 2.0,
        rtt.len(),
        pct(&rings, 0.5),
        pct(&decided, 0.5),
        cpu * 100.0,
        per_call * 100.0,
        lines
    );
    Ok(())
}

/// Tone bursts every 500 ms on every call; the round trip of each (ms).
fn round_trips(calls: &mut [Call], window: Duration) -> Result<Vec<f64>> {
    let tone: Vec<i16> = (0..FRAME)
        .map(|i| ((i as f64 * std::f64::consts::TAU / 8.0).sin() * 12_000.0) as i16)
        .collect();
    let silence = vec![0i16; FRAME];
    let mut sent: Vec<Vec<Instant>> = vec![Vec::new(); calls.len()];
    let mut got: Vec<Vec<(Instant, bool)>> = vec![Vec::new(); calls.len()];
    let start = Instant::now();
    let mut next = start;
    let mut frame = 0usize;
    // A second of silence first: the hold music's last packets drain.
    while start.elapsed() < window + Duration::from_secs(1) {
        pace(&mut next);
        let in_burst = frame >= 50 && frame % 25 < 2 && start.elapsed() < window;
        for (i, c) in calls.iter_mut().enumerate() {
            if in_burst && frame.is_multiple_of(25) {
                sent[i].push(Instant::now());
            }
            c.send_frame(if in_burst { &tone } else { &silence })?;
            c.recv_frames(&mut got[i]);
            c.poll_sip();
        }
        frame += 1;
    }
    let mut rtt = Vec::new();
    for (sends, arrivals) in sent.iter().zip(&got) {
        for (k, &s) in sends.iter().enumerate() {
            let until = sends
                .get(k + 1)
                .copied()
                .unwrap_or(s + Duration::from_millis(500));
            if let Some((at, _)) = arrivals
                .iter()
                .find(|(at, voiced)| *voiced && *at > s && *at < until)
            {
                rtt.push(at.duration_since(s).as_secs_f64() * 1000.0);
            }
        }
    }
    if rtt.is_empty() {
        bail!("no burst came back");
    }
    Ok(rtt)
}

/// Every caller plays `speech` in a loop for `secs`; voxgate's CPU share over the window
/// and how many transcript lines were stored meanwhile.
fn talking_cpu(
    gw: &Gateway,
    calls: &mut [Call],
    speech: &[i16],
    secs: u64,
) -> Result<(f64, usize)> {
    let lines_before = gw.transcript_lines();
    let ticks = procfs::clock_ticks();
    let t0 = procfs::cpu_ticks(gw.pid()).context("voxgate cpu")?;
    let start = Instant::now();
    let mut next = start;
    let mut at = 0usize;
    let mut sink = Vec::new();
    let mut frame = vec![0i16; FRAME];
    while start.elapsed() < Duration::from_secs(secs) {
        pace(&mut next);
        // Speech, then a second of silence, again and again.
        let period = speech.len() + 8000;
        for (k, s) in frame.iter_mut().enumerate() {
            let i = (at + k) % period;
            *s = speech.get(i).copied().unwrap_or(0);
        }
        at += FRAME;
        for c in calls.iter_mut() {
            c.send_frame(&frame)?;
            c.recv_frames(&mut sink);
            c.poll_sip();
        }
    }
    let t1 = procfs::cpu_ticks(gw.pid()).context("voxgate cpu")?;
    let cpu = (t1 - t0) as f64 / ticks / start.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(3)); // the last finals are stored
    Ok((cpu, gw.transcript_lines() - lines_before))
}

/// voxgate's CPU share with no call, over `secs`.
fn idle_cpu(gw: &Gateway, secs: u64) -> Result<f64> {
    let ticks = procfs::clock_ticks();
    let t0 = procfs::cpu_ticks(gw.pid()).context("voxgate cpu")?;
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    let t1 = procfs::cpu_ticks(gw.pid()).context("voxgate cpu")?;
    Ok((t1 - t0) as f64 / ticks / start.elapsed().as_secs_f64())
}

/// (queued → router's decision, decision → 180) in ms, from voxgate's log.
fn ringing_times(gw: &Gateway) -> (Vec<f64>, Vec<f64>) {
    let field = |l: &str, name: &str| -> Option<f64> {
        let at = l.find(name)? + name.len();
        l[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    };
    let log = gw.log();
    let decided = log
        .lines()
        .filter(|l| l.contains("ringing agent"))
        .filter_map(|l| field(l, "waited_ms="))
        .collect();
    let rings = log
        .lines()
        .filter(|l| l.contains("agent phone rings"))
        .filter_map(|l| field(l, "after_ms="))
        .collect();
    (decided, rings)
}

fn pace(next: &mut Instant) {
    *next += Duration::from_millis(20);
    if let Some(wait) = next.checked_duration_since(Instant::now()) {
        std::thread::sleep(wait);
    }
}

fn pct(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[((s.len() - 1) as f64 * q).round() as usize]
}

/// SIPp answering every INVITE and echoing its RTP: the agents' phones.
struct Sipp(Child);

impl Sipp {
    fn start(dir: &Path) -> Result<Sipp> {
        let child = Command::new("sipp")
            .args(["-sn", "uas", "-i", "127.0.0.1", "-mi", "127.0.0.1"])
            .args(["-p", &AGENTS.to_string(), "-cp", &(AGENTS + 1).to_string()])
            .args(["-mp", &AGENTS_RTP.to_string(), "-rtp_echo", "-nostdin"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("sipp (scripts/setup --test installs it)")?;
        Ok(Sipp(child))
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The release voxgate with agents at SIPp's address.
struct Gateway(Served);

impl Gateway {
    fn start(dir: &Path, models: &Path, agents: usize) -> Result<Gateway> {
        let flows = dir.join("data/flows");
        fs::create_dir_all(&flows)?;
        fs::write(flows.join("bridge.yaml"), FLOW)?;
        let mut center = String::new();
        for i in 0..agents {
            center.push_str(&format!(
                "[[center.agents]]\nid = \"agent{i}\"\nuri = \"sip:agent{i}@127.0.0.1:{AGENTS}\"\n"
            ));
        }
        center.push_str("[[center.queues]]\nname = \"support\"\nwrap_up_secs = 1\n");
        let config = format!(
            "data_dir = \"{data}\"\nmodels_dir = \"{models}\"\nlog_level = \"info\"\n[store]\nexport_jsonl = true\n\
             [sip]\nlisten = \"127.0.0.1:{SIP}\"\nudp = true\ntcp = false\n\
             [http]\nlisten = \"127.0.0.1:{HTTP}\"\n\
             [media]\nrtp_port_min = {RTP_MIN}\nrtp_port_max = {RTP_MAX}\ntimeout_secs = 30\n\
             [calls]\nmax_calls = {max}\nlogic = \"flow\"\nshutdown_grace_secs = 1\nring_secs = 0\n\
             [flows]\ndir = \"flows\"\ndefault_flow = \"bridge\"\n{center}",
            data = dir.join("data").display(),
            models = models.display(),
            max = agents + 2,
        );
        let sip = SocketAddr::from(([127, 0, 0, 1], SIP));
        Ok(Gateway(Served::start(dir, &config, sip, OPTIONS_PORT)?))
    }

    fn log(&self) -> String {
        self.0.log()
    }

    fn pid(&self) -> u32 {
        self.0.child.id()
    }

    fn transcript_lines(&self) -> usize {
        fs::read_to_string(self.0.dir.join("data/transcripts.jsonl"))
            .map_or(0, |t| t.lines().count())
    }

    fn stop(&mut self) {
        self.0.stop();
    }
}
