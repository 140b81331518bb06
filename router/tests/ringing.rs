//! Offers that do not end in an answer: ring-outs (RONA), declines, retries of an only
//! agent, presence and reachability changes while ringing, callers who hang up.
#![allow(clippy::unwrap_used)]

mod support;

use router::{AgentState, AwayReason, CallKey, CallStatus, Event, Presence};
use support::{Sim, agent, call, queue, s};

/// Agents `a`, `b`, `c` logged in a second apart (so `a` is the longest idle).
fn three_agents() -> Sim {
    let mut sim = Sim::new(
        vec![
            agent("a", &[], &[]),
            agent("b", &[], &[]),
            agent("c", &[], &[]),
        ],
        vec![queue("sales")],
    );
    for id in ["a", "b", "c"] {
        sim.login(id);
        sim.advance(s(1));
    }
    sim.take();
    sim
}

#[test]
fn ring_timeout_cancels_sets_agent_away_and_tries_the_next() {
    let mut sim = three_agents();
    sim.enqueue(call(1, "sales")).unwrap();
    assert_eq!(sim.offers(), [(1, "a".into())]);
    assert_eq!(sim.router.poll_timeout(), Some(sim.now + s(20)));
    sim.advance(s(19));
    assert!(sim.take().is_empty());
    sim.advance(s(1));
    let events = sim.take();
    let at = sim.now;
    assert_eq!(
        events,
        [
            Event::CancelOffer {
                call: CallKey(1),
                agent: "a".into()
            },
            Event::AgentState {
                agent: "a".into(),
                state: AgentState::Away {
                    reason: AwayReason::NoAnswer
                },
                at
            },
            Event::Offer {
                call: CallKey(1),
                agent: "b".into()
            },
            Event::AgentState {
                agent: "b".into(),
                state: AgentState::Ringing { call: CallKey(1) },
                at
            },
        ]
    );
    // The away agent gets nothing until it sets itself available.
    sim.enqueue(call(2, "sales")).unwrap();
    assert_eq!(sim.offers(), [(2, "c".into())]);
    sim.enqueue(call(3, "sales")).unwrap();
    assert!(sim.offers().is_empty());
    sim.presence("a", Presence::Available);
    assert_eq!(sim.offers(), [(3, "a".into())]);
}

#[test]
fn a_missed_call_goes_back_in_front_of_later_calls() {
    let mut sim = Sim::new(
        vec![agent("a", &[], &[]), agent("b", &[], &[])],
        vec![queue("sales")],
    );
    sim.login("a");
    sim.enqueue(call(1, "sales")).unwrap();
    sim.advance(s(5));
    sim.enqueue(call(2, "sales")).unwrap();
    sim.take();
    sim.advance(s(15)); // call 1 rings out on a
    sim.take();
    sim.login("b");
    assert_eq!(sim.offers(), [(1, "b".into())]);
}

#[test]
fn decline_moves_on_to_the_next_agent() {
    let mut sim = three_agents();
    sim.enqueue(call(1, "sales")).unwrap();
    assert_eq!(sim.offers(), [(1, "a".into())]);
    sim.decline(1);
    // a is available again (and offered nothing else: there is no other call).
    let events = sim.take();
    assert!(events.contains(&Event::Offer {
        call: CallKey(1),
        agent: "b".into()
    }));
    assert_eq!(sim.state("a"), AgentState::Available);
    sim.decline(1);
    assert_eq!(sim.offers(), [(1, "c".into())]);
    // Everyone has declined: a new round, never the agent who declined last.
    sim.decline(1);
    let again = sim.offers();
    assert_eq!(again.len(), 1);
    assert_ne!(again[0].1, "c");
}

#[test]
fn two_agents_alternate_never_twice_in_a_row() {
    let mut sim = Sim::new(
        vec![agent("a", &[], &[]), agent("b", &[], &[])],
        vec![queue("sales")],
    );
    sim.login("a");
    sim.login("b");
    sim.enqueue(call(1, "sales")).unwrap();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let offers = sim.offers();
        assert_eq!(offers.len(), 1);
        seen.push(offers[0].1.clone());
        sim.decline(1);
    }
    assert_eq!(seen, ["a", "b", "a", "b"]);
}

#[test]
fn only_agent_who_declined_is_retried_after_a_pause() {
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![queue("sales")]);
    sim.login("a");
    sim.enqueue(call(1, "sales")).unwrap();
    assert_eq!(sim.offers(), [(1, "a".into())]);
    sim.advance(s(3));
    sim.decline(1);
    assert!(sim.offers().is_empty(), "not again at once");
    assert_eq!(sim.router.poll_timeout(), Some(sim.now + s(20)));
    sim.advance(s(19));
    assert!(sim.offers().is_empty());
    sim.advance(s(1));
    assert_eq!(sim.offers(), [(1, "a".into())]);
}

#[test]
fn a_declining_agent_still_takes_other_calls() {
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![queue("sales")]);
    sim.login("a");
    sim.enqueue(call(1, "sales")).unwrap();
    sim.enqueue(call(2, "sales")).unwrap();
    assert_eq!(sim.offers(), [(1, "a".into())]);
    sim.decline(1);
    assert_eq!(sim.offers(), [(2, "a".into())]);
}

#[test]
fn presence_away_while_ringing_withdraws_the_offer() {
    let mut sim = three_agents();
    sim.presence("b", Presence::Away);
    sim.presence("c", Presence::Away);
    sim.enqueue(call(1, "sales")).unwrap();
    sim.advance(s(2));
    sim.enqueue(call(2, "sales")).unwrap();
    assert_eq!(sim.offers(), [(1, "a".into())]);
    sim.presence("a", Presence::Away);
    let events = sim.take();
    assert_eq!(
        events[0],
        Event::CancelOffer {
            call: CallKey(1),
            agent: "a".into()
        }
    );
    assert_eq!(
        sim.router.call(CallKey(1)).unwrap().status,
        CallStatus::Waiting
    );
    assert_eq!(sim.router.call(CallKey(1)).unwrap().position, Some(1));
    // Back in front: the next agent takes call 1, not call 2.
    sim.presence("c", Presence::Available);
    assert_eq!(sim.offers(), [(1, "c".into())]);
    // Logging out while ringing withdraws too.
    sim.presence("c", Presence::LoggedOut);
    assert!(sim.take().contains(&Event::CancelOffer {
        call: CallKey(1),
        agent: "c".into()
    }));
    assert_eq!(sim.state("c"), AgentState::LoggedOut);
}

#[test]
fn unreachable_while_ringing_withdraws_the_offer() {
    let mut sim = three_agents();
    sim.enqueue(call(1, "sales")).unwrap();
    sim.take();
    sim.router.set_reachable(sim.now, "a", false).unwrap();
    let events = sim.take();
    assert_eq!(
        events[0],
        Event::CancelOffer {
            call: CallKey(1),
            agent: "a".into()
        }
    );
    assert!(events.contains(&Event::Offer {
        call: CallKey(1),
        agent: "b".into()
    }));
}

#[test]
fn caller_leaving_while_ringing_frees_the_agent_in_its_place() {
    let mut sim = three_agents();
    sim.enqueue(call(1, "sales")).unwrap();
    assert_eq!(sim.offers(), [(1, "a".into())]);
    sim.advance(s(4));
    sim.router.caller_left(sim.now, CallKey(1)).unwrap();
    let events = sim.take();
    assert_eq!(
        events[0],
        Event::CancelOffer {
            call: CallKey(1),
            agent: "a".into()
        }
    );
    assert!(sim.router.call(CallKey(1)).is_none());
    assert_eq!(sim.state("a"), AgentState::Available);
    assert_eq!(
        sim.router.poll_timeout(),
        None,
        "no timer left for the call"
    );
    // Still the longest idle: the next call goes to a again.
    sim.enqueue(call(2, "sales")).unwrap();
    assert_eq!(sim.offers(), [(2, "a".into())]);
}
