//! The source policy in the signalling core: every request from the network passes
//! [`Admission`](super::admission::Admission) before the transaction layer sees it; refusals
//! are answered statelessly or dropped, counted in the metrics and logged once per source per
//! interval.

use std::time::Instant;

use sip::{Message, Peer, Request};

use super::admission::{LogLine, Refusal, Verdict};
use super::signalling::Core;
use crate::metrics::{SipRefusal, metrics};

impl Core {
    /// Passes a request through the source policy: on to the transaction layer, answered
    /// statelessly (401/403: no transaction, no retransmission, no record), or dropped.
    pub(crate) fn admit(&mut self, now: Instant, req: Request, peer: Peer) {
        let known = self.txl.has_server_transaction(&req);
        let tag = self.tag();
        match self.admission.check(now, &req, peer.addr.ip(), known, &tag) {
            Verdict::Pass { user } => {
                if let Some(user) = user {
                    tracing::debug!(%user, source = %peer.addr.ip(), "authenticated");
                }
                self.txl.handle_request(now, req, peer);
            }
            Verdict::Answer(resp, why) => {
                metrics().sip_refused(refusal_metric(why));
                self.txl.send_stateless(peer, Message::Response(*resp));
            }
            Verdict::Drop(why) => metrics().sip_refused(refusal_metric(why)),
        }
    }

    /// Logs what the source policy refused, one line per source per interval.
    pub(crate) fn log_refusals(&mut self, now: Instant) {
        while let Some(line) = self.admission.poll_log(now) {
            match line {
                LogLine::First { source, reason } => tracing::info!(
                    source = %source.map_or("others".into(), |s| s.to_string()),
                    reason = reason.as_str(),
                    "SIP source refused (further refusals of this source are summed up)"
                ),
                LogLine::Summary {
                    source,
                    counts,
                    interval,
                } => {
                    let counts: Vec<String> = counts
                        .iter()
                        .map(|(r, n)| format!("{}={n}", r.as_str()))
                        .collect();
                    tracing::info!(
                        source = %source.map_or("others".into(), |s| s.to_string()),
                        refused = %counts.join(","),
                        secs = interval.as_secs(),
                        "SIP source refusals"
                    );
                }
                LogLine::Banned { source, until } => tracing::warn!(
                    %source,
                    secs = until.as_secs(),
                    "SIP source banned"
                ),
            }
        }
    }
}

/// The metric label of a source-policy refusal.
fn refusal_metric(why: Refusal) -> SipRefusal {
    match why {
        Refusal::Challenged | Refusal::NotAllowed => SipRefusal::NotTrusted,
        Refusal::AuthFailed => SipRefusal::AuthFailed,
        Refusal::RateLimited => SipRefusal::RateLimited,
        Refusal::Overloaded => SipRefusal::Overloaded,
        Refusal::Banned => SipRefusal::Banned,
    }
}
