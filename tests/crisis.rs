//! Crisis language in English and Mandarin (issue #13): every crisis utterance of the set the
//! patterns were written against is caught and no near-miss raises the alarm; on the held-out
//! set (written after the patterns were frozen) recall and false alarms are printed per
//! language and held to what was measured when it was written (far from the goal:
//! see the README). Hyperbole ("this wait is
//! killing me", 气死我了) must never count.
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

fn score(file: &str) -> Score {
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
    for w in &s.wrong {
        eprintln!("  wrong: {w}");
    }
    s
}

#[test]
fn every_crisis_of_the_written_against_set_is_caught_and_no_near_miss_alarms() {
    let s = score("crisis-tune.toml");
    assert!(s.wrong.is_empty(), "{:#?}", s.wrong);
    assert!(s.caught.iter().map(|c| c.1).sum::<usize>() >= 40);
    assert!(s.alarms.iter().map(|c| c.1).sum::<usize>() >= 40);
}

#[test]
fn the_held_out_set_is_measured() {
    let s = score("crisis-test.toml");
    let caught: usize = s.caught.iter().map(|c| c.0).sum();
    let crises: usize = s.caught.iter().map(|c| c.1).sum();
    let alarms: usize = s.alarms.iter().map(|c| c.0).sum();
    eprintln!("held out: {caught}/{crises} crises caught, {alarms} false alarms");
    // What was measured when this edition was written (2026-12-04): 4/24 caught, 2 false
    // alarms. Phrase patterns do not generalize to phrasings they were not written for; the
    // figures are held here so they can only get better, never tuned on these sentences.
    assert!(caught >= 4, "{caught}/{crises}: {:#?}", s.wrong);
    assert!(
        alarms <= MAX_ALARMS,
        "{alarms} false alarms: {:#?}",
        s.wrong
    );
}

/// False alarms measured on the held-out edition.
const MAX_ALARMS: usize = 2;
