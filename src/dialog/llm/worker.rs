//! The llama.cpp worker backend (`agent.llm = "worker"`): the `voxgate-llm` binary of this
//! workspace (`llm-worker/`) run as a supervised child process, spoken to through the
//! OpenAI-compatible client ([`super::OpenAiHttp`]). llama.cpp cannot link into the gateway
//! (its ggml collides with whisper.cpp's), and runs 2–5× faster than the candle backend.
//!
//! The supervisor starts the worker with a fresh bearer token and port 0, reads the address
//! from its first stdout line, and keeps its stdin open (the worker exits when it closes, so
//! no worker outlives a killed gateway; a dropped [`WorkerLlm`] also kills it). When the
//! worker's stdout closes it has ended: the generation in flight fails as `Unavailable` (or,
//! if nothing had been said yet, is tried once more on the restarted worker), and the
//! watcher thread restarts it after a backoff ([`policy::Backoff`]: 0.2 s … 5 s). Requests
//! meanwhile wait up to [`WorkerConfig::restart_wait`] for it.

use std::cell::Cell;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::openai::{OpenAiConfig, OpenAiHttp};
use super::{ChatMessage, GenerateRequest, Generation, LanguageModel, LlmError};

mod child;
mod policy;

use policy::Backoff;

/// How to run the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerConfig {
    /// The `voxgate-llm` binary ([`find_worker`]).
    pub binary: PathBuf,
    /// The GGUF file.
    pub model: PathBuf,
    pub threads: usize,
    /// Context length in tokens.
    pub ctx: u32,
    /// From starting the process to its address (the model loads in between).
    pub start_timeout: Duration,
    /// How long a request waits for a restart in progress.
    pub restart_wait: Duration,
    /// From the request to the first token, and between tokens (a cold prompt prefills here).
    pub first_token_timeout: Duration,
    /// The whole generation.
    pub total_timeout: Duration,
}

impl WorkerConfig {
    /// Defaults: context 4096, start 30 s, restart wait 5 s, first token 30 s, total 120 s.
    pub fn new(binary: PathBuf, model: PathBuf, threads: usize) -> WorkerConfig {
        WorkerConfig {
            binary,
            model,
            threads,
            ctx: 4096,
            start_timeout: Duration::from_secs(30),
            restart_wait: Duration::from_secs(5),
            first_token_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(120),
        }
    }
}

/// Finds the `voxgate-llm` binary: `configured` (`agent.worker_path`) when given, else
/// beside this executable or one directory up (test binaries live in `target/*/deps`).
pub fn find_worker(configured: Option<&Path>) -> Result<PathBuf, LlmError> {
    if let Some(path) = configured {
        return match path.is_file() {
            true => Ok(path.to_path_buf()),
            false => Err(LlmError::Worker(format!(
                "agent.worker_path {}: no such file",
                path.display()
            ))),
        };
    }
    let exe = std::env::current_exe()
        .map_err(|e| LlmError::Worker(format!("cannot locate this executable: {e}")))?;
    let candidates = policy::candidates(&exe);
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    Err(LlmError::Worker(format!(
        "{} not found ({}): build it with the gateway, `cargo build --release -p voxgate \
         -p voxgate-llm-worker` (scripts/run does; drop --release for a debug gateway), or set \
         agent.worker_path",
        policy::binary_name(),
        looked.join(", ")
    )))
}

/// The worker process while it runs.
struct Running {
    child: Child,
    _stdin: ChildStdin,
    client: Arc<OpenAiHttp>,
    pid: u32,
    started: Instant,
}

enum Phase {
    /// Starting or waiting to restart.
    Starting,
    Running(Running),
    /// Dropped: nothing restarts.
    Stopped,
}

struct State {
    phase: Phase,
    backoff: Backoff,
}

struct Shared {
    cfg: WorkerConfig,
    name: String,
    state: Mutex<State>,
    changed: Condvar,
}

fn unavailable(reason: String) -> LlmError {
    LlmError::Unavailable {
        endpoint: String::from("voxgate-llm worker"),
        reason,
    }
}

fn kill(mut child: Child) -> String {
    let _ = child.kill();
    child
        .wait()
        .map_or_else(|e| e.to_string(), |s| s.to_string())
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a worker process whose end calls [`Shared::exited`].
    fn launch(self: &Arc<Shared>) -> Result<child::Spawned, LlmError> {
        let me = self.clone();
        child::spawn(&self.cfg, move |pid| me.exited(pid))
    }

    /// Makes `s` the running worker (unless stopped meanwhile: then it is killed).
    fn install(&self, s: child::Spawned) {
        let child::Spawned {
            child,
            stdin,
            addr,
            token,
            started,
            release,
        } = s;
        let mut st = self.lock();
        if matches!(st.phase, Phase::Stopped) {
            kill(child);
            return;
        }
        let mut oc = OpenAiConfig::new(format!("http://{addr}/v1"), self.name.clone());
        oc.api_key = Some(token);
        oc.connect_timeout = Duration::from_secs(1);
        oc.first_token_timeout = self.cfg.first_token_timeout;
        oc.total_timeout = self.cfg.total_timeout;
        oc.retries = 0;
        let pid = child.id();
        tracing::info!(pid, %addr, "language model worker running");
        st.phase = Phase::Running(Running {
            child,
            _stdin: stdin,
            client: Arc::new(OpenAiHttp::new(oc)),
            pid,
            started,
        });
        drop(st);
        self.changed.notify_all();
        drop(release);
    }

    /// The worker `pid` has ended (its stdout closed): reap it and restart it.
    fn exited(self: Arc<Shared>, pid: u32) {
        let mut st = self.lock();
        let is_current = matches!(&st.phase, Phase::Running(r) if r.pid == pid);
        if !is_current {
            return; // killed by drop, or never installed
        }
        let Phase::Running(r) = std::mem::replace(&mut st.phase, Phase::Starting) else {
            return;
        };
        let ran = r.started.elapsed();
        let delay = st.backoff.after_exit(ran);
        drop(st);
        let status = kill(r.child);
        tracing::warn!(pid, %status, ran_s = ran.as_secs_f64(), delay_ms = delay.as_millis() as u64,
            "language model worker ended; restarting");
        self.restart(delay);
    }

    /// Tries to start the worker again after `delay`, backing off, until one runs or stop.
    fn restart(self: &Arc<Shared>, mut delay: Duration) {
        loop {
            std::thread::sleep(delay);
            if matches!(self.lock().phase, Phase::Stopped) {
                return;
            }
            match self.launch() {
                Ok(s) => return self.install(s),
                Err(e) => {
                    delay = self.lock().backoff.after_failed_start();
                    tracing::warn!(error = %e, delay_ms = delay.as_millis() as u64,
                        "language model worker did not restart");
                }
            }
        }
    }

    /// The running worker's client and pid, waiting up to `restart_wait` for a restart.
    fn current(&self) -> Result<(Arc<OpenAiHttp>, u32), LlmError> {
        let deadline = Instant::now() + self.cfg.restart_wait;
        let mut st = self.lock();
        loop {
            match &st.phase {
                Phase::Running(r) => return Ok((r.client.clone(), r.pid)),
                Phase::Stopped => return Err(unavailable("the worker was stopped".into())),
                Phase::Starting => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(unavailable(format!(
                    "the worker is restarting (waited {} s)",
                    self.cfg.restart_wait.as_secs()
                )));
            }
            st = self
                .changed
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Whether worker `pid` is gone, allowing it a moment to finish dying (a failed stream
    /// is seen by the client just before the process is gone).
    fn died(&self, pid: u32) -> bool {
        for _ in 0..20 {
            {
                let mut st = self.lock();
                match &mut st.phase {
                    Phase::Running(r) if r.pid == pid => {
                        if !matches!(r.child.try_wait(), Ok(None)) {
                            return true;
                        }
                    }
                    _ => return true,
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    fn stop(&self) {
        let mut st = self.lock();
        if let Phase::Running(r) = std::mem::replace(&mut st.phase, Phase::Stopped) {
            kill(r.child);
        }
        drop(st);
        self.changed.notify_all();
    }
}

/// A language model in a supervised `voxgate-llm` worker process.
pub struct WorkerLlm {
    shared: Arc<Shared>,
    /// One generation at a time (the worker has one sequence; queueing here keeps the
    /// client's first-token timeout from counting another caller's turn).
    one_at_a_time: Mutex<()>,
}

impl WorkerLlm {
    /// Starts the worker and waits until it serves; a start failure is returned (with the
    /// worker's last stderr lines), not retried.
    pub fn start(cfg: WorkerConfig) -> Result<WorkerLlm, LlmError> {
        let stem = cfg
            .model
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let shared = Arc::new(Shared {
            cfg,
            name: format!("worker:{stem}"),
            state: Mutex::new(State {
                phase: Phase::Starting,
                backoff: Backoff::default(),
            }),
            changed: Condvar::new(),
        });
        let spawned = shared.launch()?;
        shared.install(spawned);
        Ok(WorkerLlm {
            shared,
            one_at_a_time: Mutex::new(()),
        })
    }

    /// The running worker's process id (`None` while it restarts).
    pub fn pid(&self) -> Option<u32> {
        match &self.shared.lock().phase {
            Phase::Running(r) => Some(r.pid),
            _ => None,
        }
    }
}

impl Drop for WorkerLlm {
    fn drop(&mut self) {
        self.shared.stop();
    }
}

impl LanguageModel for WorkerLlm {
    fn name(&self) -> &str {
        &self.shared.name
    }

    fn generate(
        &self,
        req: &GenerateRequest,
        on_token: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, LlmError> {
        let _one = self
            .one_at_a_time
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let said = Cell::new(false);
        let mut counted = |piece: &str| {
            said.set(true);
            on_token(piece)
        };
        let mut retried = false;
        loop {
            let (client, pid) = self.shared.current()?;
            match client.generate(req, &mut counted) {
                Ok(g) => return Ok(g),
                Err(e) if self.shared.died(pid) => {
                    let err = unavailable(format!("the worker (pid {pid}) ended: {e}"));
                    if said.get() || retried {
                        return Err(err);
                    }
                    tracing::warn!(error = %err, "retrying on the restarted worker");
                    retried = true;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Prefills `messages` (the fixed system prompt) so the worker's prompt cache holds it.
    fn warm(&self, messages: &[ChatMessage]) -> Result<usize, LlmError> {
        let req = GenerateRequest {
            messages: messages.to_vec(),
            max_tokens: 1,
            stop: Vec::new(),
        };
        let g = self.generate(&req, &mut |_| ControlFlow::Continue(()))?;
        Ok(g.prompt_tokens)
    }
}

#[cfg(test)]
#[path = "worker_tests.rs"]
mod tests;
