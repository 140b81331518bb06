//! Messages the layer builds itself: the ACK for a non-2xx final response (§17.1.1.3),
//! CANCEL (§9.1), 100 Trying (§8.2.6.1), and its own final responses (481, 482, 487, 200
//! to CANCEL).

use crate::headers::{CSeq, HeaderName, Headers};
use crate::message::{Head, Request, Response};
use crate::method::Method;
use crate::status::StatusCode;

const MAX_FORWARDS: u8 = 70;

/// The Route fields of `request`, in order.
fn routes(request: &Request) -> Headers {
    let mut headers = Headers::new();
    for route in request.head.headers.get_all(&HeaderName::Route) {
        headers.push(HeaderName::Route, route);
    }
    headers
}

/// A request sharing `original`'s Request-URI, Call-ID, From, CSeq number, top Via and
/// Route fields, with the given method and To.
fn sibling(original: &Request, method: Method, to: crate::headers::NameAddr) -> Request {
    Request {
        method: method.clone(),
        uri: original.uri.clone(),
        head: Head {
            via: original.head.via.iter().take(1).cloned().collect(),
            from: original.head.from.clone(),
            to,
            call_id: original.head.call_id.clone(),
            cseq: CSeq {
                seq: original.head.cseq.seq,
                method,
            },
            max_forwards: Some(MAX_FORWARDS),
            headers: routes(original),
        },
        body: Vec::new(),
    }
}

/// The ACK for a non-2xx final response to `invite` (RFC 3261 §17.1.1.3): the INVITE's
/// Request-URI, Call-ID, From, CSeq number, top Via and Route fields, and the response's
/// To (with its tag).
pub(super) fn ack_for(invite: &Request, response: &Response) -> Request {
    sibling(invite, Method::Ack, response.head.to.clone())
}

/// The CANCEL for `invite` (RFC 3261 §9.1): the INVITE's Request-URI, Call-ID, From, To,
/// CSeq number, top Via and Route fields.
pub(super) fn cancel_for(invite: &Request) -> Request {
    sibling(invite, Method::Cancel, invite.head.to.clone())
}

/// The automatic 100 Trying for `invite`, echoing its Timestamp (§8.2.6.1). It carries no
/// To tag.
pub(super) fn trying_for(invite: &Request) -> Response {
    let mut response = Response::for_request(invite, StatusCode::TRYING);
    if let Some(ts) = invite.head.headers.get(&HeaderName::Timestamp) {
        response.head.headers.push(HeaderName::Timestamp, ts);
    }
    response
}

/// A final response from the layer, with `to_tag` unless the request already had one.
pub(super) fn reply(request: &Request, status: StatusCode, to_tag: &str) -> Response {
    Response::for_request(request, status).with_to_tag(to_tag)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn parse(text: &str) -> Message {
        Message::parse(text.replace('\n', "\r\n").as_bytes()).unwrap()
    }

    const INVITE: &str = "INVITE sip:bob@biloxi.example.com SIP/2.0\n\
        Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9\n\
        Max-Forwards: 69\n\
        Route: <sip:p1.example.com;lr>\n\
        Route: <sip:p2.example.com;lr>\n\
        From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\n\
        To: Bob <sip:bob@biloxi.example.com>\n\
        Call-ID: 3848276298220188511@atlanta.example.com\n\
        CSeq: 2 INVITE\n\
        Timestamp: 54\n\
        Contact: <sip:alice@client.atlanta.example.com>\n\
        Content-Type: application/sdp\n\n\
        v=0\n";

    #[test]
    fn cancel_and_ack_copy_the_invite() {
        let Message::Request(invite) = parse(INVITE) else {
            panic!()
        };
        let cancel = cancel_for(&invite);
        assert_eq!(cancel.method, Method::Cancel);
        assert_eq!(cancel.uri, invite.uri);
        assert_eq!(cancel.head.via, invite.head.via);
        assert_eq!(cancel.head.to, invite.head.to);
        assert_eq!(cancel.head.cseq.to_string(), "2 CANCEL");
        assert_eq!(cancel.head.headers.get_all(&HeaderName::Route).count(), 2);
        assert!(!cancel.head.headers.contains(&HeaderName::Contact));
        assert!(cancel.body.is_empty());

        let busy = reply(&invite, StatusCode::BUSY_HERE, "8321234356");
        let ack = ack_for(&invite, &busy);
        assert_eq!(ack.head.to.tag(), Some("8321234356"));
        assert_eq!(ack.head.cseq.to_string(), "2 ACK");
        assert_eq!(ack.head.via[0].branch(), Some("z9hG4bK74bf9"));
        assert!(
            matches!(parse(&String::from_utf8(ack.to_bytes()).unwrap().replace("\r\n", "\n")), Message::Request(r) if r == ack)
        );

        let trying = trying_for(&invite);
        assert_eq!(trying.head.to.tag(), None);
        assert_eq!(trying.head.headers.get(&HeaderName::Timestamp), Some("54"));
    }
}
