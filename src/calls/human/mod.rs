//! A flow's `transfer: {queue: …}` on a call: the caller waits in the queue with music and
//! position announcements; the router picks an agent, the call rings the agent's phone on
//! a second leg; when the agent answers, the agent hears the whisper (the call's story, by
//! text-to-speech) while the caller still hears music; then the two are bridged, both
//! directions through small frame queues (each leg has its own jitter buffer and codec in
//! the runtime, so PCMU↔PCMA needs nothing here), and the agent's side is transcribed too.
//!
//! Owns: the stage of one call's hand-off, its hold music, whisper playback and bridge
//! queues. Must not touch: sockets, SIP (the runtime's second leg does), routing decisions
//! (the contact center's router).

pub mod after;
pub mod assist;
pub mod hold;
pub mod story;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc;

use crate::center::{Ask, Center, News, Refusal, Reply};
use crate::config::OverflowTo;
use crate::dialog::voice::Voice;
use crate::dialog::voice::playback::{Playback, Source};
use crate::events::{Event, Events};
use crate::telephony::{CallAction, LegEvent};
use hold::HoldPlayer;

/// At most this much audio (samples, 8 kHz) waits in a bridge direction: beyond, the oldest
/// is dropped so the delay cannot grow (a quarter of a second).
const BRIDGE_MAX: usize = 2000;
/// The whisper's playback tag.
const WHISPER: u32 = 1;

/// What the flow must hear from the hand-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nobody could take the call (none logged in, queue full, waited too long): the flow
    /// takes `on_fail`; `say` is told to the caller first.
    Failed {
        /// The plain truth for the caller.
        say: String,
    },
    /// The bridged call is over (the agent hung up): the call ends after `say`.
    Over {
        /// What the caller hears last.
        say: String,
    },
    /// Waited too long in a queue whose overflow is a callback: the caller is to be called
    /// back (on the number they called from, when there is one).
    Callback,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    /// Waiting for the router.
    Queued,
    /// The agent's phone rings.
    Ringing(String),
    /// The agent answered and hears the whisper.
    Whisper(String),
    /// Caller and agent talk.
    Bridged(String),
    /// Over (an outcome was given).
    Done,
}

/// What the stage works with.
#[derive(Clone)]
pub struct Links {
    /// The contact center.
    pub center: Center,
    /// The voice that says the whisper.
    pub voice: Arc<dyn Voice>,
    /// Where the hand-off's steps are published.
    pub events: Events,
}

/// One call's hand-off to a person.
pub struct Human {
    call_no: u64,
    queue: String,
    center: Center,
    events: Events,
    replies: Option<mpsc::Receiver<Reply>>,
    stage: Stage,
    hold: HoldPlayer,
    whisper_text: String,
    whisper: Playback,
    voice: Arc<dyn Voice>,
    to_agent: VecDeque<i16>,
    to_caller: VecDeque<i16>,
    actions: VecDeque<CallAction>,
    /// Keys for the agent's leg.
    to_agent_keys: VecDeque<CallAction>,
    /// Said to the caller (position announcements, apologies): the flow logic speaks them.
    say: VecDeque<String>,
    outcome: Option<Outcome>,
    /// When the agent answered (for the bridge-delay and handle-time logs).
    answered: Option<Instant>,
    /// The agent who transferred the call to the one now ringing.
    transferred_by: Option<String>,
    /// The agent's phone holds the call: the caller hears music.
    agent_holds: bool,
    /// For the record: when queued, first answered, who talked, how it ended.
    queued_at: SystemTime,
    queued_instant: Instant,
    /// When the current agent was asked for (the router's decision).
    rung_at: Instant,
    first_answer: Option<SystemTime>,
    talked_to: Vec<String>,
    ending: &'static str,
}

/// What the record of a hand-off needs from the stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// When the call was queued.
    pub queued: SystemTime,
    /// When an agent first answered.
    pub answered: Option<SystemTime>,
    /// Who talked to the caller, in order.
    pub agents: Vec<String>,
    /// `talked`, `nobody`, `queue_full`, `overflow`, `caller_left`, `transfer_failed`.
    pub outcome: &'static str,
}

impl std::fmt::Debug for Human {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Human")
            .field("call_no", &self.call_no)
            .field("queue", &self.queue)
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

impl Human {
    /// Queues call `ask.call` at `now`; `whisper` is what its agent will hear first.
    pub fn start(links: Links, ask: Ask, whisper: String, now: Instant) -> Human {
        let Links {
            center,
            voice,
            events,
        } = links;
        let replies = center.enqueue(ask.clone());
        let mut h = Human {
            call_no: ask.call.0,
            queue: ask.queue,
            center,
            events,
            replies,
            stage: Stage::Queued,
            hold: HoldPlayer::default(),
            whisper_text: whisper,
            whisper: Playback::new(),
            voice,
            to_agent: VecDeque::with_capacity(BRIDGE_MAX),
            to_caller: VecDeque::with_capacity(BRIDGE_MAX),
            actions: VecDeque::new(),
            to_agent_keys: VecDeque::new(),
            say: VecDeque::new(),
            outcome: None,
            answered: None,
            transferred_by: None,
            agent_holds: false,
            queued_at: SystemTime::now(),
            queued_instant: now,
            rung_at: now,
            first_answer: None,
            talked_to: Vec::new(),
            ending: "caller_left",
        };
        h.step("queued", None, None);
        if h.replies.is_none() {
            h.fail("nobody", nobody());
        }
        h
    }

    /// The queue.
    pub fn queue(&self) -> &str {
        &self.queue
    }

    /// Whether caller and agent are talking.
    pub fn bridged(&self) -> bool {
        matches!(self.stage, Stage::Bridged(_))
    }

    /// The agent on the call or being rung.
    pub fn agent(&self) -> Option<&str> {
        match &self.stage {
            Stage::Ringing(a) | Stage::Whisper(a) | Stage::Bridged(a) => Some(a),
            _ => None,
        }
    }

    /// Takes what the router said since the last tick.
    pub fn poll(&mut self, now: Instant) {
        while let Some(reply) = self.replies.as_mut().and_then(|r| r.try_recv().ok()) {
            self.on_reply(now, reply);
        }
        if let Stage::Whisper(agent) = &self.stage {
            self.whisper.poll(now);
            if !self.whisper.busy() {
                tracing::info!(call = self.call_no, %agent, "bridged: caller and agent talk");
                let agent = agent.clone();
                self.step("bridged", Some(&agent), None);
                self.stage = Stage::Bridged(agent);
                self.to_agent.clear();
                self.to_caller.clear();
            }
        }
    }

    fn on_reply(&mut self, now: Instant, reply: Reply) {
        match (reply, &self.stage) {
            (Reply::Refused(Refusal::QueueFull), _) => self.fail(
                "queue_full",
                "I'm sorry, all our agents are busy and the queue is full.".into(),
            ),
            (Reply::Refused(_), _) => self.fail("nobody", nobody()),
            (Reply::Queued { position, wait }, Stage::Queued)
            | (Reply::Position { position, wait }, Stage::Queued)
                if position > 1 =>
            {
                tracing::info!(call = self.call_no, position, "queue position told");
                self.step("position", None, Some(position));
                self.say.push_back(position_line(position, wait));
            }
            (Reply::Ring { agent }, Stage::Queued) => {
                let waited = now.saturating_duration_since(self.queued_instant);
                tracing::info!(
                    call = self.call_no,
                    %agent,
                    waited_ms = waited.as_millis() as u64,
                    "ringing agent"
                );
                self.rung_at = now;
                self.step("ringing", Some(&agent), None);
                self.actions.push_back(CallAction::DialAgent(agent.clone()));
                self.stage = Stage::Ringing(agent);
            }
            (Reply::Cancel, Stage::Ringing(_)) => {
                self.actions.push_back(CallAction::DropLeg);
                self.stage = Stage::Queued;
            }
            (Reply::Overflow(to), _) => {
                if matches!(self.stage, Stage::Ringing(_)) {
                    self.actions.push_back(CallAction::DropLeg);
                }
                let say = match to {
                    OverflowTo::Hangup => {
                        "I'm sorry, all our agents are still busy. Please call again later. Goodbye."
                    }
                    OverflowTo::Callback => {
                        self.fail("callback", String::new());
                        self.outcome = Some(Outcome::Callback);
                        return;
                    }
                    OverflowTo::Voicemail => "I'm sorry, all our agents are still busy.",
                };
                self.fail("overflow", say.into());
            }
            _ => {}
        }
    }

    /// How the second leg goes.
    pub fn on_leg(&mut self, now: Instant, ev: LegEvent) {
        match (ev, self.stage.clone()) {
            (LegEvent::Ringing, Stage::Ringing(agent)) => {
                let ms = now.saturating_duration_since(self.rung_at).as_millis() as u64;
                tracing::info!(call = self.call_no, %agent, after_ms = ms, "agent phone rings");
            }
            (LegEvent::Answered, Stage::Ringing(agent)) => {
                // After a transfer the router has the call on this agent already.
                if self.transferred_by.is_none() {
                    self.center.tell(self.call_no, News::Answered);
                }
                self.first_answer.get_or_insert_with(SystemTime::now);
                self.talked_to.push(agent.clone());
                self.ending = "talked";
                self.answered = Some(now);
                match self.voice.speak(&self.whisper_text, 8000) {
                    Ok(rx) => self.whisper.push(Source::Tts(rx), WHISPER, false),
                    Err(e) => tracing::warn!(call = self.call_no, error = %e, "no whisper"),
                }
                tracing::info!(call = self.call_no, %agent, "agent answered: whisper");
                self.step("answered", Some(&agent), None);
                self.stage = Stage::Whisper(agent);
            }
            (LegEvent::Failed(status), Stage::Ringing(agent)) if self.transferred_by.is_some() => {
                tracing::info!(call = self.call_no, %agent, ?status, "the transfer was not answered");
                self.center.tell(self.call_no, News::Ended);
                self.fail(
                    "transfer_failed",
                    "I'm sorry, your call could not be transferred.".into(),
                );
            }
            (LegEvent::Referred(to), Stage::Whisper(from) | Stage::Bridged(from)) => {
                self.center
                    .tell(self.call_no, News::Transferred(to.clone()));
                self.whisper_text = format!("Transferred by {from}. {}", self.whisper_text);
                self.whisper.stop();
                tracing::info!(call = self.call_no, agent = %to, by = %from, "ringing agent");
                self.step("transferred", Some(&to), None);
                self.rung_at = now;
                self.transferred_by = Some(from);
                self.agent_holds = false;
                self.actions.push_back(CallAction::DialAgent(to.clone()));
                self.stage = Stage::Ringing(to);
            }
            (LegEvent::Failed(status), Stage::Ringing(agent)) => {
                tracing::info!(call = self.call_no, %agent, ?status, "agent did not answer");
                self.center.tell(self.call_no, News::Declined);
                self.stage = Stage::Queued;
            }
            (LegEvent::Held(held), Stage::Bridged(agent)) if held != self.agent_holds => {
                tracing::info!(call = self.call_no, %agent, held, "the agent's hold");
                self.agent_holds = held;
                self.to_caller.clear();
                self.step(if held { "held" } else { "resumed" }, Some(&agent), None);
            }
            (LegEvent::Ended | LegEvent::Failed(_), Stage::Whisper(_) | Stage::Bridged(_)) => {
                self.center.tell(self.call_no, News::Ended);
                let talked = self
                    .answered
                    .map_or(0, |a| now.saturating_duration_since(a).as_secs());
                tracing::info!(
                    call = self.call_no,
                    secs = talked,
                    "the agent left the call"
                );
                self.step("ended", None, None);
                self.stage = Stage::Done;
                self.outcome = Some(Outcome::Over {
                    say: "The agent has ended the call. Thank you for calling. Goodbye.".into(),
                });
            }
            _ => {}
        }
    }

    /// The caller's frame: queued for the agent once bridged.
    pub fn on_caller_audio(&mut self, pcm: &[i16]) {
        if self.bridged() {
            push_bounded(&mut self.to_agent, pcm);
        }
    }

    /// The agent's frame: queued for the caller once bridged.
    pub fn on_agent_audio(&mut self, pcm: &[i16]) {
        if self.bridged() {
            push_bounded(&mut self.to_caller, pcm);
        }
    }

    /// The frame for the caller: the agent once bridged, music before and while the agent
    /// holds the call.
    pub fn fill_caller(&mut self, pcm: &mut [i16]) {
        if self.bridged() && !self.agent_holds {
            pop_into(&mut self.to_caller, pcm);
        } else if self.stage != Stage::Done {
            self.hold.fill(pcm);
        }
    }

    /// The frame for the agent: the whisper, then the caller.
    pub fn fill_agent(&mut self, now: Instant, pcm: &mut [i16]) {
        match self.stage {
            Stage::Whisper(_) => self.whisper.fill(now, pcm),
            Stage::Bridged(_) => pop_into(&mut self.to_agent, pcm),
            _ => {}
        }
    }

    /// A key the caller pressed: relayed to the agent once bridged (true), else not taken.
    pub fn caller_key(&mut self, digit: char) -> bool {
        if self.bridged() {
            self.to_agent_keys.push_back(CallAction::SendDtmf(digit));
        }
        self.bridged()
    }

    /// A key the agent pressed: relayed to the caller once bridged.
    pub fn agent_key(&mut self, digit: char) {
        if self.bridged() {
            self.actions.push_back(CallAction::SendDtmf(digit));
        }
    }

    /// The next thing for the agent's leg (relayed keys).
    pub fn poll_leg_action(&mut self) -> Option<CallAction> {
        self.to_agent_keys.pop_front()
    }

    /// The next thing for the runtime (ring, drop the leg).
    pub fn poll_action(&mut self) -> Option<CallAction> {
        self.actions.pop_front()
    }

    /// The next line for the caller.
    pub fn poll_say(&mut self) -> Option<String> {
        self.say.pop_front()
    }

    /// What the flow must hear, once.
    pub fn take_outcome(&mut self) -> Option<Outcome> {
        self.outcome.take()
    }

    /// The caller hung up (or the flow moved on): the router hears of it.
    pub fn end(&mut self) {
        let news = match self.stage {
            Stage::Whisper(_) | Stage::Bridged(_) => News::Ended,
            Stage::Queued | Stage::Ringing(_) => News::Left,
            Stage::Done => return,
        };
        self.center.tell(self.call_no, news);
        self.step("ended", None, None);
        self.stage = Stage::Done;
    }

    /// Publishes a step of the hand-off.
    fn step(&self, step: &'static str, agent: Option<&str>, position: Option<usize>) {
        self.events.publish(Event::Queue {
            call: self.call_no,
            queue: self.queue.clone(),
            step,
            agent: agent.map(str::to_owned),
            position,
        });
    }

    /// What the record of this hand-off needs (at its end).
    pub fn ending(&self) -> Ending {
        Ending {
            queued: self.queued_at,
            answered: self.first_answer,
            agents: self.talked_to.clone(),
            outcome: self.ending,
        }
    }

    fn fail(&mut self, why: &'static str, say: String) {
        self.step("failed", None, None);
        self.ending = why;
        self.stage = Stage::Done;
        self.replies = None;
        self.outcome = Some(Outcome::Failed { say });
    }
}

fn nobody() -> String {
    "I'm sorry, there is no one available to take your call right now.".into()
}

/// "You are number 3 in the queue. The wait is about 4 minutes."
fn position_line(position: usize, wait: Option<Duration>) -> String {
    let mut s = format!("You are number {position} in the queue.");
    if let Some(w) = wait {
        let mins = w.as_secs().div_ceil(60).max(1);
        let unit = if mins == 1 { "minute" } else { "minutes" };
        s.push_str(&format!(" The wait is about {mins} {unit}."));
    }
    s
}

fn push_bounded(q: &mut VecDeque<i16>, pcm: &[i16]) {
    q.extend(pcm.iter().copied());
    let over = q.len().saturating_sub(BRIDGE_MAX);
    q.drain(..over);
}

fn pop_into(q: &mut VecDeque<i16>, out: &mut [i16]) {
    for s in out.iter_mut() {
        *s = q.pop_front().unwrap_or(0);
    }
}

#[cfg(test)]
mod tests;
