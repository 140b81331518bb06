//! Call transfer within a dialog (RFC 3515): REFER with Refer-To, and the NOTIFYs that
//! report the referred request's progress as a `message/sipfrag` status line.

use super::{Dialog, DialogError};
use crate::headers::{HeaderName, MediaType, NameAddr, Via};
use crate::message::Request;
use crate::method::Method;
use crate::status::StatusCode;

/// Seconds the implicit REFER subscription stays active in our NOTIFYs.
const REFER_EXPIRES: u32 = 60;

impl Dialog {
    /// A REFER asking the peer to contact `refer_to` (blind transfer).
    pub fn refer(&mut self, via: Via, refer_to: &NameAddr) -> Result<Request, DialogError> {
        let mut req = self.request(Method::Refer, via)?;
        req.head
            .headers
            .push(HeaderName::ReferTo, refer_to.to_string());
        Ok(req)
    }

    /// A NOTIFY reporting `status` of the request a REFER made us send (RFC 3515 §2.4.4):
    /// `Event: refer` (with `;id=` the REFER's CSeq number when given), the subscription
    /// active while `status` is provisional and `terminated;reason=noresource` once it is
    /// final, and a `message/sipfrag` body holding the status line.
    pub fn refer_notify(
        &mut self,
        via: Via,
        refer_cseq: Option<u32>,
        status: StatusCode,
    ) -> Result<Request, DialogError> {
        let mut req = self.request(Method::Notify, via)?;
        let event = match refer_cseq {
            Some(id) => format!("refer;id={id}"),
            None => "refer".to_owned(),
        };
        let state = if status.is_final() {
            "terminated;reason=noresource".to_owned()
        } else {
            format!("active;expires={REFER_EXPIRES}")
        };
        req.head.headers.push(HeaderName::Event, event);
        req.head.headers.push(HeaderName::SubscriptionState, state);
        let mut sipfrag = MediaType::new("message", "sipfrag");
        sipfrag.params.set("version", Some("2.0"));
        let body = format!("SIP/2.0 {status} {}\r\n", status.reason());
        Ok(req.with_body(&sipfrag, body.into_bytes()))
    }
}

/// The status code in a `message/sipfrag` NOTIFY body (`SIP/2.0 180 Ringing`), as a REFER's
/// sender reads the transfer's progress. `None` when the body is not a status line.
pub fn sipfrag_status(body: &[u8]) -> Option<StatusCode> {
    let text = std::str::from_utf8(body).ok()?;
    let line = text.trim_start_matches(['\r', '\n']).lines().next()?;
    let mut parts = line.split(' ');
    let version = parts.next()?;
    if !version.eq_ignore_ascii_case("SIP/2.0") {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 || !code.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    StatusCode::new(code.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sipfrag_bodies() {
        assert_eq!(sipfrag_status(b"SIP/2.0 200 OK\r\n"), Some(StatusCode::OK));
        assert_eq!(
            sipfrag_status(b"SIP/2.0 100 Trying"),
            Some(StatusCode::TRYING)
        );
        assert_eq!(
            sipfrag_status(b"sip/2.0 603 Declined\r\nFoo: x\r\n"),
            Some(StatusCode::DECLINE)
        );
        for bad in [
            &b""[..],
            b"SIP/2.0",
            b"SIP/2.0 2000 OK",
            b"SIP/3.0 200 OK",
            b"\xff",
            b"SIP/2.0 099 x",
        ] {
            assert_eq!(sipfrag_status(bad), None);
        }
    }
}
