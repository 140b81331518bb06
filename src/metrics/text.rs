//! The Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, then samples;
//! histograms as cumulative `_bucket{le=...}` lines, `_sum` and `_count`. Owns formatting
//! only: label values are ours (static names), so nothing here escapes user input.

use std::fmt::Write;

use super::types::{Counter, Gauge, Histogram};

/// The `Content-Type` of [`super::render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Appends samples to one exposition.
#[derive(Debug, Default)]
pub(super) struct Writer {
    out: String,
}

/// A number as Prometheus reads it (`+Inf`, `-Inf`, `NaN`, else a plain decimal).
fn number(v: f64) -> String {
    if v.is_nan() {
        String::from("NaN")
    } else if v == f64::INFINITY {
        String::from("+Inf")
    } else if v == f64::NEG_INFINITY {
        String::from("-Inf")
    } else {
        format!("{v}")
    }
}

/// `{a="x",b="y"}`, or nothing without labels.
fn labels(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{{{}}}", inner.join(","))
}

impl Writer {
    /// The `# HELP` and `# TYPE` lines of a family.
    pub(super) fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    /// One counter sample.
    pub(super) fn counter(&mut self, name: &str, l: &[(&str, &str)], c: &Counter) {
        let _ = writeln!(self.out, "{name}{} {}", labels(l), c.get());
    }

    /// One gauge sample.
    pub(super) fn gauge(&mut self, name: &str, l: &[(&str, &str)], g: &Gauge) {
        let _ = writeln!(self.out, "{name}{} {}", labels(l), g.get());
    }

    /// A histogram's buckets, sum and count.
    pub(super) fn histogram(&mut self, name: &str, l: &[(&str, &str)], h: &Histogram) {
        // Read the count first: buckets observed after it may exceed it by a few, which
        // would break `+Inf == count`; so `+Inf` is the larger of the two.
        let count = h.count();
        let buckets = h.cumulative();
        let top = buckets.last().map_or(0, |b| b.1).max(count);
        for (bound, n) in buckets {
            let le = number(bound);
            let mut with = l.to_vec();
            with.push(("le", le.as_str()));
            let _ = writeln!(self.out, "{name}_bucket{} {}", labels(&with), n.min(top));
        }
        let mut with = l.to_vec();
        with.push(("le", "+Inf"));
        let _ = writeln!(self.out, "{name}_bucket{} {top}", labels(&with));
        let _ = writeln!(self.out, "{name}_sum{} {}", labels(l), number(h.sum()));
        let _ = writeln!(self.out, "{name}_count{} {top}", labels(l));
    }

    /// The text.
    pub(super) fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_renders_cumulative_buckets_with_inf() {
        let h = Histogram::new(&[0.5, 1.0]);
        h.observe(0.25);
        h.observe(3.0);
        let mut w = Writer::default();
        w.family("x_seconds", "histogram", "X.");
        w.histogram("x_seconds", &[("stage", "a")], &h);
        assert_eq!(
            w.finish(),
            "# HELP x_seconds X.\n# TYPE x_seconds histogram\n\
             x_seconds_bucket{stage=\"a\",le=\"0.5\"} 1\n\
             x_seconds_bucket{stage=\"a\",le=\"1\"} 1\n\
             x_seconds_bucket{stage=\"a\",le=\"+Inf\"} 2\n\
             x_seconds_sum{stage=\"a\"} 3.25\n\
             x_seconds_count{stage=\"a\"} 2\n"
        );
    }
}
