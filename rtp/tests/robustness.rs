//! Property tests: arbitrary peer input never panics the jitter buffer, the statistics or the
//! DTMF receiver, and their counters stay consistent.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use proptest::prelude::*;
use rtp::{DtmfEvent, DtmfReceiver, JitterBuffer, JitterConfig, Playout, ReceiverStats};

#[derive(Debug, Clone)]
enum Op {
    Push {
        seq: u16,
        ts: u32,
        marker: bool,
        len: usize,
    },
    Pop,
    Wait(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<u16>(), any::<u32>(), any::<bool>(), 0usize..600).prop_map(
            |(seq, ts, marker, len)| Op::Push {
                seq,
                ts,
                marker,
                len
            }
        ),
        // Nearby sequence numbers and timestamps, so the interesting paths are reached.
        (0u16..40, 0u32..40, any::<bool>()).prop_map(|(seq, frame, marker)| Op::Push {
            seq,
            ts: frame * 160,
            marker,
            len: 160
        }),
        Just(Op::Pop),
        (0u64..300).prop_map(Op::Wait),
    ]
}

proptest! {
    #[test]
    fn jitter_buffer_never_panics(ops in proptest::collection::vec(op(), 0..400)) {
        let t0 = Instant::now();
        let mut now = t0;
        let mut jb = JitterBuffer::new(JitterConfig::default());
        let mut out = [0u8; 480];
        let payload = [7u8; 600];
        let mut frames = 0u64;
        for op in ops {
            match op {
                Op::Push { seq, ts, marker, len } => {
                    jb.push(now, seq, ts, marker, &payload[..len]);
                }
                Op::Pop => {
                    if let Playout::Frame(len) = jb.pop(now, &mut out) {
                        prop_assert!(len <= 480);
                        frames += 1;
                    }
                }
                Op::Wait(ms) => now += Duration::from_millis(ms),
            }
        }
        let stats = jb.stats();
        prop_assert_eq!(stats.played, frames);
        prop_assert!(stats.played + stats.duplicates + stats.late <= stats.received);
        prop_assert!(stats.target >= Duration::from_millis(40));
        prop_assert!(stats.target <= Duration::from_millis(200));
    }

    #[test]
    fn receiver_stats_never_panic(
        packets in proptest::collection::vec((any::<u16>(), any::<u32>(), 0u64..100), 0..300),
    ) {
        let t0 = Instant::now();
        let mut now = t0;
        let mut stats = ReceiverStats::new(8000);
        for (seq, ts, wait) in packets {
            now += Duration::from_millis(wait);
            stats.on_packet(now, seq, ts);
            if let Some(block) = stats.report_block(1, now) {
                prop_assert!((-0x80_0000..=0x7f_ffff).contains(&block.cumulative_lost));
            }
        }
    }

    #[test]
    fn dtmf_receiver_never_panics_and_ends_each_event_once(
        packets in proptest::collection::vec(
            (0u32..6, proptest::collection::vec(any::<u8>(), 0..8), 0u64..400),
            0..200,
        ),
    ) {
        let t0 = Instant::now();
        let mut now = t0;
        let mut rx = DtmfReceiver::new(Duration::from_millis(500));
        let (mut started, mut ended) = (0, 0);
        for (ts, payload, wait) in packets {
            now += Duration::from_millis(wait);
            if rx.poll_timeout().is_some_and(|at| at <= now) {
                rx.handle_timeout(now);
            }
            let _ = rx.handle_packet(now, ts * 800, &payload);
            while let Some(e) = rx.poll_event() {
                match e {
                    DtmfEvent::Started { .. } => started += 1,
                    DtmfEvent::Ended { .. } => ended += 1,
                    _ => {}
                }
                prop_assert!(ended <= started && started <= ended + 1);
            }
        }
    }
}
