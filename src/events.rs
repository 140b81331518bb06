//! The live event stream: what happens on calls and to agents — nodes entered, every line
//! said (by the caller, by voxgate, by the human agent; numbers masked), emotions, the steps
//! of a hand-off with its summary, agents' states — on one bounded broadcast channel. The
//! API's WebSocket endpoint subscribes (all calls, or one); a subscriber that falls behind
//! is told how many events it missed instead of slowing anyone down.
//!
//! Owns: the channel and the event shapes. Must not touch: sockets, the store. Publishing
//! never blocks and costs nothing when nobody listens.

use std::sync::Arc;
use std::time::SystemTime;

use serde::Serialize;
use tokio::sync::broadcast;

/// Events kept for slow subscribers before they miss some.
const CAPACITY: usize = 1024;

/// Who said a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The caller.
    Caller,
    /// voxgate (prompts, the AI agent).
    Voxgate,
    /// The human agent on a bridged call.
    Human,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A call entered a node of its flow.
    Node {
        /// The call number.
        call: u64,
        /// The flow.
        flow: String,
        /// The node.
        node: String,
    },
    /// A final transcript line.
    Transcript {
        /// The call number.
        call: u64,
        /// Who said it.
        speaker: Speaker,
        /// What (numbers masked).
        text: String,
    },
    /// The utterance in progress so far (it may still change; the final follows).
    Partial {
        /// The call number.
        call: u64,
        /// Who is speaking.
        speaker: Speaker,
        /// The words so far (numbers masked).
        text: String,
        /// How many leading words are settled.
        stable_words: usize,
    },
    /// How the caller sounded.
    Emotion {
        /// The call number.
        call: u64,
        /// neutral, satisfied, frustrated, angry, anxious, sad.
        label: String,
        /// steady, worsening, improving.
        trend: String,
    },
    /// A step of a hand-off to a person.
    Queue {
        /// The call number.
        call: u64,
        /// The queue.
        queue: String,
        /// queued, position, ringing, answered, bridged, held, resumed, transferred, ended,
        /// failed.
        step: &'static str,
        /// The agent, when one is involved.
        #[serde(skip_serializing_if = "Option::is_none")]
        agent: Option<String>,
        /// The place in the queue (`position`).
        #[serde(skip_serializing_if = "Option::is_none")]
        position: Option<usize>,
    },
    /// The story told to the agent, when the call is queued.
    Summary {
        /// The call number.
        call: u64,
        /// The queue.
        queue: String,
        /// The summary (reason, in their words, answered, collected, emotion, VIP,
        /// language).
        summary: serde_json::Value,
    },
    /// Agent assist: the knowledge passages that match what the caller just said (numbers
    /// masked), for the person on the call.
    Assist {
        /// The call number.
        call: u64,
        /// What the caller said.
        question: String,
        /// The passages, best first.
        passages: Vec<AssistPassage>,
    },
    /// Agent assist: what the AI agent would answer (grounded in the knowledge base and
    /// checked like its own answers), after the passages.
    Suggestion {
        /// The call number.
        call: u64,
        /// What the caller said.
        question: String,
        /// The suggested answer.
        answer: String,
        /// The passages it rests on (`file#section`).
        sources: Vec<String>,
    },
    /// An agent's state changed.
    AgentState {
        /// The agent.
        agent: String,
        /// logged_out, available, ringing, on_call, after_call_work, away.
        state: &'static str,
    },
    /// The call ended.
    CallEnded {
        /// The call number.
        call: u64,
    },
}

impl Event {
    /// The call the event is about, if any.
    pub fn call(&self) -> Option<u64> {
        match self {
            Event::Node { call, .. }
            | Event::Transcript { call, .. }
            | Event::Partial { call, .. }
            | Event::Emotion { call, .. }
            | Event::Queue { call, .. }
            | Event::Summary { call, .. }
            | Event::Assist { call, .. }
            | Event::Suggestion { call, .. }
            | Event::CallEnded { call } => Some(*call),
            Event::AgentState { .. } => None,
        }
    }
}

/// A knowledge passage shown to the agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssistPassage {
    /// `file#section`.
    pub id: String,
    /// The heading path.
    pub section: String,
    /// The passage (at most a few hundred characters).
    pub text: String,
}

/// An event with when it happened (ms since the epoch), as sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stamped {
    /// When.
    pub at_ms: i64,
    /// What.
    #[serde(flatten)]
    pub event: Event,
}

/// The hub (cheap to clone).
#[derive(Debug, Clone)]
pub struct Events {
    tx: broadcast::Sender<Arc<Stamped>>,
}

impl Default for Events {
    fn default() -> Self {
        Events::new()
    }
}

impl Events {
    /// A hub with nobody listening.
    pub fn new() -> Events {
        let (tx, _) = broadcast::channel(CAPACITY);
        Events { tx }
    }

    /// Publishes `event` (dropped when nobody listens).
    pub fn publish(&self, event: Event) {
        if self.tx.receiver_count() == 0 {
            return;
        }
        let at_ms = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let _ = self.tx.send(Arc::new(Stamped { at_ms, event }));
    }

    /// A new subscriber (sees what is published from now on).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Stamped>> {
        self.tx.subscribe()
    }

    /// How many subscribe now.
    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn events_reach_subscribers_as_tagged_json_and_a_slow_one_hears_it_lagged() {
        let hub = Events::new();
        hub.publish(Event::CallEnded { call: 1 }); // nobody listens: dropped
        let mut rx = hub.subscribe();
        hub.publish(Event::Transcript {
            call: 7,
            speaker: Speaker::Human,
            text: "Hello".into(),
        });
        let got = rx.try_recv().unwrap();
        let json = serde_json::to_value(&*got).unwrap();
        assert_eq!(json["type"], "transcript");
        assert_eq!(json["speaker"], "human");
        assert_eq!(json["call"], 7);
        assert!(json["at_ms"].as_i64().unwrap() > 0);
        assert_eq!(got.event.call(), Some(7));
        for i in 0..(CAPACITY as u64 + 10) {
            hub.publish(Event::CallEnded { call: i });
        }
        assert!(matches!(
            rx.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(10))
        ));
    }
}
