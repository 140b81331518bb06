//! Crisis by meaning, the second look after the patterns ([`super::crisis`]): an English
//! utterance whose sentence embedding (MiniLM) a logistic regression fitted on the crisis
//! exemplars against their near-misses reads as a crisis is one too (it replaced three
//! nearest neighbours: at the same false alarms it catches more, in cross-validation on the
//! exemplars and on the held-out editions, see the README). Patterns catch what is said in
//! known words; this catches a crisis said in other words ("I'm standing at the top of the
//! multi-storey") without a phrase for it. English only: the embedding model is.
//!
//! Owns the exemplars (`crisis_exemplars.toml`, embedded) and [`CrisisMeaning`].

use std::sync::LazyLock;

use regex::Regex;

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

/// L2 penalty of the linear reading, and the probability above which it reads a crisis (both
/// chosen by ten-fold cross-validation on the exemplars, `tests/crisis.rs`).
pub const L2: f32 = 0.0003;
pub const CUT: f32 = 0.7;
/// The probability a part of a longer utterance must reach (more parts, more chances of a
/// false alarm). Chosen on the sixth edition and the emotion tuning set's English callers
/// (`CRISIS_PART_CUTS=1 cargo test --test crisis -- --nocapture sixth`): 0.7 caught 47/50
/// with 6/50 false alarms and 4 ordinary callers alarmed, 0.9 caught 44 with 3 and 1.
pub const PART_CUT: f32 = 0.9;
/// Gradient-descent steps and step size of [`Linear::train`].
const STEPS: usize = 1500;
const RATE: f64 = 2.0;

/// How near (mean cosine of the 3 nearest) a crisis exemplar an utterance must be at all: a
/// sentence near none is not judged, wherever the linear boundary happens to run for it.
pub const FLOOR: f32 = 0.35;
const NEAREST: usize = 3;

/// The linear reading of the exemplars, and the crisis exemplars for the floor.
#[derive(Debug)]
pub struct CrisisMeaning {
    linear: Linear,
    crisis: Vec<Vec<f32>>,
}

impl CrisisMeaning {
    /// Embeds the bundled exemplars (through the embedder's disk cache when it has one) and
    /// fits the reading.
    pub fn new(embedder: &Embedder) -> Result<CrisisMeaning, KbError> {
        let ex = exemplars();
        let crisis: Vec<&str> = ex.crisis.iter().map(String::as_str).collect();
        let safe: Vec<&str> = ex.safe.iter().map(String::as_str).collect();
        let crisis = embedder.embed_documents(&crisis)?;
        let safe = embedder.embed_documents(&safe)?;
        CrisisMeaning::fit(crisis, &safe, L2).map_err(|e| KbError::Embed {
            reason: format!("fitting the crisis exemplars: {e}"),
        })
    }

    /// Fits the reading on exemplar embeddings (the tests' cross-validation).
    pub fn fit(
        crisis: Vec<Vec<f32>>,
        safe: &[Vec<f32>],
        l2: f32,
    ) -> Result<CrisisMeaning, candle_core::Error> {
        let linear = Linear::train(&crisis, safe, l2)?;
        Ok(CrisisMeaning { linear, crisis })
    }

    /// Whether the embedding `v` of an English utterance reads as a crisis.
    pub fn is_crisis(&self, v: &[f32]) -> bool {
        self.reads(v, CUT)
    }

    /// Whether `v` reads as a crisis with probability above `cut` and is near the crisis
    /// exemplars at all.
    pub fn reads(&self, v: &[f32], cut: f32) -> bool {
        self.linear.prob(v) > cut && self.nearness(v) > FLOOR
    }

    /// Mean cosine of the crisis exemplars nearest `v`.
    fn nearness(&self, v: &[f32]) -> f32 {
        mean_of_nearest(self.crisis.iter().map(|e| cosine(e, v)).collect(), NEAREST)
    }

    /// Embeds `text` and judges it, whole and by its parts (see [`parts`]): a crisis said in
    /// one clause of a call about a bill is diluted in the whole utterance's embedding. An
    /// embedding failure is no crisis (the patterns ran), and neither is a question that says
    /// nothing has happened ([`super::crisis::says_nothing_happened`]).
    pub fn check(&self, embedder: &Embedder, text: &str) -> bool {
        self.check_parts(embedder, text, PART_CUT)
    }

    /// [`CrisisMeaning::check`] with the parts read at `part_cut` (the tests' tuning). The
    /// whole and its clauses are embedded in two batches: one batch pads every text to the
    /// longest, and the whole is several clauses long.
    pub fn check_parts(&self, embedder: &Embedder, text: &str, part_cut: f32) -> bool {
        if crate::emotion::is_mandarin(text) {
            return false;
        }
        let text = super::crisis::blanked(text);
        if super::crisis::says_nothing_happened(&text) {
            return false;
        }
        let text = super::crisis_animals::blank_for_meaning(&without_party_lists(&text));
        if text.trim().is_empty() {
            return false;
        }
        let clauses = parts(&text);
        let clauses: Vec<&str> = clauses.iter().map(String::as_str).collect();
        let read = |texts: &[&str], cut: f32| match embedder.embed(texts) {
            Ok(vs) => vs.iter().any(|v| self.reads(v, cut)),
            Err(e) => {
                tracing::warn!(error = %e, "crisis check by meaning skipped");
                false
            }
        };
        read(&[text.as_str()], CUT) || !clauses.is_empty() && read(&clauses, part_cut)
    }
}

/// One person of a party: "me", "my husband", "our two little ones", "the kids".
const MEMBER: &str = r"(?:me|myself|us|(?:my|our|the|his|her|both|two|three|four|five|\d+)(?: (?:two|three|four|five|\d+|little|young|eldest|youngest|older|younger|teenage|grown-up|new))* (?:husband|wife|partner|kids?|children|child|sons?|daughters?|boys?|girls?|bab(?:y|ies)|little ones?|mum|mom|dad|parents?|gran|grandma|grandad|grandparents?|nan|nana|brothers?|sisters?|friends?|mates?|family|fianc[eé]e?|boyfriend|girlfriend|twins|toddlers?|teenagers?|teens|grandkids|grandchildren))";

/// A sentence that only lists who is coming or who a plan is for ("It'd be me, my husband
/// and our two kids.", "Just me and the kids."): a household, not a crisis.
static PARTY_LIST: LazyLock<Regex> = LazyLock::new(|| {
    let lead = r"(?:(?:so|well|um|er|and|oh),? )?(?:(?:it|there|we|that)(?:'d| would|'ll| will)? be |it'?s |it is |that'?s |there'?s |there are |we'?re |we are |for )?(?:just |only )?";
    Regex::new(&format!(
        r"(?i)^{lead}{MEMBER}(?:(?:,| and| &| plus)+ (?:then )?{MEMBER})+[.!?]*$"
    ))
    .unwrap_or_else(|e| unreachable!("valid pattern: {e}"))
});

/// `text` without its sentences that only list a party of people ([`PARTY_LIST`]): the reading
/// by meaning took "my husband and our two kids" alone for the family of a crisis.
fn without_party_lists(text: &str) -> String {
    text.split_inclusive(['.', '?', '!'])
        .filter(|s| !PARTY_LIST.is_match(&s.trim().replace('\u{2019}', "'")))
        .collect()
}

/// The mean of the `k` largest of `sims` (all of them when fewer; 0 when none): how near the
/// nearest exemplars of one side are (here, and by characters in `crisis_chars.rs`).
pub(crate) fn mean_of_nearest(mut sims: Vec<f32>, k: usize) -> f32 {
    sims.sort_by(|a, b| b.total_cmp(a));
    let k = k.min(sims.len()).max(1);
    sims.iter().take(k).sum::<f32>() / k as f32
}

/// Most clauses of one utterance judged on their own (with the whole, at most this plus one
/// embeddings per turn).
const MAX_PARTS: usize = 6;
/// Fewer words than this are joined to the clause after them.
const MIN_WORDS: usize = 4;

/// The clauses of a long utterance, when it has more than one: cut at sentence ends, commas
/// and dashes, and before "so", "but" and "anyway". A short utterance has none (the whole is
/// judged). Pairs of neighbouring clauses were read too at first: on the sixth edition they
/// caught nothing more (44/50 either way) and doubled the cost.
pub fn parts(text: &str) -> Vec<String> {
    let mut clauses: Vec<String> = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, clauses: &mut Vec<String>| {
        let words = current.split_whitespace().count();
        if words >= MIN_WORDS || clauses.is_empty() && words > 0 {
            clauses.push(current.trim().to_string());
            current.clear();
        }
    };
    for word in text.split_whitespace() {
        let lower = word.to_lowercase();
        if matches!(lower.as_str(), "so" | "but" | "anyway" | "anyways") {
            flush(&mut current, &mut clauses);
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        if word.ends_with(['.', '!', '?', ',', ';', ':']) || matches!(word, "-" | "–" | "—") {
            flush(&mut current, &mut clauses);
        }
    }
    if !current.trim().is_empty() {
        match clauses.last_mut() {
            Some(last) if current.split_whitespace().count() < MIN_WORDS => {
                last.push(' ');
                last.push_str(current.trim());
            }
            _ => clauses.push(current.trim().to_string()),
        }
    }
    if clauses.len() < 2 {
        return Vec::new();
    }
    clauses.truncate(MAX_PARTS);
    clauses
}

/// Logistic regression on sentence embeddings: crisis (1) against near-miss (0), each side
/// weighted to count alike, trained by full-batch gradient descent from zero, so the same
/// exemplars always give the same weights. The arithmetic runs on candle (optimised even in
/// debug builds): a few hundred exemplars fit in well under a second.
#[derive(Debug, Clone)]
pub struct Linear {
    w: Vec<f32>,
    b: f32,
}

impl Linear {
    /// Fits `crisis` against `safe` (unit vectors of one dimension) with L2 penalty `l2`.
    pub fn train(
        crisis: &[Vec<f32>],
        safe: &[Vec<f32>],
        l2: f32,
    ) -> Result<Linear, candle_core::Error> {
        use candle_core::{Device, Tensor};
        let n = crisis.len() + safe.len();
        let dim = crisis.first().or(safe.first()).map_or(0, Vec::len);
        let rows: Vec<f32> = crisis.iter().chain(safe).flatten().copied().collect();
        let x = Tensor::from_vec(rows, (n, dim), &Device::Cpu)?;
        let xt = x.t()?.contiguous()?;
        let side = |len: usize, label: f32| vec![label; len];
        let y: Vec<f32> = [side(crisis.len(), 1.0), side(safe.len(), 0.0)].concat();
        let each = |len: usize| 0.5 / len.max(1) as f32;
        let weights: Vec<f32> = [
            side(crisis.len(), each(crisis.len())),
            side(safe.len(), each(safe.len())),
        ]
        .concat();
        let y = Tensor::from_vec(y, (n, 1), &Device::Cpu)?;
        let weights = Tensor::from_vec(weights, (n, 1), &Device::Cpu)?;
        let mut w = Tensor::zeros((dim, 1), candle_core::DType::F32, &Device::Cpu)?;
        let mut b = 0.0f64;
        for _ in 0..STEPS {
            let p = candle_nn::ops::sigmoid(&(x.matmul(&w)? + b)?)?;
            let err = ((p - &y)? * &weights)?;
            let grad = (xt.matmul(&err)? + (&w * f64::from(l2))?)?;
            b -= RATE * f64::from(err.sum_all()?.to_scalar::<f32>()?);
            w = (w - (grad * RATE)?)?;
        }
        Ok(Linear {
            w: w.flatten_all()?.to_vec1()?,
            b: b as f32,
        })
    }

    /// How likely `v` reads as a crisis, 0 to 1.
    pub fn prob(&self, v: &[f32]) -> f32 {
        let z: f32 = self.w.iter().zip(v).map(|(w, x)| w * x).sum::<f32>() + self.b;
        1.0 / (1.0 + (-z).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::{parts, without_party_lists};

    #[test]
    fn a_long_utterance_is_cut_into_clauses() {
        let p = parts(
            "um I was calling about the late fee, I've got the pills here, so can you just waive it",
        );
        assert_eq!(
            p,
            [
                "um I was calling about the late fee,",
                "I've got the pills here,",
                "so can you just waive it",
            ]
        );
    }

    #[test]
    fn short_utterances_and_short_tails_are_not_cut() {
        assert!(parts("I want to cancel my contract").is_empty());
        assert!(parts("Yes, please.").is_empty());
        // A tail under four words joins the clause before it.
        assert_eq!(
            parts("I'd like a refund for the order, thanks a lot"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn at_most_six_clauses() {
        let long = "one two three four, ".repeat(12);
        assert_eq!(parts(&long).len(), 6);
    }

    #[test]
    fn a_party_listed_is_set_aside_but_what_happens_to_it_is_not() {
        let kept = |t: &str| without_party_lists(t).trim().to_string();
        assert_eq!(
            kept(
                "what's the family swim membership a month? it'd be me, my husband and our two kids."
            ),
            "what's the family swim membership a month?"
        );
        assert_eq!(kept("Just me and the kids."), "");
        assert_eq!(kept("It's me, my mum and my two little ones"), "");
        for earnest in [
            "It's just me and the kids now and I can't keep going.",
            "He hurt me and the kids.",
            "My husband and my two kids would be better off without me.",
            "me and the kids are locked in the bathroom",
        ] {
            assert_eq!(kept(earnest), earnest);
        }
    }
}
