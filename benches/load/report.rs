//! The figures of one load step and the table they print as; percentiles; the media check of
//! voxgate's call summaries (packets each way per call).

use std::collections::HashSet;

use serde_json::Value;

/// The share of its packets each way a call must carry to count as held with media: below
/// it, voxgate skipped ticks (the caller hears gaps) or lost what SIPp sent.
pub(crate) const MEDIA_MIN: f64 = 0.9;

/// The `q` quantile (0–1) of `v` by nearest rank; NaN when empty.
pub(crate) fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((q * s.len() as f64).ceil() as usize).clamp(1, s.len());
    s[rank - 1]
}

/// Packets per call from voxgate's summaries of SIPp's calls (probe calls left out).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Media {
    pub(crate) calls: usize,
    pub(crate) rx_min: f64,
    pub(crate) rx_median: f64,
    pub(crate) tx_min: f64,
    pub(crate) tx_median: f64,
}

impl Media {
    /// From the call summaries (`calls.jsonl` lines), leaving out the probe calls (by
    /// their hashed Call-IDs).
    pub(crate) fn from_summaries(summaries: &[Value], probes: &HashSet<String>) -> Media {
        let load: Vec<&Value> = summaries
            .iter()
            .filter(|s| !probes.contains(s["call_id_hash"].as_str().unwrap_or("")))
            .collect();
        let field = |path: [&str; 2]| -> Vec<f64> {
            load.iter()
                .filter_map(|s| s[path[0]][path[1]].as_f64())
                .collect()
        };
        let rx = field(["received", "packets"]);
        let tx = field(["sent", "packets"]);
        Media {
            calls: load.len(),
            rx_min: quantile(&rx, 0.0),
            rx_median: quantile(&rx, 0.5),
            tx_min: quantile(&tx, 0.0),
            tx_median: quantile(&tx, 0.5),
        }
    }
}

/// Everything measured in one step.
#[derive(Debug, Clone, Default)]
pub(crate) struct Step {
    pub(crate) calls: usize,
    pub(crate) held: u64,
    pub(crate) successful: u64,
    pub(crate) failed: u64,
    pub(crate) retransmissions: u64,
    pub(crate) sipp_exit: Option<i32>,
    pub(crate) gateway_cpu_pct: f64,
    pub(crate) sipp_cpu_pct: f64,
    pub(crate) machine_pct: f64,
    pub(crate) rss_idle_kib: u64,
    pub(crate) rss_load_kib: u64,
    pub(crate) setup_sipp_ms: Vec<f64>,
    pub(crate) setup_probe_ms: Vec<f64>,
    pub(crate) probe_failures: usize,
    pub(crate) media: Media,
    /// Packets each way a call lasting the whole scenario carries (50 per second).
    pub(crate) expected_packets: f64,
    pub(crate) load_before: f64,
    pub(crate) load_after: f64,
    pub(crate) window_secs: f64,
}

impl Step {
    /// All calls held and ended well, each with at least [`MEDIA_MIN`] of its packets both ways.
    pub(crate) fn passed(&self) -> bool {
        self.signalling_ok() && self.media_ok()
    }

    /// SIPp: every call created, held and ended well.
    pub(crate) fn signalling_ok(&self) -> bool {
        self.failed == 0
            && self.sipp_exit == Some(0)
            && self.successful == self.calls as u64
            && self.held >= self.calls as u64
    }

    /// voxgate recorded every call, and each sent and received most of its packets.
    pub(crate) fn media_ok(&self) -> bool {
        self.media.calls == self.calls
            && self.media.rx_min >= MEDIA_MIN * self.expected_packets
            && self.media.tx_min >= MEDIA_MIN * self.expected_packets
    }

    /// "min / median (min as % of expected)".
    fn packets(&self, min: f64, median: f64) -> String {
        let pct = min / self.expected_packets.max(1.0) * 100.0;
        format!("{min:.0} / {median:.0} ({pct:.0} %)")
    }

    fn per_call_pct(&self) -> f64 {
        self.gateway_cpu_pct / self.calls.max(1) as f64
    }

    fn per_call_kib(&self) -> f64 {
        self.rss_load_kib.saturating_sub(self.rss_idle_kib) as f64 / self.calls.max(1) as f64
    }
}

/// Prints the table of steps.
pub(crate) fn print_table(steps: &[Step]) {
    println!();
    println!(
        "| calls | held | ok/failed (retrans) | voxgate CPU (% of a core) | per call | SIPp CPU \
         | machine busy | RSS idle → load (MiB) | per call (KiB) | setup p50/p99 SIPp (ms) \
         | setup p50/p99 probe (ms) | rx packets/call min / median (min % of expected) | tx packets/call (same) | load avg |"
    );
    println!("|{}", "---|".repeat(14));
    for s in steps {
        let mib = |k: u64| k as f64 / 1024.0;
        println!(
            "| {} | {} | {}/{} ({}){} | {:.1} | {:.3} % | {:.1} % | {:.0} % | {:.1} → {:.1} | {:.0} \
             | {:.0} / {:.0} | {:.2} / {:.2}{} | {} | {} | {:.2} → {:.2} |",
            s.calls,
            s.held,
            s.successful,
            s.failed,
            s.retransmissions,
            match (s.signalling_ok(), s.media_ok()) {
                (true, true) => "",
                (false, _) => " FAIL",
                (true, false) => " MEDIA SHORT",
            },
            s.gateway_cpu_pct,
            s.per_call_pct(),
            s.sipp_cpu_pct,
            s.machine_pct,
            mib(s.rss_idle_kib),
            mib(s.rss_load_kib),
            s.per_call_kib(),
            quantile(&s.setup_sipp_ms, 0.5),
            quantile(&s.setup_sipp_ms, 0.99),
            quantile(&s.setup_probe_ms, 0.5),
            quantile(&s.setup_probe_ms, 0.99),
            if s.probe_failures > 0 {
                format!(" ({} failed)", s.probe_failures)
            } else {
                String::new()
            },
            s.packets(s.media.rx_min, s.media.rx_median),
            s.packets(s.media.tx_min, s.media.tx_median),
            s.load_before,
            s.load_after,
        );
    }
}
