//! The embedded backend: a ChatML GGUF model (Qwen2.5, SmolLM2) run in process on candle's
//! CPU kernels, greedy, one generation at a time. Keeps the previous request's token ids and
//! KV cache and reuses their longest common prefix (llama.cpp server's `cache_prompt`), so
//! the agent's fixed system prompt is computed once. Owns loading, the prompt cache and the
//! decode loop; the forward pass is [`super::qwen2`], the text rules [`super::stream`].
//!
//! Threads: candle runs quantized matmuls on one process-wide pool sized, at its first use,
//! by `CANDLE_NUM_THREADS` (else `RAYON_NUM_THREADS`, else the physical cores); it cannot be
//! resized later. [`EmbeddedLlm::threads`] says what the process really uses; `load` warns
//! when that differs from what was asked.

use std::fs::File;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use candle_core::quantized::gguf_file;

use super::chat_template::ChatMl;
use super::qwen2::{KvCache, Transformer};
use super::stream::TextStream;
use super::tokenizer::GgufTokenizer;
use super::{ChatMessage, Finish, GenerateRequest, Generation, LanguageModel, LlmError};

/// Prompt tokens run through the model per forward call while prefilling.
const PREFILL_CHUNK: usize = 256;

/// The model and its one cached sequence.
struct Session {
    model: Transformer,
    cache: KvCache,
    /// The ids whose keys and values are in `cache`, in order.
    cached: Vec<u32>,
}

impl Session {
    fn reset(&mut self) {
        self.cache.clear();
        self.cached.clear();
    }

    /// Makes the cache hold exactly `ids` and returns the logits after the last one, and how
    /// many ids were reused. At least one id is always run, to have logits.
    fn prefill(&mut self, ids: &[u32]) -> candle_core::Result<(Vec<f32>, usize)> {
        if self.cached.len() != self.cache.len() {
            self.reset(); // a panic mid-forward left them apart
        }
        let common = self
            .cached
            .iter()
            .zip(ids)
            .take_while(|(a, b)| a == b)
            .count();
        let reuse = common.min(ids.len().saturating_sub(1));
        self.cache.truncate(reuse)?;
        self.cached.truncate(reuse);
        let mut logits = Vec::new();
        for chunk in ids[reuse..].chunks(PREFILL_CHUNK) {
            logits = self.model.forward(chunk, &mut self.cache)?;
            self.cached.extend_from_slice(chunk);
        }
        Ok((logits, reuse))
    }

    fn step(&mut self, id: u32) -> candle_core::Result<Vec<f32>> {
        let logits = self.model.forward(&[id], &mut self.cache)?;
        self.cached.push(id);
        Ok(logits)
    }

    fn room(&self) -> usize {
        self.model
            .config()
            .context_length
            .saturating_sub(self.cache.len())
    }
}

/// An in-process ChatML GGUF model. Generations are serialised by an internal lock.
pub struct EmbeddedLlm {
    name: String,
    path: String,
    tokenizer: GgufTokenizer,
    chat: ChatMl,
    /// Ids that end the assistant's turn.
    end_ids: Vec<u32>,
    threads: usize,
    session: Mutex<Session>,
}

fn argmax(logits: &[f32]) -> u32 {
    let mut best = (0usize, f32::NEG_INFINITY);
    for (i, &l) in logits.iter().enumerate() {
        if l > best.1 {
            best = (i, l);
        }
    }
    best.0 as u32
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

impl EmbeddedLlm {
    /// Loads a Qwen2 or Llama-architecture ChatML GGUF file. `threads` is what the caller
    /// wants candle to use (see the module doc for why it can only be checked, not set).
    pub fn load(gguf: &Path, threads: usize) -> Result<EmbeddedLlm, LlmError> {
        let path = gguf.display().to_string();
        let model_err = |reason: String| LlmError::Model {
            path: path.clone(),
            reason,
        };
        let file = File::open(gguf).map_err(|e| model_err(e.to_string()))?;
        let mut reader = BufReader::new(file);
        let content =
            gguf_file::Content::read(&mut reader).map_err(|e| model_err(e.to_string()))?;
        let tokenizer = GgufTokenizer::from_metadata(&content.metadata)
            .map_err(|e| model_err(e.to_string()))?;
        let chat = ChatMl::from_tokenizer(&tokenizer).map_err(|e| model_err(e.to_string()))?;
        let model =
            Transformer::from_gguf(&content, &mut reader).map_err(|e| model_err(e.to_string()))?;
        let end_ids = ["<|im_end|>", "<|endoftext|>"]
            .iter()
            .filter_map(|p| tokenizer.id(p))
            .collect();
        let name = content
            .metadata
            .get("general.name")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_else(|| {
                gguf.file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
            });
        let effective = candle_core::utils::barrier_pool().n_workers() + 1;
        if effective != threads.max(1) {
            tracing::warn!(
                asked = threads,
                effective,
                "candle's CPU pool size is fixed per process: set CANDLE_NUM_THREADS before start"
            );
        }
        let cache = KvCache::new(model.config().n_layer);
        Ok(EmbeddedLlm {
            name: name.to_lowercase().replace(' ', "-"),
            path,
            tokenizer,
            chat,
            end_ids,
            threads: effective,
            session: Mutex::new(Session {
                model,
                cache,
                cached: Vec::new(),
            }),
        })
    }

    /// The CPU threads candle really uses in this process.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The prompt ids of `messages` (with the open assistant turn), for tests and tools.
    pub fn prompt_tokens(&self, messages: &[ChatMessage]) -> Result<Vec<u32>, LlmError> {
        self.chat
            .prompt(&self.tokenizer, messages)
            .map_err(|e| LlmError::Inference(e.to_string()))
    }

    /// Forgets the cached prefix.
    pub fn clear_cache(&self) {
        self.session
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reset();
    }

    fn run(
        &self,
        session: &mut Session,
        req: &GenerateRequest,
        on_token: &mut dyn FnMut(&str) -> ControlFlow<()>,
        start: Instant,
    ) -> Result<Generation, LlmError> {
        let infer = |e: candle_core::Error| LlmError::Inference(e.to_string());
        let prompt = self.prompt_tokens(&req.messages)?;
        if prompt.len() >= session.model.config().context_length {
            return Err(LlmError::Inference(format!(
                "prompt of {} tokens is too long",
                prompt.len()
            )));
        }
        let (mut logits, cached_tokens) = session.prefill(&prompt).map_err(infer)?;
        let mut stream = TextStream::new(&req.stop);
        let mut first_token_ms = None;
        let mut completion_tokens = 0;
        let mut emit = |piece: &str, first: &mut Option<f64>| -> ControlFlow<()> {
            if piece.is_empty() {
                return ControlFlow::Continue(());
            }
            first.get_or_insert_with(|| ms_since(start));
            on_token(piece)
        };
        let finish = loop {
            if completion_tokens >= req.max_tokens || session.room() == 0 {
                break Finish::Length;
            }
            let next = argmax(&logits);
            if self.end_ids.contains(&next) {
                break Finish::Stop;
            }
            completion_tokens += 1;
            let pushed = stream.push(self.tokenizer.bytes(next));
            if emit(&pushed.text, &mut first_token_ms).is_break() {
                break Finish::Cancelled;
            }
            if pushed.stopped {
                break Finish::Stop;
            }
            if completion_tokens < req.max_tokens {
                logits = session.step(next).map_err(infer)?;
            }
        };
        if finish != Finish::Cancelled {
            let rest = stream.finish();
            // The generation is over: a Break here has nothing left to cancel.
            let _ = emit(&rest, &mut first_token_ms);
        }
        let total_ms = ms_since(start);
        Ok(Generation {
            text: stream.emitted().to_owned(),
            finish,
            prompt_tokens: prompt.len(),
            cached_tokens,
            completion_tokens,
            first_token_ms: first_token_ms.unwrap_or(total_ms),
            total_ms,
        })
    }
}

impl LanguageModel for EmbeddedLlm {
    fn name(&self) -> &str {
        &self.name
    }

    fn generate(
        &self,
        req: &GenerateRequest,
        on_token: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, LlmError> {
        let start = Instant::now();
        let mut session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let result = self.run(&mut session, req, on_token, start);
        if let Err(e) = &result {
            tracing::warn!(model = %self.path, error = %e, "generation failed; prompt cache cleared");
            session.reset();
        }
        result
    }

    /// Computes and caches `messages` (typically the fixed system prompt) ahead of the first
    /// request, so that request only prefills what follows. Returns the tokens cached.
    fn warm(&self, messages: &[ChatMessage]) -> Result<usize, LlmError> {
        let ids = self
            .chat
            .messages(&self.tokenizer, messages)
            .map_err(|e| LlmError::Inference(e.to_string()))?;
        if ids.is_empty() {
            return Ok(0);
        }
        let mut session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        session.prefill(&ids).map_err(|e| {
            session.reset();
            LlmError::Inference(e.to_string())
        })?;
        Ok(ids.len())
    }
}

#[cfg(test)]
#[path = "embedded_tests.rs"]
mod tests;
