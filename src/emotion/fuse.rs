//! Fusion: the words' cues and valence and the voice's arousal become one label with a
//! confidence. Each label gathers evidence (its cues' weights; positive valence for
//! satisfaction, negative valence shared among the unhappy labels by arousal); arousal then
//! separates what the words alone cannot: the same complaint said loud and fast is anger,
//! said flat and slow it is sadness or plain frustration. Below the neutral threshold the
//! caller is neutral.
//!
//! Owns [`decide`]; the thresholds are [`EmotionConfig`]'s.

use super::cues::Cue;
use super::words::Reading;
use super::{EmotionConfig, Label};

/// Evidence per label, in [`Label::ALL`] order.
type Scores = [f32; 6];

/// The label and its confidence.
pub(super) fn decide(
    cfg: &EmotionConfig,
    cues: &[Cue],
    words: &Reading,
    arousal: f32,
) -> (Label, f32) {
    // "Oh perfect" is sarcasm only beside a complaint: with thanks and nothing unhappy it is
    // what it says.
    let complaint = words.valence < -0.2
        || cues
            .iter()
            .any(|c| c.label != Label::Satisfied && c.name != "sarcasm");
    let praise = cues.iter().any(|c| c.label == Label::Satisfied);
    let sarcasm = cues.iter().any(|c| c.name == "sarcasm") && (complaint || !praise);
    let mut s: Scores = [0.0; 6];
    for c in cues.iter().filter(|c| sarcasm || c.name != "sarcasm") {
        s[c.label.index()] += c.weight;
    }
    // Mandarin emotion-list words: weaker than cue phrases (literary, sense-ambiguous).
    s[Label::Angry.index()] += 0.3 * words.anger.min(2.0);
    s[Label::Anxious.index()] += 0.3 * words.fear.min(2.0);
    s[Label::Sad.index()] += 0.3 * words.sorrow.min(2.0);
    s[Label::Satisfied.index()] += 0.2 * words.joy.min(2.0);
    let unhappy = [Label::Frustrated, Label::Angry, Label::Anxious, Label::Sad]
        .iter()
        .map(|l| s[l.index()])
        .sum::<f32>();
    if sarcasm || unhappy > s[Label::Satisfied.index()] {
        // Praise beside a complaint is sarcasm or politeness, not satisfaction.
        s[Label::Satisfied.index()] *= 0.3;
    }
    let (pos, neg) = (words.valence.max(0.0), (-words.valence).max(0.0));
    if unhappy == 0.0 || !sarcasm {
        s[Label::Satisfied.index()] += cfg.valence_weight * pos;
    }
    s[Label::Frustrated.index()] += cfg.valence_weight * neg * 0.8;
    s[Label::Angry.index()] += cfg.valence_weight * neg * arousal.max(0.0);
    s[Label::Sad.index()] += cfg.valence_weight * neg * (-arousal).max(0.0);
    // Arousal tips the unhappy labels: loud and fast toward anger, flat toward sadness.
    s[Label::Angry.index()] *= (1.0 + cfg.arousal_weight * arousal).max(0.2);
    s[Label::Sad.index()] *= (1.0 - cfg.arousal_weight * arousal).max(0.2);
    if arousal > cfg.angry_arousal && s[Label::Frustrated.index()] > s[Label::Angry.index()] {
        // An unhappy complaint shouted is anger.
        s[Label::Angry.index()] += 0.8 * s[Label::Frustrated.index()];
        s[Label::Frustrated.index()] *= 0.6;
    }
    let mut order: Vec<usize> = (1..6).collect();
    order.sort_by(|a, b| s[*b].total_cmp(&s[*a]));
    let (best, second) = (s[order[0]], s[order[1]]);
    if best < cfg.neutral_below {
        let conf = (1.0 - best / cfg.neutral_below).clamp(0.3, 1.0);
        return (Label::Neutral, conf);
    }
    let conf = ((best - second) / (best + 0.5) + 0.3 * (best / (best + 1.0))).clamp(0.05, 1.0);
    (Label::ALL[order[0]], conf)
}
