//! The one bounded speech-to-text pool all calls share: a few worker threads, each with
//! its own recognizer over the shared model, fed from one bounded queue. Backpressure is
//! explicit: a final transcript waits for a place in the queue (up to its capacity), a
//! partial is taken only when a worker would otherwise be idle, so partials never delay
//! finals. The queue depth is readable at any time (for metrics and the benchmark).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::engine::{DecodeOptions, SttError, SttModel, Transcript};

/// How urgent a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// The end of an utterance: someone waits for it.
    Final,
    /// A preview while the caller speaks: dropped when the pool is busy.
    Partial,
}

struct Job {
    pcm: Vec<f32>,
    opts: DecodeOptions,
    reply: oneshot::Sender<Result<Transcript, SttError>>,
}

/// Shared speech-to-text workers. Cheap to clone.
#[derive(Clone)]
pub struct SttPool {
    tx: SyncSender<Job>,
    /// Requests queued or running.
    depth: Arc<AtomicUsize>,
    workers: usize,
    capacity: usize,
}

impl std::fmt::Debug for SttPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SttPool")
            .field("workers", &self.workers)
            .field("capacity", &self.capacity)
            .field("depth", &self.depth())
            .finish()
    }
}

impl SttPool {
    /// Starts `workers` threads over `model`, each decoding with `threads` threads, with
    /// room for `capacity` waiting requests.
    pub fn start(
        model: &Arc<SttModel>,
        workers: usize,
        threads: usize,
        capacity: usize,
    ) -> Result<SttPool, SttError> {
        let workers = workers.max(1);
        let (tx, rx) = sync_channel::<Job>(capacity.max(1));
        let rx = Arc::new(Mutex::new(rx));
        let depth = Arc::new(AtomicUsize::new(0));
        for i in 0..workers {
            let recognizer = model.recognizer()?;
            let rx = Arc::clone(&rx);
            let depth = Arc::clone(&depth);
            std::thread::Builder::new()
                .name(format!("stt-{i}"))
                .spawn(move || work(recognizer, &rx, &depth, threads))
                .map_err(|e| SttError::Whisper(format!("cannot start a worker: {e}")))?;
        }
        Ok(SttPool {
            tx,
            depth,
            workers,
            capacity: capacity.max(1),
        })
    }

    /// Requests queued or being decoded now.
    pub fn depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }

    /// Queues `pcm` for decoding; the answer comes on the returned receiver. A partial is
    /// refused ([`SttError::Busy`]) when every worker is taken; a final when the queue is
    /// full.
    pub fn submit(
        &self,
        pcm: Vec<f32>,
        opts: DecodeOptions,
        priority: Priority,
    ) -> Result<oneshot::Receiver<Result<Transcript, SttError>>, SttError> {
        let depth = self.depth();
        let limit = match priority {
            Priority::Partial => self.workers,
            Priority::Final => self.workers + self.capacity,
        };
        if depth >= limit {
            return Err(SttError::Busy(depth));
        }
        let (reply, rx) = oneshot::channel();
        let n = self.depth.fetch_add(1, Ordering::Relaxed) + 1;
        crate::metrics::metrics()
            .stt_queue_depth
            .set(i64::try_from(n).unwrap_or(i64::MAX));
        match self.tx.try_send(Job { pcm, opts, reply }) {
            Ok(()) => Ok(rx),
            Err(e) => {
                let n = self.depth.fetch_sub(1, Ordering::Relaxed).saturating_sub(1);
                crate::metrics::metrics()
                    .stt_queue_depth
                    .set(i64::try_from(n).unwrap_or(i64::MAX));
                Err(match e {
                    TrySendError::Full(_) => SttError::Busy(depth),
                    TrySendError::Disconnected(_) => SttError::Stopped,
                })
            }
        }
    }

    /// Decodes `pcm` and waits for the text (for command-line tools and tests).
    pub fn transcribe_blocking(
        &self,
        pcm: Vec<f32>,
        opts: DecodeOptions,
    ) -> Result<Transcript, SttError> {
        let rx = self.submit(pcm, opts, Priority::Final)?;
        rx.blocking_recv().map_err(|_| SttError::Stopped)?
    }
}

/// A worker: takes jobs until every sender is gone.
fn work(
    mut recognizer: super::engine::Recognizer,
    rx: &Mutex<Receiver<Job>>,
    depth: &AtomicUsize,
    threads: usize,
) {
    loop {
        let job = {
            let guard = rx.lock().unwrap_or_else(|p| p.into_inner());
            guard.recv()
        };
        let Ok(mut job) = job else {
            return;
        };
        job.opts.threads = threads.max(1);
        let result = recognizer.transcribe(&job.pcm, &job.opts);
        let n = depth.fetch_sub(1, Ordering::Relaxed).saturating_sub(1);
        crate::metrics::metrics()
            .stt_queue_depth
            .set(i64::try_from(n).unwrap_or(i64::MAX));
        let _ = job.reply.send(result);
    }
}
