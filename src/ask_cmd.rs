//! `voxgate ask`: one text turn through the agent — retrieval, the language model and the
//! guardrails — against a knowledge directory (the bundled demo when none is given). Prints
//! the answer, its sources and whether and why it would hand off; `--json` prints one object.

use std::ops::ControlFlow;

use anyhow::Context;
use voxgate::config::{Config, Overrides};
use voxgate::dialog::{Agent, Answer, KnowledgeSource};
use voxgate::models::{self, Models};

use crate::cli::AskArgs;

pub(crate) fn ask(args: &AskArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.as_deref(), &Overrides::default())?;
    if args.verbose {
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .init();
    }
    let mut settings = config.agent.clone();
    if let Some(llm) = &args.llm {
        settings.llm = llm
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--llm: {e}"))?;
    }
    if let Some(url) = &args.openai_url {
        settings.llm = voxgate::dialog::LlmBackend::Openai;
        settings.openai.base_url = url.clone();
    }
    let dir = args
        .models_dir
        .clone()
        .unwrap_or_else(models::default_models_dir);
    let models = Models::locate(dir)?;
    let source = match &args.kb {
        Some(path) => {
            anyhow::ensure!(path.is_dir(), "--kb {}: not a directory", path.display());
            KnowledgeSource::Dir {
                path: path.clone(),
                poll: None,
            }
        }
        None => KnowledgeSource::Demo,
    };
    let agent = Agent::build(&settings, source, &models, &settings.tools)
        .context("cannot set up the agent")?;
    let mut conv = voxgate::dialog::Conversation::new();
    for question in &args.questions {
        let answer = agent.respond(&mut conv, question, &mut |_| ControlFlow::Continue(()));
        if args.json {
            print_json(&agent, &answer);
        } else {
            print_text(&args.questions, question, &answer);
        }
    }
    Ok(())
}

/// One answer as one JSON line.
fn print_json(agent: &Agent, answer: &Answer) {
    let t = &answer.timings;
    let obj = serde_json::json!({
        "answer": answer.text,
        "handoff": answer.handoff.is_some(),
        "reason": answer.handoff.map(|r| r.as_str()),
        "sources": answer.sources,
        "llm": agent.llm_name(),
        "timings": {
            "retrieval_ms": t.retrieval_ms,
            "llm_first_token_ms": t.llm_first_token_ms,
            "first_sentence_ms": t.first_sentence_ms,
            "total_ms": t.total_ms,
        },
    });
    println!("{obj}");
}

/// One answer as text; with several questions each is shown before its answer.
fn print_text(all: &[String], question: &str, answer: &Answer) {
    if all.len() > 1 {
        println!("> {question}");
    }
    println!("{}", answer.text);
    if !answer.sources.is_empty() {
        println!("sources: {}", answer.sources.join(", "));
    }
    match answer.handoff {
        Some(r) => println!("handoff: yes ({})", r.as_str()),
        None => println!("handoff: no"),
    }
}
