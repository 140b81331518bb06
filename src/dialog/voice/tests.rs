//! The conversation engine in virtual time with a fake voice (a tone per text, at once) and
//! a fake agent on the real worker threads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::playback::{PlayEvent, Playback, Source, TAG_ACK};
use super::*;
use crate::dialog::{HandoffReason, TurnTimings};

/// Samples per character of fake speech (loud, so it is easy to see).
const PER_CHAR: usize = 40;
const LOUD: i16 = 5000;

struct FakeVoice {
    spoken: Mutex<Vec<String>>,
}

impl Voice for FakeVoice {
    fn speak(
        &self,
        text: &str,
        _rate: u32,
    ) -> Result<tokio::sync::mpsc::Receiver<TtsChunk>, TtsError> {
        self.spoken.lock().unwrap().push(text.to_owned());
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let pcm: Vec<i16> = vec![LOUD; text.len() * PER_CHAR];
        tx.try_send(TtsChunk::Audio(pcm.into())).unwrap();
        tx.try_send(TtsChunk::Done).unwrap();
        Ok(rx)
    }
}

/// Says the scripted sentences, each after a go from the test; records whether it was
/// told to stop.
struct FakeAgent {
    sentences: Vec<&'static str>,
    handoff: Option<HandoffReason>,
    go: Mutex<Receiver<()>>,
    broke: AtomicU32,
}

impl Responder for FakeAgent {
    fn greeting(&self) -> String {
        "Hi.".into()
    }
    fn acknowledgement(&self) -> String {
        "Hmm.".into()
    }
    fn respond(
        &self,
        conv: &mut Conversation,
        caller_text: &str,
        on_sentence: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Answer {
        if conv.over_budget() || conv.upset() {
            return Answer {
                text: String::new(),
                handoff: Some(if conv.upset() {
                    HandoffReason::Upset
                } else {
                    HandoffReason::TooManyTurns
                }),
                sources: Vec::new(),
                timings: TurnTimings::default(),
            };
        }
        let go = self.go.lock().unwrap();
        let mut said = Vec::new();
        for s in &self.sentences {
            if go.recv_timeout(Duration::from_secs(10)).is_err() {
                break;
            }
            if on_sentence(s).is_break() {
                self.broke.fetch_add(1, Ordering::SeqCst);
                break;
            }
            said.push(*s);
        }
        let _ = (conv, caller_text);
        Answer {
            text: said.join(" "),
            handoff: self.handoff,
            sources: vec!["faq.md#returns".into()],
            timings: TurnTimings {
                retrieval_ms: 1.0,
                llm_first_token_ms: Some(2.0),
                first_sentence_ms: Some(3.0),
                total_ms: 4.0,
            },
        }
    }
}

struct Rig {
    engine: DialogEngine,
    voice: Arc<FakeVoice>,
    agent: Arc<FakeAgent>,
    go: Sender<()>,
    now: Instant,
    dir: std::path::PathBuf,
    heard: Vec<i16>,
}

fn rig(name: &str, sentences: Vec<&'static str>, handoff: Option<HandoffReason>) -> Rig {
    let dir = std::env::temp_dir().join(format!("voxgate-voice-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (go, rx) = channel();
    let agent = Arc::new(FakeAgent {
        sentences,
        handoff,
        go: Mutex::new(rx),
        broke: AtomicU32::new(0),
    });
    let voice = Arc::new(FakeVoice {
        spoken: Mutex::new(Vec::new()),
    });
    let mut cfg = VoiceConfig::new(dir.clone());
    // Virtual time runs far ahead of the fake agent's thread: only the deadline test wants
    // a short answer timeout.
    cfg.answer_timeout = Duration::from_secs(3600);
    if name == "deadline" {
        cfg.answer_timeout = Duration::from_secs(10);
    }
    let workers = AgentWorkers::start(agent.clone(), 1, 4).unwrap();
    let records = RecordSink::start(&dir, true).unwrap();
    let now = Instant::now();
    let engine = DialogEngine::new(
        cfg,
        "hash".into(),
        voice.clone(),
        workers,
        records,
        "Hmm.",
        now,
    );
    Rig {
        engine,
        voice,
        agent,
        go,
        now,
        dir,
        heard: Vec::new(),
    }
}

impl Rig {
    /// One 20 ms tick.
    fn tick(&mut self) {
        let mut frame = [0i16; 160];
        self.engine.fill(self.now, &mut frame);
        self.heard.extend_from_slice(&frame);
        self.now += Duration::from_millis(20);
    }

    /// Ticks until `cond` (bounded in ticks and in real time: the worker is a thread).
    fn tick_until(&mut self, what: &str, mut cond: impl FnMut(&mut Rig) -> bool) {
        let end = Instant::now() + Duration::from_secs(10);
        for _ in 0..10_000 {
            if cond(self) {
                return;
            }
            self.tick();
            if Instant::now() > end {
                break;
            }
            std::thread::yield_now();
        }
        panic!("never: {what}");
    }

    fn outs(&mut self) -> Vec<EngineOut> {
        std::iter::from_fn(|| self.engine.poll_out()).collect()
    }

    fn lines(&self, file: &str) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.join(file))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn wait_lines(&self, file: &str, n: usize) -> Vec<serde_json::Value> {
        let end = Instant::now() + Duration::from_secs(10);
        loop {
            let l = self.lines(file);
            if l.len() >= n || Instant::now() > end {
                return l;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn loud_samples(&self) -> usize {
        self.heard.iter().filter(|&&s| s == LOUD).count()
    }

    fn caller_says(&mut self, text: &str) {
        let end = self.now;
        self.engine
            .on_final(self.now, text, end, end + Duration::from_millis(10));
    }
}

#[test]
fn sentences_are_spoken_in_order_and_the_turn_is_timed() {
    let mut r = rig(
        "order",
        vec!["Returns take 14 days.", "Anything else?"],
        None,
    );
    r.engine.greet("Hi.");
    r.tick_until("the greeting played", |r| !r.engine.playing());
    assert_eq!(r.loud_samples(), 3 * PER_CHAR);
    r.caller_says("How long do returns take?");
    r.go.send(()).unwrap();
    r.go.send(()).unwrap();
    r.tick_until("the answer spoken", |r| {
        r.voice.spoken.lock().unwrap().len() == 4 && !r.engine.playing()
    });
    // Greeting, acknowledgement (rendered at start), then both sentences in order.
    let spoken = r.voice.spoken.lock().unwrap().clone();
    assert_eq!(spoken[2..], ["Returns take 14 days.", "Anything else?"]);
    let said = r.outs();
    assert!(
        said.contains(&EngineOut::Said("Anything else?".into())),
        "{said:?}"
    );
    let turns = r.wait_lines(TURNS_FILE, 1);
    assert_eq!(turns.len(), 1, "{turns:?}");
    let t = &turns[0];
    assert!(t["first_packet_ms"].as_f64().is_some(), "{t}");
    assert!(t["first_sentence_ms"].as_f64() <= t["first_packet_ms"].as_f64());
    assert_eq!(t["sources"][0], "faq.md#returns");
    assert_eq!(t["barged_in"], false);
    let _ = std::fs::remove_dir_all(&r.dir);
}

#[test]
fn barge_in_stops_playback_and_the_generation() {
    let mut r = rig(
        "barge",
        vec![
            "One, this is the first sentence of a long answer.",
            "Two.",
            "Three.",
        ],
        None,
    );
    r.caller_says("Tell me everything.");
    r.go.send(()).unwrap();
    // (The acknowledgement may come first when the worker thread is slow.)
    r.tick_until("the first sentence plays", |r| {
        r.voice.spoken.lock().unwrap().len() == 2 && r.loud_samples() > 0 && r.engine.playing()
    });
    assert!(r.engine.playing());
    r.engine.on_barge_in(r.now);
    assert!(!r.engine.playing(), "playback stopped at once");
    let before = r.loud_samples();
    r.go.send(()).unwrap();
    r.go.send(()).unwrap();
    let agent = r.agent.clone();
    r.tick_until("the agent was told to stop", |_| {
        agent.broke.load(Ordering::SeqCst) == 1
    });
    for _ in 0..50 {
        r.tick();
    }
    assert_eq!(r.loud_samples(), before, "nothing more was played");
    assert!(!r.voice.spoken.lock().unwrap().contains(&"Three.".into()));
    // The conversation came back: the next turn is answered, and the barged-in turn is
    // recorded once it is closed (ticks go on: the worker may hand the conversation back late
    // on a busy machine).
    r.caller_says("Actually, never mind.");
    r.tick_until("the barged-in turn is recorded", |r| {
        !r.lines(TURNS_FILE).is_empty()
    });
    let turns = r.wait_lines(TURNS_FILE, 1);
    assert_eq!(turns[0]["barged_in"], true, "{turns:?}");
    let _ = std::fs::remove_dir_all(&r.dir);
}

#[test]
fn a_late_answer_gets_the_acknowledgement_once_per_turn() {
    let mut r = rig("ack", vec!["Here it is."], None);
    r.tick(); // the acknowledgement is rendered
    r.caller_says("Where is my order?");
    let start = r.now;
    // No answer yet: 700 ms after the end of speech the acknowledgement plays.
    r.tick_until("the acknowledgement", |r| r.loud_samples() > 0);
    let waited = r.now.duration_since(start);
    assert!(
        waited >= Duration::from_millis(700) && waited <= Duration::from_millis(760),
        "{waited:?}"
    );
    r.go.send(()).unwrap();
    r.tick_until("the answer played", |r| {
        r.voice.spoken.lock().unwrap().len() == 2 && !r.engine.playing()
    });
    assert_eq!(
        r.loud_samples(),
        ("Hmm.".len() + "Here it is.".len()) * PER_CHAR
    );
    let t = &r.wait_lines(TURNS_FILE, 1)[0];
    assert!(t["ack_packet_ms"].as_f64().unwrap() < t["first_packet_ms"].as_f64().unwrap());
    // A second late turn gets it again, and it is timed again.
    r.caller_says("And the other one?");
    r.tick_until("the second acknowledgement", |r| {
        r.loud_samples() > ("Hmm.".len() * 2 + "Here it is.".len()) * PER_CHAR - 1
    });
    r.go.send(()).unwrap();
    r.tick_until("the second answer played", |r| {
        r.voice.spoken.lock().unwrap().len() == 3 && !r.engine.playing()
    });
    let turns = r.wait_lines(TURNS_FILE, 2);
    assert!(turns[1]["ack_packet_ms"].as_f64().is_some(), "{turns:?}");
    let _ = std::fs::remove_dir_all(&r.dir);
}

#[test]
fn a_card_cut_into_two_caller_lines_is_masked_in_the_handoff_record() {
    let mut r = rig(
        "handoff-split",
        vec!["Let me get you a person."],
        Some(HandoffReason::AskedForPerson),
    );
    r.caller_says("My card is 4111 1111");
    r.caller_says("1111 1111. I want to talk to a person.");
    // One answer for the turn the second line replaced, one for the second.
    r.go.send(()).unwrap();
    r.go.send(()).unwrap();
    r.tick_until("the handoff filed", |r| !r.lines(HANDOFFS_FILE).is_empty());
    let handoffs = r.wait_lines(HANDOFFS_FILE, 1);
    let lines = &handoffs[0]["transcript"];
    assert_eq!(lines[0]["text"], "My card is 4111 1111");
    assert_eq!(lines[1]["text"], "**** ****. I want to talk to a person.");
    let _ = std::fs::remove_dir_all(&r.dir);
}

#[test]
fn a_handoff_speaks_its_line_files_a_record_and_gives_the_call_back() {
    let mut r = rig(
        "handoff",
        vec!["Let me get you a person."],
        Some(HandoffReason::AskedForPerson),
    );
    r.caller_says("I want to talk to a person. My card is 4111 1111 1111 1111.");
    r.go.send(()).unwrap();
    r.tick_until("the handoff line played", |r| {
        r.voice.spoken.lock().unwrap().len() == 2 && !r.engine.playing()
    });
    let handoffs = r.wait_lines(HANDOFFS_FILE, 1);
    assert_eq!(handoffs.len(), 1);
    let h = &handoffs[0];
    assert_eq!(h["reason"], "asked_for_person");
    assert_eq!(h["transcript"][0]["who"], "caller");
    let caller = h["transcript"][0]["text"].as_str().unwrap();
    assert!(!caller.contains("1111 1111"), "masked: {caller}");
    assert_eq!(h["transcript"][1]["text"], "Let me get you a person.");
    // The flow has the call now: the caller's words are no turn until it resumes the agent.
    r.tick_until("handed back", |r| {
        r.outs()
            .contains(&EngineOut::HandedOff(HandoffReason::AskedForPerson))
    });
    r.caller_says("Hello?");
    for _ in 0..50 {
        r.tick();
    }
    assert_eq!(r.voice.spoken.lock().unwrap().len(), 2, "nothing more said");
    let _ = std::fs::remove_dir_all(&r.dir);
}

#[test]
fn playback_reports_when_a_tag_starts_and_plays_the_ack_before_waiting_pieces() {
    let mut p = Playback::new();
    let now = Instant::now();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    p.push(Source::Tts(rx), 7, false);
    p.poll(now);
    p.push_next(Source::Pcm(vec![1i16; 200].into()), TAG_ACK);
    p.poll(now);
    let mut f = [0i16; 160];
    p.fill(now, &mut f);
    assert!(f.iter().all(|&s| s == 1));
    tx.try_send(TtsChunk::Audio(vec![2i16; 100].into()))
        .unwrap();
    p.poll(now);
    let later = now + Duration::from_millis(20);
    let mut f = [0i16; 160];
    p.fill(later, &mut f);
    assert_eq!(&f[..40], &[1; 40]);
    assert_eq!(&f[40..140], &[2; 100]);
    let events: Vec<_> = std::iter::from_fn(|| p.poll_event()).collect();
    assert!(events.contains(&PlayEvent::Started(7, later)), "{events:?}");
    assert!(
        events.contains(&PlayEvent::Started(TAG_ACK, now)),
        "{events:?}"
    );
    p.stop();
    assert!(!p.busy());
}

#[test]
fn an_answer_that_never_comes_is_handed_off_after_the_timeout() {
    let mut r = rig("deadline", vec!["Too late."], None);
    r.caller_says("How long do I have to return a lamp?");
    let start = r.now;
    // The agent is never let go: the model is still on its prompt.
    r.tick_until("the too-slow handoff", |r| {
        r.voice
            .spoken
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.contains("taking me too long"))
    });
    let waited = r.now.duration_since(start);
    assert!(
        waited >= Duration::from_secs(10) && waited < Duration::from_secs(12),
        "{waited:?}"
    );
    r.tick_until("the line played", |r| !r.engine.playing());
    let handoffs = r.wait_lines(HANDOFFS_FILE, 1);
    assert_eq!(handoffs[0]["reason"], "llm_unavailable");
    // The late answer, when it comes, is not spoken.
    r.go.send(()).unwrap();
    for _ in 0..50 {
        r.tick();
    }
    assert!(
        !r.voice
            .spoken
            .lock()
            .unwrap()
            .iter()
            .any(|s| s == "Too late.")
    );
    let _ = std::fs::remove_dir_all(&r.dir);
}

#[test]
fn the_agent_nodes_turn_budget_hands_off_the_turn_past_it() {
    let mut r = rig("budget", vec!["Sure."], None);
    r.engine.resume(Some(1));
    r.caller_says("What are your opening hours?");
    r.go.send(()).unwrap();
    r.tick_until("the first answer", |r| {
        r.voice.spoken.lock().unwrap().iter().any(|s| s == "Sure.")
    });
    r.tick_until("spoken", |r| !r.engine.playing());
    r.caller_says("And on Sundays?");
    r.tick_until("handed back", |r| {
        r.outs()
            .contains(&EngineOut::HandedOff(HandoffReason::TooManyTurns))
    });
    // A new node (or the same one again) gives a new budget.
    r.engine.resume(Some(1));
    r.caller_says("Do you ship abroad?");
    r.go.send(()).unwrap();
    r.tick_until("answered again", |r| {
        r.voice
            .spoken
            .lock()
            .unwrap()
            .iter()
            .filter(|s| *s == "Sure.")
            .count()
            == 2
    });
    let _ = std::fs::remove_dir_all(&r.dir);
}

#[test]
fn turns_and_handoffs_go_to_the_store_and_to_jsonl_only_when_exported() {
    let dir = std::env::temp_dir().join(format!("voxgate-records-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sink = RecordSink::start(&dir, false).unwrap();
    sink.turn(&TurnRecord {
        call_id_hash: "h1".into(),
        turn: 0,
        speech_end_unix_ms: 1000,
        handoff: Some("asked_for_person"),
        ..TurnRecord::default()
    });
    sink.handoff(&HandoffRecord {
        call_id_hash: "h1".into(),
        reason: "asked_for_person",
        transcript: vec![super::records::Line {
            who: "caller",
            text: "A person, please.".into(),
        }],
        at_unix_ms: 2000,
    });
    let store = crate::store::Store::open(&dir, crate::store::CallerPolicy::Redact).unwrap();
    let end = Instant::now() + Duration::from_secs(10);
    while store.handoffs(10).unwrap().is_empty() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    let handoffs = store.handoffs(10).unwrap();
    assert_eq!(handoffs.len(), 1);
    assert_eq!(handoffs[0].reason, "asked_for_person");
    assert!(handoffs[0].transcript.contains("A person, please."));
    let turns = store.turns_of("h1").unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0].handoff.as_deref(), Some("asked_for_person"));
    assert!(turns[0].detail.contains("\"speech_end_unix_ms\":1000"));
    assert!(!dir.join(TURNS_FILE).exists() && !dir.join(HANDOFFS_FILE).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_caller_upset_for_long_enough_is_handed_off_as_upset_on_their_next_turn() {
    let mut r = rig("upset", vec!["Sure."], None);
    r.engine.resume(None);
    r.engine.set_caller_upset(false);
    r.caller_says("Where is my parcel?");
    r.go.send(()).unwrap();
    r.tick_until("answered", |r| {
        r.voice.spoken.lock().unwrap().iter().any(|s| s == "Sure.")
    });
    r.tick_until("spoken", |r| !r.engine.playing());
    r.engine.set_caller_upset(true);
    r.caller_says("This is useless, I've called three times!");
    r.tick_until("handed off", |r| {
        r.outs()
            .contains(&EngineOut::HandedOff(HandoffReason::Upset))
    });
    let _ = std::fs::remove_dir_all(&r.dir);
}
