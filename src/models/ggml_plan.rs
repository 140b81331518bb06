//! Which CTranslate2 variable becomes which whisper.cpp tensor: the PyTorch names and order of
//! Whisper's state dict, the row slices of CTranslate2's fused attention projections, how each
//! tensor is stored, and the fused key biases that must be zero.

#[derive(Debug, Clone, Copy)]
pub(super) enum Store {
    /// Float16 as stored.
    F16,
    /// Float32 (widened from f16 if needed), shape as stored.
    F32,
    /// Float32 with shape [n] stored as [n, 1].
    F32Column,
}

/// One output tensor: from which variable, which slice of its rows (`index` of `of` equal
/// parts), and how it is stored.
pub(super) struct Planned {
    pub(super) name: String,
    pub(super) var: String,
    pub(super) index: usize,
    pub(super) of: usize,
    pub(super) store: Store,
}

/// The output tensors in PyTorch order, and the bias slices that must be zero.
#[derive(Default)]
pub(super) struct Plan {
    pub(super) out: Vec<Planned>,
    pub(super) zero: Vec<(String, usize, usize)>,
}

impl Plan {
    fn tensor(&mut self, name: String, var: String, (index, of): (usize, usize), store: Store) {
        self.out.push(Planned {
            name,
            var,
            index,
            of,
            store,
        });
    }

    fn whole(&mut self, name: String, var: String, store: Store) {
        self.tensor(name, var, (0, 1), store);
    }

    fn linear(&mut self, to: &str, from: &str) {
        self.whole(format!("{to}.weight"), format!("{from}/weight"), Store::F16);
        self.whole(format!("{to}.bias"), format!("{from}/bias"), Store::F32);
    }

    fn norm(&mut self, to: &str, from: &str) {
        self.whole(format!("{to}.weight"), format!("{from}/gamma"), Store::F32);
        self.whole(format!("{to}.bias"), format!("{from}/beta"), Store::F32);
    }

    fn self_attn(&mut self, to: &str, from: &str) {
        let qkv = format!("{from}/self_attention/linear_0");
        self.tensor(
            format!("{to}.attn.query.weight"),
            format!("{qkv}/weight"),
            (0, 3),
            Store::F16,
        );
        self.tensor(
            format!("{to}.attn.query.bias"),
            format!("{qkv}/bias"),
            (0, 3),
            Store::F32,
        );
        self.tensor(
            format!("{to}.attn.key.weight"),
            format!("{qkv}/weight"),
            (1, 3),
            Store::F16,
        );
        self.zero.push((format!("{qkv}/bias"), 1, 3));
        self.tensor(
            format!("{to}.attn.value.weight"),
            format!("{qkv}/weight"),
            (2, 3),
            Store::F16,
        );
        self.tensor(
            format!("{to}.attn.value.bias"),
            format!("{qkv}/bias"),
            (2, 3),
            Store::F32,
        );
        self.linear(
            &format!("{to}.attn.out"),
            &format!("{from}/self_attention/linear_1"),
        );
        self.norm(
            &format!("{to}.attn_ln"),
            &format!("{from}/self_attention/layer_norm"),
        );
    }

    fn cross_attn(&mut self, to: &str, from: &str) {
        let cross = format!("{from}/attention");
        self.linear(
            &format!("{to}.cross_attn.query"),
            &format!("{cross}/linear_0"),
        );
        let kv = format!("{cross}/linear_1");
        self.tensor(
            format!("{to}.cross_attn.key.weight"),
            format!("{kv}/weight"),
            (0, 2),
            Store::F16,
        );
        self.zero.push((format!("{kv}/bias"), 0, 2));
        self.tensor(
            format!("{to}.cross_attn.value.weight"),
            format!("{kv}/weight"),
            (1, 2),
            Store::F16,
        );
        self.tensor(
            format!("{to}.cross_attn.value.bias"),
            format!("{kv}/bias"),
            (1, 2),
            Store::F32,
        );
        self.linear(
            &format!("{to}.cross_attn.out"),
            &format!("{cross}/linear_2"),
        );
        self.norm(
            &format!("{to}.cross_attn_ln"),
            &format!("{cross}/layer_norm"),
        );
    }

    fn mlp(&mut self, to: &str, from: &str) {
        self.linear(&format!("{to}.mlp.0"), &format!("{from}/ffn/linear_0"));
        self.linear(&format!("{to}.mlp.2"), &format!("{from}/ffn/linear_1"));
        self.norm(&format!("{to}.mlp_ln"), &format!("{from}/ffn/layer_norm"));
    }

    pub(super) fn whisper(n_audio_layer: usize, n_text_layer: usize) -> Plan {
        let mut p = Plan::default();
        p.whole(
            "encoder.positional_embedding".into(),
            ENCODER_POSITIONS.into(),
            Store::F32,
        );
        for conv in ["conv1", "conv2"] {
            p.whole(
                format!("encoder.{conv}.weight"),
                format!("encoder/{conv}/weight"),
                Store::F16,
            );
            p.whole(
                format!("encoder.{conv}.bias"),
                format!("encoder/{conv}/bias"),
                Store::F32Column,
            );
        }
        for i in 0..n_audio_layer {
            let (to, from) = (format!("encoder.blocks.{i}"), format!("encoder/layer_{i}"));
            p.self_attn(&to, &from);
            p.mlp(&to, &from);
        }
        p.norm("encoder.ln_post", "encoder/layer_norm");
        p.whole(
            "decoder.positional_embedding".into(),
            "decoder/position_encodings/encodings".into(),
            Store::F32,
        );
        p.whole(
            "decoder.token_embedding.weight".into(),
            "decoder/embeddings/weight".into(),
            Store::F16,
        );
        for i in 0..n_text_layer {
            let (to, from) = (format!("decoder.blocks.{i}"), format!("decoder/layer_{i}"));
            p.self_attn(&to, &from);
            p.cross_attn(&to, &from);
            p.mlp(&to, &from);
        }
        p.norm("decoder.ln", "decoder/layer_norm");
        p
    }
}

pub(super) const ENCODER_POSITIONS: &str = "encoder/position_encodings/encodings";
