//! The model and its one cached sequence: greedy decoding on llama.cpp, one generation at a
//! time. Keeps the previous request's token ids (whose keys and values are in the context)
//! and reuses their longest common prefix with the next prompt, removing the rest from the
//! KV cache, so the agent's fixed system prompt is computed once (llama.cpp server's
//! `cache_prompt`).

use std::num::NonZeroU32;
use std::ops::ControlFlow;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;

use crate::api::{Message, Usage};
use crate::chatml::ChatMl;
use crate::stream::TextStream;

/// A generation or the engine's setup failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EngineError {
    #[error("not a ChatML model: {0} is not one special token")]
    NotChatMl(&'static str),
    #[error("cannot create the llama.cpp context: {0}")]
    Context(String),
    #[error("prompt of {tokens} tokens does not fit the context of {ctx}")]
    TooLong { tokens: usize, ctx: usize },
    #[error("llama.cpp decode failed: {0}")]
    Decode(String),
}

/// How the context is set up.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) threads: u16,
    /// Context length in tokens (prompt and answer).
    pub(crate) ctx: u32,
    /// Prompt tokens per decode call.
    pub(crate) batch: u32,
}

/// Why a generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Finish {
    /// End-of-generation token or a stop string.
    Stop,
    /// `max_tokens` reached, or the context is full.
    Length,
    /// The text callback said stop (the client went away).
    Cancelled,
}

impl Finish {
    /// OpenAI's `finish_reason`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Finish::Length => "length",
            Finish::Stop | Finish::Cancelled => "stop",
        }
    }
}

/// A finished generation.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub(crate) finish: Finish,
    pub(crate) text: String,
    pub(crate) usage: Usage,
}

/// The loaded model, its context and the ids cached in it.
pub(crate) struct Engine<'m> {
    model: &'m LlamaModel,
    ctx: LlamaContext<'m>,
    chat: ChatMl<LlamaToken>,
    cached: Vec<LlamaToken>,
    batch: usize,
}

/// How many leading ids `a` and `b` share.
pub(crate) fn common_prefix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn argmax(logits: &[f32]) -> usize {
    let mut best = (0usize, f32::NEG_INFINITY);
    for (i, &l) in logits.iter().enumerate() {
        if l > best.1 {
            best = (i, l);
        }
    }
    best.0
}

/// The id of a special token given by its text, e.g. `<|im_start|>`.
pub(crate) fn special(model: &LlamaModel, text: &'static str) -> Result<LlamaToken, EngineError> {
    let vocab = model.vocab();
    match vocab.tokenize(text.as_bytes(), false, true)[..] {
        [id] if vocab.is_control(id) => Ok(id),
        _ => Err(EngineError::NotChatMl(text)),
    }
}

fn decode_err(e: impl std::fmt::Display) -> EngineError {
    EngineError::Decode(e.to_string())
}

impl<'m> Engine<'m> {
    pub(crate) fn new(
        backend: &LlamaBackend,
        model: &'m LlamaModel,
        s: Settings,
    ) -> Result<Engine<'m>, EngineError> {
        let chat = ChatMl {
            im_start: special(model, "<|im_start|>")?,
            im_end: special(model, "<|im_end|>")?,
        };
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(s.ctx))
            .with_n_batch(s.batch)
            .with_n_ubatch(s.batch)
            .with_n_threads(i32::from(s.threads))
            .with_n_threads_batch(i32::from(s.threads));
        let ctx = model
            .new_context(backend, params)
            .map_err(|e| EngineError::Context(e.to_string()))?;
        Ok(Engine {
            model,
            ctx,
            chat,
            cached: Vec::new(),
            batch: s.batch.max(1) as usize,
        })
    }

    /// `text` as plain text: special-token syntax in it stays text.
    pub(crate) fn plain(&self, text: &str) -> Vec<LlamaToken> {
        self.model.vocab().tokenize(text.as_bytes(), false, false)
    }

    /// The ChatML prompt of `messages`, with the open assistant turn.
    pub(crate) fn prompt(&self, messages: &[Message]) -> Vec<LlamaToken> {
        self.chat.prompt(messages, &|t| self.plain(t))
    }

    /// Checks that `prompt` fits the context with room for one token.
    pub(crate) fn check(&self, prompt: &[LlamaToken]) -> Result<(), EngineError> {
        let ctx = self.ctx.n_ctx() as usize;
        if prompt.is_empty() || prompt.len() >= ctx {
            return Err(EngineError::TooLong {
                tokens: prompt.len(),
                ctx,
            });
        }
        Ok(())
    }

    /// Forgets the cached sequence.
    fn reset(&mut self) {
        self.ctx.clear_kv_cache();
        self.cached.clear();
    }

    /// Runs `ids` after the cached ones; returns the batch index of the last one's logits.
    fn decode(&mut self, ids: &[LlamaToken]) -> Result<i32, EngineError> {
        let mut batch = LlamaBatch::new(ids.len(), 1);
        let start = self.cached.len();
        for (i, &id) in ids.iter().enumerate() {
            let pos = i32::try_from(start + i).map_err(decode_err)?;
            batch
                .add(id, pos, &[0], i + 1 == ids.len())
                .map_err(decode_err)?;
        }
        self.ctx.decode(&mut batch).map_err(decode_err)?;
        self.cached.extend_from_slice(ids);
        Ok(batch.n_tokens() - 1)
    }

    /// Keeps the first `keep` cached ids and drops the rest from the KV cache.
    fn truncate(&mut self, keep: usize) -> Result<(), EngineError> {
        if keep < self.cached.len() {
            let p0 = u32::try_from(keep).map_err(decode_err)?;
            let removed = self
                .ctx
                .clear_kv_cache_seq(Some(0), Some(p0), None)
                .map_err(decode_err)?;
            if !removed {
                self.reset();
                return Ok(());
            }
        }
        self.cached.truncate(keep);
        Ok(())
    }

    /// Makes the cache hold exactly `ids`, reusing the common prefix; returns the logits'
    /// batch index and how many ids were reused. At least one id is always run.
    fn prefill(&mut self, ids: &[LlamaToken]) -> Result<(i32, usize), EngineError> {
        let common = common_prefix(&self.cached, ids).min(ids.len().saturating_sub(1));
        self.truncate(common)?;
        let reused = self.cached.len();
        let mut at = 0;
        for chunk in ids[reused..].chunks(self.batch) {
            at = self.decode(chunk)?;
        }
        Ok((at, reused))
    }

    /// Greedy generation after `prompt` (checked with [`Engine::check`]): at most
    /// `max_tokens`, ending before any of `stop`. `on_text` gets each piece of text (never a
    /// split character, never part of a stop string) and may cancel.
    pub(crate) fn generate(
        &mut self,
        prompt: &[LlamaToken],
        max_tokens: usize,
        stop: &[String],
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Outcome, EngineError> {
        self.check(prompt)?;
        let result = self.run(prompt, max_tokens, stop, on_text);
        if result.is_err() {
            self.reset();
        }
        result
    }

    fn run(
        &mut self,
        prompt: &[LlamaToken],
        max_tokens: usize,
        stop: &[String],
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Outcome, EngineError> {
        let n_ctx = self.ctx.n_ctx() as usize;
        let (mut at, cached_tokens) = self.prefill(prompt)?;
        let mut stream = TextStream::new(stop);
        let mut completion_tokens = 0;
        let mut piece = Vec::new();
        let finish = loop {
            if completion_tokens >= max_tokens || self.cached.len() >= n_ctx {
                break Finish::Length;
            }
            let next = argmax(self.ctx.get_logits_ith(at));
            let next = LlamaToken::new(i32::try_from(next).map_err(decode_err)?);
            let vocab = self.model.vocab();
            if vocab.is_eog(next) {
                break Finish::Stop;
            }
            completion_tokens += 1;
            piece.clear();
            vocab.token_to_piece_into(next, &mut piece, false, None);
            let pushed = stream.push(&piece);
            if !pushed.text.is_empty() && on_text(&pushed.text).is_break() {
                break Finish::Cancelled;
            }
            if pushed.stopped {
                break Finish::Stop;
            }
            if completion_tokens < max_tokens {
                at = self.decode(&[next])?;
            }
        };
        if finish != Finish::Cancelled {
            let rest = stream.finish();
            // The generation is over: a Break here has nothing left to cancel.
            if !rest.is_empty() {
                let _ = on_text(&rest);
            }
        }
        Ok(Outcome {
            finish,
            text: stream.emitted().to_owned(),
            usage: Usage {
                prompt_tokens: prompt.len(),
                cached_tokens,
                completion_tokens,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix_counts_leading_equal_ids() {
        assert_eq!(common_prefix(&[1, 2, 3], &[1, 2, 4, 5]), 2);
        assert_eq!(common_prefix::<u8>(&[], &[1]), 0);
        assert_eq!(common_prefix(&[1, 2], &[1, 2]), 2);
    }

    #[test]
    fn argmax_takes_the_first_best() {
        assert_eq!(argmax(&[0.1, 3.0, 3.0, -1.0]), 1);
    }
}
