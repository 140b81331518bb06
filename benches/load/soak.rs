//! The soak of issue #10: SIPp keeps about N calls up for M minutes with calls continuously
//! starting and ending (each holds `--call-secs`, new ones at N ÷ call-secs per second, `-m`
//! bounded to what M minutes need), while the harness samples voxgate every `--sample-secs`:
//! its RSS, open descriptors and CPU, and SIPp's calls so far. Prints the curve and a verdict:
//! zero failed calls, and RSS and descriptors flat (the last third of the samples taken while
//! calls were still starting against the first third).
//!
//! Owns: the soak's schedule, samples and verdict. Must not touch: the step harness's figures.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::gateway::{Gateway, GatewayPorts};
use super::probe::SipClient;
use super::procfs::{self, CpuSample};
use super::report::{self, MEDIA_MIN};
use super::sipp::{self, Sipp, SippRun};

/// A drift above this share of the first third's mean is not flat.
const FLAT_RSS: f64 = 0.10;
/// The same for descriptors (the sockets of calls in flight vary a little).
const FLAT_FDS: f64 = 0.05;

/// What the soak is asked to do.
#[derive(Debug, Clone)]
pub(crate) struct SoakPlan {
    pub(crate) calls: usize,
    pub(crate) minutes: f64,
    pub(crate) call_secs: u64,
    pub(crate) sample_secs: u64,
    pub(crate) logic: String,
}

/// One point of the curve.
#[derive(Debug, Clone, Copy)]
struct Sample {
    secs: f64,
    current: u64,
    successful: u64,
    failed: u64,
    rss_kib: u64,
    fds: usize,
    cpu_pct: f64,
    machine_pct: f64,
    load: f64,
    /// Whether SIPp was still starting calls (the steady part of the soak).
    starting: bool,
}

/// Runs the soak in `dir`; whether it passed.
pub(crate) fn run(plan: &SoakPlan, dir: &Path, audio: &Path, ports: SoakPorts) -> Result<bool> {
    let rate = plan.calls as f64 / plan.call_secs as f64;
    let total = (rate * plan.minutes * 60.0).ceil() as usize;
    let mut client = SipClient::bind(ports.probe_sip, ports.probe_media, ports.gateway.sip)?;
    let mut gw = Gateway::start(
        dir,
        ports.gateway,
        &plan.logic,
        ports.max_calls,
        &mut client,
    )?;
    std::thread::sleep(Duration::from_millis(500));
    let keys = plan.logic == "demo";
    let sf = sipp::scenario(dir, audio, plan.call_secs * 1000, keys)?;
    let run = SippRun {
        target: ports.gateway.sip.to_string(),
        sip_port: ports.sipp_sip,
        media_port: ports.sipp_media,
        control_port: ports.sipp_control,
        calls: plan.calls + plan.calls / 5,
        total,
        rate,
        timeout_secs: (plan.minutes * 60.0) as u64 + plan.call_secs + 120,
    };
    println!(
        "soak: ~{} calls up, each {} s, {rate:.1} new/s, {total} calls in {} min; sample every {} s; \
         load avg {:.2}; voxgate idle RSS {:.1} MiB, {} fds",
        plan.calls,
        plan.call_secs,
        plan.minutes,
        plan.sample_secs,
        procfs::load_avg(),
        procfs::rss_kib(gw.pid()).unwrap_or(0) as f64 / 1024.0,
        procfs::fd_count(gw.pid()).unwrap_or(0),
    );
    let mut sipp = Sipp::spawn(dir, &sf, &run)?;
    let samples = sample_until_done(plan, &gw, &mut sipp, total);
    let exit = sipp.exited().and_then(|s| s.code());
    let stats = sipp.stats().unwrap_or_default();
    let setup = sipp.setup_times_ms();
    std::thread::sleep(Duration::from_millis(500));
    gw.stop(Duration::from_secs(15))?;
    let media = report::Media::from_summaries(&gw.summaries(), client.call_hashes());
    print_curve(&samples);
    let expected = plan.call_secs as f64 * 50.0;
    println!(
        "\nSIPp: {} successful, {} failed of {total} (exit {exit:?}); INVITE→200 (SIPp, whole ms) \
         p50 {:.0} / p99 {:.0} / max {:.0} ms over {} calls",
        stats.successful,
        stats.failed,
        report::quantile(&setup, 0.5),
        report::quantile(&setup, 0.99),
        report::quantile(&setup, 1.0),
        setup.len()
    );
    println!(
        "voxgate summaries: {} calls; packets per call rx min/median {:.0}/{:.0}, tx {:.0}/{:.0} \
         (expected {expected:.0})",
        media.calls, media.rx_min, media.rx_median, media.tx_min, media.tx_median
    );
    let calls_ok = stats.failed == 0 && stats.successful == total as u64 && exit == Some(0);
    let media_ok = media.rx_min >= MEDIA_MIN * expected && media.tx_min >= MEDIA_MIN * expected;
    let (rss_drift, fd_drift) = drifts(&samples);
    let rss_flat = rss_drift.is_some_and(|d| d <= FLAT_RSS);
    let fds_flat = fd_drift.is_some_and(|d| d <= FLAT_FDS);
    println!(
        "verdict: failed calls {} ({}); RSS drift first → last third {} ({}); fd drift {} ({}); \
         media {}",
        stats.failed,
        if calls_ok { "ok" } else { "FAIL" },
        pct(rss_drift),
        if rss_flat { "flat" } else { "NOT FLAT" },
        pct(fd_drift),
        if fds_flat { "flat" } else { "NOT FLAT" },
        if media_ok { "ok" } else { "SHORT" },
    );
    if !calls_ok {
        let errors = sipp.errors();
        println!(
            "SIPp errors (first lines):\n{}",
            errors.lines().take(20).collect::<Vec<_>>().join("\n")
        );
    }
    Ok(calls_ok && rss_flat && fds_flat)
}

/// The ports of the soak.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SoakPorts {
    pub(crate) gateway: GatewayPorts,
    pub(crate) max_calls: usize,
    pub(crate) probe_sip: u16,
    pub(crate) probe_media: u16,
    pub(crate) sipp_sip: u16,
    pub(crate) sipp_media: u16,
    pub(crate) sipp_control: u16,
}

/// Samples every `sample_secs` until SIPp exits (or its own timeout plus a margin passes).
fn sample_until_done(plan: &SoakPlan, gw: &Gateway, sipp: &mut Sipp, total: usize) -> Vec<Sample> {
    let ticks = procfs::clock_ticks();
    let every = Duration::from_secs(plan.sample_secs.max(1));
    let t0 = Instant::now();
    let deadline =
        t0 + Duration::from_secs_f64(plan.minutes * 60.0 + plan.call_secs as f64 + 180.0);
    let mut last = CpuSample::take(gw.pid(), sipp.pid());
    let mut next = t0 + every;
    let mut samples = Vec::new();
    loop {
        let done = sipp.exited().is_some();
        if done || Instant::now() >= next || Instant::now() >= deadline {
            let now = CpuSample::take(gw.pid(), sipp.pid());
            let cpu = last.until(&now, ticks);
            last = now;
            let stats = sipp.stats().unwrap_or_default();
            let s = Sample {
                secs: t0.elapsed().as_secs_f64(),
                current: stats.current,
                successful: stats.successful,
                failed: stats.failed,
                rss_kib: procfs::rss_kib(gw.pid()).unwrap_or(0),
                fds: procfs::fd_count(gw.pid()).unwrap_or(0),
                cpu_pct: cpu.gateway_pct,
                machine_pct: cpu.machine_pct,
                load: procfs::load_avg(),
                starting: stats.created < total as u64,
            };
            println!(
                "  t={:>5.0} s up {:>4} ok {:>6} failed {:>3} RSS {:>6.1} MiB fds {:>5} CPU {:>5.1} %",
                s.secs,
                s.current,
                s.successful,
                s.failed,
                s.rss_kib as f64 / 1024.0,
                s.fds,
                s.cpu_pct
            );
            samples.push(s);
            next += every;
        }
        if done || Instant::now() >= deadline {
            return samples;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The steady samples' RSS and descriptor drift: (mean of the last third − mean of the first
/// third) ÷ mean of the first third. The first sample (the ramp) is left out.
fn drifts(samples: &[Sample]) -> (Option<f64>, Option<f64>) {
    let steady: Vec<&Sample> = samples.iter().skip(1).filter(|s| s.starting).collect();
    let third = steady.len() / 3;
    if third == 0 {
        return (None, None);
    }
    let mean = |part: &[&Sample], f: fn(&Sample) -> f64| {
        part.iter().map(|s| f(s)).sum::<f64>() / part.len() as f64
    };
    let drift = |f: fn(&Sample) -> f64| {
        let first = mean(&steady[..third], f);
        let last = mean(&steady[steady.len() - third..], f);
        (last - first) / first.max(1.0)
    };
    (
        Some(drift(|s| s.rss_kib as f64)),
        Some(drift(|s| s.fds as f64)),
    )
}

fn pct(v: Option<f64>) -> String {
    v.map_or("n/a (too few samples)".into(), |d| {
        format!("{:+.1} %", d * 100.0)
    })
}

/// The curve as a table.
fn print_curve(samples: &[Sample]) {
    println!(
        "\n| t (s) | calls up | successful | failed | voxgate RSS (MiB) | fds | voxgate CPU (% of a core) \
         | machine busy | load avg | phase |"
    );
    println!("|{}", "---|".repeat(10));
    for s in samples {
        println!(
            "| {:.0} | {} | {} | {} | {:.1} | {} | {:.1} | {:.0} % | {:.2} | {} |",
            s.secs,
            s.current,
            s.successful,
            s.failed,
            s.rss_kib as f64 / 1024.0,
            s.fds,
            s.cpu_pct,
            s.machine_pct,
            s.load,
            if s.starting { "steady" } else { "draining" }
        );
    }
}
