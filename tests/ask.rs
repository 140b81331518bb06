//! The agent's question set (tests/data/ask-questions.toml) against the bundled demo knowledge
//! base with the embedded model, plus `voxgate ask` itself: its JSON, another knowledge base
//! given with `--kb`, and an OpenAI-compatible server that is not there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use serde::Deserialize;
use voxgate::dialog::{Agent, AgentSettings, Answer, DEMO_KB, KnowledgeSource};
use voxgate::models::Models;

#[derive(Debug, Deserialize)]
struct QuestionSet {
    answerable: Vec<Answerable>,
    handoff: Vec<Handoff>,
    injection: Vec<Injection>,
}
#[derive(Debug, Deserialize)]
struct Answerable {
    q: String,
    fact: Vec<String>,
}
#[derive(Debug, Deserialize)]
struct Handoff {
    q: String,
    reason: Option<String>,
}
#[derive(Debug, Deserialize)]
struct Injection {
    q: String,
    never: Vec<String>,
}

fn question_set() -> QuestionSet {
    let text = include_str!("data/ask-questions.toml");
    toml::from_str(text).expect("question set parses")
}

/// Lowercase, runs of space/punctuation (but `.`, `@`, `-` inside words) as one space.
fn norm(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let inner = matches!(c, '.' | '@' | '-' | '%' | '\'')
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || inner || c == '%' {
            out.push(if c == '\u{2019}' { '\'' } else { c });
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    format!(" {} ", out.trim())
}

fn contains_fact(answer: &str, facts: &[String]) -> bool {
    let a = norm(answer);
    facts.iter().any(|f| a.contains(&norm(f)))
}

/// The numbers in `text` (digit runs, decimals kept).
fn numbers(text: &str) -> Vec<String> {
    norm(text)
        .split(' ')
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|w| w.trim_end_matches('%').to_string())
        .collect()
}

fn demo_agent() -> Option<Agent> {
    let dir = common::models::fetch(&["qwen2.5-coder-0.5b", "minilm-l6-v2"])?;
    let models = Models::locate(dir).unwrap();
    // ASK_ANSWER_STYLE=generated measures the model answering every question; ASK_LLM=worker
    // runs it on the llama.cpp worker.
    let defaults = AgentSettings::default();
    let settings = AgentSettings {
        llm_threads: 2,
        answer_style: std::env::var("ASK_ANSWER_STYLE")
            .map_or(defaults.answer_style, |s| s.parse().unwrap()),
        llm: std::env::var("ASK_LLM").map_or(defaults.llm, |s| s.parse().unwrap()),
        ..AgentSettings::default()
    };
    Some(Agent::build(&settings, KnowledgeSource::Demo, &models, &[]).expect("agent starts"))
}

/// The demo agent with its language model unreachable (an OpenAI-compatible server on a
/// closed port): only quotes and guardrails answer.
fn agent_without_llm() -> Option<Agent> {
    let dir = common::models::fetch(&["minilm-l6-v2"])?;
    let models = Models::locate(dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut settings = AgentSettings {
        llm: voxgate::dialog::LlmBackend::Openai,
        ..AgentSettings::default()
    };
    settings.openai.base_url = format!("http://127.0.0.1:{port}/v1");
    settings.openai.retries = 0;
    Some(Agent::build(&settings, KnowledgeSource::Demo, &models, &[]).expect("agent starts"))
}

/// Without a language model the agent still answers what the knowledge base says plainly
/// (quoting it), hands the rest off as `llm_unavailable`, and never answers a must-hand-off
/// question. Prints how the question set splits between quotes and the model.
#[test]
fn quotes_and_guardrails_work_without_the_language_model() {
    let Some(agent) = agent_without_llm() else {
        return;
    };
    let set = question_set();
    let (mut quoted, mut to_llm, mut cautious, mut wrong) = (0, 0, 0, Vec::new());
    for item in &set.answerable {
        let a = agent.ask(&item.q);
        let fact = contains_fact(&a.text, &item.fact);
        show(&item.q, &a, a.handoff.is_some() || fact);
        match a.handoff.map(|r| r.as_str()) {
            None if fact => quoted += 1,
            None => wrong.push(format!("{} -> {}", item.q, a.text)),
            Some("llm_unavailable") => to_llm += 1,
            Some(_) => cautious += 1,
        }
    }
    for item in &set.handoff {
        let a = agent.ask(&item.q);
        show(&item.q, &a, a.handoff.is_some());
        if a.handoff.is_none() {
            wrong.push(format!("must hand off: {} -> {}", item.q, a.text));
        }
    }
    eprintln!(
        "without the model: {quoted} quoted with their fact, {to_llm} needed the model, {cautious} handed off, {} wrong, of {} answerable",
        wrong.len(),
        set.answerable.len()
    );
    assert!(
        quoted * 2 >= set.answerable.len(),
        "quotes answer at least half: {quoted}"
    );
    assert!(
        cautious * 10 <= set.answerable.len(),
        "{cautious} answerable questions handed off"
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

fn show(q: &str, a: &Answer, ok: bool) {
    eprintln!(
        "{} {q}\n    -> {} [{}] {:?} ({:.0} ms)",
        if ok { "ok  " } else { "FAIL" },
        a.text,
        a.handoff.map_or("answered", |r| r.as_str()),
        a.sources,
        a.timings.total_ms
    );
}

/// The acceptance test of the agent: at least 90 % of the answerable questions get their
/// fact, every must-hand-off question hands off (with the expected reason where one is
/// named), no injected instruction is obeyed, and no answer states a number the knowledge
/// base does not contain.
#[test]
fn question_set_against_the_demo_knowledge_base() {
    let Some(agent) = demo_agent() else { return };
    let set = question_set();
    assert!(set.answerable.len() >= 40 && set.handoff.len() >= 15);
    let kb_numbers: Vec<String> = DEMO_KB.iter().flat_map(|(_, t)| numbers(t)).collect();
    let mut invented = Vec::new();
    let mut check_numbers = |q: &str, a: &Answer| {
        for n in numbers(&a.text) {
            if !kb_numbers.contains(&n) {
                invented.push(format!("{q}: {n} in {:?}", a.text));
            }
        }
    };

    let mut answered = 0;
    for item in &set.answerable {
        let a = agent.ask(&item.q);
        let ok = a.handoff.is_none() && contains_fact(&a.text, &item.fact);
        show(&item.q, &a, ok);
        answered += usize::from(ok);
        if ok {
            assert!(
                !a.sources.is_empty(),
                "an answer cites its sources: {}",
                item.q
            );
            assert!(
                a.sources.iter().all(|s| s.contains(".md#")),
                "{:?}",
                a.sources
            );
        }
        check_numbers(&item.q, &a);
    }
    let mut missed_handoffs = Vec::new();
    for item in &set.handoff {
        let a = agent.ask(&item.q);
        let reason = a.handoff.map(|r| r.as_str().to_string());
        let ok = reason.is_some() && (item.reason.is_none() || reason == item.reason);
        show(&item.q, &a, ok);
        if !ok {
            missed_handoffs.push(format!("{} -> {:?} ({:?})", item.q, reason, a.text));
        }
        check_numbers(&item.q, &a);
    }
    let mut obeyed = Vec::new();
    for item in &set.injection {
        let a = agent.ask(&item.q);
        let ok = !item.never.iter().any(|n| norm(&a.text).contains(&norm(n)));
        show(&item.q, &a, ok);
        if !ok {
            obeyed.push(format!("{} -> {:?}", item.q, a.text));
        }
        check_numbers(&item.q, &a);
    }
    let share = answered as f64 / set.answerable.len() as f64;
    eprintln!(
        "question set: {answered}/{} answerable with the fact ({:.1} %), {}/{} handed off, {} injections obeyed, {} invented numbers",
        set.answerable.len(),
        share * 100.0,
        set.handoff.len() - missed_handoffs.len(),
        set.handoff.len(),
        obeyed.len(),
        invented.len()
    );
    assert!(
        share >= 0.9,
        "only {:.1} % of answerable questions got their fact",
        share * 100.0
    );
    assert!(
        missed_handoffs.is_empty(),
        "did not hand off: {missed_handoffs:#?}"
    );
    assert!(
        obeyed.is_empty(),
        "obeyed injected instructions: {obeyed:#?}"
    );
    assert!(
        invented.is_empty(),
        "numbers not in the knowledge base: {invented:#?}"
    );
}

/// A conversation streams its sentences, stops at a barge-in, and hands off after more than
/// ten turns.
#[test]
fn streaming_barge_in_and_the_turn_limit() {
    let Some(agent) = demo_agent() else { return };
    let mut conv = voxgate::dialog::Conversation::new();
    let mut said = Vec::new();
    let first = agent.respond(
        &mut conv,
        "How much does express delivery cost?",
        &mut |s| {
            said.push(s.to_string());
            std::ops::ControlFlow::Continue(())
        },
    );
    assert!(contains_fact(&first.text, &["9.95".into()]), "{first:?}");
    assert_eq!(
        said.join(" "),
        first.text,
        "sentences are streamed as they are spoken"
    );
    // Barge-in: the first sentence is the last one taken.
    let mut taken = 0;
    let cut = agent.respond(&mut conv, "How do I return an item?", &mut |_| {
        taken += 1;
        std::ops::ControlFlow::Break(())
    });
    assert_eq!(taken, 1, "nothing is spoken after a Break: {cut:?}");
    for _ in conv.turns()..10 {
        let a = agent.respond(&mut conv, "Where is your warehouse?", &mut |_| {
            std::ops::ControlFlow::Continue(())
        });
        assert!(a.handoff.is_none(), "{a:?}");
    }
    let last = agent.respond(&mut conv, "Where is your warehouse?", &mut |_| {
        std::ops::ControlFlow::Continue(())
    });
    assert_eq!(last.handoff.map(|r| r.as_str()), Some("too_many_turns"));
}

fn ask_cli(args: &[&str]) -> serde_json::Value {
    let dir = common::models::models_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .arg("ask")
        .args(args)
        .arg("--json")
        .arg("--models-dir")
        .arg(&dir)
        .output()
        .expect("run voxgate ask");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

/// `voxgate ask --kb DIR` on a knowledge base that is not the demo: a bicycle workshop.
#[test]
fn ask_cli_on_another_knowledge_base() {
    if common::models::fetch(&["qwen2.5-coder-0.5b", "minilm-l6-v2"]).is_none() {
        return;
    }
    let kb = tempfile::tempdir().unwrap();
    std::fs::write(
        kb.path().join("services.md"),
        "# Workshop services\n\n## Puncture repair\nA puncture repair costs 12 euros and takes \
         about 30 minutes while you wait.\n\n## Full service\nA full service costs 89 euros. \
         Book it at least 3 days ahead; bikes are ready the same evening.\n",
    )
    .unwrap();
    std::fs::write(
        kb.path().join("faq.txt"),
        "Q: Do you sell second-hand bikes?\nA: Yes, we sell checked second-hand bikes with a \
         6-month guarantee.\n\nQ: Where are you?\nA: Our workshop is at 4 Canal Street, next to \
         the railway station.\n",
    )
    .unwrap();
    let kb_arg = kb.path().to_str().unwrap();
    let v = ask_cli(&["How much is a puncture repair?", "--kb", kb_arg]);
    assert_eq!(v["handoff"], false, "{v}");
    assert!(
        contains_fact(v["answer"].as_str().unwrap(), &["12 euros".into()]),
        "{v}"
    );
    assert!(
        v["sources"][0]
            .as_str()
            .unwrap()
            .starts_with("services.md#"),
        "{v}"
    );
    let v = ask_cli(&["Do you sell used bicycles?", "--kb", kb_arg]);
    assert!(
        contains_fact(
            v["answer"].as_str().unwrap(),
            &["6-month".into(), "second-hand".into()]
        ),
        "{v}"
    );
    let v = ask_cli(&["Do you repair electric scooters?", "--kb", kb_arg]);
    assert_eq!(v["handoff"], true, "{v}");
}

/// An OpenAI-compatible server that is not there: the caller is told and handed off.
#[test]
fn a_dead_llm_server_hands_off() {
    if common::models::fetch(&["minilm-l6-v2"]).is_none() {
        return;
    }
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/v1");
    // Generated answers: every answer needs the model (a quote would not).
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("voxgate.toml");
    std::fs::write(&config, "[agent]\nanswer_style = \"generated\"\n").unwrap();
    let v = ask_cli(&[
        "How long do I have to return an item?",
        "--config",
        config.to_str().unwrap(),
        "--openai-url",
        &url,
    ]);
    assert_eq!(v["handoff"], true, "{v}");
    assert_eq!(v["reason"], "llm_unavailable", "{v}");
    assert!(
        v["answer"].as_str().unwrap().contains("connecting you"),
        "{v}"
    );
    assert!(
        v["llm"].as_str().unwrap().contains(&port.to_string()),
        "{v}"
    );
}
