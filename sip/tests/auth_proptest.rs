//! Property tests: print → parse is the identity, and parsing never panics.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use sip::auth::{Algorithm, AuthParam, Challenge, Credentials, Qop};

const KNOWN: &[&str] = &[
    "realm",
    "nonce",
    "opaque",
    "algorithm",
    "qop",
    "stale",
    "domain",
    "username",
    "uri",
    "response",
    "cnonce",
    "nc",
];

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9.!%*_+`'~-]{1,12}"
}

/// Any text a quoted-string can carry (everything but CR and LF).
fn text() -> impl Strategy<Value = String> {
    "[^\\r\\n]{0,24}"
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Md5),
        Just(Algorithm::Md5Sess),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha256Sess),
    ]
}

fn qop() -> impl Strategy<Value = Qop> {
    prop_oneof![Just(Qop::Auth), Just(Qop::AuthInt)]
}

fn other_params() -> impl Strategy<Value = Vec<AuthParam>> {
    let name = token().prop_filter("known parameter", |n| {
        !KNOWN.iter().any(|k| k.eq_ignore_ascii_case(n))
    });
    let value = prop_oneof![
        token().prop_map(|v| (v, false)),
        text().prop_map(|v| (v, true)),
    ];
    proptest::collection::vec(
        (name, value).prop_map(|(name, (value, quoted))| AuthParam {
            name,
            value,
            quoted,
        }),
        0..3,
    )
}

fn challenge() -> impl Strategy<Value = Challenge> {
    (
        (text(), text(), proptest::option::of(text()), algorithm()),
        (
            proptest::collection::vec(qop(), 0..3),
            any::<bool>(),
            proptest::option::of(text()),
            other_params(),
        ),
    )
        .prop_map(
            |((realm, nonce, opaque, algorithm), (qop, stale, domain, other))| Challenge {
                realm,
                nonce,
                opaque,
                algorithm,
                qop,
                stale,
                domain,
                other,
            },
        )
}

fn credentials() -> impl Strategy<Value = Credentials> {
    (
        (text(), text(), text(), text(), text(), algorithm()),
        (
            proptest::option::of(text()),
            proptest::option::of(qop()),
            proptest::option::of(any::<u32>()),
            proptest::option::of(text()),
            other_params(),
        ),
    )
        .prop_map(
            |(
                (username, realm, nonce, uri, response, algorithm),
                (cnonce, qop, nc, opaque, other),
            )| {
                Credentials {
                    username,
                    realm,
                    nonce,
                    uri,
                    response,
                    algorithm,
                    cnonce,
                    qop,
                    nc,
                    opaque,
                    other,
                }
            },
        )
}

/// Inputs biased towards the grammar so the parser gets past the scheme.
fn near_grammar() -> impl Strategy<Value = String> {
    (
        "[ \t]{0,2}(Digest|digest|DIGEST|Basic|)[ \t]{0,2}",
        "([a-zA-Z]{1,9}|[ \t=,\"\\\\\r\n]|\"[^\"]{0,8}\"|[0-9a-f]{8}|[\\x00-\\x7f]|\\PC){0,40}",
    )
        .prop_map(|(a, b)| a + &b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn challenge_print_parse_identity(c in challenge()) {
        let printed = c.to_string();
        prop_assert!(!printed.contains(['\r', '\n']));
        prop_assert_eq!(printed.parse::<Challenge>(), Ok(c));
    }

    #[test]
    fn credentials_print_parse_identity(c in credentials()) {
        let printed = c.to_string();
        prop_assert!(!printed.contains(['\r', '\n']));
        prop_assert_eq!(printed.parse::<Credentials>(), Ok(c));
    }

    /// Values with CR/LF cannot round-trip, but must not break the header.
    #[test]
    fn printing_arbitrary_values_stays_on_one_line(
        realm in any::<String>(),
        nonce in any::<String>(),
        extra in any::<String>(),
    ) {
        let c = Challenge {
            realm,
            nonce,
            opaque: Some(extra.clone()),
            algorithm: Algorithm::Sha256,
            qop: vec![Qop::Auth],
            stale: false,
            domain: None,
            other: vec![AuthParam { name: extra.clone(), value: extra, quoted: false }],
        };
        let printed = c.to_string();
        prop_assert!(!printed.contains(['\r', '\n']));
        prop_assert!(printed.parse::<Challenge>().is_ok());
    }

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        let _ = s.parse::<Challenge>();
        let _ = s.parse::<Credentials>();
        let _ = format!("Digest {s}").parse::<Credentials>();
    }

    #[test]
    fn near_grammar_strings_never_panic(s in near_grammar()) {
        if let Ok(c) = s.parse::<Challenge>() {
            prop_assert_eq!(c.to_string().parse::<Challenge>(), Ok(c));
        }
        if let Ok(c) = s.parse::<Credentials>() {
            prop_assert_eq!(c.to_string().parse::<Credentials>(), Ok(c));
        }
    }
}
