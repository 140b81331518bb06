#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::io::Cursor;

use super::*;
use crate::models::ct2::writer::Ct2Writer;
use crate::models::ggml_inspect::{GgmlInfo, inspect};
use crate::models::npy::tests::{npy_f32, npz};

/// f32 → f16 bits for values exactly representable as normal halves (test data only).
fn h(v: f32) -> u16 {
    if v == 0.0 {
        return 0;
    }
    let b = v.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let exp = ((b >> 23) & 0xff) as u16 - 112;
    sign | (exp << 10) | ((b >> 13) & 0x3ff) as u16
}

fn f16s(values: impl IntoIterator<Item = f32>) -> Vec<u8> {
    values
        .into_iter()
        .flat_map(|v| h(v).to_le_bytes())
        .collect()
}

/// Row-major f16 matrix whose element (r, c) is `base + r + c/8`.
fn mat(rows: usize, cols: usize, base: f32) -> Vec<u8> {
    f16s((0..rows * cols).map(|i| base + (i / cols) as f32 + (i % cols) as f32 / 8.0))
}

const S: u32 = 4; // state
const MELS: u32 = 3;

struct Synth {
    w: Ct2Writer,
}

impl Synth {
    fn new() -> Synth {
        Synth {
            w: Ct2Writer::new(),
        }
    }
    fn m(&mut self, name: &str, rows: u32, cols: u32, base: f32) -> &mut Self {
        self.w.var(
            name,
            &[rows, cols],
            4,
            mat(rows as usize, cols as usize, base),
        );
        self
    }
    fn v(&mut self, name: &str, n: u32, base: f32) -> &mut Self {
        self.w
            .var(name, &[n], 4, f16s((0..n).map(|i| base + i as f32)));
        self
    }
    fn linear(&mut self, name: &str, rows: u32, cols: u32, base: f32) -> &mut Self {
        self.m(&format!("{name}/weight"), rows, cols, base);
        self.v(&format!("{name}/bias"), rows, base)
    }
    fn norm(&mut self, name: &str) -> &mut Self {
        self.v(&format!("{name}/gamma"), S, 1.0)
            .v(&format!("{name}/beta"), S, 0.0)
    }
    fn qkv(&mut self, name: &str, parts: u32, zero_part: u32) -> &mut Self {
        self.m(&format!("{name}/weight"), parts * S, S, 10.0);
        let bias = (0..parts * S).map(|i| {
            if i / S == zero_part {
                0.0
            } else {
                1.0 + i as f32
            }
        });
        self.w
            .var(&format!("{name}/bias"), &[parts * S], 4, f16s(bias));
        self
    }
}

/// A whole (tiny) Whisper in CTranslate2 layout: 1 encoder and 2 decoder layers.
fn model(with_positions: bool) -> Synth {
    let mut s = Synth::new();
    s.w.var("encoder/num_heads", &[], 2, 2i16.to_le_bytes().to_vec());
    s.w.var("decoder/num_heads", &[], 2, 2i16.to_le_bytes().to_vec());
    s.w.var("decoder/activation", &[], 1, vec![3]);
    s.w.var(
        "encoder/conv1/weight",
        &[S, MELS, 3],
        4,
        f16s((0..S * MELS * 3).map(|i| i as f32)),
    );
    s.v("encoder/conv1/bias", S, 5.0);
    s.w.var(
        "encoder/conv2/weight",
        &[S, S, 3],
        4,
        f16s((0..S * S * 3).map(|i| i as f32)),
    );
    s.v("encoder/conv2/bias", S, 6.0);
    if with_positions {
        s.m("encoder/position_encodings/encodings", 5, S, 0.0);
    }
    s.qkv("encoder/layer_0/self_attention/linear_0", 3, 1)
        .linear("encoder/layer_0/self_attention/linear_1", S, S, 2.0)
        .norm("encoder/layer_0/self_attention/layer_norm")
        .linear("encoder/layer_0/ffn/linear_0", 4 * S, S, 3.0)
        .linear("encoder/layer_0/ffn/linear_1", S, 4 * S, 4.0)
        .norm("encoder/layer_0/ffn/layer_norm")
        .norm("encoder/layer_norm")
        .m("decoder/embeddings/weight", 8, S, 0.5)
        .m("decoder/position_encodings/encodings", 6, S, 0.25)
        .norm("decoder/layer_norm");
    for l in 0..2 {
        let d = format!("decoder/layer_{l}");
        s.qkv(&format!("{d}/self_attention/linear_0"), 3, 1)
            .linear(&format!("{d}/self_attention/linear_1"), S, S, 2.0)
            .norm(&format!("{d}/self_attention/layer_norm"))
            .linear(&format!("{d}/attention/linear_0"), S, S, 7.0)
            .qkv(&format!("{d}/attention/linear_1"), 2, 0)
            .linear(&format!("{d}/attention/linear_2"), S, S, 8.0)
            .norm(&format!("{d}/attention/layer_norm"))
            .linear(&format!("{d}/ffn/linear_0"), 4 * S, S, 3.0)
            .linear(&format!("{d}/ffn/linear_1"), S, 4 * S, 4.0)
            .norm(&format!("{d}/ffn/layer_norm"));
    }
    s.w.alias("decoder/projection/weight", "decoder/embeddings/weight");
    s
}

const VOCAB: &str = "a\nĠb\nåľº\n\n<|endoftext|>\n<|startoftranscript|>\n";

fn mel() -> Vec<u8> {
    let row: Vec<f32> = (0..3 * 5).map(|i| i as f32 / 16.0).collect();
    npz(&[
        ("mel_3", npy_f32(&[3, 5], &row)),
        ("mel_4", npy_f32(&[1, 1], &[0.0])),
    ])
}

fn run(s: &Synth) -> Result<(Vec<u8>, Converted), ConvertError> {
    let mut m = Ct2Model::index(Cursor::new(s.w.bytes()))?;
    let mut out = Vec::new();
    let mut written = 0u64;
    let c = convert(&mut m, VOCAB.as_bytes(), &mel(), &mut out, &mut |n| {
        written += n
    })?;
    assert!(written > 0 && written < out.len() as u64);
    Ok((out, c))
}

fn data<'a>(file: &'a [u8], info: &GgmlInfo, name: &str) -> &'a [u8] {
    let t = info.tensors.iter().find(|t| t.name == name).expect(name);
    &file[t.offset as usize..t.offset as usize + t.len]
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[test]
fn a_synthetic_model_converts_to_the_layout_whisper_cpp_reads() {
    let (file, c) = run(&model(true)).unwrap();
    let info = inspect(Cursor::new(&file)).unwrap();
    let hp = info.hparams;
    assert_eq!(hp, c.hparams);
    assert_eq!(
        hp.to_array(),
        [8, 5, 4, 2, 1, 6, 4, 2, 2, 3, 1],
        "n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer, n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype"
    );
    assert_eq!(info.mel, (3, 5));
    assert_eq!(info.mel_row0, vec![0.0, 0.0625, 0.125, 0.1875, 0.25]);
    let tokens: Vec<&[u8]> = info.tokens.iter().map(Vec::as_slice).collect();
    assert_eq!(
        tokens,
        [&b"a"[..], b" b", "场".as_bytes(), b"", b"<|endoftext|>"]
    );
    // 1 pos + 4 conv + 15 per encoder block + 2 ln_post + 2 decoder embeddings
    // + 24 per decoder block + 2 ln.
    assert_eq!(info.tensors.len(), 1 + 4 + 15 + 2 + 2 + 2 * 24 + 2);
    assert_eq!(c.tensors, info.tensors.len());
    assert_eq!(info.tensors[0].name, "encoder.positional_embedding");
    assert_eq!(
        (info.tensors[0].dims.clone(), info.tensors[0].ftype),
        (vec![4, 5], 0)
    );
    let find = |n: &str| info.tensors.iter().find(|t| t.name == n).expect(n).clone();
    assert_eq!(
        (
            find("encoder.conv1.weight").dims,
            find("encoder.conv1.weight").ftype
        ),
        (vec![3, 3, 4], 1)
    );
    assert_eq!(
        (
            find("encoder.conv1.bias").dims,
            find("encoder.conv1.bias").ftype
        ),
        (vec![1, 4], 0)
    );
    assert_eq!(find("decoder.token_embedding.weight").dims, vec![4, 8]);
    assert_eq!(
        find("decoder.blocks.1.cross_attn.key.weight").dims,
        vec![4, 4]
    );
    assert_eq!(find("encoder.blocks.0.mlp.0.weight").dims, vec![4, 16]);
    assert!(info.tensors.iter().all(|t| !t.name.contains("key.bias")));
    assert_eq!(find("decoder.ln.weight").ftype, 0);

    // Q, K and V are the three row blocks of the fused matrix, f16 untouched.
    let fused = mat(12, 4, 10.0);
    assert_eq!(
        data(&file, &info, "encoder.blocks.0.attn.query.weight"),
        &fused[..32]
    );
    assert_eq!(
        data(&file, &info, "encoder.blocks.0.attn.key.weight"),
        &fused[32..64]
    );
    assert_eq!(
        data(&file, &info, "decoder.blocks.0.attn.value.weight"),
        &fused[64..]
    );
    // Biases widen to f32: query = 1..=4, value = 9..=12 (the key's part is zero).
    assert_eq!(
        f32s(data(&file, &info, "encoder.blocks.0.attn.query.bias")),
        [1.0, 2.0, 3.0, 4.0]
    );
    assert_eq!(
        f32s(data(&file, &info, "encoder.blocks.0.attn.value.bias")),
        [9.0, 10.0, 11.0, 12.0]
    );
    assert_eq!(
        f32s(data(&file, &info, "decoder.blocks.1.cross_attn.value.bias")),
        [5.0, 6.0, 7.0, 8.0]
    );
    let cross_kv = mat(8, 4, 10.0);
    assert_eq!(
        data(&file, &info, "decoder.blocks.1.cross_attn.value.weight"),
        &cross_kv[32..]
    );
    assert_eq!(
        f32s(data(&file, &info, "encoder.conv1.bias")),
        [5.0, 6.0, 7.0, 8.0]
    );
    // The positional table is widened to f32: row 1 = 1, 1.125, 1.25, 1.375.
    assert_eq!(
        f32s(data(&file, &info, "decoder.positional_embedding"))[4..8],
        [1.25, 1.375, 1.5, 1.625]
    );
}

#[test]
fn conversion_is_deterministic() {
    let a = run(&model(true)).unwrap().0;
    let b = run(&model(true)).unwrap().0;
    assert_eq!(a, b);
}

#[test]
fn missing_encoder_positions_are_computed_like_whisper_sinusoids() {
    let (file, _) = run(&model(false)).unwrap();
    let info = inspect(Cursor::new(&file)).unwrap();
    assert_eq!(info.hparams.n_audio_ctx, 1500);
    let pos = f32s(data(&file, &info, "encoder.positional_embedding"));
    assert_eq!(pos.len(), 1500 * 4);
    assert_eq!(pos[..4], [0.0, 0.0, 1.0, 1.0]);
    // Row 1: sin(1), sin(1e-4), cos(1), cos(1e-4) for 4 channels (timescales 1 and 1/10000).
    let want = [1f64.sin(), 1e-4f64.sin(), 1f64.cos(), 1e-4f64.cos()];
    for (got, want) in pos[4..8].iter().zip(want) {
        assert!((f64::from(*got) - want).abs() < 1e-6, "{got} vs {want}");
    }
    let s = sinusoids(1500, 384);
    assert_eq!(s.len(), 1500 * 384);
    assert_eq!(s, sinusoids(1500, 384));
}

#[test]
fn models_that_do_not_fit_are_refused_with_the_reason() {
    let mut m = model(true);
    m.w.var(
        "encoder/layer_0/ffn/linear_0/weight_scale",
        &[16],
        0,
        vec![0u8; 64],
    );
    let err = run(&m).unwrap_err().to_string();
    assert!(err.contains("weight_scale"), "{err}");

    let mut s = Synth::new();
    s.w.var("decoder/embeddings/weight", &[8, 4], 1, vec![0u8; 32]);
    assert!(run(&s).is_err());
}

#[test]
fn a_nonzero_key_bias_is_refused() {
    // Build the model with the encoder's fused bias having no zero block.
    let mut s = Synth::new();
    let base = model(true);
    let bytes = base.w.bytes();
    let mut m = Ct2Model::index(Cursor::new(bytes)).unwrap();
    for (name, info) in m.vars.clone() {
        let data = m.read(&name).unwrap();
        let data = if name == "encoder/layer_0/self_attention/linear_0/bias" {
            f16s((0..12).map(|i| 1.0 + i as f32))
        } else {
            data
        };
        let shape: Vec<u32> = info.shape.iter().map(|&d| d as u32).collect();
        let dtype = match info.dtype {
            DType::F32 => 0,
            DType::I8 => 1,
            DType::I16 => 2,
            DType::I32 => 3,
            DType::F16 => 4,
            DType::BF16 => 5,
        };
        s.w.var(&name, &shape, dtype, data);
    }
    s.w.alias("decoder/projection/weight", "decoder/embeddings/weight");
    let err = run(&s).unwrap_err().to_string();
    assert!(err.contains("key bias is not zero"), "{err}");
}

#[test]
fn halves_widen_exactly() {
    assert_eq!(f16_to_f32(0x3c00), 1.0);
    assert_eq!(f16_to_f32(0xc000), -2.0);
    assert_eq!(f16_to_f32(0x7bff), 65504.0);
    assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
    assert_eq!(f16_to_f32(0x8000).to_bits(), 0x8000_0000);
    assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
    assert!(f16_to_f32(0x7e00).is_nan());
    assert_eq!(f16_to_f32(h(0.1)), 0.099975586);
}

#[test]
fn whisper_vocabularies_must_have_the_count_whisper_cpp_expects() {
    let mut text = String::new();
    for i in 0..50_256 {
        text.push_str(&format!("t{i}\n"));
    }
    text.push_str("<|endoftext|>\n");
    let english = vocabulary(text.as_bytes(), 51_864).unwrap();
    assert_eq!(english.len(), 50_257);
    assert_eq!(english[50_256], b"<|endoftext|>");
    assert!(vocabulary(text.as_bytes(), 51_865).is_err());
    let multilingual = text.replace("<|endoftext|>", "\n<|endoftext|>");
    assert_eq!(
        vocabulary(multilingual.as_bytes(), 51_865).unwrap().len(),
        50_257
    );
    assert!(vocabulary(b"a\nb\n", 8).is_err());
    assert!(vocabulary("中\n<|endoftext|>\n".as_bytes(), 8).is_err());
}
