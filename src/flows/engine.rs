//! The flow interpreter, sans-IO: a call's run of a flow. Inputs are what happened (a
//! prompt finished, a key, a transcript, a webhook's answer, the agent's end) with the time;
//! outputs are [`Action`]s for the call layer and one deadline (`poll_timeout`). It never
//! reads a clock, sleeps or touches the network, so tests drive it in virtual time.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::FlowSet;
use super::model::*;
use super::template::expand;

/// What a call knows when its flow starts.
#[derive(Debug, Clone, Default)]
pub struct CallFacts {
    /// The caller's number or user (From).
    pub caller: Option<String>,
    /// The number dialled (Request-URI user).
    pub dialled: Option<String>,
    /// The caller's language, once known (`en`, `zh`).
    pub language: Option<String>,
}

/// Something that happened on the call.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Everything asked to be said has been said.
    PromptDone,
    /// The caller pressed a key.
    Digit(char),
    /// The caller said this (a final transcript).
    Speech(String),
    /// The webhook answered or failed (why: unreachable, timed out).
    Webhook(Result<WebhookReply, String>),
    /// The agent's conversation ended.
    AgentEnded(AgentEnd),
    /// The voicemail recording is finished and stored.
    RecordingDone,
    /// The transfer could not be made.
    TransferFailed,
}

/// A webhook's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookReply {
    /// The HTTP status: 5xx takes the node's `on_error`; others are stored as
    /// `into.http_status` for the flow to branch on (404: no such order).
    pub status: u16,
    /// The JSON body (`Null` when there was none or it was not JSON).
    pub body: serde_json::Value,
}

/// How an agent node's conversation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentEnd {
    /// It handed the call off, for this reason (`not_in_knowledge`, `asked_for_human`…).
    Handoff(String),
    /// The caller was done.
    Finished,
}

/// What the call layer is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The call is now in this node (for the calls-in-progress view and the event stream).
    Entered(String),
    /// Say this text (templates filled). The caller may interrupt while input is awaited.
    Say(String),
    /// Play this prompt file (relative to the flow's directory).
    Play(String),
    /// The caller interrupted: stop what is being said.
    StopSpeaking,
    /// Start taking keys and/or speech.
    Listen {
        /// Keys.
        digits: bool,
        /// Speech (final transcripts).
        speech: bool,
    },
    /// Stop taking input.
    StopListening,
    /// Make an HTTP request; answer with [`Input::Webhook`].
    Webhook {
        /// GET or POST.
        method: Method,
        /// The URL, placeholders percent-encoded.
        url: String,
        /// For POST: the variables as a JSON object.
        body: Option<serde_json::Value>,
        /// Give up after this long.
        timeout: Duration,
    },
    /// Run the AI agent; answer with [`Input::AgentEnded`].
    Agent {
        /// The knowledge base.
        kb: String,
        /// Turn limit, if the node sets one.
        max_turns: Option<u32>,
        /// What the caller already asked (at a menu): the agent's first turn.
        first_turn: Option<String>,
    },
    /// Hand the call on; answer with [`Input::TransferFailed`] if it cannot be made.
    Transfer(TransferTo),
    /// Record the caller's message; answer with [`Input::RecordingDone`].
    Record {
        /// The longest message.
        max: Duration,
    },
    /// End the call.
    Hangup,
}

/// What the run waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// A plain prompt to finish.
    Prompt,
    /// A menu's choice.
    Menu,
    /// Digits.
    Collect,
    /// A webhook's answer.
    Webhook,
    /// The agent.
    Agent,
    /// A prompt, then recording.
    VoicemailPrompt,
    /// The recording.
    Recording,
    /// A prompt, then the transfer.
    TransferPrompt,
    /// The transfer's outcome.
    Transfer,
    /// A goodbye, then hang up.
    Goodbye,
    /// The call is over.
    Ended,
}

/// Nodes passed in a row without waiting for anything before the run gives up (a loop the
/// checker missed must not spin a call task).
const MAX_STEPS: u32 = 64;
/// Tries a menu or collect gives when its flow names no `no_input`/`no_match`/`invalid`.
const DEFAULT_RETRIES: u32 = 2;

/// One call's run of a flow.
#[derive(Debug)]
pub struct FlowRun {
    flows: Arc<FlowSet>,
    flow: Arc<Flow>,
    /// Where subflows return to: the calling flow and its node's `next`.
    stack: Vec<(Arc<Flow>, Option<Target>)>,
    at: String,
    wait: Wait,
    /// Whether the current node's prompt is still being said.
    speaking: bool,
    deadline: Option<Instant>,
    vars: HashMap<String, String>,
    digits: String,
    no_input: u32,
    no_match: u32,
    started: (Instant, Timestamp),
    actions: VecDeque<Action>,
}

impl FlowRun {
    /// Starts flow `name` of `flows` for a call at `now` (`wall` is the same moment on the
    /// calendar, for opening hours). `None` when there is no such flow.
    pub fn start(
        flows: Arc<FlowSet>,
        name: &str,
        facts: &CallFacts,
        now: Instant,
        wall: Timestamp,
    ) -> Option<FlowRun> {
        let flow = flows.get(name)?;
        let mut vars = HashMap::new();
        let facts = [
            ("caller", &facts.caller),
            ("dialled", &facts.dialled),
            ("language", &facts.language),
        ];
        for (k, v) in facts {
            if let Some(v) = v {
                vars.insert(k.to_string(), v.clone());
            }
        }
        let start = flow.start.node.clone();
        let mut run = FlowRun {
            flows,
            flow,
            stack: Vec::new(),
            at: String::new(),
            wait: Wait::Ended,
            speaking: false,
            deadline: None,
            vars,
            digits: String::new(),
            no_input: 0,
            no_match: 0,
            started: (now, wall),
            actions: VecDeque::new(),
        };
        run.go(now, &start);
        Some(run)
    }

    /// The node the call is in.
    pub fn node(&self) -> &str {
        &self.at
    }

    /// The flow the call is in (a subflow's name while it runs).
    pub fn flow_name(&self) -> &str {
        &self.flow.name
    }

    /// A variable's value.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Whether the call is over (a `Hangup` was given).
    pub fn ended(&self) -> bool {
        self.wait == Wait::Ended
    }

    /// The next action, if any.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    /// Feeds what happened.
    pub fn handle(&mut self, now: Instant, input: Input) {
        match (self.wait, input) {
            (Wait::Ended, _) => {}
            (_, Input::PromptDone) => self.prompt_done(now),
            (Wait::Menu, Input::Digit(d)) => self.menu_choice(now, &d.to_string(), true),
            (Wait::Menu, Input::Speech(text)) => self.menu_choice(now, &text, false),
            (Wait::Collect, Input::Digit(d)) => self.collect_digit(now, d),
            (Wait::Collect, Input::Speech(text)) => self.collect_speech(now, &text),
            (Wait::Webhook, Input::Webhook(result)) => self.webhook_done(now, result),
            (Wait::Agent, Input::AgentEnded(end)) => self.agent_done(now, end),
            (Wait::Recording, Input::RecordingDone) => self.hangup(),
            (Wait::Transfer, Input::TransferFailed) => self.transfer_failed(now),
            _ => {}
        }
    }

    /// The deadline passed: no input, the end of keyed digits, or a webhook that took too long.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.deadline.is_none_or(|d| now < d) {
            return;
        }
        self.deadline = None;
        match self.wait {
            Wait::Menu => self.retry(now, Retry::NoInput),
            Wait::Collect if self.digits.is_empty() => self.retry(now, Retry::NoInput),
            Wait::Collect => self.finish_collect(now),
            Wait::Webhook => self.webhook_done(now, Err("timed out".into())),
            _ => {}
        }
    }

    fn node_of(&self) -> Option<&Node> {
        self.flow.nodes.get(&self.at)
    }

    fn say(&mut self, p: &Prompt) {
        self.speaking = true;
        self.actions.push_back(match p {
            Prompt::Say(text) => Action::Say(expand(text, &self.vars, false)),
            Prompt::Play(file) => Action::Play(file.clone()),
        });
    }

    fn hangup(&mut self) {
        self.wait = Wait::Ended;
        self.deadline = None;
        self.actions.push_back(Action::Hangup);
    }

    /// Goes to node `name` and runs nodes until one waits.
    fn go(&mut self, now: Instant, name: &str) {
        let mut name = name.to_string();
        for _ in 0..MAX_STEPS {
            match self.enter(now, &name) {
                Some(next) => name = next,
                None => return,
            }
        }
        tracing::warn!(flow = %self.flow.name, node = %name, "flow passed {MAX_STEPS} nodes without waiting; ending the call");
        self.hangup();
    }

    /// Enters one node; returns the node to go to at once, if the node does not wait.
    fn enter(&mut self, now: Instant, name: &str) -> Option<String> {
        if self.wait != Wait::Ended && self.speaking {
            self.actions.push_back(Action::StopSpeaking);
        }
        self.speaking = false;
        self.deadline = None;
        self.digits.clear();
        self.no_input = 0;
        self.no_match = 0;
        let Some(node) = self.flow.nodes.get(name).cloned() else {
            tracing::warn!(flow = %self.flow.name, node = %name, "flow goes to a node it does not have; ending the call");
            self.hangup();
            return None;
        };
        self.at = node.name.clone();
        self.actions.push_back(Action::Entered(node.name.clone()));
        let next = node.next.as_ref().map(|t| t.node.clone());
        match &node.kind {
            Kind::Prompt(p) => {
                self.say(p);
                self.wait = Wait::Prompt;
            }
            Kind::Set(pairs) => {
                for (k, v) in pairs {
                    let value = expand(v, &self.vars, false);
                    self.vars.insert(k.clone(), value);
                }
                return self.after(next);
            }
            Kind::Condition(c) => return Some(self.branch(now, c)),
            Kind::Menu(m) => {
                self.vars.remove("utterance");
                self.ask(&m.prompt.clone(), Wait::Menu, m.speech);
            }
            Kind::Collect(c) => {
                // A value already said ("my order 104233") is not asked for again.
                if let Some(said) = self.vars.remove("utterance").filter(|_| c.speech) {
                    let value = spoken_digits(&said);
                    if valid(c, &value) {
                        self.vars.insert(c.into.clone(), value);
                        return self.after(next);
                    }
                }
                self.ask(&c.prompt.clone(), Wait::Collect, c.speech);
            }
            Kind::Webhook(w) => self.webhook(now, w),
            Kind::Agent(a) => {
                self.wait = Wait::Agent;
                self.actions.push_back(Action::Agent {
                    kb: a.kb.clone(),
                    max_turns: a.max_turns,
                    first_turn: self.vars.remove("utterance"),
                });
            }
            Kind::Transfer(t) => match &t.prompt {
                Some(p) => {
                    self.say(p);
                    self.wait = Wait::TransferPrompt;
                }
                None => self.transfer(t.to.clone()),
            },
            Kind::Voicemail(v) => {
                self.say(&v.prompt);
                self.wait = Wait::VoicemailPrompt;
            }
            Kind::Hangup(Some(p)) => {
                self.say(p);
                self.wait = Wait::Goodbye;
            }
            Kind::Hangup(None) => self.hangup(),
            Kind::Subflow(s) => return self.subflow(&s.flow, node.next.clone()),
            Kind::Return => return self.return_(),
        }
        None
    }

    /// Where to go after a node that does not wait: `next`, or the end of the call.
    fn after(&mut self, next: Option<String>) -> Option<String> {
        if next.is_none() {
            self.hangup();
        }
        next
    }

    fn ask(&mut self, prompt: &Prompt, wait: Wait, speech: bool) {
        self.say(prompt);
        self.wait = wait;
        self.actions.push_back(Action::Listen {
            digits: true,
            speech,
        });
    }

    fn branch(&self, now: Instant, c: &Condition) -> String {
        let wall = self
            .started
            .1
            .checked_add(now.saturating_duration_since(self.started.0))
            .unwrap_or(self.started.1);
        let holds = |t: &Test| match t {
            Test::Open(h) => h.is_open(wall),
            Test::CallerIn(list) => self
                .vars
                .get("caller")
                .is_some_and(|c| list.iter().any(|n| same_number(n, c))),
            Test::Language(l) => self.vars.get("language").is_some_and(|x| x == l),
            Test::Equals { var, value } => self.vars.get(var).is_some_and(|x| x == value),
            Test::IsSet(var) => self.vars.get(var).is_some_and(|x| !x.is_empty()),
        };
        c.branches
            .iter()
            .find(|(t, _)| holds(t))
            .map_or(&c.otherwise, |(_, n)| n)
            .node
            .clone()
    }

    fn webhook(&mut self, now: Instant, w: &Webhook) {
        let url = expand(&w.url, &self.vars, true);
        let body = (w.method == Method::Post).then(|| {
            serde_json::Value::Object(
                self.vars
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect(),
            )
        });
        let timeout = Duration::from_millis(u64::from(w.timeout_ms));
        self.wait = Wait::Webhook;
        // The shell enforces the timeout too; this is the flow's own backstop.
        self.deadline = Some(now + timeout + Duration::from_millis(500));
        self.actions.push_back(Action::Webhook {
            method: w.method,
            url,
            body,
            timeout,
        });
    }

    fn transfer(&mut self, to: TransferTo) {
        self.wait = Wait::Transfer;
        self.actions.push_back(Action::StopListening);
        self.actions.push_back(Action::Transfer(to));
    }

    fn subflow(&mut self, name: &str, next: Option<Target>) -> Option<String> {
        let Some(flow) = self.flows.get(name) else {
            tracing::warn!(flow = %self.flow.name, subflow = %name, "no such subflow; ending the call");
            self.hangup();
            return None;
        };
        if self.stack.len() >= 8 {
            tracing::warn!(flow = %self.flow.name, "subflows nested over 8 deep; ending the call");
            self.hangup();
            return None;
        }
        let calling = std::mem::replace(&mut self.flow, flow);
        self.stack.push((calling, next));
        Some(self.flow.start.node.clone())
    }

    fn return_(&mut self) -> Option<String> {
        match self.stack.pop() {
            Some((flow, next)) => {
                self.flow = flow;
                self.after(next.map(|t| t.node))
            }
            None => {
                self.hangup();
                None
            }
        }
    }

    fn prompt_done(&mut self, now: Instant) {
        if !std::mem::take(&mut self.speaking) {
            return;
        }
        let node = self.node_of().cloned();
        match (self.wait, node) {
            (Wait::Prompt, Some(n)) => {
                let next = n.next.map(|t| t.node);
                if let Some(next) = self.after(next) {
                    self.go(now, &next);
                }
            }
            (
                Wait::Menu,
                Some(Node {
                    kind: Kind::Menu(m),
                    ..
                }),
            ) => {
                self.deadline = Some(now + Duration::from_secs(u64::from(m.timeout_secs)));
            }
            (
                Wait::Collect,
                Some(Node {
                    kind: Kind::Collect(c),
                    ..
                }),
            ) if self.digits.is_empty() => {
                self.deadline = Some(now + Duration::from_secs(u64::from(c.timeout_secs)));
            }
            (
                Wait::VoicemailPrompt,
                Some(Node {
                    kind: Kind::Voicemail(v),
                    ..
                }),
            ) => {
                self.wait = Wait::Recording;
                self.actions.push_back(Action::Record {
                    max: Duration::from_secs(u64::from(v.max_secs)),
                });
            }
            (
                Wait::TransferPrompt,
                Some(Node {
                    kind: Kind::Transfer(t),
                    ..
                }),
            ) => self.transfer(t.to),
            (Wait::Goodbye, _) => self.hangup(),
            _ => {}
        }
    }

    fn interrupt(&mut self) {
        if std::mem::take(&mut self.speaking) {
            self.actions.push_back(Action::StopSpeaking);
        }
    }

    fn menu_choice(&mut self, now: Instant, said: &str, keyed: bool) {
        let Some(Node {
            kind: Kind::Menu(m),
            ..
        }) = self.node_of().cloned()
        else {
            return;
        };
        self.interrupt();
        let choice = if keyed {
            m.options.iter().find(|(k, _)| k == said)
        } else {
            spoken_choice(&m.options, said)
        };
        match (choice, &m.other) {
            (Some((option, t)), _) => {
                // "How long do I have to return an item?" chose `returns` and is also the
                // question the next node (an agent, a collect) should not ask again.
                if !keyed && said.split_whitespace().count() > option.split_whitespace().count() + 2
                {
                    self.vars
                        .insert("utterance".into(), said.trim().to_string());
                }
                self.go(now, &t.node.clone())
            }
            (None, Some(other)) if !keyed && !said.trim().is_empty() => {
                self.vars
                    .insert("utterance".into(), said.trim().to_string());
                self.go(now, &other.node.clone());
            }
            _ => self.retry(now, Retry::NoMatch),
        }
    }

    fn collect_digit(&mut self, now: Instant, d: char) {
        let Some(Node {
            kind: Kind::Collect(c),
            ..
        }) = self.node_of().cloned()
        else {
            return;
        };
        self.interrupt();
        if d == '#' {
            return self.finish_collect(now);
        }
        if d.is_ascii_digit() {
            self.digits.push(d);
        }
        if self.digits.len() >= c.max {
            self.finish_collect(now);
        } else {
            self.deadline = Some(now + Duration::from_secs(u64::from(c.timeout_secs)));
        }
    }

    fn collect_speech(&mut self, now: Instant, text: &str) {
        self.interrupt();
        self.digits = spoken_digits(text);
        self.finish_collect(now);
    }

    fn finish_collect(&mut self, now: Instant) {
        let Some(Node {
            kind: Kind::Collect(c),
            next,
            ..
        }) = self.node_of().cloned()
        else {
            return;
        };
        let value = std::mem::take(&mut self.digits);
        if valid(&c, &value) {
            self.vars.insert(c.into.clone(), value);
            if let Some(next) = self.after(next.map(|t| t.node)) {
                self.go(now, &next);
            }
        } else {
            self.retry(now, Retry::NoMatch);
        }
    }

    /// Asks again after no input or a bad answer, or goes to the retry's `then`.
    fn retry(&mut self, now: Instant, why: Retry) {
        let Some(node) = self.node_of().cloned() else {
            return;
        };
        let (prompt, spec) = match &node.kind {
            Kind::Menu(m) => (
                m.prompt.clone(),
                match why {
                    Retry::NoInput => m.no_input.clone(),
                    Retry::NoMatch => m.no_match.clone(),
                },
            ),
            Kind::Collect(c) => (c.prompt.clone(), c.invalid.clone()),
            _ => return,
        };
        let used = match why {
            Retry::NoInput => &mut self.no_input,
            Retry::NoMatch => &mut self.no_match,
        };
        *used += 1;
        let allowed = spec.as_ref().map_or(DEFAULT_RETRIES, |s| s.retries);
        if *used > allowed {
            match spec {
                Some(s) => self.go(now, &s.then.node),
                None => self.hangup(),
            }
            return;
        }
        self.deadline = None;
        self.digits.clear();
        if let Some(say) = spec.as_ref().and_then(|s| s.say.as_ref()) {
            self.say(say);
        }
        self.say(&prompt);
    }

    fn webhook_done(&mut self, now: Instant, result: Result<WebhookReply, String>) {
        self.deadline = None;
        let Some(Node {
            kind: Kind::Webhook(w),
            next,
            ..
        }) = self.node_of().cloned()
        else {
            return;
        };
        let result = result.and_then(|r| match r.status {
            500.. => Err(format!("HTTP {}", r.status)),
            _ => Ok(r),
        });
        match result {
            Ok(reply) => {
                if let Some(into) = &w.into {
                    store_json(&mut self.vars, into, &reply.body);
                    self.vars
                        .insert(format!("{into}.http_status"), reply.status.to_string());
                }
                if let Some(next) = self.after(next.map(|t| t.node)) {
                    self.go(now, &next);
                }
            }
            Err(why) => {
                let why = crate::privacy::hide_digits(&why);
                tracing::info!(flow = %self.flow.name, node = %self.at, %why, "webhook failed");
                self.go(now, &w.on_error.node);
            }
        }
    }

    fn agent_done(&mut self, now: Instant, end: AgentEnd) {
        let Some(Node {
            kind: Kind::Agent(a),
            next,
            ..
        }) = self.node_of().cloned()
        else {
            return;
        };
        match end {
            AgentEnd::Handoff(reason) => {
                self.vars.insert("handoff".into(), reason);
                self.go(now, &a.on_handoff.node);
            }
            AgentEnd::Finished => match next {
                Some(t) => self.go(now, &t.node),
                None => self.hangup(),
            },
        }
    }

    fn transfer_failed(&mut self, now: Instant) {
        match self.node_of().cloned() {
            Some(Node {
                kind:
                    Kind::Transfer(Transfer {
                        on_fail: Some(t), ..
                    }),
                ..
            }) => self.go(now, &t.node),
            _ => self.hangup(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Retry {
    NoInput,
    NoMatch,
}

/// The option a caller's words choose: the one named earliest in what they said ("one" and
/// "1" name key options too).
fn spoken_choice<'m>(options: &'m [(String, Target)], said: &str) -> Option<&'m (String, Target)> {
    let words: Vec<String> = said
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| digit_word(&w.to_lowercase()).unwrap_or_else(|| w.to_lowercase()))
        .collect();
    let position = |choice: &str| {
        let want: Vec<&str> = choice.split_whitespace().collect();
        (0..words.len()).find(|&i| {
            words.len() - i >= want.len()
                && want
                    .iter()
                    .enumerate()
                    .all(|(j, w)| stem(&words[i + j]) == stem(w))
        })
    };
    options
        .iter()
        .filter_map(|o| position(&o.0).map(|p| (p, o)))
        .min_by_key(|(p, _)| *p)
        .map(|(_, o)| o)
}

/// The digits in what the caller said ("one oh four, two 3 3" → "104233").
fn spoken_digits(text: &str) -> String {
    let joined = crate::dialog::tools::join_spoken_digits(text);
    joined.chars().filter(char::is_ascii_digit).collect()
}

/// "order" and "orders" are the same choice.
fn stem(w: &str) -> &str {
    w.strip_suffix('s').filter(|s| s.len() >= 3).unwrap_or(w)
}

fn digit_word(w: &str) -> Option<String> {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    WORDS.iter().position(|x| *x == w).map(|d| d.to_string())
}

/// Caller numbers compare on their digits (and a leading `+`), so `+44 20 7946 0000` and
/// `+442079460000` agree.
fn same_number(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

fn valid(c: &Collect, value: &str) -> bool {
    let len_ok = (c.min..=c.max).contains(&value.len());
    let pattern_ok = c
        .pattern
        .as_ref()
        .is_none_or(|p| regex::Regex::new(&format!("^(?:{p})$")).is_ok_and(|r| r.is_match(value)));
    let sum_ok = match c.checksum {
        None => true,
        Some(Checksum::Luhn) => luhn(value),
    };
    len_ok && pattern_ok && sum_ok
}

/// The Luhn mod-10 check.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// A webhook's JSON in variables: the whole value compact under `into`, and each top-level
/// field of an object under `into.field` (strings without quotes). At most 64 fields, each
/// at most 1 KiB: a hostile endpoint cannot fill a call's memory.
fn store_json(vars: &mut HashMap<String, String>, into: &str, value: &serde_json::Value) {
    let text = |v: &serde_json::Value| -> String {
        let s = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        s.chars().take(1024).collect()
    };
    vars.insert(into.to_string(), text(value));
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map.iter().take(64) {
            if super::parse::valid_name(k) {
                vars.insert(format!("{into}.{k}"), text(v));
            }
        }
    }
}
