//! Which agent gets a call: skills, language, longest idle, reachability, and calls that
//! nobody free can take not blocking the others.
#![allow(clippy::unwrap_used)]

mod support;

use router::Presence;
use support::{Sim, agent, call, queue, s};

#[test]
fn queue_and_call_skills_are_all_required() {
    let mut support = queue("support");
    support.skills = vec!["tech".into()];
    let mut sim = Sim::new(
        vec![
            agent("ann", &[], &[]),
            agent("bob", &["tech"], &[]),
            agent("cat", &["tech", "billing"], &[]),
        ],
        vec![support],
    );
    for id in ["ann", "cat", "bob"] {
        sim.login(id);
        sim.advance(s(1));
    }
    let mut billing = call(1, "support");
    billing.skills = vec!["billing".into()];
    sim.enqueue(billing).unwrap();
    assert_eq!(sim.offers(), [(1, "cat".into())]);
    sim.enqueue(call(2, "support")).unwrap();
    assert_eq!(
        sim.offers(),
        [(2, "bob".into())],
        "ann lacks the queue's skill"
    );
}

#[test]
fn language_must_match_when_both_sides_state_one() {
    let mut sim = Sim::new(
        vec![
            agent("en", &[], &["en"]),
            agent("zh", &[], &["zh"]),
            agent("any", &[], &[]),
        ],
        vec![queue("sales")],
    );
    for id in ["en", "any", "zh"] {
        sim.login(id);
        sim.advance(s(1));
    }
    let mut cantonese = call(1, "sales");
    cantonese.language = Some("zh-HK".into());
    sim.enqueue(cantonese).unwrap();
    assert_eq!(sim.offers(), [(1, "any".into())], "longest idle who can");
    let mut mandarin = call(2, "sales");
    mandarin.language = Some("ZH".into());
    sim.enqueue(mandarin).unwrap();
    assert_eq!(sim.offers(), [(2, "zh".into())], "not the English speaker");
}

#[test]
fn longest_idle_agent_is_chosen() {
    let mut sim = Sim::new(
        vec![
            agent("a", &[], &[]),
            agent("b", &[], &[]),
            agent("c", &[], &[]),
        ],
        vec![queue("sales")],
    );
    for id in ["b", "c", "a"] {
        sim.login(id);
        sim.advance(s(10));
    }
    sim.take();
    for (n, expected) in [(1, "b"), (2, "c"), (3, "a")] {
        sim.enqueue(call(n, "sales")).unwrap();
        assert_eq!(sim.offers(), [(n, expected.into())]);
        sim.answer(n);
    }
    // b finishes first, but a call that ended does not make it idle until wrap-up ends;
    // then b, back before c, is the longest idle.
    sim.end(1);
    sim.advance(s(5));
    sim.end(2);
    sim.advance(s(60));
    sim.take();
    sim.enqueue(call(4, "sales")).unwrap();
    assert_eq!(sim.offers(), [(4, "b".into())]);
}

#[test]
fn unreachable_or_away_agents_are_not_offered() {
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
    sim.router.set_reachable(sim.now, "a", false).unwrap();
    sim.presence("b", Presence::Away);
    sim.enqueue(call(1, "sales")).unwrap();
    assert_eq!(sim.offers(), [(1, "c".into())]);
}

#[test]
fn a_call_nobody_free_can_take_does_not_block_the_next() {
    let mut sim = Sim::new(
        vec![agent("en", &[], &["en"]), agent("zh", &[], &["zh"])],
        vec![queue("sales")],
    );
    sim.login("en");
    sim.login("zh");
    sim.presence("zh", Presence::Away);
    sim.presence("en", Presence::Away);
    let mut mandarin = call(1, "sales");
    mandarin.language = Some("zh".into());
    mandarin.priority = 5;
    sim.enqueue(mandarin).unwrap();
    sim.enqueue(call(2, "sales")).unwrap();
    sim.take();
    sim.presence("en", Presence::Available);
    assert_eq!(sim.offers(), [(2, "en".into())]);
    sim.presence("zh", Presence::Available);
    assert_eq!(sim.offers(), [(1, "zh".into())]);
}
