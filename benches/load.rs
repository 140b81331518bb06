//! The load harness of issue #3: a release voxgate against SIPp on 127.0.0.1, with RTP both
//! ways for the whole call. Per step of N calls it ramps to N concurrent calls, holds them,
//! and reports voxgate's CPU (its own utime + stime from /proc, so SIPp's share is not
//! counted), its RSS idle and under load, SIPp's successful/failed calls, the INVITE → 200
//! times (SIPp's per-call response times in whole ms, and the harness's own probe calls timed
//! in µs while the load is held) and, from voxgate's call summaries, packets per call each way.
//!
//! ```text
//! cargo bench --bench load -- [--calls N] [--hold-secs S] [--rate R] [--logic demo|probe|flow]
//!                             [--find-max | --steps 100,200,500] [--repeat K] [--probes P]
//! cargo bench --bench load -- --srtp [--calls N | --steps 100,300] [--hold-secs S] [--rate R]
//! cargo bench --bench load -- --flood [--flood-rate 1000] [--hold-secs 20]
//! cargo bench --bench load -- --soak --calls N [--minutes 10] [--call-secs 25] [--sample-secs 30]
//! ```
//!
//! Issue #10 added three modes: `--srtp` (SIPp cannot do SRTP: the harness's own generator,
//! `load/srtp_uac.rs`, places SDES-SRTP calls, then plain RTP ones for comparison), `--flood`
//! (SIPp floods INVITEs from the untrusted 127.0.0.2 while trusted calls are timed) and
//! `--soak` (calls starting and ending for minutes; RSS, descriptors and failures sampled).
//!
//! Ports: voxgate SIP 46000, SIPp 46001 (control 46002), the probe 46003 (media 46004),
//! voxgate RTP 47000–49999, SIPp media 50000, the SRTP generator 46005 (media from 52000).
//! Every wait is bounded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "load/flood.rs"]
mod flood;
#[path = "load/gateway.rs"]
mod gateway;
#[path = "load/modes.rs"]
mod modes;
#[path = "load/probe.rs"]
mod probe;
#[path = "load/procfs.rs"]
mod procfs;
#[path = "load/report.rs"]
mod report;
#[path = "load/sipp.rs"]
mod sipp;
#[path = "load/soak.rs"]
mod soak;
#[path = "load/srtp_run.rs"]
mod srtp_run;
#[path = "load/srtp_uac.rs"]
mod srtp_uac;

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use clap::Parser;

use gateway::{Gateway, GatewayPorts};
use probe::SipClient;
use procfs::CpuSample;
use report::{Media, Step};
use sipp::{Sipp, SippRun};

const SIP: u16 = 46_000;
const SIPP_SIP: u16 = 46_001;
const SIPP_CONTROL: u16 = 46_002;
const PROBE_SIP: u16 = 46_003;
const PROBE_MEDIA: u16 = 46_004;
const RTP_MIN: u16 = 47_000;
const RTP_MAX: u16 = 49_999;
const SIPP_MEDIA: u16 = 50_000;
/// The SRTP generator's SIP port and its first media port (two per call from there).
const GEN_SIP: u16 = 46_005;
const GEN_MEDIA: u16 = 52_000;
/// The port range holds 1500 calls; a few are kept for the probe calls.
const MAX_CALLS: usize = 1_400;
/// The keypad flow (`demo`) reads back and hangs up after 20 keys: with a key every 8 s,
/// 160 s after the answer.
const DEMO_MAX_CALL_SECS: u64 = 150;
/// The --find-max sequence.
const FIND_MAX_STEPS: &[usize] = &[100, 200, 300, 500, 700, 1000, 1200, 1400];

#[derive(Parser, Debug)]
#[command(about = "voxgate load harness: concurrent SIP calls with RTP both ways (SIPp)")]
struct Args {
    /// Concurrent calls to hold.
    #[arg(long, default_value_t = 500)]
    calls: usize,
    /// Seconds of the measured steady hold (all calls up).
    #[arg(long, default_value_t = 20)]
    hold_secs: u64,
    /// New calls per second during the ramp.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// The call logic: demo (the default: the bundled keypad flow, records every call), probe, or
    /// flow (a keypad flow of prompt files: greeting, a menu replayed on silence).
    #[arg(long, default_value = "demo")]
    logic: String,
    /// Run the steps 100, 200, 300, 500, 700, 1000, 1200, 1400 and stop at the first failure.
    #[arg(long)]
    find_max: bool,
    /// Comma-separated call counts to run instead of --calls.
    #[arg(long, value_delimiter = ',')]
    steps: Vec<usize>,
    /// Runs of each step.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Probe calls timed during the hold.
    #[arg(long, default_value_t = 20)]
    probes: usize,
    /// Keep every step's work directory (configs, SIPp logs, recordings); without it only a
    /// failed step's logs stay.
    #[arg(long)]
    keep: bool,
    /// Soak instead of steps: about --calls calls up for --minutes, calls starting and ending.
    #[arg(long)]
    soak: bool,
    /// Minutes of the soak.
    #[arg(long, default_value_t = 10.0)]
    minutes: f64,
    /// Seconds each soak call holds (new calls start at calls ÷ call-secs per second).
    #[arg(long, default_value_t = 25)]
    call_secs: u64,
    /// Seconds between the soak's samples.
    #[arg(long, default_value_t = 30)]
    sample_secs: u64,
    /// Flood instead of steps: SIPp sends --flood-rate INVITEs/s from 127.0.0.2 (untrusted)
    /// for --hold-secs while trusted probe calls are timed.
    #[arg(long)]
    flood: bool,
    /// INVITEs per second of the flood.
    #[arg(long, default_value_t = 1000.0)]
    flood_rate: f64,
    /// SRTP steps with the harness's own generator instead of SIPp: each call count with
    /// SRTP, then with plain RTP for comparison (`--calls` or `--steps`; probe logic).
    #[arg(long)]
    srtp: bool,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if !matches!(args.logic.as_str(), "demo" | "probe" | "silent" | "flow") {
        bail!("--logic must be demo, probe, silent or flow");
    }
    let steps: Vec<usize> = if args.find_max {
        FIND_MAX_STEPS.to_vec()
    } else if args.steps.is_empty() {
        vec![args.calls]
    } else {
        args.steps.clone()
    };
    if let Some(n) = steps.iter().find(|&&n| n == 0 || n > MAX_CALLS) {
        bail!("{n} calls: between 1 and {MAX_CALLS}");
    }
    let root = std::env::temp_dir().join(format!("voxgate-load-{}", std::process::id()));
    std::fs::create_dir_all(&root)?;
    let audio = root.join("tone.ul");
    write_tone(&audio, 4.0)?;
    println!(
        "voxgate load: logic={} hold={} s rate={}/s steps={:?} repeat={} ({} cores, load avg {:.2})",
        args.logic,
        args.hold_secs,
        args.rate,
        steps,
        args.repeat,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        procfs::load_avg()
    );
    if args.soak {
        return modes::soak(&args, &root, &audio);
    }
    if args.flood {
        return modes::flood(&args, &root);
    }
    if args.srtp {
        return modes::srtp(&args, &root, &steps);
    }
    let mut results = Vec::new();
    let mut best = None;
    'steps: for &n in &steps {
        for r in 0..args.repeat.max(1) {
            let dir = root.join(format!("step-{n}-{r}"));
            std::fs::create_dir_all(&dir)?;
            let step = run_step(&args, n, &dir, &audio)?;
            let passed = step.passed();
            results.push(step);
            if !args.keep {
                // The keypad flow records 32 kB per call-second: a failed step keeps its logs only.
                let _ = std::fs::remove_dir_all(if passed {
                    dir.clone()
                } else {
                    dir.join("data/recordings")
                });
            }
            report::print_table(&results);
            if !passed {
                println!("step of {n} calls failed: see {}", dir.display());
                if args.find_max {
                    break 'steps;
                }
            } else {
                best = best.max(Some(n));
            }
        }
    }
    report::print_table(&results);
    match best {
        Some(n) => println!("\nmost concurrent calls held with zero failures: {n}"),
        None => println!("\nno step held all its calls"),
    }
    if !args.keep && results.iter().all(Step::passed) {
        let _ = std::fs::remove_dir_all(&root);
    } else {
        println!("work directory kept: {}", root.display());
    }
    Ok(())
}

/// Raw μ-law of a 440 Hz tone at about −12 dBFS.
fn write_tone(path: &Path, secs: f64) -> Result<()> {
    let n = (secs * 8000.0) as usize;
    let bytes: Vec<u8> = (0..n)
        .map(|i| {
            let x = (i as f64 * 2.0 * std::f64::consts::PI * 440.0 / 8000.0).sin();
            voxgate::rtp::linear_to_ulaw((x * 8000.0) as i16)
        })
        .collect();
    std::fs::write(path, bytes)?;
    Ok(())
}

/// One step: a fresh voxgate, N SIPp calls ramped at `--rate`, held, measured, hung up.
fn run_step(args: &Args, n: usize, dir: &Path, audio: &Path) -> Result<Step> {
    let sip = SocketAddr::from(([127, 0, 0, 1], SIP));
    let ports = GatewayPorts {
        sip,
        rtp_min: RTP_MIN,
        rtp_max: RTP_MAX,
    };
    let ramp_secs = (n as f64 / args.rate).ceil() as u64;
    // Every call lasts the ramp, the settling, the hold and a margin, so all N are up
    // during the measured window.
    let call_secs = ramp_secs + args.hold_secs + 8;
    let keys = args.logic == "demo";
    if keys && call_secs > DEMO_MAX_CALL_SECS {
        bail!(
            "the keypad flow ends calls after 20 keys (160 s): ramp {ramp_secs} s + hold {} s \
             + 8 s must stay under {DEMO_MAX_CALL_SECS} s (raise --rate or lower --hold-secs)",
            args.hold_secs
        );
    }
    let mut client = SipClient::bind(PROBE_SIP, PROBE_MEDIA, sip)?;
    let mut gw = Gateway::start(dir, ports, &args.logic, MAX_CALLS + 50, &mut client)?;
    std::thread::sleep(Duration::from_millis(500));
    let mut step = Step {
        calls: n,
        load_before: procfs::load_avg(),
        rss_idle_kib: procfs::rss_kib(gw.pid()).unwrap_or(0),
        ..Step::default()
    };
    let sf = sipp::scenario(dir, audio, call_secs * 1000, keys)?;
    let run = SippRun {
        target: sip.to_string(),
        sip_port: SIPP_SIP,
        media_port: SIPP_MEDIA,
        control_port: SIPP_CONTROL,
        calls: n,
        total: n,
        rate: args.rate,
        timeout_secs: 120,
    };
    let mut sipp = Sipp::spawn(dir, &sf, &run)?;
    println!("\n{n} calls: ramp ~{ramp_secs} s, each call {call_secs} s");
    wait_ramp(&mut sipp, n, Duration::from_secs(ramp_secs * 2 + 15), dir)?;
    std::thread::sleep(Duration::from_secs(2));
    hold(args, &mut step, &gw, &sipp, &mut client);
    let status = sipp.wait(Duration::from_secs(call_secs + 60))?;
    step.sipp_exit = status.code();
    let stats = sipp.stats().unwrap_or_default();
    step.successful = stats.successful;
    step.failed = stats.failed;
    step.retransmissions = stats.retransmissions;
    step.expected_packets = call_secs as f64 * 50.0;
    step.setup_sipp_ms = sipp.setup_times_ms();
    std::thread::sleep(Duration::from_millis(500));
    gw.stop(Duration::from_secs(15))?;
    step.media = Media::from_summaries(&gw.summaries(), client.call_hashes());
    step.load_after = procfs::load_avg();
    if !step.passed() {
        let errors = sipp.errors();
        let head: String = errors.lines().take(30).collect::<Vec<_>>().join("\n");
        println!(
            "SIPp stats {stats:?}, exit {:?}\nSIPp errors (first lines):\n{head}\nvoxgate log:\n{}",
            step.sipp_exit,
            gw.log().lines().take(30).collect::<Vec<_>>().join("\n")
        );
    }
    Ok(step)
}

/// Waits until SIPp reports `n` calls up (or has created them all and failed some).
fn wait_ramp(sipp: &mut Sipp, n: usize, timeout: Duration, dir: &Path) -> Result<()> {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if let Some(s) = sipp.stats() {
            if s.current >= n as u64 {
                return Ok(());
            }
            if s.created >= n as u64 && s.failed > 0 {
                println!("ramp: {} of {n} calls up, {} failed", s.current, s.failed);
                return Ok(());
            }
        }
        if let Some(status) = sipp.exited() {
            bail!(
                "sipp exited during the ramp ({status}); see {}",
                dir.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("ramp: not all {n} calls up within {timeout:?}");
    Ok(())
}

/// The measured window: CPU at both ends, RSS every second, probe calls spread over it.
fn hold(args: &Args, step: &mut Step, gw: &Gateway, sipp: &Sipp, client: &mut SipClient) {
    let ticks = procfs::clock_ticks();
    let window = Duration::from_secs(args.hold_secs);
    let probes = args.probes.max(1);
    let start = CpuSample::take(gw.pid(), sipp.pid());
    let t0 = Instant::now();
    let mut rss = Vec::new();
    let mut next_probe = t0 + window / (probes as u32 + 1);
    let mut next_rss = t0;
    let mut done_probes = 0;
    while t0.elapsed() < window {
        let now = Instant::now();
        if now >= next_rss {
            rss.extend(procfs::rss_kib(gw.pid()));
            next_rss += Duration::from_secs(1);
        }
        if done_probes < args.probes && now >= next_probe {
            match client.call() {
                Ok(d) => step.setup_probe_ms.push(d.as_secs_f64() * 1000.0),
                Err(e) => {
                    println!("probe call: {e}");
                    step.probe_failures += 1;
                }
            }
            done_probes += 1;
            next_probe += window / (probes as u32 + 1);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let end = CpuSample::take(gw.pid(), sipp.pid());
    let cpu = start.until(&end, ticks);
    step.window_secs = t0.elapsed().as_secs_f64();
    step.gateway_cpu_pct = cpu.gateway_pct;
    step.sipp_cpu_pct = cpu.sipp_pct;
    step.machine_pct = cpu.machine_pct;
    let rss: Vec<f64> = rss.iter().map(|&k| k as f64).collect();
    step.rss_load_kib = report::quantile(&rss, 0.5) as u64;
    step.held = sipp.stats().map_or(0, |s| s.current);
}
