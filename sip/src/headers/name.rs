//! Header field names: the known ones as an enum (with RFC 3261 §7.3.3 compact forms),
//! anything else kept as received.

use std::fmt;

macro_rules! header_names {
    ($( $variant:ident => $name:literal $(, $compact:literal)? ;)*) => {
        /// A header field name. Known names compare and print canonically; compact forms
        /// (`v`, `f`, `t`, `i`, `m`, `l`, `c`, …) parse to the long form.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum HeaderName {
            $(
                #[doc = $name]
                $variant,
            )*
            /// An extension header, with its name as received.
            Other(Box<str>),
        }

        impl HeaderName {
            /// The canonical long name.
            pub fn as_str(&self) -> &str {
                match self {
                    $(HeaderName::$variant => $name,)*
                    HeaderName::Other(s) => s,
                }
            }

            /// Looks a name up case-insensitively, compact forms included. The caller
            /// has checked that it is a token.
            pub fn from_token(s: &str) -> HeaderName {
                $(
                    if s.eq_ignore_ascii_case($name) $(|| s.eq_ignore_ascii_case($compact))? {
                        return HeaderName::$variant;
                    }
                )*
                HeaderName::Other(s.into())
            }
        }
    };
}

header_names! {
    Via => "Via", "v";
    From => "From", "f";
    To => "To", "t";
    CallId => "Call-ID", "i";
    CSeq => "CSeq";
    MaxForwards => "Max-Forwards";
    Contact => "Contact", "m";
    ContentLength => "Content-Length", "l";
    ContentType => "Content-Type", "c";
    ContentEncoding => "Content-Encoding", "e";
    ContentDisposition => "Content-Disposition";
    ContentLanguage => "Content-Language";
    Route => "Route";
    RecordRoute => "Record-Route";
    Accept => "Accept";
    AcceptEncoding => "Accept-Encoding";
    AcceptLanguage => "Accept-Language";
    Allow => "Allow";
    AllowEvents => "Allow-Events", "u";
    Authorization => "Authorization";
    AuthenticationInfo => "Authentication-Info";
    ProxyAuthenticate => "Proxy-Authenticate";
    ProxyAuthorization => "Proxy-Authorization";
    WwwAuthenticate => "WWW-Authenticate";
    Require => "Require";
    ProxyRequire => "Proxy-Require";
    Supported => "Supported", "k";
    Unsupported => "Unsupported";
    Expires => "Expires";
    MinExpires => "Min-Expires";
    RetryAfter => "Retry-After";
    Event => "Event", "o";
    SubscriptionState => "Subscription-State";
    ReferTo => "Refer-To", "r";
    ReferredBy => "Referred-By", "b";
    Replaces => "Replaces";
    SessionExpires => "Session-Expires", "x";
    MinSe => "Min-SE";
    Subject => "Subject", "s";
    Date => "Date";
    Timestamp => "Timestamp";
    UserAgent => "User-Agent";
    Server => "Server";
    Warning => "Warning";
    Reason => "Reason";
    Rseq => "RSeq";
    Rack => "RAck";
    Identity => "Identity", "y";
    Priority => "Priority";
    Organization => "Organization";
    CallInfo => "Call-Info";
    AlertInfo => "Alert-Info";
    ErrorInfo => "Error-Info";
    InReplyTo => "In-Reply-To";
    MimeVersion => "MIME-Version";
    ReplyTo => "Reply-To";
}

impl HeaderName {
    /// Whether the header may appear once only (RFC 3261 §7.3.1 lists which headers are
    /// comma-separated lists; the others must not repeat).
    pub fn is_single_valued(&self) -> bool {
        matches!(
            self,
            HeaderName::From
                | HeaderName::To
                | HeaderName::CallId
                | HeaderName::CSeq
                | HeaderName::MaxForwards
                | HeaderName::ContentLength
                | HeaderName::ContentType
                | HeaderName::Expires
                | HeaderName::MinExpires
                | HeaderName::ReferTo
                | HeaderName::Rseq
                | HeaderName::Rack
                | HeaderName::SessionExpires
                | HeaderName::SubscriptionState
                | HeaderName::Event
        )
    }
}

/// Header names compare case-insensitively (RFC 3261 §7.3.1), extension names included.
impl PartialEq for HeaderName {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (HeaderName::Other(_), _) | (_, HeaderName::Other(_)) => {
                self.as_str().eq_ignore_ascii_case(other.as_str())
            }
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

impl Eq for HeaderName {}

impl std::hash::Hash for HeaderName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.as_str().bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_case_insensitive() {
        assert_eq!(HeaderName::from_token("v"), HeaderName::Via);
        assert_eq!(
            HeaderName::from_token("MaX-fOrWaRdS"),
            HeaderName::MaxForwards
        );
        assert_eq!(HeaderName::from_token("i"), HeaderName::CallId);
        assert_eq!(HeaderName::from_token("L"), HeaderName::ContentLength);
        assert_eq!(HeaderName::from_token("C%6Fntact").as_str(), "C%6Fntact");
        assert_eq!(HeaderName::CallId.to_string(), "Call-ID");
        assert_eq!(
            HeaderName::from_token("X-Foo"),
            HeaderName::from_token("x-foo")
        );
        assert_ne!(
            HeaderName::from_token("X-Foo"),
            HeaderName::from_token("X-Bar")
        );
        assert_eq!(HeaderName::Other("via".into()), HeaderName::Via);
    }
}
