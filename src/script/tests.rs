#![allow(clippy::unwrap_used)]

use super::*;
use crate::media::Prompt;

const TICK: Duration = Duration::from_millis(20);

/// Prompts with known lengths: greeting 3 s, everything else 0.5 s.
fn synthetic() -> PromptSet {
    let p = |name: &str, secs: f32, v: i16| {
        Prompt::from_samples(name, vec![v; (secs * 8000.0) as usize])
    };
    PromptSet {
        greeting: p("greeting", 3.0, 1),
        you_entered: p("you-entered", 0.5, 2),
        digits: std::array::from_fn(|i| p(&format!("digit-{i}"), 0.5, 10 + i as i16)),
        star: p("star", 0.5, 3),
        pound: p("pound", 0.5, 4),
        goodbye: p("goodbye", 0.5, 5),
    }
}

/// Drives a script in virtual time, 20 ms ticks, the caller sending a constant frame.
struct Sim {
    script: DigitScript,
    t0: Instant,
    now: Instant,
    events: Vec<ScriptEvent>,
    hangup: Option<(Duration, ScriptAction)>,
    heard: Vec<i16>,
    /// Samples per tick (160 = 20 ms, 240 = 30 ms).
    frame: usize,
}

impl Sim {
    fn new(prompts: PromptSet, config: ScriptConfig, recorder: Option<Recorder>) -> Self {
        let t0 = Instant::now();
        let mut script = DigitScript::new(prompts, config, recorder);
        script.on_answer(t0);
        Self {
            script,
            t0,
            now: t0,
            events: Vec::new(),
            hangup: None,
            heard: Vec::new(),
            frame: 160,
        }
    }

    fn tick(&mut self) {
        let n = self.frame;
        self.script.on_caller_audio(self.now, &[100; 240][..n]);
        let mut out = [0i16; 240];
        self.script.fill_outgoing(self.now, &mut out[..n]);
        self.heard.extend_from_slice(&out[..n]);
        self.collect();
        self.now += Duration::from_micros(n as u64 * 125);
    }

    fn collect(&mut self) {
        while let Some(e) = self.script.poll_event() {
            self.events.push(e);
        }
        if let Some(a) = self.script.poll_action() {
            assert!(self.hangup.is_none(), "one hang-up only");
            self.hangup = Some((self.now - self.t0, a));
        }
    }

    fn run_until(&mut self, at: Duration) {
        while self.now - self.t0 < at {
            self.tick();
        }
    }

    fn key(&mut self, key: char) {
        self.script.on_dtmf(self.now, key);
        self.collect();
    }

    /// Runs until the hang-up is requested (bounded), then a little longer.
    fn run_to_hangup(&mut self) -> (Duration, HangupReason) {
        for _ in 0..10_000 {
            if self.hangup.is_some() {
                break;
            }
            self.tick();
        }
        self.tick();
        let (at, ScriptAction::Hangup(reason)) = self.hangup.unwrap();
        (at, reason)
    }

    /// The prompt sequence as "name", "name(cut)".
    fn prompts(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ScriptEvent::PromptFinished(n) => Some(n.to_string()),
                ScriptEvent::PromptCut(n) => Some(format!("{n}(cut)")),
                _ => None,
            })
            .collect()
    }
}

fn secs(s: f32) -> Duration {
    Duration::from_secs_f32(s)
}

/// The silence after "Goodbye." before the hang-up (the default `hangup_tail`).
const TAIL: f32 = 0.4;

#[test]
fn digits_then_pound_are_read_back_and_the_call_ends() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::create_at(dir.path().join("call.wav")).unwrap();
    let prompts = PromptSet::embedded().unwrap();
    let greeting = prompts.greeting.clone();
    let mut sim = Sim::new(prompts, ScriptConfig::default(), Some(rec));
    sim.run_until(secs(1.0));
    for (at, key) in [(1.0, '1'), (1.5, '2'), (2.0, '3'), (2.5, '#')] {
        sim.run_until(secs(at));
        sim.key(key);
    }
    let (at, reason) = sim.run_to_hangup();
    assert_eq!(reason, HangupReason::Completed);
    assert_eq!(
        sim.prompts(),
        [
            "greeting(cut)",
            "you-entered",
            "digit-1",
            "digit-2",
            "digit-3",
            "goodbye"
        ]
    );
    assert!(sim.events.contains(&ScriptEvent::Digit('2')));
    assert_eq!(
        sim.events.last(),
        Some(&ScriptEvent::Hangup(HangupReason::Completed))
    );
    assert_eq!(sim.script.digits(), "123");
    assert!(at > secs(3.0) && at < secs(10.0), "{at:?}");
    // The caller heard the greeting from its first sample until the barge-in.
    assert_eq!(&sim.heard[..8000], &greeting.samples()[..8000]);

    let summary = sim.script.finish(sim.now);
    assert_eq!(summary.digits, "123");
    assert_eq!(summary.hangup, Some(HangupReason::Completed));
    let info = summary.recording.unwrap();
    let mut r = hound::WavReader::open(&info.path).unwrap();
    let samples: Vec<i16> = r.samples::<i16>().map(|s| s.unwrap()).collect();
    assert_eq!(
        samples.len() / 2,
        sim.heard.len(),
        "one recorded frame per tick"
    );
    for (i, lr) in samples.chunks_exact(2).enumerate() {
        assert_eq!(lr, [100, sim.heard[i]], "frame {i}");
    }
}

#[test]
fn inter_digit_timeout_reads_back_what_was_collected() {
    let mut sim = Sim::new(synthetic(), ScriptConfig::default(), None);
    sim.run_until(secs(4.0));
    sim.key('4');
    sim.run_until(secs(5.0));
    sim.key('*');
    let (at, reason) = sim.run_to_hangup();
    assert_eq!(reason, HangupReason::InterDigitTimeout);
    assert_eq!(
        sim.prompts(),
        ["greeting", "you-entered", "digit-4", "star", "goodbye"]
    );
    // 10 s after the last key, then four 0.5 s prompts and the silent tail.
    let expected = secs(5.0 + 10.0 + 2.0 + TAIL);
    assert!(at.abs_diff(expected) <= 2 * TICK, "{at:?}");
}

#[test]
fn no_digits_says_goodbye_after_the_timeout() {
    let mut sim = Sim::new(synthetic(), ScriptConfig::default(), None);
    let (at, reason) = sim.run_to_hangup();
    assert_eq!(reason, HangupReason::InterDigitTimeout);
    assert_eq!(sim.prompts(), ["greeting", "goodbye"]);
    // The timer starts when the greeting ends, not at answer.
    let expected = secs(3.0 + 10.0 + 0.5 + TAIL);
    assert!(at.abs_diff(expected) <= 2 * TICK, "{at:?}");
}

#[test]
fn pound_alone_says_goodbye() {
    let mut sim = Sim::new(synthetic(), ScriptConfig::default(), None);
    sim.run_until(secs(0.5));
    sim.key('#');
    let (at, reason) = sim.run_to_hangup();
    assert_eq!(reason, HangupReason::Completed);
    assert_eq!(sim.prompts(), ["greeting(cut)", "goodbye"]);
    assert!(at.abs_diff(secs(1.0 + TAIL)) <= 2 * TICK, "{at:?}");
}

#[test]
fn collection_has_an_overall_limit() {
    let config = ScriptConfig {
        collect_timeout: Duration::from_secs(20),
        ..ScriptConfig::default()
    };
    let mut sim = Sim::new(synthetic(), config, None);
    for i in 0..5 {
        sim.run_until(secs(3.5 + 4.0 * i as f32));
        sim.key('7');
    }
    let (at, reason) = sim.run_to_hangup();
    assert_eq!(reason, HangupReason::CollectTimeout);
    assert_eq!(sim.script.digits(), "77777");
    assert_eq!(sim.prompts().len(), 1 + 1 + 5 + 1);
    assert!(at.abs_diff(secs(20.0 + 3.5 + TAIL)) <= 2 * TICK, "{at:?}");
}

#[test]
fn the_digit_cap_starts_the_read_back() {
    let config = ScriptConfig {
        max_digits: 3,
        ..ScriptConfig::default()
    };
    let mut sim = Sim::new(synthetic(), config, None);
    sim.run_until(secs(3.5));
    for k in ['9', '8', '7'] {
        sim.key(k);
        sim.run_until(sim.now - sim.t0 + TICK);
    }
    sim.key('6'); // past the cap, during the read-back
    let (_, reason) = sim.run_to_hangup();
    assert_eq!(reason, HangupReason::Completed);
    assert_eq!(sim.script.digits(), "987");
    assert_eq!(
        sim.prompts(),
        [
            "greeting",
            "you-entered",
            "digit-9",
            "digit-8",
            "digit-7",
            "goodbye"
        ]
    );
    assert!(sim.events.contains(&ScriptEvent::KeyIgnored('6')));
}

#[test]
fn letters_are_ignored_and_nothing_happens_before_answer() {
    let mut script = DigitScript::new(synthetic(), ScriptConfig::default(), None);
    let t0 = Instant::now();
    let mut out = [9i16; 160];
    script.on_dtmf(t0, '1');
    script.fill_outgoing(t0 + Duration::from_secs(100), &mut out);
    assert!(out.iter().all(|s| *s == 0));
    assert_eq!(script.poll_action(), None);
    assert_eq!(script.digits(), "");
    script.on_answer(t0);
    script.on_dtmf(t0, 'A');
    assert_eq!(script.digits(), "");
    let events: Vec<_> = std::iter::from_fn(|| script.poll_event()).collect();
    assert_eq!(
        events,
        [ScriptEvent::KeyIgnored('1'), ScriptEvent::KeyIgnored('A')]
    );
}

#[test]
fn the_call_length_is_capped_even_mid_prompt() {
    let config = ScriptConfig {
        max_call: Duration::from_secs(2),
        ..ScriptConfig::default()
    };
    let mut sim = Sim::new(synthetic(), config, None);
    let (at, reason) = sim.run_to_hangup();
    assert_eq!(reason, HangupReason::MaxCallDuration);
    assert!(at.abs_diff(secs(2.0)) <= TICK, "{at:?}");
    // Silence after the hang-up request.
    assert!(sim.heard[sim.heard.len() - 160..].iter().all(|s| *s == 0));
}

#[test]
fn thirty_ms_ticks_work_the_same() {
    let mut sim = Sim::new(synthetic(), ScriptConfig::default(), None);
    sim.frame = 240;
    sim.run_until(secs(3.3));
    for k in ['5', '#'] {
        sim.key(k);
        sim.run_until(sim.now - sim.t0 + secs(0.03));
    }
    let (at, reason) = sim.run_to_hangup();
    assert_eq!(reason, HangupReason::Completed);
    assert_eq!(
        sim.prompts(),
        ["greeting", "you-entered", "digit-5", "goodbye"]
    );
    assert!(at.abs_diff(secs(3.33 + 1.5 + TAIL)) <= secs(0.06), "{at:?}");
    // Prompts are back to back: the greeting, then 3 × 0.5 s, with no gap inside the read-back.
    let start = sim.heard.iter().position(|s| *s == 2).unwrap();
    assert!(sim.heard[start..start + 12_000].iter().all(|s| *s != 0));
}

#[test]
fn debug_output_does_not_show_the_digits() {
    let mut sim = Sim::new(synthetic(), ScriptConfig::default(), None);
    for k in "8642".chars() {
        sim.key(k);
    }
    let shown = format!("{:?}", sim.script);
    assert!(!shown.contains("8642"), "{shown}");
    assert!(shown.contains("digits: 4"), "{shown}");
}

#[test]
fn ending_mid_call_closes_the_recording_once() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::create_at(dir.path().join("end.wav")).unwrap();
    let mut sim = Sim::new(synthetic(), ScriptConfig::default(), Some(rec));
    sim.run_until(secs(1.0));
    sim.script.on_caller_audio(sim.now, &[7; 160]); // said after the last tick: still recorded
    let now = sim.now;
    let frames = sim.script.on_end(now).unwrap().frames;
    assert_eq!(frames, 8000 + 160);
    assert_eq!(sim.script.on_end(now).unwrap().frames, frames, "idempotent");
    assert_eq!(
        sim.script.recording_path(),
        Some(dir.path().join("end.wav").as_path())
    );
    // After the end: silence, nothing recorded, no hang-up request of its own.
    let mut out = [1i16; 160];
    sim.script.fill_outgoing(now, &mut out);
    assert!(out.iter().all(|s| *s == 0));
    assert_eq!(sim.script.poll_action(), None);
    assert!(
        sim.events
            .iter()
            .all(|e| !matches!(e, ScriptEvent::Hangup(_)))
    );
    let summary = sim.script.finish(now);
    assert_eq!(summary.recording.unwrap().frames, frames);
    assert_eq!(summary.hangup, None);
    let r = hound::WavReader::open(dir.path().join("end.wav")).unwrap();
    assert_eq!(r.duration() as u64, frames);
}
