//! Crisis by meaning, the second look after the patterns ([`super::crisis`]): an English
//! utterance whose sentence embedding (MiniLM) is nearer the crisis exemplars than the
//! near-miss ones by more than a margin is a crisis too. Patterns catch what is said in
//! known words; this catches a crisis said in other words ("I'm standing at the top of the
//! multi-storey") without a phrase for it. English only: the embedding model is.
//!
//! Owns the exemplars (`crisis_exemplars.toml`, embedded) and [`CrisisMeaning`].

use super::kb::{Embedder, KbError, embed::cosine};

/// The exemplars: crisis sentences and near-misses that share their words.
#[derive(Debug, serde::Deserialize)]
pub struct Exemplars {
    /// English crises.
    pub crisis: Vec<String>,
    /// English near-misses.
    pub safe: Vec<String>,
    /// Mandarin crises (compared by characters, `crisis_chars.rs`).
    pub crisis_zh: Vec<String>,
    /// Mandarin near-misses.
    pub safe_zh: Vec<String>,
}

/// The bundled exemplars.
pub fn exemplars() -> Exemplars {
    toml::from_str(include_str!("crisis_exemplars.toml"))
        .unwrap_or_else(|e| unreachable!("the bundled exemplars parse: {e}"))
}

/// Nearest neighbours averaged on each side.
const K: usize = 3;
/// How much nearer the crisis side must be (tuned by leave-one-out on the exemplars, see
/// `tests/crisis.rs`).
pub const MARGIN: f32 = 0.05;
/// How near a crisis exemplar must be at all (a sentence near nothing is not judged).
pub const FLOOR: f32 = 0.35;

/// The exemplars' embeddings.
pub struct CrisisMeaning {
    crisis: Vec<Vec<f32>>,
    safe: Vec<Vec<f32>>,
}

impl std::fmt::Debug for CrisisMeaning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrisisMeaning")
            .field("crisis", &self.crisis.len())
            .field("safe", &self.safe.len())
            .finish()
    }
}

impl CrisisMeaning {
    /// Embeds the bundled exemplars (through the embedder's disk cache when it has one).
    pub fn new(embedder: &Embedder) -> Result<CrisisMeaning, KbError> {
        let ex = exemplars();
        let crisis: Vec<&str> = ex.crisis.iter().map(String::as_str).collect();
        let safe: Vec<&str> = ex.safe.iter().map(String::as_str).collect();
        Ok(CrisisMeaning {
            crisis: embedder.embed_documents(&crisis)?,
            safe: embedder.embed_documents(&safe)?,
        })
    }

    /// From embeddings already made (the tests' leave-one-out).
    pub fn from_vectors(crisis: Vec<Vec<f32>>, safe: Vec<Vec<f32>>) -> CrisisMeaning {
        CrisisMeaning { crisis, safe }
    }

    /// How much nearer the crisis side is than the near-miss side (mean of the `K` nearest
    /// on each), and the crisis side's nearness.
    pub fn score(&self, v: &[f32]) -> (f32, f32) {
        let near = |side: &[Vec<f32>]| {
            let mut sims: Vec<f32> = side.iter().map(|e| cosine(e, v)).collect();
            sims.sort_by(|a, b| b.total_cmp(a));
            let k = K.min(sims.len()).max(1);
            sims.iter().take(k).sum::<f32>() / k as f32
        };
        let c = near(&self.crisis);
        (c - near(&self.safe), c)
    }

    /// Whether the embedding `v` of an English utterance reads as a crisis.
    pub fn is_crisis(&self, v: &[f32], margin: f32) -> bool {
        let (lead, near) = self.score(v);
        lead > margin && near > FLOOR
    }

    /// Embeds `text` and judges it; an embedding failure is no crisis (the patterns ran).
    pub fn check(&self, embedder: &Embedder, text: &str) -> bool {
        if crate::emotion::is_mandarin(text) {
            return false;
        }
        match embedder.embed(&[text]) {
            Ok(v) => v.first().is_some_and(|v| self.is_crisis(v, MARGIN)),
            Err(e) => {
                tracing::warn!(error = %e, "crisis check by meaning skipped");
                false
            }
        }
    }
}
