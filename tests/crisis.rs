//! Crisis language in English and Mandarin (issue #13), on five editions of crisis and
//! near-miss utterances: every one of the set the patterns were written against is right; the
//! second and third editions (each written by someone who had not seen the patterns, measured,
//! then tuned on) hold what was measured after tuning; the fourth and fifth, never tuned on
//! (their misses are not printed), are measured per language with the patterns alone and with
//! the second looks (meaning for English, resemblance by characters for Mandarin) and held to
//! their measured figures (see the README). Later editions came the same way, each written
//! while the one before was tuned on: the sixth, seventh, ninth and tenth are development sets
//! (misses printed), the eighth, the animal callers' and the eleventh are never read (totals).
//! The development editions' Mandarin halves are also exemplars of the Mandarin resemblance,
//! so their Mandarin figures are fitted, not measured.
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

/// A held-out edition's `lang` half through `found`: (caught, crises, false alarms,
/// near-misses), printed under `what`; the misses are not.
fn held_out(file: &str, lang: &str, what: &str, found: impl Fn(&str) -> bool) -> [usize; 4] {
    let set: Set = load(file);
    let mut n = [0; 4];
    for c in set.case.iter().filter(|c| c.lang == lang) {
        let hit = usize::from(found(&c.text));
        let i = if c.crisis { 0 } else { 2 };
        n[i] += hit;
        n[i + 1] += 1;
    }
    eprintln!(
        "{file}, {lang}, {what}: {}/{} crises, {}/{} false alarms",
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
    let [en, _, en_alarms, _] = held_out(HELD_OUT, "en", "patterns", |t| detect(t).is_some());
    let [zh, _, zh_alarms, _] = held_out(HELD_OUT, "zh", "patterns", |t| detect(t).is_some());
    assert!(en + zh >= PATTERNS_CAUGHT, "{en} + {zh} caught");
    assert!(
        en_alarms + zh_alarms <= PATTERNS_ALARMS,
        "{en_alarms} + {zh_alarms} false alarms"
    );
}

/// The edition nobody tuned on.
const HELD_OUT: &str = "crisis-holdout4.toml";
/// The fifth edition, written (by someone who saw neither the detector, its exemplars nor
/// the other editions) while the exemplars grew from crisis-line guidance; nobody read it.
const FIFTH: &str = "crisis-holdout5.toml";
/// Measured on the fifth edition with the exemplars from crisis-line guidance, the linear
/// reading and the clauses read one by one (first run, before any of them: English 31/40
/// caught, 3/40 false alarms; Mandarin 26/40 and 6/40).
/// After the seventh edition was tuned on: 35/40, 3/40 and 35/40, 4/40; after the ninth,
/// Mandarin 35/40, 2/40; with the development editions among the Mandarin exemplars, 37/40.
const FIFTH_EN_CAUGHT: usize = 35;
const FIFTH_EN_ALARMS: usize = 3;
const FIFTH_ZH_CAUGHT: usize = 37;
const FIFTH_ZH_ALARMS: usize = 2;
/// Measured on the second edition after tuning on it (with no false alarm).
const SECOND_CAUGHT: usize = 24;
/// Measured on the third edition after tuning on it (with no false alarm).
const THIRD_CAUGHT: usize = 47;
/// Measured on the fourth edition (never tuned on), patterns only (21 before the seventh
/// edition was tuned on, 24 before the ninth).
const PATTERNS_CAUGHT: usize = 26;
const PATTERNS_ALARMS: usize = 3;

/// The second look, by meaning (English, MiniLM): ten-fold cross-validation on its exemplars
/// (the first three editions and crisis-line guidance), then the fourth and fifth editions
/// with patterns or meaning.
#[test]
fn crisis_by_meaning_is_tuned_on_its_exemplars_and_measured_on_the_held_out_editions() {
    use voxgate::dialog::crisis_meaning::{self, CUT, CrisisMeaning, L2};
    let (embedder, crisis, safe) = english_exemplars();
    let [caught, alarms] = folds(&crisis, &safe, &[L2], &[CUT])[0][0];
    eprintln!(
        "ten folds, l2 {L2} cut {CUT}: {caught}/{} crises, {alarms}/{} false alarms",
        crisis.len(),
        safe.len()
    );
    assert!(caught * 100 >= crisis.len() * FOLDS_CAUGHT_PCT, "{caught}");
    assert!(alarms * 100 <= safe.len() * FOLDS_ALARMS_PCT, "{alarms}");
    let meaning = CrisisMeaning::new(&embedder).unwrap();
    let what = format!("patterns or meaning (cut {:.2})", crisis_meaning::CUT);
    let found = |t: &str| detect(t).is_some() || meaning.check(&embedder, t);
    let fourth = held_out(HELD_OUT, "en", &what, found);
    let fifth = held_out(FIFTH, "en", &what, found);
    let raised = ordinary_alarms("en", found);
    assert!(fourth[0] >= MEANING_CAUGHT, "{fourth:?}");
    assert!(fourth[2] <= MEANING_ALARMS, "{fourth:?}");
    assert!(fifth[0] >= FIFTH_EN_CAUGHT, "{fifth:?}");
    assert!(fifth[2] <= FIFTH_EN_ALARMS, "{fifth:?}");
    assert!(raised.len() <= ORDINARY_EN_ALARMS, "{raised:#?}");
}

/// A caller listing their family for a membership ("It'd be me, my husband and our two
/// kids.", the sixth knowledge-base development set) was read as a crisis by meaning; a
/// sentence that only lists a party of people is left out of that reading, and the same
/// family in danger is still heard.
#[test]
fn a_family_listed_for_a_membership_is_no_crisis_but_the_same_family_in_danger_is() {
    use voxgate::dialog::crisis_meaning::CrisisMeaning;
    let models =
        voxgate::models::Models::locate(voxgate::models::store::shared_models_dir()).unwrap();
    let embedder = voxgate::dialog::kb::Embedder::from_models(&models)
        .unwrap_or_else(|e| panic!("{e} (the test command fetches the models first)"));
    let meaning = CrisisMeaning::new(&embedder).unwrap();
    let found = |t: &str| detect(t).is_some() || meaning.check(&embedder, t);
    for ordinary in [
        "What's the family swim membership a month? It'd be me, my husband and our two kids.",
        "Can we book a court for Saturday? It's me, my brother and two friends.",
    ] {
        assert!(!found(ordinary), "{ordinary}");
    }
    for danger in [
        "It's me, my husband and our two kids. He's got a knife and he says he'll kill us.",
        "My husband and our two kids would be better off without me, I've made my mind up.",
    ] {
        assert!(found(danger), "{danger}");
    }
}

/// The embedder and the English exemplars' embeddings (crisis, near-miss).
fn english_exemplars() -> (voxgate::dialog::kb::Embedder, Vec<Vec<f32>>, Vec<Vec<f32>>) {
    use voxgate::dialog::kb::Embedder;
    let models =
        voxgate::models::Models::locate(voxgate::models::store::shared_models_dir()).unwrap();
    let embedder = Embedder::from_models(&models)
        .unwrap_or_else(|e| panic!("{e} (the test command fetches the models first)"));
    let ex = voxgate::dialog::crisis_meaning::exemplars();
    let crisis_text: Vec<&str> = ex.crisis.iter().map(String::as_str).collect();
    let safe_text: Vec<&str> = ex.safe.iter().map(String::as_str).collect();
    let crisis = embedder.embed(&crisis_text).unwrap();
    let safe = embedder.embed(&safe_text).unwrap();
    (embedder, crisis, safe)
}

/// Ten-fold cross-validation of the reading by meaning: for each L2 penalty and each cut,
/// (crises caught, false alarms) over the folds.
fn folds(
    crisis: &[Vec<f32>],
    safe: &[Vec<f32>],
    l2s: &[f32],
    cuts: &[f32],
) -> Vec<Vec<[usize; 2]>> {
    use voxgate::dialog::crisis_meaning::CrisisMeaning;
    let split = |all: &[Vec<f32>], f: usize| {
        let (test, train): (Vec<_>, Vec<_>) = all
            .iter()
            .cloned()
            .enumerate()
            .partition(|(i, _)| i % 10 == f);
        let strip = |v: Vec<(usize, Vec<f32>)>| v.into_iter().map(|(_, v)| v).collect::<Vec<_>>();
        (strip(train), strip(test))
    };
    let mut out = vec![vec![[0usize; 2]; cuts.len()]; l2s.len()];
    for f in 0..10 {
        let (ct, cx) = split(crisis, f);
        let (st, sx) = split(safe, f);
        for (i, &l2) in l2s.iter().enumerate() {
            let m = CrisisMeaning::fit(ct.clone(), &st, l2).unwrap();
            for (j, &cut) in cuts.iter().enumerate() {
                out[i][j][0] += cx.iter().filter(|v| m.reads(v, cut)).count();
                out[i][j][1] += sx.iter().filter(|v| m.reads(v, cut)).count();
            }
        }
    }
    out
}

/// The penalties and cuts the linear reading was chosen among (an experiment:
/// `cargo test --release --test crisis -- --ignored --nocapture penalties`).
#[test]
#[ignore]
fn penalties_and_cuts_of_the_english_reading() {
    let (_, crisis, safe) = english_exemplars();
    let l2s = [0.0f32, 0.0003, 0.001, 0.003];
    let cuts = [0.5f32, 0.6, 0.7, 0.8, 0.9];
    let (nc, ns) = (crisis.len(), safe.len());
    for (i, row) in folds(&crisis, &safe, &l2s, &cuts).iter().enumerate() {
        for (j, [c, a]) in row.iter().enumerate() {
            eprintln!(
                "l2 {} cut {}: {c}/{nc} crises, {a}/{ns} false alarms",
                l2s[i], cuts[j]
            );
        }
    }
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

/// Ten-fold cross-validation on the English exemplars (linear reading at its L2 and cut):
/// at least this share of crises caught, at most this share of near-misses alarmed.
const FOLDS_CAUGHT_PCT: usize = 60;
const FOLDS_ALARMS_PCT: usize = 7;
/// Measured on the fourth edition's English half with patterns or meaning.
/// (17/24 with three nearest neighbours and whole utterances only, 19 before the ninth
/// edition was tuned on.)
const MEANING_CAUGHT: usize = 20;
const MEANING_ALARMS: usize = 3;
/// Held-out ordinary English callers that raised the alarm when measured: one asking whether
/// to take the children out of a house that smells of gas (one a person should take), and a
/// lonely one ("you're actually the first person I've talked to all week").
const ORDINARY_EN_ALARMS: usize = 2;

/// The second look for Mandarin, by characters: leave-one-out on its exemplars for each
/// margin, then the held-out editions' Mandarin halves with patterns or resemblance, and the
/// held-out emotion set's Mandarin callers (none in crisis).
#[test]
fn mandarin_crisis_by_characters_is_tuned_on_its_exemplars_and_measured_on_the_held_out_editions() {
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
    let found = |t: &str| judge(t).is_some();
    let fourth = held_out(HELD_OUT, "zh", &what, found);
    let fifth = held_out(FIFTH, "zh", &what, found);
    let raised = ordinary_alarms("zh", found);
    assert!(fourth[0] >= ZH_CAUGHT, "{fourth:?}");
    assert!(fourth[2] <= ZH_ALARMS, "{fourth:?}");
    assert!(fifth[0] >= FIFTH_ZH_CAUGHT, "{fifth:?}");
    assert!(fifth[2] <= FIFTH_ZH_ALARMS, "{fifth:?}");
    assert!(raised.len() <= ORDINARY_ZH_ALARMS, "{raised:#?}");
}

/// Measured on the fourth edition's Mandarin half (16 and 1 before the exemplars from
/// crisis-line guidance, 17 and 2 before the seventh edition was tuned on).
const ZH_CAUGHT: usize = 18;
const ZH_ALARMS: usize = 1;
/// Held-out ordinary Mandarin callers that raised the alarm (one who saved for months for a
/// hotel: 攒 is a word of hoarded pills too).
const ORDINARY_ZH_ALARMS: usize = 1;

/// The sixth edition, a development set (written like the fifth, by someone who saw neither
/// the detector nor the other editions, then read and tuned on): every second look, its misses
/// and false alarms printed, held to what it measured after tuning.
#[test]
fn the_sixth_edition_a_development_set_holds_what_was_measured_after_tuning() {
    development_set("crisis-dev6.toml", DEV6_CAUGHT, DEV6_ALARMS);
}

/// The seventh edition, another development set written the same way (first run: English
/// 33/50 caught, 4/50 false alarms; Mandarin 32/50, 8/50), read and tuned on.
#[test]
fn the_seventh_edition_a_development_set_holds_what_was_measured_after_tuning() {
    development_set("crisis-dev7.toml", DEV7_CAUGHT, DEV7_ALARMS);
}

/// The ninth edition, another development set written the same way (first run: English
/// 29/50 caught, 4/50 false alarms; Mandarin 30/50, 10/50), read and tuned on by concept.
#[test]
fn the_ninth_edition_a_development_set_holds_what_was_measured_after_tuning() {
    development_set("crisis-dev9.toml", DEV9_CAUGHT, DEV9_ALARMS);
}

/// Callers of a business that deals with animals (a vet's, a pet insurer, kennels): a pet
/// poisoned, not breathing or put to sleep is no human crisis, a caller in crisis who
/// mentions their pet is one. A development set (first run: English 13/15 caught, 8/25 false
/// alarms; Mandarin 13/15, 6/25), read and tuned on by concept.
#[test]
fn animal_callers_a_development_set_holds_what_was_measured_after_tuning() {
    development_set(
        "crisis-animals-dev.toml",
        ANIMALS_DEV_CAUGHT,
        ANIMALS_DEV_ALARMS,
    );
}

/// The same written again by the same hand at the same time, never read: totals only.
#[test]
fn animal_callers_nobody_read_are_measured_with_the_whole_check() {
    nobody_read(ANIMALS, ANIMALS_CAUGHT, ANIMALS_ALARMS);
}

/// A development set through the agent's whole check (patterns, then meaning in English or
/// characters in Mandarin), its misses and false alarms printed, held to `caught` crises and
/// at most `alarms` false alarms per language (English, Mandarin).
fn development_set(file: &str, caught: [usize; 2], alarms: [usize; 2]) {
    use voxgate::dialog::crisis::judge;
    use voxgate::dialog::crisis_meaning::CrisisMeaning;
    let (embedder, _, _) = english_exemplars();
    let meaning = CrisisMeaning::new(&embedder).unwrap();
    let set: Set = load(file);
    let mut n = [[0usize; 4]; 2];
    for c in &set.case {
        let lang = usize::from(c.lang == "zh");
        let found = judge(&c.text).is_some() || meaning.check(&embedder, &c.text);
        let i = if c.crisis { 0 } else { 2 };
        n[lang][i] += usize::from(found);
        n[lang][i + 1] += 1;
        if found != c.crisis {
            eprintln!("  wrong: [{} {}] {}", c.lang, c.kind, c.text);
        }
    }
    if std::env::var_os("CRISIS_PART_CUTS").is_some() {
        part_cuts(&set, &embedder, &meaning);
    }
    for (lang, [caught, crises, alarms, safe]) in ["en", "zh"].iter().zip(n) {
        eprintln!("{file}, {lang}: {caught}/{crises} crises, {alarms}/{safe} false alarms");
    }
    assert!(n[0][0] >= caught[0] && n[1][0] >= caught[1], "{n:?}");
    assert!(n[0][2] <= alarms[0] && n[1][2] <= alarms[1], "{n:?}");
}

/// The clause cut swept on a development set's English half and the emotion tuning callers
/// (`CRISIS_PART_CUTS=1`).
fn part_cuts(
    set: &Set,
    embedder: &voxgate::dialog::kb::Embedder,
    meaning: &voxgate::dialog::crisis_meaning::CrisisMeaning,
) {
    use voxgate::dialog::crisis::judge;
    for cut in [0.7f32, 0.8, 0.85, 0.9, 0.95, 0.98] {
        let [mut c, mut a] = [0, 0];
        for case in set.case.iter().filter(|c| c.lang == "en") {
            let found =
                judge(&case.text).is_some() || meaning.check_parts(embedder, &case.text, cut);
            c += usize::from(found && case.crisis);
            a += usize::from(found && !case.crisis);
        }
        let tune: Ordinary = load("emotion-tune.toml");
        let o = tune
            .case
            .iter()
            .filter(|t| t.lang == "en" && meaning.check_parts(embedder, &t.text, cut))
            .count();
        eprintln!("part cut {cut}: {c} crises, {a} false alarms, {o} tuning callers");
    }
}

/// What the development sets measured after tuning (English, Mandarin; Mandarin 47 on the
/// sixth before the development editions joined the exemplars, which makes these figures
/// fitted, not measured).
const DEV6_CAUGHT: [usize; 2] = [47, 50];
const DEV6_ALARMS: [usize; 2] = [1, 0];
/// (The seventh held 49 and 49 until the ninth was tuned on.)
const DEV7_CAUGHT: [usize; 2] = [50, 50];
const DEV7_ALARMS: [usize; 2] = [0, 0];
const DEV9_CAUGHT: [usize; 2] = [50, 50];
const DEV9_ALARMS: [usize; 2] = [0, 0];

/// The eighth edition, held out: written (by someone who saw neither the detector, its
/// exemplars nor any other edition) after the seventh was tuned on, and first run with the
/// detector as it then was; nobody read it. The agent's whole check, totals only; floors at
/// that first run.
#[test]
fn the_eighth_edition_nobody_read_is_measured_with_the_whole_check() {
    nobody_read(EIGHTH, EIGHTH_CAUGHT, EIGHTH_ALARMS);
}

/// The tenth edition, written while the ninth was tuned on, by someone who saw neither the
/// detector nor any other edition; held out for two sessions (first run: English 34/50
/// caught, 5/50 false alarms; Mandarin 32/50, 5/50), then read and tuned on by concept as a
/// development set.
#[test]
fn the_tenth_edition_a_development_set_holds_what_was_measured_after_tuning() {
    development_set(TENTH, TENTH_CAUGHT, TENTH_ALARMS);
}

/// The eleventh edition, held out: written while the tenth was tuned on, by someone who saw
/// neither the detector nor any other edition, and first run after that tuning; nobody read
/// it. Floors at that first run.
#[test]
fn the_eleventh_edition_nobody_read_is_measured_with_the_whole_check() {
    nobody_read(ELEVENTH, ELEVENTH_CAUGHT, ELEVENTH_ALARMS);
}

/// A held-out edition through the agent's whole check (patterns, then meaning in English or
/// characters in Mandarin), totals only, held to `caught` crises and at most `alarms` false
/// alarms per language (English, Mandarin).
fn nobody_read(file: &str, caught: [usize; 2], alarms: [usize; 2]) {
    use voxgate::dialog::crisis::judge;
    use voxgate::dialog::crisis_meaning::CrisisMeaning;
    let (embedder, _, _) = english_exemplars();
    let meaning = CrisisMeaning::new(&embedder).unwrap();
    let found = |t: &str| judge(t).is_some() || meaning.check(&embedder, t);
    let what = "patterns, then meaning or characters";
    let en = held_out(file, "en", what, found);
    let zh = held_out(file, "zh", what, found);
    assert!(en[0] >= caught[0] && zh[0] >= caught[1], "{en:?} {zh:?}");
    assert!(en[2] <= alarms[0] && zh[2] <= alarms[1], "{en:?} {zh:?}");
}

const EIGHTH: &str = "crisis-holdout8.toml";
/// Its first run (English, Mandarin): 31/40 and 31/40 caught, 4/40 and 1/40 false alarms;
/// after the ninth edition was tuned on, 34/40 and 32/40 caught, alarms unchanged; with the
/// development editions among the Mandarin exemplars, Mandarin 37/40.
const EIGHTH_CAUGHT: [usize; 2] = [34, 37];
const EIGHTH_ALARMS: [usize; 2] = [4, 1];
/// The animal callers' development set after tuning (English, Mandarin).
const ANIMALS_DEV_CAUGHT: [usize; 2] = [14, 15];
const ANIMALS_DEV_ALARMS: [usize; 2] = [4, 1];
const ANIMALS: &str = "crisis-animals-holdout.toml";
/// Its first run (English, Mandarin): 12/15 and 9/15 caught, 6/25 and 3/25 false alarms; after
/// the development set was tuned on: 12/15 and 9/15 caught, 3/25 and 0/25 false alarms; with
/// the development editions among the Mandarin exemplars, Mandarin 11/15.
const ANIMALS_CAUGHT: [usize; 2] = [12, 11];
const ANIMALS_ALARMS: [usize; 2] = [3, 0];
const TENTH: &str = "crisis-holdout10.toml";
/// After tuning on it (English, Mandarin).
const TENTH_CAUGHT: [usize; 2] = [50, 50];
const TENTH_ALARMS: [usize; 2] = [3, 2];
const ELEVENTH: &str = "crisis-holdout11.toml";
/// Its first run (English, Mandarin): 33/50 and 40/50 caught, 11/50 and 7/50 false alarms —
/// the same as with the detector before the tenth edition was tuned on. (A broader first
/// version of that tuning, narrowed against near-misses of my own before this figure, read
/// 34/50 and 8/50 Mandarin false alarms.) With the development editions among the Mandarin
/// exemplars: Mandarin 42/50, 7/50.
const ELEVENTH_CAUGHT: [usize; 2] = [33, 42];
const ELEVENTH_ALARMS: [usize; 2] = [11, 7];

/// What the reading by meaning costs per turn (a harness, not a check:
/// `cargo test --release --test crisis -- --ignored --nocapture cost`): a short and a long
/// English utterance, median of 21 runs each.
#[test]
#[ignore]
fn cost_of_the_reading_by_meaning_per_turn() {
    use std::time::Instant;
    use voxgate::dialog::crisis_meaning::CrisisMeaning;
    let (embedder, _, _) = english_exemplars();
    let started = Instant::now();
    let meaning = CrisisMeaning::new(&embedder).unwrap();
    eprintln!(
        "embedding and fitting the exemplars: {:?}",
        started.elapsed()
    );
    let short = "Can I change the delivery address on my order?";
    let long = "hi um I'm calling about the late payment fee on my account, I was told last \
                time it would be waived, so can you check that for me, and also the direct \
                debit date, I'd like it moved to the fifth, but anyway that's the main thing";
    for (what, text) in [("short", short), ("long", long)] {
        let mut ms: Vec<f64> = (0..21)
            .map(|_| {
                let t = Instant::now();
                let _ = meaning.check(&embedder, text);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        eprintln!(
            "{what} utterance: median {:.1} ms, max {:.1} ms",
            ms[10], ms[20]
        );
    }
    mandarin_cost();
}

/// What the Mandarin check (patterns, then resemblance) costs per utterance: every Mandarin
/// utterance of the eleventh edition, median and max of their medians over 21 runs.
fn mandarin_cost() {
    use std::time::Instant;
    use voxgate::dialog::crisis::judge;
    let _ = judge("我想自杀"); // builds the patterns and profiles once
    let set: Set = load(ELEVENTH);
    let mut per: Vec<f64> = set
        .case
        .iter()
        .filter(|c| c.lang == "zh")
        .map(|c| {
            let mut us: Vec<f64> = (0..21)
                .map(|_| {
                    let t = Instant::now();
                    let _ = judge(&c.text);
                    t.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            us.sort_by(f64::total_cmp);
            us[10]
        })
        .collect();
    per.sort_by(f64::total_cmp);
    eprintln!(
        "Mandarin judge over {} utterances: median {:.0} µs, max {:.0} µs",
        per.len(),
        per[per.len() / 2],
        per[per.len() - 1]
    );
}

/// The question sets of the knowledge bases held out for issue #11.
const HELD_OUT_QUESTIONS: [&str; 3] = [
    "fresh-questions-test.toml",
    "fresh2-questions.toml",
    "fresh4-questions.toml",
];

/// Every answerable question of the knowledge-base question sets (ordinary callers of seven
/// businesses, none in crisis) through the agent's whole check: the ones that raise the alarm
/// (a harness: `cargo test --release --test crisis -- --ignored --nocapture callers`; the
/// held-out sets' questions by file name only).
#[test]
#[ignore]
fn ordinary_callers_of_the_question_sets() {
    use voxgate::dialog::crisis::judge;
    use voxgate::dialog::crisis_meaning::CrisisMeaning;
    #[derive(serde::Deserialize)]
    struct Questions {
        answerable: Vec<Question>,
    }
    #[derive(serde::Deserialize)]
    struct Question {
        q: String,
    }
    let (embedder, _, _) = english_exemplars();
    let meaning = CrisisMeaning::new(&embedder).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|f| f.ends_with("questions.toml") || f.contains("-questions-"))
        .collect();
    files.sort();
    let (mut n, mut raised) = (0, Vec::new());
    for f in files {
        let set: Questions = load(&f);
        for q in set.answerable {
            n += 1;
            if judge(&q.q).is_some() || meaning.check(&embedder, &q.q) {
                // The held-out knowledge bases' questions are counted, not shown.
                let held_out = HELD_OUT_QUESTIONS.contains(&f.as_str());
                raised.push(if held_out {
                    f.clone()
                } else {
                    format!("{f}: {}", q.q)
                });
            }
        }
    }
    eprintln!(
        "{} of {n} ordinary callers raised the alarm: {raised:#?}",
        raised.len()
    );
}
