//! The SRTP steps of issue #10 (`--srtp`): for each call count, the harness's own generator
//! ([`super::srtp_uac`]) places N calls with SRTP, then N with plain RTP for comparison, each
//! on a fresh voxgate; ramps at `--rate`, holds `--hold-secs` while voxgate's CPU is measured
//! from /proc (and the generator's own, to show it is not the bottleneck), then hangs up.
//!
//! Owns: the SRTP steps and their table. Must not touch: the SIPp steps.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::gateway::{Gateway, GatewayPorts};
use super::probe::SipClient;
use super::procfs::{self, CpuSample};
use super::report::quantile;
use super::srtp_uac::{Uac, UacStats};

/// Ports and pace of the SRTP steps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SrtpPlan {
    pub(crate) gateway: GatewayPorts,
    pub(crate) max_calls: usize,
    pub(crate) rate: f64,
    pub(crate) hold_secs: u64,
    pub(crate) probe_sip: u16,
    pub(crate) probe_media: u16,
    pub(crate) gen_sip: u16,
    pub(crate) gen_media: u16,
}

/// One step's figures.
#[derive(Debug, Clone, Default)]
pub(crate) struct SrtpStep {
    pub(crate) calls: usize,
    pub(crate) srtp: bool,
    pub(crate) uac: UacStats,
    pub(crate) gateway_cpu_pct: f64,
    pub(crate) generator_cpu_pct: f64,
    pub(crate) machine_pct: f64,
    pub(crate) rss_idle_kib: u64,
    pub(crate) rss_load_kib: u64,
    pub(crate) window_secs: f64,
    pub(crate) load: (f64, f64),
}

impl SrtpStep {
    /// Every call up through the hold, none failed, every packet back intact, and each call
    /// received at least 90 % of the hold's packets.
    pub(crate) fn passed(&self) -> bool {
        self.uac.failed == 0
            && self.uac.no_key == 0
            && self.uac.up == self.calls
            && self.uac.rx_bad == 0
            && self.uac.rx_min as f64 >= 0.9 * 50.0 * self.window_secs
    }
}

/// Runs one step of `n` calls in `dir`.
pub(crate) fn step(plan: &SrtpPlan, n: usize, srtp: bool, dir: &Path) -> Result<SrtpStep> {
    let mut client = SipClient::bind(plan.probe_sip, plan.probe_media, plan.gateway.sip)?;
    let mut gw = Gateway::start(dir, plan.gateway, "probe", plan.max_calls, &mut client)?;
    std::thread::sleep(Duration::from_millis(500));
    let mut s = SrtpStep {
        calls: n,
        srtp,
        rss_idle_kib: procfs::rss_kib(gw.pid()).unwrap_or(0),
        ..SrtpStep::default()
    };
    let load_before = procfs::load_avg();
    let mut uac = Uac::bind(plan.gateway.sip, plan.gen_sip, plan.gen_media, n, srtp, 10)?;
    let ramp = Duration::from_secs_f64(n as f64 / plan.rate + 15.0);
    uac.ramp(plan.rate, ramp)?;
    uac.run_for(Duration::from_secs(2))?;
    let me = std::process::id();
    let ticks = procfs::clock_ticks();
    let start = CpuSample::take(gw.pid(), me);
    let before = uac.rx_counts();
    uac.run_for(Duration::from_secs(plan.hold_secs))?;
    let end = CpuSample::take(gw.pid(), me);
    let cpu = start.until(&end, ticks);
    s.rss_load_kib = procfs::rss_kib(gw.pid()).unwrap_or(0);
    s.window_secs = plan.hold_secs as f64;
    s.gateway_cpu_pct = cpu.gateway_pct;
    s.generator_cpu_pct = cpu.sipp_pct;
    s.machine_pct = cpu.machine_pct;
    let mut stats = uac.stats();
    // The fewest packets a call received intact during the hold.
    stats.rx_min = uac
        .rx_counts()
        .iter()
        .zip(&before)
        .map(|(end, start)| end - start)
        .min()
        .unwrap_or(0);
    uac.hang_up(Duration::from_secs(10))?;
    s.uac = stats;
    s.load = (load_before, procfs::load_avg());
    gw.stop(Duration::from_secs(15))?;
    Ok(s)
}

/// Prints the steps as a table.
pub(crate) fn print_table(steps: &[SrtpStep]) {
    println!(
        "\n| calls | media | up / failed | voxgate CPU (% of a core) | per call | generator CPU \
         | machine busy | RSS idle → load (MiB) | INVITE→200 p50 / p99 / max (ms) \
         | packets sent / back (bad) | back per call in the hold, min | load avg |"
    );
    println!("|{}", "---|".repeat(12));
    for s in steps {
        let ms: Vec<f64> = s.uac.setup_us.iter().map(|u| u / 1000.0).collect();
        println!(
            "| {} | {} | {}/{}{} | {:.1} | {:.3} % | {:.1} % | {:.0} % | {:.1} → {:.1} \
             | {:.2} / {:.2} / {:.2} | {} / {} ({}) | {} | {:.2} → {:.2} |",
            s.calls,
            if s.srtp { "SRTP" } else { "RTP" },
            s.uac.up,
            s.uac.failed,
            if s.passed() { "" } else { " FAIL" },
            s.gateway_cpu_pct,
            s.gateway_cpu_pct / s.calls.max(1) as f64,
            s.generator_cpu_pct,
            s.machine_pct,
            s.rss_idle_kib as f64 / 1024.0,
            s.rss_load_kib as f64 / 1024.0,
            quantile(&ms, 0.5),
            quantile(&ms, 0.99),
            quantile(&ms, 1.0),
            s.uac.tx,
            s.uac.rx_ok,
            s.uac.rx_bad,
            s.uac.rx_min,
            s.load.0,
            s.load.1,
        );
    }
}
