//! Flow files (YAML) into [`Flow`]s. Every problem names its line and node; the parser goes
//! on after one, so a file's problems are reported together. Anchors, aliases, tags and
//! duplicate keys are refused (a flow is plain data; aliases can multiply a small file).

use std::collections::BTreeMap;

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::{LoaderOptions, Node as Yaml};

use super::hours::{self, OpenHours};
use super::model::*;
use super::{Problem, Severity};

mod kinds;

/// The largest flow file read (a flow of hundreds of nodes is a few tens of KiB).
pub const MAX_FLOW_BYTES: usize = 512 * 1024;

/// Parses one flow file's text.
pub fn parse(text: &str) -> Result<Flow, Vec<Problem>> {
    if text.len() > MAX_FLOW_BYTES {
        return Err(vec![Problem::error(
            1,
            None,
            format!("the file is over {} KiB", MAX_FLOW_BYTES / 1024),
        )]);
    }
    let options = LoaderOptions::default()
        .error_on_duplicate_keys(true)
        .prevent_coercion(false);
    let root = marked_yaml::parse_yaml_with_options(0, text, options).map_err(|e| {
        let line = load_error_line(&e);
        vec![Problem::error(line, None, yaml_reason(&e))]
    })?;
    let mut p = Parser::default();
    let flow = p.flow(&root);
    match flow {
        Some(f) if p.problems.is_empty() => Ok(f),
        _ => Err(p.problems),
    }
}

fn load_error_line(e: &marked_yaml::LoadError) -> usize {
    use marked_yaml::LoadError::*;
    match e {
        TopLevelMustBeMapping(m)
        | TopLevelMustBeSequence(m)
        | UnexpectedAnchor(m)
        | MappingKeyMustBeScalar(m)
        | UnexpectedTag(m)
        | ScanError(m, _) => m.line(),
        DuplicateKey(d) => d.key.span().start().map_or(1, |m| m.line()),
    }
}

fn yaml_reason(e: &marked_yaml::LoadError) -> String {
    use marked_yaml::LoadError::*;
    match e {
        TopLevelMustBeMapping(_) => "a flow file is a mapping (flow:, start:, nodes:)".into(),
        TopLevelMustBeSequence(_) => "unexpected sequence".into(),
        UnexpectedAnchor(_) => "YAML anchors and aliases are not allowed in flows".into(),
        MappingKeyMustBeScalar(_) => "keys must be plain names".into(),
        UnexpectedTag(_) => "YAML tags are not allowed in flows".into(),
        ScanError(_, s) => format!("not valid YAML: {}", s.info()),
        DuplicateKey(d) => format!(
            "`{}` is written twice (first on line {})",
            d.key.as_str(),
            d.prev_key.span().start().map_or(0, |m| m.line())
        ),
    }
}

fn line_of(y: &Yaml) -> usize {
    y.span().start().map_or(1, |m| m.line())
}

fn key_line(k: &MarkedScalarNode) -> usize {
    k.span().start().map_or(1, |m| m.line())
}

/// Keys every node may have besides its kind.
const COMMON: &[&str] = &["next", "else", "on_error", "on_handoff", "on_fail"];
/// The kinds, one per node.
const KINDS: &[&str] = &[
    "say",
    "play",
    "spell",
    "menu",
    "collect",
    "condition",
    "set",
    "webhook",
    "agent",
    "transfer",
    "voicemail",
    "transcribe",
    "hangup",
    "subflow",
    "return",
];

#[derive(Default)]
struct Parser {
    problems: Vec<Problem>,
    /// The node being read, for messages.
    node: Option<String>,
    holidays: BTreeMap<String, Vec<jiff::civil::Date>>,
}

impl Parser {
    fn err(&mut self, line: usize, reason: impl Into<String>) {
        self.problems
            .push(Problem::error(line, self.node.clone(), reason.into()));
    }

    fn flow(&mut self, root: &Yaml) -> Option<Flow> {
        let map = root.as_mapping()?;
        self.only_keys(
            map,
            &["flow", "start", "nodes", "holidays", "record", "on_crisis"],
            "a flow",
        );
        let record = self.flag(map, "record", false);
        let name = self.required_str(map, "flow", line_of(root));
        let start = self.target(map, "start", line_of(root));
        let on_crisis = self.opt_target(map, "on_crisis");
        if let Some(h) = map.get_node("holidays") {
            self.holiday_lists(h);
        }
        let mut nodes = BTreeMap::new();
        match map.get_node("nodes") {
            Some(Yaml::Mapping(m)) => {
                for (k, v) in m.iter() {
                    self.node = Some(k.as_str().to_string());
                    if let Some(n) = self.node_of(k, v) {
                        nodes.insert(n.name.clone(), n);
                    }
                    self.node = None;
                }
            }
            Some(other) => self.err(line_of(other), "`nodes` must map node names to nodes"),
            None => self.err(line_of(root), "missing `nodes`"),
        }
        Some(Flow {
            name: name?,
            start: start?,
            nodes,
            record,
            on_crisis,
        })
    }

    fn holiday_lists(&mut self, y: &Yaml) {
        let Some(m) = y.as_mapping() else {
            return self.err(line_of(y), "`holidays` maps a name to a list of dates");
        };
        for (k, v) in m.iter() {
            let dates = self.dates(v);
            self.holidays.insert(k.as_str().to_string(), dates);
        }
    }

    fn dates(&mut self, y: &Yaml) -> Vec<jiff::civil::Date> {
        let Some(seq) = y.as_sequence() else {
            self.err(line_of(y), "expected a list of dates (YYYY-MM-DD)");
            return Vec::new();
        };
        let mut out = Vec::new();
        for d in seq.iter() {
            match d.as_scalar().map(|s| hours::date(s.as_str())) {
                Some(Ok(date)) => out.push(date),
                Some(Err(e)) => self.err(line_of(d), e),
                None => self.err(line_of(d), "expected a date (YYYY-MM-DD)"),
            }
        }
        out
    }

    fn only_keys(&mut self, map: &MarkedMappingNode, allowed: &[&str], what: &str) {
        for k in map.keys() {
            if !allowed.contains(&k.as_str()) {
                self.err(key_line(k), unknown_key(k.as_str(), allowed, what));
            }
        }
    }

    fn str_of(&mut self, y: &Yaml, what: &str) -> Option<String> {
        match y.as_scalar() {
            Some(s) if !s.as_str().trim().is_empty() => Some(s.as_str().to_string()),
            Some(_) => {
                self.err(line_of(y), format!("`{what}` is empty"));
                None
            }
            None => {
                self.err(line_of(y), format!("`{what}` must be text"));
                None
            }
        }
    }

    fn required_str(&mut self, map: &MarkedMappingNode, key: &str, line: usize) -> Option<String> {
        match map.get_node(key) {
            Some(y) => self.str_of(y, key),
            None => {
                self.err(line, format!("missing `{key}`"));
                None
            }
        }
    }

    fn opt_str(&mut self, map: &MarkedMappingNode, key: &str) -> Option<String> {
        map.get_node(key).and_then(|y| self.str_of(y, key))
    }

    fn target(&mut self, map: &MarkedMappingNode, key: &str, line: usize) -> Option<Target> {
        match map.get_node(key) {
            Some(y) => self.target_of(y, key),
            None => {
                self.err(line, format!("missing `{key}`"));
                None
            }
        }
    }

    fn opt_target(&mut self, map: &MarkedMappingNode, key: &str) -> Option<Target> {
        map.get_node(key).and_then(|y| self.target_of(y, key))
    }

    fn target_of(&mut self, y: &Yaml, what: &str) -> Option<Target> {
        let node = self.str_of(y, what)?;
        Some(Target {
            node,
            line: line_of(y),
        })
    }

    fn number(&mut self, map: &MarkedMappingNode, key: &str, default: u32, max: u32) -> u32 {
        let Some(y) = map.get_node(key) else {
            return default;
        };
        match y.as_scalar().and_then(|s| s.as_str().parse::<u32>().ok()) {
            Some(n) if n <= max => n,
            _ => {
                self.err(
                    line_of(y),
                    format!("`{key}` must be a whole number from 0 to {max}"),
                );
                default
            }
        }
    }

    fn flag(&mut self, map: &MarkedMappingNode, key: &str, default: bool) -> bool {
        let Some(y) = map.get_node(key) else {
            return default;
        };
        y.as_scalar().and_then(|s| s.as_bool()).unwrap_or_else(|| {
            self.err(line_of(y), format!("`{key}` is true or false"));
            default
        })
    }

    fn node_of(&mut self, key: &MarkedScalarNode, y: &Yaml) -> Option<Node> {
        let line = key_line(key);
        let name = key.as_str().to_string();
        if !valid_name(&name) {
            self.err(
                line,
                "node names are letters, digits, `_` and `-` (up to 64 characters)",
            );
        }
        let Some(map) = y.as_mapping() else {
            self.err(
                line,
                format!("a node is a mapping with one of: {}", KINDS.join(", ")),
            );
            return None;
        };
        let kinds: Vec<&MarkedScalarNode> =
            map.keys().filter(|k| KINDS.contains(&k.as_str())).collect();
        let mut unknown = false;
        for k in map.keys() {
            if !KINDS.contains(&k.as_str()) && !COMMON.contains(&k.as_str()) {
                unknown = true;
                let all: Vec<&str> = KINDS.iter().chain(COMMON).copied().collect();
                self.err(key_line(k), unknown_key(k.as_str(), &all, "a node"));
            }
        }
        let kind_key = match kinds.as_slice() {
            [one] => one.as_str().to_string(),
            [] if unknown => return None,
            [] => {
                self.err(
                    line,
                    format!("the node does nothing: give it one of {}", KINDS.join(", ")),
                );
                return None;
            }
            [_, second, ..] => {
                self.err(
                    key_line(second),
                    format!("a node does one thing: `{}` and `{}` are both here; chain two nodes with `next`", kinds[0].as_str(), second.as_str()),
                );
                return None;
            }
        };
        let body = map.get_node(&kind_key)?;
        let kind = self.kind(&kind_key, body, map)?;
        self.only_common_for(&kind, map);
        Some(Node {
            name,
            line,
            next: self.opt_target(map, "next"),
            kind,
        })
    }

    /// `else`, `on_error`, `on_handoff`, `on_fail` belong to one kind each.
    fn only_common_for(&mut self, kind: &Kind, map: &MarkedMappingNode) {
        let owner = [
            ("else", "condition"),
            ("on_error", "webhook"),
            ("on_handoff", "agent"),
            ("on_fail", "transfer"),
        ];
        for (key, of) in owner {
            if let Some((k, _)) = map.get_key_value(key)
                && kind.key() != of
            {
                self.err(key_line(k), format!("`{key}` belongs to a `{of}` node"));
            }
        }
        if let Some((k, _)) = map.get_key_value("next")
            && matches!(
                kind,
                Kind::Condition(_)
                    | Kind::Hangup(_)
                    | Kind::Return
                    | Kind::Voicemail(_)
                    | Kind::Transfer(_)
            )
        {
            self.err(
                key_line(k),
                format!("a `{}` node has no `next`", kind.key()),
            );
        }
    }

    fn kind(&mut self, key: &str, body: &Yaml, node: &MarkedMappingNode) -> Option<Kind> {
        let line = line_of(body);
        let settings = ["menu", "collect", "set", "webhook", "transfer", "voicemail"];
        let m = if settings.contains(&key) {
            Some(self.mapping(body, key)?)
        } else {
            None
        };
        Some(match (key, m) {
            ("say", _) => Kind::Prompt(Prompt::Say(self.str_of(body, "say")?)),
            ("play", _) => Kind::Prompt(Prompt::Play(self.str_of(body, "play")?)),
            ("spell", _) => Kind::Prompt(Prompt::Spell(self.str_of(body, "spell")?)),
            ("menu", Some(m)) => Kind::Menu(self.menu(m)?),
            ("collect", Some(m)) => Kind::Collect(self.collect(m, line)?),
            ("condition", _) => Kind::Condition(self.condition(body, node)?),
            ("set", Some(m)) => Kind::Set(self.set(m)),
            ("webhook", Some(m)) => Kind::Webhook(self.webhook(m, node)?),
            ("agent", _) => Kind::Agent(self.agent(body, node)?),
            ("transfer", Some(m)) => {
                let mut t = self.transfer(m)?;
                t.on_fail = self.opt_target(node, "on_fail");
                Kind::Transfer(t)
            }
            ("voicemail", Some(m)) => Kind::Voicemail(self.voicemail(m)?),
            ("transcribe", _) => Kind::Transcribe(self.transcribe(body)),
            ("hangup", _) => Kind::Hangup(self.hangup(body)),
            ("subflow", _) => Kind::Subflow(Subflow {
                flow: self.str_of(body, "subflow")?,
                line,
            }),
            _ => Kind::Return,
        })
    }

    fn mapping<'y>(&mut self, y: &'y Yaml, what: &str) -> Option<&'y MarkedMappingNode> {
        let m = y.as_mapping();
        if m.is_none() {
            self.err(
                line_of(y),
                format!("`{what}` takes a mapping of its settings"),
            );
        }
        m
    }

    /// `say:` or `play:` inside a mapping; `required` names the owner when one is needed.
    fn prompt_in(
        &mut self,
        map: &MarkedMappingNode,
        line: usize,
        required: Option<&str>,
    ) -> Option<Prompt> {
        let say = self.opt_str(map, "say").map(Prompt::Say);
        let play = self.opt_str(map, "play").map(Prompt::Play);
        match (say, play) {
            (Some(_), Some(_)) => {
                self.err(line, "give `say` or `play`, not both");
                None
            }
            (None, None) => {
                if let Some(owner) = required {
                    self.err(line, format!("`{owner}` needs a prompt: `say` or `play`"));
                }
                None
            }
            (s, p) => s.or(p),
        }
    }

    fn retry(&mut self, map: &MarkedMappingNode, key: &str) -> Option<Retry> {
        let y = map.get_node(key)?;
        let m = self.mapping(y, key)?;
        self.only_keys(m, &["retries", "say", "play", "then"], &format!("`{key}`"));
        Some(Retry {
            retries: self.number(m, "retries", 2, 10),
            say: self.prompt_in(m, line_of(y), None),
            then: self.target(m, "then", line_of(y))?,
        })
    }
}

/// "unknown key `sya` in a node (did you mean `say`?)", or the keys allowed.
fn unknown_key(key: &str, allowed: &[&str], what: &str) -> String {
    match allowed
        .iter()
        .find(|a| super::check::edit_distance(a, key) <= 2 && key.len() > 2)
    {
        Some(near) => format!("unknown key `{key}` in {what} (did you mean `{near}`?)"),
        None => format!(
            "unknown key `{key}` in {what} (expected one of: {})",
            allowed.join(", ")
        ),
    }
}

/// Node and variable names: letters, digits, `_`, `-`, `.`; 1–64 characters.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

impl Problem {
    pub(crate) fn error(line: usize, node: Option<String>, reason: String) -> Problem {
        Problem {
            severity: Severity::Error,
            line,
            node,
            reason,
        }
    }
}
