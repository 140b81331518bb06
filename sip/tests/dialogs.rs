//! Dialogs end to end on pure data (RFC 3261 §12–§15): a UAS call from a softphone behind
//! proxies, a UAC call to an agent's phone (loose and strict routing, forking), CSeq rules
//! and unknown dialogs. Every message built is printed and re-parsed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sip::*;
use support::*;

#[test]
fn uas_call_answered_then_caller_hangs_up() {
    let invite = caller_invite();
    let mut dialogs = Dialogs::new();
    let id = answer(&mut dialogs, &invite).id;
    assert_eq!(id.call_id, CALL_ID);
    assert_eq!(
        (id.local_tag.as_str(), id.remote_tag.as_str()),
        (our_tag().as_str(), CALLER_TAG)
    );
    let dialog = dialogs.get(&id).unwrap();
    assert_eq!(dialog.remote_target().to_string(), CALLER_CONTACT);
    let routes: Vec<String> = dialog.route_set().iter().map(ToString::to_string).collect();
    assert_eq!(
        routes,
        [
            "<sip:198.51.100.7;lr;ftag=b1f5a2c9;did=a4e.1f1>",
            "<sip:198.51.100.2;transport=udp;lr>"
        ]
    );
    assert_eq!(
        (dialog.remote_seq(), dialog.local_seq()),
        (Some(21398), None)
    );
    assert!(!dialog.is_call_id_owner() && !dialog.is_secure());

    let bye = from_caller("BYE", 21399, &our_tag(), "", "");
    assert_eq!(dialogs.handle_request(&bye).unwrap().kind, RequestKind::Bye);
    let ok = rt_resp(&Response::for_request(&bye, StatusCode::OK));
    assert_eq!(ok.head.to.tag(), Some(our_tag().as_str()));
    assert_eq!(dialogs.get(&id).unwrap().state(), DialogState::Terminated);

    let again = from_caller("BYE", 21400, &our_tag(), "", "");
    let err = dialogs.handle_request(&again).unwrap_err();
    assert_eq!(err, DialogError::Terminated);
    assert_eq!(err.status(), StatusCode::CALL_DOES_NOT_EXIST);
    let resp = rt_resp(&err.response(&again, "unused", 0));
    assert_eq!(resp.status.code(), 481);
    assert_eq!(dialogs.remove_terminated(), vec![id]);
    assert_eq!(dialogs.handle_request(&again), Err(DialogError::NoDialog));
}

#[test]
fn uas_bye_from_our_side() {
    let invite = caller_invite();
    let mut dialogs = Dialogs::new();
    let id = answer(&mut dialogs, &invite).id;
    let dialog = dialogs.get_mut(&id).unwrap();
    let bye = rt_req(&dialog.bye(via(1)).unwrap());
    assert_eq!(bye.method, Method::Bye);
    assert_eq!(bye.uri.to_string(), CALLER_CONTACT);
    let routes: Vec<&str> = bye.head.headers.get_all(&HeaderName::Route).collect();
    assert_eq!(
        routes,
        [
            "<sip:198.51.100.7;lr;ftag=b1f5a2c9;did=a4e.1f1>",
            "<sip:198.51.100.2;transport=udp;lr>"
        ]
    );
    assert_eq!(
        (bye.head.cseq.seq, &bye.head.cseq.method),
        (1, &Method::Bye)
    );
    assert_eq!(bye.head.from.tag(), Some(our_tag().as_str()));
    assert_eq!(bye.head.from.uri.to_string(), "sip:support@voxgate.example");
    assert_eq!(bye.head.to.tag(), Some(CALLER_TAG));
    assert_eq!(bye.head.to.display.as_deref(), Some("Alice"));
    assert_eq!(bye.head.call_id, CALL_ID);
    assert_eq!(bye.head.max_forwards, Some(70));
    assert_eq!(bye.head.via, vec![via(1)]);
    assert!(!bye.head.headers.contains(&HeaderName::Contact));
    assert_eq!(dialog.state(), DialogState::Terminated);
    assert_eq!(dialog.local_seq(), Some(1));
    assert_eq!(dialog.bye(via(2)), Err(DialogError::Terminated));
    // The 200 to our BYE, routed back by the transaction layer, changes nothing.
    let ok = Response::for_request(&bye, StatusCode::OK);
    assert_eq!(dialogs.handle_response(&bye, &ok), Ok(Some(id)));
}

#[test]
fn uac_call_early_confirmed_ack() {
    let invite = agent_invite();
    assert_eq!(
        invite.head.headers.get(&HeaderName::Route),
        Some("<sip:p1.example.net;lr>")
    );
    let mut dialogs = Dialogs::new();
    let trying = rt_resp(&Response::for_request(&invite, StatusCode::TRYING));
    assert_eq!(dialogs.handle_response(&invite, &trying), Ok(None));

    let ringing = agent_response(&invite, StatusCode::RINGING, "9fxced76sl", LOOSE_RR);
    let id = dialogs.handle_response(&invite, &ringing).unwrap().unwrap();
    let dialog = dialogs.get(&id).unwrap();
    assert_eq!(dialog.state(), DialogState::Early);
    assert!(dialog.is_call_id_owner() && dialog.sent_invite_pending());
    assert_eq!(
        (id.local_tag.as_str(), id.remote_tag.as_str()),
        (tag_from(42).as_str(), "9fxced76sl")
    );

    let ok = agent_response(&invite, StatusCode::OK, "9fxced76sl", LOOSE_RR);
    assert_eq!(dialogs.handle_response(&invite, &ok), Ok(Some(id.clone())));
    let dialog = dialogs.get_mut(&id).unwrap();
    assert_eq!(dialog.state(), DialogState::Confirmed);
    assert!(!dialog.sent_invite_pending());
    let routes: Vec<String> = dialog.route_set().iter().map(ToString::to_string).collect();
    assert_eq!(
        routes,
        ["<sip:p1.example.net;lr>", "<sip:p2.example.net;lr>"]
    );

    let ack = rt_req(&dialog.ack_for_2xx(&invite.head.cseq, via(11)));
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(
        (ack.head.cseq.seq, &ack.head.cseq.method),
        (101, &Method::Ack)
    );
    assert_eq!(
        ack.uri.to_string(),
        "sip:agent1@10.1.2.3:5062;transport=udp"
    );
    let routes: Vec<&str> = ack.head.headers.get_all(&HeaderName::Route).collect();
    assert_eq!(
        routes,
        ["<sip:p1.example.net;lr>", "<sip:p2.example.net;lr>"]
    );
    assert_eq!(ack.head.from.tag(), Some(tag_from(42).as_str()));
    assert_eq!(ack.head.to.tag(), Some("9fxced76sl"));
    assert!(ack.body.is_empty());
    assert_eq!(dialog.request(Method::Ack, via(11)).unwrap(), ack);

    let bye = rt_req(&dialog.bye(via(12)).unwrap());
    assert_eq!(bye.head.cseq.seq, 102);
    assert_eq!(bye.head.from.display.as_deref(), Some("Voxgate"));
}

#[test]
fn uac_strict_routing() {
    let invite = agent_invite();
    let mut dialogs = Dialogs::new();
    let strict_rr = "<sip:p2.example.net;lr>, <sip:p1.example.net;method=INVITE>";
    let ok = agent_response(&invite, StatusCode::OK, "a1", strict_rr);
    let id = dialogs.handle_response(&invite, &ok).unwrap().unwrap();
    let dialog = dialogs.get_mut(&id).unwrap();
    assert_eq!(dialog.state(), DialogState::Confirmed);
    let ack = rt_req(&dialog.ack_for_2xx(&ok.head.cseq, via(20)));
    assert_eq!(ack.uri.to_string(), "sip:p1.example.net");
    let routes: Vec<&str> = ack.head.headers.get_all(&HeaderName::Route).collect();
    assert_eq!(
        routes,
        [
            "<sip:p2.example.net;lr>",
            "<sip:agent1@10.1.2.3:5062;transport=udp>"
        ]
    );
    let info = rt_req(&dialog.request(Method::Options, via(21)).unwrap());
    assert_eq!(info.uri.to_string(), "sip:p1.example.net");
    assert_eq!(info.head.cseq.seq, 102);
}

#[test]
fn uac_forked_early_dialogs_end_with_a_failure() {
    let invite = agent_invite();
    let mut dialogs = Dialogs::new();
    let a = agent_response(&invite, StatusCode::RINGING, "fork-a", LOOSE_RR);
    let b = agent_response(&invite, StatusCode::SESSION_PROGRESS, "fork-b", LOOSE_RR);
    let id_a = dialogs.handle_response(&invite, &a).unwrap().unwrap();
    let id_b = dialogs.handle_response(&invite, &b).unwrap().unwrap();
    assert_ne!(id_a, id_b);
    assert_eq!(dialogs.len(), 2);
    let busy = agent_response(&invite, StatusCode::BUSY_HERE, "fork-c", LOOSE_RR);
    assert_eq!(dialogs.handle_response(&invite, &busy), Ok(None));
    assert!(dialogs.iter().all(|d| d.state() == DialogState::Terminated));
    assert_eq!(dialogs.remove_terminated().len(), 2);
    assert!(dialogs.is_empty());
}

#[test]
fn cseq_rules_and_unknown_dialogs() {
    let invite = caller_invite();
    let mut dialogs = Dialogs::new();
    let id = answer(&mut dialogs, &invite).id;
    let info = from_caller("INFO", 21400, &our_tag(), "", "");
    assert_eq!(
        dialogs.handle_request(&info).unwrap().kind,
        RequestKind::Info
    );
    for seq in [21400, 21399, 5] {
        let late = from_caller("OPTIONS", seq, &our_tag(), "", "");
        let err = dialogs.handle_request(&late).unwrap_err();
        assert_eq!(
            err,
            DialogError::CSeqOutOfOrder {
                got: seq,
                last: 21400
            }
        );
        assert_eq!(rt_resp(&err.response(&late, "x", 0)).status.code(), 500);
    }
    assert_eq!(dialogs.get(&id).unwrap().remote_seq(), Some(21400));
    // ACK and CANCEL are not held to the CSeq order.
    let ack = from_caller("ACK", 21398, &our_tag(), "", "");
    assert_eq!(dialogs.handle_request(&ack).unwrap().kind, RequestKind::Ack);

    let stranger = from_caller("BYE", 21401, "nosuchtag", "", "");
    let err = dialogs.handle_request(&stranger).unwrap_err();
    assert_eq!(
        (err.clone(), err.status().code()),
        (DialogError::NoDialog, 481)
    );
    assert_eq!(
        rt_resp(&err.response(&stranger, "x", 0)).head.to.tag(),
        Some("nosuchtag")
    );
    let mut untagged = from_caller("BYE", 21401, "t", "", "");
    untagged.head.to.params.remove("tag");
    let err = dialogs.handle_request(&untagged).unwrap_err();
    assert_eq!(
        (err.clone(), err.status().code()),
        (DialogError::OutOfDialog, 481)
    );
    assert_eq!(
        rt_resp(&err.response(&untagged, "ours", 0)).head.to.tag(),
        Some("ours")
    );
    assert_eq!(dialogs.get(&id).unwrap().state(), DialogState::Confirmed);
}

#[test]
fn uas_early_dialog_rejected_after_ringing() {
    let invite = caller_invite();
    let mut dialogs = Dialogs::new();
    let ringing = Response::for_request(&invite, StatusCode::RINGING)
        .with_to_tag(&our_tag())
        .with_header(HeaderName::Contact, OUR_CONTACT);
    let id = dialogs
        .on_response_sent(&invite, &ringing)
        .unwrap()
        .unwrap();
    // The callee may not BYE an early dialog; a re-INVITE before our answer gets 500.
    assert_eq!(
        dialogs.get_mut(&id).unwrap().bye(via(70)),
        Err(DialogError::NotAllowed(Method::Bye))
    );
    let early_reinvite = from_caller(
        "INVITE",
        21399,
        &our_tag(),
        "Contact: <sip:a@203.0.113.5>",
        "",
    );
    assert_eq!(
        dialogs.handle_request(&early_reinvite),
        Err(DialogError::InviteInProgress)
    );
    let decline = Response::for_request(&invite, StatusCode::DECLINE).with_to_tag(&our_tag());
    dialogs.on_response_sent(&invite, &decline).unwrap();
    assert_eq!(dialogs.get(&id).unwrap().state(), DialogState::Terminated);
    let direct = Dialog::uas(&invite, &decline);
    assert_eq!(direct, Err(DialogError::CannotCreate));
}
