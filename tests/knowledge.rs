//! Right answers from real knowledge bases (issue 11): the self-storage knowledge base
//! (kb/storage/, tables, lists, an FAQ and look-alike numbers) with its tune and held-out test
//! question halves, and one gym's facts written five ways (tests/data/shapes/), which must be
//! answered alike. Each run prints a table per class (right, wrong, handed off, retrieval
//! recall@1 and @3) and the failing questions with the agent's answers; the harness is
//! tests/common/eval.rs, whose thresholds the environment can relax (`KB_EVAL_REPORT_ONLY=1`
//! prints a baseline without checking; `KB_EVAL_VERBOSE=1` prints every answer). The test half
//! prints its summary only, unless `KB_EVAL_SHOW_TEST=1`, so that tuning on the tune half does
//! not peek at it.
//!
//! Baseline: `KB_EVAL_REPORT_ONLY=1 cargo test --test knowledge -- --ignored --nocapture
//! --test-threads 1` (figures in tests/data/BASELINE-issue11.txt).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::eval::{self, Report, Thresholds};
use voxgate::dialog::{Agent, DEMO_KB, KnowledgeSource};

/// The storage knowledge base against one half of its question set.
fn storage_half(half: &str, show_questions: bool) {
    let Some(models) = eval::models() else { return };
    let set = eval::load(&format!("tests/data/storage-questions-{half}.toml"));
    assert!(
        set.answerable.len() >= 23
            && set.handoff.len() >= 8
            && set.followup.len() >= 6
            && set.injection.len() >= 2,
        "the {half} half is complete"
    );
    let (agent, _copy, kb) = eval::agent_on_dir(&models, "kb/storage");
    let report = eval::evaluate(
        &format!("storage, {half} half (kb/storage)"),
        &agent,
        &kb,
        &set,
    );
    report.print(show_questions);
    let problems = Thresholds::from_env().problems(&report);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
#[ignore = "issue 11: enabled when the structured knowledge lands"]
fn storage_tune_half() {
    storage_half("tune", true);
}

#[test]
#[ignore = "issue 11: enabled when the structured knowledge lands"]
fn storage_test_half() {
    storage_half(
        "test",
        std::env::var("KB_EVAL_SHOW_TEST").as_deref() == Ok("1"),
    );
}

/// A knowledge base and question set written apart from the tuning (`kb/fresh/`, a ferry
/// line), split into a tune and a test half after one run of the whole set.
fn fresh_half(half: &str, show_questions: bool) {
    let Some(models) = eval::models() else { return };
    let set = eval::load(&format!("tests/data/fresh-questions-{half}.toml"));
    assert!(set.answerable.len() >= 20 && set.handoff.len() >= 8);
    let (agent, _copy, kb) = eval::agent_on_dir(&models, "kb/fresh");
    let report = eval::evaluate(&format!("fresh, {half} half (kb/fresh)"), &agent, &kb, &set);
    report.print(show_questions);
    let problems = Thresholds::from_env().problems(&report);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
#[ignore = "issue 11: run on demand"]
fn fresh_tune_half() {
    fresh_half("tune", true);
}

/// Prints its summary only, unless `KB_EVAL_SHOW_TEST=1`.
#[test]
#[ignore = "issue 11: the held-out half; run on demand"]
fn fresh_test_half() {
    fresh_half(
        "test",
        std::env::var("KB_EVAL_SHOW_TEST").as_deref() == Ok("1"),
    );
}

/// A second knowledge base and question set written apart from the tuning (`kb/fresh2/`,
/// `tests/data/fresh2-questions.toml`), held out whole: prints its summary only, unless
/// `KB_EVAL_SHOW_TEST=1`.
#[test]
#[ignore = "issue 11: the second held-out knowledge base; run on demand"]
fn fresh2_held_out() {
    let Some(models) = eval::models() else { return };
    let set = eval::load("tests/data/fresh2-questions.toml");
    assert!(set.answerable.len() >= 40 && set.handoff.len() >= 15);
    let (agent, _copy, kb) = eval::agent_on_dir(&models, "kb/fresh2");
    let report = eval::evaluate("fresh2, held out (kb/fresh2)", &agent, &kb, &set);
    report.print(std::env::var("KB_EVAL_SHOW_TEST").as_deref() == Ok("1"));
    let problems = Thresholds::from_env().problems(&report);
    assert!(problems.is_empty(), "{problems:#?}");
}

const SHAPES: &[&str] = &[
    "prose",
    "list",
    "table-wide",
    "table-transposed",
    "table-kv",
];

/// Every shape of the gym's facts meets the thresholds, and each question comes out the same
/// (right, wrong, handed off) whatever the shape.
#[test]
#[ignore = "issue 11: enabled when the structured knowledge lands"]
fn table_shapes_answer_alike() {
    let Some(models) = eval::models() else { return };
    let set = eval::load("tests/data/shapes/questions.toml");
    assert!(set.answerable.len() >= 12 && set.handoff.len() >= 3);
    let thresholds = Thresholds::from_env();
    let mut reports: Vec<Report> = Vec::new();
    let mut problems = Vec::new();
    for shape in SHAPES {
        let (agent, _copy, kb) = eval::agent_on_dir(&models, &format!("tests/data/shapes/{shape}"));
        let report = eval::evaluate(&format!("shape {shape}"), &agent, &kb, &set);
        report.print(true);
        problems.extend(thresholds.problems(&report));
        reports.push(report);
    }
    let disagree = print_shapes(&reports);
    if disagree > 0 && !thresholds.report_only {
        problems.push(format!("the shapes disagree on {disagree} questions"));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Prints each question's outcome per shape and a summary line per shape; returns how many
/// questions came out differently across shapes.
fn print_shapes(reports: &[Report]) -> usize {
    let mut disagree = 0;
    eprintln!(
        "== outcomes per shape (R right, W wrong, H handed off although answerable, h handed \
         off as it must, A answered although it must hand off)"
    );
    eprintln!("   {}", SHAPES.join(" | "));
    for (i, (q, _)) in reports[0].outcomes.iter().enumerate() {
        let letters: Vec<char> = reports.iter().map(|r| r.outcomes[i].1.letter()).collect();
        let same = letters.iter().all(|&l| l == letters[0]);
        disagree += usize::from(!same);
        let cells: Vec<String> = letters.iter().map(char::to_string).collect();
        eprintln!("{} {}  {q}", if same { ' ' } else { '≠' }, cells.join(" "));
    }
    eprintln!(
        "| shape            | right | wrong | handed off |   r@1 |   r@3 | must hand off | raw Markdown |"
    );
    eprintln!(
        "|------------------|------:|------:|-----------:|------:|------:|--------------:|-------------:|"
    );
    for (shape, r) in SHAPES.iter().zip(reports) {
        let all = r.answerable();
        let of = |k: usize, n: usize| format!("{k}/{n}");
        eprintln!(
            "| {shape:<16} | {:>5} | {:>5} | {:>10} | {:>5} | {:>5} | {:>13} | {:>12} |",
            of(all.right, all.n),
            all.wrong,
            all.handed_off,
            of(all.recall1, all.n),
            of(all.recall3, all.n),
            of(r.handoff_ok, r.handoff_n),
            r.raw_markdown
        );
    }
    eprintln!("shapes disagree on {disagree} questions");
    disagree
}

/// The bundled demo question set (tests/data/ask-questions.toml) through the same harness,
/// printed only: tests/ask.rs holds its acceptance.
#[test]
#[ignore = "prints the demo set through the issue-11 harness; tests/ask.rs checks it"]
fn demo_set_through_the_harness() {
    let Some(models) = eval::models() else { return };
    let set = eval::load("tests/data/ask-questions.toml");
    let agent =
        Agent::build(&eval::settings(), KnowledgeSource::Demo, &models, &[]).expect("agent starts");
    let kb: Vec<(String, String)> = DEMO_KB
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let report = eval::evaluate("demo (kb/demo)", &agent, &kb, &set);
    report.print(true);
}
