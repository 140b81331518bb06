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
        let _ = job.out.send(WorkerMsg::Done {
            conv: job.conv,
            answer,
            started,
        });
    }
}
