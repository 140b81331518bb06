//! The supervisor with a stand-in worker (`tests/data/fake-llm-worker.sh`, no model): start
//! errors, restart after a kill, no process left after drop. The real worker is exercised by
//! `tests/llm_worker.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::*;

fn fake(behaviour: &str) -> WorkerConfig {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fake-llm-worker.sh");
    let mut cfg = WorkerConfig::new(script, PathBuf::from(behaviour), 1);
    cfg.start_timeout = Duration::from_secs(5);
    cfg.restart_wait = Duration::from_secs(3);
    cfg
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_worker_that_fails_to_start_says_why() {
    let err = WorkerLlm::start(fake("missing.gguf")).err().expect("fails");
    let text = err.to_string();
    assert!(matches!(err, LlmError::Worker(_)), "{text}");
    assert!(
        text.contains("model file missing.gguf: not found"),
        "{text}"
    );
    assert!(text.contains("exit status: 3"), "{text}");
    let err = WorkerLlm::start(fake("garbage")).err().expect("fails");
    assert!(err.to_string().contains("printed \"hello\""), "{err}");
}

#[test]
fn a_missing_binary_says_how_to_build_it() {
    let err = find_worker(Some(Path::new("/nonexistent/voxgate-llm"))).expect_err("missing");
    assert!(err.to_string().contains("agent.worker_path"), "{err}");
    let err = WorkerLlm::start(WorkerConfig::new(
        PathBuf::from("/nonexistent/voxgate-llm"),
        PathBuf::from("m.gguf"),
        1,
    ))
    .err()
    .expect("fails");
    assert!(err.to_string().contains("cannot start"), "{err}");
    if let Err(e) = find_worker(None) {
        assert!(e.to_string().contains("cargo build"), "{e}");
    }
}

#[test]
fn a_killed_worker_is_restarted_and_a_dropped_one_is_gone() {
    let llm = WorkerLlm::start(fake("serve")).expect("starts");
    let first = llm.pid().expect("running");
    assert!(alive(first));
    let killed = Command::new("kill")
        .args(["-KILL", &first.to_string()])
        .output()
        .expect("kill runs");
    assert!(killed.status.success(), "{killed:?}");
    wait_for("a new worker", || llm.pid().is_some_and(|p| p != first));
    let second = llm.pid().expect("running");
    assert!(!alive(first), "the old worker was reaped");
    // The stand-in serves nothing (port 9): the client's error comes through as it is.
    let req = GenerateRequest {
        messages: vec![ChatMessage::new(super::super::Role::User, "hi")],
        max_tokens: 4,
        stop: Vec::new(),
    };
    let err = llm
        .generate(&req, &mut |_| ControlFlow::Continue(()))
        .expect_err("nothing listens");
    assert!(matches!(err, LlmError::Unavailable { .. }), "{err:?}");
    drop(llm);
    assert!(!alive(second), "dropping the backend ends the worker");
}
