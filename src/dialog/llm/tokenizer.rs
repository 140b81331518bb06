//! The byte-level BPE tokenizer of a GGUF file, built from its own metadata
//! (`tokenizer.ggml.tokens`, `.merges`, `.token_type`, `.pre`) with the `tokenizers` crate,
//! and the id → bytes table decoding uses. Text is always encoded as plain text: special
//! tokens such as `<|im_start|>` are never parsed out of it (a caller saying "<|im_start|>"
//! gets ordinary pieces), and the chat template inserts special ids itself.

use std::collections::HashMap;

use candle_core::quantized::gguf_file::Value;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{SplitDelimiterBehavior, Tokenizer};

/// Qwen2's pre-tokenizer: letters with one leading non-letter, single digits, punctuation
/// runs, newlines, spaces.
const QWEN2_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// GGUF token types (llama.cpp's `llama_token_type`).
const TYPE_CONTROL: i32 = 3;

/// A tokenizer could not be built from the metadata.
#[derive(Debug, thiserror::Error)]
#[error("GGUF tokenizer: {0}")]
pub(crate) struct TokenizerError(pub(crate) String);

fn err(e: impl std::fmt::Display) -> TokenizerError {
    TokenizerError(e.to_string())
}

/// Encodes text to ids and maps ids back to their bytes.
pub(crate) struct GgufTokenizer {
    bpe: Tokenizer,
    /// The bytes each id stands for; empty for control tokens.
    bytes: Vec<Vec<u8>>,
    ids: HashMap<String, u32>,
    control: Vec<bool>,
}

fn strings(md: &HashMap<String, Value>, key: &str) -> Result<Vec<String>, TokenizerError> {
    let v = md.get(key).ok_or_else(|| err(format!("no {key}")))?;
    v.to_vec()
        .map_err(err)?
        .iter()
        .map(|s| s.to_string().cloned().map_err(err))
        .collect()
}

/// GPT-2's printable stand-in for every byte, reversed: char → byte.
fn unicode_to_byte() -> HashMap<char, u8> {
    let mut map = HashMap::new();
    let mut extra = 0u32;
    for b in 0..=255u8 {
        let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        let c = if printable {
            char::from(b)
        } else {
            extra += 1;
            char::from_u32(255 + extra).unwrap_or('\u{FFFD}')
        };
        map.insert(c, b);
    }
    map
}

fn pre_tokenizer(pre: &str) -> Result<PreTokenizerWrapper, TokenizerError> {
    let wrapped: PreTokenizerWrapper = match pre {
        "qwen2" => {
            let split = Split::new(
                SplitPattern::Regex(QWEN2_PATTERN.into()),
                SplitDelimiterBehavior::Isolated,
                false,
            )
            .map_err(err)?;
            Sequence::new(vec![
                split.into(),
                ByteLevel::new(false, false, false).into(),
            ])
            .into()
        }
        // SmolLM2 / StarCoder: digits one by one, then GPT-2's own regex.
        "smollm" | "starcoder" | "refact" => Sequence::new(vec![
            Digits::new(true).into(),
            ByteLevel::new(false, false, true).into(),
        ])
        .into(),
        _ => ByteLevel::new(false, false, true).into(),
    };
    Ok(wrapped)
}

impl GgufTokenizer {
    /// Builds the tokenizer a GGUF file describes (only `gpt2`-style byte-level BPE).
    pub(crate) fn from_metadata(
        md: &HashMap<String, Value>,
    ) -> Result<GgufTokenizer, TokenizerError> {
        let model = md
            .get("tokenizer.ggml.model")
            .and_then(|v| v.to_string().ok())
            .map_or("gpt2", String::as_str);
        if model != "gpt2" {
            return Err(err(format!(
                "tokenizer model {model} is not byte-level BPE"
            )));
        }
        let tokens = strings(md, "tokenizer.ggml.tokens")?;
        let merges = strings(md, "tokenizer.ggml.merges")?
            .into_iter()
            .filter_map(|m| m.split_once(' ').map(|(a, b)| (a.to_owned(), b.to_owned())))
            .collect::<Vec<_>>();
        let types: Vec<i32> = match md.get("tokenizer.ggml.token_type") {
            Some(v) => v
                .to_vec()
                .map_err(err)?
                .iter()
                .map(|t| t.to_i32().unwrap_or(1))
                .collect(),
            None => vec![1; tokens.len()],
        };
        let control: Vec<bool> = (0..tokens.len())
            .map(|i| types.get(i) == Some(&TYPE_CONTROL))
            .collect();
        let vocab: Vocab = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let bpe = BPE::builder()
            .vocab_and_merges(vocab, merges)
            .build()
            .map_err(err)?;
        let mut tokenizer = Tokenizer::new(bpe);
        let pre = md
            .get("tokenizer.ggml.pre")
            .and_then(|v| v.to_string().ok())
            .map_or("gpt2", String::as_str);
        tokenizer.with_pre_tokenizer(Some(pre_tokenizer(pre)?));
        let table = unicode_to_byte();
        let bytes = tokens
            .iter()
            .zip(&control)
            .map(|(t, &is_control)| match is_control {
                true => Vec::new(),
                // A piece with chars outside the byte table (user-defined tokens) is itself.
                false => t
                    .chars()
                    .map(|c| table.get(&c).copied())
                    .collect::<Option<Vec<u8>>>()
                    .unwrap_or_else(|| t.as_bytes().to_vec()),
            })
            .collect();
        let ids = tokens
            .into_iter()
            .enumerate()
            .map(|(i, t)| (t, i as u32))
            .collect();
        Ok(GgufTokenizer {
            bpe: tokenizer,
            bytes,
            ids,
            control,
        })
    }

    /// Plain-text encoding: special-token spellings in `text` stay ordinary text.
    pub(crate) fn encode(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let enc = self.bpe.encode_fast(text, false).map_err(err)?;
        let ids = enc.get_ids().to_vec();
        // Belt and braces: BPE merges never build a control token, but never let one through.
        if ids.iter().any(|&id| self.is_control(id)) {
            return Err(err("plain text encoded to a control token"));
        }
        Ok(ids)
    }

    /// The id of a token spelled exactly `piece` (e.g. `<|im_start|>`).
    pub(crate) fn id(&self, piece: &str) -> Option<u32> {
        self.ids.get(piece).copied()
    }

    /// The bytes `id` stands for (empty for control tokens and unknown ids).
    pub(crate) fn bytes(&self, id: u32) -> &[u8] {
        self.bytes.get(id as usize).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn is_control(&self, id: u32) -> bool {
        self.control.get(id as usize).copied().unwrap_or(false)
    }

    /// All ids' bytes joined, lossily as text (tests).
    #[cfg(test)]
    pub(crate) fn decode(&self, ids: &[u32]) -> String {
        let bytes: Vec<u8> = ids
            .iter()
            .flat_map(|&id| self.bytes(id).iter().copied())
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(test)]
#[path = "tokenizer_tests.rs"]
mod tests;
