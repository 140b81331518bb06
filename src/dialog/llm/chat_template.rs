//! ChatML (`<|im_start|>role\n…<|im_end|>\n`, then `<|im_start|>assistant\n`), the template
//! of Qwen2.5 and SmolLM2, built as token ids: the special tokens are inserted as ids and
//! every message's text is encoded as plain text, so words in a message can never open or
//! close a turn. Each message is encoded on its own, so a fixed first message always gives
//! the same leading ids (the prompt cache relies on it).

use super::tokenizer::{GgufTokenizer, TokenizerError};
use super::{ChatMessage, Role};

/// The special ids ChatML needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChatMl {
    pub(crate) im_start: u32,
    pub(crate) im_end: u32,
}

impl ChatMl {
    pub(crate) fn from_tokenizer(tok: &GgufTokenizer) -> Result<ChatMl, TokenizerError> {
        let id = |p: &str| {
            tok.id(p)
                .ok_or_else(|| TokenizerError(format!("no {p} token: not a ChatML model")))
        };
        Ok(ChatMl {
            im_start: id("<|im_start|>")?,
            im_end: id("<|im_end|>")?,
        })
    }

    /// The ids of `messages`, without the assistant header.
    pub(crate) fn messages(
        &self,
        tok: &GgufTokenizer,
        messages: &[ChatMessage],
    ) -> Result<Vec<u32>, TokenizerError> {
        let mut ids = Vec::new();
        for m in messages {
            ids.push(self.im_start);
            ids.extend(tok.encode(&format!("{}\n", m.role.as_str()))?);
            ids.extend(tok.encode(&m.content)?);
            ids.push(self.im_end);
            ids.extend(tok.encode("\n")?);
        }
        Ok(ids)
    }

    /// The ids of `messages` followed by the open assistant turn.
    pub(crate) fn prompt(
        &self,
        tok: &GgufTokenizer,
        messages: &[ChatMessage],
    ) -> Result<Vec<u32>, TokenizerError> {
        let mut ids = self.messages(tok, messages)?;
        ids.push(self.im_start);
        ids.extend(tok.encode(&format!("{}\n", Role::Assistant.as_str()))?);
        Ok(ids)
    }
}
