//! Crisis language in English and Mandarin (issue #13), on four editions of crisis and
//! near-miss utterances: every one of the set the patterns were written against is right; the
//! second and third editions (each written by someone who had not seen the patterns, measured,
//! then tuned on) hold what was measured after tuning; the fourth, never tuned on, is measured
//! per language with the patterns alone and with the second looks (meaning for English,
//! resemblance by characters for Mandarin) and held to its first figures (see the README).
//! Hyperbole ("this wait is killing me", 气死我了) must never count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use voxgate::dialog::crisis::detect;

#[derive(serde::Deserialize)]
struct Set {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    text: String,
    lang: String,
    kind: String,
    crisis: bool,
}

/// Per language: (crises caught, crises), (false alarms, near-misses), and the misses.
struct Score {
    caught: [(usize, usize); 2],
    alarms: [(usize, usize); 2],
    wrong: Vec<String>,
}

fn score(file: &str, show_misses: bool) -> Score {
    let set: Set = load(file);
    let mut s = Score {
        caught: [(0, 0); 2],
        alarms: [(0, 0); 2],
        wrong: Vec::new(),
    };
    for c in &set.case {
        let lang = usize::from(c.lang == "zh");
        let found = detect(&c.text);
        if c.crisis {
            s.caught[lang].1 += 1;
            s.caught[lang].0 += usize::from(found.is_some());
        } else {
            s.alarms[lang].1 += 1;
            s.alarms[lang].0 += usize::from(found.is_some());
        }
        if found.is_some() != c.crisis {
            s.wrong
                .push(format!("[{} {}] {} -> {found:?}", c.lang, c.kind, c.text));
        }
    }
    for (i, lang) in ["English", "Mandarin"].iter().enumerate() {
        eprintln!(
            "{file} {lang}: crises caught {}/{}, false alarms {}/{}",
            s.caught[i].0, s.caught[i].1, s.alarms[i].0, s.alarms[i].1
        );
    }
    if show_misses {
        for w in &s.wrong {
            eprintln!("  wrong: {w}");
        }
    }
    s
}

/// A file of `tests/data`, parsed.
fn load<T: serde::de::DeserializeOwned>(file: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The held-out (fourth) edition's `lang` half through `found`: (caught, crises, false
/// alarms, near-misses), printed under `what`; the misses are not.
fn held_out(lang: &str, what: &str, found: impl Fn(&str) -> bool) -> [usize; 4] {
    let set: Set = load(HELD_OUT);
    let mut n = [0; 4];
    for c in set.case.iter().filter(|c| c.lang == lang) {
        let hit = usize::from(found(&c.text));
        let i = if c.crisis { 0 } else { 2 };
        n[i] += hit;
        n[i + 1] += 1;
    }
    eprintln!(
        "fourth edition, {lang}, {what}: {}/{} crises, {}/{} false alarms",
        n[0], n[1], n[2], n[3]
    );
    n
}

/// The held-out emotion set's `lang` callers (none in crisis) that `found` raises the alarm
/// on; the tuning set's upset callers are exemplars, so only the held-out one counts.
fn ordinary_alarms(lang: &str, found: impl Fn(&str) -> bool) -> Vec<String> {
    let set: Ordinary = load("emotion-test.toml");
    let raised: Vec<String> = set
        .case
        .into_iter()
        .filter(|c| c.lang == lang && found(&c.text))
        .map(|c| c.text)
        .collect();
    eprintln!("ordinary {lang} support utterances that raised the alarm: {raised:#?}");
    raised
}

#[test]
fn every_crisis_of_the_written_against_set_is_caught_and_no_near_miss_alarms() {
    let s = score("crisis-tune.toml", true);
    assert!(s.wrong.is_empty(), "{:#?}", s.wrong);
    assert!(s.caught.iter().map(|c| c.1).sum::<usize>() >= 40);
    assert!(s.alarms.iter().map(|c| c.1).sum::<usize>() >= 40);
}

#[test]
fn the_second_edition_tuned_on_later_holds_what_was_measured() {
    // Written after the first patterns were frozen (4/24 caught, 2 false alarms then), tuned
    // on on 2026-12-05 once the third edition existed to measure on instead.
    let s = score("crisis-test.toml", true);
    let caught: usize = s.caught.iter().map(|c| c.0).sum();
    let alarms: usize = s.alarms.iter().map(|c| c.0).sum();
    assert!(caught >= SECOND_CAUGHT, "{caught}: {:#?}", s.wrong);
    assert!(alarms == 0, "{alarms} false alarms: {:#?}", s.wrong);
}

#[test]
fn the_third_edition_tuned_on_after_it_was_measured_holds_what_was_measured_after() {
    // Written by someone who never saw the patterns: 29/48 caught and 4/48 false alarms when
    // first measured (patterns only); tuned on on 2026-12-05 once the fourth edition existed.
    let s = score("crisis-holdout.toml", true);
    let caught: usize = s.caught.iter().map(|c| c.0).sum();
    let alarms: usize = s.alarms.iter().map(|c| c.0).sum();
    assert!(caught >= THIRD_CAUGHT, "{caught}: {:#?}", s.wrong);
    assert!(alarms == 0, "{alarms}: {:#?}", s.wrong);
}

#[test]
fn the_fourth_edition_nobody_tuned_on_is_measured_with_the_patterns() {
    // Written by someone who never saw the patterns or the other editions; its misses are not
    // printed, so nobody tunes on them by reading this. Floors: what the first run measured.
    let [en, _, en_alarms, _] = held_out("en", "patterns", |t| detect(t).is_some());
    let [zh, _, zh_alarms, _] = held_out("zh", "patterns", |t| detect(t).is_some());
    assert!(en + zh >= PATTERNS_CAUGHT, "{en} + {zh} caught");
    assert!(
        en_alarms + zh_alarms <= PATTERNS_ALARMS,
        "{en_alarms} + {zh_alarms} false alarms"
    );
}

/// The edition nobody tuned on.
const HELD_OUT: &str = "crisis-holdout4.toml";
/// Measured on the second edition after tuning on it (with no false alarm).
const SECOND_CAUGHT: usize = 24;
/// Measured on the third edition after tuning on it (with no false alarm).
const THIRD_CAUGHT: usize = 47;
/// Measured on the fourth edition (never tuned on), patterns only.
const PATTERNS_CAUGHT: usize = 21;
const PATTERNS_ALARMS: usize = 3;

/// The second look, by meaning (English, MiniLM): leave-one-out on its exemplars (the first
/// three editions) for each margin, then the fourth edition with patterns or meaning.
#[test]
fn crisis_by_meaning_is_tuned_on_its_exemplars_and_measured_on_the_fourth_edition() {
    use voxgate::dialog::crisis_meaning::{self, CrisisMeaning};
    use voxgate::dialog::kb::Embedder;
    let models =
        voxgate::models::Models::locate(voxgate::models::store::shared_models_dir()).unwrap();
    let embedder = Embedder::from_models(&models)
        .unwrap_or_else(|e| panic!("{e} (the test command fetches the models first)"));
    let ex = crisis_meaning::exemplars();
    let crisis_text: Vec<&str> = ex.crisis.iter().map(String::as_str).collect();
    let safe_text: Vec<&str> = ex.safe.iter().map(String::as_str).collect();
    let crisis = embedder.embed(&crisis_text).unwrap();
    let safe = embedder.embed(&safe_text).unwrap();
    for margin in [0.0f32, 0.02, 0.05, 0.08, 0.12] {
        let (mut caught, mut alarms) = (0, 0);
        for i in 0..crisis.len() {
            let mut rest = crisis.clone();
            let v = rest.remove(i);
            let m = CrisisMeaning::from_vectors(rest, safe.clone());
            caught += usize::from(m.is_crisis(&v, margin));
        }
        for i in 0..safe.len() {
            let mut rest = safe.clone();
            let v = rest.remove(i);
            let m = CrisisMeaning::from_vectors(crisis.clone(), rest);
            alarms += usize::from(m.is_crisis(&v, margin));
        }
        eprintln!(
            "leave-one-out, margin {margin:.2}: {caught}/{} crises, {alarms}/{} false alarms",
            crisis.len(),
            safe.len()
        );
    }
    let meaning = CrisisMeaning::from_vectors(crisis, safe);
    let what = format!("patterns or meaning (margin {:.2})", crisis_meaning::MARGIN);
    let [caught, crises, alarms, safe_n] = held_out("en", &what, |t| {
        detect(t).is_some() || meaning.check(&embedder, t)
    });
    assert!(caught >= MEANING_CAUGHT, "{caught}/{crises}");
    assert!(alarms <= MEANING_ALARMS, "{alarms}/{safe_n}");
    let raised = ordinary_alarms("en", |t| detect(t).is_some() || meaning.check(&embedder, t));
    assert!(raised.len() <= ORDINARY_EN_ALARMS, "{raised:#?}");
}

#[derive(serde::Deserialize)]
struct Ordinary {
    case: Vec<OrdinaryCase>,
}

#[derive(serde::Deserialize)]
struct OrdinaryCase {
    text: String,
    lang: String,
}

/// Measured on the fourth edition's English half with patterns or meaning.
const MEANING_CAUGHT: usize = 17;
const MEANING_ALARMS: usize = 3;
/// Held-out ordinary English callers that raised the alarm when measured (an anxious one
/// about a smoke alarm that keeps going off).
const ORDINARY_EN_ALARMS: usize = 1;

/// The second look for Mandarin, by characters: leave-one-out on its exemplars for each
/// margin, then the fourth edition's Mandarin half with patterns or resemblance, and the
/// held-out emotion set's Mandarin callers (none in crisis).
#[test]
fn mandarin_crisis_by_characters_is_tuned_on_its_exemplars_and_measured_on_the_fourth_edition() {
    use voxgate::dialog::crisis::judge;
    use voxgate::dialog::crisis_chars::{MARGIN, Profiles};
    let ex = voxgate::dialog::crisis_meaning::exemplars();
    let crisis: Vec<&str> = ex.crisis_zh.iter().map(String::as_str).collect();
    let safe: Vec<&str> = ex.safe_zh.iter().map(String::as_str).collect();
    let p = Profiles::new(&crisis, &safe);
    let (cp, sp) = p.exemplars();
    for margin in [0.0f32, 0.02, 0.05, 0.08, 0.12] {
        let caught = (0..cp.len())
            .filter(|&i| p.is_crisis(&cp[i], margin, Some((true, i))))
            .count();
        let alarms = (0..sp.len())
            .filter(|&i| p.is_crisis(&sp[i], margin, Some((false, i))))
            .count();
        eprintln!(
            "leave-one-out, margin {margin:.2}: {caught}/{} crises, {alarms}/{} false alarms",
            cp.len(),
            sp.len()
        );
    }
    let what = format!("patterns or resemblance (margin {MARGIN:.2})");
    let [caught, crises, alarms, safe_n] = held_out("zh", &what, |t| judge(t).is_some());
    assert!(caught >= ZH_CAUGHT, "{caught}/{crises}");
    assert!(alarms <= ZH_ALARMS, "{alarms}/{safe_n}");
    let raised = ordinary_alarms("zh", |t| judge(t).is_some());
    assert!(raised.is_empty(), "{raised:#?}");
}

/// Measured on the fourth edition's Mandarin half (the 90 held-out ordinary callers raised
/// none).
const ZH_CAUGHT: usize = 16;
const ZH_ALARMS: usize = 1;
