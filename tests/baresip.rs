//! A real softphone (baresip) calls the demo script over UDP and over TCP, waits for the
//! greeting, sends `123#` as RFC 4733 events and records what it hears; the recording must
//! hold the greeting and the read-back in order (cross-correlation with the prompts) and
//! voxgate's call summary must say the logic hung up after 4 key presses.
//! Skipped (with a message) only when baresip is missing and CI is not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "peers/baresip.rs"]
mod baresip;
mod common;

use std::time::Duration;

use baresip::Baresip;
use common::audio::{HEARD, Recording, assert_heard_in_order, prompt_path, read_8k};
use common::{Gateway, Ports, TempDir, have_peer};

const READ_BACK: [&str; 6] = [
    "greeting",
    "you-entered",
    "digit-1",
    "digit-2",
    "digit-3",
    "goodbye",
];
/// Prompts the call never plays: hearing one would mean the check passes on anything.
const NOT_PLAYED: [&str; 3] = ["digit-9", "digit-4", "star"];

fn call_and_check(slot: u16, tcp: bool) {
    if !have_peer("baresip") {
        return;
    }
    let dir = TempDir::new(if tcp { "baresip-tcp" } else { "baresip-udp" });
    let ports = Ports::new(slot);
    let gw = Gateway::start(&dir.0, ports, "logic = \"demo\"", "");
    let mut phone = Baresip::dial(&dir.0, ports, tcp);
    phone.wait_established(Duration::from_secs(10));
    // A key during the greeting would cut it (barge-in): let it play out first.
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
    assert_eq!(s["side"], "gateway", "{s}");
    let trace = phone.quit();
    baresip::assert_transport(&trace, if tcp { "TCP" } else { "UDP" }, ports.base);
    let recording = baresip::decoded_recording(&dir.0);
    assert_heard_in_order(&recording, &READ_BACK, &NOT_PLAYED);
}

#[test]
fn baresip_over_udp_hears_the_read_back_of_123() {
    call_and_check(30, false);
}

#[test]
fn baresip_over_tcp_hears_the_read_back_of_123() {
    call_and_check(31, true);
}

/// The correlator itself: a prompt put into noise at a known place is found there, one cut
/// off by the end of the recording still is, and a different word is not.
#[test]
fn correlator_finds_a_prompt_where_it_was_put_and_nothing_else() {
    let digit = read_8k(&prompt_path("digit-1"));
    let mut noise = 12_345_u32;
    let mut samples: Vec<f64> = (0..40_000)
        .map(|_| {
            noise = noise.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (f64::from(noise >> 16) / 65_536.0 - 0.5) * 0.02
        })
        .collect();
    for (i, x) in digit.iter().enumerate() {
        samples[10_000 + i] += x;
    }
    // "Goodbye." at the end, its last 100 ms missing.
    let bye = read_8k(&prompt_path("goodbye"));
    samples.extend_from_slice(&bye[..bye.len() - 800]);
    let rec = Recording::new(samples);
    let one = rec.find("digit-1");
    assert!(one.peak > 0.95, "{one:?}");
    assert_eq!(one.at, 10_000);
    let bye = rec.find("goodbye");
    assert!(bye.peak > 0.8, "{bye:?}");
    assert_eq!((bye.at, bye.cut), (40_000, 800));
    for other in ["digit-9", "digit-7", "you-entered"] {
        let m = rec.find(other);
        assert!(m.peak < HEARD, "{m:?}");
    }
}

/// A long prompt with a frame dropped and 40 ms inserted (what a peer's jitter buffer may
/// do under load) still matches: it is matched piece by piece (as one piece it would not).
#[test]
fn correlator_tolerates_a_dropped_and_an_inserted_frame() {
    let greeting = read_8k(&prompt_path("greeting"));
    let mut samples = vec![0.0; 4000];
    samples.extend_from_slice(&greeting[..20_000]);
    samples.extend_from_slice(&greeting[20_160..32_000]);
    samples.extend(std::iter::repeat_n(0.0, 320));
    samples.extend_from_slice(&greeting[32_000..]);
    let whole = Recording::new(samples.clone()).ncc_peak(&greeting).0;
    let m = Recording::new(samples).find("greeting");
    assert!(
        m.peak > 0.85 && whole < HEARD,
        "{m:?} (as one piece: {whole:.3})"
    );
    assert_eq!(m.at, 4000);
    eprintln!(
        "greeting with two glitches: {:.3} in pieces, {whole:.3} whole",
        m.peak
    );
}
