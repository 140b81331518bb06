//! Small statistics and the machine's load for the speech benchmark's tables.

use std::time::Duration;

/// Sorted durations in ms.
pub(crate) struct Spread {
    ms: Vec<f64>,
}

impl Spread {
    pub(crate) fn new(samples: &[Duration]) -> Spread {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        Spread { ms }
    }

    /// The `q` quantile (0..1), nearest rank.
    pub(crate) fn q(&self, q: f64) -> f64 {
        if self.ms.is_empty() {
            return f64::NAN;
        }
        let i = ((q * self.ms.len() as f64).ceil() as usize).clamp(1, self.ms.len()) - 1;
        self.ms[i]
    }

    pub(crate) fn p50(&self) -> f64 {
        self.q(0.5)
    }

    pub(crate) fn min(&self) -> f64 {
        self.ms.first().copied().unwrap_or(f64::NAN)
    }

    pub(crate) fn max(&self) -> f64 {
        self.ms.last().copied().unwrap_or(f64::NAN)
    }

    pub(crate) fn len(&self) -> usize {
        self.ms.len()
    }
}

/// The load averages from /proc/loadavg, as `uptime` prints them.
pub(crate) fn uptime() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let parts: Vec<&str> = text.split_whitespace().take(3).collect();
    format!("load average {}", parts.join(", "))
}

/// CPU time this process has used so far, all threads (utime + stime from /proc/self/stat,
/// in the kernel's 10 ms ticks).
pub(crate) fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<i64> = rest
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // rest starts at field 3 (the state, not a number, so dropped; tpgid may be −1): utime is
    // field 14.
    let ticks = f.get(10).copied().unwrap_or(0) + f.get(11).copied().unwrap_or(0);
    Duration::from_millis(u64::try_from(ticks).unwrap_or(0) * 10)
}
