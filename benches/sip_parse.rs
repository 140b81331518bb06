//! SIP message parse and print speed on what a desk phone or softphone (baresip) sends: an
//! INVITE with an SDP offer (~900 bytes) and the 200 OK that answers it.
//!
//! `cargo bench --bench sip_parse -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sip::Message;

const INVITE_SDP: &str = "v=0\r\n\
o=- 3957491840 3957491840 IN IP4 192.0.2.20\r\n\
s=-\r\n\
c=IN IP4 192.0.2.20\r\n\
t=0 0\r\n\
m=audio 10000 RTP/AVP 0 8 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15\r\n\
a=ptime:20\r\n\
a=rtcp:10001 IN IP4 192.0.2.20\r\n\
a=ssrc:2984619312 cname:7f3a1c2e9b8d4a60\r\n\
a=sendrecv\r\n";

const INVITE_HEAD: &str = "INVITE sip:2000@192.0.2.10 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK7f8a2c1d9e3b4a5f;rport\r\n\
Contact: <sip:alice-0x55d5c8a4e2b0@192.0.2.20:5060;transport=udp>\r\n\
Max-Forwards: 70\r\n\
To: <sip:2000@192.0.2.10>\r\n\
From: \"Alice Smith\" <sip:alice@192.0.2.10>;tag=c4b8a5e2f1d3a7b9\r\n\
Call-ID: 8f3a1b2c4d5e6f70a9b8c7d6e5f40312\r\n\
CSeq: 28311 INVITE\r\n\
Allow: INVITE,ACK,BYE,CANCEL,OPTIONS,NOTIFY,SUBSCRIBE,INFO,MESSAGE,UPDATE,REFER,PRACK\r\n\
Supported: replaces,norefersub,100rel,timer\r\n\
User-Agent: baresip v3.10.1 (x86_64/linux)\r\n\
Content-Type: application/sdp\r\n";

const OK_SDP: &str = "v=0\r\n\
o=voxgate 1712 1712 IN IP4 192.0.2.10\r\n\
s=voxgate\r\n\
c=IN IP4 192.0.2.10\r\n\
t=0 0\r\n\
m=audio 40000 RTP/AVP 0 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15\r\n\
a=ptime:20\r\n\
a=sendrecv\r\n";

const OK_HEAD: &str = "SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK7f8a2c1d9e3b4a5f;rport=5060;received=192.0.2.20\r\n\
From: \"Alice Smith\" <sip:alice@192.0.2.10>;tag=c4b8a5e2f1d3a7b9\r\n\
To: <sip:2000@192.0.2.10>;tag=as5f8e2a1b\r\n\
Call-ID: 8f3a1b2c4d5e6f70a9b8c7d6e5f40312\r\n\
CSeq: 28311 INVITE\r\n\
Contact: <sip:2000@192.0.2.10:5060>\r\n\
Allow: INVITE,ACK,BYE,CANCEL,OPTIONS\r\n\
Supported: replaces,timer\r\n\
Server: voxgate\r\n\
Content-Type: application/sdp\r\n";

fn with_body(head: &str, body: &str) -> Vec<u8> {
    format!("{head}Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn bench(c: &mut Criterion) {
    let invite = with_body(INVITE_HEAD, INVITE_SDP);
    let ok = with_body(OK_HEAD, OK_SDP);
    let parsed = Message::parse(&invite).expect("the INVITE parses");
    assert!(Message::parse(&ok).is_ok(), "the 200 OK parses");

    let mut g = c.benchmark_group("invite");
    g.throughput(Throughput::Bytes(invite.len() as u64));
    g.bench_function("parse", |b| b.iter(|| Message::parse(black_box(&invite))));
    g.bench_function("print", |b| b.iter(|| black_box(&parsed).to_bytes()));
    g.bench_function("parse_print", |b| {
        b.iter(|| Message::parse(black_box(&invite)).map(|m| m.to_bytes()))
    });
    g.finish();

    let mut g = c.benchmark_group("ok200");
    g.throughput(Throughput::Bytes(ok.len() as u64));
    g.bench_function("parse", |b| b.iter(|| Message::parse(black_box(&ok))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
