//! `voxgate flows check` and `voxgate flows schema` as an operator runs them: problems name
//! the file, line, node and reason; the exit code says whether the files may be used; and
//! the published JSON Schema, read by a third-party validator (python-jsonschema), agrees
//! with the checker on what is a flow.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn voxgate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .args(args)
        .output()
        .expect("run voxgate")
}

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/demo.yaml")
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("voxgate-flows-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Flows with one mistake each, and what the checker must say about it (line, words).
const BAD: &[(&str, &str, usize, &str)] = &[
    (
        "typo.yaml",
        "flow: typo\nstart: hello\nnodes:\n  hello:\n    say: Hi\n    next: mneu\n  menu:\n    menu: {say: Press 1, options: {\"1\": hello}}\n",
        6,
        "node `hello`: goes to `mneu`, which is not a node of this flow (did you mean `menu`?)",
    ),
    (
        "spin.yaml",
        "flow: spin\nstart: a\nnodes:\n  a:\n    say: Hi\n    next: b\n  b:\n    set: {n: \"1\"}\n    next: a\n",
        4,
        "loop without caller input: a → b → a",
    ),
    (
        "two.yaml",
        "flow: two\nstart: a\nnodes:\n  a:\n    say: Hi\n    transfer: {queue: support}\n",
        6,
        "a node does one thing",
    ),
    (
        "collect.yaml",
        "flow: collect\nstart: a\nnodes:\n  a:\n    collect: {say: Your number?, digits: {min: 8, max: 6}}\n    next: b\n  b:\n    hangup: true\n",
        5,
        "missing `into`",
    ),
    (
        "yaml.yaml",
        "flow: yaml\nstart: a\nnodes:\n  a:\n    say: [unclosed\n",
        6,
        "not valid YAML",
    ),
];

#[test]
fn check_names_file_line_node_and_reason_and_refuses_with_exit_1() {
    let d = dir("check");
    let ok = voxgate(&["flows", "check", demo().to_str().unwrap()]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("0 error(s), 0 warning(s): ok"));
    for (file, text, line, want) in BAD {
        let path = d.join(file);
        std::fs::write(&path, text).unwrap();
        let out = voxgate(&["flows", "check", path.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{file}: {stdout}");
        let prefix = format!("{}:{line}: error: ", path.display());
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&prefix) && l.contains(want)),
            "{file}: wanted `{prefix}…{want}` in:\n{stdout}"
        );
        assert!(stdout.contains("refused"), "{stdout}");
    }
    // JSON: one object per problem with the file, line, node and severity.
    let path = d.join("typo.yaml");
    let out = voxgate(&["flows", "check", "--json", path.to_str().unwrap()]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["line"], 6);
    assert_eq!(list[0]["node"], "hello");
    assert_eq!(list[0]["severity"], "error");
    assert_eq!(list[0]["file"], path.display().to_string());
}

#[test]
fn flows_are_checked_against_the_configured_queues_and_knowledge_bases() {
    let d = dir("config");
    let config = d.join("voxgate.toml");
    std::fs::write(&config, "[flows]\nqueues = [\"billing\"]\n").unwrap();
    let out = voxgate(&[
        "flows",
        "check",
        "--config",
        config.to_str().unwrap(),
        demo().to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("node `person`: no queue `support` (known: billing)"),
        "{stdout}"
    );
    // A subflow is known when its file is checked with the flow that runs it.
    let main = d.join("main.yaml");
    let sub = d.join("sub.yaml");
    std::fs::write(&main, "flow: main\nstart: s\nnodes:\n  s:\n    subflow: sub\n    next: bye\n  bye:\n    hangup: true\n").unwrap();
    std::fs::write(
        &sub,
        "flow: sub\nstart: r\nnodes:\n  r:\n    return: true\n",
    )
    .unwrap();
    let alone = voxgate(&["flows", "check", main.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&alone.stdout).contains("no flow `sub`"));
    let both = voxgate(&[
        "flows",
        "check",
        main.to_str().unwrap(),
        sub.to_str().unwrap(),
    ]);
    assert!(
        both.status.success(),
        "{}",
        String::from_utf8_lossy(&both.stdout)
    );
}

const VALIDATE: &str = r#"
import json, sys, yaml, jsonschema
class Loader(yaml.SafeLoader):
    pass
# Dates stay text, as voxgate reads them.
Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                  for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for f in sys.argv[2:]:
    try:
        doc = yaml.load(open(f), Loader=Loader)
    except yaml.YAMLError as e:
        print(json.dumps({"file": f, "valid": False, "why": "yaml"}))
        continue
    errors = [e.message for e in validator.iter_errors(doc)]
    print(json.dumps({"file": f, "valid": not errors, "why": errors[:2]}))
"#;

#[test]
fn the_published_schema_accepts_the_bundled_flows_and_refuses_what_the_checker_refuses() {
    let Some(python) = common::python::importing(&["jsonschema", "yaml"]) else {
        return;
    };
    let out = voxgate(&["flows", "schema"]);
    let schema = String::from_utf8(out.stdout).unwrap();
    let repo =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/schema.json"))
            .unwrap();
    assert_eq!(
        schema, repo,
        "`voxgate flows schema` prints flows/schema.json"
    );
    let d = dir("schema");
    let schema_path = d.join("schema.json");
    std::fs::write(&schema_path, &schema).unwrap();
    // Structural mistakes the schema can see (graph mistakes are the checker's alone).
    let structural = ["two.yaml", "collect.yaml", "yaml.yaml"];
    let bundled = ["demo.yaml", "agent.yaml", "transcribe.yaml", "keypad.yaml"]
        .map(|f| Path::new(env!("CARGO_MANIFEST_DIR")).join("flows").join(f));
    let mut files = bundled.to_vec();
    for (file, text, _, _) in BAD.iter().filter(|b| structural.contains(&b.0)) {
        std::fs::write(d.join(file), text).unwrap();
        files.push(d.join(file));
    }
    let out = Command::new(python)
        .arg("-c")
        .arg(VALIDATE)
        .arg(&schema_path)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(verdicts.len(), files.len());
    for v in &verdicts[..bundled.len()] {
        assert_eq!(v["valid"], true, "a bundled flow: {v}");
    }
    for v in &verdicts[bundled.len()..] {
        assert_eq!(v["valid"], false, "{v}");
    }
}
