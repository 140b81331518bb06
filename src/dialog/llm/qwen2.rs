//! Our own small decoder forward pass for Qwen2 (and Llama-architecture GGUF files such as
//! SmolLM2) on candle's public quantized pieces. The KV cache is an explicit value,
//! [`KvCache`], owned by the caller, that can be truncated to any length: that is what lets
//! the embedded backend reuse the prompt prefix it already computed. Owns GGUF tensor loading
//! and the forward pass; knows nothing of text, chat templates or decoding strategies.

use std::io::{Read, Seek};

use candle_core::quantized::{GgmlDType, QMatMul, QTensor, gguf_file};
use candle_core::{DType, Device, Module, Tensor};
use candle_transformers::quantized_nn::RmsNorm;

/// The longest context we precompute rotary tables for (the agent's prompts are far shorter).
const MAX_CONTEXT: usize = 8192;

/// The GGUF architectures this forward pass knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arch {
    /// Qwen2: q/k/v biases, NeoX-style (half-split) rotary embeddings.
    Qwen2,
    /// Llama (SmolLM2): no biases; llama.cpp stores Q/K for interleaved rotary embeddings.
    Llama,
}

/// Hyper-parameters read from the GGUF metadata.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    pub(crate) arch: Arch,
    pub(crate) n_layer: usize,
    pub(crate) n_head: usize,
    pub(crate) n_kv_head: usize,
    pub(crate) head_dim: usize,
    pub(crate) context_length: usize,
}

struct Layer {
    wq: QMatMul,
    wk: QMatMul,
    wv: QMatMul,
    bq: Option<Tensor>,
    bk: Option<Tensor>,
    bv: Option<Tensor>,
    wo: QMatMul,
    attn_norm: RmsNorm,
    ffn_norm: RmsNorm,
    gate: QMatMul,
    up: QMatMul,
    down: QMatMul,
}

/// The KV cache of one sequence: per layer the keys and values of the first `len` positions,
/// each `(1, n_kv_head, len, head_dim)`.
pub(crate) struct KvCache {
    layers: Vec<Option<(Tensor, Tensor)>>,
    len: usize,
}

impl KvCache {
    pub(crate) fn new(n_layer: usize) -> KvCache {
        KvCache {
            layers: vec![None; n_layer],
            len: 0,
        }
    }

    /// Positions cached.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Keeps only the first `n` positions (no-op when `n >= len`).
    pub(crate) fn truncate(&mut self, n: usize) -> candle_core::Result<()> {
        if n >= self.len {
            return Ok(());
        }
        if n == 0 {
            self.clear();
            return Ok(());
        }
        for slot in &mut self.layers {
            if let Some((k, v)) = slot.take() {
                *slot = Some((
                    k.narrow(2, 0, n)?.contiguous()?,
                    v.narrow(2, 0, n)?.contiguous()?,
                ));
            }
        }
        self.len = n;
        Ok(())
    }

    pub(crate) fn clear(&mut self) {
        self.layers.iter_mut().for_each(|slot| *slot = None);
        self.len = 0;
    }
}

/// The weights of one model, immutable after loading.
pub(crate) struct Transformer {
    cfg: Config,
    /// Token embeddings, dequantized to f16 (half the memory of f32; rows are widened on use).
    embed: Tensor,
    layers: Vec<Layer>,
    norm: RmsNorm,
    output: QMatMul,
    cos: Tensor,
    sin: Tensor,
    device: Device,
}

fn md<'a>(ct: &'a gguf_file::Content, key: &str) -> candle_core::Result<&'a gguf_file::Value> {
    ct.metadata
        .get(key)
        .ok_or_else(|| candle_core::Error::Msg(format!("GGUF metadata has no {key}")))
}

fn md_usize(ct: &gguf_file::Content, key: &str) -> candle_core::Result<usize> {
    Ok(md(ct, key)?.to_u32()? as usize)
}

impl Config {
    pub(crate) fn from_gguf(ct: &gguf_file::Content) -> candle_core::Result<Config> {
        let arch_name = md(ct, "general.architecture")?.to_string()?.clone();
        let arch = match arch_name.as_str() {
            "qwen2" => Arch::Qwen2,
            "llama" => Arch::Llama,
            other => candle_core::bail!("unsupported GGUF architecture {other}"),
        };
        let p = |k: &str| format!("{arch_name}.{k}");
        let n_head = md_usize(ct, &p("attention.head_count"))?;
        let embedding = md_usize(ct, &p("embedding_length"))?;
        Ok(Config {
            arch,
            n_layer: md_usize(ct, &p("block_count"))?,
            n_head,
            n_kv_head: md_usize(ct, &p("attention.head_count_kv"))?,
            head_dim: embedding / n_head.max(1),
            context_length: md_usize(ct, &p("context_length"))?.min(MAX_CONTEXT),
        })
    }

    fn rms_eps(ct: &gguf_file::Content) -> candle_core::Result<f64> {
        let arch = md(ct, "general.architecture")?.to_string()?;
        Ok(f64::from(
            md(ct, &format!("{arch}.attention.layer_norm_rms_epsilon"))?.to_f32()?,
        ))
    }

    fn rope_base(ct: &gguf_file::Content) -> candle_core::Result<f32> {
        let arch = md(ct, "general.architecture")?.to_string()?;
        Ok(md(ct, &format!("{arch}.rope.freq_base"))
            .and_then(|v| v.to_f32())
            .unwrap_or(10_000.0))
    }
}

fn rotary_tables(
    cfg: &Config,
    base: f32,
    device: &Device,
) -> candle_core::Result<(Tensor, Tensor)> {
    let half = cfg.head_dim / 2;
    let inv_freq: Vec<f32> = (0..half)
        .map(|i| 1.0 / base.powf((2 * i) as f32 / cfg.head_dim as f32))
        .collect();
    let inv_freq = Tensor::from_vec(inv_freq, (1, half), device)?;
    let positions = Tensor::arange(0u32, cfg.context_length as u32, device)?
        .to_dtype(DType::F32)?
        .reshape((cfg.context_length, 1))?;
    let angles = positions.matmul(&inv_freq)?;
    Ok((angles.cos()?, angles.sin()?))
}

/// `(seq, past + seq)` additive mask: 0 where position `past + i` may see `j`, -inf after.
fn causal_mask(seq: usize, past: usize, device: &Device) -> candle_core::Result<Tensor> {
    let total = past + seq;
    let values: Vec<f32> = (0..seq)
        .flat_map(|i| (0..total).map(move |j| if j > past + i { f32::NEG_INFINITY } else { 0.0 }))
        .collect();
    Tensor::from_vec(values, (seq, total), device)
}

fn load_layer<R: Read + Seek>(
    ct: &gguf_file::Content,
    r: &mut R,
    i: usize,
    eps: f64,
    device: &Device,
) -> candle_core::Result<Layer> {
    let name = |n: &str| format!("blk.{i}.{n}");
    let mut qm = |n: &str| -> candle_core::Result<QMatMul> {
        fast_matrix(ct.tensor(r, &name(n), device)?, device)
    };
    let (wq, wk, wv, wo) = (
        qm("attn_q.weight")?,
        qm("attn_k.weight")?,
        qm("attn_v.weight")?,
        qm("attn_output.weight")?,
    );
    let (gate, up, down) = (
        qm("ffn_gate.weight")?,
        qm("ffn_up.weight")?,
        qm("ffn_down.weight")?,
    );
    let mut bias = |n: &str| -> candle_core::Result<Option<Tensor>> {
        if ct.tensor_infos.contains_key(&name(n)) {
            Ok(Some(ct.tensor(r, &name(n), device)?.dequantize(device)?))
        } else {
            Ok(None)
        }
    };
    let (bq, bk, bv) = (
        bias("attn_q.bias")?,
        bias("attn_k.bias")?,
        bias("attn_v.bias")?,
    );
    let attn_norm = RmsNorm::from_qtensor(ct.tensor(r, &name("attn_norm.weight"), device)?, eps)?;
    let ffn_norm = RmsNorm::from_qtensor(ct.tensor(r, &name("ffn_norm.weight"), device)?, eps)?;
    Ok(Layer {
        wq,
        wk,
        wv,
        bq,
        bk,
        bv,
        wo,
        attn_norm,
        ffn_norm,
        gate,
        up,
        down,
    })
}

/// A matrix in a format candle multiplies quickly. candle has SIMD dot products for Q4_0,
/// Q8_0 and the K-quants only; Q4_1/Q5_0/Q5_1 (what llama.cpp's Q4_K_M falls back to where a
/// row is not a multiple of 256, as Qwen2.5-0.5B's 896 is) run scalar, about 10x slower. Those
/// are re-quantized to Q8_0 at load: 8 bits hold their 4-5-bit levels almost exactly, for
/// about 1.5x their bytes.
fn fast_matrix(t: QTensor, device: &Device) -> candle_core::Result<QMatMul> {
    let t = match t.dtype() {
        GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1 => {
            QTensor::quantize(&t.dequantize(device)?, GgmlDType::Q8_0)?
        }
        _ => t,
    };
    QMatMul::from_qtensor(t)
}

fn with_bias(y: Tensor, b: Option<&Tensor>) -> candle_core::Result<Tensor> {
    match b {
        Some(b) => y.broadcast_add(b),
        None => Ok(y),
    }
}

impl Transformer {
    /// Loads every tensor of `ct` from `r` (the file `ct` was read from).
    pub(crate) fn from_gguf<R: Read + Seek>(
        ct: &gguf_file::Content,
        r: &mut R,
    ) -> candle_core::Result<Transformer> {
        let device = Device::Cpu;
        let cfg = Config::from_gguf(ct)?;
        let eps = Config::rms_eps(ct)?;
        let embed_q = ct.tensor(r, "token_embd.weight", &device)?;
        let embed = embed_q.dequantize(&device)?.to_dtype(DType::F16)?;
        let output = if ct.tensor_infos.contains_key("output.weight") {
            fast_matrix(ct.tensor(r, "output.weight", &device)?, &device)?
        } else {
            fast_matrix(embed_q, &device)? // tied embeddings
        };
        let norm = RmsNorm::from_qtensor(ct.tensor(r, "output_norm.weight", &device)?, eps)?;
        let layers = (0..cfg.n_layer)
            .map(|i| load_layer(ct, r, i, eps, &device))
            .collect::<candle_core::Result<Vec<_>>>()?;
        let (cos, sin) = rotary_tables(&cfg, Config::rope_base(ct)?, &device)?;
        Ok(Transformer {
            cfg,
            embed,
            layers,
            norm,
            output,
            cos,
            sin,
            device,
        })
    }

    pub(crate) fn config(&self) -> &Config {
        &self.cfg
    }

    /// Runs `ids` at positions `cache.len()..`, appends their keys and values to `cache` and
    /// returns the logits of the last position (f32, vocabulary-sized).
    pub(crate) fn forward(
        &self,
        ids: &[u32],
        cache: &mut KvCache,
    ) -> candle_core::Result<Vec<f32>> {
        let (seq, past) = (ids.len(), cache.len);
        if seq == 0 {
            candle_core::bail!("forward needs at least one token");
        }
        if past + seq > self.cfg.context_length {
            candle_core::bail!("context of {} tokens is full", self.cfg.context_length);
        }
        let ids_t = Tensor::new(ids, &self.device)?;
        let mut x = self
            .embed
            .index_select(&ids_t, 0)?
            .to_dtype(DType::F32)?
            .unsqueeze(0)?;
        let mask = if seq > 1 {
            Some(causal_mask(seq, past, &self.device)?)
        } else {
            None
        };
        let cos = self.cos.narrow(0, past, seq)?;
        let sin = self.sin.narrow(0, past, seq)?;
        for (layer, slot) in self.layers.iter().zip(cache.layers.iter_mut()) {
            let h = layer.attn_norm.forward(&x)?;
            let a = self.attention(layer, &h, (&cos, &sin), mask.as_ref(), slot)?;
            x = (x + a)?;
            let h = layer.ffn_norm.forward(&x)?;
            let gate = candle_nn::ops::silu(&layer.gate.forward(&h)?)?;
            let gated = (gate * layer.up.forward(&h)?)?;
            x = (x + layer.down.forward(&gated)?)?;
        }
        cache.len = past + seq;
        let last = self.norm.forward(&x.narrow(1, seq - 1, 1)?)?;
        self.output.forward(&last)?.flatten_all()?.to_vec1::<f32>()
    }

    fn attention(
        &self,
        layer: &Layer,
        x: &Tensor,
        (cos, sin): (&Tensor, &Tensor),
        mask: Option<&Tensor>,
        slot: &mut Option<(Tensor, Tensor)>,
    ) -> candle_core::Result<Tensor> {
        let c = &self.cfg;
        let (b, seq, _) = x.dims3()?;
        let heads = |t: Tensor, n: usize| -> candle_core::Result<Tensor> {
            t.reshape((b, seq, n, c.head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = heads(
            with_bias(layer.wq.forward(x)?, layer.bq.as_ref())?,
            c.n_head,
        )?;
        let k = heads(
            with_bias(layer.wk.forward(x)?, layer.bk.as_ref())?,
            c.n_kv_head,
        )?;
        let v = heads(
            with_bias(layer.wv.forward(x)?, layer.bv.as_ref())?,
            c.n_kv_head,
        )?;
        let rope = match c.arch {
            Arch::Qwen2 => candle_nn::rotary_emb::rope,
            Arch::Llama => candle_nn::rotary_emb::rope_i,
        };
        let (q, k) = (rope(&q, cos, sin)?, rope(&k, cos, sin)?);
        let (k, v) = match slot.take() {
            Some((pk, pv)) => (Tensor::cat(&[&pk, &k], 2)?, Tensor::cat(&[&pv, &v], 2)?),
            None => (k, v),
        };
        *slot = Some((k.clone(), v.clone()));
        let group = c.n_head / c.n_kv_head.max(1);
        let k = candle_transformers::utils::repeat_kv(k, group)?.contiguous()?;
        let v = candle_transformers::utils::repeat_kv(v, group)?.contiguous()?;
        let scores = (q.matmul(&k.t()?)? / (c.head_dim as f64).sqrt())?;
        let scores = match mask {
            Some(m) => scores.broadcast_add(m)?,
            None => scores,
        };
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let y = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .reshape((b, seq, c.n_head * c.head_dim))?;
        layer.wo.forward(&y)
    }
}
