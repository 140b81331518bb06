//! Print/parse round trips, one test per header type: each value parses, prints in canonical
//! form, and the printed form parses back to an equal value; and the same header carried in a
//! whole message survives print → parse.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sip::{
    CSeq, Contact, HeaderName, MediaType, Message, NameAddr, RetryAfter, Uri, Via,
    parse_delta_seconds, parse_max_forwards, parse_token_list,
};

/// A minimal request carrying `extra` header lines, parsed, printed and reparsed.
fn through_message(extra: &str) -> sip::Request {
    let text = format!(
        "OPTIONS sip:svc@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
         From: <sip:a@example.com>;tag=1\r\nTo: <sip:svc@example.com>\r\nCall-ID: c1@x\r\n\
         CSeq: 1 OPTIONS\r\n{extra}Content-Length: 0\r\n\r\n"
    );
    let Message::Request(r) = Message::parse(text.as_bytes()).expect("parses") else {
        panic!("request expected")
    };
    let again = Message::parse(&r.to_bytes()).expect("reparses");
    assert_eq!(
        again,
        Message::Request(r.clone()),
        "message round trip for {extra:?}"
    );
    r
}

#[test]
fn via() {
    for s in [
        "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport",
        "SIP/2.0/TCP [2001:db8::9]:5061;branch=z9hG4bK-x;received=2001:db8::1",
        "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7;alias",
        "SIP / 2.0 / udp host.example.com ; branch = z9hG4bK77 ; ttl=1",
    ] {
        let v = Via::parse(s).unwrap();
        assert_eq!(Via::parse(&v.to_string()).unwrap(), v, "{s}");
    }
    let r = through_message(
        "Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK2, SIP/2.0/TCP q;branch=z9hG4bK3\r\n",
    );
    assert_eq!(r.head.via.len(), 3);
}

#[test]
fn name_addr_from_to_route_record_route() {
    for s in [
        "\"Alice \\\"A\\\" Smith\" <sip:alice@example.com>;tag=88sja8x",
        "Bob <sips:bob@[2001:db8::1]:5061;transport=tls>",
        "<tel:+1-201-555-0123;phone-context=example.com>;tag=x",
        "sip:carol@example.com;tag=abc",
        "<sip:p1.example.com;lr>",
    ] {
        let a = NameAddr::parse(s).unwrap();
        assert_eq!(NameAddr::parse(&a.to_string()).unwrap(), a, "{s}");
    }
    let r = through_message(
        "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\nRecord-Route: <sip:rr.example.com;lr;ftag=1>\r\n",
    );
    assert_eq!(r.head.addresses(&HeaderName::Route).unwrap().len(), 2);
    assert_eq!(r.head.addresses(&HeaderName::RecordRoute).unwrap().len(), 1);
}

#[test]
fn contact() {
    for s in [
        "*",
        "<sip:a@192.0.2.4:5062;transport=tcp>;expires=3600;q=0.7, \"B\" <sip:b@h>",
    ] {
        let v = Contact::parse_list(s).unwrap();
        let printed: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(Contact::parse_list(&printed.join(", ")).unwrap(), v, "{s}");
    }
    let r = through_message(
        "Contact: <sip:a@192.0.2.4>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"\r\n",
    );
    assert!(r.head.contact().is_some());
}

#[test]
fn cseq() {
    for s in ["1 INVITE", "2147483647 BYE", "4711 NEWMETHOD"] {
        let c = CSeq::parse(s).unwrap();
        assert_eq!(c.to_string(), s);
        assert_eq!(CSeq::parse(&c.to_string()).unwrap(), c);
    }
}

#[test]
fn uris() {
    for s in [
        "sip:alice:secret@example.com:5070;transport=tcp;lr?subject=project%20x&priority=urgent",
        "sips:[::1]",
        "tel:+358-555-1234567;postd=pp22",
        "urn:service:sos",
    ] {
        let u = Uri::parse(s).unwrap();
        assert_eq!(u.to_string(), s);
        assert_eq!(Uri::parse(&u.to_string()).unwrap(), u);
    }
}

#[test]
fn content_type_and_accept() {
    for s in [
        "application/sdp",
        "multipart/mixed;boundary=\"a b\"",
        "message/sipfrag;version=2.0",
    ] {
        let m = MediaType::parse(s).unwrap();
        assert_eq!(MediaType::parse(&m.to_string()).unwrap(), m, "{s}");
    }
    let list = MediaType::parse_list("application/sdp;level=1, */*;q=0.1").unwrap();
    let printed: Vec<String> = list.iter().map(ToString::to_string).collect();
    assert_eq!(MediaType::parse_list(&printed.join(", ")).unwrap(), list);
    let r = through_message("Accept: application/sdp, application/dtmf-relay\r\n");
    assert!(r.head.headers.contains(&HeaderName::Accept));
}

#[test]
fn option_tag_and_method_lists() {
    for (name, s) in [
        ("Require", "100rel, timer"),
        ("Supported", "replaces,norefersub"),
        ("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"),
    ] {
        let v = parse_token_list(s).unwrap();
        assert_eq!(parse_token_list(&v.join(", ")).unwrap(), v, "{name}");
        let r = through_message(&format!("{name}: {s}\r\n"));
        assert_eq!(r.head.tokens(&HeaderName::from_token(name)), v);
    }
}

#[test]
fn numbers() {
    assert_eq!(
        parse_max_forwards(&parse_max_forwards("70").unwrap().to_string()),
        Ok(70)
    );
    assert_eq!(
        parse_delta_seconds(&parse_delta_seconds("3600").unwrap().to_string()),
        Ok(3600)
    );
    let ra = RetryAfter::parse("120;duration=60").unwrap();
    assert_eq!(RetryAfter::parse(&ra.to_string()).unwrap(), ra);
    let r = through_message("Max-Forwards: 69\r\nExpires: 300\r\nRetry-After: 5\r\n");
    assert_eq!(r.head.max_forwards, Some(69));
}

#[test]
fn call_id_and_extension_headers() {
    let r = through_message(
        "X-Caller-Segment: gold; region=\"eu west\"\r\nUser-Agent: voxgate/0.1 (test)\r\nSubject: Order 4711\r\n",
    );
    assert_eq!(
        r.head
            .headers
            .get(&HeaderName::from_token("x-caller-segment")),
        Some("gold; region=\"eu west\"")
    );
    assert_eq!(r.head.call_id, "c1@x");
}
