//! Personal data end to end (issue #10). One caller, its number planted in its From URI
//! (`+4915112345678`), calls three gateways on one data directory (`log_level = "debug"`):
//! it reads a planted card number, CVV and expiry (Piper's voice as baresip's microphone) to
//! the `transcribe` logic (whisper tiny.en) while the API is asked with the admin token; it
//! calls the `demo` logic, which records the call; it keys the card number on the keypad to
//! the `silent` logic. After each graceful stop (SIGTERM), every file under the data
//! directory (SQLite, jsonl files, recordings, the token file, anything, read as bytes) and
//! every log line are scanned: neither the card number (whole, with separators, or its first
//! 12 digits, also spread over log lines), nor the CVV or expiry after their cue, nor the
//! caller's number (in any grouping), nor a raw Call-ID may appear. The transcripts must
//! have been stored, masked; every file must be 0600 and every directory 0700.
//! Skipped (with a message) only when baresip or the models are missing and CI is not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "peers/baresip.rs"]
#[allow(dead_code)]
mod baresip;
mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use baresip::Baresip;
use common::voice_call::say;
use common::{Gateway, GatewayOpts, Ports, TempDir, have_peer};
use regex::bytes::Regex;
use voxgate::privacy::stable_hash;
use voxgate::store::{CallerPolicy, Store};

/// The planted caller: the user part of baresip's From URI.
const CALLER: &str = "+4915112345678";
/// The planted card (Luhn-valid), then the CVV and expiry, as a caller reads them: digit by
/// digit, a pause between groups, the two sentences apart (one utterance each: tiny.en
/// drops the end of a long one at times). tiny.en writes them as digits ("4539 1488 0343
/// 6467", "737", "04 27").
const SPEECH: [&str; 2] = [
    "My card number is four five three nine, one four eight eight, zero three four three, \
     six four six seven.",
    "The security code is seven three seven, and it expires oh four, twenty seven.",
];
const CARD: &str = "4539148803436467";

/// The microphone: a second of silence, the sentences 1.5 s apart, then a minute of silence.
/// Returns the file and how long the speech part lasts.
fn mic(models: &Path, dir: &Path) -> (PathBuf, Duration) {
    let mut pcm = vec![0i16; 8000];
    pcm.extend(say(models, dir, SPEECH[0]));
    pcm.extend(vec![0i16; 12_000]);
    pcm.extend(say(models, dir, SPEECH[1]));
    let spoken = Duration::from_millis(pcm.len() as u64 / 8);
    pcm.extend(vec![0i16; 60 * 8000]);
    let path = dir.join("card.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for s in pcm {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    (path, spoken)
}

/// The Call-ID baresip sent (from its `-s` SIP trace).
fn call_id(trace: &str) -> String {
    trace
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            ["call-id", "i"]
                .contains(&name.trim().to_ascii_lowercase().as_str())
                .then(|| value.trim().to_owned())
        })
        .filter(|id| id.len() >= 8)
        .unwrap_or_else(|| panic!("no Call-ID in baresip's trace:\n{trace}"))
}

/// The lines of `name` in the data directory so far.
fn jsonl(data: &Path, name: &str) -> Vec<serde_json::Value> {
    fs::read_to_string(data.join(name))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Waits until the speech has been played and one transcript per sentence was written, or
/// (at most `timeout` in all) no transcript line came for 10 s.
fn wait_transcribed(data: &Path, spoken: Duration, timeout: Duration) {
    let start = Instant::now();
    let (mut count, mut changed) = (0, Instant::now());
    loop {
        let now = jsonl(data, "transcripts.jsonl").len();
        if now != count {
            (count, changed) = (now, Instant::now());
        }
        let quiet = count > 0 && changed.elapsed() >= Duration::from_secs(10);
        let played = start.elapsed() >= spoken;
        if (played && (count >= SPEECH.len() || quiet)) || start.elapsed() >= timeout {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `digits` with up to three separators (anything but letters and digits) between any two:
/// "4539 1488 0343", "+49 151 1234-5678", "4539148803436467".
fn grouped(digits: &str) -> String {
    let parts: Vec<String> = digits.chars().map(|c| c.to_string()).collect();
    parts.join("[^0-9A-Za-z]{0,3}")
}

/// The forms of the planted data that must appear nowhere, with a name for the report.
fn planted(call_ids: &[String]) -> Vec<(String, Regex)> {
    let mut forms = vec![
        ("the card number", grouped(CARD)),
        ("the card's first 12 digits", grouped(&CARD[..12])),
        ("the caller number", grouped("4915112345678")),
        ("the caller's national number", grouped("15112345678")),
        (
            "the CVV after its cue",
            format!("(?i)(code|cvv|cvc)[^0-9]{{0,16}}{}", grouped("737")),
        ),
        (
            "the expiry after its cue",
            "(?i)expir[^0-9]{0,16}0?4[^0-9A-Za-z]{0,3}(20)?27".to_owned(),
        ),
    ];
    for id in call_ids {
        forms.push(("a raw Call-ID", regex::escape(id)));
    }
    forms
        .into_iter()
        .map(|(name, re)| (name.to_owned(), Regex::new(&re).unwrap()))
        .collect()
}

/// Every file under `dir` (recursively), checking modes on the way: 0700 directories
/// (`dir` included), 0600 files.
fn files_checking_modes(dir: &Path, out: &mut Vec<PathBuf>, bad: &mut Vec<String>) {
    let mode = fs::metadata(dir).unwrap().permissions().mode() & 0o777;
    if mode != 0o700 {
        bad.push(format!("{} is {mode:o}", dir.display()));
    }
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            files_checking_modes(&path, out, bad);
        } else {
            let mode = meta.permissions().mode() & 0o777;
            if mode != 0o600 {
                bad.push(format!("{} is {mode:o}", path.display()));
            }
            out.push(path);
        }
    }
}

/// The digits of every log line but its timestamp and call number, run together: a number
/// logged a digit or a group per line (keys as they are pressed) reads whole here.
fn log_digits(log: &str) -> String {
    let call_no = regex::Regex::new(r"call=[0-9]+").unwrap();
    log.lines()
        .map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest))
        .flat_map(|l| {
            let l = call_no.replace_all(l, "");
            l.chars().filter(char::is_ascii_digit).collect::<Vec<_>>()
        })
        .collect()
}

/// Where each planted form occurs in `bytes` (named `what`), with some context.
fn leaks(what: &str, bytes: &[u8], forms: &[(String, Regex)]) -> Vec<String> {
    forms
        .iter()
        .flat_map(|(name, re)| {
            re.find_iter(bytes).map(move |m| {
                let from = m.start().saturating_sub(60);
                let to = (m.end() + 60).min(bytes.len());
                let context = String::from_utf8_lossy(&bytes[from..to]);
                format!("{name} in {what}: …{context}…")
            })
        })
        .collect()
}

/// One call from the planted caller to a gateway started with `calls` on `slot`: waits
/// until established, runs `during` (with the phone), hangs up, waits for the call summary
/// and stops the gateway with SIGTERM. Returns the gateway's log, baresip's Call-ID and what `during` returned.
fn call<T>(
    dir: &Path,
    slot: u16,
    calls: &str,
    mic: &Path,
    during: impl FnOnce(&Gateway, &mut Baresip) -> T,
) -> (String, String, T) {
    let ports = Ports::new(slot);
    let tail = format!("[http]\nlisten = \"127.0.0.1:{}\"\n", ports.base + 2);
    let opts = GatewayOpts {
        calls,
        tail: &tail,
        ..GatewayOpts::default()
    };
    let mut gw = Gateway::start_opts(dir, ports, &opts);
    let before = gw.summaries().len();
    let mut phone = Baresip::dial_as(dir, ports, false, mic, CALLER);
    phone.wait_established(Duration::from_secs(10));
    let got = during(&gw, &mut phone);
    let trace = phone.quit();
    assert!(
        trace.contains(&format!("<sip:{CALLER}@")),
        "baresip did not call as {CALLER}:\n{trace}"
    );
    gw.wait_summaries(before + 1, Duration::from_secs(10));
    let status = gw.terminate(Duration::from_secs(15));
    assert!(
        status.success(),
        "voxgate exited with {status}:\n{}",
        gw.log()
    );
    (gw.log(), call_id(&trace), got)
}

/// GET `path` from the gateway's API on `slot` with the admin token; the status.
fn api_get(dir: &Path, slot: u16, path: &str) -> u16 {
    let token = fs::read_to_string(dir.join("data/admin-token")).unwrap();
    let url = format!("http://127.0.0.1:{}{path}", Ports::new(slot).base + 2);
    let http: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let resp = http
        .get(url)
        .header("authorization", format!("Bearer {}", token.trim()))
        .call()
        .unwrap();
    resp.status().as_u16()
}

#[test]
fn no_planted_card_cvv_caller_number_or_call_id_in_any_file_or_log_line() {
    if !have_peer("baresip") {
        return;
    }
    let Some(models) =
        common::models::fetch(&["whisper-tiny.en", "piper-joe-medium", "onnxruntime"])
    else {
        return;
    };
    let dir = TempDir::new("personal-data");
    let data = dir.0.join("data");
    let (mic, spoken) = mic(&models, &dir.0);

    // 1. The caller reads the card to the transcribing gateway; the API is asked meanwhile.
    let (log_a, id_a, statuses) =
        call(&dir.0, 80, "logic = \"transcribe\"", &mic, |_gw, _phone| {
            let statuses = [
                api_get(&dir.0, 80, "/api/v1/tokens"),
                api_get(&dir.0, 80, "/metrics"),
            ];
            wait_transcribed(&data, spoken, Duration::from_secs(90));
            statuses
        });
    assert_eq!(statuses, [200, 200], "API answers:\n{log_a}");
    let lines = jsonl(&data, "transcripts.jsonl");
    let texts: Vec<&str> = lines.iter().filter_map(|l| l["text"].as_str()).collect();
    eprintln!("stored transcripts: {texts:?}");

    // 2. The same caller to the demo logic, which records the call.
    let (log_b, id_b, ()) = call(&dir.0, 81, "logic = \"demo\"", &mic, |_gw, _phone| {
        std::thread::sleep(Duration::from_secs(3));
    });

    // 3. The same caller keys the card number on the keypad (to the `silent` logic).
    let (log_c, id_c, ()) = call(&dir.0, 82, "logic = \"silent\"", &mic, |_gw, phone| {
        for key in CARD.chars() {
            phone.send_digit(key);
            std::thread::sleep(Duration::from_millis(300));
        }
        std::thread::sleep(Duration::from_millis(500));
    });
    let keyed = &jsonl(&data, "calls.jsonl")[2];
    assert_eq!(keyed["digits"], CARD.len(), "keys lost: {keyed}\n{log_c}");
    let log = format!("{log_a}\n{log_b}\n{log_c}");
    eprintln!("{} log lines scanned", log.lines().count());

    // 4. Every file and every log line, before anything else opens the data directory.
    let (mut files, mut bad_modes) = (Vec::new(), Vec::new());
    files_checking_modes(&data, &mut files, &mut bad_modes);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&data).unwrap().display().to_string())
        .collect();
    eprintln!("{} files scanned: {names:?}", files.len());
    for needed in ["transcripts.jsonl", "calls.jsonl", "admin-token"] {
        assert!(names.iter().any(|n| n == needed), "no {needed}: {names:?}");
    }
    assert!(
        names.iter().any(|n| n.starts_with("recordings/")),
        "the demo call was not recorded: {names:?}"
    );
    assert!(
        names.iter().any(|n| n.ends_with(".sqlite3")),
        "no SQLite database: {names:?}"
    );
    let forms = planted(&[id_a.clone(), id_b.clone(), id_c.clone()]);
    let mut found = leaks("the log", log.as_bytes(), &forms);
    if log_digits(&log).contains(&CARD[..12]) {
        found.push("the keyed card number, over several log lines".to_owned());
    }
    for (file, name) in files.iter().zip(&names) {
        found.extend(leaks(name, &fs::read(file).unwrap(), &forms));
    }
    // The card as the recognizer heard it (it may drop or add a digit): no transcript and no
    // logged text keeps a run of nine digits or more.
    let long_run = Regex::new(r"[0-9](?:[^0-9A-Za-z]{0,3}[0-9]){8}").unwrap();
    let logged = log
        .lines()
        .filter_map(|l| l.split_once(" text=").map(|t| t.1));
    for text in texts.iter().copied().chain(logged) {
        if long_run.is_match(text.as_bytes()) {
            found.push(format!("a run of 9 digits or more in {text:?}"));
        }
    }
    assert!(found.is_empty(), "planted personal data found:\n{found:#?}");
    assert!(bad_modes.is_empty(), "wrong modes: {bad_modes:?}");

    // 5. The scan looked for the right things: the three Call-IDs are those the gateway
    //    named its records and recording after, and the card was transcribed and stored,
    //    masked, in both transcripts.jsonl and SQLite.
    let hashes: Vec<String> = [&id_a, &id_b, &id_c].map(|id| stable_hash(id)).into();
    let summaries = jsonl(&data, "calls.jsonl");
    let summary_hashes: Vec<&str> = summaries
        .iter()
        .filter_map(|s| s["call_id_hash"].as_str())
        .collect();
    assert_eq!(summary_hashes, hashes, "calls.jsonl");
    assert!(
        names
            .iter()
            .any(|n| n.ends_with(&format!("/{}.wav", hashes[1]))),
        "no recording of the demo call: {names:?}"
    );
    assert_eq!(lines[0]["call_id_hash"], hashes[0].as_str());
    // The card's utterance: at least 8 of its digits masked, at most 4 left (the recognizer
    // may drop or split a digit; the first run of a whole card read digit by digit is masked
    // to its last four).
    let card_line = texts
        .iter()
        .find(|t| t.to_lowercase().contains("card"))
        .unwrap_or_else(|| panic!("no card among the transcripts {texts:?}\n{log_a}"));
    let count = |f: fn(&char) -> bool| card_line.chars().filter(f).count();
    let (masked, left) = (count(|&c| c == '*'), count(char::is_ascii_digit));
    assert!(masked >= 8 && left <= 4, "{card_line:?}");
    let store = Store::open(&data, CallerPolicy::Redact).unwrap();
    let stored: Vec<String> = store
        .transcripts_of(&hashes[0])
        .unwrap()
        .into_iter()
        .map(|t| t.text)
        .collect();
    assert_eq!(stored, texts, "SQLite and transcripts.jsonl differ");
}
