//! Converts a CTranslate2 float16 Whisper model (faster-whisper's `model.bin`) into the ggml
//! file whisper.cpp loads, as whisper.cpp's own `convert-pt-to-ggml.py` lays it out
//! (all little-endian):
//!
//! ```text
//! i32 magic 0x67676d6c ("ggml")
//! i32 n_vocab n_audio_ctx n_audio_state n_audio_head n_audio_layer
//!     n_text_ctx n_text_state n_text_head n_text_layer n_mels ftype(1 = f16)
//! i32 n_mel i32 n_fft, f32 mel filterbank [n_mel][n_fft]
//! i32 token count, per token: i32 length, raw bytes
//! per tensor: i32 n_dims, i32 name length, i32 ftype (0 f32, 1 f16),
//!             i32 dims (innermost first), name, data
//! ```
//!
//! Tensors keep the PyTorch names and order (`encoder.positional_embedding`, `encoder.conv1.weight`,
//! `encoder.blocks.0.attn.query.weight`, …, `decoder.token_embedding.weight`, …). Matrices stay
//! float16 byte for byte; 1-D tensors, conv biases (stored as [n, 1]) and positional embeddings
//! are float32, as whisper.cpp expects. CTranslate2 fuses self-attention Q/K/V (`linear_0`) and
//! cross-attention K/V (`linear_1`): they are split again, and the key bias CTranslate2 adds
//! (Whisper's key projection has none) must be zero. The output depends only on the inputs.

use std::collections::BTreeSet;
use std::io::{self, Read, Seek, Write};

use super::ct2::{Ct2Error, Ct2Model, DType};
use super::ggml_plan::{ENCODER_POSITIONS, Plan, Planned, Store};
use super::gpt2;
use super::npy::{self, NpyError};

/// Why a conversion failed.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Ct2(#[from] Ct2Error),
    #[error("mel filters: {0}")]
    Mel(#[from] NpyError),
    #[error("vocabulary: {0}")]
    Vocabulary(String),
    #[error("model: {0}")]
    Model(String),
    #[error("writing the ggml file: {0}")]
    Write(#[from] io::Error),
}

const MAGIC: i32 = 0x6767_6d6c;

/// Whisper's dimensions, in header order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hparams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    pub ftype: i32,
}

impl Hparams {
    pub fn to_array(self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub hparams: Hparams,
    pub tokens: usize,
    pub tensors: usize,
}

fn count_layers<R>(model: &Ct2Model<R>, side: &str) -> usize {
    let prefix = format!("{side}/layer_");
    let layers: BTreeSet<usize> = model
        .vars
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix)?.split('/').next()?.parse().ok())
        .collect();
    layers.len()
}

fn dim(model: &Ct2Model<impl Read + Seek>, var: &str, axis: usize) -> Result<i32, ConvertError> {
    let shape = &model.info(var)?.shape;
    let d = shape
        .get(axis)
        .ok_or_else(|| ConvertError::Model(format!("{var} has shape {shape:?}")))?;
    i32::try_from(*d).map_err(|_| ConvertError::Model(format!("{var}: dimension {d}")))
}

fn hparams<R: Read + Seek>(model: &mut Ct2Model<R>) -> Result<Hparams, ConvertError> {
    let layers = |m: &Ct2Model<R>, side| {
        i32::try_from(count_layers(m, side)).map_err(|_| ConvertError::Model("layers".into()))
    };
    let head = |m: &mut Ct2Model<R>, var: &str| {
        m.scalar(var)
            .map_err(ConvertError::from)
            .and_then(|v| i32::try_from(v).map_err(|_| ConvertError::Model(format!("{var} = {v}"))))
    };
    Ok(Hparams {
        n_vocab: dim(model, "decoder/embeddings/weight", 0)?,
        // Whisper's encoder always sees 30 s = 1500 frames; the table says it when present.
        n_audio_ctx: match model.vars.get(ENCODER_POSITIONS) {
            Some(_) => dim(model, ENCODER_POSITIONS, 0)?,
            None => 1500,
        },
        n_audio_state: dim(model, "encoder/conv1/weight", 0)?,
        n_audio_head: head(model, "encoder/num_heads")?,
        n_audio_layer: layers(model, "encoder")?,
        n_text_ctx: dim(model, "decoder/position_encodings/encodings", 0)?,
        n_text_state: dim(model, "decoder/embeddings/weight", 1)?,
        n_text_head: head(model, "decoder/num_heads")?,
        n_text_layer: layers(model, "decoder")?,
        n_mels: dim(model, "encoder/conv1/weight", 1)?,
        ftype: 1,
    })
}

/// The byte tokens of a CTranslate2 `vocabulary.txt`: one byte-level token a line, up to the
/// first special token `<|endoftext|>` (whisper.cpp derives the special tokens itself). English
/// models (`n_vocab` < 51865) keep `<|endoftext|>` as their last entry, as whisper.cpp's
/// published English ggml files do (their converter read GPT-2's `vocab.json`, which has it).
pub fn vocabulary(text: &[u8], n_vocab: i32) -> Result<Vec<Vec<u8>>, ConvertError> {
    let text =
        std::str::from_utf8(text).map_err(|_| ConvertError::Vocabulary("not UTF-8".into()))?;
    let mut tokens = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if line == "<|endoftext|>" {
            let base = if n_vocab >= 51_865 { 50_257 } else { 50_256 };
            if n_vocab >= 51_864 && tokens.len() != base {
                return Err(ConvertError::Vocabulary(format!(
                    "{} ordinary tokens for n_vocab {n_vocab}, whisper.cpp expects {base}",
                    tokens.len()
                )));
            }
            if n_vocab < 51_865 {
                tokens.push(line.as_bytes().to_vec());
            }
            return Ok(tokens);
        }
        let bytes = gpt2::decode_token(line).ok_or_else(|| {
            ConvertError::Vocabulary(format!("line {}: {line:?} is not byte-level", i + 1))
        })?;
        tokens.push(bytes);
    }
    Err(ConvertError::Vocabulary("no <|endoftext|> line".into()))
}

/// IEEE half to single precision, exactly.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    match exp {
        0 => {
            // Zero or subnormal: man · 2^-24 is exact in f32.
            let v = man as f32 * f32::from_bits(0x3380_0000);
            if sign != 0 { -v } else { v }
        }
        31 => f32::from_bits(sign | 0x7f80_0000 | (man << 13)),
        _ => f32::from_bits(sign | ((exp + 112) << 23) | (man << 13)),
    }
}

/// Whisper's sinusoidal encoder positions (`whisper.model.sinusoids`), with the f32 rounding
/// points of the original and sin/cos taken in f64, so the result is the same everywhere.
pub fn sinusoids(length: usize, channels: usize) -> Vec<f32> {
    let half = channels / 2;
    let step = 10_000f64.ln() / (half as f64 - 1.0);
    let inv: Vec<f32> = (0..half)
        .map(|i| ((-(step as f32) * i as f32) as f64).exp() as f32)
        .collect();
    let mut out = Vec::with_capacity(length * channels);
    for t in 0..length {
        let row: Vec<f64> = inv.iter().map(|&v| f64::from(t as f32 * v)).collect();
        out.extend(row.iter().map(|&x| x.sin() as f32));
        out.extend(row.iter().map(|&x| x.cos() as f32));
    }
    out
}

fn write_i32s(out: &mut impl Write, values: &[i32]) -> io::Result<()> {
    for v in values {
        out.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

/// Converts `model` with the vocabulary text and the mel filterbank archive (`mel_filters.npz`)
/// into `out`, reporting bytes written to `progress`.
pub fn convert<R: Read + Seek, W: Write>(
    model: &mut Ct2Model<R>,
    vocabulary_txt: &[u8],
    mel_npz: &[u8],
    out: &mut W,
    progress: &mut dyn FnMut(u64),
) -> Result<Converted, ConvertError> {
    let hp = hparams(model)?;
    let mel = npy::npz_member(mel_npz, &format!("mel_{}", hp.n_mels))?;
    let [n_mel, n_fft] = mel.shape[..] else {
        return Err(ConvertError::Mel(NpyError::Header(format!(
            "shape {:?}",
            mel.shape
        ))));
    };
    let tokens = vocabulary(vocabulary_txt, hp.n_vocab)?;
    if tokens.len() > usize::try_from(hp.n_vocab).unwrap_or(0) {
        return Err(ConvertError::Vocabulary(format!(
            "{} tokens > n_vocab {}",
            tokens.len(),
            hp.n_vocab
        )));
    }
    let as_i32 = |n: usize| i32::try_from(n).map_err(|_| ConvertError::Model(format!("size {n}")));
    write_i32s(out, &[MAGIC])?;
    write_i32s(out, &hp.to_array())?;
    write_i32s(out, &[as_i32(n_mel)?, as_i32(n_fft)?])?;
    for v in &mel.data {
        out.write_all(&v.to_le_bytes())?;
    }
    write_i32s(out, &[as_i32(tokens.len())?])?;
    for t in &tokens {
        write_i32s(out, &[as_i32(t.len())?])?;
        out.write_all(t)?;
    }
    let Plan { out: planned, zero } =
        Plan::whisper(hp.n_audio_layer as usize, hp.n_text_layer as usize);
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut cache: Option<(String, Vec<u8>)> = None;
    for p in &planned {
        let written = if p.var == ENCODER_POSITIONS && !model.vars.contains_key(&p.var) {
            let data = sinusoids(hp.n_audio_ctx as usize, hp.n_audio_state as usize);
            let dims = [hp.n_audio_state, hp.n_audio_ctx];
            let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
            write_tensor(out, &p.name, &dims, 0, &bytes)?
        } else {
            used.insert(p.var.clone());
            write_planned(model, p, &mut cache, out)?
        };
        progress(written);
    }
    for (var, index, of) in &zero {
        let bytes = slice_var(model, var, *index, *of, &mut cache)?.1;
        if bytes.iter().any(|&b| b != 0) && !all_zero_f(&bytes, model.info(var)?.dtype) {
            return Err(ConvertError::Model(format!(
                "{var}: the key bias is not zero; ggml has no place for it"
            )));
        }
        used.insert(var.clone());
    }
    check_unused(model, &used)?;
    Ok(Converted {
        hparams: hp,
        tokens: tokens.len(),
        tensors: planned.len(),
    })
}

fn all_zero_f(bytes: &[u8], dtype: DType) -> bool {
    match dtype {
        DType::F16 => bytes
            .chunks_exact(2)
            .all(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])) == 0.0),
        DType::F32 => bytes
            .chunks_exact(4)
            .all(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) == 0.0),
        _ => false,
    }
}

fn check_unused<R: Read + Seek>(
    model: &Ct2Model<R>,
    used: &BTreeSet<String>,
) -> Result<(), ConvertError> {
    let unused: Vec<&String> = model
        .vars
        .iter()
        .filter(|(name, info)| !info.shape.is_empty() && !used.contains(*name))
        .map(|(name, _)| name)
        .collect();
    if let Some(first) = unused.first() {
        return Err(ConvertError::Model(format!(
            "{} variables have no place in the ggml file, first {first} (an int8 or non-Whisper model?)",
            unused.len()
        )));
    }
    for (alias, target) in &model.aliases {
        if alias != "decoder/projection/weight" || target != "decoder/embeddings/weight" {
            return Err(ConvertError::Model(format!(
                "unexpected alias {alias} -> {target}"
            )));
        }
    }
    Ok(())
}

/// Rows `index` of `of` equal parts of a variable, with the part's shape.
fn slice_var<R: Read + Seek>(
    model: &mut Ct2Model<R>,
    var: &str,
    index: usize,
    of: usize,
    cache: &mut Option<(String, Vec<u8>)>,
) -> Result<(Vec<usize>, Vec<u8>), ConvertError> {
    let info = model.info(var)?.clone();
    if cache.as_ref().map(|(n, _)| n.as_str()) != Some(var) {
        *cache = Some((var.to_owned(), model.read(var)?));
    }
    let bytes = cache
        .as_ref()
        .map(|(_, b)| b.as_slice())
        .unwrap_or_default();
    let mut shape = info.shape.clone();
    let rows = shape.first().copied().unwrap_or(0);
    if rows == 0 || rows % of != 0 {
        return Err(ConvertError::Model(format!(
            "{var}: shape {shape:?} does not split in {of}"
        )));
    }
    let part = bytes.len() / of;
    shape[0] = rows / of;
    Ok((shape, bytes[index * part..(index + 1) * part].to_vec()))
}

fn write_planned<R: Read + Seek, W: Write>(
    model: &mut Ct2Model<R>,
    p: &Planned,
    cache: &mut Option<(String, Vec<u8>)>,
    out: &mut W,
) -> Result<u64, ConvertError> {
    let dtype = model.info(&p.var)?.dtype;
    let (mut shape, bytes) = slice_var(model, &p.var, p.index, p.of, cache)?;
    let (ftype, data) = match (p.store, dtype) {
        (Store::F16, DType::F16) => (1, bytes),
        (Store::F32 | Store::F32Column, DType::F32) => (0, bytes),
        (Store::F32 | Store::F32Column, DType::F16) => (
            0,
            bytes
                .chunks_exact(2)
                .flat_map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])).to_le_bytes())
                .collect(),
        ),
        (_, other) => {
            return Err(ConvertError::Model(format!(
                "{}: {other:?} weights are not supported (float16 CTranslate2 models only)",
                p.var
            )));
        }
    };
    if matches!(p.store, Store::F32Column) {
        if shape.len() != 1 {
            return Err(ConvertError::Model(format!(
                "{}: shape {shape:?} is not a vector",
                p.var
            )));
        }
        shape.push(1);
    }
    let dims = shape
        .iter()
        .rev()
        .map(|&d| {
            i32::try_from(d).map_err(|_| ConvertError::Model(format!("{}: dimension {d}", p.var)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(write_tensor(out, &p.name, &dims, ftype, &data)?)
}

/// One tensor record; `dims` innermost first. Returns the bytes written.
fn write_tensor(
    out: &mut impl Write,
    name: &str,
    dims: &[i32],
    ftype: i32,
    data: &[u8],
) -> io::Result<u64> {
    let n_dims = i32::try_from(dims.len()).unwrap_or(i32::MAX);
    let name_len = i32::try_from(name.len()).unwrap_or(i32::MAX);
    write_i32s(out, &[n_dims, name_len, ftype])?;
    write_i32s(out, dims)?;
    out.write_all(name.as_bytes())?;
    out.write_all(data)?;
    Ok((12 + 4 * dims.len() + name.len() + data.len()) as u64)
}

#[cfg(test)]
#[path = "ggml_tests.rs"]
mod tests;
