//! Prosody on real speech (issue #13): Debian's Asterisk prompts (one speaker, Allison),
//! altered with sox in controlled ways — louder, higher, faster, and the opposite of each —
//! move arousal the right way against the speaker's own baseline, for every pair; and the
//! same words said louder, higher and faster at once read as more aroused than said calmly.
//! Skipped (with a message) when sox or the prompts are missing and CI is not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{TempDir, have_peer};
use voxgate::speech::features::FrameAnalyzer;
use voxgate::speech::prosody::{Baseline, ProsodyTracker, UtteranceProsody};

const SOUNDS: &str = "/usr/share/asterisk/sounds/en_US_f_Allison";
/// Prompts for the baseline, and the prompts altered (each has at least five words).
const BASELINE: [&str; 3] = ["agent-alreadyon", "agent-newlocation", "auth-incorrect"];
const ALTERED: [&str; 3] = [
    "agent-user",
    "astcc-followed-by-the-pound-key",
    "agent-alreadyon",
];

/// `name` through sox at 8 kHz with `effects` (all versions start 6 dB down, so +6 dB does
/// not clip).
fn altered(dir: &Path, name: &str, tag: &str, effects: &[&str]) -> PathBuf {
    let out = dir.join(format!("{name}-{tag}.wav"));
    let status = Command::new("sox")
        .arg(Path::new(SOUNDS).join(format!("{name}.wav")))
        .args(["-r", "8000", "-c", "1", "-b", "16"])
        .arg(&out)
        .args(["gain", "-6"])
        .args(effects)
        .status()
        .expect("sox (scripts/setup --test installs it)");
    assert!(status.success(), "sox {effects:?}");
    out
}

/// The prosody of a whole file as one utterance of `words` words.
fn prosody(path: &Path, words: usize) -> UtteranceProsody {
    let pcm: Vec<i16> = hound::WavReader::open(path)
        .unwrap()
        .samples::<i16>()
        .map(Result::unwrap)
        .collect();
    let mut a = FrameAnalyzer::new(8000, 160);
    let mut t = ProsodyTracker::new(20);
    for frame in pcm.chunks(160) {
        t.push(&a.analyse(frame));
    }
    t.finish(Some(words)).expect("voiced speech")
}

/// `name` said calmer (quieter, slower) and agitated (louder, higher, faster), as one
/// utterance of six words each.
fn calm_and_agitated(dir: &Path, name: &str) -> (UtteranceProsody, UtteranceProsody) {
    let calm = altered(dir, name, "calm", &["gain", "-4", "tempo", "0.9"]);
    let agitated = altered(
        dir,
        name,
        "agitated",
        &["gain", "6", "pitch", "300", "tempo", "1.2"],
    );
    (prosody(&calm, 6), prosody(&agitated, 6))
}

#[test]
fn sox_alterations_of_real_speech_move_arousal_the_right_way() {
    if !have_peer("sox") {
        return;
    }
    if !Path::new(SOUNDS).is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{SOUNDS} is required under CI=true: run scripts/setup --test"
        );
        eprintln!("SKIPPED: {SOUNDS} not installed (run scripts/setup --test)");
        return;
    }
    let dir = TempDir::new("prosody");
    let mut baseline = Baseline::default();
    for name in BASELINE {
        baseline.update(&prosody(&altered(&dir.0, name, "base", &[]), 6));
    }
    let pairs: [(&str, &[&str], &[&str]); 3] = [
        ("gain", &["gain", "6"], &["gain", "-6"]),
        ("pitch", &["pitch", "300"], &["pitch", "-300"]),
        ("tempo", &["tempo", "1.25"], &["tempo", "0.8"]),
    ];
    for name in ALTERED {
        let plain = baseline.arousal(&prosody(&altered(&dir.0, name, "plain", &[]), 6));
        for (what, up, down) in pairs {
            let a_up = baseline.arousal(&prosody(
                &altered(&dir.0, name, &format!("{what}-up"), up),
                6,
            ));
            let a_down = baseline.arousal(&prosody(
                &altered(&dir.0, name, &format!("{what}-down"), down),
                6,
            ));
            eprintln!("{name} {what}: down {a_down:+.2} < plain {plain:+.2} < up {a_up:+.2}");
            assert!(
                a_down < plain && plain < a_up,
                "{name} {what}: {a_down} {plain} {a_up}"
            );
        }
        let (calm, agitated) = calm_and_agitated(&dir.0, name);
        let (c, a) = (baseline.arousal(&calm), baseline.arousal(&agitated));
        eprintln!("{name}: calm {c:+.2}, loud high fast {a:+.2}");
        assert!(a > c + 1.0, "{name}: calm {c}, agitated {a}");
    }
}

/// The same words, said calmly and said loud, high and fast (one real recording, altered),
/// classify differently once the voice is heard: frustration calm, anger agitated; and a
/// speaker who is always loud reads as neutral once her baseline has settled.
#[test]
fn the_same_words_calm_and_agitated_classify_differently_and_loudness_alone_settles() {
    if !have_peer("sox") || !Path::new(SOUNDS).is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "sox and {SOUNDS} are required under CI=true: run scripts/setup --test"
        );
        eprintln!("SKIPPED: sox or the Asterisk prompts missing");
        return;
    }
    let models =
        voxgate::models::Models::locate(voxgate::models::store::shared_models_dir()).unwrap();
    let lex = voxgate::emotion::Lexicons::load(&models)
        .unwrap_or_else(|e| panic!("{e} (the test command fetches the models first)"));
    let analyzer = voxgate::emotion::Analyzer::new(std::sync::Arc::new(lex), Default::default());
    let dir = TempDir::new("prosody-emotion");
    let words = "This is the third time I've called about the same bill.";
    let mut calm_mood = voxgate::emotion::CallMood::new(analyzer.clone());
    let mut loud_mood = voxgate::emotion::CallMood::new(analyzer.clone());
    for name in BASELINE {
        let p = prosody(&altered(&dir.0, name, "base", &[]), 6);
        calm_mood.on_utterance("I'd like to ask about my bill.", Some(&p));
        loud_mood.on_utterance("I'd like to ask about my bill.", Some(&p));
    }
    let name = ALTERED[0];
    let (calm, agitated) = calm_and_agitated(&dir.0, name);
    let c = calm_mood.on_utterance(words, Some(&calm));
    let a = loud_mood.on_utterance(words, Some(&agitated));
    eprintln!(
        "calm: {:?} {:+.2}; agitated: {:?} {:+.2}",
        c.label, c.arousal, a.label, a.arousal
    );
    assert_eq!(c.label, voxgate::emotion::Label::Frustrated, "{c:?}");
    assert_eq!(a.label, voxgate::emotion::Label::Angry, "{a:?}");

    // Always loud, always neutral words: flagged by nothing once her baseline has settled.
    let mut loud_speaker = voxgate::emotion::CallMood::new(analyzer);
    let mut last = None;
    for name in BASELINE.iter().chain(ALTERED.iter()) {
        let p = prosody(&altered(&dir.0, name, "loud", &["gain", "6"]), 6);
        last = Some(loud_speaker.on_utterance("I'd like to change my delivery address.", Some(&p)));
    }
    let last = last.unwrap();
    eprintln!(
        "always loud, sixth utterance: {:?}, voice {:+.2?}",
        last.label, last.voice
    );
    assert_eq!(last.label, voxgate::emotion::Label::Neutral, "{last:?}");
    assert!(last.voice.unwrap() < 1.0, "{last:?}");
}
