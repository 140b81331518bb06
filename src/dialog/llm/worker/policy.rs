//! The supervisor's decisions as data, without processes or clocks: how long to wait before
//! the next start, what the worker's first stdout line says, and where its binary is.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Waits before restarting after consecutive failures; the last repeats.
pub(crate) const DELAYS: [Duration; 5] = [
    Duration::from_millis(200),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(5),
];

/// A worker that ran this long was healthy: its exit starts the delays over.
pub(crate) const STABLE: Duration = Duration::from_secs(30);

/// Restart backoff: 0.2 s, 0.5 s, 1 s, 2 s, then 5 s, reset by a stable run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Backoff {
    failures: usize,
}

impl Backoff {
    /// The worker exited after running for `ran`: the wait before starting it again.
    pub(crate) fn after_exit(&mut self, ran: Duration) -> Duration {
        if ran >= STABLE {
            self.failures = 0;
        }
        self.next()
    }

    /// A start failed (no port line, bad model…): the wait before the next try.
    pub(crate) fn after_failed_start(&mut self) -> Duration {
        self.next()
    }

    fn next(&mut self) -> Duration {
        let delay = DELAYS[self.failures.min(DELAYS.len() - 1)];
        self.failures += 1;
        delay
    }
}

/// The address in the worker's first stdout line, `listening 127.0.0.1:PORT`; only a
/// loopback address is accepted.
pub(crate) fn parse_listening(line: &str) -> Option<SocketAddr> {
    let addr: SocketAddr = line.trim().strip_prefix("listening ")?.parse().ok()?;
    (addr.ip().is_loopback() && addr.port() != 0).then_some(addr)
}

/// The worker binary's file name.
pub(crate) fn binary_name() -> String {
    format!("voxgate-llm{}", std::env::consts::EXE_SUFFIX)
}

/// Where to look for the worker binary when no path is configured: beside `exe`, and one
/// directory up (`cargo test` binaries live in `target/<profile>/deps`).
pub(crate) fn candidates(exe: &Path) -> Vec<PathBuf> {
    let name = binary_name();
    let mut dirs = Vec::new();
    if let Some(dir) = exe.parent() {
        dirs.push(dir.join(&name));
        if let Some(up) = dir.parent() {
            dirs.push(up.join(&name));
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_five_seconds_and_resets_after_a_stable_run() {
        let mut b = Backoff::default();
        let short = Duration::from_secs(1);
        let got: Vec<_> = (0..7).map(|_| b.after_exit(short)).collect();
        let ms: Vec<u128> = got.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [200, 500, 1000, 2000, 5000, 5000, 5000]);
        assert_eq!(b.after_exit(STABLE), Duration::from_millis(200));
        assert_eq!(b.after_failed_start(), Duration::from_millis(500));
        assert_eq!(b.after_exit(STABLE - short), Duration::from_secs(1));
    }

    #[test]
    fn the_port_line() {
        let a = parse_listening("listening 127.0.0.1:40123\n").expect("parses");
        assert_eq!(a.port(), 40123);
        assert!(parse_listening("listening [::1]:5").is_some());
        for bad in [
            "listening 0.0.0.0:40123",
            "listening 10.0.0.1:40123",
            "listening 127.0.0.1:0",
            "127.0.0.1:40123",
            "listening nowhere",
        ] {
            assert_eq!(parse_listening(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_binary_is_looked_for_beside_the_exe_and_one_up() {
        let c = candidates(Path::new("/t/debug/deps/llm_worker-0123"));
        let name = binary_name();
        assert_eq!(
            c,
            [
                Path::new("/t/debug/deps").join(&name),
                Path::new("/t/debug").join(&name)
            ]
        );
    }
}
