//! Text-to-speech for calls: a few worker threads, each with its own loaded voice, behind
//! one bounded queue. A reply streams: its chunks ([`streaming_chunks`]) are synthesized
//! in order and each is sent, resampled to the leg's rate, as soon as it is ready, so the
//! first sentence plays while the rest is made. Dropping the receiver (barge-in) stops the
//! work after the chunk in hand. Short texts (prompts, stock phrases) are kept in an LRU
//! cache by text and rate, so a frequent prompt costs nothing the second time.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::text::streaming_chunks;
use super::voice::{PiperVoice, TtsError};
use super::{SENTENCE_GAP_MS, resample_pcm};

/// Texts up to this many bytes are cached.
const CACHE_TEXT_MAX: usize = 240;
/// Chunks a reply may have in flight to its listener.
const CHUNK_QUEUE: usize = 32;

/// A piece of a reply, in order.
#[derive(Debug, Clone)]
pub enum TtsChunk {
    /// PCM at the requested rate (a sentence or clause, silence between them included).
    Audio(Arc<[i16]>),
    /// The reply is complete.
    Done,
    /// Synthesis failed; nothing more follows.
    Failed(String),
}

/// Where the voice and the runtime are, and how many workers to run.
#[derive(Debug, Clone)]
pub struct TtsConfig {
    /// The Piper `.onnx` (its `.onnx.json` beside it).
    pub voice: PathBuf,
    /// The ONNX Runtime library.
    pub ort_lib: PathBuf,
    /// Worker threads (each loads the voice: about 65 MB).
    pub workers: usize,
    /// ONNX Runtime threads per inference.
    pub threads: usize,
    /// Replies that may wait for a worker.
    pub queue: usize,
    /// Cache budget in samples (at any rate).
    pub cache_samples: usize,
}

struct Job {
    text: String,
    rate: u32,
    out: mpsc::Sender<TtsChunk>,
}

/// Shared text-to-speech. Cheap to clone.
#[derive(Clone)]
pub struct TtsService {
    tx: SyncSender<Job>,
    cache: Arc<Mutex<PromptCache>>,
    depth: Arc<AtomicUsize>,
}

impl std::fmt::Debug for TtsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtsService")
            .field("depth", &self.depth.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl TtsService {
    /// Loads the voice once per worker and starts them.
    pub fn start(cfg: &TtsConfig) -> Result<TtsService, TtsError> {
        let (tx, rx) = sync_channel::<Job>(cfg.queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        let cache = Arc::new(Mutex::new(PromptCache::new(cfg.cache_samples)));
        let depth = Arc::new(AtomicUsize::new(0));
        for i in 0..cfg.workers.max(1) {
            let voice = PiperVoice::load(&cfg.voice, &cfg.ort_lib, cfg.threads)?;
            let (rx, cache, depth) = (Arc::clone(&rx), Arc::clone(&cache), Arc::clone(&depth));
            std::thread::Builder::new()
                .name(format!("tts-{i}"))
                .spawn(move || work(voice, &rx, &cache, &depth))
                .map_err(|e| TtsError::Runtime(format!("cannot start a worker: {e}")))?;
        }
        Ok(TtsService { tx, cache, depth })
    }

    /// Replies queued or being synthesized.
    pub fn depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }

    /// (hits, misses) of the prompt cache.
    pub fn cache_stats(&self) -> (u64, u64) {
        let c = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        (c.hits, c.misses)
    }

    /// Speaks `text` at `rate` Hz: the chunks arrive on the receiver as they are made (at
    /// once when cached). Fails when the queue is full.
    pub fn speak(&self, text: &str, rate: u32) -> Result<mpsc::Receiver<TtsChunk>, TtsError> {
        let (out, rx) = mpsc::channel(CHUNK_QUEUE);
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(text, rate);
        if let Some(pcm) = cached {
            let _ = out.try_send(TtsChunk::Audio(pcm));
            let _ = out.try_send(TtsChunk::Done);
            return Ok(rx);
        }
        let n = self.depth.fetch_add(1, Ordering::Relaxed) + 1;
        crate::metrics::metrics()
            .tts_queue_depth
            .set(i64::try_from(n).unwrap_or(i64::MAX));
        let job = Job {
            text: text.to_owned(),
            rate,
            out,
        };
        match self.tx.try_send(job) {
            Ok(()) => Ok(rx),
            Err(e) => {
                let n = self.depth.fetch_sub(1, Ordering::Relaxed).saturating_sub(1);
                crate::metrics::metrics()
                    .tts_queue_depth
                    .set(i64::try_from(n).unwrap_or(i64::MAX));
                Err(match e {
                    TrySendError::Full(_) => TtsError::Runtime("text-to-speech is busy".into()),
                    TrySendError::Disconnected(_) => {
                        TtsError::Runtime("text-to-speech has stopped".into())
                    }
                })
            }
        }
    }
}

fn work(
    mut voice: PiperVoice,
    rx: &Mutex<Receiver<Job>>,
    cache: &Mutex<PromptCache>,
    depth: &AtomicUsize,
) {
    loop {
        let job = {
            let guard = rx.lock().unwrap_or_else(|p| p.into_inner());
            guard.recv()
        };
        let Ok(job) = job else {
            return;
        };
        let whole = stream_reply(&mut voice, &job);
        // Cached before `Done` goes out, so a listener that asks again at once is served
        // from the cache.
        if let Some(pcm) = whole.as_ref().filter(|_| job.text.len() <= CACHE_TEXT_MAX) {
            cache.lock().unwrap_or_else(|p| p.into_inner()).put(
                &job.text,
                job.rate,
                pcm.as_slice().into(),
            );
        }
        let n = depth.fetch_sub(1, Ordering::Relaxed).saturating_sub(1);
        crate::metrics::metrics()
            .tts_queue_depth
            .set(i64::try_from(n).unwrap_or(i64::MAX));
        if whole.is_some() {
            let _ = job.out.blocking_send(TtsChunk::Done);
        }
    }
}

/// Synthesizes and sends one reply chunk by chunk; returns the whole audio when it was
/// completed (not cancelled, not failed). The caller sends `Done`.
fn stream_reply(voice: &mut PiperVoice, job: &Job) -> Option<Vec<i16>> {
    let gap = vec![0i16; (job.rate * SENTENCE_GAP_MS / 1000) as usize];
    let mut whole = Vec::new();
    for (i, chunk) in streaming_chunks(&job.text).iter().enumerate() {
        if job.out.is_closed() {
            return None; // barge-in: nobody listens any more
        }
        let pcm = match voice
            .synthesize(chunk)
            .and_then(|p| resample_pcm(&p, voice.rate(), job.rate))
        {
            Ok(p) => p,
            Err(e) => {
                let _ = job.out.blocking_send(TtsChunk::Failed(e.to_string()));
                return None;
            }
        };
        let mut piece = Vec::with_capacity(pcm.len() + gap.len());
        if i > 0 {
            piece.extend_from_slice(&gap);
        }
        piece.extend_from_slice(&pcm);
        whole.extend_from_slice(&piece);
        if job
            .out
            .blocking_send(TtsChunk::Audio(piece.into()))
            .is_err()
        {
            return None;
        }
    }
    Some(whole)
}

/// Least-recently-used audio by (text, rate), bounded by total samples.
#[derive(Debug)]
pub struct PromptCache {
    budget: usize,
    used: usize,
    map: HashMap<(String, u32), Arc<[i16]>>,
    order: VecDeque<(String, u32)>,
    /// Lookups served.
    pub hits: u64,
    /// Lookups not served.
    pub misses: u64,
}

impl PromptCache {
    /// An empty cache holding at most `budget` samples.
    pub fn new(budget: usize) -> PromptCache {
        PromptCache {
            budget,
            used: 0,
            map: HashMap::new(),
            order: VecDeque::new(),
            hits: 0,
            misses: 0,
        }
    }

    /// The audio of `text` at `rate`, if cached (it becomes the most recent).
    pub fn get(&mut self, text: &str, rate: u32) -> Option<Arc<[i16]>> {
        let key = (text.to_owned(), rate);
        let Some(pcm) = self.map.get(&key).cloned() else {
            self.misses += 1;
            return None;
        };
        self.hits += 1;
        self.order.retain(|k| k != &key);
        self.order.push_back(key);
        Some(pcm)
    }

    /// Keeps `pcm` for `text` at `rate`, evicting the least recent entries to fit.
    pub fn put(&mut self, text: &str, rate: u32, pcm: Arc<[i16]>) {
        if pcm.len() > self.budget {
            return;
        }
        let key = (text.to_owned(), rate);
        if let Some(old) = self.map.remove(&key) {
            self.used -= old.len();
            self.order.retain(|k| k != &key);
        }
        while self.used + pcm.len() > self.budget {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(old) = self.map.remove(&oldest) {
                self.used -= old.len();
            }
        }
        self.used += pcm.len();
        self.map.insert(key.clone(), pcm);
        self.order.push_back(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcm(n: usize) -> Arc<[i16]> {
        vec![1i16; n].into()
    }

    #[test]
    fn the_cache_evicts_the_least_recent_within_its_budget() {
        let mut c = PromptCache::new(10);
        c.put("a", 8000, pcm(4));
        c.put("b", 8000, pcm(4));
        assert!(c.get("a", 8000).is_some()); // a is now the most recent
        c.put("c", 8000, pcm(4)); // evicts b
        assert!(c.get("b", 8000).is_none());
        assert!(c.get("a", 8000).is_some());
        assert!(c.get("c", 8000).is_some());
        assert!(c.get("a", 16_000).is_none(), "the rate is part of the key");
        c.put("huge", 8000, pcm(11));
        assert!(c.get("huge", 8000).is_none());
        assert_eq!((c.hits, c.misses), (3, 3));
        c.put("a", 8000, pcm(2));
        assert_eq!(c.get("a", 8000).map(|p| p.len()), Some(2));
    }
}
