//! Agents through a call's life: wrap-up, early availability, transfers, presence asked
//! for during a call, removal, and handle times feeding the expected wait.
#![allow(clippy::unwrap_used)]

mod support;

use router::{
    AgentState, AwayReason, CallKey, CallStatus, Event, Presence, Router, RouterConfig, RouterError,
};
use support::{Sim, agent, call, queue, s};

fn two_agents() -> Sim {
    let mut sim = Sim::new(
        vec![agent("a", &[], &[]), agent("b", &[], &[])],
        vec![queue("sales")],
    );
    sim.login("a");
    sim.advance(s(1));
    sim.login("b");
    sim.take();
    sim
}

#[test]
fn wrap_up_then_available_then_the_next_call() {
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![queue("sales")]);
    sim.login("a");
    sim.enqueue(call(1, "sales")).unwrap();
    sim.answer(1);
    sim.enqueue(call(2, "sales")).unwrap();
    sim.advance(s(100));
    sim.take();
    sim.end(1);
    let until = sim.now + s(30);
    assert_eq!(
        sim.state("a"),
        AgentState::AfterCallWork {
            call: CallKey(1),
            until
        }
    );
    assert!(sim.offers().is_empty(), "no call during wrap-up");
    assert_eq!(sim.router.poll_timeout(), Some(until));
    sim.advance(s(30));
    let events = sim.take();
    assert_eq!(
        events[0],
        Event::AgentState {
            agent: "a".into(),
            state: AgentState::Available,
            at: until
        }
    );
    assert!(events.contains(&Event::Offer {
        call: CallKey(2),
        agent: "a".into()
    }));
}

#[test]
fn available_during_wrap_up_ends_it_early() {
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![queue("sales")]);
    sim.login("a");
    sim.enqueue(call(1, "sales")).unwrap();
    sim.answer(1);
    sim.end(1);
    sim.advance(s(5));
    sim.take();
    sim.presence("a", Presence::Available);
    assert_eq!(sim.state("a"), AgentState::Available);
    assert_eq!(sim.router.agent("a").unwrap().since, sim.now);
    assert_eq!(sim.router.poll_timeout(), None, "wrap-up timer disarmed");
}

#[test]
fn handle_times_feed_the_expected_wait() {
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![queue("sales")]);
    sim.login("a");
    sim.enqueue(call(1, "sales")).unwrap();
    sim.answer(1);
    sim.advance(s(80));
    sim.end(1); // 180 + (80 - 180) / 5 = 160
    sim.presence("a", Presence::Away);
    let got = sim.enqueue(call(2, "sales")).unwrap();
    assert_eq!(got.expected_wait, Some(s(160)));
    assert_eq!(sim.router.queue("sales").unwrap().handle_time, s(160));
}

#[test]
fn transferred_between_agents() {
    let mut sim = two_agents();
    sim.enqueue(call(1, "sales")).unwrap();
    assert_eq!(sim.offers(), [(1, "a".into())]);
    sim.answer(1);
    sim.presence("b", Presence::Away); // a transfer target need not be available
    sim.advance(s(60));
    sim.router.transferred(sim.now, CallKey(1), "b").unwrap();
    assert!(matches!(sim.state("a"), AgentState::AfterCallWork { .. }));
    assert_eq!(sim.state("b"), AgentState::OnCall { call: CallKey(1) });
    let view = sim.router.call(CallKey(1)).unwrap();
    assert_eq!(
        view.status,
        CallStatus::Connected {
            agent: "b",
            since: sim.t0 + s(1)
        }
    );
    assert_eq!(
        sim.router.transferred(sim.now, CallKey(1), "b"),
        Err(RouterError::AgentOnCall {
            agent: "b".into(),
            call: CallKey(1)
        })
    );
    assert_eq!(
        sim.router.transferred(sim.now, CallKey(1), "zed"),
        Err(RouterError::UnknownAgent("zed".into()))
    );
    sim.advance(s(30));
    assert_eq!(sim.state("a"), AgentState::Available);
    sim.end(1);
    assert!(matches!(sim.state("b"), AgentState::AfterCallWork { .. }));
    assert!(sim.router.call(CallKey(1)).is_none());
}

#[test]
fn transfer_to_a_ringing_agent_withdraws_its_offer() {
    let mut sim = two_agents();
    sim.enqueue(call(1, "sales")).unwrap();
    sim.answer(1);
    sim.take();
    sim.enqueue(call(2, "sales")).unwrap();
    assert_eq!(sim.offers(), [(2, "b".into())]);
    sim.router.transferred(sim.now, CallKey(1), "b").unwrap();
    assert!(sim.take().contains(&Event::CancelOffer {
        call: CallKey(2),
        agent: "b".into()
    }));
    assert_eq!(
        sim.router.call(CallKey(2)).unwrap().status,
        CallStatus::Waiting
    );
}

#[test]
fn away_asked_for_on_a_call_applies_after_wrap_up() {
    let mut sim = Sim::new(vec![agent("a", &[], &[])], vec![queue("sales")]);
    sim.login("a");
    sim.enqueue(call(1, "sales")).unwrap();
    sim.answer(1);
    sim.presence("a", Presence::Away);
    assert_eq!(sim.state("a"), AgentState::OnCall { call: CallKey(1) });
    sim.end(1);
    sim.advance(s(30));
    assert_eq!(
        sim.state("a"),
        AgentState::Away {
            reason: AwayReason::Requested
        }
    );
}

#[test]
fn a_removed_agent_keeps_its_call_until_the_end() {
    let mut sim = two_agents();
    sim.enqueue(call(1, "sales")).unwrap();
    sim.answer(1);
    sim.take();
    sim.router.remove_agent(sim.now, "a").unwrap();
    assert!(sim.router.agent("a").unwrap().removed);
    assert_eq!(
        sim.router.set_presence(sim.now, "a", Presence::Available),
        Err(RouterError::UnknownAgent("a".into()))
    );
    sim.enqueue(call(2, "sales")).unwrap();
    assert_eq!(sim.offers(), [(2, "b".into())]);
    sim.end(1);
    assert!(sim.router.agent("a").is_none());
    assert_eq!(sim.router.agents().count(), 1);
}

#[test]
fn misuse_is_a_typed_error() {
    let mut sim = two_agents();
    let now = sim.now;
    let twice = vec![agent("a", &[], &[]), agent("a", &["tech"], &[])];
    assert_eq!(
        Router::new(now, RouterConfig::default(), twice, vec![]).err(),
        Some(RouterError::DuplicateAgent("a".into()))
    );
    let twice = vec![queue("sales"), queue("sales")];
    assert_eq!(
        Router::new(now, RouterConfig::default(), vec![], twice).err(),
        Some(RouterError::DuplicateQueue("sales".into()))
    );
    assert_eq!(
        sim.router.answered(now, CallKey(9)),
        Err(RouterError::UnknownCall(CallKey(9)))
    );
    sim.enqueue(call(1, "sales")).unwrap();
    assert_eq!(
        sim.router.call_ended(now, CallKey(1)),
        Err(RouterError::NotConnected(CallKey(1)))
    );
    sim.answer(1);
    assert_eq!(
        sim.router.declined(now, CallKey(1)),
        Err(RouterError::NotRinging(CallKey(1)))
    );
}
