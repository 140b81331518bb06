//! A flow as loaded: its nodes, what each does and where each goes next. Every node and
//! every reference to another node keeps the line it was written on, so a check can name it.

use std::collections::BTreeMap;

use super::hours::OpenHours;

/// One operator flow (one YAML file).
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// The flow's name (`flow:`), how DID maps and subflows refer to it.
    pub name: String,
    /// The first node.
    pub start: Target,
    /// The nodes by name, in name order.
    pub nodes: BTreeMap<String, Node>,
    /// Calls that start on this flow are recorded whole (`record: true`): a stereo WAV, the
    /// caller left and what voxgate sends right, under the recordings quota and retention.
    pub record: bool,
    /// Where a call goes when the caller speaks of a crisis outside an agent node (the agent
    /// hands off as `crisis` itself): after the operator's emergency line, this node
    /// (`on_crisis:`, typically a transfer at top priority).
    pub on_crisis: Option<Target>,
}

/// A reference to a node, with the line it was written on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The node named.
    pub node: String,
    /// Where the reference is written (1-based).
    pub line: usize,
}

/// One node of a flow.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Its name (the key under `nodes:`).
    pub name: String,
    /// The line of its name.
    pub line: usize,
    /// What it does.
    pub kind: Kind,
    /// Where the call goes when the node is done (`next:`); nodes that end the call have none.
    pub next: Option<Target>,
}

/// Something said to the caller: synthesized text or a recorded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// Text for the voice; `{name}` is replaced by the variable's value.
    Say(String),
    /// A WAV file, relative to the flow's directory, or a built-in prompt (`builtin:NAME`,
    /// one of [`crate::media::builtin_names`]).
    Play(String),
    /// A value read key by key with the built-in prompts (`spell: "{order}"`: "one two
    /// three"), for flows without a voice.
    Spell(String),
}

/// The prefix of a built-in prompt's name in `play:`.
pub const BUILTIN: &str = "builtin:";

/// The built-in prompt that names key `key`, for `spell`.
pub fn key_prompt(key: char) -> Option<String> {
    match key {
        '0'..='9' => Some(format!("{BUILTIN}digit-{key}")),
        '*' => Some(format!("{BUILTIN}star")),
        '#' => Some(format!("{BUILTIN}pound")),
        _ => None,
    }
}

/// What a node does.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Says or plays a prompt, then `next`.
    Prompt(Prompt),
    /// Offers choices by key or by word.
    Menu(Menu),
    /// Takes digits or spoken digits into a variable.
    Collect(Collect),
    /// Goes to the first branch whose test holds, else to `otherwise`.
    Condition(Condition),
    /// Sets variables (values are templates).
    Set(Vec<(String, String)>),
    /// Calls an HTTP endpoint; its JSON answer goes into a variable.
    Webhook(Webhook),
    /// The AI agent with a knowledge base.
    Agent(AgentNode),
    /// Hands the call to a queue or a SIP address.
    Transfer(Transfer),
    /// Records a message after a prompt, then hangs up.
    Voicemail(Voicemail),
    /// Listens without speaking, keeping what the caller says in the call's transcript,
    /// until `#`, the time limit or the hang-up; then `next` (or the end of the call).
    Transcribe(Transcribe),
    /// Ends the call, after an optional goodbye.
    Hangup(Option<Prompt>),
    /// Runs another flow from its start until it returns, then `next`.
    Subflow(Subflow),
    /// Ends a subflow: the calling flow goes on at its `next`.
    Return,
}

/// What happens after no input or no match: the prompt said again up to `retries` times.
#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    /// How many more tries the caller gets.
    pub retries: u32,
    /// Said before the menu's prompt is said again.
    pub say: Option<Prompt>,
    /// Where the call goes when the tries are used up.
    pub then: Target,
}

/// A menu: `options` by key (`"1"`) or by word (`orders`).
#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    /// The menu's prompt.
    pub prompt: Prompt,
    /// Key or word → node, in the order written.
    pub options: Vec<(String, Target)>,
    /// Free speech that matches no option goes here (its words become the variable
    /// `utterance`, the agent's first turn).
    pub other: Option<Target>,
    /// Whether the caller may speak a choice (keys always work).
    pub speech: bool,
    /// Seconds of silence after the prompt before it counts as no input.
    pub timeout_secs: u32,
    /// No input.
    pub no_input: Option<Retry>,
    /// Input that matches nothing.
    pub no_match: Option<Retry>,
}

/// A `collect` pattern: the operator's expression anchored to the whole value (`^(?:…)$`),
/// compiled. Two are equal when their text is.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// A check a collected value must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// The Luhn mod-10 check (payment cards, many account numbers).
    Luhn,
}

/// Collects digits (keyed or spoken) into a variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Collect {
    /// Asked before listening.
    pub prompt: Prompt,
    /// Fewest digits accepted.
    pub min: usize,
    /// Most digits accepted (input stops there).
    pub max: usize,
    /// A regular expression the whole value must match, compiled once when the flow is read.
    pub pattern: Option<Pattern>,
    /// A checksum the value must pass.
    pub checksum: Option<Checksum>,
    /// Whether spoken digits are accepted besides keyed ones.
    pub speech: bool,
    /// Whether `*` is kept as a key of the value (else it is ignored; `#` always ends).
    pub star: bool,
    /// The variable the value goes into.
    pub into: String,
    /// Seconds without a key before the input counts as complete (or as no input).
    pub timeout_secs: u32,
    /// A value that fails a check (or no value).
    pub invalid: Option<Retry>,
}

/// A test of a `condition` branch.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Within opening hours.
    Open(OpenHours),
    /// The caller's number is one of these.
    CallerIn(Vec<String>),
    /// The caller's detected language is this (`en`, `zh`).
    Language(String),
    /// A variable equals a value.
    Equals {
        /// The variable.
        var: String,
        /// The value.
        value: String,
    },
    /// A variable is set and not empty.
    IsSet(String),
    /// The caller's last utterance sounded like one of these (neutral, satisfied,
    /// frustrated, angry, anxious, sad).
    Emotion(Vec<String>),
}

/// `condition:` branches and the `else` node.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Tests in order with their nodes.
    pub branches: Vec<(Test, Target)>,
    /// Where the call goes when no test holds.
    pub otherwise: Target,
}

/// An HTTP request whose JSON answer is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// The URL (a template: `{order}` is the variable, URL-encoded).
    pub url: String,
    /// GET or POST (POST sends the flow's variables as JSON).
    pub method: Method,
    /// How long to wait for the answer.
    pub timeout_ms: u32,
    /// The variable the answer goes into (top-level fields as `into.field`).
    pub into: Option<String>,
    /// Where the call goes when the request fails or times out.
    pub on_error: Target,
}

/// The HTTP method of a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST with the variables as a JSON object.
    Post,
}

/// The AI agent as a node.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentNode {
    /// The knowledge base's name (`default` is the configured one).
    pub kb: String,
    /// Turns before the agent hands off.
    pub max_turns: Option<u32>,
    /// Opens with the agent's configured greeting (`agent.greeting`), which the caller may
    /// talk over: what they say is the agent's first turn.
    pub greet: bool,
    /// Where the call goes when the agent hands off (reason in the variable `handoff`).
    pub on_handoff: Target,
}

/// Where a transfer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferTo {
    /// A queue of human agents.
    Queue {
        /// The queue's name.
        name: String,
        /// Higher is answered first.
        priority: u8,
        /// Skills the agent must have.
        skills: Vec<String>,
    },
    /// A SIP address (a PBX extension, another service).
    Uri(String),
}

/// Hands the call on.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    /// Where.
    pub to: TransferTo,
    /// Said before the transfer.
    pub prompt: Option<Prompt>,
    /// Where the call goes when the transfer cannot be made (nobody answers, queue closed).
    pub on_fail: Option<Target>,
}

/// Records a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Voicemail {
    /// Said before the tone.
    pub prompt: Prompt,
    /// The longest message.
    pub max_secs: u32,
}

/// Transcribes the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcribe {
    /// The longest it listens.
    pub max_secs: u32,
}

/// Runs another flow.
#[derive(Debug, Clone, PartialEq)]
pub struct Subflow {
    /// The other flow's name.
    pub flow: String,
    /// Where its name is written.
    pub line: usize,
}

impl Kind {
    /// The key that names this kind in a flow file.
    pub fn key(&self) -> &'static str {
        match self {
            Kind::Prompt(Prompt::Say(_)) => "say",
            Kind::Prompt(Prompt::Play(_)) => "play",
            Kind::Prompt(Prompt::Spell(_)) => "spell",
            Kind::Menu(_) => "menu",
            Kind::Collect(_) => "collect",
            Kind::Condition(_) => "condition",
            Kind::Set(_) => "set",
            Kind::Webhook(_) => "webhook",
            Kind::Agent(_) => "agent",
            Kind::Transfer(_) => "transfer",
            Kind::Voicemail(_) => "voicemail",
            Kind::Transcribe(_) => "transcribe",
            Kind::Hangup(_) => "hangup",
            Kind::Subflow(_) => "subflow",
            Kind::Return => "return",
        }
    }

    /// Whether the node waits for the caller (keys, speech, a conversation): a loop through
    /// such a node cannot spin without the caller.
    pub fn takes_input(&self) -> bool {
        matches!(
            self,
            Kind::Menu(_)
                | Kind::Collect(_)
                | Kind::Agent(_)
                | Kind::Voicemail(_)
                | Kind::Transcribe(_)
        )
    }

    /// Whether the call can stop here without a `next` (it ends, leaves or returns).
    pub fn ends(&self) -> bool {
        matches!(
            self,
            Kind::Hangup(_)
                | Kind::Voicemail(_)
                | Kind::Return
                | Kind::Transfer(_)
                | Kind::Transcribe(_)
        )
    }
}

impl Node {
    /// Every node this one can go to, with the line of the reference.
    pub fn targets(&self) -> Vec<&Target> {
        let mut out: Vec<&Target> = self.next.iter().collect();
        fn retry(r: &Option<Retry>) -> Option<&Target> {
            r.as_ref().map(|r| &r.then)
        }
        match &self.kind {
            Kind::Menu(m) => {
                out.extend(m.options.iter().map(|(_, t)| t));
                out.extend(m.other.iter());
                out.extend(retry(&m.no_input));
                out.extend(retry(&m.no_match));
            }
            Kind::Collect(c) => out.extend(retry(&c.invalid)),
            Kind::Condition(c) => {
                out.extend(c.branches.iter().map(|(_, t)| t));
                out.push(&c.otherwise);
            }
            Kind::Webhook(w) => out.push(&w.on_error),
            Kind::Agent(a) => out.push(&a.on_handoff),
            Kind::Transfer(t) => out.extend(t.on_fail.iter()),
            _ => {}
        }
        out
    }

    /// The prompts this node says or plays.
    pub fn prompts(&self) -> Vec<&Prompt> {
        fn retry(r: &Option<Retry>) -> Option<&Prompt> {
            r.as_ref().and_then(|r| r.say.as_ref())
        }
        match &self.kind {
            Kind::Prompt(p) => vec![p],
            Kind::Menu(m) => std::iter::once(&m.prompt)
                .chain(retry(&m.no_input))
                .chain(retry(&m.no_match))
                .collect(),
            Kind::Collect(c) => std::iter::once(&c.prompt)
                .chain(retry(&c.invalid))
                .collect(),
            Kind::Transfer(t) => t.prompt.iter().collect(),
            Kind::Voicemail(v) => vec![&v.prompt],
            Kind::Hangup(p) => p.iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// What running flows takes beyond telephony: the AI agent, speech recognition, the voice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Needs {
    /// An `agent` node.
    pub agent: bool,
    /// Speech input (a menu or collect that listens to speech, an agent, a transcribe, a
    /// transfer to a queue: both sides of a call with a person are transcribed).
    pub speech: bool,
    /// Synthesized speech (`say` anywhere, an agent, a transfer to a queue: the whisper).
    pub voice: bool,
}

impl Needs {
    /// What `flow` needs.
    pub fn of(flow: &Flow) -> Needs {
        let mut n = Needs::default();
        for node in flow.nodes.values() {
            match &node.kind {
                Kind::Agent(_) => n.agent = true,
                Kind::Menu(m) => n.speech |= m.speech,
                Kind::Collect(c) => n.speech |= c.speech,
                Kind::Transcribe(_) => n.speech = true,
                // A person takes the call: the whisper is spoken and both sides transcribed.
                Kind::Transfer(Transfer {
                    to: TransferTo::Queue { .. },
                    ..
                }) => {
                    n.speech = true;
                    n.voice = true;
                }
                _ => {}
            }
            n.voice |= node.prompts().iter().any(|p| matches!(p, Prompt::Say(_)));
        }
        n.speech |= n.agent;
        n.voice |= n.agent;
        n
    }

    /// Both together.
    pub fn and(self, other: Needs) -> Needs {
        Needs {
            agent: self.agent || other.agent,
            speech: self.speech || other.speech,
            voice: self.voice || other.voice,
        }
    }

    /// What of `wanted` this lacks, in words ("the AI agent, speech recognition").
    pub fn missing(self, wanted: Needs) -> Option<String> {
        let lacks: Vec<&str> = [
            (wanted.agent && !self.agent, "the AI agent"),
            (wanted.speech && !self.speech, "speech recognition"),
            (wanted.voice && !self.voice, "the voice"),
        ]
        .into_iter()
        .filter_map(|(l, what)| l.then_some(what))
        .collect();
        (!lacks.is_empty()).then(|| lacks.join(", "))
    }
}
