//! RFC 4475 torture messages, read from `../shared/conformance/rfc4475/` (never copied into
//! the project). Each message goes through the datagram parser and, when it parses, the UAS
//! request checks or the UAC response checks; the outcome must be what EXPECTED.md says.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use sip::{Message, StatusCode, UasPolicy, check_request, check_response};

/// What voxgate does with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Parsed and accepted for processing.
    Process,
    /// Answered with this status.
    Answer(u16),
    /// Dropped silently.
    Drop,
}
use Outcome::*;

/// The expectation for each file, transcribed from EXPECTED.md (which the test also reads
/// to make sure no file is missing and every status named here appears in its row).
/// Where EXPECTED.md allows a choice the first entry is what voxgate does.
const TABLE: &[(&str, &[Outcome])] = &[
    ("wsinv", &[Process]),
    ("intmeth", &[Process]),
    ("esc01", &[Process]),
    ("escnull", &[Process]),
    ("esc02", &[Process]),
    ("lwsdisp", &[Process]),
    ("longreq", &[Process]),
    ("dblreq", &[Process]),
    ("semiuri", &[Process]),
    ("transports", &[Process]),
    ("mpart01", &[Process]),
    ("unreason", &[Process]),
    ("noreason", &[Process]),
    ("badinv01", &[Answer(400)]),
    ("clerr", &[Answer(400), Drop]),
    ("ncl", &[Answer(400)]),
    ("scalar02", &[Answer(400)]),
    ("scalarlg", &[Drop]),
    ("quotbal", &[Answer(400)]),
    ("ltgtruri", &[Answer(400)]),
    ("lwsruri", &[Answer(400)]),
    ("lwsstart", &[Answer(400)]),
    ("trws", &[Answer(400)]),
    ("escruri", &[Answer(400)]),
    ("baddate", &[Process, Answer(400)]),
    ("regbadct", &[Answer(400)]),
    ("badaspec", &[Answer(400)]),
    ("baddn", &[Answer(400)]),
    ("badvers", &[Answer(505)]),
    ("mismatch01", &[Answer(400)]),
    ("mismatch02", &[Answer(400)]),
    ("bigcode", &[Drop]),
    ("badbranch", &[Process]),
    ("insuf", &[Answer(400)]),
    ("unkscm", &[Answer(416)]),
    ("novelsc", &[Answer(416)]),
    ("unksm2", &[Process]),
    ("bext01", &[Answer(420)]),
    ("invut", &[Answer(415)]),
    ("regaut01", &[Answer(401)]),
    ("multi01", &[Answer(400)]),
    ("mcl01", &[Answer(400)]),
    ("bcast", &[Drop]),
    ("zeromf", &[Process]),
    ("cparam01", &[Process]),
    ("cparam02", &[Process]),
    ("regescrt", &[Process]),
    ("sdp01", &[Answer(406)]),
    ("inv2543", &[Process]),
];

fn dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/rfc4475");
    if d.join("EXPECTED.md").is_file() {
        return Some(d);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {} is missing: the RFC 4475 conformance data must sit beside the clone",
        d.display()
    );
    eprintln!(
        "SKIPPED: {} not found (set up ../shared to run RFC 4475)",
        d.display()
    );
    None
}

fn read(d: &std::path::Path, name: &str) -> Vec<u8> {
    std::fs::read(d.join(format!("{name}.dat"))).expect("read .dat")
}

fn outcome(bytes: &[u8]) -> Outcome {
    match Message::parse(bytes) {
        Err(e) => match e.status() {
            Some(s) => Answer(s.code()),
            None => Drop,
        },
        Ok(Message::Response(r)) => match check_response(&r) {
            Ok(()) => Process,
            Err(_) => Drop,
        },
        Ok(Message::Request(r)) => match check_request(&r, &UasPolicy::default()) {
            Ok(()) => Process,
            Err(rej) => Answer(rej.status.code()),
        },
    }
}

/// `| file | RFC | text |` rows of EXPECTED.md.
fn expected_rows(d: &std::path::Path) -> Vec<(String, String)> {
    let md = std::fs::read_to_string(d.join("EXPECTED.md")).unwrap();
    md.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let (file, rfc, text) = (cells.get(1)?, cells.get(2)?, cells.get(3)?);
            (rfc.starts_with("3.") && !file.is_empty())
                .then(|| (file.to_string(), text.to_string()))
        })
        .collect()
}

#[test]
fn every_torture_message_gets_the_expected_outcome() {
    let Some(d) = dir() else { return };
    let rows = expected_rows(&d);
    let listed: BTreeSet<&str> = rows.iter().map(|(f, _)| f.as_str()).collect();
    let ours: BTreeSet<&str> = TABLE.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        listed, ours,
        "EXPECTED.md and this test list different files"
    );
    assert_eq!(ours.len(), 49);
    let mut failures = Vec::new();
    for (file, allowed) in TABLE {
        let text = &rows.iter().find(|(f, _)| f == file).unwrap().1;
        for o in *allowed {
            if let Answer(code) = o {
                assert!(
                    text.contains(&code.to_string()),
                    "{file}: {code} not in EXPECTED.md row '{text}'"
                );
            }
        }
        let got = outcome(&read(&d, file));
        if !allowed.contains(&got) {
            failures.push(format!(
                "{file}: got {got:?}, expected one of {allowed:?} ({text})"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn error_responses_are_well_formed_and_reply_to_the_request() {
    let Some(d) = dir() else { return };
    for (file, allowed) in TABLE {
        let Answer(code) = allowed[0] else { continue };
        let bytes = read(&d, file);
        let Err(e) = Message::parse(&bytes) else {
            continue;
        };
        let reply = e
            .error_response()
            .unwrap_or_else(|| panic!("{file}: no error response"));
        let text = String::from_utf8_lossy(&reply);
        assert!(
            text.starts_with(&format!("SIP/2.0 {code} ")),
            "{file}: {text}"
        );
        assert!(
            text.ends_with("Content-Length: 0\r\n\r\n"),
            "{file}: {text}"
        );
        let call_id = String::from_utf8_lossy(&bytes)
            .lines()
            .find_map(|l| l.strip_prefix("Call-ID: ").map(str::to_owned));
        if let Some(id) = call_id {
            assert!(
                text.contains(&format!("Call-ID: {id}\r\n")),
                "{file}: Call-ID not echoed"
            );
        }
        // When the headers echoed back are sound, the reply must parse as a response too.
        use sip::HeaderName as H;
        let echoed = [H::Via, H::From, H::To, H::CallId, H::CSeq];
        if !e.header.as_ref().is_some_and(|h| echoed.contains(h)) {
            let Ok(Message::Response(r)) = Message::parse(&reply) else {
                panic!("{file}: error response does not parse: {text}");
            };
            assert_eq!(r.status, StatusCode::new(code).unwrap(), "{file}");
        }
    }
}

#[test]
fn parsed_messages_expose_their_fields_and_round_trip() {
    let Some(d) = dir() else { return };
    let req = |f: &str| match Message::parse(&read(&d, f)).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => panic!("{f} is a request"),
    };
    let wsinv = req("wsinv");
    assert_eq!(wsinv.head.to.tag(), Some("1918181833n"));
    assert_eq!(wsinv.head.from.display.as_deref(), Some("J Rosenberg \\\""));
    assert_eq!(wsinv.head.max_forwards, Some(68));
    assert_eq!(wsinv.head.cseq.seq, 9);
    assert_eq!(wsinv.head.via.len(), 3);
    assert_eq!(wsinv.head.via[1].branch(), Some("z9hG4bK9ikj8"));
    assert_eq!(wsinv.body.len(), 150);
    let contact = wsinv.head.contact().unwrap();
    assert_eq!(contact.params.get("q"), Some(Some("0.33")));
    assert_eq!(contact.display.as_deref(), Some("Quoted string \"\""));

    let intmeth = req("intmeth");
    assert_eq!(
        intmeth.method.as_str(),
        "!interesting-Method0123456789_*+`.%indeed'~"
    );
    assert!(intmeth.head.to.display.as_deref().unwrap().contains('\0'));

    let esc01 = req("esc01");
    assert_eq!(
        sip::sip_user(&esc01.uri).as_deref(),
        Some("sips:user@example.com")
    );
    assert_eq!(req("esc02").method.as_str(), "RE%47IST%45R");
    assert_eq!(req("esc02").head.contacts().unwrap().len(), 2);
    assert_eq!(req("longreq").head.via.len(), 34);
    let dbl = req("dblreq");
    assert!(dbl.body.is_empty());
    assert_eq!(dbl.method, sip::Method::Register);
    assert_eq!(req("mpart01").body.len(), 553);
    assert_eq!(
        req("transports")
            .head
            .via
            .iter()
            .map(|v| v.transport.as_str())
            .collect::<Vec<_>>(),
        ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]
    );
    assert!(!req("badbranch").head.via[0].is_rfc3261());
    assert!(!req("inv2543").head.via[0].is_rfc3261());
    assert_eq!(
        req("inv2543").body.len(),
        read(&d, "inv2543").len()
            - read(&d, "inv2543")
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .unwrap()
            - 4
    );
    match Message::parse(&read(&d, "unreason")).unwrap() {
        Message::Response(r) => assert!(r.reason.starts_with("= 2**3 * 5**2 но")),
        Message::Request(_) => panic!("response expected"),
    }

    for (file, allowed) in TABLE {
        if let Ok(m) = Message::parse(&read(&d, file)) {
            let again =
                Message::parse(&m.to_bytes()).unwrap_or_else(|e| panic!("{file}: reparse: {e}"));
            assert_eq!(again, m, "{file}: print/parse changed the message");
        } else {
            assert_ne!(allowed[0], Process, "{file}");
        }
    }
}
