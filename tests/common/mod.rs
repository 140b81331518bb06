//! Harness for tests that run the real `voxgate` binary against real peers on loopback:
//! a [`Gateway`] child process with a per-test config and ports (killed on drop), SIPp runs
//! bounded in time, and the skip rule (a missing peer skips only when CI is not "true").
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

pub mod audio;
pub mod eval;
pub mod http;
pub mod models;
pub mod netns;
pub mod python;
pub mod voice_call;

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Ports of one test: `42000 + slot * 100` and up, unique per test.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub base: u16,
}

impl Ports {
    /// Slot `slot`'s hundred ports, below the kernel's ephemeral range (32768–60999 on
    /// Linux): a client socket of an earlier test (even one lingering in a state that blocks
    /// a bind) can never hold a port a gateway is about to listen on.
    pub fn new(slot: u16) -> Ports {
        assert!(slot <= 100, "slot {slot}: slots are 0..=100");
        Ports {
            base: 22_000 + slot * 100,
        }
    }
    pub fn sip(self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.base))
    }
    /// A SIPp instance's (SIP port, media port, control port); `n` in 0..4.
    pub fn sipp(self, n: u16) -> (u16, u16, u16) {
        (
            self.base + 1 + n,
            self.base + 10 + n * 10,
            self.base + 50 + n,
        )
    }
    pub fn rtp_min(self) -> u16 {
        self.base + 60
    }
    pub fn rtp_max(self) -> u16 {
        self.base + 99
    }
}

/// Whether a peer binary exists; under CI=true a missing one fails the test.
pub fn have_peer(bin: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{bin} is required under CI=true: run scripts/setup --test"
        );
        eprintln!("SKIPPED: {bin} not installed (run scripts/setup --test)");
    }
    found
}

/// A temporary directory for one test, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("voxgate-it-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// How to start a test gateway: extra lines for `[sip]` (a `listen = …` line replaces the
/// test's loopback address), `[calls]` and `[media]`, whole sections after them (`tail`), and
/// a command prefix (`prlimit --nofile=…`).
#[derive(Debug, Default, Clone)]
pub struct GatewayOpts<'a> {
    pub sip: &'a str,
    pub calls: &'a str,
    pub media: &'a str,
    pub tail: &'a str,
    pub prefix: &'a [&'a str],
}

/// A running `voxgate serve`, killed on drop.
pub struct Gateway {
    child: Child,
    pub ports: Ports,
    pub dir: PathBuf,
    log: PathBuf,
}

impl Gateway {
    /// Starts voxgate with the probe logic (unless `calls` names another), this test's ports and `extra` TOML lines in
    /// `[calls]`/`[media]` (given as full `section.key = value` lines after the tables), and
    /// waits until SIP is ready (at most 10 s).
    pub fn start(dir: &Path, ports: Ports, calls: &str, media: &str) -> Gateway {
        Gateway::start_with(dir, ports, "", calls, media)
    }

    /// As [`Gateway::start`], with extra `key = value` lines in `[sip]` too.
    pub fn start_with(dir: &Path, ports: Ports, sip: &str, calls: &str, media: &str) -> Gateway {
        Gateway::start_opts(
            dir,
            ports,
            &GatewayOpts {
                sip,
                calls,
                media,
                ..GatewayOpts::default()
            },
        )
    }

    /// Starts voxgate as `opts` say (see [`GatewayOpts`]) and waits until SIP is ready.
    pub fn start_opts(dir: &Path, ports: Ports, opts: &GatewayOpts<'_>) -> Gateway {
        let data = dir.join("data");
        let mut calls = opts.calls.to_owned();
        for (key, value) in [
            ("max_calls", "10"),
            ("shutdown_grace_secs", "5"),
            ("logic", "\"probe\""),
        ] {
            if !calls.contains(key) {
                calls.push_str(&format!("\n{key} = {value}"));
            }
        }
        // A `listen` of `[sip]` itself (not of a sub-table such as `[sip.tls]`).
        let own = opts.sip.split("\n[").next().unwrap_or_default();
        let listen = if own.lines().any(|l| l.trim_start().starts_with("listen =")) {
            String::new()
        } else {
            format!("listen = \"{}\"", ports.sip())
        };
        // The tests read the JSON-lines export unless a test sets `[store]` itself.
        let store = if opts.tail.contains("[store]") {
            ""
        } else {
            "[store]\nexport_jsonl = true\n"
        };
        let config = format!(
            "data_dir = \"{}\"\nlog_level = \"debug\"\n{store}[sip]\n{listen}\n{}\n\
             [media]\nrtp_port_min = {}\nrtp_port_max = {}\n{}\n\
             [calls]\n{calls}\n{}\n",
            data.display(),
            opts.sip,
            ports.rtp_min(),
            ports.rtp_max(),
            opts.media,
            opts.tail,
        );
        let file = dir.join("voxgate.toml");
        fs::write(&file, config).unwrap();
        let log = dir.join("voxgate.log");
        let mut command = match opts.prefix.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(env!("CARGO_BIN_EXE_voxgate"));
                c
            }
            None => Command::new(env!("CARGO_BIN_EXE_voxgate")),
        };
        let child = command
            .args(["serve", "--config"])
            .arg(&file)
            // The models the tests fetched (for `logic = "transcribe"`).
            .env("VOXGATE_MODELS", models::models_dir())
            // The probe logic is a test double: refused unless this is set.
            .env("VOXGATE_TEST_DOUBLES", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .expect("start voxgate");
        let gw = Gateway {
            child,
            ports,
            dir: dir.to_owned(),
            log,
        };
        gw.wait_log("SIP ready", Duration::from_secs(10));
        gw
    }

    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log contains `needle`; panics with the log after `timeout`.
    pub fn wait_log(&self, needle: &str, timeout: Duration) -> String {
        let end = Instant::now() + timeout;
        loop {
            let log = self.log();
            if log.contains(needle) {
                return log;
            }
            assert!(
                Instant::now() < end,
                "voxgate log lacks {needle:?} after {timeout:?}:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The call summaries written so far.
    pub fn summaries(&self) -> Vec<serde_json::Value> {
        fs::read_to_string(self.dir.join("data/calls.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Waits for at least `n` summaries (at most `timeout`).
    pub fn wait_summaries(&self, n: usize, timeout: Duration) -> Vec<serde_json::Value> {
        let end = Instant::now() + timeout;
        loop {
            let s = self.summaries();
            if s.len() >= n {
                return s;
            }
            assert!(
                Instant::now() < end,
                "{} of {n} call summaries after {timeout:?}; log:\n{}",
                s.len(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The probe's "probe heard" log line values for a call: (voiced frames, digits).
    pub fn probe_heard(&self, call_no: u64) -> Option<(u64, String)> {
        let log = self.log();
        let line = log
            .lines()
            .find(|l| l.contains("probe heard") && l.contains(&format!(" call={call_no} ")))?;
        let field = |name: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(&format!("{name}=")))
                .map(str::to_owned)
        };
        Some((
            field("voiced")?.parse().ok()?,
            field("digits").unwrap_or_default(),
        ))
    }

    /// Sends SIGTERM.
    pub fn signal_term(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
    }

    /// Sends SIGTERM and waits (at most `timeout`) for the exit.
    pub fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        self.signal_term();
        self.wait_exit(timeout)
    }

    /// Waits (at most `timeout`) for the exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let end = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < end,
                "voxgate did not exit:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scenario from tests/sipp with its placeholders filled, written into `dir`.
pub fn scenario(dir: &Path, name: &str, vars: &[(&str, &str)]) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sipp")
        .join(name);
    let mut text = fs::read_to_string(&src).unwrap();
    for (k, v) in vars {
        text = text.replace(&format!("@{k}@"), v);
    }
    let out = dir.join(name);
    fs::write(&out, text).unwrap();
    out
}

/// A SIPp client run against the gateway, bounded in time, killed on drop.
pub struct Sipp {
    child: Child,
    out: PathBuf,
}

impl Sipp {
    /// Starts SIPp instance `n` of this test with scenario file `sf` (one call, `-m 1`).
    pub fn spawn(dir: &Path, ports: Ports, n: u16, sf: &Path, extra: &[&str]) -> Sipp {
        let sf = sf.to_str().unwrap();
        Sipp::spawn_with(dir, ports, n, &["-sf", sf], extra)
    }

    /// Starts SIPp instance `n` with scenario arguments (`-sn uac` or `-sf FILE`).
    pub fn spawn_with(dir: &Path, ports: Ports, n: u16, scenario: &[&str], extra: &[&str]) -> Sipp {
        let (sip, media, control) = ports.sipp(n);
        let out = dir.join(format!("sipp-{n}.out"));
        let child = Command::new("sipp")
            .arg(ports.sip().to_string())
            .args(scenario)
            .args(["-i", "127.0.0.1", "-mi", "127.0.0.1", "-m", "1", "-l", "1"])
            .args(["-p", &sip.to_string(), "-mp", &media.to_string()])
            .args(["-cp", &control.to_string(), "-s", "svc"])
            .args(["-timeout", "30s", "-timeout_error", "-nostdin"])
            .args(["-trace_err", "-error_file"])
            .arg(dir.join(format!("sipp-{n}-errors.log")))
            .args(extra)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(fs::File::create(&out).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sipp");
        Sipp { child, out }
    }

    /// Waits for the exit (at most 40 s); returns the exit code and SIPp's output.
    pub fn wait(mut self) -> (i32, String) {
        let end = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut text = fs::read_to_string(&self.out).unwrap_or_default();
                let errors = self.out.with_file_name(
                    self.out
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .replace(".out", "-errors.log"),
                );
                text.push_str(&fs::read_to_string(errors).unwrap_or_default());
                return (status.code().unwrap_or(-1), text);
            }
            assert!(Instant::now() < end, "sipp did not finish in 40 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Raw μ-law audio: `secs` of a loud 440 Hz tone, or silence.
pub fn ulaw_file(path: &Path, secs: f64, loud: bool) {
    let n = (secs * 8000.0) as usize;
    let bytes: Vec<u8> = (0..n)
        .map(|i| {
            let s = if loud {
                (f64::sin(i as f64 * 2.0 * std::f64::consts::PI * 440.0 / 8000.0) * 12_000.0) as i16
            } else {
                0
            };
            voxgate::rtp::linear_to_ulaw(s)
        })
        .collect();
    fs::write(path, bytes).unwrap();
}
