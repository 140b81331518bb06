//! Operator flows: what a call does, written in YAML. `parse` reads a file into a typed
//! [`Flow`] (every node and reference keeps its line), `check` finds what would strand or
//! spin a call, and `engine` runs a flow for one call, sans-IO. The JSON Schema of the
//! format is `flows/schema.json` (served by the API); the bundled demo flow is
//! `flows/demo.yaml`.

pub mod check;
mod engine;
pub mod hours;
pub mod model;
mod parse;
pub mod template;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use check::Known;
pub use engine::{Action, AgentEnd, CallFacts, FlowRun, Input, WebhookReply};
pub use model::{Flow, Needs};
pub use parse::{MAX_FLOW_BYTES, parse, valid_name};
pub use values::luhn;

/// The JSON Schema of flow files.
pub const SCHEMA: &str = include_str!("../../flows/schema.json");
/// The bundled demo flow (served when no flow directory is configured).
pub const DEMO: &str = include_str!("../../flows/demo.yaml");
/// The bundled flow of `calls.logic = "agent"`: the AI agent on every call.
pub const AGENT: &str = include_str!("../../flows/agent.yaml");
/// The bundled flow of `calls.logic = "demo"`: keys read back with built-in prompts, the
/// call recorded; no model.
pub const KEYPAD: &str = include_str!("../../flows/keypad.yaml");
/// The bundled flow of `calls.logic = "transcribe"`: silent transcription.
pub const TRANSCRIBE: &str = include_str!("../../flows/transcribe.yaml");

/// How bad a problem is: errors refuse the flow, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The flow is refused.
    Error,
    /// Worth fixing; the flow runs.
    Warning,
}

/// One problem of a flow file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The line (1-based).
    pub line: usize,
    /// The node it is in, if any.
    pub node: Option<String>,
    /// What is wrong, in words an operator can act on.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {sev}: ", self.line)?;
        if let Some(n) = &self.node {
            write!(f, "node `{n}`: ")?;
        }
        f.write_str(&self.reason)
    }
}

/// A flow file's problems, with the file's name.
#[derive(Debug, Clone)]
pub struct FileProblems {
    /// The file.
    pub file: PathBuf,
    /// Its problems, errors first within a line.
    pub problems: Vec<Problem>,
}

impl FileProblems {
    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

impl fmt::Display for FileProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.problems {
            writeln!(f, "{}:{p}", self.file.display())?;
        }
        Ok(())
    }
}

/// Flows by name, shared by the calls that run them.
#[derive(Debug, Clone, Default)]
pub struct FlowSet {
    flows: BTreeMap<String, Arc<Flow>>,
}

impl FlowSet {
    /// A set of these flows.
    pub fn new(flows: impl IntoIterator<Item = Flow>) -> FlowSet {
        FlowSet {
            flows: flows
                .into_iter()
                .map(|f| (f.name.clone(), Arc::new(f)))
                .collect(),
        }
    }

    /// The flow named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<Flow>> {
        self.flows.get(name).cloned()
    }

    /// The flows' names.
    pub fn names(&self) -> BTreeSet<String> {
        self.flows.keys().cloned().collect()
    }

    /// This set with `flow` added or replacing the flow of its name.
    pub fn with(&self, flow: Flow) -> FlowSet {
        let mut flows = self.flows.clone();
        flows.insert(flow.name.clone(), Arc::new(flow));
        FlowSet { flows }
    }

    /// The flows, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Flow>> {
        self.flows.values()
    }

    /// What running these flows takes.
    pub fn needs(&self) -> model::Needs {
        self.iter()
            .fold(model::Needs::default(), |n, f| n.and(model::Needs::of(f)))
    }
}

/// Parses and checks one flow's text against `known` and the other flows of `set` (for
/// subflows); returns it, or its problems. Warnings alone do not refuse it.
pub fn check_source(
    text: &str,
    set: &FlowSet,
    known: &Known,
) -> Result<(Flow, Vec<Problem>), Vec<Problem>> {
    let flow = parse(text)?;
    let mut k = known.clone();
    let mut names = set.names();
    names.insert(flow.name.clone());
    k.flows = Some(names);
    let problems = check::check(&flow, &k);
    if problems.iter().any(|p| p.severity == Severity::Error) {
        return Err(problems);
    }
    Ok((flow, problems))
}

/// Reads, parses and checks flow files together (subflows may name each other). Returns
/// the flows when no file has an error, and every file's problems (warnings too).
pub fn load_files(files: &[PathBuf], known: &Known) -> (Option<FlowSet>, Vec<FileProblems>) {
    let mut parsed = Vec::new();
    let mut reports = Vec::new();
    for file in files {
        let read = read_limited(file);
        match read.and_then(|t| parse(&t)) {
            Ok(flow) => parsed.push((file.clone(), flow)),
            Err(problems) => reports.push(FileProblems {
                file: file.clone(),
                problems,
            }),
        }
    }
    let mut names: BTreeSet<String> = known.flows.clone().unwrap_or_default();
    for (file, flow) in &parsed {
        if !names.insert(flow.name.clone()) {
            reports.push(FileProblems {
                file: file.clone(),
                problems: vec![Problem::error(
                    1,
                    None,
                    format!("another file also defines flow `{}`", flow.name),
                )],
            });
        }
    }
    for (file, flow) in &parsed {
        let mut k = known.clone();
        k.flows = Some(names.clone());
        if k.prompt_dir.is_none() {
            k.prompt_dir = file.parent().map(Path::to_path_buf);
        }
        let problems = check::check(flow, &k);
        if !problems.is_empty() {
            reports.push(FileProblems {
                file: file.clone(),
                problems,
            });
        }
    }
    let ok = !reports.iter().any(FileProblems::has_errors);
    let set = ok.then(|| FlowSet::new(parsed.into_iter().map(|(_, f)| f)));
    (set, reports)
}

fn read_limited(file: &Path) -> Result<String, Vec<Problem>> {
    let fail = |reason: String| vec![Problem::error(1, None, reason)];
    let meta = std::fs::metadata(file).map_err(|e| fail(format!("cannot read: {e}")))?;
    if meta.len() > MAX_FLOW_BYTES as u64 {
        return Err(fail(format!(
            "the file is over {} KiB",
            MAX_FLOW_BYTES / 1024
        )));
    }
    std::fs::read_to_string(file).map_err(|e| fail(format!("cannot read: {e}")))
}

#[cfg(test)]
mod tests;
