//! What `voxgate flows check` finds in a flow that parsed: references to nodes that do not
//! exist, nodes no call can reach, nodes a call cannot leave, loops that never wait for the
//! caller, missing prompt files, unknown knowledge bases, queues, subflows and variables.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use super::model::{BUILTIN, Flow, Kind, Node, Prompt, TransferTo};
use super::{Problem, Severity};

/// Variables every call has.
pub const BUILTIN_VARS: &[&str] = &["caller", "dialled", "utterance", "handoff", "language"];

/// The names a flow may refer to outside itself. `None` leaves that kind unchecked.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Knowledge bases by name.
    pub kbs: Option<BTreeSet<String>>,
    /// Queues by name.
    pub queues: Option<BTreeSet<String>>,
    /// Other flows (for `subflow`).
    pub flows: Option<BTreeSet<String>>,
    /// Where `play:` files are looked up; unchecked when `None`.
    pub prompt_dir: Option<std::path::PathBuf>,
}

/// Every problem of `flow`, errors and warnings, in line order.
pub fn check(flow: &Flow, known: &Known) -> Vec<Problem> {
    let mut out = Vec::new();
    let has = |n: &str| flow.nodes.contains_key(n);
    if !has(&flow.start.node) {
        out.push(err(
            flow.start.line,
            None,
            format!("`start: {}` names no node", flow.start.node),
        ));
    }
    if let Some(t) = flow.on_crisis.as_ref().filter(|t| !has(&t.node)) {
        out.push(err(
            t.line,
            None,
            format!("`on_crisis: {}` names no node", t.node),
        ));
    }
    let vars = assigned_vars(flow);
    for node in flow.nodes.values() {
        let name = Some(node.name.clone());
        for t in node.targets() {
            if !has(&t.node) {
                out.push(err(
                    t.line,
                    name.clone(),
                    format!(
                        "goes to `{}`, which is not a node of this flow{}",
                        t.node,
                        near(flow, &t.node)
                    ),
                ));
            }
        }
        if node.next.is_none() && needs_next(&node.kind) {
            out.push(err(
                node.line,
                name.clone(),
                format!(
                    "a call has nowhere to go after this `{}` node: add `next`",
                    node.kind.key()
                ),
            ));
        }
        refs(node, known, &mut out);
        for p in node.prompts() {
            prompt(node, p, known.prompt_dir.as_deref(), &vars, &mut out);
        }
        templates(node, &vars, &mut out);
    }
    unreachable(flow, &mut out);
    loops(flow, &mut out);
    out.sort_by_key(|p| (p.line, p.severity == Severity::Warning));
    out
}

fn err(line: usize, node: Option<String>, reason: String) -> Problem {
    Problem::error(line, node, reason)
}

fn warn(line: usize, node: Option<String>, reason: String) -> Problem {
    Problem {
        severity: Severity::Warning,
        line,
        node,
        reason,
    }
}

/// " (did you mean `x`?)" when a node's name differs only in case, `-`/`_` or one letter.
fn near(flow: &Flow, name: &str) -> String {
    let fold = |s: &str| s.to_lowercase().replace('-', "_");
    flow.nodes
        .keys()
        .find(|k| fold(k) == fold(name) || edit_distance(k, name) == 1)
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    // Optimal string alignment: a swap of two neighbouring letters ("mneu") counts once.
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Kinds that continue with `next` and have no other way on.
fn needs_next(kind: &Kind) -> bool {
    matches!(
        kind,
        Kind::Prompt(_) | Kind::Collect(_) | Kind::Set(_) | Kind::Webhook(_) | Kind::Subflow(_)
    )
}

fn refs(node: &Node, known: &Known, out: &mut Vec<Problem>) {
    let name = Some(node.name.clone());
    let missing =
        |set: &Option<BTreeSet<String>>, n: &str| set.as_ref().is_some_and(|s| !s.contains(n));
    let list = |set: &Option<BTreeSet<String>>| {
        set.as_ref()
            .map(|s| s.iter().cloned().collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    match &node.kind {
        Kind::Agent(a) if missing(&known.kbs, &a.kb) => out.push(err(
            node.line,
            name,
            format!("no knowledge base `{}` (known: {})", a.kb, list(&known.kbs)),
        )),
        Kind::Transfer(t) => {
            if let TransferTo::Queue { name: q, .. } = &t.to
                && missing(&known.queues, q)
            {
                out.push(err(
                    node.line,
                    name,
                    format!("no queue `{q}` (known: {})", list(&known.queues)),
                ));
            }
        }
        Kind::Subflow(s) if missing(&known.flows, &s.flow) => out.push(err(
            s.line,
            name,
            format!(
                "no flow `{}` to run as a subflow (known: {})",
                s.flow,
                list(&known.flows)
            ),
        )),
        Kind::Menu(m) => {
            if m.options.is_empty() {
                out.push(err(
                    node.line,
                    name.clone(),
                    "the menu offers no options".into(),
                ));
            }
            let mut seen = HashSet::new();
            for (choice, t) in &m.options {
                if !seen.insert(choice.as_str()) {
                    out.push(err(
                        t.line,
                        name.clone(),
                        format!("option `{choice}` is offered twice"),
                    ));
                }
            }
        }
        _ => {}
    }
}

fn prompt(
    node: &Node,
    p: &Prompt,
    dir: Option<&Path>,
    vars: &BTreeSet<String>,
    out: &mut Vec<Problem>,
) {
    let name = Some(node.name.clone());
    match p {
        Prompt::Play(file) if file.starts_with(BUILTIN) => {
            let builtin = &file[BUILTIN.len()..];
            if !crate::media::builtin_names().any(|n| n == builtin) {
                let all: Vec<&str> = crate::media::builtin_names().collect();
                out.push(err(
                    node.line,
                    name,
                    format!(
                        "no built-in prompt `{builtin}` (built in: {})",
                        all.join(", ")
                    ),
                ));
            }
        }
        Prompt::Play(file) => {
            let path = Path::new(file);
            if path.is_absolute()
                || path
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir))
            {
                out.push(err(
                    node.line,
                    name,
                    format!("`play: {file}` must be a path inside the flow's directory"),
                ));
            } else if let Some(dir) = dir
                && !dir.join(path).is_file()
            {
                out.push(err(
                    node.line,
                    name,
                    format!("prompt file `{file}` not found in {}", dir.display()),
                ));
            }
        }
        Prompt::Say(text) | Prompt::Spell(text) => unknown_vars(node, text, vars, out),
    }
}

fn templates(node: &Node, vars: &BTreeSet<String>, out: &mut Vec<Problem>) {
    match &node.kind {
        Kind::Webhook(w) => unknown_vars(node, &w.url, vars, out),
        Kind::Set(pairs) => {
            for (_, v) in pairs {
                unknown_vars(node, v, vars, out);
            }
        }
        _ => {}
    }
}

fn unknown_vars(node: &Node, text: &str, vars: &BTreeSet<String>, out: &mut Vec<Problem>) {
    for v in super::template::names(text) {
        let root = v.split('.').next().unwrap_or(v);
        if !vars.contains(root) && !BUILTIN_VARS.contains(&root) {
            out.push(err(
                node.line,
                Some(node.name.clone()),
                format!(
                    "`{{{v}}}` is never set (collect `into`, `set` or webhook `into` set variables)"
                ),
            ));
        }
    }
}

fn assigned_vars(flow: &Flow) -> BTreeSet<String> {
    let mut vars = BTreeSet::new();
    for node in flow.nodes.values() {
        match &node.kind {
            Kind::Collect(c) => {
                vars.insert(c.into.clone());
            }
            Kind::Set(pairs) => vars.extend(pairs.iter().map(|(k, _)| k.clone())),
            Kind::Webhook(w) => vars.extend(w.into.clone()),
            _ => {}
        }
    }
    vars
}

fn unreachable(flow: &Flow, out: &mut Vec<Problem>) {
    let mut seen = BTreeSet::new();
    let mut stack = vec![flow.start.node.as_str()];
    stack.extend(flow.on_crisis.as_ref().map(|t| t.node.as_str()));
    while let Some(n) = stack.pop() {
        if !seen.insert(n) {
            continue;
        }
        if let Some(node) = flow.nodes.get(n) {
            stack.extend(node.targets().into_iter().map(|t| t.node.as_str()));
        }
    }
    for node in flow
        .nodes
        .values()
        .filter(|n| !seen.contains(n.name.as_str()))
    {
        out.push(warn(
            node.line,
            Some(node.name.clone()),
            "no call can reach this node".into(),
        ));
    }
}

/// Cycles through nodes none of which waits for the caller: a call would spin there.
fn loops(flow: &Flow, out: &mut Vec<Problem>) {
    let edges: BTreeMap<&str, Vec<&str>> = flow
        .nodes
        .values()
        .filter(|n| !n.kind.takes_input())
        .map(|n| {
            let to = n.targets().into_iter().map(|t| t.node.as_str());
            (
                n.name.as_str(),
                to.filter(|t| flow.nodes.get(*t).is_some_and(|x| !x.kind.takes_input()))
                    .collect(),
            )
        })
        .collect();
    // Iterative depth-first search with colours; each cycle reported at its first node.
    let mut colour: BTreeMap<&str, u8> = BTreeMap::new();
    let mut reported = BTreeSet::new();
    for &root in edges.keys() {
        if colour.contains_key(root) {
            continue;
        }
        let mut path: Vec<(&str, usize)> = vec![(root, 0)];
        colour.insert(root, 1);
        while let Some((n, i)) = path.last_mut() {
            let next = edges[*n].get(*i).copied();
            *i += 1;
            match next {
                None => {
                    colour.insert(*n, 2);
                    path.pop();
                }
                Some(m) => match colour.get(m) {
                    None => {
                        colour.insert(m, 1);
                        path.push((m, 0));
                    }
                    Some(1) => {
                        let from = path.iter().position(|(p, _)| *p == m).unwrap_or(0);
                        let cycle: Vec<&str> = path[from..].iter().map(|(p, _)| *p).collect();
                        let mut key = cycle.clone();
                        key.sort_unstable();
                        if reported.insert(key) {
                            let node = &flow.nodes[m];
                            out.push(err(node.line, Some(m.to_string()), format!(
                                "loop without caller input: {} → {m} (put a menu, collect or agent node in it)",
                                cycle.join(" → ")
                            )));
                        }
                    }
                    Some(_) => {}
                },
            }
        }
    }
}
