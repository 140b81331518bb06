//! The agent worker: a few std threads behind one bounded queue that run
//! [`Responder::respond`] (blocking: retrieval and the LLM) off the call task. A job owns the
//! call's [`Conversation`] and hands it back with the answer, so nothing is shared mutably.
//! Each sentence goes back over the job's channel as soon as the agent has it; the job's
//! cancel flag (barge-in) makes the next `on_sentence` return `Break`, which stops the LLM.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::Responder;
use crate::dialog::{Answer, Conversation};

/// Messages a job may have waiting for its call (sentences are short; the call drains
/// them every tick).
const JOB_CHANNEL: usize = 64;

/// What a job sends back to its call.
#[derive(Debug)]
pub enum WorkerMsg {
    /// A sentence to speak, in order.
    Sentence(String),
    /// The turn is over: the conversation comes back with the answer.
    Done {
        /// The call's memory, updated by the agent.
        conv: Conversation,
        /// The outcome.
        answer: Answer,
        /// When `respond` started (its timings count from here).
        started: Instant,
    },
}

/// Why a job was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkerError {
    /// Every worker is busy and the queue is full.
    #[error("the agent is busy")]
    Busy,
    /// The workers have stopped.
    #[error("the agent has stopped")]
    Stopped,
}

struct Job {
    conv: Conversation,
    text: String,
    cancel: Arc<AtomicBool>,
    out: SyncSender<WorkerMsg>,
}

/// One submitted turn, as the call sees it.
#[derive(Debug)]
pub struct JobHandle {
    /// Set to cancel (barge-in).
    pub cancel: Arc<AtomicBool>,
    /// Sentences and the final answer.
    pub rx: Receiver<WorkerMsg>,
}

/// The shared agent workers. Cheap to clone.
#[derive(Clone)]
pub struct AgentWorkers {
    tx: SyncSender<Job>,
}

impl std::fmt::Debug for AgentWorkers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentWorkers").finish_non_exhaustive()
    }
}

impl AgentWorkers {
    /// Starts `threads` workers sharing a queue of `queue` waiting turns.
    pub fn start(
        responder: Arc<dyn Responder>,
        threads: usize,
        queue: usize,
    ) -> std::io::Result<AgentWorkers> {
        let (tx, rx) = sync_channel::<Job>(queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let (rx, responder) = (Arc::clone(&rx), Arc::clone(&responder));
            std::thread::Builder::new()
                .name(format!("agent-{i}"))
                .spawn(move || work(&*responder, &rx))?;
        }
        Ok(AgentWorkers { tx })
    }

    /// Queues one caller turn; `conv` travels with it and comes back in `Done`.
    /// On refusal the conversation is handed back.
    pub fn submit(
        &self,
        conv: Conversation,
        text: &str,
    ) -> Result<JobHandle, (Conversation, WorkerError)> {
        let (out, rx) = sync_channel(JOB_CHANNEL);
        let cancel = Arc::new(AtomicBool::new(false));
        let job = Job {
            conv,
            text: text.to_owned(),
            cancel: Arc::clone(&cancel),
            out,
        };
        match self.tx.try_send(job) {
            Ok(()) => Ok(JobHandle { cancel, rx }),
            Err(TrySendError::Full(j)) => Err((j.conv, WorkerError::Busy)),
            Err(TrySendError::Disconnected(j)) => Err((j.conv, WorkerError::Stopped)),
        }
    }
}

fn work(responder: &dyn Responder, rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let guard = rx.lock().unwrap_or_else(|p| p.into_inner());
            guard.recv()
        };
        let Ok(mut job) = job else {
            return;
        };
        let started = Instant::now();
        let (cancel, out) = (Arc::clone(&job.cancel), job.out.clone());
        let mut on_sentence = |s: &str| {
            if cancel.load(Ordering::Relaxed) {
                return ControlFlow::Break(());
            }
            // The call is gone when the receiver is: stop generating.
            match out.send(WorkerMsg::Sentence(s.to_owned())) {
                Ok(()) => ControlFlow::Continue(()),
                Err(_) => ControlFlow::Break(()),
            }
        };
        let answer = responder.respond(&mut job.conv, &job.text, &mut on_sentence);
        observe(&answer, job.cancel.load(Ordering::Relaxed));
        let _ = job.out.send(WorkerMsg::Done {
            conv: job.conv,
            answer,
            started,
        });
    }
}

/// Counts a finished turn in the agent's stage histograms, as `/api/v1/ask` does; a turn cut
/// short by barge-in is left out (its timings measure the caller, not the agent).
fn observe(answer: &Answer, cancelled: bool) {
    if cancelled {
        return;
    }
    let t = &answer.timings;
    crate::metrics::metrics().agent_turn_ms(
        t.retrieval_ms,
        t.llm_first_token_ms,
        t.first_sentence_ms,
        t.total_ms,
    );
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use super::*;
    use crate::dialog::TurnTimings;
    use crate::metrics::{AgentStage, metrics};

    /// Two hours of agent "latency" per turn: no other test's turn comes near, so a sum
    /// that grows by that much grew by this test's turns (the registry is process-wide).
    const MARK_MS: f64 = 7_200_000.0;

    /// Says sentences until told to stop (at most 200), then answers with `MARK_MS` timings.
    struct Marked;

    impl Responder for Marked {
        fn greeting(&self) -> String {
            String::new()
        }
        fn acknowledgement(&self) -> String {
            String::new()
        }
        fn respond(
            &self,
            _conv: &mut Conversation,
            caller_text: &str,
            on_sentence: &mut dyn FnMut(&str) -> ControlFlow<()>,
        ) -> Answer {
            let until_cancelled = caller_text == "wait";
            for _ in 0..200 {
                if on_sentence("Yes.").is_break() || !until_cancelled {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Answer {
                text: String::from("Yes."),
                handoff: None,
                sources: Vec::new(),
                timings: TurnTimings {
                    retrieval_ms: MARK_MS,
                    llm_first_token_ms: Some(MARK_MS),
                    first_sentence_ms: Some(MARK_MS),
                    total_ms: MARK_MS,
                },
            }
        }
    }

    fn done(job: &JobHandle) {
        loop {
            match job.rx.recv_timeout(Duration::from_secs(10)).unwrap() {
                WorkerMsg::Done { .. } => return,
                WorkerMsg::Sentence(_) => {}
            }
        }
    }

    fn sums() -> Vec<f64> {
        [
            AgentStage::Retrieval,
            AgentStage::LlmFirstToken,
            AgentStage::FirstSentence,
            AgentStage::Total,
        ]
        .map(|s| metrics().agent_stage(s).sum())
        .to_vec()
    }

    #[test]
    fn a_call_turn_is_observed_in_every_stage_and_a_barged_in_one_is_not() {
        let workers = AgentWorkers::start(Arc::new(Marked), 1, 2).unwrap();
        let mark = MARK_MS / 1000.0;

        let before = sums();
        let job = workers.submit(Conversation::new(), "hello").unwrap();
        done(&job);
        for (stage, (b, a)) in before.iter().zip(sums()).enumerate() {
            assert!(a - b >= mark, "stage {stage}: {b} -> {a}");
        }

        let before = sums();
        let job = workers.submit(Conversation::new(), "wait").unwrap();
        job.cancel.store(true, Ordering::Relaxed);
        done(&job);
        for (stage, (b, a)) in before.iter().zip(sums()).enumerate() {
            assert!(a - b < mark, "stage {stage} counted a cancelled turn");
        }
    }
}
