//! re-INVITEs within dialogs (RFC 3261 §14): hold and resume in both directions, glare
//! (491 and its retry interval), and the 500 with Retry-After for overlapping INVITEs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use sip::*;
use support::*;

/// The agent's 200 to our re-INVITE, from a new Contact.
fn reinvite_ok(reinvite: &Request, contact: &str) -> Response {
    rt_resp(
        &Response::for_request(reinvite, StatusCode::OK)
            .with_header(HeaderName::Contact, contact)
            .with_body(
                &MediaType::sdp(),
                sdp("10.1.2.3", 2, "recvonly").into_bytes(),
            ),
    )
}

#[test]
fn hold_and_resume_from_our_side_with_glare() {
    let invite = agent_invite();
    let mut dialogs = Dialogs::new();
    let ok = agent_response(&invite, StatusCode::OK, "ag", LOOSE_RR);
    let id = dialogs.handle_response(&invite, &ok).unwrap().unwrap();

    let hold = dialogs
        .get_mut(&id)
        .unwrap()
        .reinvite(via(30), sdp("192.0.2.10", 2, "sendonly").into_bytes());
    let hold = rt_req(&hold.unwrap());
    assert_eq!(
        (hold.method.clone(), hold.head.cseq.seq),
        (Method::Invite, 102)
    );
    assert!(String::from_utf8_lossy(&hold.body).contains("a=sendonly"));
    assert_eq!(hold.head.content_type(), Some(MediaType::sdp()));
    assert_eq!(hold.head.contact().unwrap().to_string(), OUR_CONTACT);
    let dialog = dialogs.get_mut(&id).unwrap();
    assert!(dialog.sent_invite_pending());
    assert_eq!(
        dialog.reinvite(via(31), Vec::new()),
        Err(DialogError::InviteInProgress)
    );

    // Glare: the agent re-INVITEs while ours is pending → 491.
    let theirs = peer_request(&hold, Method::Invite, 1);
    let err = dialogs.handle_request(&theirs).unwrap_err();
    assert_eq!(
        (err.clone(), err.status().code()),
        (DialogError::RequestPending, 491)
    );
    rt_resp(&err.response(&theirs, "x", 0));

    let moved = "<sip:agent1@10.1.2.4:5062>";
    assert_eq!(
        dialogs.handle_response(&hold, &reinvite_ok(&hold, moved)),
        Ok(Some(id.clone()))
    );
    let dialog = dialogs.get_mut(&id).unwrap();
    assert!(!dialog.sent_invite_pending());
    assert_eq!(
        dialog.remote_target().to_string(),
        "sip:agent1@10.1.2.4:5062"
    );
    let ack = rt_req(&dialog.request(Method::Ack, via(32)).unwrap());
    assert_eq!(
        (ack.head.cseq.seq, ack.uri.to_string().as_str()),
        (102, "sip:agent1@10.1.2.4:5062")
    );

    let resume = rt_req(
        &dialog
            .reinvite(via(33), sdp("192.0.2.10", 3, "sendrecv").into_bytes())
            .unwrap(),
    );
    assert_eq!(resume.head.cseq.seq, 103);
    assert!(String::from_utf8_lossy(&resume.body).contains("a=sendrecv"));
    let pending = Response::for_request(&resume, StatusCode::REQUEST_PENDING);
    dialogs
        .handle_response(&resume, &rt_resp(&pending))
        .unwrap();
    let dialog = dialogs.get_mut(&id).unwrap();
    assert!(!dialog.sent_invite_pending() && dialog.state() == DialogState::Confirmed);
    // We own the Call-ID: retry in 2.1–4 s, in 10 ms steps.
    assert_eq!(dialog.retry_after_491(0), Duration::from_millis(2100));
    assert_eq!(dialog.retry_after_491(190), Duration::from_millis(4000));
    for r in [1, 77, 191, 5000, u32::MAX] {
        let d = dialog.retry_after_491(r);
        assert!(
            d >= Duration::from_millis(2100) && d <= Duration::from_secs(4),
            "{d:?}"
        );
        assert_eq!(d.as_millis() % 10, 0);
    }
    let retry = rt_req(
        &dialog
            .reinvite(via(34), sdp("192.0.2.10", 3, "sendrecv").into_bytes())
            .unwrap(),
    );
    assert_eq!(retry.head.cseq.seq, 104);
}

/// A request from the peer of a UAC dialog, mirroring one of ours (`ours`): swapped tags
/// and URIs, a new CSeq.
fn peer_request(ours: &Request, method: Method, seq: u32) -> Request {
    let mut req = ours.clone();
    req.method = method.clone();
    req.uri = Uri::parse("sip:voxgate@192.0.2.10:5060").unwrap();
    std::mem::swap(&mut req.head.from, &mut req.head.to);
    req.head.via = vec![sip::Via::parse("SIP/2.0/UDP 10.1.2.3:5062;branch=z9hG4bKpeer1").unwrap()];
    req.head.cseq = sip::CSeq { seq, method };
    req.head.headers = sip::Headers::new();
    req.head
        .headers
        .push(HeaderName::Contact, "<sip:agent1@10.1.2.3:5062>");
    rt_req(&req)
}

#[test]
fn hold_and_resume_from_their_side() {
    let invite = caller_invite();
    let mut dialogs = Dialogs::new();
    let id = answer(&mut dialogs, &invite).id;
    let tag = our_tag();
    let moved = "Contact: <sip:alice-0x55d3@203.0.113.9:5060>\nContent-Type: application/sdp";
    let hold = from_caller(
        "INVITE",
        21399,
        &tag,
        moved,
        &sdp("203.0.113.9", 2, "sendonly"),
    );
    assert_eq!(
        dialogs.handle_request(&hold).unwrap().kind,
        RequestKind::ReInvite
    );
    let dialog = dialogs.get_mut(&id).unwrap();
    assert!(dialog.received_invite_pending());
    assert_eq!(
        dialog.remote_target().to_string(),
        "sip:alice-0x55d3@203.0.113.9:5060"
    );
    // We may not re-INVITE while theirs is unanswered.
    assert_eq!(
        dialog.reinvite(via(40), Vec::new()),
        Err(DialogError::InviteInProgress)
    );

    // A second re-INVITE before we answer the first: 500 with Retry-After 0–10 s.
    let second = from_caller(
        "INVITE",
        21400,
        &tag,
        moved,
        &sdp("203.0.113.9", 3, "sendrecv"),
    );
    let err = dialogs.handle_request(&second).unwrap_err();
    assert_eq!(
        (err.clone(), err.status().code()),
        (DialogError::InviteInProgress, 500)
    );
    let resp = rt_resp(&err.response(&second, "x", 27));
    assert_eq!(resp.head.headers.get(&HeaderName::RetryAfter), Some("5"));
    let r = err.response(&second, "x", u32::MAX);
    let secs: u32 = r
        .head
        .headers
        .get(&HeaderName::RetryAfter)
        .unwrap()
        .parse()
        .unwrap();
    assert!(secs <= 10);

    let ok = Response::for_request(&hold, StatusCode::OK)
        .with_header(HeaderName::Contact, OUR_CONTACT)
        .with_body(
            &MediaType::sdp(),
            sdp("192.0.2.10", 2, "recvonly").into_bytes(),
        );
    assert_eq!(
        dialogs.on_response_sent(&hold, &rt_resp(&ok)),
        Ok(Some(id.clone()))
    );
    assert!(!dialogs.get(&id).unwrap().received_invite_pending());
    let ack = from_caller("ACK", 21399, &tag, "", "");
    assert_eq!(dialogs.handle_request(&ack).unwrap().kind, RequestKind::Ack);

    let resume = from_caller(
        "INVITE",
        21401,
        &tag,
        moved,
        &sdp("203.0.113.9", 4, "sendrecv"),
    );
    assert_eq!(
        dialogs.handle_request(&resume).unwrap().kind,
        RequestKind::ReInvite
    );
    let ok = Response::for_request(&resume, StatusCode::OK)
        .with_header(HeaderName::Contact, OUR_CONTACT);
    dialogs.on_response_sent(&resume, &rt_resp(&ok)).unwrap();
    let dialog = dialogs.get_mut(&id).unwrap();
    assert!(!dialog.received_invite_pending());

    // Now our own re-INVITE, and its 491: we do not own the Call-ID, so 0–2 s.
    let ours = rt_req(
        &dialog
            .reinvite(via(41), sdp("192.0.2.10", 3, "sendonly").into_bytes())
            .unwrap(),
    );
    assert_eq!(ours.head.cseq.seq, 1);
    assert_eq!(ours.uri.to_string(), "sip:alice-0x55d3@203.0.113.9:5060");
    dialog
        .handle_response(&Response::for_request(&ours, StatusCode::REQUEST_PENDING))
        .unwrap();
    assert_eq!(dialog.retry_after_491(0), Duration::ZERO);
    assert_eq!(dialog.retry_after_491(200), Duration::from_secs(2));
    for r in [3, 201, 999, u32::MAX] {
        assert!(dialog.retry_after_491(r) <= Duration::from_secs(2));
    }
}
