//! Calls waiting in a queue: refusals, positions and their improvement, periodic
//! announcements, overflow at `max_wait` and when nobody is left.
#![allow(clippy::unwrap_used)]

mod support;

use router::{AgentState, CallKey, Enqueued, Event, Overflow, Presence, Refused};
use support::{Sim, agent, call, queue, s};

/// The Position events among `events`, as (call, position, expected wait in seconds).
fn positions(events: &[Event]) -> Vec<(u64, usize, Option<u64>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Position {
                call,
                position,
                expected_wait,
            } => Some((call.0, *position, expected_wait.map(|w| w.as_secs()))),
            _ => None,
        })
        .collect()
}

/// One agent `a`, busy on call 100.
fn busy_agent() -> Sim {
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![queue("sales")]);
    sim.login("a");
    sim.enqueue(call(100, "sales")).unwrap();
    sim.answer(100);
    sim.take();
    sim
}

#[test]
fn refused_when_nobody_who_could_take_it_is_logged_in() {
    let mut support = queue("support");
    support.skills = vec!["tech".into()];
    let mut sim = Sim::new(
        vec![agent("a", &[], &[]), agent("t", &["tech"], &[])],
        vec![queue("sales"), support],
    );
    assert_eq!(sim.enqueue(call(1, "sales")), Err(Refused::NobodyLoggedIn));
    // Logged in but its phone is not registered: still nobody.
    sim.presence("a", Presence::Available);
    assert_eq!(sim.enqueue(call(1, "sales")), Err(Refused::NobodyLoggedIn));
    sim.login("a");
    assert_eq!(
        sim.enqueue(call(2, "support")),
        Err(Refused::NobodyLoggedIn)
    );
    // Away counts as logged in: the call waits for it.
    sim.login("t");
    sim.presence("t", Presence::Away);
    assert!(sim.enqueue(call(2, "support")).is_ok());
    assert_eq!(
        sim.enqueue(call(3, "nowhere")),
        Err(Refused::UnknownQueue("nowhere".into()))
    );
    assert_eq!(
        sim.enqueue(call(2, "sales")),
        Err(Refused::DuplicateCall(CallKey(2)))
    );
}

#[test]
fn queue_full_refuses_until_a_place_frees() {
    let mut small = queue("sales");
    small.max_queued = 2;
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![small]);
    sim.login("a");
    sim.enqueue(call(1, "sales")).unwrap(); // ringing a: still in the queue
    sim.enqueue(call(2, "sales")).unwrap();
    assert_eq!(
        sim.enqueue(call(3, "sales")),
        Err(Refused::QueueFull { max: 2 })
    );
    sim.answer(1); // connected calls leave the queue
    assert!(sim.enqueue(call(3, "sales")).is_ok());
}

#[test]
fn positions_on_entry_and_on_improvement_only() {
    let mut sim = busy_agent();
    for n in 1..=3 {
        let got = sim.enqueue(call(n, "sales")).unwrap();
        assert_eq!(
            got,
            Enqueued {
                position: n as usize,
                expected_wait: Some(s(180 * n))
            }
        );
    }
    assert_eq!(
        positions(&sim.take()),
        [(1, 1, Some(180)), (2, 2, Some(360)), (3, 3, Some(540))]
    );
    // A crisis call goes in front: it hears its place, the others hear nothing worse.
    let mut crisis = call(4, "sales");
    crisis.crisis = true;
    sim.enqueue(crisis).unwrap();
    assert_eq!(positions(&sim.take()), [(4, 1, Some(180))]);
    sim.router.caller_left(sim.now, CallKey(4)).unwrap();
    sim.router.caller_left(sim.now, CallKey(1)).unwrap();
    assert_eq!(
        positions(&sim.take()),
        [(2, 1, Some(180)), (3, 2, Some(360))]
    );
    let view = sim.router.queue("sales").unwrap();
    assert_eq!(view.calls.len(), 2);
    assert_eq!(view.calls[1].position, Some(2));
    assert_eq!(view.calls[1].waited(sim.now), s(0));
}

#[test]
fn no_position_event_when_offered_at_once() {
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![queue("sales")]);
    sim.login("a");
    let got = sim.enqueue(call(1, "sales")).unwrap();
    assert_eq!(got.expected_wait, Some(s(0)));
    assert!(positions(&sim.take()).is_empty());
}

#[test]
fn announcements_repeat_while_waiting_but_not_while_ringing() {
    let mut slow = queue("sales");
    slow.ring_timeout = s(60);
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![slow]);
    sim.login("a");
    sim.presence("a", Presence::Away);
    sim.enqueue(call(1, "sales")).unwrap();
    let mut heard = Vec::new();
    let log = |sim: &mut Sim, heard: &mut Vec<u64>| {
        let at = sim.elapsed().as_secs();
        heard.extend(positions(&sim.take()).iter().map(|_| at));
    };
    log(&mut sim, &mut heard);
    for _ in 0..100 {
        sim.advance(s(1));
        log(&mut sim, &mut heard);
    }
    sim.presence("a", Presence::Available); // rings from 100 s to 160 s
    for _ in 0..110 {
        sim.advance(s(1));
        log(&mut sim, &mut heard);
    }
    assert_eq!(heard, [0, 45, 90, 205]);
}

#[test]
fn overflow_at_max_wait() {
    let mut sim = busy_agent();
    sim.enqueue(call(1, "sales")).unwrap();
    sim.take();
    sim.advance(s(299));
    assert!(
        !sim.take()
            .iter()
            .any(|e| matches!(e, Event::Overflow { .. }))
    );
    sim.advance(s(1));
    let events = sim.take();
    assert_eq!(
        events.last(),
        Some(&Event::Overflow {
            call: CallKey(1),
            to: Overflow::Voicemail
        })
    );
    assert!(sim.router.call(CallKey(1)).is_none());
    assert!(sim.router.queue("sales").unwrap().calls.is_empty());
}

#[test]
fn overflow_while_ringing_cancels_the_offer_first() {
    let mut q = queue("sales");
    q.overflow = Overflow::Callback;
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![q]);
    sim.login("a");
    sim.presence("a", Presence::Away);
    sim.enqueue(call(1, "sales")).unwrap();
    sim.advance(s(290));
    sim.presence("a", Presence::Available);
    assert_eq!(sim.offers(), [(1, "a".into())]);
    sim.advance(s(10)); // ringing time counts toward max_wait
    let events = sim.take();
    let cancel = Event::CancelOffer {
        call: CallKey(1),
        agent: "a".into(),
    };
    let overflow = Event::Overflow {
        call: CallKey(1),
        to: Overflow::Callback,
    };
    let i = events.iter().position(|e| *e == cancel).unwrap();
    let j = events.iter().position(|e| *e == overflow).unwrap();
    assert!(i < j);
    assert_eq!(sim.state("a"), AgentState::Available);
}

#[test]
fn last_agent_logging_out_overflows_waiting_calls() {
    let mut q = queue("sales");
    q.overflow = Overflow::Hangup;
    let mut sim = Sim::new(vec![agent("a", &[], &[]), agent("b", &[], &[])], vec![q]);
    sim.login("a");
    sim.login("b");
    sim.presence("a", Presence::Away);
    sim.presence("b", Presence::Away);
    sim.enqueue(call(1, "sales")).unwrap();
    sim.enqueue(call(2, "sales")).unwrap();
    sim.take();
    sim.presence("a", Presence::LoggedOut);
    assert!(
        !sim.take()
            .iter()
            .any(|e| matches!(e, Event::Overflow { .. })),
        "b could still take them"
    );
    sim.presence("b", Presence::LoggedOut);
    let overflowed: Vec<_> = sim
        .take()
        .into_iter()
        .filter_map(|e| match e {
            Event::Overflow { call, to } => Some((call.0, to)),
            _ => None,
        })
        .collect();
    assert_eq!(overflowed, [(1, Overflow::Hangup), (2, Overflow::Hangup)]);
    assert_eq!(sim.router.poll_timeout(), None);
}

#[test]
fn a_phone_that_drops_off_briefly_does_not_overflow_the_waiting_calls() {
    let overflowed = |events: &[Event]| events.iter().any(|e| matches!(e, Event::Overflow { .. }));
    // The only agent is on a call; a second call waits for her.
    let mut sim = busy_agent();
    sim.enqueue(call(1, "sales")).unwrap();
    sim.take();
    // Her registration lapses and comes back within the grace: the call waits on.
    sim.router.set_reachable(sim.now, "a", false).unwrap();
    sim.advance(s(20));
    assert!(!overflowed(&sim.take()));
    sim.router.set_reachable(sim.now, "a", true).unwrap();
    sim.advance(s(60));
    assert!(!overflowed(&sim.take()));
    assert!(sim.router.call(CallKey(1)).is_some());
    // It lapses for good: after the grace (30 s) nobody could take the call.
    sim.router.set_reachable(sim.now, "a", false).unwrap();
    sim.advance(s(29));
    assert!(!overflowed(&sim.take()));
    sim.advance(s(1));
    assert!(overflowed(&sim.take()));
}
