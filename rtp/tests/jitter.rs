//! Jitter buffer scenarios in virtual time: packets arrive at chosen instants, `pop` runs every
//! 20 ms, and the frames played are identified by the sequence number in their payload.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use rtp::{Arrival, JitterBuffer, JitterConfig, Playout};

const MS: Duration = Duration::from_millis(1);
const FRAME: Duration = Duration::from_millis(20);

/// One packet and when it arrives, relative to the start.
#[derive(Debug, Clone, Copy)]
struct Pkt {
    at: Duration,
    seq: u16,
    ts: u32,
    marker: bool,
}

/// What one `pop` produced: the sequence number of the frame, or the kind of filler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    Frame(u16),
    Concealed,
    Empty,
}

/// A stream of `n` packets from `seq0`/`ts0`, sent every 20 ms from `start` and arriving
/// `delay(i)` later.
fn stream(
    n: u16,
    seq0: u16,
    ts0: u32,
    start: Duration,
    delay: impl Fn(u16) -> Duration,
) -> Vec<Pkt> {
    (0..n)
        .map(|i| Pkt {
            at: start + FRAME * u32::from(i) + delay(i),
            seq: seq0.wrapping_add(i),
            ts: ts0.wrapping_add(160 * u32::from(i)),
            marker: i == 0,
        })
        .collect()
}

struct Sim {
    jb: JitterBuffer,
    t0: Instant,
    pkts: Vec<Pkt>,
    pushed: usize,
    ticks: u32,
    outs: Vec<(Duration, Out)>,
    arrivals: Vec<Arrival>,
}

impl Sim {
    /// A simulation delivering `pkts` in arrival order (stable for equal times).
    fn new(mut pkts: Vec<Pkt>) -> Self {
        pkts.sort_by_key(|p| p.at);
        Sim {
            jb: JitterBuffer::new(JitterConfig::default()),
            t0: Instant::now(),
            pkts,
            pushed: 0,
            ticks: 0,
            outs: Vec::new(),
            arrivals: Vec::new(),
        }
    }

    /// Pops every 20 ms until `ticks` pops have run, pushing what arrived by each tick first.
    fn run(&mut self, ticks: u32) {
        let mut buf = [0u8; 480];
        while self.ticks < ticks {
            let now = FRAME * self.ticks;
            while let Some(p) = self.pkts.get(self.pushed).filter(|p| p.at <= now).copied() {
                let mut payload = [0u8; 160];
                payload[..2].copy_from_slice(&p.seq.to_be_bytes());
                let a = self
                    .jb
                    .push(self.t0 + p.at, p.seq, p.ts, p.marker, &payload);
                self.arrivals.push(a);
                self.pushed += 1;
            }
            let out = match self.jb.pop(self.t0 + now, &mut buf) {
                Playout::Frame(len) => {
                    assert_eq!(len, 160);
                    Out::Frame(u16::from_be_bytes([buf[0], buf[1]]))
                }
                Playout::Concealed => Out::Concealed,
                Playout::Empty => Out::Empty,
            };
            self.outs.push((now, out));
            self.ticks += 1;
        }
    }

    fn frames(&self) -> Vec<u16> {
        self.outs
            .iter()
            .filter_map(|(_, o)| match o {
                Out::Frame(s) => Some(*s),
                _ => None,
            })
            .collect()
    }

    fn played_at(&self, seq: u16) -> Duration {
        self.outs
            .iter()
            .find(|(_, o)| *o == Out::Frame(seq))
            .unwrap()
            .0
    }

    /// The outputs between the first and the last frame played.
    fn middle(&self) -> Vec<Out> {
        let first = self
            .outs
            .iter()
            .position(|(_, o)| matches!(o, Out::Frame(_)));
        let last = self
            .outs
            .iter()
            .rposition(|(_, o)| matches!(o, Out::Frame(_)));
        self.outs[first.unwrap()..=last.unwrap()]
            .iter()
            .map(|(_, o)| *o)
            .collect()
    }
}

fn constant(d: Duration) -> impl Fn(u16) -> Duration {
    move |_| d
}

#[test]
fn in_order_stream_plays_every_frame() {
    let mut sim = Sim::new(stream(100, 1000, 5000, Duration::ZERO, constant(5 * MS)));
    sim.run(120);
    assert_eq!(sim.frames(), (1000..1100).collect::<Vec<_>>());
    assert!(sim.middle().iter().all(|o| matches!(o, Out::Frame(_))));
    // Anchored at the minimum delay: the first frame plays on the first tick ≥ 5 + 40 ms.
    assert_eq!(sim.played_at(1000), 60 * MS);
    let stats = sim.jb.stats();
    assert_eq!((stats.received, stats.played, stats.lost), (100, 100, 0));
    assert_eq!(stats.target, 40 * MS);
    assert_eq!(stats.delay, 55 * MS);
}

#[test]
fn three_packet_reorder_plays_in_order() {
    let mut pkts = stream(50, 0, 0, Duration::ZERO, constant(5 * MS));
    // 10, 11, 12 arrive as 12, 11, 10.
    for (seq, extra) in [(10, 41), (11, 21), (12, 0)] {
        pkts[seq].at = pkts[12].at + extra * Duration::from_micros(10);
    }
    let mut sim = Sim::new(pkts);
    sim.run(70);
    assert_eq!(sim.frames(), (0..50).collect::<Vec<_>>());
    assert!(sim.middle().iter().all(|o| matches!(o, Out::Frame(_))));
    let stats = sim.jb.stats();
    assert_eq!((stats.lost, stats.late), (0, 0));
}

#[test]
fn duplicate_is_dropped() {
    let mut pkts = stream(30, 0, 0, Duration::ZERO, constant(5 * MS));
    let mut dup = pkts[7];
    dup.at += 3 * MS;
    pkts.push(dup);
    // A duplicate of a frame already played is dropped too.
    let mut old = pkts[2];
    old.at = 200 * MS;
    pkts.push(old);
    let mut sim = Sim::new(pkts);
    sim.run(40);
    assert_eq!(sim.frames(), (0..30).collect::<Vec<_>>());
    let stats = sim.jb.stats();
    assert_eq!((stats.duplicates, stats.late, stats.played), (2, 0, 30));
    assert_eq!(
        sim.arrivals
            .iter()
            .filter(|a| **a == Arrival::Duplicate)
            .count(),
        2
    );
}

#[test]
fn lost_packet_yields_exactly_one_concealed() {
    let mut pkts = stream(50, 0, 0, Duration::ZERO, constant(5 * MS));
    pkts.remove(20);
    let mut sim = Sim::new(pkts);
    sim.run(70);
    let expected: Vec<u16> = (0..50).filter(|&s| s != 20).collect();
    assert_eq!(sim.frames(), expected);
    let middle = sim.middle();
    assert_eq!(middle.iter().filter(|o| **o == Out::Concealed).count(), 1);
    let at = middle.iter().position(|o| *o == Out::Concealed).unwrap();
    assert_eq!(middle[at - 1], Out::Frame(19));
    assert_eq!(middle[at + 1], Out::Frame(21));
    assert_eq!(sim.jb.stats().lost, 1);
}

#[test]
fn late_packet_is_dropped() {
    let mut pkts = stream(50, 0, 0, Duration::ZERO, constant(5 * MS));
    pkts[20].at += 150 * MS;
    let mut sim = Sim::new(pkts);
    sim.run(80);
    assert!(!sim.frames().contains(&20));
    let frames = sim.frames();
    assert!(frames.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(frames.len(), 49);
    let stats = sim.jb.stats();
    assert_eq!((stats.late, stats.lost), (1, 1));
    assert_eq!(
        sim.arrivals.iter().filter(|a| **a == Arrival::Late).count(),
        1
    );
}

#[test]
fn sequence_and_timestamp_wrap() {
    let mut sim = Sim::new(stream(
        100,
        65_500,
        u32::MAX - 160 * 40,
        Duration::ZERO,
        constant(5 * MS),
    ));
    sim.run(120);
    let expected: Vec<u16> = (0..100u16).map(|i| 65_500u16.wrapping_add(i)).collect();
    assert_eq!(sim.frames(), expected);
    assert!(sim.middle().iter().all(|o| matches!(o, Out::Frame(_))));
    assert_eq!(sim.jb.stats().lost, 0);
}

#[test]
fn talkspurt_after_silence_reanchors() {
    // 1 s of silence between two talkspurts: the sender's timestamp moves on by 8000 while
    // sequence numbers stay contiguous, and the second talkspurt starts with the marker.
    let mut pkts = stream(50, 0, 0, Duration::ZERO, constant(5 * MS));
    let second_start = FRAME * 50 + 1000 * MS;
    pkts.extend(stream(
        50,
        50,
        160 * 50 + 8000,
        second_start,
        constant(5 * MS),
    ));
    let mut sim = Sim::new(pkts);
    sim.run(200);
    assert_eq!(sim.frames(), (0..100).collect::<Vec<_>>());
    let stats = sim.jb.stats();
    assert_eq!((stats.lost, stats.late), (0, 0));
    // The gap is concealed while the first talkspurt might still continue, then silent.
    let gap: Vec<Out> = sim
        .middle()
        .into_iter()
        .filter(|o| !matches!(o, Out::Frame(_)))
        .collect();
    let concealed = gap.iter().filter(|o| **o == Out::Concealed).count();
    assert!((1..=12).contains(&concealed), "{concealed}");
    assert!(gap[concealed..].iter().all(|o| *o == Out::Empty));
    // Re-anchored: the new talkspurt plays the minimum delay after its first packet.
    let arrival = second_start + 5 * MS;
    let played = sim.played_at(50);
    assert!(
        played >= arrival + 40 * MS && played < arrival + 60 * MS,
        "{played:?}"
    );
    assert_eq!(sim.played_at(99), played + FRAME * 49);
}

#[test]
fn short_silence_reanchors_without_loss() {
    let mut pkts = stream(50, 0, 0, Duration::ZERO, constant(5 * MS));
    pkts.extend(stream(50, 50, 160 * 55, FRAME * 55, constant(5 * MS)));
    let mut sim = Sim::new(pkts);
    sim.run(130);
    assert_eq!(sim.frames(), (0..100).collect::<Vec<_>>());
    assert_eq!(sim.jb.stats().lost, 0);
    let arrival = FRAME * 55 + 5 * MS;
    let played = sim.played_at(50);
    assert!(
        played >= arrival + 40 * MS && played < arrival + 60 * MS,
        "{played:?}"
    );
}

/// Deterministic pseudo-random delays in [0, max_ms] ms.
fn jittered(max_ms: u64) -> impl Fn(u16) -> Duration {
    move |i| {
        let x = u64::from(i)
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        Duration::from_micros((x >> 33) % (max_ms * 1000 + 1))
    }
}

#[test]
fn delay_grows_under_jitter_and_shrinks_after() {
    // One continuous talkspurt: 10 s clean, 10 s with up to 60 ms of jitter, 20 s clean.
    let jitter = jittered(60);
    let pkts = stream(2000, 0, 0, Duration::ZERO, move |i| {
        if (500..1000).contains(&i) {
            jitter(i)
        } else {
            Duration::ZERO
        }
    });
    let mut sim = Sim::new(pkts);
    sim.run(500);
    let clean = sim.jb.stats();
    assert_eq!(clean.target, 40 * MS);
    assert!(clean.delay < 60 * MS, "{clean:?}");
    sim.run(600);
    let adapting = sim.jb.stats();
    sim.run(1000);
    let jittery = sim.jb.stats();
    assert!(jittery.target >= 55 * MS, "{jittery:?}");
    assert!(
        jittery.delay >= clean.delay + 15 * MS,
        "{clean:?} {jittery:?}"
    );
    // Once adapted, the jitter costs (almost) nothing.
    assert!(
        jittery.lost - adapting.lost <= 2,
        "{adapting:?} {jittery:?}"
    );
    sim.run(2050);
    let after = sim.jb.stats();
    assert_eq!(after.target, 40 * MS, "{after:?}");
    assert!(after.delay < 60 * MS, "{after:?}");
    assert_eq!(after.played + after.lost + after.discarded, 2000);
    let frames = sim.frames();
    assert!(frames.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn marker_with_contiguous_timestamp_keeps_playing() {
    let mut pkts = stream(40, 0, 0, Duration::ZERO, constant(5 * MS));
    pkts[20].marker = true;
    let mut sim = Sim::new(pkts);
    sim.run(60);
    assert_eq!(sim.frames(), (0..40).collect::<Vec<_>>());
    assert!(sim.middle().iter().all(|o| matches!(o, Out::Frame(_))));
}

#[test]
fn oversize_and_stray_packets_are_discarded_and_a_confirmed_jump_restarts() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::default());
    let mut out = [0u8; 480];
    assert_eq!(jb.push(t0, 1, 0, true, &[0; 481]), Arrival::Discarded);
    assert_eq!(jb.push(t0, 1, 0, true, &[1; 160]), Arrival::Buffered);
    assert_eq!(jb.push(t0, 30_000, 0, false, &[2; 160]), Arrival::Discarded);
    assert_eq!(jb.push(t0, 2, 160, false, &[3; 160]), Arrival::Buffered);
    // Two consecutive packets far away: a new stream.
    assert_eq!(jb.push(t0, 40_000, 9, false, &[4; 160]), Arrival::Discarded);
    assert_eq!(
        jb.push(t0, 40_001, 169, false, &[5; 160]),
        Arrival::Buffered
    );
    assert_eq!(jb.pop(t0 + 40 * MS, &mut out), Playout::Frame(160));
    assert_eq!(out[0], 5);
    let stats = jb.stats();
    assert_eq!(stats.received, 6);
    assert_eq!(stats.discarded, 3 + 2);
}

#[test]
fn pop_before_any_packet_is_empty_and_short_output_truncates() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::default());
    let mut small = [0u8; 10];
    assert_eq!(jb.pop(t0, &mut small), Playout::Empty);
    jb.push(t0, 7, 0, true, &[9; 160]);
    assert_eq!(jb.pop(t0 + 40 * MS, &mut small), Playout::Frame(10));
    assert_eq!(jb.frame_duration(), FRAME);
    jb.reset();
    assert_eq!(jb.pop(t0 + 60 * MS, &mut small), Playout::Empty);
}
