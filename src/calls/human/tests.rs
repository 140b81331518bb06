//! The hand-off stage against a scripted router: queue announcements, ringing, the whisper
//! before the bridge, both bridge directions, declines, refusals and the ends of a call.
#![allow(clippy::unwrap_used)]

use std::sync::Mutex;

use super::*;
use crate::center::Msg;
use crate::speech::tts::{TtsChunk, TtsError};

/// A voice that "says" a text as one loud sample per character and keeps what it said.
#[derive(Default)]
struct FakeVoice(Mutex<Vec<String>>);

impl Voice for FakeVoice {
    fn speak(&self, text: &str, _rate: u32) -> Result<mpsc::Receiver<TtsChunk>, TtsError> {
        self.0.lock().unwrap().push(text.to_owned());
        let (tx, rx) = mpsc::channel(4);
        tx.try_send(TtsChunk::Audio(vec![9000i16; text.len()].into()))
            .unwrap();
        tx.try_send(TtsChunk::Done).unwrap();
        Ok(rx)
    }
}

fn ask() -> Ask {
    Ask {
        call: crate::center::CallKey(7),
        queue: "support".into(),
        priority: 5,
        vip: false,
        crisis: false,
        upset: false,
        language: None,
        skills: Vec::new(),
    }
}

/// A stage and the router's side of it: its reply channel and the news it hears.
fn started() -> (
    Human,
    mpsc::Sender<Reply>,
    mpsc::Receiver<Msg>,
    Arc<FakeVoice>,
) {
    let (center, mut rx) = Center::for_test();
    let voice = Arc::new(FakeVoice::default());
    let links = Links {
        center,
        voice: voice.clone(),
        events: Events::new(),
    };
    let h = Human::start(
        links,
        ask(),
        "Call from the support queue.".into(),
        Instant::now(),
    );
    let Ok(Msg::Enqueue(a, replies)) = rx.try_recv() else {
        panic!("not queued")
    };
    assert_eq!(a, ask());
    (h, replies, rx, voice)
}

fn news(rx: &mut mpsc::Receiver<Msg>) -> Option<News> {
    match rx.try_recv() {
        Ok(Msg::News(7, n)) => Some(n),
        _ => None,
    }
}

#[test]
fn a_waiting_caller_hears_music_and_its_place() {
    let (mut h, replies, _rx, _) = started();
    let now = Instant::now();
    replies
        .try_send(Reply::Queued {
            position: 3,
            wait: Some(Duration::from_secs(110)),
        })
        .unwrap();
    h.poll(now);
    assert_eq!(
        h.poll_say().as_deref(),
        Some("You are number 3 in the queue. The wait is about 2 minutes.")
    );
    let mut frame = [0i16; 160];
    h.fill_caller(&mut frame);
    assert!(frame.iter().any(|&s| s != 0), "silence on hold");
    // First in line: nothing to announce.
    replies
        .try_send(Reply::Position {
            position: 1,
            wait: None,
        })
        .unwrap();
    h.poll(now);
    assert_eq!(h.poll_say(), None);
}

#[test]
fn the_agent_hears_the_whisper_then_both_are_bridged() {
    let (mut h, replies, mut rx, voice) = started();
    let now = Instant::now();
    replies
        .try_send(Reply::Ring {
            agent: "alice".into(),
        })
        .unwrap();
    h.poll(now);
    assert_eq!(h.poll_action(), Some(CallAction::DialAgent("alice".into())));
    assert_eq!(h.agent(), Some("alice"));
    h.on_leg(now, LegEvent::Ringing);
    h.on_leg(now, LegEvent::Answered);
    assert_eq!(news(&mut rx), Some(News::Answered));
    assert_eq!(
        voice.0.lock().unwrap().as_slice(),
        ["Call from the support queue."]
    );
    // The whisper goes to the agent; the caller still hears music, and is not heard.
    h.poll(now);
    assert!(!h.bridged());
    h.on_caller_audio(&[1234; 160]);
    let mut to_agent = [0i16; 160];
    h.fill_agent(now, &mut to_agent);
    assert!(to_agent.contains(&9000), "no whisper: {to_agent:?}");
    let mut to_caller = [0i16; 160];
    h.fill_caller(&mut to_caller);
    assert!(to_caller.iter().any(|&s| s != 0 && s != 9000));
    // The whisper is over: bridged both ways, nothing from before the bridge.
    h.poll(now);
    assert!(h.bridged());
    h.on_caller_audio(&[111; 160]);
    h.on_agent_audio(&[222; 160]);
    h.fill_agent(now, &mut to_agent);
    h.fill_caller(&mut to_caller);
    assert_eq!((to_agent, to_caller), ([111; 160], [222; 160]));
    // Keys go across too.
    assert!(h.caller_key('5'));
    h.agent_key('#');
    assert_eq!(h.poll_leg_action(), Some(CallAction::SendDtmf('5')));
    assert_eq!(h.poll_action(), Some(CallAction::SendDtmf('#')));
    // The agent's phone holds the call: the caller hears music, not silence; then the agent.
    h.on_leg(now, LegEvent::Held(true));
    h.on_agent_audio(&[0; 160]);
    h.fill_caller(&mut to_caller);
    assert!(to_caller.iter().any(|&s| s != 0), "silence while held");
    h.on_leg(now, LegEvent::Held(false));
    h.on_agent_audio(&[333; 160]);
    h.fill_caller(&mut to_caller);
    assert_eq!(to_caller, [333; 160]);
    // The agent hangs up: the router hears, the caller hears so, the call ends.
    h.on_leg(now, LegEvent::Ended);
    assert_eq!(news(&mut rx), Some(News::Ended));
    assert!(matches!(h.take_outcome(), Some(Outcome::Over { .. })));
}

#[test]
fn a_declined_ring_goes_back_to_the_queue_and_a_cancel_drops_the_leg() {
    let (mut h, replies, mut rx, _) = started();
    let now = Instant::now();
    let ring = |a: &str| Reply::Ring { agent: a.into() };
    replies.try_send(ring("alice")).unwrap();
    h.poll(now);
    h.on_leg(now, LegEvent::Failed(Some(486)));
    assert_eq!(news(&mut rx), Some(News::Declined));
    assert_eq!(h.agent(), None);
    replies.try_send(ring("bob")).unwrap();
    replies.try_send(Reply::Cancel).unwrap();
    h.poll(now);
    assert_eq!(h.poll_action(), Some(CallAction::DialAgent("alice".into())));
    assert_eq!(h.poll_action(), Some(CallAction::DialAgent("bob".into())));
    assert_eq!(h.poll_action(), Some(CallAction::DropLeg));
    assert_eq!(h.agent(), None);
}

#[test]
fn nobody_logged_in_is_told_plainly_and_the_flow_goes_on() {
    let (mut h, replies, _rx, _) = started();
    replies
        .try_send(Reply::Refused(Refusal::NobodyAvailable))
        .unwrap();
    h.poll(Instant::now());
    let Some(Outcome::Failed { say }) = h.take_outcome() else {
        panic!("no outcome")
    };
    assert!(say.contains("no one available"), "{say}");
}

#[test]
fn overflow_while_ringing_drops_the_leg_first() {
    let (mut h, replies, _rx, _) = started();
    replies
        .try_send(Reply::Ring {
            agent: "alice".into(),
        })
        .unwrap();
    replies
        .try_send(Reply::Overflow(OverflowTo::Voicemail))
        .unwrap();
    h.poll(Instant::now());
    assert_eq!(h.poll_action(), Some(CallAction::DialAgent("alice".into())));
    assert_eq!(h.poll_action(), Some(CallAction::DropLeg));
    assert!(matches!(h.take_outcome(), Some(Outcome::Failed { .. })));
}

#[test]
fn a_callback_overflow_asks_for_a_callback_and_records_it_as_such() {
    let (mut h, replies, _rx, _) = started();
    replies
        .try_send(Reply::Overflow(OverflowTo::Callback))
        .unwrap();
    h.poll(Instant::now());
    assert_eq!(h.take_outcome(), Some(Outcome::Callback));
    assert_eq!(h.ending().outcome, "callback");
    let mut frame = [0i16; 160];
    h.fill_caller(&mut frame);
    assert_eq!(frame, [0; 160], "no music once over");
}

#[test]
fn a_caller_who_hangs_up_while_waiting_leaves_the_queue() {
    let (mut h, _replies, mut rx, _) = started();
    h.end();
    assert_eq!(news(&mut rx), Some(News::Left));
    h.end();
    assert_eq!(news(&mut rx), None, "told twice");
}

#[test]
fn the_bridge_never_holds_more_than_a_quarter_second() {
    let mut q = VecDeque::new();
    for _ in 0..100 {
        push_bounded(&mut q, &[5; 160]);
    }
    assert_eq!(q.len(), BRIDGE_MAX);
    let mut out = [1i16; 160];
    let mut empty = VecDeque::new();
    pop_into(&mut empty, &mut out);
    assert_eq!(out, [0; 160]);
}
