//! Crisis language in English and Mandarin (issue #13), on three editions of crisis and
//! near-miss utterances: every one of the set the patterns were written against is right; the
//! second edition (written after they were frozen, tuned on later) holds what was measured
//! after tuning; the third, written by someone who never saw the patterns and never tuned on,
//! is measured per language and held to its first figures (see the README). Hyperbole ("this
//! wait is killing me", 气死我了) must never count.
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
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    let set: Set = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
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
fn the_third_edition_nobody_tuned_on_is_measured() {
    // Written by someone who never saw the patterns; its misses are not printed, so nobody
    // tunes on them by reading this. The floors hold what was measured when it was first run.
    let s = score("crisis-holdout.toml", false);
    let caught: usize = s.caught.iter().map(|c| c.0).sum();
    let crises: usize = s.caught.iter().map(|c| c.1).sum();
    let alarms: usize = s.alarms.iter().map(|c| c.0).sum();
    eprintln!("held out: {caught}/{crises} crises caught, {alarms} false alarms");
    assert!(caught >= HELD_OUT_CAUGHT, "{caught}/{crises} caught");
    assert!(alarms <= HELD_OUT_ALARMS, "{alarms} false alarms");
}

/// Measured on the second edition after tuning on it (with no false alarm).
const SECOND_CAUGHT: usize = 24;
/// Measured on the third edition (never tuned on).
const HELD_OUT_CAUGHT: usize = 29;
const HELD_OUT_ALARMS: usize = 4;
