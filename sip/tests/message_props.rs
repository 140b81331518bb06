//! Properties of the message parser and printer:
//!
//! - printing any valid request or response and parsing it back gives the same value
//!   (the generators only build values in the normal form the parser produces: header
//!   values trimmed, Via transport in upper case, known header names and methods as their
//!   enum variants, display names unquoted);
//! - no input panics `Message::parse`: arbitrary bytes, and RFC 4475's wsinv (or a typical
//!   INVITE) with bytes flipped, cut, inserted and deleted; whatever does parse prints to
//!   bytes that parse back to the same message;
//! - `StreamDecoder` yields the same items whatever the sizes of the pushed chunks.
#![allow(clippy::unwrap_used)]

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use sip::{
    CSeq, Head, HeaderName, Headers, Host, Limits, Message, Method, NameAddr, Params, ParseError,
    Request, Response, SipUri, StatusCode, StreamDecoder, StreamItem, TelUri, Uri, Via,
};

// ---------------------------------------------------------------------------------------
// Lexical pieces (RFC 3261 §25.1)
// ---------------------------------------------------------------------------------------

const TOKEN: &str = r"[A-Za-z0-9.!%*_+`'~-]{1,10}";
/// Token characters plus `:` `[` `]`: the unquoted `gen-value` of header parameters.
const GEN_VALUE: &str = r"[A-Za-z0-9.!%*_+`'~:\[\]-]{1,12}";
const WORD: &str = r#"[A-Za-z0-9.!%*_+`'~()<>:\\"/\[\]?{}-]{1,16}"#;
const USER: &str = r"([A-Za-z0-9_.!~*'()&=+$,;?/-]|%[0-9A-Fa-f]{2}){1,12}";
const PASSWORD: &str = r"([A-Za-z0-9_.!~*'()&=+$,-]|%[0-9A-Fa-f]{2}){0,8}";
const PARAMCHARS: &str = r"([A-Za-z0-9_.!~*'()\[\]/:&+$-]|%[0-9A-Fa-f]{2}){1,8}";
const URI_HNAME: &str = r"([A-Za-z0-9_.!~*'()\[\]/?:+$-]|%[0-9A-Fa-f]{2}){1,8}";
const URI_HVALUE: &str = r"([A-Za-z0-9_.!~*'()\[\]/?:+$-]|%[0-9A-Fa-f]{2}){0,8}";

const KNOWN_METHODS: [&str; 14] = [
    "INVITE",
    "ACK",
    "BYE",
    "CANCEL",
    "OPTIONS",
    "REGISTER",
    "INFO",
    "PRACK",
    "UPDATE",
    "REFER",
    "SUBSCRIBE",
    "NOTIFY",
    "MESSAGE",
    "PUBLISH",
];

/// `"…"` with `"` and `\` escaped.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn trimmed(s: String) -> String {
    s.trim_matches([' ', '\t']).to_owned()
}

fn params_of(list: &[(String, Option<String>)]) -> Params {
    let mut p = Params::new();
    for (name, value) in list {
        p.set(name, value.as_deref());
    }
    p
}

// ---------------------------------------------------------------------------------------
// Generators of values in normal form
// ---------------------------------------------------------------------------------------

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        select(KNOWN_METHODS.to_vec()).prop_map(|m| Method::parse(m).unwrap()),
        TOKEN
            .prop_filter("an extension method", |t| !KNOWN_METHODS
                .contains(&t.as_str()))
            .prop_map(|t| Method::Other(t.into())),
    ]
}

fn domain() -> impl Strategy<Value = String> {
    // The first label starts with a letter, so the name never reads as an IPv4 address.
    vec("[A-Za-z]([A-Za-z0-9_-]{0,8}[A-Za-z0-9])?", 1..4).prop_map(|l| l.join("."))
}

fn ipv6() -> impl Strategy<Value = Ipv6Addr> {
    prop_oneof![
        any::<u128>(),
        // Mostly zeros, so that `::` compression and IPv4-looking tails show up.
        (any::<u16>(), any::<u32>()).prop_map(|(a, b)| (u128::from(a) << 112) | u128::from(b)),
    ]
    .prop_map(Ipv6Addr::from)
}

fn host() -> impl Strategy<Value = Host> {
    prop_oneof![
        domain().prop_map(Host::Domain),
        any::<[u8; 4]>().prop_map(|o| Host::V4(Ipv4Addr::from(o))),
        ipv6().prop_map(Host::V6),
    ]
}

fn uri_params() -> impl Strategy<Value = Params> {
    vec((PARAMCHARS, option::of(PARAMCHARS)), 0..4).prop_map(|l| params_of(&l))
}

fn sip_uri(with_headers: bool) -> BoxedStrategy<SipUri> {
    let headers = if with_headers {
        vec((URI_HNAME, URI_HVALUE), 0..3).boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let userinfo = option::of((USER, option::of(PASSWORD)));
    (
        any::<bool>(),
        userinfo,
        host(),
        option::of(any::<u16>()),
        uri_params(),
        headers,
    )
        .prop_map(|(secure, userinfo, host, port, params, headers)| {
            let (user, password) = userinfo.map_or((None, None), |(u, p)| (Some(u), p));
            SipUri {
                secure,
                user,
                password,
                host,
                port,
                params,
                headers,
            }
        })
        .boxed()
}

fn tel_uri() -> impl Strategy<Value = TelUri> {
    (r"\+?[0-9A-Fa-f*#().-]{1,12}", uri_params())
        .prop_map(|(number, params)| TelUri { number, params })
}

/// A sip, sips or tel URI; `with_headers` allows `?name=value` (not in a Request-URI).
fn uri(with_headers: bool) -> BoxedStrategy<Uri> {
    prop_oneof![
        4 => sip_uri(with_headers).prop_map(Uri::Sip),
        1 => tel_uri().prop_map(Uri::Tel),
    ]
    .boxed()
}

fn gen_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => GEN_VALUE,
        1 => r"[ -~]{0,10}".prop_map(|s| quoted(&s)),
    ]
}

fn header_params() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    vec((TOKEN, option::of(gen_value())), 0..3)
}

fn display_name() -> impl Strategy<Value = String> {
    prop_oneof![r"[ -~]{0,16}", r#"[ "\\a<>,;]{0,8}"#, r"[^\r\n]{0,8}",]
}

/// A name-addr; From and To (`tagged`) get an optional tag after the other parameters.
fn name_addr(tagged: bool) -> BoxedStrategy<NameAddr> {
    let tag = if tagged {
        option::of(TOKEN).boxed()
    } else {
        Just(None).boxed()
    };
    (option::of(display_name()), uri(true), header_params(), tag)
        .prop_map(|(display, uri, mut params, tag)| {
            if let Some(t) = tag {
                params.push(("tag".into(), Some(t)));
            }
            NameAddr {
                display,
                uri,
                params: params_of(&params),
            }
        })
        .boxed()
}

fn via() -> BoxedStrategy<Via> {
    let version = prop_oneof![4 => Just("2.0".to_owned()), 1 => TOKEN.prop_map(String::from)];
    let transport = prop_oneof![
        select(vec!["UDP", "TCP", "TLS", "SCTP", "WS", "WSS"]).prop_map(String::from),
        TOKEN.prop_map(|t| t.to_ascii_uppercase()),
    ];
    let received = prop_oneof![
        any::<[u8; 4]>().prop_map(|o| Ipv4Addr::from(o).to_string()),
        ipv6().prop_map(|a| a.to_string()),
        domain(),
    ];
    (
        version,
        transport,
        host(),
        option::of(any::<u16>()),
        option::of(TOKEN),
        option::of(option::of(any::<u16>())),
        option::of(received),
        header_params(),
    )
        .prop_map(
            |(version, transport, host, port, branch, rport, received, extra)| {
                let mut params = Vec::new();
                if let Some(b) = branch {
                    params.push(("branch".to_owned(), Some(format!("z9hG4bK{b}"))));
                }
                if let Some(r) = rport {
                    params.push(("rport".to_owned(), r.map(|p| p.to_string())));
                }
                if let Some(r) = received {
                    params.push(("received".to_owned(), Some(r)));
                }
                params.extend(extra);
                Via {
                    version,
                    transport,
                    host,
                    port,
                    params: params_of(&params),
                }
            },
        )
        .boxed()
}

fn call_id() -> impl Strategy<Value = String> {
    (WORD, option::of(WORD)).prop_map(|(a, b)| match b {
        Some(b) => format!("{a}@{b}"),
        None => a,
    })
}

fn printable() -> impl Strategy<Value = String> {
    prop_oneof![r"[ -~\t]{0,30}", r"[^\r\n]{0,12}"].prop_map(trimmed)
}

fn address_list() -> impl Strategy<Value = String> {
    vec(name_addr(false), 1..3).prop_map(|v| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

fn token_list() -> impl Strategy<Value = String> {
    vec(TOKEN, 1..4).prop_map(|v| v.join(", "))
}

/// Header fields other than the typed core ones: extension headers, Contact, Route,
/// Record-Route, option-tag lists, free text, and at most one Content-Type and Expires.
fn other_headers() -> BoxedStrategy<Headers> {
    let field = prop_oneof![
        3 => (r"X-[A-Za-z0-9.!%*_+`'~-]{1,10}", printable())
            .prop_map(|(n, v)| (HeaderName::Other(n.into()), v)),
        1 => address_list().prop_map(|v| (HeaderName::Contact, v)),
        1 => Just((HeaderName::Contact, "*".to_owned())),
        1 => address_list().prop_map(|v| (HeaderName::Route, v)),
        1 => address_list().prop_map(|v| (HeaderName::RecordRoute, v)),
        1 => token_list().prop_map(|v| (HeaderName::Allow, v)),
        1 => token_list().prop_map(|v| (HeaderName::Supported, v)),
        1 => printable().prop_map(|v| (HeaderName::UserAgent, v)),
        1 => printable().prop_map(|v| (HeaderName::Subject, v)),
    ];
    let content_type = ("[a-z0-9.+-]{1,10}", "[a-z0-9.+-]{1,10}", header_params())
        .prop_map(|(t, s, p)| format!("{t}/{s}{}", params_of(&p)));
    (
        vec(field, 0..6),
        option::of(content_type),
        option::of(any::<u32>()),
    )
        .prop_flat_map(|(mut fields, content_type, expires)| {
            if let Some(ct) = content_type {
                fields.push((HeaderName::ContentType, ct));
            }
            if let Some(e) = expires {
                fields.push((HeaderName::Expires, e.to_string()));
            }
            Just(fields).prop_shuffle()
        })
        .prop_map(|fields| {
            let mut h = Headers::new();
            for (name, value) in fields {
                h.push(name, value);
            }
            h
        })
        .boxed()
}

fn head(method: Method) -> BoxedStrategy<Head> {
    (
        vec(via(), 1..4),
        name_addr(true),
        name_addr(true),
        call_id(),
        0..(1u32 << 31),
        option::of(any::<u8>()),
        other_headers(),
    )
        .prop_map(
            move |(via, from, to, call_id, seq, max_forwards, headers)| Head {
                via,
                from,
                to,
                call_id,
                cseq: CSeq {
                    seq,
                    method: method.clone(),
                },
                max_forwards,
                headers,
            },
        )
        .boxed()
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![Just(Vec::new()), vec(any::<u8>(), 0..200)]
}

fn request() -> BoxedStrategy<Request> {
    method()
        .prop_flat_map(|m| {
            (uri(false), head(m.clone()), body()).prop_map(move |(uri, head, body)| Request {
                method: m.clone(),
                uri,
                head,
                body,
            })
        })
        .boxed()
}

fn reason() -> impl Strategy<Value = String> {
    prop_oneof![r"[ -~]{0,20}", r"[\t\P{Cc}]{0,10}"]
}

fn response() -> BoxedStrategy<Response> {
    (100u16..=699, reason(), method().prop_flat_map(head), body())
        .prop_map(|(code, reason, head, body)| Response {
            status: StatusCode::new(code).unwrap(),
            reason,
            head,
            body,
        })
        .boxed()
}

fn message() -> BoxedStrategy<Message> {
    prop_oneof![
        request().prop_map(Message::Request),
        response().prop_map(Message::Response),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------
// Inputs for the robustness properties
// ---------------------------------------------------------------------------------------

const INVITE: &[u8] = b"INVITE sip:bob@192.0.2.4 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK776asdhds\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@example.com>\r\n\
From: \"Alice \\\"A\\\"\" <sip:alice@example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@192.0.2.1:5060>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 4\r\n\
\r\n\
v=0\r\n";

const OK: &[u8] = b"SIP/2.0 200 OK\r\n\
Via: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bKnashds8;received=192.0.2.3\r\n\
To: <sip:bob@example.com>;tag=a6c85cf\r\n\
f: <sip:alice@example.com>;tag=1928301774\r\n\
i: a84b4c76e66710\r\n\
CSeq: 314159 INVITE\r\n\
l: 0\r\n\
\r\n";

/// The seeds the mutations start from: the built-in INVITE and 200 OK, and RFC 4475's
/// wsinv when `../shared` is there (it is read, never copied into the project).
fn seeds() -> Vec<Vec<u8>> {
    let mut out = vec![INVITE.to_vec(), OK.to_vec()];
    let wsinv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/rfc4475/wsinv.dat");
    if let Ok(b) = std::fs::read(wsinv) {
        out.push(b);
    }
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(Index, u8),
    Truncate(Index),
    Insert(Index, &'static str),
    Delete(Index),
}

/// A position in `len + 1` slots; half of the time within the first 16 bytes, where the
/// start line is.
fn pos(i: &Index, near_start: bool, len: usize) -> usize {
    if near_start {
        i.index(len.min(16) + 1)
    } else {
        i.index(len + 1)
    }
}

fn mutation() -> impl Strategy<Value = (Mutation, bool)> {
    let inserted = select(vec![
        "\r",
        "\n",
        " ",
        ";",
        ",",
        "\"",
        "<",
        ">",
        ":",
        "\\",
        "\t",
        "\r\n",
        "\r\n ",
        "\r\n\r\n",
        "é",
        "€",
        "\u{10348}",
        "%",
        "@",
        "=",
        "[",
        "]",
        "?",
        "\0",
        "\x7f",
        "SIP/",
        "2.0",
    ]);
    (
        prop_oneof![
            2 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
            1 => any::<Index>().prop_map(Mutation::Truncate),
            4 => (any::<Index>(), inserted).prop_map(|(i, s)| Mutation::Insert(i, s)),
            2 => any::<Index>().prop_map(Mutation::Delete),
        ],
        any::<bool>(),
    )
}

fn mutate(mut b: Vec<u8>, mutations: &[(Mutation, bool)]) -> Vec<u8> {
    for (m, near) in mutations {
        let len = b.len();
        match m {
            Mutation::Flip(i, bit) if len > 0 => {
                let p = pos(i, *near, len - 1);
                b[p] ^= 1 << bit;
            }
            Mutation::Truncate(i) => b.truncate(pos(i, *near, len)),
            Mutation::Insert(i, s) => {
                let p = pos(i, *near, len);
                b.splice(p..p, s.bytes());
            }
            Mutation::Delete(i) if len > 0 => {
                b.remove(pos(i, *near, len - 1));
            }
            _ => {}
        }
    }
    b
}

fn mutated_seed() -> impl Strategy<Value = Vec<u8>> {
    (any::<Index>(), vec(mutation(), 1..8)).prop_map(|(i, ms)| {
        let seeds = seeds();
        mutate(i.get(&seeds).clone(), &ms)
    })
}

/// A byte stream as a TCP peer might send it: messages, keep-alives, stray line ends,
/// mangled messages and noise, back to back.
fn stream_bytes() -> impl Strategy<Value = Vec<u8>> {
    let segment = prop_oneof![
        4 => message().prop_map(|m| m.to_bytes()),
        2 => select(vec!["\r\n\r\n", "\r\n", "\n", "\r", "\n\r\n"]).prop_map(|s| s.as_bytes().to_vec()),
        2 => Just(INVITE.to_vec()),
        1 => mutated_seed(),
        1 => vec(any::<u8>(), 0..16),
    ];
    vec(segment, 1..6).prop_map(|v| v.concat())
}

type Items = Vec<Result<StreamItem, ParseError>>;

fn drain(d: &mut StreamDecoder, out: &mut Items) {
    for _ in 0..10_000 {
        match d.next() {
            Some(item) => out.push(item),
            None => return,
        }
    }
    panic!("StreamDecoder::next never returned None");
}

fn decode_whole(bytes: &[u8], limits: &Limits) -> Items {
    let mut d = StreamDecoder::new(limits.clone());
    let mut out = Vec::new();
    d.push(bytes);
    drain(&mut d, &mut out);
    out
}

fn decode_chunked(bytes: &[u8], sizes: &[usize], limits: &Limits) -> Items {
    let mut d = StreamDecoder::new(limits.clone());
    let mut out = Vec::new();
    let mut rest = bytes;
    for &n in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at(n.clamp(1, rest.len()));
        d.push(chunk);
        drain(&mut d, &mut out);
        rest = tail;
    }
    drain(&mut d, &mut out);
    out
}

/// Parses; when that succeeds, the printed form must parse back to the same message.
fn parse_and_reprint(bytes: &[u8]) {
    if let Ok(m) = Message::parse(bytes) {
        let printed = m.to_bytes();
        assert_eq!(
            Message::parse(&printed),
            Ok(m),
            "reprinted:\n{}",
            String::from_utf8_lossy(&printed)
        );
    }
}

fn small_limits() -> impl Strategy<Value = Limits> {
    prop_oneof![
        3 => Just(Limits::default()),
        1 => (0usize..600, 0usize..300, 0usize..20).prop_map(|(max_head, max_body, max_headers)| {
            Limits { max_head, max_body, max_headers, ..Limits::default() }
        }),
    ]
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn print_then_parse_is_the_identity(m in message()) {
        let bytes = m.to_bytes();
        prop_assert_eq!(
            Message::parse(&bytes),
            Ok(m),
            "printed:\n{}",
            String::from_utf8_lossy(&bytes)
        );
    }

    #[test]
    fn printed_messages_decode_from_a_stream(m in message(), pings in 0usize..3) {
        let mut bytes = b"\r\n\r\n".repeat(pings);
        bytes.extend(m.to_bytes());
        let items = decode_whole(&bytes, &Limits::default());
        let mut expected: Items = vec![Ok(StreamItem::KeepAlive); pings];
        expected.push(Ok(StreamItem::Message(Box::new(m))));
        prop_assert_eq!(items, expected);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..600)) {
        parse_and_reprint(&bytes);
        decode_whole(&bytes, &Limits::default());
    }

    #[test]
    fn mutated_messages_never_panic_and_reprint(bytes in mutated_seed()) {
        parse_and_reprint(&bytes);
    }

    #[test]
    fn stream_decoding_ignores_chunk_boundaries(
        bytes in prop_oneof![stream_bytes(), mutated_seed(), vec(any::<u8>(), 0..300)],
        sizes in vec(1usize..64, 1..20),
        limits in small_limits(),
    ) {
        let whole = decode_whole(&bytes, &limits);
        let chunked = decode_chunked(&bytes, &sizes, &limits);
        prop_assert_eq!(chunked, whole);
    }
}

/// The stream decoder reports an error once and then stays silent.
#[test]
fn stream_errors_are_final() {
    let mut d = StreamDecoder::new(Limits::default());
    d.push(b"INVITE sip:a@b SIP/2.0\r\nVia: garbage\r\n\r\n");
    assert!(matches!(d.next(), Some(Err(_))));
    d.push(INVITE);
    assert_eq!(d.next(), None);
    assert_eq!(d.buffered(), 0);
}
