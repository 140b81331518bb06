//! Client transactions: retransmission schedules, timeouts, ACK for non-2xx, RFC 6026
//! Accepted, CANCEL, stray responses.

use std::time::Instant;

use sip::{HeaderName, Method, StatusCode, TransactionError, TransactionEvent, TransactionState};

use crate::support::*;

#[test]
fn invite_over_udp_without_answer_retransmits_with_timer_a_then_times_out() {
    let mut l = layer();
    let t0 = Instant::now();
    let id = l.send_request(t0, invite("z9hG4bK-a"), udp()).unwrap();
    assert_eq!(transmits(&mut l).len(), 1);
    assert_eq!(l.state(id), Some(TransactionState::Calling));

    let seen = run(&mut l, t0, secs(600));
    // Timer A: T1, 2T1, 4T1, … after the previous send; 6 retransmissions (7 sends in
    // all) before Timer B at 64·T1.
    assert_eq!(
        send_times(&seen),
        offsets(&[500, 1_500, 3_500, 7_500, 15_500, 31_500])
    );
    for (_, s) in &seen {
        if let Seen::Sent(t) = s {
            assert_eq!(as_request(t).method, Method::Invite);
        }
    }
    assert_eq!(
        run_events(&seen),
        [(secs(32), &TransactionEvent::Timeout { id })]
    );
    assert!(l.is_empty() && l.poll_timeout().is_none());
    assert_eq!(l.state(id), None);
}

#[test]
fn invite_over_tcp_is_not_retransmitted_but_still_times_out() {
    let mut l = layer();
    let t0 = Instant::now();
    let id = l.send_request(t0, invite("z9hG4bK-t"), tcp()).unwrap();
    assert_eq!(transmits(&mut l).len(), 1);
    assert_eq!(l.poll_timeout(), Some(t0 + secs(32)));
    let seen = run(&mut l, t0, secs(600));
    assert!(send_times(&seen).is_empty());
    assert_eq!(
        run_events(&seen),
        [(secs(32), &TransactionEvent::Timeout { id })]
    );
    assert!(l.is_empty());
}

#[test]
fn non_invite_timer_e_doubles_to_t2_and_timer_f_times_out() {
    let mut l = layer();
    let t0 = Instant::now();
    let id = l.send_request(t0, options("z9hG4bK-o"), udp()).unwrap();
    transmits(&mut l);
    let seen = run(&mut l, t0, secs(600));
    // Intervals 0.5, 1, 2, 4, 4, 4 … s.
    assert_eq!(
        send_times(&seen),
        offsets(&[
            500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500
        ])
    );
    assert_eq!(
        run_events(&seen),
        [(secs(32), &TransactionEvent::Timeout { id })]
    );
    assert!(l.is_empty());
}

#[test]
fn non_invite_after_provisional_retransmits_every_t2_then_timer_k() {
    let mut l = layer();
    let t0 = Instant::now();
    let req = options("z9hG4bK-p");
    let id = l.send_request(t0, req.clone(), udp()).unwrap();
    transmits(&mut l);
    let seen = run(&mut l, t0, ms(700));
    assert_eq!(send_times(&seen), offsets(&[500]));

    l.handle_response(t0 + ms(700), answer(&req, 100, "b"), udp());
    assert_eq!(l.state(id), Some(TransactionState::Proceeding));
    assert!(matches!(&events(&mut l)[..], [TransactionEvent::Response { id: i, .. }] if *i == id));
    // Timer E stays armed for 1.5 s, then fires every T2.
    let seen = run(&mut l, t0, ms(10_000));
    assert_eq!(send_times(&seen), offsets(&[1_500, 5_500, 9_500]));

    let ok = answer(&req, 200, "b");
    l.handle_response(t0 + ms(10_000), ok.clone(), udp());
    assert_eq!(l.state(id), Some(TransactionState::Completed));
    assert_eq!(events(&mut l).len(), 1);
    l.handle_response(t0 + ms(11_000), ok, udp());
    assert!(events(&mut l).is_empty(), "retransmitted final absorbed");
    // Timer K = T4 after the final response.
    assert_eq!(l.poll_timeout(), Some(t0 + ms(15_000)));
    let seen = run(&mut l, t0, secs(600));
    assert!(seen.is_empty());
    assert!(l.is_empty());
}

#[test]
fn non_invite_over_tcp_ends_on_the_final_response() {
    let mut l = layer();
    let t0 = Instant::now();
    let req = options("z9hG4bK-q");
    let id = l.send_request(t0, req.clone(), tcp()).unwrap();
    l.handle_response(t0 + ms(30), answer(&req, 200, "b"), tcp());
    assert!(matches!(
        &events(&mut l)[..],
        [TransactionEvent::Response { .. }]
    ));
    assert_eq!(
        l.state(id),
        None,
        "Timer K is zero over reliable transports"
    );
    assert!(l.is_empty());
}

#[test]
fn invite_486_is_acked_by_the_layer_and_retransmissions_are_re_acked() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-busy");
    let id = l.send_request(t0, inv.clone(), udp()).unwrap();
    transmits(&mut l);
    let busy = answer(&inv, 486, "bobtag");
    l.handle_response(t0 + ms(100), busy.clone(), udp());
    assert_eq!(
        events(&mut l),
        [TransactionEvent::Response {
            id,
            response: busy.clone()
        }]
    );
    let sent = transmits(&mut l);
    assert_eq!(sent.len(), 1);
    let ack = as_request(&sent[0]);
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.uri, inv.uri);
    assert_eq!(ack.head.via, inv.head.via);
    assert_eq!(ack.head.from, inv.head.from);
    assert_eq!(ack.head.to.tag(), Some("bobtag"));
    assert_eq!(ack.head.to.uri, inv.head.to.uri);
    assert_eq!(ack.head.call_id, inv.head.call_id);
    assert_eq!(ack.head.cseq.to_string(), "1 ACK");
    assert_eq!(
        ack.head.headers.get(&HeaderName::Route),
        Some("<sip:p1.example.com;lr>")
    );
    assert!(ack.body.is_empty());
    let first_ack = ack.clone();

    l.handle_response(t0 + ms(600), busy, udp());
    assert!(events(&mut l).is_empty(), "no second Response event");
    let again = transmits(&mut l);
    assert_eq!(again.len(), 1);
    assert_eq!(as_request(&again[0]), &first_ack);
    assert_eq!(l.state(id), Some(TransactionState::Completed));
    // Timer D: 32 s over UDP, and no more INVITE retransmissions meanwhile.
    let seen = run(&mut l, t0, secs(600));
    assert!(seen.is_empty());
    assert!(l.is_empty());
}

#[test]
fn invite_486_over_tcp_ends_after_the_ack() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-busytcp");
    let id = l.send_request(t0, inv.clone(), tcp()).unwrap();
    transmits(&mut l);
    l.handle_response(t0 + ms(100), answer(&inv, 486, "b"), tcp());
    assert_eq!(transmits(&mut l).len(), 1);
    assert_eq!(l.state(id), None);
}

#[test]
fn invite_2xx_and_its_retransmissions_all_reach_the_tu() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-ok");
    let id = l.send_request(t0, inv.clone(), udp()).unwrap();
    transmits(&mut l);
    l.handle_response(t0 + ms(50), answer(&inv, 180, "b"), udp());
    let ok = answer(&inv, 200, "b");
    l.handle_response(t0 + ms(900), ok.clone(), udp());
    assert_eq!(l.state(id), Some(TransactionState::Accepted));
    l.handle_response(t0 + ms(1_400), ok.clone(), udp());
    let forked = answer(&inv, 200, "other-fork");
    l.handle_response(t0 + ms(1_500), forked.clone(), udp());
    let got: Vec<_> = events(&mut l)
        .into_iter()
        .map(|e| match e {
            TransactionEvent::Response { response, .. } => response,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(got.len(), 4);
    assert_eq!(got[1..], [ok.clone(), ok, forked]);
    assert!(
        transmits(&mut l).is_empty(),
        "the ACK for a 2xx is the TU's job"
    );
    assert_eq!(
        l.cancel(t0 + ms(1_600), id),
        Err(TransactionError::AlreadyFinal)
    );
    // Timer M = 64·T1 after the first 2xx.
    assert_eq!(l.poll_timeout(), Some(t0 + ms(900) + secs(32)));
    run(&mut l, t0, secs(600));
    assert!(l.is_empty());
}

#[test]
fn cancel_before_any_provisional_waits_for_the_180() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-c");
    let id = l.send_request(t0, inv.clone(), udp()).unwrap();
    transmits(&mut l);
    let cid = l.cancel(t0 + ms(100), id).unwrap();
    assert!(
        transmits(&mut l).is_empty(),
        "held until a provisional response"
    );
    assert_eq!(
        l.cancel(t0 + ms(150), id),
        Err(TransactionError::AlreadyCancelled)
    );
    assert_eq!(l.state(cid), None);

    l.handle_response(t0 + ms(300), answer(&inv, 180, "b"), udp());
    let sent = transmits(&mut l);
    assert_eq!(sent.len(), 1);
    let cancel = as_request(&sent[0]).clone();
    assert_eq!(cancel.method, Method::Cancel);
    assert_eq!(cancel.uri, inv.uri);
    assert_eq!(cancel.head.via, inv.head.via);
    assert_eq!(
        (&cancel.head.from, &cancel.head.to),
        (&inv.head.from, &inv.head.to)
    );
    assert_eq!(cancel.head.call_id, inv.head.call_id);
    assert_eq!(cancel.head.cseq.to_string(), "1 CANCEL");
    assert_eq!(
        cancel.head.headers.get(&HeaderName::Route),
        Some("<sip:p1.example.com;lr>")
    );
    assert_eq!(l.state(cid), Some(TransactionState::Trying));

    l.handle_response(t0 + ms(350), answer(&cancel, 200, "b"), udp());
    l.handle_response(t0 + ms(360), answer(&inv, 487, "b"), udp());
    let ev = events(&mut l);
    assert!(
        matches!(&ev[1], TransactionEvent::Response { id: c, response } if *c == cid && response.status == StatusCode::OK)
    );
    assert!(
        matches!(&ev[2], TransactionEvent::Response { id: i, response } if *i == id && response.status.code() == 487)
    );
    assert_eq!(as_request(&transmits(&mut l)[0]).method, Method::Ack);
    run(&mut l, t0, secs(600));
    assert!(l.is_empty());
}

#[test]
fn cancel_in_proceeding_goes_out_at_once_and_unanswered_invite_times_out() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-c2");
    let id = l.send_request(t0, inv.clone(), tcp()).unwrap();
    l.handle_response(t0 + ms(10), answer(&inv, 183, "b"), tcp());
    transmits(&mut l);
    events(&mut l);
    let cid = l.cancel(t0 + secs(20), id).unwrap();
    assert_eq!(as_request(&transmits(&mut l)[0]).method, Method::Cancel);
    // Nobody answers: the CANCEL's Timer F and the INVITE's 64·T1 guard both fire.
    let seen = run(&mut l, t0, secs(600));
    let ev = run_events(&seen);
    assert_eq!(
        ev,
        [
            (secs(52), &TransactionEvent::Timeout { id }),
            (secs(52), &TransactionEvent::Timeout { id: cid }),
        ]
    );
    assert!(l.is_empty());
}

#[test]
fn cancel_refusals() {
    let mut l = layer();
    let t0 = Instant::now();
    let opt = l.send_request(t0, options("z9hG4bK-x"), udp()).unwrap();
    assert_eq!(l.cancel(t0, opt), Err(TransactionError::NotInvite));
    l.handle_request(t0, invite("z9hG4bK-srv"), udp());
    let TransactionEvent::Request { id: srv, .. } = events(&mut l).remove(0) else {
        panic!()
    };
    assert_eq!(l.cancel(t0, srv), Err(TransactionError::NotClient));
    assert_eq!(
        l.respond(t0, opt, answer(&options("x"), 200, "t")),
        Err(TransactionError::NotServer)
    );
    l.transport_error(t0, opt);
    assert_eq!(
        events(&mut l),
        [TransactionEvent::TransportError { id: opt }]
    );
    assert_eq!(l.cancel(t0, opt), Err(TransactionError::UnknownTransaction));
    assert_eq!(
        TransactionError::UnknownTransaction.status(),
        Some(StatusCode::CALL_DOES_NOT_EXIST)
    );
    assert_eq!(
        l.send_request(t0, options("z9hG4bK-x"), udp()).err(),
        None,
        "the branch is free again once the transaction ended"
    );
    assert_eq!(
        l.send_request(t0, options("z9hG4bK-x"), udp()),
        Err(TransactionError::DuplicateBranch)
    );
    let mut ack = invite("z9hG4bK-y");
    ack.method = Method::Ack;
    assert_eq!(
        l.send_request(t0, ack, udp()),
        Err(TransactionError::AckNotTransaction)
    );
}

#[test]
fn stray_and_foreign_responses() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-mine");
    l.send_request(t0, inv.clone(), udp()).unwrap();
    transmits(&mut l);
    // A 2xx for a transaction that is gone (another branch, same sent-by): to the TU.
    let stray_ok = answer(&invite("z9hG4bK-gone"), 200, "b");
    l.handle_response(t0, stray_ok.clone(), udp());
    assert_eq!(
        events(&mut l),
        [TransactionEvent::StrayResponse {
            response: stray_ok,
            peer: udp()
        }]
    );
    // A stray non-2xx is dropped.
    l.handle_response(t0, answer(&invite("z9hG4bK-gone"), 486, "b"), udp());
    // A 2xx whose sent-by is not ours is dropped, matched or not.
    let mut foreign = answer(&inv, 200, "b");
    foreign.head.via[0].host = sip::Host::Domain("elsewhere.example.org".into());
    l.handle_response(t0, foreign.clone(), udp());
    foreign.head.via[0]
        .params
        .set("branch", Some("z9hG4bK-gone"));
    l.handle_response(t0, foreign, udp());
    // Two Vias: not for us (§8.1.3.3).
    let mut two = answer(&inv, 200, "b");
    two.head.via.push(two.head.via[0].clone());
    l.handle_response(t0, two, udp());
    assert!(events(&mut l).is_empty());
    assert!(transmits(&mut l).is_empty());
}
