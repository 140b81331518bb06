//! Attacks on the gateway, tried as an attacker would: from a host the gateway does not
//! trust (a network namespace the test makes, `common::netns`), with real tools — SIPp,
//! sipvicious's svwar and svcrack, raw RTP, raw TCP. Each test fails on a gateway without
//! the defence it names. The gateway listens on every address (the default), so loopback
//! peers are trusted and the namespace is not, exactly as on a public host.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::netns::Netns;
use common::{Gateway, GatewayOpts, Ports, Sipp, TempDir, have_peer, scenario, ulaw_file};

const USER: &str = "alice";
const PASSWORD: &str = "correct horse battery staple";

/// `[sip]` lines of a gateway on every address with one digest user.
fn public_sip(ports: Ports, extra: &str) -> String {
    format!(
        "listen = \"0.0.0.0:{}\"\nadvertise_ip = \"127.0.0.1\"\n{extra}\n\
         [[sip.users]]\nname = \"{USER}\"\npassword = \"{PASSWORD}\"\n",
        ports.base
    )
}

fn public_gateway(dir: &Path, ports: Ports, calls: &str) -> Gateway {
    let sip = public_sip(ports, "");
    Gateway::start_opts(
        dir,
        ports,
        &GatewayOpts {
            sip: &sip,
            calls,
            ..GatewayOpts::default()
        },
    )
}

/// SIPp run inside the namespace against the gateway's address there, bounded in time.
fn sipp_from(ns: &Netns, ports: Ports, dir: &Path, args: &[&str]) -> (i32, String) {
    let out = ns
        .command("timeout")
        .args(["90", "sipp"])
        .arg(format!("{}:{}", ns.host, ports.base))
        .args(["-s", "svc", "-nostdin", "-timeout", "60s", "-timeout_error"])
        .args(["-p", "5070", "-mp", "6000"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run sipp");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// Every file under `dir` with its size.
fn files(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                out.push((p, len));
            }
        }
    }
    out.sort();
    out
}

/// Bytes of every file under `dir` except SQLite's write-ahead files, which SQLite
/// checkpoints on its own schedule.
fn stored_bytes(dir: &Path) -> u64 {
    files(dir)
        .iter()
        .filter(|(p, _)| {
            let name = p.to_string_lossy();
            !name.ends_with("-wal") && !name.ends_with("-shm")
        })
        .map(|(_, n)| n)
        .sum()
}

fn recordings(gw: &Gateway) -> Vec<PathBuf> {
    files(&gw.dir.join("data"))
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect()
}

#[test]
fn an_untrusted_caller_gets_a_call_only_with_the_right_password() {
    if !have_peer("sipp") {
        return;
    }
    let Some(ns) = Netns::create(70) else { return };
    let dir = TempDir::new("hard-auth");
    let ports = Ports::new(70);
    let gw = public_gateway(&dir.0, ports, "");
    let sf = scenario(&dir.0, "uac_auth.xml", &[]);
    let sf = sf.to_str().unwrap();
    // No credentials at all: SIPp's own uac gets a 401 and no call.
    let (code, out) = sipp_from(&ns, ports, &dir.0, &["-sn", "uac", "-m", "1"]);
    assert_ne!(code, 0, "a call without credentials:\n{out}");
    // A wrong password: 403, no call.
    let (code, out) = sipp_from(
        &ns,
        ports,
        &dir.0,
        &["-sf", sf, "-au", USER, "-ap", "wrong horse", "-m", "1"],
    );
    assert_ne!(code, 0, "a call with a wrong password:\n{out}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(gw.summaries().is_empty(), "{:?}", gw.summaries());
    // The right password: a call.
    let (code, out) = sipp_from(
        &ns,
        ports,
        &dir.0,
        &["-sf", sf, "-au", USER, "-ap", PASSWORD, "-m", "1"],
    );
    assert_eq!(code, 0, "the right password:\n{out}\n{}", gw.log());
    let s = gw.wait_summaries(1, Duration::from_secs(10));
    assert_eq!(s[0]["cause"], "caller_bye", "{s:?}");
}

#[test]
fn a_flood_of_invites_costs_less_than_it_sends_and_writes_nothing() {
    if !have_peer("sipp") {
        return;
    }
    let Some(ns) = Netns::create(71) else { return };
    let dir = TempDir::new("hard-flood");
    let ports = Ports::new(71);
    let gw = public_gateway(&dir.0, ports, "logic = \"demo\"");
    std::thread::sleep(Duration::from_millis(500));
    let data = dir.0.join("data");
    let stored = stored_bytes(&data);
    let lines = gw.log().lines().count();
    let (rx0, tx0) = ns.bytes();
    // 2000 INVITEs in 10 s, each retransmitted by SIPp while unanswered.
    let (_, out) = sipp_from(
        &ns,
        ports,
        &dir.0,
        &[
            "-sn",
            "uac",
            "-r",
            "200",
            "-m",
            "2000",
            "-l",
            "2000",
            "-recv_timeout",
            "3000",
        ],
    );
    std::thread::sleep(Duration::from_secs(1));
    let (rx1, tx1) = ns.bytes();
    let (sent, answered) = (rx1 - rx0, tx1 - tx0);
    eprintln!("flood: {sent} bytes in, {answered} bytes out");
    assert!(sent > 500_000, "the flood was sent: {sent} bytes\n{out}");
    assert!(
        answered * 10 < sent,
        "{answered} bytes out for {sent} bytes in"
    );
    assert!(gw.summaries().is_empty(), "no call records");
    assert!(recordings(&gw).is_empty(), "no recordings");
    assert_eq!(
        stored_bytes(&data),
        stored,
        "nothing stored: {:?}",
        files(&data)
    );
    let log = gw.log();
    let new_lines: Vec<&str> = log
        .lines()
        .skip(lines)
        .filter(|l| !l.contains("DEBUG"))
        .collect();
    assert!(new_lines.len() <= 5, "log lines: {new_lines:#?}");
    assert!(log.contains("SIP source banned"), "{log}");
}

/// The Python test peers' interpreter directory (scripts/setup --test).
fn venv_bin(tool: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("VOXGATE_VENV")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/voxgate/venv"))
        })?;
    let bin = venv.join("bin").join(tool);
    if bin.is_file() {
        return Some(bin);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{tool} is required under CI=true: run scripts/setup --test"
    );
    eprintln!("SKIPPED: {tool} not installed (run scripts/setup --test)");
    None
}

#[test]
fn svwar_finds_no_extension_and_svcrack_is_banned() {
    let (Some(svwar), Some(svcrack)) =
        (venv_bin("sipvicious_svwar"), venv_bin("sipvicious_svcrack"))
    else {
        return;
    };
    let Some(ns) = Netns::create(72) else { return };
    let dir = TempDir::new("hard-sipvicious");
    let ports = Ports::new(72);
    let gw = public_gateway(&dir.0, ports, "logic = \"demo\"");
    let target = ns.host.to_string();
    let port = ports.base.to_string();
    let run = |args: &[&str]| {
        let out = ns
            .command("timeout")
            .arg("60")
            .args(args)
            .current_dir(&dir.0)
            .stdin(Stdio::null())
            .output()
            .expect("run sipvicious");
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    let war = run(&[
        svwar.to_str().unwrap(),
        "--force",
        "-m",
        "INVITE",
        "-e100-140",
        "-p",
        &port,
        &target,
    ]);
    assert!(war.contains("found nothing"), "svwar:\n{war}");
    let words = dir.0.join("words.txt");
    std::fs::write(&words, "password\n123456\nsecret\nalice\nletmein\nqwerty\n").unwrap();
    let crack = run(&[
        svcrack.to_str().unwrap(),
        "-u",
        USER,
        "-m",
        "INVITE",
        "-d",
        words.to_str().unwrap(),
        "-p",
        &port,
        &target,
    ]);
    assert!(crack.contains("found nothing"), "svcrack:\n{crack}");
    assert!(gw.summaries().is_empty(), "no call: {:?}", gw.summaries());
    assert!(recordings(&gw).is_empty(), "no recording");
    gw.wait_log("SIP source banned", Duration::from_secs(5));
}

/// Sends RTP from the namespace to `port`: a loud stream and, every half second, an RFC 4733
/// press of `9`, for `secs`.
const INJECTOR: &str = r#"
import socket, struct, sys, time
host, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
seq, ts, ssrc, n = 1000, 0, 0x0BADBAD0, 0
loud = bytes([0x00, 0x80] * 80)
end = time.time() + secs
while time.time() < end:
    s.sendto(struct.pack('!BBHII', 0x80, 0, seq & 0xffff, ts, ssrc) + loud, (host, port))
    seq += 1; ts += 160; n += 1
    if n % 25 == 0:
        for i, (e, d) in enumerate([(0, 160), (0, 320), (0, 480), (1, 640), (1, 640), (1, 640)]):
            pt = 101 | (0x80 if i == 0 else 0)
            body = struct.pack('!BBH', 9, (0x80 if e else 0) | 10, d)
            s.sendto(struct.pack('!BBHII', 0x80, pt, seq & 0xffff, ts, ssrc) + body, (host, port))
            seq += 1
    time.sleep(0.02)
"#;

/// The peak of the caller channel (left) of a stereo recording.
fn caller_peak(wav: &Path) -> i32 {
    let mut r = hound::WavReader::open(wav).unwrap();
    r.samples::<i16>()
        .step_by(2)
        .map(|s| i32::from(s.unwrap()).abs())
        .max()
        .unwrap_or(0)
}

#[test]
fn rtp_injected_from_another_address_is_neither_played_nor_recorded_nor_a_digit() {
    if !have_peer("sipp") || !have_peer("python3") {
        return;
    }
    let Some(ns) = Netns::create(73) else { return };
    let dir = TempDir::new("hard-rtp");
    let ports = Ports::new(73);
    let gw = public_gateway(&dir.0, ports, "logic = \"demo\"");
    // A trusted caller on loopback streams silence for 4 s.
    let audio = dir.0.join("silence.ul");
    ulaw_file(&audio, 4.0, false);
    let sf = scenario(
        &dir.0,
        "uac_rtp.xml",
        &[("AUDIO", audio.to_str().unwrap()), ("HOLD_MS", "4000")],
    );
    let caller = Sipp::spawn(&dir.0, ports, 0, &sf, &[]);
    let log = gw.wait_log("incoming call", Duration::from_secs(10));
    let port: u16 = log
        .lines()
        .find(|l| l.contains("incoming call"))
        .and_then(|l| l.split_whitespace().find_map(|w| w.strip_prefix("port=")))
        .and_then(|p| p.parse().ok())
        .expect("the call's RTP port in the log");
    let (_, tx0) = ns.bytes();
    let injector = ns
        .command("python3")
        .args(["-c", INJECTOR, &ns.host.to_string(), &port.to_string(), "3"])
        .stdin(Stdio::null())
        .output()
        .expect("run the injector");
    assert!(injector.status.success(), "{injector:?}");
    let (code, out) = caller.wait();
    assert_eq!(code, 0, "the trusted call:\n{out}\n{}", gw.log());
    let s = gw.wait_summaries(1, Duration::from_secs(10));
    assert_eq!(s[0]["digits"], 0, "injected digits were read: {s:?}");
    let wavs = recordings(&gw);
    assert_eq!(wavs.len(), 1, "{wavs:?}");
    let peak = caller_peak(&wavs[0]);
    assert!(peak < 1000, "injected audio was recorded (peak {peak})");
    let (_, tx1) = ns.bytes();
    assert!(
        tx1 - tx0 < 2_000,
        "{} bytes went to the injector",
        tx1 - tx0
    );
    gw.wait_log("media from other sources refused", Duration::from_secs(5));
}

/// Opens `n` TCP connections to `addr` and keeps them.
fn hold_connections(addr: std::net::SocketAddr, n: usize) -> Vec<TcpStream> {
    (0..n)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok())
        .collect()
}

#[test]
fn idle_tcp_connections_beyond_the_descriptor_limit_do_not_stop_a_udp_call() {
    if !have_peer("sipp") || !have_peer("prlimit") {
        return;
    }
    // This test holds 1,100 sockets itself.
    let _ = rlimit::increase_nofile_limit(4096);
    let dir = TempDir::new("hard-fds");
    let ports = Ports::new(74);
    let gw = Gateway::start_opts(
        &dir.0,
        ports,
        &GatewayOpts {
            prefix: &["prlimit", "--nofile=1024:1024"],
            ..GatewayOpts::default()
        },
    );
    let held = hold_connections(ports.sip(), 1100);
    assert!(held.len() >= 1000, "{} connections opened", held.len());
    gw.wait_log("TCP connection refused", Duration::from_secs(10));
    let sipp = Sipp::spawn_with(&dir.0, ports, 0, &["-sn", "uac"], &[]);
    let (code, out) = sipp.wait();
    assert_eq!(code, 0, "the UDP call:\n{out}\n{}", gw.log());
    let s = gw.wait_summaries(1, Duration::from_secs(10));
    assert_eq!(s[0]["codec"], "PCMU", "{s:?}");
    drop(held);
}

/// Whether the server closed `stream` within `limit` (a read returns 0 or an error).
fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let end = Instant::now() + limit;
    let mut buf = [0u8; 512];
    while Instant::now() < end {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn slow_and_idle_tcp_connections_are_closed_and_a_quick_one_is_served() {
    let dir = TempDir::new("hard-slow");
    let ports = Ports::new(75);
    let gw = Gateway::start_opts(
        &dir.0,
        ports,
        &GatewayOpts {
            tail: "[sip.limits]\ntcp_message_secs = 1.5\ntcp_idle_secs = 3\n",
            ..GatewayOpts::default()
        },
    );
    // A slow sender: one byte every 300 ms of an OPTIONS request (it would take 50 s).
    let mut slow = TcpStream::connect(ports.sip()).unwrap();
    let request = format!(
        "OPTIONS sip:svc@{0} SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKslow\r\n\
         From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:svc@{0}>\r\nCall-ID: slow\r\nCSeq: 1 OPTIONS\r\n\
         Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        ports.sip()
    );
    let mut writer = slow.try_clone().unwrap();
    let bytes = request.clone().into_bytes();
    let trickle = std::thread::spawn(move || {
        for b in bytes.iter().take(30) {
            if writer.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    assert!(
        closed_within(&mut slow, Duration::from_secs(8)),
        "a slow sender was not disconnected"
    );
    trickle.join().unwrap();
    // An idle connection.
    let mut idle = TcpStream::connect(ports.sip()).unwrap();
    assert!(
        closed_within(&mut idle, Duration::from_secs(10)),
        "an idle connection was not closed"
    );
    // A connection that sends its request at once is answered.
    let mut quick = TcpStream::connect(ports.sip()).unwrap();
    quick.write_all(request.as_bytes()).unwrap();
    quick
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 2048];
    let n = quick.read(&mut buf).unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("SIP/2.0 200"), "{answer}\n{}", gw.log());
}

/// Password guessing against an agent's phone account (svcrack's REGISTER, its default):
/// nothing found, the source banned, and no phone registered for the agent.
#[test]
fn svcrack_on_an_agents_phone_account_is_banned_and_registers_nothing() {
    let Some(svcrack) = venv_bin("sipvicious_svcrack") else {
        return;
    };
    let Some(ns) = Netns::create(77) else { return };
    let dir = TempDir::new("hard-register");
    let ports = Ports::new(77);
    let sip = public_sip(ports, "");
    let gw = Gateway::start_opts(
        &dir.0,
        ports,
        &GatewayOpts {
            sip: &sip,
            calls: "logic = \"demo\"",
            tail: "[[center.agents]]\nid = \"agent7\"\npassword = \"a long agent password\"\n",
            ..GatewayOpts::default()
        },
    );
    let words = dir.0.join("words.txt");
    std::fs::write(
        &words,
        "password\n123456\nsecret\nagent7\nletmein\nqwerty\n1234\n",
    )
    .unwrap();
    let out = ns
        .command("timeout")
        .arg("60")
        .arg(&svcrack)
        .args(["-u", "agent7", "-d"])
        .arg(&words)
        .args(["-p", &ports.base.to_string(), &ns.host.to_string()])
        .current_dir(&dir.0)
        .stdin(Stdio::null())
        .output()
        .expect("run svcrack");
    let crack =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(crack.contains("found nothing"), "svcrack:\n{crack}");
    gw.wait_log("SIP source banned", Duration::from_secs(5));
    let log = gw.log();
    assert!(log.contains("REGISTER refused: wrong credentials"), "{log}");
    assert!(!log.contains("agent phone registration"), "{log}");
}
