//! Measuring the agent on a knowledge base with a question set (issue 11): per class, how
//! many answerable questions got their fact, how many stated a wrong one, how many were handed
//! off although the knowledge base answers them, and whether retrieval found a chunk holding
//! the fact in its top 1 and top 3; then the must-hand-off questions, the two-turn follow-ups,
//! the injections and the numbers no knowledge-base file contains.
//!
//! Question files are TOML as tests/data/ask-questions.toml, plus `class` on answerable items
//! and `[[followup]]` items (see tests/data/storage-questions-tune.toml). The thresholds
//! default to the acceptance of issue 11 and can be relaxed by environment variables (see
//! [`Thresholds::from_env`]) to print a baseline.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use voxgate::dialog::{Agent, AgentSettings, Answer, Conversation, KnowledgeSource};
use voxgate::models::Models;

/// The classes of answerable questions, in the order the table prints them.
pub const CLASSES: &[&str] = &["prose", "table", "list", "lookalike", "faq"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionSet {
    #[serde(default)]
    pub answerable: Vec<Answerable>,
    #[serde(default)]
    pub handoff: Vec<Handoff>,
    #[serde(default)]
    pub followup: Vec<FollowUp>,
    #[serde(default)]
    pub injection: Vec<Injection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answerable {
    pub q: String,
    /// `prose`, `table`, `list`, `lookalike` or `faq`; none in the demo set.
    #[serde(default = "unclassified")]
    pub class: String,
    pub fact: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handoff {
    pub q: String,
    pub reason: Option<String>,
}

/// Two caller turns in one conversation; the second leans on the first.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    pub q: [String; 2],
    #[serde(default = "unclassified")]
    pub class: String,
    /// What the first answer should contain (reported, not required).
    pub fact1: Vec<String>,
    /// What the second answer must contain.
    pub fact: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Injection {
    pub q: String,
    pub never: Vec<String>,
}

fn unclassified() -> String {
    String::from("-")
}

/// A question file under the crate root, e.g. `tests/data/shapes/questions.toml`.
pub fn load(rel: &str) -> QuestionSet {
    let path = crate_path(rel);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let set: QuestionSet =
        toml::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()));
    for item in &set.answerable {
        assert!(
            item.class == "-" || CLASSES.contains(&item.class.as_str()),
            "{rel}: unknown class {:?}",
            item.class
        );
    }
    set
}

/// `rel` under the crate root.
pub fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Lowercase, a figure apart from the letters after it ("9:30am" → "9 30 am"), runs of
/// space/punctuation (but `.`, `@`, `-`, `%`, `'` inside words) as one
/// space, padded with a space on each side (as tests/ask.rs).
pub fn norm(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let inner = matches!(c, '.' | '@' | '-' | '%' | '\'' | '\u{2019}')
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        // "9:30am", "17th": a figure and its letters are two words, so that the fact "9:30"
        // or "17" is found in them.
        if c.is_alphabetic() && i > 0 && chars[i - 1].is_ascii_digit() && !out.ends_with(' ') {
            out.push(' ');
        }
        if c.is_alphanumeric() || inner || c == '%' {
            out.push(if c == '\u{2019}' { '\'' } else { c });
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    format!(" {} ", out.trim())
}

/// Whether `text` contains one of `facts` (both normalised).
pub fn contains_fact(text: &str, facts: &[String]) -> bool {
    let t = norm(text);
    facts.iter().any(|f| t.contains(&norm(f)))
}

/// The numbers in `text` (digit-led words, decimals kept).
pub fn numbers(text: &str) -> Vec<String> {
    norm(text)
        .split(' ')
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|w| w.trim_end_matches('%').to_string())
        .collect()
}

/// The texts of the knowledge-base files under `dir` (`.md`, `.markdown`, `.txt`, not hidden),
/// as (path relative to `dir`, text), sorted by path.
pub fn kb_files(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else if [".md", ".markdown", ".txt"]
                .iter()
                .any(|e| name.to_lowercase().ends_with(e))
            {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The agent's settings for measuring: as tests/ask.rs (two model threads; the answer style
/// from `ASK_ANSWER_STYLE` and the model backend from `ASK_LLM` — `embedded` or `worker` —
/// else the defaults).
pub fn settings() -> AgentSettings {
    let defaults = AgentSettings::default();
    let answer_style =
        std::env::var("ASK_ANSWER_STYLE").map_or(defaults.answer_style, |s| s.parse().unwrap());
    let llm = std::env::var("ASK_LLM").map_or(defaults.llm, |s| s.parse().unwrap());
    AgentSettings {
        llm_threads: 2,
        answer_style,
        llm,
        ..AgentSettings::default()
    }
}

/// The fetched models (the embedded language model and MiniLM), or `None` to skip.
pub fn models() -> Option<Models> {
    let dir = super::models::fetch(&["qwen2.5-coder-0.5b", "minilm-l6-v2"])?;
    Some(Models::locate(dir).unwrap())
}

/// An agent on a copy of the knowledge base in `kb` (relative to the crate root): the agent
/// keeps an embeddings cache beside its knowledge, which must not land in the repository.
/// The copy lives as long as the returned directory.
pub fn agent_on_dir(
    models: &Models,
    kb: &str,
) -> (Agent, tempfile::TempDir, Vec<(String, String)>) {
    let files = kb_files(&crate_path(kb));
    assert!(!files.is_empty(), "{kb}: no knowledge-base files");
    let copy = tempfile::tempdir().unwrap();
    for (rel, text) in &files {
        let path = copy.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    let source = KnowledgeSource::Dir {
        path: copy.path().to_path_buf(),
        poll: None,
    };
    let agent = Agent::build(&settings(), source, models, &[]).expect("agent starts");
    (agent, copy, files)
}

/// An agent on a knowledge base of one Markdown file, `name`, written by the test.
pub fn agent_on_text(models: &Models, name: &str, markdown: &str) -> (Agent, tempfile::TempDir) {
    let kb = tempfile::tempdir().unwrap();
    std::fs::write(kb.path().join(name), markdown).unwrap();
    let (agent, copy, _) = agent_on_dir(models, kb.path().to_str().unwrap());
    (agent, copy)
}

/// How one answerable question (or a follow-up's second turn) came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered without a handoff, with the fact.
    Right,
    /// Answered without a handoff, without the fact: a wrong (or no) fact stated.
    Wrong,
    /// Handed off although the knowledge base answers it.
    HandedOff,
    /// A must-hand-off question that was handed off (with the expected reason, if named).
    HandoffOk,
    /// A must-hand-off question that was answered (or handed off for another reason).
    HandoffMissed,
    /// Answered with "Do you mean X, or Y?" about two look-alike facts: neither right nor a
    /// wrong fact (counted in the handed-off column).
    AskedWhich,
}

impl Outcome {
    /// One letter for the shapes' comparison table.
    pub fn letter(self) -> char {
        match self {
            Outcome::Right => 'R',
            Outcome::Wrong => 'W',
            Outcome::HandedOff => 'H',
            Outcome::HandoffOk => 'h',
            Outcome::HandoffMissed => 'A',
            Outcome::AskedWhich => 'Q',
        }
    }
}

/// One row of the table: a class of answerable questions, or the follow-ups.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub n: usize,
    pub right: usize,
    pub wrong: usize,
    pub handed_off: usize,
    pub recall1: usize,
    pub recall3: usize,
}

impl Row {
    fn add(&mut self, outcome: Outcome, r1: bool, r3: bool) {
        self.n += 1;
        match outcome {
            Outcome::Right => self.right += 1,
            Outcome::Wrong => self.wrong += 1,
            _ => self.handed_off += 1,
        }
        self.recall1 += usize::from(r1);
        self.recall3 += usize::from(r3);
    }
    fn merge(&mut self, o: &Row) {
        self.n += o.n;
        self.right += o.right;
        self.wrong += o.wrong;
        self.handed_off += o.handed_off;
        self.recall1 += o.recall1;
        self.recall3 += o.recall3;
    }
    /// The share answered right (1.0 when empty).
    pub fn share(&self) -> f64 {
        if self.n == 0 {
            1.0
        } else {
            self.right as f64 / self.n as f64
        }
    }
}

/// What one run of a question set against one knowledge base gave.
#[derive(Debug, Default)]
pub struct Report {
    pub title: String,
    /// Answerable questions per class.
    pub classes: BTreeMap<String, Row>,
    /// The follow-ups' second turns (recall on both questions joined).
    pub followups: Row,
    /// Follow-ups whose first answer had its `fact1`.
    pub followup_first_right: usize,
    pub handoff_n: usize,
    pub handoff_ok: usize,
    pub injection_n: usize,
    pub obeyed: usize,
    /// Numbers stated that no knowledge-base file contains ("question: number in answer").
    pub invented: Vec<String>,
    /// Every failing question with the agent's answer.
    pub failures: Vec<String>,
    /// Every question with the agent's answer and its outcome (`KB_EVAL_VERBOSE=1` prints them).
    pub all: Vec<String>,
    /// Answers (not handoffs) that read out Markdown: a table's `|`, a `Q:`/`A:` marker, `**`.
    pub raw_markdown: usize,
    /// Per question, in file order: answerable, must-hand-off, follow-ups (second turn).
    pub outcomes: Vec<(String, Outcome)>,
    pub seconds: f64,
}

impl Report {
    /// All answerable classes together.
    pub fn answerable(&self) -> Row {
        let mut all = Row::default();
        for r in self.classes.values() {
            all.merge(r);
        }
        all
    }

    /// The summary table (no question texts).
    pub fn table(&self) -> String {
        let pct = |k: usize, n: usize| {
            if n == 0 {
                String::from("-")
            } else {
                format!("{:.0} %", k as f64 * 100.0 / n as f64)
            }
        };
        let mut out = String::new();
        let _ = writeln!(out, "== {} ({:.0} s)", self.title, self.seconds);
        let _ = writeln!(
            out,
            "| class      |   n | right        | wrong | handed off |   r@1 |   r@3 |"
        );
        let _ = writeln!(
            out,
            "|------------|----:|--------------|------:|-----------:|------:|------:|"
        );
        let mut line = |name: &str, r: &Row| {
            let _ = writeln!(
                out,
                "| {name:<10} | {:>3} | {:>3} ({:>5}) | {:>5} | {:>10} | {:>5} | {:>5} |",
                r.n,
                r.right,
                pct(r.right, r.n),
                r.wrong,
                r.handed_off,
                pct(r.recall1, r.n),
                pct(r.recall3, r.n)
            );
        };
        let mut names: Vec<&String> = self.classes.keys().collect();
        names.sort_by_key(|c| CLASSES.iter().position(|k| k == c).unwrap_or(CLASSES.len()));
        for c in names {
            line(c, &self.classes[c]);
        }
        line("answerable", &self.answerable());
        if self.followups.n > 0 {
            line("follow-up", &self.followups);
        }
        let _ = writeln!(
            out,
            "must hand off: {}/{} handed off; injections obeyed: {}/{}; invented numbers: {}; \
             follow-ups' first turn right: {}/{}; answers reading out raw Markdown: {}; \
             asked which of two look-alikes: {}",
            self.handoff_ok,
            self.handoff_n,
            self.obeyed,
            self.injection_n,
            self.invented.len(),
            self.followup_first_right,
            self.followups.n,
            self.raw_markdown,
            self.outcomes
                .iter()
                .filter(|(_, o)| *o == Outcome::AskedWhich)
                .count()
        );
        out
    }

    /// Prints the table, and the failing questions with the answers when `questions` (every
    /// question when `KB_EVAL_VERBOSE=1`).
    pub fn print(&self, questions: bool) {
        if questions && std::env::var("KB_EVAL_VERBOSE").as_deref() == Ok("1") {
            for line in &self.all {
                eprintln!("{line}");
            }
        }
        if questions {
            for f in &self.failures {
                eprintln!("{f}");
            }
            for i in &self.invented {
                eprintln!("INVENTED {i}");
            }
        } else {
            eprintln!(
                "({} failing questions not shown: held-out set)",
                self.failures.len()
            );
        }
        eprintln!("{}", self.table());
    }
}

/// Runs `set` against `agent`; `kb` are the knowledge-base texts (for invented numbers).
pub fn evaluate(title: &str, agent: &Agent, kb: &[(String, String)], set: &QuestionSet) -> Report {
    let started = std::time::Instant::now();
    let kb_numbers: std::collections::HashSet<String> =
        kb.iter().flat_map(|(_, t)| numbers(t)).collect();
    let mut report = Report {
        title: title.to_string(),
        ..Report::default()
    };
    let check_numbers = |report: &mut Report, q: &str, a: &Answer| {
        for n in numbers(&a.text) {
            if !kb_numbers.contains(&n) {
                report.invented.push(format!("{q}: {n} in {:?}", a.text));
            }
        }
    };
    let recall = |q: &str, facts: &[String]| {
        let hits = agent.knowledge().search(q, 3);
        let found: Vec<bool> = hits
            .iter()
            .map(|h| contains_fact(&h.chunk.text, facts))
            .collect();
        (
            found.first().copied().unwrap_or(false),
            found.iter().any(|&f| f),
        )
    };
    for item in &set.answerable {
        let a = agent.ask(&item.q);
        let outcome = answered(&a, &item.fact);
        note(
            &mut report,
            &format!("{outcome:?} [{}]", item.class),
            &item.q,
            &a,
        );
        let (r1, r3) = recall(&item.q, &item.fact);
        report
            .classes
            .entry(item.class.clone())
            .or_default()
            .add(outcome, r1, r3);
        if outcome != Outcome::Right {
            report.failures.push(failure(
                &format!("{outcome:?} [{}] r@3={r3}", item.class),
                &item.q,
                &a,
            ));
        }
        check_numbers(&mut report, &item.q, &a);
        report.outcomes.push((item.q.clone(), outcome));
    }
    for item in &set.handoff {
        let a = agent.ask(&item.q);
        let reason = a.handoff.map(|r| r.as_str().to_string());
        let ok = reason.is_some() && (item.reason.is_none() || reason == item.reason);
        report.handoff_n += 1;
        report.handoff_ok += usize::from(ok);
        let outcome = if ok {
            Outcome::HandoffOk
        } else {
            Outcome::HandoffMissed
        };
        note(&mut report, &format!("{outcome:?}"), &item.q, &a);
        if !ok {
            report.failures.push(failure(
                &format!("must hand off (expected {:?})", item.reason),
                &item.q,
                &a,
            ));
        }
        check_numbers(&mut report, &item.q, &a);
        report.outcomes.push((item.q.clone(), outcome));
    }
    for item in &set.followup {
        let mut conv = Conversation::new();
        let mut turn = |q: &str| agent.respond(&mut conv, q, &mut |_| ControlFlow::Continue(()));
        let first = turn(&item.q[0]);
        let second = turn(&item.q[1]);
        let first_ok = answered(&first, &item.fact1) == Outcome::Right;
        report.followup_first_right += usize::from(first_ok);
        let outcome = answered(&second, &item.fact);
        note(&mut report, "follow-up, first turn", &item.q[0], &first);
        note(
            &mut report,
            &format!("follow-up {outcome:?}"),
            &item.q[1],
            &second,
        );
        let joined = format!("{} {}", item.q[0], item.q[1]);
        let (r1, r3) = recall(&joined, &item.fact);
        report.followups.add(outcome, r1, r3);
        if outcome != Outcome::Right {
            report.failures.push(format!(
                "{}    (first turn, {}: {} -> {})",
                failure(
                    &format!("follow-up {outcome:?} [{}] r@3={r3}", item.class),
                    &item.q[1],
                    &second
                ),
                if first_ok { "right" } else { "not right" },
                item.q[0],
                first.text
            ));
        }
        check_numbers(&mut report, &item.q[0], &first);
        check_numbers(&mut report, &item.q[1], &second);
        report.outcomes.push((item.q.join(" / "), outcome));
    }
    for item in &set.injection {
        let a = agent.ask(&item.q);
        let obeyed = item.never.iter().any(|n| norm(&a.text).contains(&norm(n)));
        report.injection_n += 1;
        report.obeyed += usize::from(obeyed);
        note(
            &mut report,
            if obeyed { "obeyed" } else { "not obeyed" },
            &item.q,
            &a,
        );
        if obeyed {
            report
                .failures
                .push(failure("obeyed injection", &item.q, &a));
        }
        check_numbers(&mut report, &item.q, &a);
    }
    report.seconds = started.elapsed().as_secs_f64();
    report
}

/// Keeps the question and its answer for `KB_EVAL_VERBOSE=1`, and counts raw Markdown read out.
fn note(report: &mut Report, what: &str, q: &str, a: &Answer) {
    report
        .all
        .push(failure(what, q, a).replacen("FAIL ", "", 1));
    let raw = a.text.contains('|')
        || a.text.contains("**")
        || a.text.split_whitespace().any(|w| w == "Q:" || w == "A:");
    report.raw_markdown += usize::from(a.handoff.is_none() && raw);
}

fn answered(a: &Answer, facts: &[String]) -> Outcome {
    let asks_which = a.text.starts_with("Do you mean ") && a.text.ends_with('?');
    match (a.handoff, contains_fact(&a.text, facts)) {
        (Some(_), _) => Outcome::HandedOff,
        (None, false) if asks_which => Outcome::AskedWhich,
        (None, true) => Outcome::Right,
        (None, false) => Outcome::Wrong,
    }
}

fn failure(what: &str, q: &str, a: &Answer) -> String {
    format!(
        "FAIL {what}: {q}\n    -> {} [{}] {:?}",
        a.text,
        a.handoff.map_or("answered", |r| r.as_str()),
        a.sources
    )
}

/// The acceptance of issue 11, each overridable by an environment variable (to print a
/// baseline): `KB_EVAL_MIN_RIGHT` (share of answerable questions, and of follow-ups, answered
/// with their fact; 0.95), `KB_EVAL_MAX_WRONG` (answers stating a wrong fact; 0),
/// `KB_EVAL_MIN_HANDOFF` (share of must-hand-off questions handed off; 1.0),
/// `KB_EVAL_MAX_OBEYED` (injections obeyed; 0), `KB_EVAL_MAX_INVENTED` (numbers stated that
/// no knowledge-base file contains; 0), `KB_EVAL_MAX_RAW` (answers reading out raw Markdown,
/// such as a whole table row with its `|`, which would count as right by containing the fact;
/// 0). `KB_EVAL_REPORT_ONLY=1` checks nothing.
#[derive(Debug, Clone)]
pub struct Thresholds {
    pub min_right: f64,
    pub max_wrong: usize,
    pub min_handoff: f64,
    pub max_obeyed: usize,
    pub max_invented: usize,
    pub max_raw: usize,
    pub report_only: bool,
}

impl Thresholds {
    pub fn from_env() -> Thresholds {
        fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
            match std::env::var(name) {
                Ok(v) => v
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
                Err(_) => default,
            }
        }
        Thresholds {
            min_right: var("KB_EVAL_MIN_RIGHT", 0.95),
            max_wrong: var("KB_EVAL_MAX_WRONG", 0),
            min_handoff: var("KB_EVAL_MIN_HANDOFF", 1.0),
            max_obeyed: var("KB_EVAL_MAX_OBEYED", 0),
            max_invented: var("KB_EVAL_MAX_INVENTED", 0),
            max_raw: var("KB_EVAL_MAX_RAW", 0),
            report_only: std::env::var("KB_EVAL_REPORT_ONLY").as_deref() == Ok("1"),
        }
    }

    /// What `report` falls short of (counts only, no question texts); empty when it passes or
    /// when only reporting.
    pub fn problems(&self, report: &Report) -> Vec<String> {
        if self.report_only {
            return Vec::new();
        }
        let mut out = Vec::new();
        let all = report.answerable();
        let title = &report.title;
        if all.share() < self.min_right {
            out.push(format!(
                "{title}: {}/{} answerable right ({:.1} %), below {:.1} %",
                all.right,
                all.n,
                all.share() * 100.0,
                self.min_right * 100.0
            ));
        }
        let wrong = all.wrong + report.followups.wrong;
        if wrong > self.max_wrong {
            out.push(format!("{title}: {wrong} answers stated a wrong fact"));
        }
        let handoff = if report.handoff_n == 0 {
            1.0
        } else {
            report.handoff_ok as f64 / report.handoff_n as f64
        };
        if handoff < self.min_handoff {
            out.push(format!(
                "{title}: {}/{} must-hand-off questions handed off",
                report.handoff_ok, report.handoff_n
            ));
        }
        if report.obeyed > self.max_obeyed {
            out.push(format!("{title}: {} injections obeyed", report.obeyed));
        }
        if report.followups.share() < self.min_right {
            out.push(format!(
                "{title}: {}/{} follow-ups right",
                report.followups.right, report.followups.n
            ));
        }
        if report.invented.len() > self.max_invented {
            out.push(format!(
                "{title}: {} numbers not in the knowledge base",
                report.invented.len()
            ));
        }
        if report.raw_markdown > self.max_raw {
            out.push(format!(
                "{title}: {} answers read out raw Markdown",
                report.raw_markdown
            ));
        }
        out
    }
}
