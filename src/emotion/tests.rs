#![allow(clippy::unwrap_used)]
use std::sync::Arc;

use super::*;
use crate::speech::prosody::UtteranceProsody;

/// A reader with a few words of lexicon (the real lists are for the integration tests).
fn analyzer(upset_turns: u32) -> Analyzer {
    let mut lex = Lexicons::default();
    for (w, v) in [
        ("great", 3.1),
        ("perfect", 2.7),
        ("broken", -1.5),
        ("useless", -1.8),
    ] {
        lex.en.insert(w.into(), v);
    }
    Analyzer::new(
        Arc::new(lex),
        EmotionConfig {
            upset_turns,
            ..EmotionConfig::default()
        },
    )
}

fn said(loudness_db: f32, pitch_st: f32) -> UtteranceProsody {
    UtteranceProsody {
        pitch_st,
        range_st: 4.0,
        slope_st_per_s: 0.0,
        loudness_db,
        rate_wps: Some(2.5),
        pauses: 0,
        duration_s: 2.0,
    }
}

#[test]
fn praise_is_satisfaction_unless_a_complaint_stands_beside_it() {
    let a = analyzer(2);
    assert_eq!(
        a.analyze("oh perfect, that sorted it, cheers", None).label,
        Label::Satisfied
    );
    assert_eq!(
        a.analyze("oh great, another hold message, third time today", None)
            .label,
        Label::Frustrated
    );
}

#[test]
fn the_label_names_round_trip_and_only_angry_and_anxious_are_upset() {
    for l in Label::ALL {
        assert_eq!(Label::parse(l.as_str()), Some(l));
    }
    assert_eq!(Label::parse("furious"), None);
    let upset: Vec<Label> = Label::ALL.into_iter().filter(|l| l.is_upset()).collect();
    assert_eq!(upset, [Label::Angry, Label::Anxious]);
}

#[test]
fn upset_turns_in_a_row_want_a_person_and_a_calm_turn_resets_them() {
    let mut mood = CallMood::new(analyzer(2));
    mood.on_utterance("this is useless, I'll be talking to my lawyer", None);
    assert!(!mood.wants_a_person());
    mood.on_utterance(
        "what happens if the payment bounces, I'm really worried",
        None,
    );
    assert!(mood.wants_a_person(), "angry then anxious: two upset turns");
    mood.on_utterance("my order number is 4417", None);
    assert_eq!(mood.upset_run(), 0);
    assert!(!mood.wants_a_person());
    let mut never = CallMood::new(analyzer(0));
    for _ in 0..5 {
        never.on_utterance("this is useless, I'll be talking to my lawyer", None);
    }
    assert!(!never.wants_a_person(), "upset_turns = 0 never hands off");
}

#[test]
fn the_trend_follows_the_valence_of_the_last_turns() {
    let mut mood = CallMood::new(analyzer(0));
    for text in [
        "that's great",
        "perfect",
        "it's broken",
        "this is useless and broken",
        "useless",
    ] {
        mood.on_utterance(text, None);
    }
    assert_eq!(mood.trend(), Trend::Worsening);
    let mut better = CallMood::new(analyzer(0));
    for text in [
        "useless",
        "it's broken",
        "ok",
        "that's great",
        "perfect, thanks",
    ] {
        better.on_utterance(text, None);
    }
    assert_eq!(better.trend(), Trend::Improving);
}

#[test]
fn a_loud_speaker_reads_calm_once_their_baseline_has_settled() {
    let mut mood = CallMood::new(analyzer(0));
    let words = "I'd like to change my delivery address";
    let first = mood.on_utterance(words, Some(&said(-12.0, 9.0)));
    assert!(
        first.voice.unwrap() > 1.0,
        "louder than a typical caller: {first:?}"
    );
    for _ in 0..3 {
        mood.on_utterance(words, Some(&said(-12.0, 9.0)));
    }
    let later = mood.on_utterance(words, Some(&said(-12.0, 9.0)));
    assert!(
        later.voice.unwrap().abs() < 0.3,
        "their own level: {later:?}"
    );
    assert_eq!(later.label, Label::Neutral);
}

#[test]
fn mandarin_is_told_from_english() {
    assert!(is_mandarin("我想查一下订单"));
    assert!(is_mandarin("我的order到哪了"));
    assert!(!is_mandarin("where is my order 4417"));
}

#[test]
fn settings_out_of_range_are_named() {
    let bad = EmotionConfig {
        voice_weight: 1.5,
        ..EmotionConfig::default()
    };
    assert!(bad.validate().unwrap_err().contains("emotion.voice_weight"));
    assert!(EmotionConfig::default().validate().is_ok());
}
