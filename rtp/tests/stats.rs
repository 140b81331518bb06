//! Receiver and sender statistics against worked examples of RFC 3550 A.1, A.3 and A.8.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use rtp::{NtpTime, ReceiverStats, SenderStats, SeqStatus};

const MS: Duration = Duration::from_millis(1);

/// Feeds sequence numbers arriving every 20 ms with matching 8 kHz timestamps.
fn feed(stats: &mut ReceiverStats, t0: Instant, seqs: &[u16]) -> Vec<SeqStatus> {
    seqs.iter()
        .map(|&s| {
            let n = u32::from(s);
            stats.on_packet(t0 + 20 * MS * n, s, n * 160)
        })
        .collect()
}

#[test]
fn loss_with_reordering() {
    let t0 = Instant::now();
    let mut stats = ReceiverStats::new(8000);
    let verdicts = feed(&mut stats, t0, &[0, 1, 2, 3, 4, 6, 8, 7, 9]);
    assert_eq!(verdicts[0], SeqStatus::Probation);
    assert!(verdicts[1..].iter().all(|&v| v == SeqStatus::Valid));
    // Probation ends at 1, which becomes the base: 1..=9 expected, 5 missing.
    assert_eq!(stats.expected(), 9);
    assert_eq!(stats.received(), 8);
    assert_eq!(stats.lost(), 1);
    let block = stats.report_block(0xabc, t0 + 200 * MS).unwrap();
    assert_eq!(block.ssrc, 0xabc);
    assert_eq!(block.extended_highest_seq, 9);
    assert_eq!(block.cumulative_lost, 1);
    assert_eq!(block.fraction_lost, (256 / 9) as u8);
    // A clean interval: fraction back to 0, cumulative loss stays.
    feed(&mut stats, t0, &(10..20).collect::<Vec<_>>());
    let block = stats.report_block(0xabc, t0 + 400 * MS).unwrap();
    assert_eq!(block.fraction_lost, 0);
    assert_eq!(block.cumulative_lost, 1);
    assert_eq!(block.extended_highest_seq, 19);
}

#[test]
fn duplicates_make_loss_negative() {
    let t0 = Instant::now();
    let mut stats = ReceiverStats::with_probation(8000, 0);
    feed(&mut stats, t0, &[0, 1, 2, 2, 3, 3, 4]);
    assert_eq!(stats.expected(), 5);
    assert_eq!(stats.received(), 7);
    assert_eq!(stats.lost(), -2);
    let block = stats.report_block(1, t0).unwrap();
    assert_eq!(block.cumulative_lost, -2);
    assert_eq!(block.fraction_lost, 0);
}

#[test]
fn wrap_at_65535_counts_a_cycle() {
    let t0 = Instant::now();
    let mut stats = ReceiverStats::new(8000);
    let mut seqs: Vec<u16> = (65530..=65535).collect();
    seqs.extend([1, 0, 2, 3, 4, 5]); // 0 and 1 swapped across the wrap
    let v = feed(&mut stats, t0, &seqs);
    assert!(v[1..].iter().all(|&v| v == SeqStatus::Valid));
    assert_eq!(stats.extended_max(), 65536 + 5);
    assert_eq!(stats.expected(), 11); // 65531..=65535 and 0..=5
    assert_eq!(stats.lost(), 0);
    let block = stats.report_block(1, t0).unwrap();
    assert_eq!(block.extended_highest_seq, 0x0001_0005);
    assert_eq!(block.fraction_lost, 0);
}

#[test]
fn large_jump_resyncs_after_two_packets() {
    let t0 = Instant::now();
    let mut stats = ReceiverStats::new(8000);
    feed(&mut stats, t0, &(0..100).collect::<Vec<_>>());
    assert_eq!(stats.received(), 99);
    assert_eq!(stats.on_packet(t0, 20_000, 0), SeqStatus::Jump);
    assert_eq!(stats.received(), 99);
    assert_eq!(stats.on_packet(t0, 20_001, 160), SeqStatus::Valid);
    assert_eq!(stats.received(), 1);
    assert_eq!(stats.expected(), 1);
    assert_eq!(stats.on_packet(t0, 20_002, 320), SeqStatus::Valid);
    assert_eq!(stats.extended_max(), 20_002);
    // A lone stray packet does not re-sync.
    assert_eq!(stats.on_packet(t0, 40_000, 0), SeqStatus::Jump);
    assert_eq!(stats.on_packet(t0, 20_003, 480), SeqStatus::Valid);
    assert_eq!(stats.lost(), 0);
}

#[test]
fn probation_restarts_on_a_gap() {
    let t0 = Instant::now();
    let mut stats = ReceiverStats::new(8000);
    assert_eq!(stats.on_packet(t0, 10, 0), SeqStatus::Probation);
    assert_eq!(stats.on_packet(t0, 12, 0), SeqStatus::Probation);
    assert!(!stats.is_valid());
    assert_eq!(stats.report_block(1, t0), None);
    assert_eq!(stats.on_packet(t0, 13, 0), SeqStatus::Valid);
    assert!(stats.is_valid());
}

#[test]
fn jitter_of_constant_delay_is_zero() {
    let t0 = Instant::now();
    let mut stats = ReceiverStats::new(8000);
    for n in 0..500u32 {
        let arrival = t0 + 20 * MS * n + 37 * MS;
        stats.on_packet(arrival, n as u16, 1000 + n * 160);
    }
    assert_eq!(stats.jitter(), 0);
}

#[test]
fn jitter_of_alternating_delay_converges() {
    // Transit alternates 40 ms and 60 ms: |D| = 20 ms = 160 timestamp units every packet, so
    // J converges to 160.
    let t0 = Instant::now();
    let mut stats = ReceiverStats::new(8000);
    for n in 0..500u32 {
        let delay = if n % 2 == 0 { 40 * MS } else { 60 * MS };
        stats.on_packet(t0 + 20 * MS * n + delay, n as u16, n * 160);
    }
    assert!((155..=160).contains(&stats.jitter()), "{}", stats.jitter());
    let block = stats.report_block(1, t0 + 10 * MS * 1000).unwrap();
    assert_eq!(block.jitter, stats.jitter());
}

#[test]
fn lsr_and_dlsr() {
    let t0 = Instant::now();
    let mut stats = ReceiverStats::with_probation(8000, 0);
    stats.on_packet(t0, 1, 0);
    let block = stats.report_block(1, t0).unwrap();
    assert_eq!((block.last_sr, block.delay_since_last_sr), (0, 0));
    let ntp = NtpTime::new(0xb705_0000, 0x2000_0000);
    stats.on_sender_report(t0, ntp);
    let block = stats.report_block(1, t0 + 500 * MS).unwrap();
    assert_eq!(block.last_sr, 0x0000_2000 | 0xb705_0000 << 16);
    assert_eq!(block.delay_since_last_sr, 32_768);
}

#[test]
fn sender_counts_and_report() {
    let t0 = Instant::now();
    let mut sender = SenderStats::new(8000);
    assert_eq!(sender.rtp_timestamp_at(t0), None);
    for n in 0..3u32 {
        sender.on_sent(t0 + 20 * MS * n, 1000 + 160 * n, 160);
    }
    assert_eq!((sender.packets(), sender.octets()), (3, 480));
    let ntp = NtpTime::new(1, 0);
    let sr = sender.sender_report(7, t0 + 50 * MS, ntp, vec![]);
    assert_eq!(sr.ssrc, 7);
    assert_eq!(sr.ntp_time, ntp);
    assert_eq!(sr.rtp_timestamp, 1320 + 80);
    assert_eq!((sr.packet_count, sr.octet_count), (3, 480));
}
