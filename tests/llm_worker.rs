//! The llama.cpp worker (`voxgate-llm`, workspace member `llm-worker/`) under its supervisor,
//! with the real Qwen2.5 GGUF: tokens through the `LanguageModel` trait, a SIGKILL mid-answer
//! and between answers (the call fails as `Unavailable` or succeeds on the restarted worker;
//! the next one succeeds on a new process), and the demo agent with `agent.llm = "worker"`.
//! The worker binary is built by `cargo test --workspace` (scripts/test); without it, or
//! without the models, the tests skip, except under CI=true.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use voxgate::dialog::llm::{
    ChatMessage, GenerateRequest, LanguageModel, LlmError, Role, WorkerConfig, WorkerLlm,
    find_worker,
};
use voxgate::dialog::{Agent, AgentSettings, KnowledgeSource};
use voxgate::models::{ModelId, Models};

fn under_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The worker binary and the models directory, or `None` (skip).
fn setup(models: &[&str]) -> Option<(PathBuf, PathBuf)> {
    let binary = match find_worker(None) {
        Ok(b) => b,
        Err(e) => {
            assert!(!under_ci(), "{e}");
            eprintln!("SKIPPED: {e}");
            return None;
        }
    };
    let dir = common::models::fetch(models)?;
    Some((binary, dir))
}

fn worker() -> Option<WorkerLlm> {
    let (binary, dir) = setup(&["qwen2.5-coder-0.5b"])?;
    let model = Models::locate(dir)
        .unwrap()
        .require(ModelId::QwenCoder05b)
        .unwrap();
    Some(WorkerLlm::start(WorkerConfig::new(binary, model, 2)).expect("worker starts"))
}

fn request(question: &str, max_tokens: usize) -> GenerateRequest {
    GenerateRequest {
        messages: vec![
            ChatMessage::new(
                Role::System,
                "You are a shop's phone assistant. The shop opens at 9 am and closes at 6 pm.",
            ),
            ChatMessage::new(Role::User, question),
        ],
        max_tokens,
        stop: Vec::new(),
    }
}

fn sigkill(pid: u32) {
    let out = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// Asks until an answer comes (a restart may be in progress), within 10 s.
fn answer_soon(llm: &WorkerLlm) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match llm.generate(&request("When do you open?", 12), &mut |_| {
            ControlFlow::Continue(())
        }) {
            Ok(g) => return g.text,
            Err(e) => {
                assert!(Instant::now() < deadline, "no answer after a restart: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

#[test]
fn the_worker_answers_and_survives_being_killed() {
    let Some(llm) = worker() else { return };
    assert!(
        llm.name().starts_with("worker:qwen2.5-coder"),
        "{}",
        llm.name()
    );
    let mut pieces = 0;
    let g = llm
        .generate(&request("When do you open?", 16), &mut |_| {
            pieces += 1;
            ControlFlow::Continue(())
        })
        .expect("answers");
    eprintln!(
        "answer: {:?} ({pieces} pieces, first token {:.0} ms)",
        g.text, g.first_token_ms
    );
    assert!(pieces > 0 && g.text.contains('9'), "{g:?}");

    // Killed mid-answer: the call in flight fails as unavailable.
    let first = llm.pid().expect("running");
    let (tx, rx) = mpsc::channel();
    let result = std::thread::scope(|s| {
        let killer = s.spawn(move || {
            rx.recv().unwrap();
            sigkill(first);
        });
        let mut tx = Some(tx);
        let r = llm.generate(
            &request("Tell me a long story about bicycles.", 400),
            &mut |_| {
                if let Some(tx) = tx.take() {
                    tx.send(()).unwrap();
                }
                ControlFlow::Continue(())
            },
        );
        killer.join().unwrap();
        r
    });
    let err = result.expect_err("the worker was killed mid-answer");
    assert!(matches!(err, LlmError::Unavailable { .. }), "{err:?}");
    let text = answer_soon(&llm);
    let second = llm.pid().expect("restarted");
    assert_ne!(first, second);
    eprintln!("after the restart: {text:?}");

    // Killed between answers: the next call waits for the restart (or fails as
    // unavailable), and one after it succeeds on a new process.
    sigkill(second);
    match llm.generate(&request("When do you close?", 12), &mut |_| {
        ControlFlow::Continue(())
    }) {
        Ok(g) => eprintln!("answered across the restart: {:?}", g.text),
        Err(e) => assert!(matches!(e, LlmError::Unavailable { .. }), "{e:?}"),
    }
    answer_soon(&llm);
    let third = llm.pid().expect("restarted");
    assert!(third != second && third != first);
    let pid_dir = format!("/proc/{third}");
    drop(llm);
    assert!(
        !std::path::Path::new(&pid_dir).exists(),
        "the worker ends with its backend"
    );
}

#[test]
fn the_demo_agent_answers_with_the_worker() {
    let Some((binary, dir)) = setup(&["qwen2.5-coder-0.5b", "minilm-l6-v2"]) else {
        return;
    };
    let models = Models::locate(dir).unwrap();
    let settings = AgentSettings {
        llm: voxgate::dialog::LlmBackend::Worker,
        worker_path: Some(binary),
        // The model words the answer (quotes would answer this one without it).
        answer_style: voxgate::dialog::AnswerStyle::Generated,
        ..AgentSettings::default()
    };
    let agent = Agent::build(&settings, KnowledgeSource::Demo, &models, &[]).expect("agent");
    assert!(agent.llm_name().starts_with("worker:"));
    let a = agent.ask("How long do I have to return an item?");
    eprintln!("{a:?}");
    assert_eq!(a.handoff, None, "{a:?}");
    assert!(a.timings.llm_first_token_ms.is_some(), "the model answered");
    let text = a.text.to_lowercase();
    assert!(
        text.contains("30 days") || text.contains("thirty days"),
        "{}",
        a.text
    );
}
