//! The telephony runtime against a real peer (SIPp) on loopback: each test starts the
//! `voxgate` binary with its own config and ports, runs one or two SIPp callers (bounded in
//! time), and checks SIPp's verdict, voxgate's call summaries and the probe logic's log.
//! Skipped (with a message) only when SIPp is missing and CI is not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::UdpSocket;
use std::time::Duration;

use common::{Gateway, GatewayOpts, Ports, Sipp, TempDir, have_peer, scenario, ulaw_file};
use serde_json::Value;

const SECS_10: Duration = Duration::from_secs(10);

fn sipp_ok(sipp: Sipp, gw: &Gateway) {
    let (code, out) = sipp.wait();
    assert_eq!(code, 0, "sipp failed:\n{out}\nvoxgate log:\n{}", gw.log());
}

/// A loud (or silent) stream scenario for one call.
fn stream_call(
    dir: &TempDir,
    name: &str,
    cid: &str,
    loud: bool,
    secs: f64,
    hold_ms: u32,
) -> std::path::PathBuf {
    let audio = dir.0.join(format!("{cid}.ul"));
    ulaw_file(&audio, secs, loud);
    let sf = scenario(
        &dir.0,
        name,
        &[
            ("AUDIO", audio.to_str().unwrap()),
            ("HOLD_MS", &hold_ms.to_string()),
            ("BYE_WAIT_MS", "10000"),
        ],
    );
    let renamed = dir.0.join(format!("{cid}-{name}"));
    std::fs::rename(&sf, &renamed).unwrap();
    renamed
}

/// The summary of the first call of the SIPp run started with `-cid_str <cid>-%u` (the
/// summaries carry only the Call-ID's hash).
fn by_cid<'a>(summaries: &'a [Value], cid: &str) -> &'a Value {
    let hash = voxgate::privacy::stable_hash(&format!("{cid}-1"));
    summaries
        .iter()
        .find(|s| s["call_id_hash"] == hash.as_str())
        .unwrap_or_else(|| panic!("no summary for {cid}: {summaries:?}"))
}

#[test]
fn options_ping_is_answered_even_with_max_forwards_0() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("options");
    let ports = Ports::new(1);
    let gw = Gateway::start(&dir.0, ports, "", "");
    let sf = scenario(&dir.0, "options.xml", &[]);
    sipp_ok(Sipp::spawn(&dir.0, ports, 0, &sf, &[]), &gw);
}

#[test]
fn builtin_uac_call_is_answered_and_hung_up() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("uac");
    let ports = Ports::new(2);
    let gw = Gateway::start(&dir.0, ports, "", "");
    sipp_ok(
        Sipp::spawn_with(&dir.0, ports, 0, &["-sn", "uac"], &[]),
        &gw,
    );
    let s = gw.wait_summaries(1, SECS_10);
    assert_eq!(s[0]["cause"], "caller_bye");
    assert_eq!(s[0]["side"], "caller");
}

#[test]
fn pcmu_20ms_stream_flows_both_ways() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("pcmu");
    let ports = Ports::new(3);
    let gw = Gateway::start(&dir.0, ports, "", "");
    let sf = stream_call(&dir, "uac_rtp.xml", "loud", true, 2.0, 2500);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "loud-%u-%p@%s"]),
        &gw,
    );
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["codec"], "PCMU");
    assert_eq!(s["ptime_ms"], 20);
    assert!(s["received"]["packets"].as_u64().unwrap() >= 90, "{s}");
    assert!(s["sent"]["packets"].as_u64().unwrap() >= 90, "{s}");
    assert_eq!(s["received"]["bytes"].as_u64().unwrap() % 160, 0, "{s}");
    let (voiced, _) = gw.probe_heard(s["call_no"].as_u64().unwrap()).unwrap();
    assert!(voiced >= 50, "the logic heard only {voiced} voiced frames");
}

#[test]
fn pcma_30ms_capture_with_rfc2833_digit_1() {
    if !have_peer("sipp") {
        return;
    }
    if !can_replay_pcap() {
        return;
    }
    let dir = TempDir::new("pcma");
    std::os::unix::fs::symlink("/usr/share/sip-tester", dir.0.join("pcap")).unwrap();
    let ports = Ports::new(4);
    let gw = Gateway::start(&dir.0, ports, "", "");
    let sf = scenario(&dir.0, "uac_pcap.xml", &[]);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "loud-%u-%p@%s"]),
        &gw,
    );
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["codec"], "PCMA");
    assert_eq!(s["ptime_ms"], 30);
    assert_eq!(s["digits"], 1, "{s}");
    assert!(s["received"]["packets"].as_u64().unwrap() >= 50, "{s}");
    let (voiced, digits) = gw.probe_heard(s["call_no"].as_u64().unwrap()).unwrap();
    assert_eq!(digits, "1");
    assert!(voiced >= 20, "the logic heard only {voiced} voiced frames");
}

#[test]
fn cancel_before_answer_gets_487() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("cancel");
    let ports = Ports::new(5);
    let gw = Gateway::start(&dir.0, ports, "ring_secs = 5", "");
    let sf = stream_call(&dir, "uac_cancel.xml", "cancel", true, 0.1, 0);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "cancel-%u-%p@%s"]),
        &gw,
    );
    // An abandoned call is still recorded: no media, cause and side from the caller.
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["cause"], "cancelled", "{s}");
    assert_eq!(s["side"], "caller");
    assert_eq!(s["answered_ms"], 0);
    assert!(s["codec"].is_null(), "{s}");
    assert_eq!(s["sent"]["packets"], 0);
}

#[test]
fn bye_from_voxgate_after_info_pound() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("byevg");
    let ports = Ports::new(6);
    let gw = Gateway::start(&dir.0, ports, "", "");
    let sf = stream_call(&dir, "uac_info_hash.xml", "info", true, 0.1, 0);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "info-%u-%p@%s"]),
        &gw,
    );
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["cause"], "logic");
    assert_eq!(s["side"], "gateway");
    assert_eq!(s["digits"], 1);
}

#[test]
fn a_caller_that_vanishes_is_hung_up_on_media_timeout() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("vanish");
    let ports = Ports::new(7);
    let gw = Gateway::start(&dir.0, ports, "", "timeout_secs = 1.5");
    let sf = stream_call(&dir, "uac_vanish.xml", "vanish", true, 1.0, 0);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "vanish-%u-%p@%s"]),
        &gw,
    );
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["cause"], "media_timeout", "{s}");
    assert_eq!(s["side"], "gateway");
    assert!(s["received"]["packets"].as_u64().unwrap() >= 40, "{s}");
}

#[test]
fn sip_garbage_and_malformed_rtp_are_ignored() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("garbage");
    let ports = Ports::new(8);
    let gw = Gateway::start(&dir.0, ports, "", "");
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let huge = vec![b'A'; 60_000];
    let junk: [&[u8]; 6] = [
        b"\x00\x01\x02garbage",
        b"\r\n\r\n",
        b"SIP/2.0 200 OK\r\n\r\n",
        &huge,
        b"INVITE sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n",
        b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\nCall-ID: a\r\n\r\n",
    ];
    for j in junk {
        sock.send_to(j, ports.sip()).unwrap();
    }
    let mut buf = [0u8; 4096];
    let (n, _) = sock
        .recv_from(&mut buf)
        .expect("a 400 for the broken request");
    assert!(
        buf[..n].starts_with(b"SIP/2.0 400"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    // Methods we do not serve, and a BYE for no call.
    for (method, status) in [("REGISTER", "405"), ("BYE", "481"), ("SUBSCRIBE", "405")] {
        let req = format!(
            "{method} sip:svc@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{method}\r\n\
             From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:svc@127.0.0.1>{to_tag}\r\nCall-ID: {method}@x\r\n\
             CSeq: 1 {method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
            local = sock.local_addr().unwrap(),
            to_tag = if method == "BYE" { ";tag=nope" } else { "" },
        );
        sock.send_to(req.as_bytes(), ports.sip()).unwrap();
        let (n, _) = sock.recv_from(&mut buf).expect("an answer");
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(
            text.starts_with(&format!("SIP/2.0 {status}")),
            "{method}: {text}"
        );
        if status == "405" {
            assert!(text.contains("Allow: INVITE"), "{text}");
        }
    }
    // During a call, garbage at its RTP port.
    let sf = stream_call(&dir, "uac_rtp.xml", "rtpjunk", true, 2.0, 2500);
    let call = Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "rtpjunk-%u-%p@%s"]);
    gw.wait_log("incoming call", SECS_10);
    let rtp = (std::net::Ipv4Addr::LOCALHOST, ports.rtp_min());
    let bad: [&[u8]; 6] = [
        &[0x80],
        &[0x8f, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1],
        &[
            0x90, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xbe, 0xde, 0xff, 0xff,
        ],
        &[0xa0, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0],
        &[0x80, 0xc8, 0xff, 0xff, 1, 2],
        &huge[..1500],
    ];
    for _ in 0..20 {
        for b in bad {
            sock.send_to(b, rtp).unwrap();
        }
    }
    sipp_ok(call, &gw);
    let sf = scenario(&dir.0, "options.xml", &[]);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 1, &sf, &["-cid_str", "rtpjunk-%u-%p@%s"]),
        &gw,
    );
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["cause"], "caller_bye");
}

#[test]
fn at_the_call_limit_new_invites_get_503() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("limit");
    let ports = Ports::new(9);
    let gw = Gateway::start(&dir.0, ports, "max_calls = 1", "");
    let sf = stream_call(&dir, "uac_rtp.xml", "first", true, 3.0, 3000);
    let first = Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "first-%u"]);
    gw.wait_log("incoming call", SECS_10);
    let sf = stream_call(&dir, "uac_expect_503.xml", "second", true, 0.1, 0);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 1, &sf, &["-cid_str", "second-%u"]),
        &gw,
    );
    sipp_ok(first, &gw);
    let s = gw.wait_summaries(2, SECS_10);
    assert_eq!(s.len(), 2);
    let (first, refused) = (by_cid(&s, "first"), by_cid(&s, "second"));
    assert_eq!(first["cause"], "caller_bye");
    assert_eq!(refused["cause"], "busy", "{refused}");
    assert_eq!(refused["side"], "gateway");
    assert_eq!(refused["answered_ms"], 0);
}

#[test]
fn two_calls_at_once_do_not_hear_each_other() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("two");
    let ports = Ports::new(10);
    let gw = Gateway::start(&dir.0, ports, "", "");
    let loud = stream_call(&dir, "uac_rtp.xml", "loud", true, 2.0, 2500);
    let quiet = stream_call(&dir, "uac_rtp.xml", "quiet", false, 2.0, 2500);
    let a = Sipp::spawn(&dir.0, ports, 0, &loud, &["-cid_str", "loud-%u"]);
    let b = Sipp::spawn(&dir.0, ports, 1, &quiet, &["-cid_str", "quiet-%u"]);
    sipp_ok(a, &gw);
    sipp_ok(b, &gw);
    let s = gw.wait_summaries(2, SECS_10);
    let (l, q) = (by_cid(&s, "loud"), by_cid(&s, "quiet"));
    assert_ne!(l["local_port"], q["local_port"]);
    assert_ne!(l["local_ssrc"], q["local_ssrc"]);
    assert!(q["received"]["packets"].as_u64().unwrap() >= 90, "{q}");
    let (lv, _) = gw.probe_heard(l["call_no"].as_u64().unwrap()).unwrap();
    let (qv, _) = gw.probe_heard(q["call_no"].as_u64().unwrap()).unwrap();
    assert!(lv >= 50, "the loud call heard {lv} voiced frames");
    assert_eq!(qv, 0, "the quiet call heard the other call");
}

#[test]
fn graceful_shutdown_refuses_new_calls_then_hangs_up_at_the_deadline() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("shutdown");
    let ports = Ports::new(11);
    let mut gw = Gateway::start(&dir.0, ports, "shutdown_grace_secs = 2", "");
    let sf = stream_call(&dir, "uac_vanish.xml", "running", true, 6.0, 0);
    let running = Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "running-%u"]);
    gw.wait_log("incoming call", SECS_10);
    gw.signal_term();
    gw.wait_log("shutting down", SECS_10);
    let sf = stream_call(&dir, "uac_expect_503.xml", "late", true, 0.1, 0);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 1, &sf, &["-cid_str", "late-%u"]),
        &gw,
    );
    sipp_ok(running, &gw);
    let status = gw.wait_exit(SECS_10);
    assert!(status.success(), "{status:?}\n{}", gw.log());
    let s = gw.summaries();
    let (running, late) = (by_cid(&s, "running"), by_cid(&s, "late"));
    assert_eq!(running["cause"], "shutdown", "{running}");
    assert!(running["answered_ms"].as_u64().unwrap() > 0);
    assert_eq!(late["cause"], "shutdown", "{late}");
    assert_eq!(late["answered_ms"], 0, "{late}");
}

#[test]
fn hold_suspends_the_media_timeout_and_resume_restores_it() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("hold");
    let ports = Ports::new(12);
    let gw = Gateway::start(&dir.0, ports, "", "timeout_secs = 1.5");
    let sf = stream_call(&dir, "uac_hold.xml", "hold", true, 1.0, 3000);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "hold-%u-%p@%s"]),
        &gw,
    );
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["cause"], "media_timeout", "{s}");
    let lasted = s["ended_ms"].as_u64().unwrap() - s["answered_ms"].as_u64().unwrap();
    assert!(
        lasted >= 1200 + 3000 + 1400,
        "hung up after {lasted} ms: the hold did not suspend the timeout"
    );
    let log = gw.log();
    assert!(log.contains("re-INVITE call=1 hold=true"), "{log}");
    assert!(log.contains("re-INVITE call=1 hold=false"), "{log}");
}

#[test]
fn calls_over_tcp_use_the_callers_connection() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("tcp");
    let ports = Ports::new(13);
    let gw = Gateway::start(&dir.0, ports, "", "");
    tcp_keepalive_and_garbage(ports);
    sipp_ok(
        Sipp::spawn_with(&dir.0, ports, 0, &["-sn", "uac"], &["-t", "t1"]),
        &gw,
    );
    // BYE from voxgate travels back on the caller's connection.
    let sf = stream_call(&dir, "uac_info_hash.xml", "tcpinfo", true, 0.1, 0);
    let extra = ["-t", "t1", "-cid_str", "tcpinfo-%u"];
    sipp_ok(Sipp::spawn(&dir.0, ports, 1, &sf, &extra), &gw);
    let s = gw.wait_summaries(2, SECS_10);
    assert_eq!(by_cid(&s, "tcpinfo")["cause"], "logic");
}

/// A double-CRLF ping gets a CRLF pong; garbage closes that connection (after a 400 when it
/// looked like a request) and nothing else.
fn tcp_keepalive_and_garbage(ports: Ports) {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(ports.sip()).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    c.write_all(b"\r\n\r\n").unwrap();
    let mut pong = [0u8; 2];
    c.read_exact(&mut pong).unwrap();
    assert_eq!(&pong, b"\r\n");
    c.write_all(b"INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKt\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: g\r\nCSeq: 1 INVITE\r\nContent-Length: x\r\n\r\n")
        .unwrap();
    let mut rest = Vec::new();
    let _ = c.read_to_end(&mut rest);
    assert!(
        rest.starts_with(b"SIP/2.0 400"),
        "{}",
        String::from_utf8_lossy(&rest)
    );
}

#[test]
fn an_offerless_invite_gets_our_offer_and_the_ack_answers_it() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("lateoffer");
    let ports = Ports::new(14);
    let gw = Gateway::start(&dir.0, ports, "", "");
    let sf = stream_call(&dir, "uac_late_offer.xml", "late", true, 2.0, 2500);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "late-%u-%p@%s"]),
        &gw,
    );
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["codec"], "PCMU");
    assert_eq!(s["cause"], "caller_bye");
    assert!(s["received"]["packets"].as_u64().unwrap() >= 90, "{s}");
    let (voiced, _) = gw.probe_heard(s["call_no"].as_u64().unwrap()).unwrap();
    assert!(voiced >= 50, "the logic heard only {voiced} voiced frames");
}

#[test]
fn shutdown_lets_a_running_call_finish_then_exits_before_the_deadline() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("drain");
    let ports = Ports::new(15);
    let mut gw = Gateway::start(&dir.0, ports, "shutdown_grace_secs = 20", "");
    let sf = stream_call(&dir, "uac_rtp.xml", "drain", true, 2.0, 2000);
    let call = Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "drain-%u-%p@%s"]);
    gw.wait_log("incoming call", SECS_10);
    let asked = std::time::Instant::now();
    gw.signal_term();
    sipp_ok(call, &gw);
    let status = gw.wait_exit(SECS_10);
    assert!(status.success(), "{status:?}\n{}", gw.log());
    assert!(
        asked.elapsed() < Duration::from_secs(8),
        "waited for the deadline"
    );
    assert_eq!(gw.summaries()[0]["cause"], "caller_bye");
}

/// `calls.logic = "demo"` (the bundled keypad flow) end to end: SIPp streams speech-level
/// audio at it; the call is recorded as a stereo WAV (caller left, voxgate's greeting right)
/// and its record lands in the SQLite store with the Call-ID hashed.
#[test]
fn the_keypad_flow_records_the_call_and_stores_its_record() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("demo");
    let ports = Ports::new(16);
    let gw = Gateway::start(&dir.0, ports, "logic = \"demo\"", "");
    // The caller streams 2 s of seeded noise: it has one sharp correlation peak, so the
    // recording must hold this very audio, aligned, not merely something loud.
    let audio = dir.0.join("noise.ul");
    let source = noise_ulaw(&audio, 16_000, 7);
    let sf = scenario(
        &dir.0,
        "uac_rtp.xml",
        &[
            ("AUDIO", audio.to_str().unwrap()),
            ("HOLD_MS", "2500"),
            ("BYE_WAIT_MS", "10000"),
        ],
    );
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "demo-%u-%p@%s"]),
        &gw,
    );
    gw.wait_summaries(1, SECS_10);
    let wavs: Vec<_> = walk(&dir.0.join("data/recordings"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    assert_eq!(wavs.len(), 1, "one recording expected: {wavs:?}");
    let name = wavs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        !name.contains("demo-"),
        "recording named after the clear Call-ID: {name}"
    );
    let mut reader = hound::WavReader::open(&wavs[0]).unwrap();
    let spec = reader.spec();
    assert_eq!((spec.channels, spec.sample_rate), (2, 8000));
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    let energy = |ch: usize| {
        samples
            .iter()
            .skip(ch)
            .step_by(2)
            .map(|s| i64::from(s.unsigned_abs()))
            .sum::<i64>()
    };
    let frames = i64::try_from(samples.len() / 2).unwrap();
    assert!(
        frames >= 8000,
        "recording shorter than a second: {frames} frames"
    );
    assert!(energy(0) / frames > 100, "caller channel silent");
    assert!(
        energy(1) / frames > 100,
        "voxgate channel (greeting) silent"
    );
    let caller: Vec<i16> = samples.iter().step_by(2).copied().collect();
    let (peak, lag) = best_correlation(&source[4000..8000], &caller, 12_000);
    assert!(
        peak >= 0.95,
        "caller channel does not hold the sent audio: peak {peak:.3} at lag {lag}"
    );
    let other = noise_ulaw(&dir.0.join("other.ul"), 16_000, 8);
    let (wrong, _) = best_correlation(&other[4000..8000], &caller, 12_000);
    eprintln!("caller channel: peak {peak:.4} at lag {lag}; unrelated noise {wrong:.4}");
    assert!(wrong < 0.3, "unrelated audio correlates at {wrong:.3}");

    let store =
        voxgate::store::Store::open(&dir.0.join("data"), voxgate::store::CallerPolicy::Redact)
            .unwrap();
    let calls = store.recent_calls(10).unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].codec.as_deref(), Some("PCMU"));
    assert!(calls[0].packets_received >= 90, "{:?}", calls[0]);
    assert!(!calls[0].call_id_hash.contains("demo-"));
    drop(store);
    data_is_private_and_has_no_call_id(&dir.0.join("data"), "demo-1-");
}

/// Every file voxgate wrote under `data` is 0600 and every directory 0700 (`data` included:
/// voxgate created it), and no file holds the clear Call-ID.
fn data_is_private_and_has_no_call_id(data: &std::path::Path, call_id: &str) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(data), 0o700, "{}", data.display());
    let mut dirs = vec![data.to_path_buf()];
    let mut files = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                assert_eq!(mode(&p), 0o700, "{}", p.display());
                dirs.push(p);
                continue;
            }
            files += 1;
            assert_eq!(mode(&p), 0o600, "{}", p.display());
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !bytes
                    .windows(call_id.len())
                    .any(|w| w == call_id.as_bytes()),
                "the clear Call-ID is in {}",
                p.display()
            );
        }
    }
    assert!(
        files >= 3,
        "calls.jsonl, the database and the recording expected"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A caller whose ACK never arrives: voxgate retransmits its 200 and, at 64·T1 (T1 = 100 ms
/// here, so 6.4 s), hangs up with BYE; the call is recorded with cause `no_ack`.
#[test]
fn a_lost_ack_ends_the_call_with_bye_after_64_t1() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("noack");
    let ports = Ports::new(17);
    let gw = Gateway::start_with(&dir.0, ports, "t1_ms = 100", "", "timeout_secs = 60");
    let sf = scenario(&dir.0, "uac_no_ack.xml", &[("BYE_WAIT_MS", "15000")]);
    let started = std::time::Instant::now();
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "noack-%u-%p@%s"]),
        &gw,
    );
    assert!(
        started.elapsed() >= Duration::from_millis(6000),
        "BYE came before 64·T1: {:?}",
        started.elapsed()
    );
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["cause"], "no_ack", "{s}");
    assert_eq!(s["side"], "gateway");
}

/// Writes `n` samples of seeded white noise as raw μ-law to `path`; returns the samples as
/// the far end decodes them.
fn noise_ulaw(path: &std::path::Path, n: usize, seed: u64) -> Vec<i16> {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let bytes: Vec<u8> = (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let v = i16::try_from((x >> 33) % 16_001).unwrap() - 8_000;
            voxgate::rtp::linear_to_ulaw(v)
        })
        .collect();
    std::fs::write(path, &bytes).unwrap();
    bytes
        .into_iter()
        .map(voxgate::rtp::ulaw_to_linear)
        .collect()
}

/// The highest normalised cross-correlation of `reference` against `signal` over lags
/// `0..max_lag`, and its lag.
fn best_correlation(reference: &[i16], signal: &[i16], max_lag: usize) -> (f64, usize) {
    let norm = |s: &[i16]| s.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt();
    let r_norm = norm(reference);
    let mut best = (0.0, 0);
    for lag in 0..max_lag.min(signal.len().saturating_sub(reference.len())) {
        let window = &signal[lag..lag + reference.len()];
        let dot: f64 = reference
            .iter()
            .zip(window)
            .map(|(&a, &b)| f64::from(a) * f64::from(b))
            .sum();
        let denom = r_norm * norm(window);
        if denom > 0.0 && dot / denom > best.0 {
            best = (dot / denom, lag);
        }
    }
    best
}

/// Over TCP, when the caller's connection has closed, voxgate's BYE goes on a new
/// connection to the caller's Contact (RFC 3261 §12.2: the remote target). A hand-written
/// TCP caller: INVITE, ACK, close; `#` by INFO on a second connection, close; then it
/// accepts voxgate's connection at its Contact and answers the BYE.
#[test]
fn over_tcp_a_bye_after_the_caller_closed_its_connection_dials_the_contact() {
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    let dir = TempDir::new("tcpdial");
    let ports = Ports::new(18);
    let gw = Gateway::start(&dir.0, ports, "", "timeout_secs = 60");
    let contact = TcpListener::bind(("127.0.0.1", ports.base + 40)).unwrap();
    let contact_addr = contact.local_addr().unwrap();
    let rtp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sdp = format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
        rtp.local_addr().unwrap().port()
    );
    let head = |method: &str, cseq: u32, to_tag: &str, extra: &str, body: &str| {
        format!(
            "{method} sip:svc@{gw} SIP/2.0\r\nVia: SIP/2.0/TCP {contact_addr};branch=z9hG4bK{method}{cseq}\r\n\
             From: <sip:tcpc@127.0.0.1>;tag=tc1\r\nTo: <sip:svc@{gw}>{to_tag}\r\nCall-ID: tcpdial-1@x\r\n\
             CSeq: {cseq} {method}\r\nMax-Forwards: 70\r\nContact: <sip:tcpc@{contact_addr};transport=tcp>\r\n\
             {extra}Content-Length: {}\r\n\r\n{body}",
            body.len(),
            gw = ports.sip(),
        )
    };
    let read_response = |r: &mut BufReader<TcpStream>| -> (u16, String) {
        let mut text = String::new();
        let mut len = 0;
        loop {
            let mut line = String::new();
            assert!(r.read_line(&mut line).unwrap() > 0, "connection closed");
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            text.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; len];
        std::io::Read::read_exact(r, &mut body).unwrap();
        (text[8..11].parse().unwrap(), text)
    };
    let open = || {
        let c = TcpStream::connect(ports.sip()).unwrap();
        c.set_read_timeout(Some(SECS_10)).unwrap();
        c
    };
    // INVITE until 200; its To tag names the dialog.
    let mut c = open();
    let sdp_ct = "Content-Type: application/sdp\r\n";
    c.write_all(head("INVITE", 1, "", sdp_ct, &sdp).as_bytes())
        .unwrap();
    let mut r = BufReader::new(c.try_clone().unwrap());
    let ok = loop {
        let (status, text) = read_response(&mut r);
        if status == 200 {
            break text;
        }
        assert!(status < 200, "{text}");
    };
    let tag = ok
        .lines()
        .find(|l| l.starts_with("To:"))
        .and_then(|l| l.split(";tag=").nth(1))
        .unwrap()
        .trim()
        .to_owned();
    let to_tag = format!(";tag={tag}");
    c.write_all(head("ACK", 1, &to_tag, "", "").as_bytes())
        .unwrap();
    drop(r);
    drop(c);
    gw.wait_log("incoming call", SECS_10);
    // `#` by INFO on a second connection, closed after its 200.
    let mut c = open();
    let relay = "Content-Type: application/dtmf-relay\r\n";
    c.write_all(head("INFO", 2, &to_tag, relay, "Signal=#\r\nDuration=160\r\n").as_bytes())
        .unwrap();
    let mut r = BufReader::new(c.try_clone().unwrap());
    assert_eq!(read_response(&mut r).0, 200);
    drop(r);
    drop(c);
    // voxgate connects to the Contact with its BYE.
    contact.set_nonblocking(true).unwrap();
    let end = std::time::Instant::now() + SECS_10;
    let sock = loop {
        match contact.accept() {
            Ok((sock, _)) => break sock,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(
                    std::time::Instant::now() < end,
                    "no connection to the Contact:\n{}",
                    gw.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("accept: {e}"),
        }
    };
    sock.set_nonblocking(false).unwrap();
    sock.set_read_timeout(Some(SECS_10)).unwrap();
    let mut r = BufReader::new(sock.try_clone().unwrap());
    let mut bye = String::new();
    loop {
        let mut line = String::new();
        assert!(r.read_line(&mut line).unwrap() > 0, "closed before BYE");
        bye.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    assert!(
        bye.starts_with(&format!(
            "BYE sip:tcpc@{contact_addr};transport=tcp SIP/2.0"
        )),
        "{bye}"
    );
    let echo: String = bye
        .lines()
        .filter(|l| {
            ["Via:", "From:", "To:", "Call-ID:", "CSeq:"]
                .iter()
                .any(|h| l.starts_with(h))
        })
        .map(|l| format!("{l}\r\n"))
        .collect();
    let mut w = sock;
    w.write_all(format!("SIP/2.0 200 OK\r\n{echo}Content-Length: 0\r\n\r\n").as_bytes())
        .unwrap();
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["cause"], "logic", "{s}");
}

/// The PCMA 30 ms capture SIPp replays, as the far end decodes it: the A-law payloads of its
/// RTP packets in order (classic little-endian pcap, Ethernet/IPv4/UDP).
fn pcap_alaw_audio(path: &std::path::Path) -> Vec<i16> {
    let data = std::fs::read(path).unwrap();
    assert_eq!(
        &data[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "little-endian pcap expected"
    );
    let u32le = |i: usize| u32::from_le_bytes(data[i..i + 4].try_into().unwrap()) as usize;
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= data.len() {
        let len = u32le(at + 8);
        let frame = &data[at + 16..(at + 16 + len).min(data.len())];
        at += 16 + len;
        let ip = frame.get(14..).unwrap_or_default();
        if ip.len() < 20 || ip[0] >> 4 != 4 || ip[9] != 17 {
            continue;
        }
        let udp = &ip[usize::from(ip[0] & 0x0f) * 4..];
        let rtp = udp.get(8..).unwrap_or_default();
        if rtp.len() <= 12 || rtp[1] & 0x7f != 8 {
            continue;
        }
        let header = 12 + usize::from(rtp[0] & 0x0f) * 4;
        out.extend(
            rtp[header..]
                .iter()
                .map(|&b| voxgate::rtp::alaw_to_linear(b)),
        );
    }
    out
}

/// The stereo recording of the only call in `dir`: (caller, voxgate) channels.
fn recording_channels(dir: &std::path::Path) -> (Vec<i16>, Vec<i16>) {
    let wavs: Vec<_> = walk(&dir.join("data/recordings"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    assert_eq!(wavs.len(), 1, "one recording expected: {wavs:?}");
    let samples: Vec<i16> = hound::WavReader::open(&wavs[0])
        .unwrap()
        .samples::<i16>()
        .map(Result::unwrap)
        .collect();
    let left = samples.iter().step_by(2).copied().collect();
    let right = samples.iter().skip(1).step_by(2).copied().collect();
    (left, right)
}

/// Everything goes to the SQLite store; the JSON-lines files are an export only written when
/// `[store] export_jsonl` says so: with it off, a keyed call leaves its record in SQLite and
/// no `.jsonl` file anywhere.
#[test]
fn without_the_export_the_store_alone_holds_the_call() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("no-export");
    let ports = Ports::new(21);
    let gw = Gateway::start_opts(
        &dir.0,
        ports,
        &GatewayOpts {
            calls: "logic = \"demo\"",
            tail: "[store]\nexport_jsonl = false",
            ..GatewayOpts::default()
        },
    );
    let sf = scenario(
        &dir.0,
        "uac_keys.xml",
        &[
            ("PAUSE_MS", "700"),
            ("KEY1", "1"),
            ("KEY2", "2"),
            ("BYE_WAIT_MS", "15000"),
        ],
    );
    sipp_ok(Sipp::spawn(&dir.0, ports, 0, &sf, &[]), &gw);
    gw.wait_log("call ended", SECS_10);
    let store =
        voxgate::store::Store::open(&dir.0.join("data"), voxgate::store::CallerPolicy::Redact)
            .unwrap();
    let end = std::time::Instant::now() + SECS_10;
    let calls = loop {
        let calls = store.recent_calls(10).unwrap();
        if !calls.is_empty() || std::time::Instant::now() > end {
            break calls;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(calls.len(), 1, "{}", gw.log());
    // voxgate hung up after reading the keys back.
    assert_eq!(
        calls[0].hangup_cause.as_deref(),
        Some("call logic hung up"),
        "{}",
        gw.log()
    );
    let jsonl: Vec<_> = walk(&dir.0.join("data"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert!(jsonl.is_empty(), "{jsonl:?}");
}

/// The keypad flow reads the keys back with the built-in prompts: SIPp presses 4, 2 and #
/// by SIP INFO, and the call's recording (what voxgate sent, sample for sample) holds the
/// prompt "four" and then "two", and not "seven".
#[test]
fn the_keypad_flow_reads_the_pressed_keys_back_with_the_built_in_prompts() {
    if !have_peer("sipp") {
        return;
    }
    let dir = TempDir::new("keys");
    let ports = Ports::new(20);
    let gw = Gateway::start(&dir.0, ports, "logic = \"demo\"", "");
    let sf = scenario(
        &dir.0,
        "uac_keys.xml",
        &[
            ("PAUSE_MS", "700"),
            ("KEY1", "4"),
            ("KEY2", "2"),
            ("BYE_WAIT_MS", "15000"),
        ],
    );
    sipp_ok(Sipp::spawn(&dir.0, ports, 0, &sf, &[]), &gw);
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(s["side"], "gateway", "voxgate hung up after goodbye: {s}");
    let (_, ours) = recording_channels(&dir.0);
    let prompt = |name: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("assets/prompts/{name}.wav"));
        voxgate::media::Prompt::from_wav_file(&path)
            .unwrap()
            .samples()
            .to_vec()
    };
    // The first 0.3 s of each word is enough to tell the digits apart, and cheap to search.
    let head = |p: Vec<i16>| p[..2400.min(p.len())].to_vec();
    let (four, at4) = best_correlation(&head(prompt("digit-4")), &ours, ours.len());
    let (two, at2) = best_correlation(&head(prompt("digit-2")), &ours, ours.len());
    let (seven, _) = best_correlation(&head(prompt("digit-7")), &ours, ours.len());
    eprintln!("four {four:.3} at {at4}, two {two:.3} at {at2}, seven {seven:.3}");
    assert!(four > 0.99 && two > 0.99, "four {four:.3}, two {two:.3}");
    assert!(at4 < at2, "read back in order: {at4} {at2}");
    assert!(seven < 0.9, "seven was never pressed: {seven:.3}");
}

/// SIPp replays a real PCMA 30 ms capture (and RFC 2833 digit 1) at the keypad flow: the
/// recording's caller channel holds that very audio.
#[test]
fn a_pcma_30ms_capture_is_recorded_as_sent() {
    if !have_peer("sipp") || !can_replay_pcap() {
        return;
    }
    let dir = TempDir::new("pcmarec");
    std::os::unix::fs::symlink("/usr/share/sip-tester", dir.0.join("pcap")).unwrap();
    let ports = Ports::new(19);
    let gw = Gateway::start(&dir.0, ports, "logic = \"demo\"", "");
    let sf = scenario(&dir.0, "uac_pcap.xml", &[]);
    sipp_ok(
        Sipp::spawn(&dir.0, ports, 0, &sf, &["-cid_str", "pcmarec-%u-%p@%s"]),
        &gw,
    );
    let s = &gw.wait_summaries(1, SECS_10)[0];
    assert_eq!(
        (s["codec"].as_str(), s["digits"].as_u64()),
        (Some("PCMA"), Some(1))
    );
    let source = pcap_alaw_audio(std::path::Path::new("/usr/share/sip-tester/g711a.pcap"));
    assert!(
        source.len() > 16_000,
        "{} samples in the capture",
        source.len()
    );
    let (caller, _) = recording_channels(&dir.0);
    let window = &source[8000..12_000];
    let (peak, lag) = best_correlation(window, &caller, caller.len());
    eprintln!("PCMA capture in the recording: peak {peak:.4} at lag {lag}");
    assert!(
        peak >= 0.9,
        "caller channel does not hold the capture: peak {peak:.3}"
    );
}

/// SIPp's play_pcap_audio needs a raw socket: root. Without it the test skips, except
/// under CI=true.
fn can_replay_pcap() -> bool {
    let id = std::process::Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&id.stdout).trim() == "0" {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "play_pcap_audio needs root"
    );
    eprintln!("SKIPPED: play_pcap_audio needs root");
    false
}
