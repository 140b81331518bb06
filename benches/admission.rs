//! The cost of the source policy (issue #10): `Admission::check` on one INVITE, with `now`
//! advanced by 1 ms per request, i.e. 1,000 INVITEs/s in virtual time, so each figure is ns
//! per INVITE at that rate and (ns × 1,000) ÷ 10⁹ is the share of a core 1,000 INVITEs/s cost.
//! The log lines are drained after every request, as the gateway does.
//!
//! - `trusted`: from a trusted network (the loopback network): let through.
//! - `challenged`: an untrusted source without credentials, limits raised so every INVITE is
//!   answered: the 401 (one digest challenge, fresh nonce) is built.
//! - `banned`: a source banned for flooding: dropped.
//! - `spoofed flood`: every INVITE from a new source address with the default limits (500/s
//!   for all untrusted sources together): half are challenged, half dropped as overload, and
//!   the per-source maps fill and are pruned.
//!
//! `cargo bench --bench admission -- --warm-up-time 1 --measurement-time 3`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use voxgate::sip::{self, Request};
use voxgate::telephony::admission::{
    Admission, AdmissionSettings, LimitSettings, SipUser, Verdict,
};

/// One request per millisecond: 1,000 INVITEs/s.
const STEP: Duration = Duration::from_millis(1);

fn settings(limits: LimitSettings) -> AdmissionSettings {
    AdmissionSettings {
        realm: "voxgate".into(),
        trusted: vec!["127.0.0.1/32".parse().unwrap()],
        users: vec![SipUser {
            name: "alice".into(),
            password: "correct horse".into(),
        }],
        limits,
        log_interval: Duration::from_secs(60),
        algorithms: vec![sip::auth::Algorithm::Md5],
    }
}

/// A typical INVITE with SDP, as a softphone sends it.
fn invite() -> Request {
    let sdp = "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n\
               m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
               a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n";
    let text = format!(
        "INVITE sip:support@192.0.2.10 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK776asdhds\r\n\
         From: <sip:alice@198.51.100.7>;tag=1928301774\r\nTo: <sip:support@192.0.2.10>\r\n\
         Call-ID: a84b4c76e66710@198.51.100.7\r\nCSeq: 314159 INVITE\r\n\
         Contact: <sip:alice@198.51.100.7:5060>\r\nMax-Forwards: 70\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    match sip::Message::parse(text.as_bytes()).unwrap() {
        sip::Message::Request(r) => r,
        sip::Message::Response(_) => unreachable!(),
    }
}

/// Checks one INVITE at `now + STEP` and drains the log; the verdict's kind.
fn check(adm: &mut Admission, now: &mut Instant, req: &Request, ip: IpAddr) -> u8 {
    *now += STEP;
    let v = adm.check(*now, req, ip, false, "as7f3e");
    while adm.poll_log(*now).is_some() {}
    match v {
        Verdict::Pass { .. } => 0,
        Verdict::Answer(r, _) => (r.status.code() / 100) as u8,
        Verdict::Drop(_) => 9,
    }
}

fn bench(c: &mut Criterion) {
    let req = invite();
    let untrusted = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));
    let mut g = c.benchmark_group("admission check at 1,000 INVITEs per s");

    let mut now = Instant::now();
    let mut adm = Admission::new(settings(LimitSettings::default()), [7; 32], now);
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    assert_eq!(check(&mut adm, &mut now, &req, loopback), 0);
    g.bench_function("trusted", |b| {
        b.iter(|| black_box(check(&mut adm, &mut now, &req, loopback)))
    });

    let open = LimitSettings {
        per_source_rate: 100_000.0,
        per_source_burst: 100_000.0,
        untrusted_rate: 100_000.0,
        ..LimitSettings::default()
    };
    let mut now = Instant::now();
    let mut adm = Admission::new(settings(open), [7; 32], now);
    assert_eq!(check(&mut adm, &mut now, &req, untrusted), 4);
    g.bench_function("challenged (401 built)", |b| {
        b.iter(|| black_box(check(&mut adm, &mut now, &req, untrusted)))
    });

    let mut now = Instant::now();
    let mut adm = Admission::new(settings(LimitSettings::default()), [7; 32], now);
    // 20 in the burst, then 100 drops ban the source.
    for _ in 0..200 {
        check(&mut adm, &mut now, &req, untrusted);
    }
    assert_eq!(adm.bans(), 1, "the flooding source is banned");
    assert_eq!(check(&mut adm, &mut now, &req, untrusted), 9);
    g.bench_function("banned (dropped)", |b| {
        b.iter(|| black_box(check(&mut adm, &mut now, &req, untrusted)))
    });

    let mut now = Instant::now();
    let mut adm = Admission::new(settings(LimitSettings::default()), [7; 32], now);
    let mut n: u32 = 0;
    let mut spoofed = move || {
        n = n.wrapping_add(1);
        // 10.0.0.0/8 and onwards: never trusted, a new address every request.
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000u32.wrapping_add(n)))
    };
    let kinds: Vec<u8> = (0..2000)
        .map(|_| check(&mut adm, &mut now, &req, spoofed()))
        .collect();
    assert!(
        kinds.contains(&4) && kinds.contains(&9),
        "challenged and dropped"
    );
    g.bench_function("spoofed flood (a new source each)", |b| {
        b.iter(|| black_box(check(&mut adm, &mut now, &req, spoofed())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
