//! Other requests within and around dialogs: REFER and its NOTIFYs (RFC 3515), INFO
//! (RFC 6086), OPTIONS (RFC 3261 §11) and the rejections of the UAS checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sip::*;
use support::*;

#[test]
fn refer_and_notify() {
    let invite = caller_invite();
    let mut dialogs = Dialogs::new();
    let id = answer(&mut dialogs, &invite).id;
    let tag = our_tag();
    let refer = from_caller(
        "REFER",
        21399,
        &tag,
        "Refer-To: <sip:bob@example.org>\nReferred-By: <sip:alice@example.org>\nContact: <sip:alice-0x55d3@203.0.113.5:5060>",
        "",
    );
    let got = dialogs.handle_request(&refer).unwrap();
    let RequestKind::Refer { refer_to } = got.kind else {
        panic!("not a REFER: {got:?}")
    };
    assert_eq!(refer_to.uri.to_string(), "sip:bob@example.org");
    rt_resp(&Response::for_request(&refer, StatusCode::ACCEPTED));

    let dialog = dialogs.get_mut(&id).unwrap();
    let trying = rt_req(
        &dialog
            .refer_notify(via(50), Some(21399), StatusCode::TRYING)
            .unwrap(),
    );
    assert_eq!(trying.method, Method::Notify);
    assert_eq!(
        trying.head.headers.get(&HeaderName::Event),
        Some("refer;id=21399")
    );
    assert_eq!(
        trying.head.headers.get(&HeaderName::SubscriptionState),
        Some("active;expires=60")
    );
    assert_eq!(trying.body, b"SIP/2.0 100 Trying\r\n");
    let done = rt_req(&dialog.refer_notify(via(51), None, StatusCode::OK).unwrap());
    assert_eq!(done.head.headers.get(&HeaderName::Event), Some("refer"));
    assert_eq!(
        done.head.headers.get(&HeaderName::SubscriptionState),
        Some("terminated;reason=noresource")
    );
    assert_eq!(
        done.head.headers.get(&HeaderName::ContentType),
        Some("message/sipfrag;version=2.0")
    );
    assert_eq!(done.body, b"SIP/2.0 200 OK\r\n");
    assert_eq!(sipfrag_status(&done.body), Some(StatusCode::OK));
    assert_eq!((trying.head.cseq.seq, done.head.cseq.seq), (1, 2));

    // A REFER of ours, and the caller's NOTIFY back: passed through to the TU.
    let bob = NameAddr::parse("<sip:bob@example.org>").unwrap();
    let ours = rt_req(&dialog.refer(via(52), &bob).unwrap());
    assert_eq!(
        ours.head.headers.get(&HeaderName::ReferTo),
        Some("<sip:bob@example.org>")
    );
    let notify = from_caller(
        "NOTIFY",
        21400,
        &tag,
        "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag;version=2.0",
        "SIP/2.0 486 Busy Here\n",
    );
    assert_eq!(
        dialogs.handle_request(&notify).unwrap().kind,
        RequestKind::Other
    );
    assert_eq!(sipfrag_status(&notify.body), Some(StatusCode::BUSY_HERE));

    let bad = from_caller("REFER", 21401, &tag, "", "");
    let err = dialogs.handle_request(&bad).unwrap_err();
    assert_eq!(
        (err.clone(), err.status().code()),
        (DialogError::MissingReferTo, 400)
    );
}

#[test]
fn info_and_options_pass_through() {
    let invite = caller_invite();
    let mut dialogs = Dialogs::new();
    let id = answer(&mut dialogs, &invite).id;
    let tag = our_tag();
    let dtmf = from_caller(
        "INFO",
        21399,
        &tag,
        "Content-Type: application/dtmf-relay",
        "Signal=5\nDuration=160\n",
    );
    assert_eq!(
        dialogs.handle_request(&dtmf).unwrap().kind,
        RequestKind::Info
    );
    let options = from_caller("OPTIONS", 21400, &tag, "Accept: application/sdp", "");
    assert_eq!(
        dialogs.handle_request(&options).unwrap().kind,
        RequestKind::Other
    );
    let allow = [
        Method::Invite,
        Method::Ack,
        Method::Bye,
        Method::Cancel,
        Method::Options,
        Method::Info,
        Method::Refer,
        Method::Notify,
    ];
    let resp = rt_resp(&options_response(
        &options,
        &allow,
        &[MediaType::sdp()],
        &["replaces"],
        "unused",
    ));
    assert_eq!(resp.head.to.tag(), Some(tag.as_str()));
    assert_eq!(
        resp.head.headers.get(&HeaderName::Allow),
        Some("INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY")
    );

    let dialog = dialogs.get_mut(&id).unwrap();
    let relay = MediaType::new("application", "dtmf-relay");
    let info = rt_req(
        &dialog
            .info(via(60), &relay, b"Signal=1\r\nDuration=100\r\n".to_vec())
            .unwrap(),
    );
    assert_eq!((info.method, info.head.cseq.seq), (Method::Info, 1));
    assert_eq!(info.head.content_type(), Some(relay));
}

#[test]
fn out_of_dialog_options_and_rejections() {
    let ping = request(
        "OPTIONS sip:voxgate@192.0.2.10 SIP/2.0
Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKping1
Max-Forwards: 0
To: <sip:voxgate@192.0.2.10>
From: <sip:monitor@198.51.100.7>;tag=m1
Call-ID: ping-1@198.51.100.7
CSeq: 9 OPTIONS
Accept: application/sdp

",
    );
    let resp = rt_resp(&options_response(
        &ping,
        &[Method::Invite, Method::Options],
        &[MediaType::sdp()],
        &[],
        "t9",
    ));
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.head.to.tag(), Some("t9"));
    assert_eq!(
        resp.head.headers.get(&HeaderName::Allow),
        Some("INVITE, OPTIONS")
    );
    assert_eq!(
        resp.head.headers.get(&HeaderName::Accept),
        Some("application/sdp")
    );
    assert!(!resp.head.headers.contains(&HeaderName::Supported));
    let mut dialogs = Dialogs::new();
    assert_eq!(dialogs.on_response_sent(&ping, &resp), Ok(None));
    assert!(dialogs.is_empty());

    let mut invite = caller_invite();
    invite.head.headers.push(HeaderName::Require, "100rel, foo");
    let rejection = check_request(&invite, &UasPolicy::default()).unwrap_err();
    let resp = rt_resp(&rejection_response(&invite, &rejection, "r1"));
    assert_eq!(resp.status, StatusCode::BAD_EXTENSION);
    assert_eq!(
        resp.head.headers.get(&HeaderName::Unsupported),
        Some("100rel, foo")
    );
    assert_eq!(resp.head.to.tag(), Some("r1"));
    // A final failure to the INVITE creates no dialog.
    assert_eq!(dialogs.on_response_sent(&invite, &resp), Ok(None));
    assert!(dialogs.is_empty());
}
