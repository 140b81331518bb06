//! The settings of each kind of node: menu, collect, condition and its tests, set, webhook,
//! agent, transfer, voicemail, transcribe, hangup.

use super::*;

impl Parser {
    pub(super) fn menu(&mut self, m: &MarkedMappingNode) -> Option<Menu> {
        self.only_keys(
            m,
            &[
                "say",
                "play",
                "options",
                "other",
                "speech",
                "timeout_secs",
                "no_input",
                "no_match",
            ],
            "`menu`",
        );
        let line = m.span().start().map_or(1, |x| x.line());
        let prompt = self.prompt_in(m, line, Some("menu"));
        let mut options = Vec::new();
        match m.get_node("options") {
            Some(Yaml::Mapping(o)) => {
                for (k, v) in o.iter() {
                    let choice = k.as_str().trim().to_lowercase();
                    let key_ok = choice
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == ' ' || c == '*' || c == '#');
                    if choice.is_empty() || !key_ok {
                        self.err(
                            key_line(k),
                            format!("option `{}` is not a key (0-9, *, #) or words", k.as_str()),
                        );
                    }
                    if let Some(t) = self.target_of(v, "option") {
                        options.push((choice, t));
                    }
                }
            }
            Some(other) => self.err(line_of(other), "`options` maps keys or words to nodes"),
            None => self.err(line, "a menu needs `options`"),
        }
        let speech = self.flag(m, "speech", true);
        Some(Menu {
            prompt: prompt?,
            options,
            other: self.opt_target(m, "other"),
            speech,
            timeout_secs: self.number(m, "timeout_secs", 5, 60).max(1),
            no_input: self.retry(m, "no_input"),
            no_match: self.retry(m, "no_match"),
        })
    }

    pub(super) fn collect(&mut self, m: &MarkedMappingNode, line: usize) -> Option<Collect> {
        self.only_keys(
            m,
            &[
                "say",
                "play",
                "digits",
                "star",
                "pattern",
                "checksum",
                "speech",
                "into",
                "timeout_secs",
                "invalid",
            ],
            "`collect`",
        );
        let prompt = self.prompt_in(m, line, Some("collect"));
        let (mut min, mut max) = (1, 20);
        if let Some(d) = m.get_node("digits")
            && let Some(dm) = self.mapping(d, "digits")
        {
            self.only_keys(dm, &["min", "max"], "`digits`");
            min = self.number(dm, "min", 1, 32) as usize;
            max = self.number(dm, "max", 20, 32) as usize;
            if min == 0 || min > max {
                self.err(
                    line_of(d),
                    format!("`digits` needs 1 ≤ min ≤ max (min {min}, max {max})"),
                );
            }
        }
        let pattern = match self.opt_str(m, "pattern") {
            None => None,
            Some(p) => match regex::Regex::new(&format!("^(?:{p})$")) {
                Ok(r) => Some(Pattern(r)),
                Err(e) => {
                    let l = m.get_node("pattern").map_or(line, line_of);
                    self.err(l, format!("`pattern` is not a regular expression: {e}"));
                    None
                }
            },
        };
        let checksum = match self.opt_str(m, "checksum").as_deref() {
            None => None,
            Some("luhn") => Some(Checksum::Luhn),
            Some(other) => {
                let l = m.get_node("checksum").map_or(line, line_of);
                self.err(l, format!("unknown checksum `{other}` (luhn)"));
                None
            }
        };
        let speech = self.flag(m, "speech", true);
        let star = self.flag(m, "star", false);
        let into = self.required_str(m, "into", line);
        if let Some(v) = &into
            && !valid_name(v)
        {
            self.err(line, format!("`into: {v}` is not a variable name"));
        }
        Some(Collect {
            prompt: prompt?,
            min,
            max,
            pattern,
            checksum,
            speech,
            star,
            into: into?,
            timeout_secs: self.number(m, "timeout_secs", 5, 60).max(1),
            invalid: self.retry(m, "invalid"),
        })
    }

    pub(super) fn condition(&mut self, body: &Yaml, node: &MarkedMappingNode) -> Option<Condition> {
        let Some(seq) = body.as_sequence() else {
            self.err(
                line_of(body),
                "`condition` is a list of `- if: … next: …` branches",
            );
            return None;
        };
        let mut branches = Vec::new();
        for b in seq.iter() {
            let Some(bm) = self.mapping(b, "branch") else {
                continue;
            };
            self.only_keys(bm, &["if", "next"], "a condition branch");
            let test = match bm.get_node("if") {
                Some(t) => self.test(t),
                None => {
                    self.err(line_of(b), "a branch needs `if`");
                    None
                }
            };
            let next = self.target(bm, "next", line_of(b));
            if let (Some(t), Some(n)) = (test, next) {
                branches.push((t, n));
            }
        }
        let line = line_of(body);
        let otherwise = self.target(node, "else", line);
        Some(Condition {
            branches,
            otherwise: otherwise?,
        })
    }

    /// An `emotion` test's labels: one name or a list of them.
    fn emotions(&mut self, v: &Yaml, line: usize) -> Option<Vec<String>> {
        let names: Vec<String> = match (v.as_scalar(), v.as_sequence()) {
            (Some(s), _) => vec![s.as_str().to_string()],
            (_, Some(seq)) => seq
                .iter()
                .filter_map(|x| x.as_scalar().map(|x| x.as_str().to_string()))
                .collect(),
            _ => Vec::new(),
        };
        let bad: Vec<&String> = names
            .iter()
            .filter(|n| crate::emotion::Label::parse(n).is_none())
            .collect();
        if names.is_empty() || !bad.is_empty() {
            self.err(
                line,
                format!(
                    "`emotion` is a label or a list of labels (neutral, satisfied, frustrated, angry, anxious, sad){}",
                    bad.first().map(|b| format!(": `{b}` is none")).unwrap_or_default()
                ),
            );
            return None;
        }
        Some(names)
    }

    pub(super) fn test(&mut self, y: &Yaml) -> Option<Test> {
        let m = self.mapping(y, "if")?;
        if m.len() != 1 {
            self.err(
                line_of(y),
                "`if` has one test: open, caller_in, language, equals, set or emotion",
            );
            return None;
        }
        let (k, v) = m.iter().next()?;
        let line = key_line(k);
        match k.as_str() {
            "open" => {
                let om = self.mapping(v, "open")?;
                self.only_keys(om, &["tz", "hours", "holidays"], "`open`");
                let tz = self.required_str(om, "tz", line)?;
                let hours_text = self.required_str(om, "hours", line)?;
                let holidays = match om.get_node("holidays") {
                    None => Vec::new(),
                    Some(Yaml::Scalar(s)) => {
                        match self.holidays.get(s.as_str()) {
                            Some(d) => d.clone(),
                            None => {
                                self.err(key_line(s), format!("no holiday list `{}` (define it under the flow's `holidays:`)", s.as_str()));
                                Vec::new()
                            }
                        }
                    }
                    Some(list) => self.dates(list),
                };
                match OpenHours::parse(&tz, &hours_text, holidays) {
                    Ok(h) => Some(Test::Open(h)),
                    Err(e) => {
                        self.err(line, e);
                        None
                    }
                }
            }
            "caller_in" => {
                let seq = v.as_sequence();
                let list: Vec<String> = seq
                    .map(|s| {
                        s.iter()
                            .filter_map(|x| x.as_scalar().map(|x| x.as_str().to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                if list.is_empty() {
                    self.err(line, "`caller_in` is a list of numbers");
                    return None;
                }
                Some(Test::CallerIn(list))
            }
            "language" => Some(Test::Language(self.str_of(v, "language")?)),
            "emotion" => self.emotions(v, line).map(Test::Emotion),
            "set" => Some(Test::IsSet(self.str_of(v, "set")?)),
            "equals" => {
                let em = self.mapping(v, "equals")?;
                self.only_keys(em, &["var", "value"], "`equals`");
                Some(Test::Equals {
                    var: self.required_str(em, "var", line)?,
                    value: em
                        .get_scalar("value")
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                })
            }
            other => {
                self.err(
                    line,
                    format!(
                        "unknown test `{other}` (open, caller_in, language, equals, set, emotion)"
                    ),
                );
                None
            }
        }
    }

    pub(super) fn set(&mut self, m: &MarkedMappingNode) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in m.iter() {
            if !valid_name(k.as_str()) {
                self.err(
                    key_line(k),
                    format!("`{}` is not a variable name", k.as_str()),
                );
            }
            match v.as_scalar() {
                Some(s) => out.push((k.as_str().to_string(), s.as_str().to_string())),
                None => self.err(line_of(v), "a variable's value is text"),
            }
        }
        out
    }

    pub(super) fn webhook(
        &mut self,
        m: &MarkedMappingNode,
        node: &MarkedMappingNode,
    ) -> Option<Webhook> {
        self.only_keys(m, &["url", "method", "timeout_ms", "into"], "`webhook`");
        let line = m.span().start().map_or(1, |x| x.line());
        let url = self.required_str(m, "url", line);
        if let Some(u) = &url
            && !(u.starts_with("http://") || u.starts_with("https://") || u.starts_with('/'))
        {
            self.err(
                line,
                format!(
                    "`url` must start with http://, https:// or / (this gateway's API), got `{u}`"
                ),
            );
        }
        let method = match self
            .opt_str(m, "method")
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("GET") => Method::Get,
            Some("POST") => Method::Post,
            Some(other) => {
                self.err(line, format!("unknown method `{other}` (GET or POST)"));
                Method::Get
            }
        };
        Some(Webhook {
            url: url?,
            method,
            timeout_ms: self.number(m, "timeout_ms", 2000, 30_000).max(100),
            into: self.opt_str(m, "into"),
            on_error: self.target(node, "on_error", line)?,
        })
    }

    pub(super) fn agent(&mut self, body: &Yaml, node: &MarkedMappingNode) -> Option<AgentNode> {
        let line = line_of(body);
        let (kb, max_turns, greet) = match body {
            Yaml::Mapping(m) => {
                self.only_keys(m, &["kb", "max_turns", "greet"], "`agent`");
                let kb = self.opt_str(m, "kb").unwrap_or_else(|| "default".into());
                let turns = m.get_node("max_turns").map(|y| {
                    let n = self.number(m, "max_turns", 10, 100);
                    if n == 0 {
                        self.err(line_of(y), "`max_turns` must be at least 1");
                    }
                    n.max(1)
                });
                (kb, turns, self.flag(m, "greet", false))
            }
            _ => {
                self.err(
                    line,
                    "`agent` takes a mapping such as {kb: default, max_turns: 10}",
                );
                return None;
            }
        };
        Some(AgentNode {
            kb,
            max_turns,
            greet,
            on_handoff: self.target(node, "on_handoff", line)?,
        })
    }

    pub(super) fn transfer(&mut self, m: &MarkedMappingNode) -> Option<Transfer> {
        self.only_keys(
            m,
            &["queue", "uri", "priority", "skills", "say", "play"],
            "`transfer`",
        );
        let line = m.span().start().map_or(1, |x| x.line());
        let to = match (self.opt_str(m, "queue"), self.opt_str(m, "uri")) {
            (Some(name), None) => TransferTo::Queue {
                name,
                priority: self.number(m, "priority", 0, 9) as u8,
                skills: m
                    .get_sequence("skills")
                    .map(|s| {
                        s.iter()
                            .filter_map(|x| x.as_scalar().map(|x| x.as_str().to_string()))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            (None, Some(uri)) => {
                let scheme =
                    uri.starts_with("sip:") || uri.starts_with("sips:") || uri.starts_with("tel:");
                // It goes into a SIP header (Refer-To): nothing that could end or break it.
                if !(scheme && crate::telephony::logic::fits_a_header(&uri)) {
                    self.err(
                        line,
                        format!(
                            "`uri` must be a sip:, sips: or tel: address without spaces, \
                             control characters, quotes, commas or angle brackets (got `{}`)",
                            uri.escape_debug()
                        ),
                    );
                }
                TransferTo::Uri(uri)
            }
            _ => {
                self.err(line, "a transfer names a `queue` or a `uri` (one of them)");
                return None;
            }
        };
        Some(Transfer {
            to,
            prompt: self.prompt_in(m, line, None),
            on_fail: None,
        })
    }

    pub(super) fn voicemail(&mut self, m: &MarkedMappingNode) -> Option<Voicemail> {
        self.only_keys(m, &["say", "play", "max_secs"], "`voicemail`");
        let line = m.span().start().map_or(1, |x| x.line());
        Some(Voicemail {
            prompt: self.prompt_in(m, line, Some("voicemail"))?,
            max_secs: self.number(m, "max_secs", 120, 600).max(5),
        })
    }

    pub(super) fn transcribe(&mut self, body: &Yaml) -> Transcribe {
        let max_secs = match body {
            Yaml::Mapping(m) => {
                self.only_keys(m, &["max_secs"], "`transcribe`");
                self.number(m, "max_secs", 3600, 4 * 3600).max(1)
            }
            // `transcribe: true`: until `#` or the hang-up, at most an hour.
            _ => 3600,
        };
        Transcribe { max_secs }
    }

    pub(super) fn hangup(&mut self, body: &Yaml) -> Option<Prompt> {
        match body {
            Yaml::Mapping(m) => {
                self.only_keys(m, &["say", "play"], "`hangup`");
                self.prompt_in(m, line_of(body), None)
            }
            // `hangup: true` (or any scalar): just end the call.
            _ => None,
        }
    }
}
