//! SIPp as the load generator: the scenario from benches/sipp/ with its hold filled in, the
//! child process (`-r`/`-l`/`-m`, bounded by `-timeout`, killed on drop), its statistics CSV
//! (`-trace_stat -fd 1`: current, successful and failed calls) and its response times
//! (`-trace_rtt`: INVITE → 200 of every call, whole milliseconds).

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Seconds between the SIP INFO key presses that keep the demo script collecting digits (its
/// inter-digit timeout is 10 s).
pub(crate) const INFO_EVERY_MS: u64 = 8_000;

/// Writes the load scenario into `dir`: a call streaming `audio` (looped) for `hold_ms`, with
/// a SIP INFO key press every [`INFO_EVERY_MS`] when `keys` is set.
pub(crate) fn scenario(dir: &Path, audio: &Path, hold_ms: u64, keys: bool) -> Result<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/sipp");
    let template = fs::read_to_string(src.join("load_uac.xml"))?;
    let info = fs::read_to_string(src.join("load_info.xml"))?;
    let mut hold = String::new();
    let mut cseq = 2;
    let mut left = hold_ms;
    while left > 0 {
        let pause = if keys { left.min(INFO_EVERY_MS) } else { left };
        hold.push_str(&format!("  <pause milliseconds=\"{pause}\"/>\n"));
        left -= pause;
        if keys && left > 0 {
            hold.push_str(&info.replace("@CSEQ@", &cseq.to_string()));
            cseq += 1;
        }
    }
    let text = template
        .replace("@AUDIO@", &audio.display().to_string())
        .replace("@HOLD@", &hold)
        .replace("@BYE_CSEQ@", &cseq.to_string());
    let out = dir.join("load_uac.xml");
    fs::write(&out, text)?;
    Ok(out)
}

/// What SIPp is told to do.
#[derive(Debug, Clone)]
pub(crate) struct SippRun {
    pub(crate) target: String,
    pub(crate) sip_port: u16,
    pub(crate) media_port: u16,
    pub(crate) control_port: u16,
    /// Concurrent calls at most (`-l`).
    pub(crate) calls: usize,
    /// Calls placed in all (`-m`).
    pub(crate) total: usize,
    pub(crate) rate: f64,
    /// SIPp's global timeout (`-timeout`), seconds.
    pub(crate) timeout_secs: u64,
}

/// A running SIPp.
pub(crate) struct Sipp {
    child: Child,
    dir: PathBuf,
}

impl Sipp {
    /// Starts SIPp in `dir` with scenario `sf`.
    pub(crate) fn spawn(dir: &Path, sf: &Path, run: &SippRun) -> Result<Sipp> {
        let mut args: Vec<OsString> = vec![run.target.clone().into(), "-sf".into(), sf.into()];
        let text = [
            "-i",
            "127.0.0.1",
            "-mi",
            "127.0.0.1",
            "-s",
            "svc",
            "-p",
            &run.sip_port.to_string(),
            "-mp",
            &run.media_port.to_string(),
            "-cp",
            &run.control_port.to_string(),
            "-r",
            &format!("{}", run.rate),
            "-rp",
            "1000",
            "-l",
            &run.calls.to_string(),
            "-m",
            &run.total.to_string(),
            "-timeout",
            &format!("{}s", run.timeout_secs),
            "-timeout_error",
            "-trace_rtt",
            "-rtt_freq",
            "50",
        ];
        args.extend(text.iter().map(OsString::from));
        Sipp::spawn_args(dir, args)
    }

    /// Starts SIPp in `dir` with `args` and the statistics and error files the harness reads
    /// (`-trace_stat` every second into sipp-stat.csv, `-trace_err` into sipp-errors.log).
    pub(crate) fn spawn_args(dir: &Path, mut args: Vec<OsString>) -> Result<Sipp> {
        args.extend(["-nostdin", "-trace_stat", "-fd", "1", "-stf"].map(OsString::from));
        args.push(dir.join("sipp-stat.csv").into());
        args.extend(["-trace_err", "-error_file"].map(OsString::from));
        args.push(dir.join("sipp-errors.log").into());
        let child = Command::new("sipp")
            .args(&args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(fs::File::create(dir.join("sipp.out"))?)
            .stderr(fs::File::create(dir.join("sipp.err"))?)
            .spawn()
            .context("start sipp (Debian package sip-tester)")?;
        Ok(Sipp {
            child,
            dir: dir.to_owned(),
        })
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether SIPp has exited.
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits up to `timeout` for the exit (killed after that).
    pub(crate) fn wait(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.child.kill()?;
        bail!("sipp did not finish within {timeout:?}")
    }

    /// The latest line of the statistics CSV.
    pub(crate) fn stats(&self) -> Option<SippStats> {
        let text = fs::read_to_string(self.dir.join("sipp-stat.csv")).ok()?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next()?.split(';').collect();
        let last: Vec<&str> = lines.next_back()?.split(';').collect();
        let col = |name: &str| -> Option<u64> {
            let i = header.iter().position(|h| *h == name)?;
            last.get(i)?.trim().parse().ok()
        };
        Some(SippStats {
            current: col("CurrentCall")?,
            created: col("TotalCallCreated")?,
            successful: col("SuccessfulCall(C)")?,
            failed: col("FailedCall(C)")?,
            retransmissions: col("Retransmissions(C)").unwrap_or(0),
        })
    }

    /// Every INVITE → 200 time SIPp recorded, in ms (it counts whole milliseconds).
    pub(crate) fn setup_times_ms(&self) -> Vec<f64> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with("_rtt.csv"))
            .filter_map(|e| fs::read_to_string(e.path()).ok())
            .flat_map(|t| {
                t.lines()
                    .skip(1)
                    .filter_map(|l| l.split(';').nth(1)?.trim().parse().ok())
                    .collect::<Vec<f64>>()
            })
            .collect()
    }

    /// SIPp's error log (unexpected messages), possibly long.
    pub(crate) fn errors(&self) -> String {
        fs::read_to_string(self.dir.join("sipp-errors.log")).unwrap_or_default()
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Counters from SIPp's statistics file.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SippStats {
    pub(crate) current: u64,
    pub(crate) created: u64,
    pub(crate) successful: u64,
    pub(crate) failed: u64,
    pub(crate) retransmissions: u64,
}
