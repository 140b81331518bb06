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
use super::values::{same_number, spoken_digits, valid};

mod inputs;

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
    /// Play this prompt: a file relative to the flow's directory or `builtin:NAME`; an
    /// empty name is nothing to play (the prompt is done at once).
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
        /// Open with the agent's greeting.
        greet: bool,
    },
    /// Keep what the caller says in the transcript, silently; `#` or the time limit ends it.
    Transcribe {
        /// The longest it listens.
        max: Duration,
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
    /// Transcribing until `#` or the deadline.
    Transcribing,
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
    /// The variables `collect` nodes filled, in order (for the hand-off's story).
    collected: Vec<String>,
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
            collected: Vec::new(),
            digits: String::new(),
            no_input: 0,
            no_match: 0,
            started: (now, wall),
            actions: VecDeque::new(),
        };
        run.go(now, &start);
        Some(run)
    }

    /// How the caller sounded in their last utterance (`label`: neutral, satisfied,
    /// frustrated, angry, anxious, sad) and where their mood is heading (`trend`): the
    /// variables `emotion` and `emotion_trend`, which the `emotion` test reads.
    pub fn set_emotion(&mut self, label: &str, trend: &str) {
        self.vars.insert("emotion".into(), label.into());
        self.vars.insert("emotion_trend".into(), trend.into());
    }

    /// The caller spoke of a crisis (`kind`: direct, indirect, danger) outside an agent node:
    /// the variables `crisis` and `handoff` are set and the call goes to the flow's
    /// `on_crisis` node at once. False when the flow has none (the call goes on; the agent,
    /// if it is reached, hands off as `crisis` itself).
    pub fn crisis(&mut self, now: Instant, kind: &str) -> bool {
        if self.wait == Wait::Ended {
            return false;
        }
        self.vars.insert("crisis".into(), kind.into());
        self.vars.insert("handoff".into(), "crisis".into());
        let Some(target) = self.flow.on_crisis.clone() else {
            return false;
        };
        self.interrupt();
        self.deadline = None;
        self.go(now, &target.node);
        true
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

    /// What `collect` nodes filled: (variable, value), in order.
    pub fn collected(&self) -> impl Iterator<Item = (&str, &str)> {
        self.collected
            .iter()
            .filter_map(|k| self.vars.get(k).map(|v| (k.as_str(), v.as_str())))
    }

    /// Keeps `value` in `var` as collected.
    pub(super) fn collect_into(&mut self, var: &str, value: String) {
        self.vars.insert(var.to_owned(), value);
        self.collected.retain(|k| k != var);
        self.collected.push(var.to_owned());
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
            (Wait::Transcribing, Input::Digit('#')) => self.transcribed(now),
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
            Wait::Transcribing => self.transcribed(now),
            _ => {}
        }
    }

    fn node_of(&self) -> Option<&Node> {
        self.flow.nodes.get(&self.at)
    }

    fn say(&mut self, p: &Prompt) {
        self.speaking = true;
        match p {
            Prompt::Say(text) => self
                .actions
                .push_back(Action::Say(expand(text, &self.vars, false))),
            Prompt::Play(file) => self.actions.push_back(Action::Play(file.clone())),
            Prompt::Spell(text) => {
                // At most 64 keys: a variable from a webhook cannot hold the call for long.
                let value = expand(text, &self.vars, false);
                let keys: Vec<String> = value.chars().filter_map(key_prompt).take(64).collect();
                if keys.is_empty() {
                    // Nothing to read: an empty `Play`, done at once.
                    self.actions.push_back(Action::Play(String::new()));
                }
                self.actions.extend(keys.into_iter().map(Action::Play));
            }
        }
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
                        let into = c.into.clone();
                        self.collect_into(&into, value);
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
                    greet: a.greet,
                });
            }
            Kind::Transcribe(t) => {
                let max = Duration::from_secs(u64::from(t.max_secs));
                self.wait = Wait::Transcribing;
                self.deadline = Some(now + max);
                self.actions.push_back(Action::Transcribe { max });
                self.actions.push_back(Action::Listen {
                    digits: true,
                    speech: false,
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
            Test::Emotion(labels) => self
                .vars
                .get("emotion")
                .is_some_and(|e| labels.iter().any(|l| l == e)),
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
}

#[derive(Debug, Clone, Copy)]
enum Retry {
    NoInput,
    NoMatch,
}
