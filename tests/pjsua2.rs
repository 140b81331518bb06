//! A PJSUA2 caller (tests/peers/pjsua2_call.py) calls the demo script over UDP, sends
//! `45*` then `#` with `call.dialDtmf` (RFC 4733) and records what it hears; the script must
//! exit 0 (answered, digits sent, hung up by voxgate in time), voxgate's call summary must
//! count 4 key presses hung up by the logic, and the recording must hold the read-back of
//! 4, 5, star in order (cross-correlation with the prompts).
//! The interpreter is $VOXGATE_PYTHON, else the setup venv, else python3, whichever imports
//! pjsua2; with none the test skips (with a message) only when CI is not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::audio::{assert_heard_in_order, prompt_path, read_8k};
use common::{Gateway, Ports, TempDir};

/// A child process killed on drop.
struct Guard(Child);

impl Guard {
    /// Waits for the exit (at most `timeout`); None when it had to be killed.
    fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if let Some(status) = self.0.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        None
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The first interpreter that imports pjsua2; under CI=true there must be one.
fn pjsua2_python() -> Option<OsString> {
    let mut candidates: Vec<OsString> = std::env::var_os("VOXGATE_PYTHON").into_iter().collect();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(
            Path::new(&home)
                .join(".cache/voxgate/venv/bin/python")
                .into(),
        );
    }
    candidates.push("python3".into());
    for python in candidates {
        let child = Command::new(&python)
            .args(["-c", "import pjsua2"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Ok(child) = child
            && Guard(child)
                .wait(Duration::from_secs(20))
                .is_some_and(|s| s.success())
        {
            return Some(python);
        }
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "pjsua2 is required under CI=true: run scripts/setup --test (it exports VOXGATE_PYTHON)"
    );
    eprintln!("SKIPPED: no python imports pjsua2 (run scripts/setup --test)");
    None
}

#[test]
fn pjsua2_call_hears_the_read_back_of_45_star() {
    let Some(python) = pjsua2_python() else {
        return;
    };
    let dir = TempDir::new("pjsua2");
    let ports = Ports::new(32);
    let gw = Gateway::start(&dir.0, ports, "logic = \"demo\"", "");
    let recording = dir.0.join("pjsua2-heard.wav");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/pjsua2_call.py");
    // A key during the greeting would cut it (barge-in): the script waits it out.
    let wait_ms = read_8k(&prompt_path("greeting")).len() / 8 + 1500;
    let (out, err) = (dir.0.join("pjsua2.out"), dir.0.join("pjsua2.err"));
    let mut child = Guard(
        Command::new(&python)
            .arg(&script)
            .arg(format!("--target=sip:svc@127.0.0.1:{}", ports.base))
            .arg(format!("--sip-port={}", ports.base + 20))
            .arg(format!("--rtp-port={}", ports.base + 30))
            .arg("--record")
            .arg(&recording)
            .arg(format!("--wait-ms={wait_ms}"))
            .args(["--digits=45*", "--last=#", "--hangup-secs=20"])
            .stdin(Stdio::null())
            .stdout(fs::File::create(&out).unwrap())
            .stderr(fs::File::create(&err).unwrap())
            .spawn()
            .expect("start the PJSUA2 script"),
    );
    let status = child.wait(Duration::from_secs(60));
    let said = || {
        let text = |p: &PathBuf| fs::read_to_string(p).unwrap_or_default();
        format!("stderr:\n{}\nstdout:\n{}", text(&err), text(&out))
    };
    assert!(
        status.is_some_and(|s| s.success()),
        "PJSUA2 script: {status:?}\n{}\nvoxgate log:\n{}",
        said(),
        gw.log()
    );
    let s = &gw.wait_summaries(1, Duration::from_secs(10))[0];
    assert_eq!(s["digits"], 4, "{s}");
    assert_eq!(s["cause"], "logic", "{s}");
    assert_eq!(s["side"], "gateway", "{s}");
    assert_heard_in_order(
        &recording,
        &[
            "greeting",
            "you-entered",
            "digit-4",
            "digit-5",
            "star",
            "goodbye",
        ],
        // Not "pound": its vowel matches inside "five" (see common::audio::HEARD).
        &["digit-9", "digit-0", "digit-1"],
    );
}
