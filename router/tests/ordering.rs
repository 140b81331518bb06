//! The order calls are served in: crisis, priority with VIP and upset boosts, FIFO.
#![allow(clippy::unwrap_used)]

mod support;

use router::{CallKey, Presence};
use support::{Sim, agent, call, queue, s};

/// One agent, logged in but away, so calls queue up until it comes back.
fn away_agent() -> Sim {
    let mut sim = Sim::new(vec![agent("ann", &[], &[])], vec![queue("sales")]);
    sim.login("ann");
    sim.presence("ann", Presence::Away);
    sim.take();
    sim
}

/// Serves every queued call one at a time and returns the order they were offered in.
fn serve_all(sim: &mut Sim) -> Vec<u64> {
    let mut served = Vec::new();
    sim.presence("ann", Presence::Available);
    loop {
        let offers = sim.offers();
        let Some((n, _)) = offers.first().cloned() else {
            break;
        };
        assert_eq!(offers.len(), 1);
        served.push(n);
        sim.answer(n);
        sim.advance(s(60));
        sim.end(n);
        sim.presence("ann", Presence::Available);
    }
    served
}

#[test]
fn crisis_beats_priority_nine() {
    let mut sim = away_agent();
    let mut urgent = call(1, "sales");
    urgent.priority = 9;
    sim.enqueue(urgent).unwrap();
    sim.advance(s(5));
    let mut crisis = call(2, "sales");
    crisis.crisis = true;
    sim.enqueue(crisis).unwrap();
    let view = sim.router.queue("sales").unwrap();
    let keys: Vec<_> = view.calls.iter().map(|c| (c.call, c.position)).collect();
    assert_eq!(keys, [(CallKey(2), Some(1)), (CallKey(1), Some(2))]);
    assert_eq!(serve_all(&mut sim), [2, 1]);
}

#[test]
fn vip_beats_equal_priority_and_boosts_stack() {
    let mut sim = away_agent();
    for (n, priority, vip, upset) in [
        (1, 3, false, false),
        (2, 4, false, false),
        (3, 3, true, false),  // 3 + 2 = 5
        (4, 3, false, true),  // 3 + 1 = 4, after call 2 (FIFO)
        (5, 254, true, true), // saturates at 255
    ] {
        let mut c = call(n, "sales");
        c.priority = priority;
        c.vip = vip;
        c.upset = upset;
        sim.enqueue(c).unwrap();
        sim.advance(s(1));
    }
    assert_eq!(serve_all(&mut sim), [5, 3, 2, 4, 1]);
}

#[test]
fn fifo_on_ties() {
    let mut sim = away_agent();
    for n in [7, 3, 5] {
        sim.enqueue(call(n, "sales")).unwrap();
        sim.advance(s(2));
    }
    assert_eq!(serve_all(&mut sim), [7, 3, 5]);
}

#[test]
fn calls_in_the_same_instant_keep_arrival_order() {
    let mut sim = away_agent();
    for n in [9, 8, 7] {
        sim.enqueue(call(n, "sales")).unwrap();
    }
    assert_eq!(serve_all(&mut sim), [9, 8, 7]);
}

#[test]
fn one_order_spans_queues_sharing_agents() {
    let mut sim = Sim::new(
        vec![agent("ann", &[], &[])],
        vec![queue("sales"), queue("support")],
    );
    sim.login("ann");
    sim.presence("ann", Presence::Away);
    sim.enqueue(call(1, "sales")).unwrap();
    sim.advance(s(1));
    let mut urgent = call(2, "support");
    urgent.priority = 1;
    sim.enqueue(urgent).unwrap();
    sim.advance(s(1));
    sim.enqueue(call(3, "support")).unwrap();
    assert_eq!(serve_all(&mut sim), [2, 1, 3]);
}
