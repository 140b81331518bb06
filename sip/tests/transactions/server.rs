//! Server transactions: absorbing retransmissions, 100 Trying, Timers G/H/I/J/L, the 2xx
//! retransmitted until its ACK, CANCEL, RFC 2543 matching, merged requests.

use std::time::Instant;

use sip::{
    Message, Method, Request, Response, StatusCode, TransactionError, TransactionEvent,
    TransactionId, TransactionLayer, TransactionState,
};

use crate::support::*;

/// Feeds `request` and returns the id of the Request event it produced.
fn receive(l: &mut TransactionLayer, now: Instant, request: &Request) -> TransactionId {
    l.handle_request(now, request.clone(), udp());
    match &events(l)[..] {
        [
            TransactionEvent::Request {
                id,
                request: r,
                peer,
            },
        ] => {
            assert_eq!((r, peer), (request, &udp()));
            *id
        }
        other => panic!("expected one Request event, got {other:?}"),
    }
}

fn statuses(sent: &[sip::Transmit]) -> Vec<u16> {
    sent.iter().map(|t| as_response(t).status.code()).collect()
}

#[test]
fn retransmitted_invite_is_absorbed_and_gets_the_last_provisional() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-s1");
    let id = receive(&mut l, t0, &inv);
    let ringing = answer(&inv, 180, "srv");
    l.respond(t0 + ms(50), id, ringing.clone()).unwrap();
    assert_eq!(transmits(&mut l).len(), 1);
    l.handle_request(t0 + ms(600), inv.clone(), udp());
    assert!(events(&mut l).is_empty(), "no second Request event");
    let again = transmits(&mut l);
    assert_eq!(again.len(), 1);
    assert_eq!(as_response(&again[0]), &ringing);
    assert_eq!(l.state(id), Some(TransactionState::Proceeding));
    assert_eq!(l.len(), 1);
}

#[test]
fn trying_is_sent_after_200_ms_without_a_provisional() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-s2");
    let id = receive(&mut l, t0, &inv);
    assert_eq!(l.poll_timeout(), Some(t0 + ms(200)));
    l.handle_timeout(t0 + ms(199));
    assert!(transmits(&mut l).is_empty());
    let seen = run(&mut l, t0, secs(600));
    assert_eq!(send_times(&seen), [ms(200)]);
    let Seen::Sent(trying) = &seen[0].1 else {
        panic!()
    };
    let trying = as_response(trying);
    assert_eq!(trying.status, StatusCode::TRYING);
    assert_eq!(trying.head.to.tag(), None);
    assert_eq!(trying.head.via, inv.head.via);
    l.handle_request(t0 + ms(500), inv.clone(), udp());
    assert_eq!(statuses(&transmits(&mut l)), [100]);
    assert_eq!(l.state(id), Some(TransactionState::Proceeding));

    // A provisional from the TU within 200 ms means no automatic 100.
    let inv2 = req("INVITE", "z9hG4bK-s2b", "another-call", 1);
    let id2 = receive(&mut l, t0, &inv2);
    l.respond(t0 + ms(20), id2, answer(&inv2, 180, "srv"))
        .unwrap();
    transmits(&mut l);
    l.handle_timeout(t0 + secs(1));
    assert!(transmits(&mut l).is_empty());
}

#[test]
fn non_2xx_is_retransmitted_by_timer_g_until_the_ack_which_is_absorbed() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-s3");
    let id = receive(&mut l, t0, &inv);
    let busy = answer(&inv, 486, "srv");
    l.respond(t0 + ms(100), id, busy.clone()).unwrap();
    assert_eq!(statuses(&transmits(&mut l)), [486]);
    assert_eq!(
        l.respond(t0 + ms(100), id, busy.clone()),
        Err(TransactionError::AlreadyFinal)
    );
    let seen = run(&mut l, t0, ms(10_000));
    // Timer G: T1 doubling up to T2.
    assert_eq!(send_times(&seen), offsets(&[600, 1_600, 3_600, 7_600]));
    l.handle_request(t0 + ms(10_000), inv.clone(), udp());
    assert_eq!(
        statuses(&transmits(&mut l)),
        [486],
        "INVITE retransmission gets the 486"
    );

    let ack = ack_for_error(&inv, &busy);
    l.handle_request(t0 + ms(10_050), ack.clone(), udp());
    assert!(
        events(&mut l).is_empty(),
        "the ACK for a non-2xx stays in the transaction"
    );
    assert_eq!(l.state(id), Some(TransactionState::Confirmed));
    l.handle_request(t0 + ms(10_060), ack, udp());
    assert!(events(&mut l).is_empty() && transmits(&mut l).is_empty());
    // Timer I = T4, no more retransmissions.
    assert_eq!(l.poll_timeout(), Some(t0 + ms(15_050)));
    let seen = run(&mut l, t0, secs(600));
    assert!(seen.is_empty());
    assert!(l.is_empty());
}

#[test]
fn lost_ack_for_a_non_2xx_is_an_ack_timeout_at_timer_h() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-s4");
    let id = receive(&mut l, t0, &inv);
    l.respond(t0 + secs(1), id, answer(&inv, 603, "srv"))
        .unwrap();
    transmits(&mut l);
    let seen = run(&mut l, t0, secs(600));
    let times = send_times(&seen);
    assert_eq!(times.len(), 10);
    assert_eq!(times.last(), Some(&ms(32_500)));
    assert_eq!(
        run_events(&seen),
        [(secs(33), &TransactionEvent::AckTimeout { id })]
    );
    assert!(l.is_empty());
}

fn accept(
    l: &mut TransactionLayer,
    t0: Instant,
    branch: &str,
) -> (Request, Response, TransactionId) {
    let inv = invite(branch);
    let id = receive(l, t0, &inv);
    let ok = answer(&inv, 200, "srv");
    l.respond(t0 + secs(1), id, ok.clone()).unwrap();
    assert_eq!(statuses(&transmits(l)), [200]);
    assert_eq!(l.state(id), Some(TransactionState::Accepted));
    (inv, ok, id)
}

#[test]
fn a_2xx_is_retransmitted_until_its_ack_arrives() {
    let mut l = layer();
    let t0 = Instant::now();
    let (inv, ok, id) = accept(&mut l, t0, "z9hG4bK-s5");
    let seen = run(&mut l, t0, ms(5_000));
    assert_eq!(send_times(&seen), offsets(&[1_500, 2_500, 4_500]));
    l.handle_request(t0 + ms(5_000), inv.clone(), udp());
    assert!(
        transmits(&mut l).is_empty() && events(&mut l).is_empty(),
        "INVITE absorbed"
    );

    let ack = ack_for_2xx(&inv, &ok, "z9hG4bK-ack");
    l.handle_request(t0 + ms(5_100), ack.clone(), udp());
    assert_eq!(
        events(&mut l),
        [TransactionEvent::AckReceived {
            id,
            ack: ack.clone()
        }]
    );
    l.handle_request(t0 + ms(5_200), ack, udp());
    assert!(events(&mut l).is_empty(), "ACK retransmission absorbed");
    let seen = run(&mut l, t0, secs(600));
    assert!(
        seen.is_empty(),
        "no retransmission after the ACK, no AckTimeout: {seen:?}"
    );
    assert!(l.is_empty());
}

#[test]
fn a_lost_2xx_ack_is_an_ack_timeout_after_64_t1() {
    let mut l = layer();
    let t0 = Instant::now();
    let (_, _, id) = accept(&mut l, t0, "z9hG4bK-s6");
    let seen = run(&mut l, t0, secs(600));
    let times = send_times(&seen);
    assert_eq!(times[..4], offsets(&[1_500, 2_500, 4_500, 8_500]));
    assert!(times.windows(2).skip(3).all(|w| w[1] - w[0] == secs(4)));
    assert!(times.iter().all(|t| *t < secs(33)));
    assert_eq!(
        run_events(&seen),
        [(secs(33), &TransactionEvent::AckTimeout { id })]
    );
    assert!(l.is_empty());
}

#[test]
fn cancel_terminates_a_proceeding_invite_with_487() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-s7");
    let id = receive(&mut l, t0, &inv);
    l.respond(t0, id, answer(&inv, 180, "srv")).unwrap();
    transmits(&mut l);
    let cancel = req("CANCEL", "z9hG4bK-s7", &inv.head.call_id, 1);
    l.handle_request(t0 + secs(3), cancel.clone(), udp());
    let sent = transmits(&mut l);
    assert_eq!(statuses(&sent), [200, 487]);
    let (ok, terminated) = (as_response(&sent[0]), as_response(&sent[1]));
    assert_eq!(ok.head.cseq.method, Method::Cancel);
    assert_eq!(terminated.head.cseq.method, Method::Invite);
    assert_eq!(
        (ok.head.to.tag(), terminated.head.to.tag()),
        (Some("srv"), Some("srv"))
    );
    assert_eq!(events(&mut l), [TransactionEvent::Cancelled { id }]);
    assert_eq!(
        l.respond(t0 + secs(4), id, answer(&inv, 200, "srv")),
        Err(TransactionError::AlreadyFinal)
    );

    l.handle_request(t0 + secs(4), cancel, udp());
    assert_eq!(statuses(&transmits(&mut l)), [200], "CANCEL retransmission");
    l.handle_request(t0 + secs(4), ack_for_error(&inv, terminated), udp());
    assert_eq!(l.state(id), Some(TransactionState::Confirmed));
    assert!(events(&mut l).is_empty());
    run(&mut l, t0, secs(600));
    assert!(l.is_empty());
}

#[test]
fn cancel_without_invite_gets_481_and_after_the_final_response_200_alone() {
    let mut l = layer();
    let t0 = Instant::now();
    l.handle_request(t0, req("CANCEL", "z9hG4bK-none", "nothing@here", 5), udp());
    let sent = transmits(&mut l);
    assert_eq!(statuses(&sent), [481]);
    assert!(as_response(&sent[0]).head.to.tag().is_some());
    assert!(events(&mut l).is_empty());

    let inv = invite("z9hG4bK-s8");
    let id = receive(&mut l, t0, &inv);
    l.respond(t0, id, answer(&inv, 486, "srv")).unwrap();
    transmits(&mut l);
    l.handle_request(
        t0 + ms(10),
        req("CANCEL", "z9hG4bK-s8", &inv.head.call_id, 1),
        udp(),
    );
    assert_eq!(statuses(&transmits(&mut l)), [200]);
    assert!(events(&mut l).is_empty());
    assert_eq!(l.state(id), Some(TransactionState::Completed));
}

/// RFC 4475 §3.3.15 (inv2543), verbatim but for the line ends.
const INV2543: &str = "INVITE sip:UserB@example.com SIP/2.0\n\
Via: SIP/2.0/UDP iftgw.example.com\n\
From: <sip:+13035551111@ift.client.example.net;user=phone>\n\
Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>\n\
To: sip:+16505552222@ss1.example.net;user=phone\n\
Call-ID: inv2543.1717@ift.client.example.com\n\
CSeq: 56 INVITE\n\
Content-Type: application/sdp\n\
\n\
v=0\n\
o=mhandley 29739 7272939 IN IP4 192.0.2.5\n\
s=-\n\
c=IN IP4 192.0.2.5\n\
t=0 0\n\
m=audio 49217 RTP/AVP 0\n";

#[test]
fn rfc2543_invite_and_its_retransmission_are_one_transaction() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = request(INV2543);
    assert!(inv.head.via[0].branch().is_none());
    let id = receive(&mut l, t0, &inv);
    l.handle_request(t0 + ms(500), request(INV2543), udp());
    assert!(events(&mut l).is_empty());
    assert_eq!(l.len(), 1);
    // Its ACK, carrying the To tag of the 486, matches too (RFC 2543 rules).
    let busy = answer(&inv, 486, "srv");
    l.respond(t0 + secs(1), id, busy.clone()).unwrap();
    l.handle_request(t0 + secs(2), ack_for_error(&inv, &busy), udp());
    assert!(events(&mut l).is_empty());
    assert_eq!(l.state(id), Some(TransactionState::Confirmed));
    // Another CSeq is another transaction.
    let next = request(&INV2543.replace("CSeq: 56", "CSeq: 57"));
    receive(&mut l, t0 + secs(3), &next);
    assert_eq!(l.len(), 2);
}

#[test]
fn merged_request_gets_482() {
    let mut l = layer();
    let t0 = Instant::now();
    let first = invite("z9hG4bK-path1");
    receive(&mut l, t0, &first);
    let second = invite("z9hG4bK-path2");
    l.handle_request(t0 + ms(5), second.clone(), udp());
    assert!(events(&mut l).is_empty());
    let sent = transmits(&mut l);
    assert_eq!(statuses(&sent), [482]);
    assert_eq!(as_response(&sent[0]).head.via, second.head.via);
    l.handle_request(t0 + ms(600), second, udp());
    assert_eq!(
        statuses(&transmits(&mut l)),
        [482],
        "its retransmission too"
    );
    // With a To tag it is a mid-dialog request, never merged.
    let mut in_dialog = invite("z9hG4bK-path3");
    in_dialog.head.to.set_tag("x");
    receive(&mut l, t0 + ms(700), &in_dialog);
}

#[test]
fn stray_ack_goes_to_the_tu() {
    let mut l = layer();
    let t0 = Instant::now();
    let inv = invite("z9hG4bK-s9");
    let ok = answer(&inv, 200, "gone");
    let ack = ack_for_2xx(&inv, &ok, "z9hG4bK-late");
    l.handle_request(t0, ack.clone(), udp());
    assert_eq!(
        events(&mut l),
        [TransactionEvent::StrayAck { ack, peer: udp() }]
    );
    assert!(l.is_empty());
}

#[test]
fn non_invite_server_absorbs_then_replays_and_ends_with_timer_j() {
    let mut l = layer();
    let t0 = Instant::now();
    let opt = options("z9hG4bK-s10");
    let id = receive(&mut l, t0, &opt);
    l.handle_request(t0 + ms(500), opt.clone(), udp());
    assert!(
        transmits(&mut l).is_empty() && events(&mut l).is_empty(),
        "Trying absorbs"
    );
    l.respond(t0 + ms(600), id, answer(&opt, 200, "srv"))
        .unwrap();
    assert_eq!(statuses(&transmits(&mut l)), [200]);
    l.handle_request(t0 + ms(1_500), opt.clone(), udp());
    assert_eq!(statuses(&transmits(&mut l)), [200]);
    assert_eq!(
        l.respond(t0 + ms(1_600), id, answer(&opt, 500, "srv")),
        Err(TransactionError::AlreadyFinal)
    );
    assert_eq!(l.poll_timeout(), Some(t0 + ms(600) + secs(32)));
    run(&mut l, t0, secs(600));
    assert!(l.is_empty());
    assert_eq!(
        l.respond(t0 + secs(40), id, answer(&opt, 200, "srv")),
        Err(TransactionError::UnknownTransaction)
    );
    // Over TCP Timer J is zero.
    l.handle_request(t0, opt.clone(), tcp());
    let Some(TransactionEvent::Request { id, .. }) = l.poll_event() else {
        panic!()
    };
    l.respond(t0, id, answer(&opt, 200, "srv")).unwrap();
    assert!(l.is_empty());
    assert!(matches!(&transmits(&mut l)[..], [t] if matches!(t.message, Message::Response(_))));
}
