//! Sentence embeddings: all-MiniLM-L6-v2 (BERT, 384 dimensions) on candle, CPU, in process.
//! Texts are tokenised with the model's `tokenizer.json` (truncated to [`MAX_TOKENS`]), batched
//! with padding and an attention mask, mean-pooled over the mask and L2-normalised, so the dot
//! product of two embeddings is their cosine.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use sha2::{Digest, Sha256};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use super::KbError;
use super::disk_cache::DiskCache;

/// Tokens per text; longer texts are cut (chunks are ≤ ~120 words, well below).
pub const MAX_TOKENS: usize = 256;
/// Texts per forward pass when indexing.
const BATCH: usize = 16;

/// The MiniLM sentence-embedding model.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    dim: usize,
    /// Identifies the model files, so a cache made with other weights is not reused.
    fingerprint: [u8; 32],
    disk: Option<Mutex<DiskCache>>,
    /// Texts run through the model so far.
    runs: AtomicU64,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder").field("dim", &self.dim).finish()
    }
}

fn model_err(dir: &Path, reason: impl std::fmt::Display) -> KbError {
    KbError::Model {
        path: dir.to_path_buf(),
        reason: reason.to_string(),
    }
}

fn embed_err(e: impl std::fmt::Display) -> KbError {
    KbError::Embed {
        reason: e.to_string(),
    }
}

impl Embedder {
    /// Loads the model from `dir` (`model.safetensors`, `tokenizer.json`, `config.json`).
    pub fn load(dir: &Path) -> Result<Embedder, KbError> {
        let config_path = dir.join("config.json");
        let text =
            std::fs::read_to_string(&config_path).map_err(|e| KbError::io(&config_path, e))?;
        let config: Config =
            serde_json::from_str(&text).map_err(|e| model_err(dir, format!("config.json: {e}")))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| model_err(dir, format!("tokenizer.json: {e}")))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| model_err(dir, format!("tokenizer truncation: {e}")))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        let device = Device::Cpu;
        let weights_path = dir.join("model.safetensors");
        if !weights_path.is_file() {
            return Err(model_err(dir, "model.safetensors is missing"));
        }
        let tensors = candle_core::safetensors::load(&weights_path, &device)
            .map_err(|e| model_err(dir, format!("model.safetensors: {e}")))?;
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let model = BertModel::load(vb, &config)
            .map_err(|e| model_err(dir, format!("BERT weights: {e}")))?;
        let mut fp = Sha256::new();
        fp.update(text.as_bytes());
        for file in ["tokenizer.json", "model.safetensors"] {
            let size = std::fs::metadata(dir.join(file)).map_or(0, |m| m.len());
            fp.update(size.to_le_bytes());
        }
        fp.update((MAX_TOKENS as u64).to_le_bytes());
        Ok(Embedder {
            model,
            tokenizer,
            device,
            dim: config.hidden_size,
            fingerprint: fp.finalize().into(),
            disk: None,
            runs: AtomicU64::new(0),
        })
    }

    /// Keeps document-chunk embeddings in `file` (see `disk_cache.rs`) so that opening the same
    /// knowledge base again embeds only new text. Queries are never written.
    pub fn with_cache_file(mut self, file: &Path) -> Embedder {
        let cache = DiskCache::open(file, self.fingerprint, self.dim);
        self.disk = Some(Mutex::new(cache));
        self
    }

    /// [`Embedder::embed`] for document chunks: through the disk cache when there is one.
    pub fn embed_documents(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, KbError> {
        let Some(disk) = &self.disk else {
            return self.embed(texts);
        };
        let keys: Vec<[u8; 32]> = texts
            .iter()
            .map(|t| Sha256::digest(t.as_bytes()).into())
            .collect();
        let mut out: Vec<Option<Vec<f32>>> = {
            let cache = disk.lock().unwrap_or_else(PoisonError::into_inner);
            keys.iter().map(|k| cache.get(k).cloned()).collect()
        };
        let missing: Vec<usize> = (0..texts.len()).filter(|&i| out[i].is_none()).collect();
        let inputs: Vec<&str> = missing.iter().map(|&i| texts[i]).collect();
        let fresh = self.embed(&inputs)?;
        let mut new = Vec::with_capacity(fresh.len());
        for (&i, v) in missing.iter().zip(fresh) {
            new.push((keys[i], v.clone()));
            out[i] = Some(v);
        }
        disk.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(new);
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// Loads the model from the installed models (`voxgate models fetch minilm-l6-v2`).
    pub fn from_models(models: &crate::models::Models) -> Result<Embedder, KbError> {
        let primary = models
            .require(crate::models::ModelId::MiniLmL6V2)
            .map_err(|e| model_err(models.dir(), e))?;
        Embedder::load(primary.parent().unwrap_or(models.dir()))
    }

    /// How many texts this embedder has run through the model (cache hits not counted).
    pub fn texts_embedded(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// The embedding width (384 for MiniLM-L6).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// One L2-normalised, mean-pooled embedding per text, in order. Texts are batched by
    /// length so padding stays small.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, KbError> {
        self.runs.fetch_add(texts.len() as u64, Ordering::Relaxed);
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for batch in order.chunks(BATCH) {
            let inputs: Vec<&str> = batch.iter().map(|&i| texts[i]).collect();
            for (&i, v) in batch.iter().zip(self.embed_batch(&inputs)?) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, KbError> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(embed_err)?;
        let rows = encodings.len();
        let width = encodings.first().map_or(0, |e| e.get_ids().len());
        let mut ids = Vec::with_capacity(rows * width);
        let mut mask = Vec::with_capacity(rows * width);
        for e in &encodings {
            ids.extend_from_slice(e.get_ids());
            mask.extend_from_slice(e.get_attention_mask());
        }
        let pooled = self.forward(ids, mask, rows, width).map_err(embed_err)?;
        Ok(pooled)
    }

    fn forward(
        &self,
        ids: Vec<u32>,
        mask: Vec<u32>,
        rows: usize,
        width: usize,
    ) -> candle_core::Result<Vec<Vec<f32>>> {
        let ids = Tensor::from_vec(ids, (rows, width), &self.device)?;
        let mask = Tensor::from_vec(mask, (rows, width), &self.device)?;
        let types = ids.zeros_like()?;
        let hidden = self.model.forward(&ids, &types, Some(&mask))?;
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?.clamp(1e-9, f32::MAX)?;
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f32::MAX)?;
        mean.broadcast_div(&norms)?.to_vec2::<f32>()
    }
}

/// The dot product of two embeddings (their cosine, as both are normalised).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
