//! The INVITE flood of issue #10, end to end: SIPp sends `--flood-rate` INVITEs/s (default
//! 1,000) from 127.0.0.2 for `--hold-secs` while voxgate trusts only 127.0.0.1 and has a
//! digest user, so every flood INVITE meets the source policy. Two phases, each on a fresh
//! voxgate: `default limits` (the source soon exceeds its rate and is banned: dropped) and
//! `open limits` (rates raised and bans off, so every INVITE is challenged with a 401: the
//! worst case). During each, the harness measures voxgate's CPU from /proc and places trusted
//! calls from 127.0.0.1 (INVITE → 200 timed), which must all be answered.
//!
//! Owns: the flood scenario and its figures. Must not touch: the step harness.

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::gateway::{Gateway, GatewayPorts};
use super::probe::SipClient;
use super::procfs::{self, CpuSample};
use super::report::quantile;
use super::sipp::Sipp;

/// The flooding source.
const FLOOD_IP: &str = "127.0.0.2";

/// One INVITE per call, a 401 awaited for 200 ms at most (answered with ACK), no
/// retransmission: each call of the scenario is one INVITE on the wire.
const SCENARIO: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="voxgate invite flood">
  <send>
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]F[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000

    ]]>
  </send>
  <recv response="401" timeout="200" ontimeout="1"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]F[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <label id="1"/>
</scenario>
"#;

/// Ports and rate of the flood.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FloodPlan {
    pub(crate) gateway: GatewayPorts,
    pub(crate) rate: f64,
    pub(crate) secs: u64,
    pub(crate) probes: usize,
    pub(crate) probe_sip: u16,
    pub(crate) probe_media: u16,
    pub(crate) sipp_sip: u16,
    pub(crate) sipp_media: u16,
    pub(crate) sipp_control: u16,
}

/// The figures of one phase.
#[derive(Debug, Clone, Default)]
pub(crate) struct FloodResult {
    pub(crate) phase: &'static str,
    pub(crate) invites: u64,
    /// INVITEs SIPp sent over the whole run.
    pub(crate) total: u64,
    /// The 401s SIPp received over the whole run (from its final screen).
    pub(crate) challenged: Option<u64>,
    pub(crate) secs: f64,
    pub(crate) gateway_cpu_pct: f64,
    pub(crate) sipp_cpu_pct: f64,
    pub(crate) machine_pct: f64,
    pub(crate) setup_ms: Vec<f64>,
    pub(crate) probe_failures: usize,
    pub(crate) load: (f64, f64),
    pub(crate) policy_log: Vec<String>,
}

/// Runs both phases in `root`.
pub(crate) fn run(plan: &FloodPlan, root: &Path) -> Result<Vec<FloodResult>> {
    let users = "trusted = [\"127.0.0.1/32\"]\n\
                 users = [{ name = \"alice\", password = \"correct horse\" }]\n";
    let open = "[sip.limits]\nper_source_rate = 100000.0\nper_source_burst = 100000.0\n\
                untrusted_rate = 100000.0\nban_after_drops = 1000000000\n\
                ban_after_failures = 1000000000\n";
    let mut out = Vec::new();
    for (phase, extra) in [
        ("default limits", users.to_owned()),
        ("open limits (all challenged)", format!("{users}{open}")),
    ] {
        let dir = root.join(format!("flood-{}", out.len()));
        std::fs::create_dir_all(&dir)?;
        out.push(phase_run(plan, &dir, phase, &extra)?);
        print_table(&out);
    }
    Ok(out)
}

fn phase_run(
    plan: &FloodPlan,
    dir: &Path,
    phase: &'static str,
    extra: &str,
) -> Result<FloodResult> {
    let mut client = SipClient::bind(plan.probe_sip, plan.probe_media, plan.gateway.sip)?;
    let mut gw = Gateway::start_with(dir, plan.gateway, "probe", 100, extra, &mut client)?;
    let sf = dir.join("flood.xml");
    std::fs::write(&sf, SCENARIO)?;
    let total = (plan.rate * plan.secs as f64) as u64;
    let mut args: Vec<OsString> =
        vec![plan.gateway.sip.to_string().into(), "-sf".into(), sf.into()];
    let text = [
        "-i",
        FLOOD_IP,
        "-mi",
        FLOOD_IP,
        "-s",
        "svc",
        "-p",
        &plan.sipp_sip.to_string(),
        "-mp",
        &plan.sipp_media.to_string(),
        "-cp",
        &plan.sipp_control.to_string(),
        "-r",
        &format!("{}", plan.rate),
        "-rp",
        "1000",
        "-l",
        "5000",
        "-m",
        &total.to_string(),
        "-nr",
        "-timeout",
        &format!("{}s", plan.secs + 30),
    ];
    args.extend(text.iter().map(OsString::from));
    let load_before = procfs::load_avg();
    let mut sipp = Sipp::spawn_args(dir, args)?;
    // Let the flood reach its rate (and the default limits ban the source) first.
    std::thread::sleep(Duration::from_secs(2));
    let ticks = procfs::clock_ticks();
    let created0 = sipp.stats().map_or(0, |s| s.created);
    let start = CpuSample::take(gw.pid(), sipp.pid());
    let t0 = Instant::now();
    let window = Duration::from_secs(plan.secs.saturating_sub(4).max(1));
    let mut r = FloodResult {
        phase,
        ..FloodResult::default()
    };
    let every = window / (plan.probes as u32 + 1);
    let mut next = t0 + every;
    while t0.elapsed() < window {
        if Instant::now() >= next && r.setup_ms.len() + r.probe_failures < plan.probes {
            match client.call() {
                Ok(d) => r.setup_ms.push(d.as_secs_f64() * 1000.0),
                Err(e) => {
                    println!("trusted call during the flood: {e}");
                    r.probe_failures += 1;
                }
            }
            next += every;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let end = CpuSample::take(gw.pid(), sipp.pid());
    r.secs = t0.elapsed().as_secs_f64();
    r.invites = sipp
        .stats()
        .map_or(0, |s| s.created)
        .saturating_sub(created0);
    let cpu = start.until(&end, ticks);
    r.gateway_cpu_pct = cpu.gateway_pct;
    r.sipp_cpu_pct = cpu.sipp_pct;
    r.machine_pct = cpu.machine_pct;
    let _ = sipp.wait(Duration::from_secs(plan.secs + 40));
    r.total = sipp.stats().map_or(0, |s| s.created);
    r.challenged = count_401(&dir.join("sipp.out"));
    r.load = (load_before, procfs::load_avg());
    gw.stop(Duration::from_secs(15))?;
    r.policy_log = gw
        .log()
        .lines()
        .filter(|l| l.contains(FLOOD_IP))
        .take(6)
        .map(str::to_owned)
        .collect();
    Ok(r)
}

/// The 401s received in SIPp's last screen (`401 <----------  N ...`).
fn count_401(out: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(out).ok()?;
    let line = text
        .lines()
        .rfind(|l| l.trim_start().starts_with("401 <-"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Prints the phases as a table, then voxgate's log lines about the flooding source.
pub(crate) fn print_table(results: &[FloodResult]) {
    println!(
        "\n| phase | INVITEs/s sent (measured) | 401s / INVITEs (whole run) | voxgate CPU (% of a core) | SIPp CPU | machine busy \
         | trusted calls answered | trusted INVITE→200 p50 / p99 (ms) | load avg |"
    );
    println!("|{}", "---|".repeat(9));
    for r in results {
        println!(
            "| {} | {:.0} | {} / {} | {:.1} | {:.1} % | {:.0} % | {}/{} | {:.2} / {:.2} | {:.2} → {:.2} |",
            r.phase,
            r.invites as f64 / r.secs.max(1e-9),
            r.challenged.map_or("?".into(), |n| n.to_string()),
            r.total,
            r.gateway_cpu_pct,
            r.sipp_cpu_pct,
            r.machine_pct,
            r.setup_ms.len(),
            r.setup_ms.len() + r.probe_failures,
            quantile(&r.setup_ms, 0.5),
            quantile(&r.setup_ms, 0.99),
            r.load.0,
            r.load.1,
        );
    }
    for r in results {
        for l in &r.policy_log {
            println!("  [{}] {l}", r.phase);
        }
    }
}
