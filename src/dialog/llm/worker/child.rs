//! Starting one worker process: its command line and fresh bearer token, its first stdout
//! line (the address), its stderr forwarded to the log (the last lines kept for a start
//! error), and a watcher thread that reports the process's end when its stdout closes.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;

use rand::Rng;

use super::WorkerConfig;
use super::policy::parse_listening;
use crate::dialog::llm::LlmError;

/// The environment variable the worker reads its bearer token from.
pub(crate) const TOKEN_ENV: &str = "VOXGATE_LLM_TOKEN";
/// Stderr lines kept for an error message.
const TAIL: usize = 8;

/// A started worker that has printed its address.
pub(crate) struct Spawned {
    pub(crate) child: Child,
    /// Held open: the worker exits when it closes (`--exit-with-stdin`).
    pub(crate) stdin: ChildStdin,
    pub(crate) addr: SocketAddr,
    pub(crate) token: String,
    pub(crate) started: Instant,
    /// Dropping it lets the watcher go on to wait for the end of the process: drop it once
    /// the child is installed (or killed), so an early end is never reported too soon.
    pub(crate) release: SyncSender<()>,
}

fn fail(reason: String) -> LlmError {
    LlmError::Worker(reason)
}

fn random_token() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

type Tail = Arc<Mutex<VecDeque<String>>>;

fn forward_stderr(stderr: ChildStderr, pid: u32, tail: Tail) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("llm-worker-err".into())
        .spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                tracing::warn!(pid, "voxgate-llm: {line}");
                let mut t = tail.lock().unwrap_or_else(PoisonError::into_inner);
                if t.len() == TAIL {
                    t.pop_front();
                }
                t.push_back(line);
            }
        })
}

/// Sends the first stdout line (`None`: stdout closed first), waits for the release, then
/// calls `on_exit` when stdout closes: the worker never closes it while it runs.
fn watch(
    stdout: ChildStdout,
    pid: u32,
    first: SyncSender<Option<String>>,
    release: Receiver<()>,
    on_exit: impl FnOnce(u32) + Send + 'static,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("llm-worker-watch".into())
        .spawn(move || {
            let mut out = BufReader::new(stdout);
            let mut line = String::new();
            let got = matches!(out.read_line(&mut line), Ok(n) if n > 0);
            let _ = first.send(got.then_some(line));
            let _ = release.recv();
            let mut sink = Vec::new();
            while matches!(out.read_until(b'\n', &mut sink), Ok(n) if n > 0) {
                sink.clear();
            }
            on_exit(pid);
        })
}

/// Kills and reaps `child` and describes how it ended, with its last stderr lines.
fn bury(mut child: Child, err_thread: JoinHandle<()>, tail: &Tail, what: &str) -> LlmError {
    let _ = child.kill();
    let status = child
        .wait()
        .map_or_else(|e| e.to_string(), |s| s.to_string());
    let _ = err_thread.join();
    let tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
    let said: Vec<&str> = tail.iter().map(String::as_str).collect();
    fail(format!("{what} ({status}): {}", said.join(" | ")))
}

/// Starts the worker and waits for its address; `on_exit(pid)` runs when it ends later.
pub(crate) fn spawn(
    cfg: &WorkerConfig,
    on_exit: impl FnOnce(u32) + Send + 'static,
) -> Result<Spawned, LlmError> {
    let token = random_token();
    let mut child = Command::new(&cfg.binary)
        .arg("--model")
        .arg(&cfg.model)
        .args(["--port", "0", "--exit-with-stdin"])
        .args(["--threads", &cfg.threads.to_string()])
        .args(["--ctx", &cfg.ctx.to_string()])
        .env(TOKEN_ENV, &token)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot start {}: {e}", cfg.binary.display())))?;
    let pid = child.id();
    let started = Instant::now();
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(fail("no pipes to the worker".into()));
    };
    let tail = Tail::default();
    let thread_err = |e: std::io::Error| fail(format!("no thread for the worker: {e}"));
    let err_thread = forward_stderr(stderr, pid, tail.clone()).map_err(thread_err)?;
    let (first_tx, first_rx) = sync_channel(1);
    let (release, release_rx) = sync_channel(0);
    watch(stdout, pid, first_tx, release_rx, on_exit).map_err(thread_err)?;
    let line = match first_rx.recv_timeout(cfg.start_timeout) {
        Ok(Some(line)) => line,
        Ok(None) | Err(RecvTimeoutError::Disconnected) => {
            return Err(bury(child, err_thread, &tail, "the worker exited at start"));
        }
        Err(RecvTimeoutError::Timeout) => {
            let what = format!(
                "the worker did not start within {} s",
                cfg.start_timeout.as_secs()
            );
            return Err(bury(child, err_thread, &tail, &what));
        }
    };
    let Some(addr) = parse_listening(&line) else {
        let what = format!("the worker printed {:?}, not its address", line.trim());
        return Err(bury(child, err_thread, &tail, &what));
    };
    Ok(Spawned {
        child,
        stdin,
        addr,
        token,
        started,
        release,
    })
}
