//! What the harness reads from /proc: a process's CPU time (utime + stime of all its threads)
//! and resident memory, the machine's busy time and load average.

use std::fs;
use std::process::Command;

/// Clock ticks per second of /proc/PID/stat times (`getconf CLK_TCK`, 100 when unknown).
pub(crate) fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of process `pid` (all threads), in clock ticks.
pub(crate) fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start with field 3 (state).
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Resident set size of `pid` in KiB (VmRSS).
pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// Open file descriptors of `pid` (entries of /proc/PID/fd).
pub(crate) fn fd_count(pid: u32) -> Option<usize> {
    Some(fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count())
}

/// The machine's (busy, total) CPU ticks over all cores since boot.
pub(crate) fn machine_ticks() -> Option<(u64, u64)> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3)? + v.get(4)?;
    Some((total - idle, total))
}

/// The 1-minute load average.
pub(crate) fn load_avg() -> f64 {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// A CPU sample of voxgate, SIPp and the machine at one instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuSample {
    at: std::time::Instant,
    gateway: u64,
    sipp: u64,
    busy: u64,
    total: u64,
}

/// CPU use between two samples, in % of one core (machine: % of all cores).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CpuUse {
    pub(crate) gateway_pct: f64,
    pub(crate) sipp_pct: f64,
    pub(crate) machine_pct: f64,
}

impl CpuSample {
    /// Samples now.
    pub(crate) fn take(gateway: u32, sipp: u32) -> CpuSample {
        let (busy, total) = machine_ticks().unwrap_or((0, 0));
        CpuSample {
            at: std::time::Instant::now(),
            gateway: cpu_ticks(gateway).unwrap_or(0),
            sipp: cpu_ticks(sipp).unwrap_or(0),
            busy,
            total,
        }
    }

    /// The use from `self` to `later`.
    pub(crate) fn until(&self, later: &CpuSample, ticks_per_sec: f64) -> CpuUse {
        let secs = later.at.duration_since(self.at).as_secs_f64().max(1e-9);
        let pct = |a: u64, b: u64| (b.saturating_sub(a)) as f64 / ticks_per_sec / secs * 100.0;
        let total = later.total.saturating_sub(self.total).max(1) as f64;
        CpuUse {
            gateway_pct: pct(self.gateway, later.gateway),
            sipp_pct: pct(self.sipp, later.sipp),
            machine_pct: later.busy.saturating_sub(self.busy) as f64 / total * 100.0,
        }
    }
}
