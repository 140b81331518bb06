//! How messages find their transaction (RFC 3261 §17.1.3 and §17.2.3), and the two other
//! lookups the layer needs: the ACK for a 2xx (by dialog, §13.3.1.4) and merged requests
//! (§8.2.2.2).

use crate::headers::{NameAddr, Via};
use crate::message::{Request, Response};
use crate::method::Method;
use crate::uri::Host;

/// The key a transaction is stored under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum TransactionKey {
    /// A client transaction: the branch it put in its Via and the CSeq method (§17.1.3).
    Client {
        /// The branch.
        branch: String,
        /// The request method.
        method: Method,
    },
    /// A server transaction; ACK is keyed as INVITE.
    Server {
        /// Which fields identify the request.
        matcher: ServerMatch,
        /// The request method (INVITE for ACK).
        method: Method,
    },
}

/// The fields that identify a request at a server transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum ServerMatch {
    /// RFC 3261: the branch (with the magic cookie) and the sent-by of the top Via.
    Branch {
        /// The branch.
        branch: String,
        /// The sent-by host, domain names in lower case.
        host: Host,
        /// The sent-by port.
        port: Option<u16>,
    },
    /// RFC 2543 (no magic cookie): Request-URI, To tag, From tag, Call-ID, CSeq number and
    /// the whole top Via.
    Rfc2543 {
        /// The Request-URI as printed.
        uri: String,
        /// The To tag.
        to_tag: Option<String>,
        /// The From tag.
        from_tag: Option<String>,
        /// The Call-ID.
        call_id: String,
        /// The CSeq number.
        cseq: u32,
        /// The top Via as printed.
        via: String,
    },
}

/// The sent-by of a Via, with the host in a form that compares as RFC 3261 §20.42 says.
pub(super) fn sent_by(via: &Via) -> (Host, Option<u16>) {
    let host = match &via.host {
        Host::Domain(d) => Host::Domain(d.to_ascii_lowercase()),
        other => other.clone(),
    };
    (host, via.port)
}

fn tag(addr: &NameAddr) -> Option<String> {
    addr.tag().map(str::to_owned)
}

fn key_method(method: &Method) -> Method {
    match method {
        Method::Ack => Method::Invite,
        m => m.clone(),
    }
}

impl TransactionKey {
    /// The key of a client transaction sending `request`.
    pub(super) fn client(request: &Request) -> Option<Self> {
        let branch = request.head.top_via()?.branch()?.to_owned();
        Some(TransactionKey::Client {
            branch,
            method: request.method.clone(),
        })
    }

    /// The key of the client transaction `response` belongs to.
    pub(super) fn for_response(response: &Response) -> Option<Self> {
        let branch = response.head.top_via()?.branch()?.to_owned();
        Some(TransactionKey::Client {
            branch,
            method: response.head.cseq.method.clone(),
        })
    }

    /// The key of the server transaction `request` belongs to.
    pub(super) fn server(request: &Request) -> Option<Self> {
        let to_tag = tag(&request.head.to);
        Self::server_as(request, &request.method, to_tag)
    }

    /// The key of a server transaction for `request` taken as `method` with the given To
    /// tag (which only RFC 2543 matching looks at): CANCEL finds its INVITE this way.
    pub(super) fn server_as(
        request: &Request,
        method: &Method,
        to_tag: Option<String>,
    ) -> Option<Self> {
        let via = request.head.top_via()?;
        let matcher = match via.branch() {
            Some(branch) if via.is_rfc3261() => {
                let (host, port) = sent_by(via);
                ServerMatch::Branch {
                    branch: branch.to_owned(),
                    host,
                    port,
                }
            }
            _ => ServerMatch::Rfc2543 {
                uri: request.uri.to_string(),
                to_tag,
                from_tag: tag(&request.head.from),
                call_id: request.head.call_id.clone(),
                cseq: request.head.cseq.seq,
                via: via.to_string(),
            },
        };
        Some(TransactionKey::Server {
            matcher,
            method: key_method(method),
        })
    }

    /// Keys an ACK may match, best first. Under RFC 2543 rules the ACK carries the To tag
    /// of the response while the INVITE may have had none, so the INVITE's key without a
    /// To tag is tried too (the caller then checks the response's tag).
    pub(super) fn ack_candidates(ack: &Request) -> Vec<(Self, bool)> {
        let Some(exact) = Self::server(ack) else {
            return Vec::new();
        };
        let is_2543 = matches!(
            exact,
            TransactionKey::Server {
                matcher: ServerMatch::Rfc2543 { .. },
                ..
            }
        );
        let mut out = vec![(exact, false)];
        if is_2543 && ack.head.to.tag().is_some() {
            out.extend(Self::server_as(ack, &Method::Invite, None).map(|k| (k, true)));
        }
        out
    }
}

/// Identifies the ACK for a 2xx: it has its own branch but the dialog's Call-ID, CSeq
/// number and tags (RFC 3261 §13.3.1.4, §17.2.3 last paragraph).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct DialogAckKey {
    call_id: String,
    cseq: u32,
    from_tag: Option<String>,
    to_tag: Option<String>,
}

impl DialogAckKey {
    /// The key of the ACK a 2xx response expects.
    pub(super) fn for_response(response: &Response) -> Self {
        Self {
            call_id: response.head.call_id.clone(),
            cseq: response.head.cseq.seq,
            from_tag: tag(&response.head.from),
            to_tag: tag(&response.head.to),
        }
    }

    /// The key an ACK presents.
    pub(super) fn for_ack(ack: &Request) -> Self {
        Self {
            call_id: ack.head.call_id.clone(),
            cseq: ack.head.cseq.seq,
            from_tag: tag(&ack.head.from),
            to_tag: tag(&ack.head.to),
        }
    }
}

/// Identifies a request for merged-request detection: From tag, Call-ID and CSeq
/// (RFC 3261 §8.2.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct MergeKey {
    from_tag: Option<String>,
    call_id: String,
    cseq: u32,
    method: Method,
}

impl MergeKey {
    /// The key of `request`.
    pub(super) fn of(request: &Request) -> Self {
        Self {
            from_tag: tag(&request.head.from),
            call_id: request.head.call_id.clone(),
            cseq: request.head.cseq.seq,
            method: request.head.cseq.method.clone(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn req(text: &str) -> Request {
        match Message::parse(text.replace('\n', "\r\n").as_bytes()).unwrap() {
            Message::Request(r) => r,
            Message::Response(_) => panic!("not a request"),
        }
    }

    const INVITE: &str = "INVITE sip:bob@example.com SIP/2.0\n\
        Via: SIP/2.0/UDP Pc33.Example.COM:5060;branch=z9hG4bK776asdhds\n\
        From: <sip:alice@example.com>;tag=1928301774\n\
        To: <sip:bob@example.com>\n\
        Call-ID: a84b4c76e66710\n\
        CSeq: 314159 INVITE\n\n";

    #[test]
    fn rfc3261_keys() {
        let inv = req(INVITE);
        let lower = req(&INVITE.replace("Pc33.Example.COM", "pc33.example.com"));
        assert_eq!(TransactionKey::server(&inv), TransactionKey::server(&lower));
        let ack = req(&INVITE
            .replace("INVITE", "ACK")
            .replace("<sip:bob@example.com>\n", "<sip:bob@example.com>;tag=x\n"));
        assert_eq!(TransactionKey::server(&ack), TransactionKey::server(&inv));
        assert_eq!(TransactionKey::ack_candidates(&ack).len(), 1);
        let cancel = req(&INVITE.replace("INVITE", "CANCEL"));
        assert_ne!(
            TransactionKey::server(&cancel),
            TransactionKey::server(&inv)
        );
        let target = TransactionKey::server_as(&cancel, &Method::Invite, None);
        assert_eq!(target, TransactionKey::server(&inv));
        let other_port = req(&INVITE.replace(":5060", ":5070"));
        assert_ne!(
            TransactionKey::server(&other_port),
            TransactionKey::server(&inv)
        );
        assert!(matches!(
            TransactionKey::client(&inv),
            Some(TransactionKey::Client { .. })
        ));
    }

    #[test]
    fn rfc2543_keys() {
        let old = INVITE.replace(";branch=z9hG4bK776asdhds", "");
        let inv = req(&old);
        let ack = req(&old
            .replace("INVITE", "ACK")
            .replace("<sip:bob@example.com>\n", "<sip:bob@example.com>;tag=x\n"));
        let candidates = TransactionKey::ack_candidates(&ack);
        assert_eq!(candidates.len(), 2);
        assert_eq!(
            Some(&candidates[1].0),
            TransactionKey::server(&inv).as_ref()
        );
        let other_cseq = req(&old.replace("314159", "314160"));
        assert_ne!(
            TransactionKey::server(&other_cseq),
            TransactionKey::server(&inv)
        );
        let other_uri = req(&old.replace("INVITE sip:bob@", "INVITE sip:carol@"));
        assert_ne!(
            TransactionKey::server(&other_uri),
            TransactionKey::server(&inv)
        );
    }
}
