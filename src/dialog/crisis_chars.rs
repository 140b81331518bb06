//! Crisis by resemblance, Mandarin: the second look after the patterns where no sentence
//! embedding model exists (MiniLM is English-only). The caller's Han characters, as single
//! characters and pairs weighted by how rare they are among the exemplars (TF-IDF), are
//! compared with the Mandarin crisis exemplars and near-misses (`crisis_exemplars.toml`); a
//! crisis when the three nearest crises beat the three nearest near-misses by a margin. Cheap
//! (microseconds, no model), so it runs wherever the patterns run, call tasks included.
//!
//! Owns [`Profiles`] and [`resembles_crisis`].

use std::collections::HashMap;
use std::sync::LazyLock;

/// A text's weighted character features, L2-normalised.
type Profile = HashMap<u64, f32>;

/// Nearest neighbours averaged on each side.
const K: usize = 3;
/// How much nearer the crisis side must be (chosen by leave-one-out on the exemplars, see
/// `tests/crisis.rs`).
pub const MARGIN: f32 = 0.05;
/// How near a crisis exemplar must be at all.
const FLOOR: f32 = 0.12;

/// The exemplars' profiles and the features' weights.
#[derive(Debug)]
pub struct Profiles {
    idf: HashMap<u64, f32>,
    crisis: Vec<Profile>,
    safe: Vec<Profile>,
}

/// The Han characters and adjacent pairs of `text`, as keys.
fn features(text: &str) -> Vec<u64> {
    let han: Vec<char> = text
        .chars()
        .filter(|&c| crate::emotion::is_han(c))
        .collect();
    let mut out: Vec<u64> = han.iter().map(|&c| u64::from(c)).collect();
    out.extend(
        han.windows(2)
            .map(|w| (u64::from(w[0]) << 32) | u64::from(w[1])),
    );
    out
}

impl Profiles {
    /// Profiles of the crisis and near-miss exemplars `crisis` and `safe`.
    pub fn new(crisis: &[&str], safe: &[&str]) -> Profiles {
        let docs: Vec<Vec<u64>> = crisis.iter().chain(safe).map(|t| features(t)).collect();
        let mut df: HashMap<u64, f32> = HashMap::new();
        for d in &docs {
            let mut seen: Vec<u64> = d.clone();
            seen.sort_unstable();
            seen.dedup();
            for f in seen {
                *df.entry(f).or_default() += 1.0;
            }
        }
        let n = docs.len() as f32;
        let idf = df
            .into_iter()
            .map(|(f, d)| (f, ((n + 1.0) / (d + 1.0)).ln() + 1.0))
            .collect();
        let mut p = Profiles {
            idf,
            crisis: Vec::new(),
            safe: Vec::new(),
        };
        p.crisis = crisis.iter().map(|t| p.profile(t)).collect();
        p.safe = safe.iter().map(|t| p.profile(t)).collect();
        p
    }

    /// The weighted, normalised profile of `text` (features unseen in the exemplars weigh
    /// what the rarest do).
    pub fn profile(&self, text: &str) -> Profile {
        let rare = ((self.crisis.len() + self.safe.len() + 1) as f32).ln() + 1.0;
        let mut p: Profile = HashMap::new();
        for f in features(text) {
            *p.entry(f).or_default() += self.idf.get(&f).copied().unwrap_or(rare);
        }
        let norm = p.values().map(|v| v * v).sum::<f32>().sqrt().max(1e-9);
        p.values_mut().for_each(|v| *v /= norm);
        p
    }

    /// How much nearer the crisis side is, and its nearness, for a profile; `skip` leaves
    /// one exemplar out (the tests' leave-one-out): (crisis side?, index).
    pub fn score(&self, p: &Profile, skip: Option<(bool, usize)>) -> (f32, f32) {
        let near = |side: &[Profile], is_crisis: bool| {
            let sims: Vec<f32> = side
                .iter()
                .enumerate()
                .filter(|(i, _)| skip != Some((is_crisis, *i)))
                .map(|(_, e)| dot(e, p))
                .collect();
            super::crisis_meaning::mean_of_nearest(sims, K)
        };
        let c = near(&self.crisis, true);
        (c - near(&self.safe, false), c)
    }

    /// Whether `p` resembles the crises more than the near-misses by `margin`.
    pub fn is_crisis(&self, p: &Profile, margin: f32, skip: Option<(bool, usize)>) -> bool {
        let (lead, near) = self.score(p, skip);
        lead > margin && near > FLOOR
    }

    /// The exemplars' profiles (the tests' leave-one-out).
    pub fn exemplars(&self) -> (&[Profile], &[Profile]) {
        (&self.crisis, &self.safe)
    }
}

fn dot(a: &Profile, b: &Profile) -> f32 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(k, v)| large.get(k).map(|w| v * w))
        .sum()
}

static BUNDLED: LazyLock<Profiles> = LazyLock::new(|| {
    let ex = super::crisis_meaning::exemplars();
    let crisis: Vec<&str> = ex.crisis_zh.iter().map(String::as_str).collect();
    let safe: Vec<&str> = ex.safe_zh.iter().map(String::as_str).collect();
    Profiles::new(&crisis, &safe)
});

/// Whether Mandarin `text` resembles the bundled crisis exemplars more than the near-misses.
pub fn resembles_crisis(text: &str) -> bool {
    let b = &*BUNDLED;
    b.is_crisis(&b.profile(text), MARGIN, None)
}
