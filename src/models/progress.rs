//! One progress line per item on stderr. On a terminal the line is redrawn in place when the
//! percentage changes; otherwise nothing is drawn until the item ends, then one line is printed,
//! so logs and CI output get one line per item instead of a stream of updates.

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// Progress of one item (a download, an extraction, a conversion, a check).
pub struct Progress {
    label: String,
    total: u64,
    done: u64,
    shown_pct: Option<u64>,
    tty: bool,
    quiet: bool,
    started: Instant,
}

impl Progress {
    /// Starts an item of `total` bytes (0 when unknown).
    pub fn start(label: impl Into<String>, total: u64, quiet: bool) -> Progress {
        let mut p = Progress {
            label: label.into(),
            total,
            done: 0,
            shown_pct: None,
            tty: std::io::stderr().is_terminal(),
            quiet,
            started: Instant::now(),
        };
        p.draw();
        p
    }

    /// Counts `n` more bytes done.
    pub fn advance(&mut self, n: u64) {
        self.done = self.done.saturating_add(n);
        self.draw();
    }

    /// Ends the item with a closing word ("verified", "converted", …).
    pub fn finish(self, outcome: &str) {
        if self.quiet {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64();
        let clear = if self.tty { "\r\x1b[2K" } else { "" };
        eprintln!(
            "{clear}  {}: {} ({}, {secs:.1} s)",
            self.label,
            outcome,
            human_bytes(self.done.max(self.total))
        );
    }

    fn draw(&mut self) {
        if self.quiet || !self.tty {
            return;
        }
        let pct = (self.done.saturating_mul(100))
            .checked_div(self.total)
            .map(|p| p.min(100));
        if pct == self.shown_pct && self.done != 0 {
            return;
        }
        self.shown_pct = pct;
        let mut err = std::io::stderr().lock();
        let _ = match pct {
            Some(p) => write!(
                err,
                "\r\x1b[2K  {}: {p:>3}% of {}",
                self.label,
                human_bytes(self.total)
            ),
            None => write!(err, "\r\x1b[2K  {}: {}", self.label, human_bytes(self.done)),
        };
        let _ = err.flush();
    }
}

/// `12.3 MB` style sizes (decimal units).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "kB", "MB", "GB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(75_537_502), "75.5 MB");
        assert_eq!(human_bytes(491_400_064), "491.4 MB");
        assert_eq!(human_bytes(1_200_000_000), "1.2 GB");
    }
}
