//! A secure call: baresip dials the demo script over SIP over TLS with SDES-SRTP required
//! (`sip.require_secure`), sends `123#` and must hear the read-back (its recording correlates
//! with the prompts), while tcpdump captures the loopback traffic of the call: no SIP message
//! and no key may appear in clear, and no RTP payload may be plain G.711 (the silent
//! microphone and voxgate's pauses would be runs of μ-law silence). A plain UDP call to the
//! same gateway is refused. Skipped (with a message) only when a peer is missing and CI is
//! not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "peers/baresip.rs"]
mod baresip;
mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use baresip::Baresip;
use common::audio::{assert_heard_in_order, prompt_path, read_8k};
use common::{Gateway, GatewayOpts, Ports, Sipp, TempDir, have_peer};

const READ_BACK: [&str; 6] = [
    "greeting",
    "you-entered",
    "digit-1",
    "digit-2",
    "digit-3",
    "goodbye",
];
const NOT_PLAYED: [&str; 2] = ["digit-9", "star"];

/// A test CA and a certificate for 127.0.0.1 signed by it: (ca.pem, cert.pem, key.pem).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let ok = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "openssl {args:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=voxgate test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "srv.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "srv.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    )
}

/// tcpdump on loopback, killed (and flushed: `-U`) on drop.
struct Capture {
    child: Child,
    file: PathBuf,
}

impl Capture {
    fn start(dir: &Path, filter: &str) -> Capture {
        let file = dir.join("call.pcap");
        let log = dir.join("tcpdump.log");
        let child = Command::new("tcpdump")
            .args(["-i", "lo", "-U", "-n", "-s", "0", "-w"])
            .arg(&file)
            .arg(filter)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start tcpdump");
        let end = Instant::now() + Duration::from_secs(10);
        while !std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("listening on")
        {
            assert!(Instant::now() < end, "tcpdump did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Capture { child, file }
    }

    fn stop(mut self) -> Vec<Packet> {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        packets(&std::fs::read(&self.file).unwrap())
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One captured TCP or UDP payload.
struct Packet {
    udp: bool,
    payload: Vec<u8>,
}

/// The TCP and UDP payloads of a pcap file of Ethernet/IPv4 frames (tcpdump on `lo`).
fn packets(pcap: &[u8]) -> Vec<Packet> {
    let u32_at = |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    assert!(
        pcap.len() >= 24 && u32_at(pcap, 0) == 0xa1b2_c3d4,
        "not a pcap file"
    );
    let mut out = Vec::new();
    let mut i = 24;
    while i + 16 <= pcap.len() {
        let len = u32_at(pcap, i + 8) as usize;
        let frame = &pcap[i + 16..(i + 16 + len).min(pcap.len())];
        i += 16 + len;
        if frame.len() < 34 || frame[12..14] != [0x08, 0x00] {
            continue;
        }
        let ip = &frame[14..];
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let total = usize::from(u16::from_be_bytes([ip[2], ip[3]])).min(ip.len());
        let l4 = &ip[ihl.min(total)..total];
        match ip[9] {
            17 if l4.len() >= 8 => out.push(Packet {
                udp: true,
                payload: l4[8..].to_vec(),
            }),
            6 if l4.len() >= 20 => {
                let off = usize::from(l4[12] >> 4) * 4;
                if l4.len() > off {
                    out.push(Packet {
                        udp: false,
                        payload: l4[off..].to_vec(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether an RTP payload looks like plain G.711 silence (μ-law 0xFF/0x7F, A-law 0xD5/0x55).
fn mostly_silence(payload: &[u8]) -> bool {
    let quiet = payload
        .iter()
        .filter(|b| matches!(b, 0xff | 0x7f | 0xfe | 0x7e | 0xd5 | 0x55))
        .count();
    payload.len() >= 80 && quiet * 2 > payload.len()
}

#[test]
fn a_tls_srtp_call_is_answered_heard_and_nothing_is_in_clear() {
    if !have_peer("baresip") || !have_peer("tcpdump") || !have_peer("openssl") {
        return;
    }
    let dir = TempDir::new("tls-srtp");
    let ports = Ports::new(76);
    let (ca, cert, key) = certificates(&dir.0);
    let tls_port = ports.base + 5;
    let sip = format!(
        "require_secure = true\n[sip.tls]\nlisten = \"127.0.0.1:{tls_port}\"\n\
         cert = \"{}\"\nkey = \"{}\"\n",
        cert.display(),
        key.display()
    );
    let gw = Gateway::start_opts(
        &dir.0,
        ports,
        &GatewayOpts {
            sip: &sip,
            calls: "logic = \"demo\"",
            ..GatewayOpts::default()
        },
    );
    // A plain call is refused when security is required.
    let plain = Sipp::spawn_with(&dir.0, ports, 0, &["-sn", "uac"], &[]);
    let (code, out) = plain.wait();
    assert_ne!(code, 0, "a plain UDP call was answered:\n{out}");
    gw.wait_log("call refused: TLS is required", Duration::from_secs(5));

    let filter = format!(
        "tcp port {tls_port} or (udp and portrange {}-{})",
        ports.rtp_min(),
        ports.rtp_max()
    );
    let capture = Capture::start(&dir.0, &filter);
    let mut phone = Baresip::dial_tls_srtp(&dir.0, ports, tls_port, &ca);
    phone.wait_established(Duration::from_secs(10));
    let greeting = read_8k(&prompt_path("greeting")).len() as u64 / 8;
    std::thread::sleep(Duration::from_millis(greeting + 1500));
    for key in "123#".chars() {
        phone.send_digit(key);
        std::thread::sleep(Duration::from_millis(400));
    }
    phone.wait_closed(Duration::from_secs(20));
    let s = &gw.wait_summaries(1, Duration::from_secs(10))[0];
    assert_eq!(s["digits"], 4, "{s}");
    assert_eq!(s["cause"], "logic", "{s}");
    let trace = phone.quit();
    assert!(trace.contains("SRTP is Enabled"), "{trace}");
    baresip::assert_transport(&trace, "TLS", tls_port);
    let recording = baresip::decoded_recording(&dir.0);
    assert_heard_in_order(&recording, &READ_BACK, &NOT_PLAYED);

    let captured = capture.stop();
    let tls: Vec<&Packet> = captured.iter().filter(|p| !p.udp).collect();
    let rtp: Vec<&Packet> = captured.iter().filter(|p| p.udp).collect();
    assert!(
        tls.iter().map(|p| p.payload.len()).sum::<usize>() > 1000,
        "no TLS captured"
    );
    assert!(rtp.len() > 200, "{} media packets captured", rtp.len());
    for p in &captured {
        for clear in [
            &b"SIP/2.0"[..],
            b"INVITE",
            b"a=crypto",
            b"inline:",
            b"Call-ID",
        ] {
            assert!(
                !contains(&p.payload, clear),
                "{:?} in clear",
                String::from_utf8_lossy(clear)
            );
        }
    }
    let plain = rtp
        .iter()
        .filter(|p| p.payload.len() > 12 && mostly_silence(&p.payload[12..]))
        .count();
    assert_eq!(
        plain,
        0,
        "{plain} of {} media packets carry plain G.711 silence",
        rtp.len()
    );
}
