//! Valence of the words, English and Mandarin, lexicon-based with the rules that matter in
//! speech: negation flips a word ("not good", 不满意), intensifiers and softeners scale it
//! ("really", "kind of", 非常, 有点), a contrast shifts the weight to what follows it ("it
//! arrived, but it's broken", 但是), and exclamations or shouted words raise it. English
//! follows VADER's rules on its lexicon; Mandarin is segmented with jieba and read against
//! HowNet's positive and negative words, DUTIR's emotion lists counted beside.
//!
//! Owns [`Reading`] and [`english`] / [`mandarin`].

use std::sync::LazyLock;

use super::lexicon::Lexicons;

/// What the words alone say.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Reading {
    /// −1 (negative) .. 1 (positive).
    pub valence: f32,
    /// 0 .. 1: exclamations, shouted words, intensifiers.
    pub intensity: f32,
    /// Mandarin words in DUTIR's anger, fear, sorrow and joy lists (0 for English).
    pub anger: f32,
    pub fear: f32,
    pub sorrow: f32,
    pub joy: f32,
}

const BOOST: f32 = 0.293;
const NEGATE: f32 = -0.74;

const BOOSTERS: &[&str] = &[
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "deeply",
    "entirely",
    "especially",
    "exceptionally",
    "extremely",
    "fucking",
    "bloody",
    "greatly",
    "highly",
    "hugely",
    "incredibly",
    "intensely",
    "majorly",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "such",
    "thoroughly",
    "totally",
    "tremendously",
    "unbelievably",
    "utterly",
    "very",
    "seriously",
    "super",
    "way",
];
const DAMPENERS: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "kinda",
    "kind",
    "sorta",
    "sort",
    "little",
    "slightly",
    "somewhat",
    "marginally",
    "partly",
    "bit",
    "fairly",
    "pretty",
];
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere", "cannot",
    "without", "hardly", "rarely", "seldom", "aint", "isnt", "wasnt", "arent", "dont", "doesnt",
    "didnt", "wont", "cant", "couldnt", "wouldnt", "shouldnt", "havent", "hasnt",
];
/// Words that are not feelings on a support line, whatever VADER says ("like" as a filler,
/// "please" as politeness, the bank's "charge", "pay", "credit", "cancel"…).
const NEUTRAL_EN: &[&str] = &[
    "like",
    "please",
    "yes",
    "yeah",
    "okay",
    "ok",
    "well",
    "sure",
    "charge",
    "charged",
    "charges",
    "pay",
    "paid",
    "payment",
    "credit",
    "cancel",
    "cancelled",
    "order",
    "account",
    "help",
    "sorry",
    "call",
    "number",
    "kind",
    "mean",
    "want",
    "need",
    "care",
    "dear",
    "free",
    "fine",
    "matter",
    "pretty",
    "bit",
    "cut",
    "hold",
    "check",
    "miss",
    "lost",
];

/// English: VADER's rules on its lexicon.
pub(super) fn english(lex: &Lexicons, raw: &str) -> Reading {
    let words: Vec<&str> = raw
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<String> = words
        .iter()
        .map(|w| w.to_lowercase().replace(['\'', '\u{2019}'], ""))
        .collect();
    let shouting_all = words.iter().all(|w| is_caps(w));
    let but = lower.iter().rposition(|w| w == "but");
    let (mut sum, mut boosters, mut shouted) = (0.0f32, 0usize, 0usize);
    for (i, w) in lower.iter().enumerate() {
        if BOOSTERS.contains(&w.as_str()) {
            boosters += 1;
        }
        let Some(&base) = lex
            .en
            .get(w.as_str())
            .filter(|_| !NEUTRAL_EN.contains(&w.as_str()))
        else {
            continue;
        };
        let mut v = base;
        if is_caps(words[i]) && !shouting_all {
            v += base.signum() * 0.733;
            shouted += 1;
        }
        for (back, scale) in [(1usize, 1.0f32), (2, 0.95), (3, 0.9)] {
            let Some(prev) = i.checked_sub(back).map(|j| lower[j].as_str()) else {
                break;
            };
            if BOOSTERS.contains(&prev) {
                v += base.signum() * BOOST * scale;
            } else if DAMPENERS.contains(&prev) {
                v -= base.signum() * BOOST * scale;
            }
            if NEGATIONS.contains(&prev) || prev.ends_with("nt") && prev.len() > 3 {
                v *= NEGATE;
                break;
            }
        }
        if let Some(b) = but {
            v *= if i < b { 0.5 } else { 1.5 };
        }
        sum += v;
    }
    let bangs = raw.matches('!').count().min(4) as f32;
    if sum != 0.0 {
        sum += sum.signum() * 0.292 * bangs;
    }
    Reading {
        valence: normalize(sum, 15.0),
        intensity: intensity(bangs, shouted + usize::from(shouting_all) * 2, boosters),
        ..Reading::default()
    }
}

fn is_caps(w: &str) -> bool {
    w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !w.chars().any(char::is_lowercase)
}

/// VADER's normalization of a sum into −1..1.
fn normalize(sum: f32, alpha: f32) -> f32 {
    sum / (sum * sum + alpha).sqrt()
}

fn intensity(bangs: f32, shouted: usize, boosters: usize) -> f32 {
    (0.15 * bangs + 0.25 * shouted as f32 + 0.12 * boosters as f32).min(1.0)
}

static JIEBA: LazyLock<jieba_rs::Jieba> = LazyLock::new(jieba_rs::Jieba::new);

/// Loads the segmenter's dictionary now (about 0.4 s), not on a call's first Mandarin words.
pub(super) fn warm() {
    LazyLock::force(&JIEBA);
}

const ZH_NEGATIONS: &[&str] = &[
    "不",
    "没",
    "没有",
    "别",
    "不是",
    "并不",
    "不太",
    "不会",
    "不能",
    "无",
    "未",
    "非",
    "毫不",
    "从不",
    "从没",
    "不要",
    "一点也不",
    "一点都不",
];
const ZH_BOOSTERS: &[&str] = &[
    "非常", "很", "太", "特别", "超", "超级", "真", "真是", "极", "极其", "十分", "相当", "好",
    "挺", "实在", "简直", "完全", "根本", "太过", "格外", "那么", "这么", "最",
];
const ZH_DAMPENERS: &[&str] = &["有点", "有些", "稍微", "略", "还算", "一点", "比较"];
const ZH_CONTRAST: &[&str] = &["但是", "但", "可是", "不过", "然而", "就是", "只是"];
/// Words HowNet marks that say nothing of a caller's feelings on a support line.
const ZH_NEUTRAL: &[&str] = &[
    "问题", "请问", "帮", "帮忙", "麻烦", "一下", "可以", "需要", "要", "好的", "对", "是", "办理",
    "处理", "查", "查询", "退", "退款", "费用", "扣", "扣费", "取消", "客服",
];

/// Mandarin: jieba's words read against the HowNet and DUTIR lists.
pub(super) fn mandarin(lex: &Lexicons, raw: &str) -> Reading {
    let words: Vec<&str> = JIEBA.cut(raw, true).into_iter().map(|t| t.word).collect();
    let contrast = words.iter().rposition(|w| ZH_CONTRAST.contains(w));
    let mut r = Reading::default();
    let (mut sum, mut boosters) = (0.0f32, 0usize);
    for (i, w) in words.iter().enumerate() {
        if ZH_BOOSTERS.contains(w) {
            boosters += 1;
        }
        let Some(entry) = lex.zh.get(*w).filter(|_| !ZH_NEUTRAL.contains(w)) else {
            continue;
        };
        let mut v = entry.polarity * 2.0;
        let mut negated = false;
        for back in 1..=2 {
            let Some(prev) = i.checked_sub(back).map(|j| words[j]) else {
                break;
            };
            if ZH_BOOSTERS.contains(&prev) {
                v *= 1.3;
            } else if ZH_DAMPENERS.contains(&prev) {
                v *= 0.7;
            }
            if ZH_NEGATIONS.contains(&prev) {
                negated = true;
                break;
            }
        }
        if negated {
            v *= NEGATE;
        }
        if let Some(c) = contrast {
            v *= if i < c { 0.5 } else { 1.5 };
        }
        sum += v;
        if !negated {
            r.anger += f32::from(u8::from(entry.anger));
            r.fear += f32::from(u8::from(entry.fear));
            r.sorrow += f32::from(u8::from(entry.sorrow));
            r.joy += f32::from(u8::from(entry.joy));
        }
    }
    let bangs = raw.matches(['!', '！']).count().min(4) as f32;
    if sum != 0.0 {
        sum += sum.signum() * 0.292 * bangs;
    }
    r.valence = normalize(sum, 15.0);
    r.intensity = intensity(bangs, 0, boosters);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emotion::lexicon::ZhWord;

    fn lex() -> Lexicons {
        let mut l = Lexicons::default();
        for (w, v) in [
            ("good", 1.9),
            ("happy", 2.7),
            ("broken", -1.5),
            ("great", 3.1),
        ] {
            l.en.insert(w.into(), v);
        }
        for (w, p) in [("满意", 1.0), ("失望", -1.0)] {
            l.zh.insert(
                w.into(),
                ZhWord {
                    polarity: p,
                    ..ZhWord::default()
                },
            );
        }
        l
    }

    #[test]
    fn negation_flips_and_but_shifts_the_weight() {
        let l = lex();
        assert!(english(&l, "that's good").valence > 0.3);
        assert!(english(&l, "that's not good").valence < 0.0);
        assert!(english(&l, "it's great but it's broken").valence < 0.0);
        assert!(english(&l, "I'm really happy").valence > english(&l, "I'm happy").valence);
        assert!(mandarin(&l, "我很满意").valence > 0.3);
        assert!(mandarin(&l, "我不满意").valence < 0.0);
    }

    #[test]
    fn shouting_and_exclamations_are_intensity() {
        let l = lex();
        assert!(
            english(&l, "this is BROKEN!!").intensity > english(&l, "this is broken").intensity
        );
        assert_eq!(english(&l, "ok").valence, 0.0);
    }
}
