//! Agent assist: while caller and agent talk, each thing the caller says (three words or
//! more) is looked up in the knowledge base — the passages that match go on the call's
//! event stream at once — and put to the AI agent as a fresh question; its grounded answer,
//! when it has one, follows as a suggestion. One lookup at a time per call; a newer line
//! waiting replaces an older one. Suggestions queue on the shared agent workers: when those
//! are full with callers' turns the suggestion is skipped (callers first).
//!
//! Owns: one call's lookups in flight. Must not touch: audio, the router, the store.

use std::sync::atomic::Ordering;

use tokio::sync::oneshot;

use crate::dialog::Agent;
use crate::dialog::voice::{AgentWorkers, JobHandle, WorkerMsg};
use crate::events::{AssistPassage, Event, Events};

/// Passages shown per line.
const PASSAGES: usize = 3;
/// Characters of a passage shown.
const EXCERPT: usize = 400;
/// Lines shorter than this (words) are not looked up ("yes", "okay thanks").
const MIN_WORDS: usize = 3;

/// What assist needs: the AI agent (its knowledge base) and the shared workers.
#[derive(Clone)]
pub struct Assistant {
    /// The AI agent.
    pub agent: Agent,
    /// The workers its answers run on.
    pub workers: AgentWorkers,
}

impl std::fmt::Debug for Assistant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Assistant")
    }
}

/// One call's assist.
pub struct Assist {
    call: u64,
    with: Assistant,
    events: Events,
    waiting: Option<String>,
    question: String,
    search: Option<oneshot::Receiver<Vec<AssistPassage>>>,
    job: Option<JobHandle>,
}

impl Assist {
    /// Assist for call `call`, publishing on `events`.
    pub fn new(call: u64, with: Assistant, events: Events) -> Assist {
        Assist {
            call,
            with,
            events,
            waiting: None,
            question: String::new(),
            search: None,
            job: None,
        }
    }

    /// The caller said `text` (a final line, on the bridged call).
    pub fn heard(&mut self, text: &str) {
        if text.split_whitespace().count() >= MIN_WORDS {
            self.waiting = Some(text.to_owned());
        }
    }

    /// Publishes what is ready and starts the next lookup. Never blocks.
    pub fn poll(&mut self) {
        self.poll_search();
        self.poll_job();
        if self.search.is_none()
            && self.job.is_none()
            && let Some(text) = self.waiting.take()
        {
            self.start(text);
        }
    }

    fn start(&mut self, text: String) {
        self.question = crate::privacy::mask_numbers(&text);
        let (tx, rx) = oneshot::channel();
        let (agent, asked) = (self.with.agent.clone(), text.clone());
        tokio::task::spawn_blocking(move || {
            let found = agent
                .passages_for(&asked, PASSAGES)
                .into_iter()
                .map(|h| AssistPassage {
                    id: h.chunk.id.clone(),
                    section: h.chunk.section.clone(),
                    text: excerpt(&h.chunk.text),
                })
                .collect();
            let _ = tx.send(found);
        });
        self.search = Some(rx);
        match self
            .with
            .workers
            .submit(crate::dialog::Conversation::new(), &text)
        {
            Ok(job) => self.job = Some(job),
            Err((_, e)) => tracing::debug!(call = self.call, error = %e, "no suggestion"),
        }
    }

    fn poll_search(&mut self) {
        let Some(rx) = &mut self.search else { return };
        match rx.try_recv() {
            Ok(passages) => {
                self.search = None;
                tracing::info!(call = self.call, found = passages.len(), "assist: passages");
                if !passages.is_empty() {
                    self.events.publish(Event::Assist {
                        call: self.call,
                        question: self.question.clone(),
                        passages,
                    });
                }
            }
            Err(oneshot::error::TryRecvError::Empty) => {}
            Err(oneshot::error::TryRecvError::Closed) => self.search = None,
        }
    }

    fn poll_job(&mut self) {
        let Some(job) = &self.job else { return };
        loop {
            match job.rx.try_recv() {
                Ok(WorkerMsg::Sentence(_)) => {}
                Ok(WorkerMsg::Done { answer, .. }) => {
                    self.job = None;
                    let text = answer.text.trim();
                    let useful = answer.handoff.is_none() && !text.is_empty();
                    tracing::info!(call = self.call, useful, "assist: suggestion");
                    if useful {
                        self.events.publish(Event::Suggestion {
                            call: self.call,
                            question: self.question.clone(),
                            answer: crate::privacy::mask_numbers(text),
                            sources: answer.sources,
                        });
                    }
                    return;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => return,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.job = None;
                    return;
                }
            }
        }
    }
}

impl Drop for Assist {
    fn drop(&mut self) {
        if let Some(job) = &self.job {
            job.cancel.store(true, Ordering::Relaxed);
        }
    }
}

/// The first [`EXCERPT`] characters of `text`, cut at a word.
fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT {
        return text.to_owned();
    }
    let cut: String = text.chars().take(EXCERPT).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", &cut[..at])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::excerpt;

    #[test]
    fn long_passages_are_cut_at_a_word() {
        let long = "word ".repeat(200);
        let e = excerpt(&long);
        assert!(e.chars().count() <= 401 && e.ends_with("word…"), "{e}");
        assert_eq!(excerpt("short"), "short");
    }
}
