//! Voice-to-voice latency of the AI agent over a real SIP call (issue #5): a release voxgate
//! (`calls.logic = "agent"`, the embedded model, the demo knowledge base) and the harness's
//! own caller (SIP and RTP over UDP on 127.0.0.1, `agent_latency/uac.rs`). Each turn plays
//! one spoken question (made once with `voxgate say`, cached in the temp dir) in real time,
//! measures from the end of the caller's speech in the RTP stream (the last voiced packet
//! sent) to the first voiced packet from voxgate, waits until the answer has finished, and
//! goes on. A new call every `--turns-per-call` turns (the agent hands off after 10) or after
//! a handoff. voxgate's `agent_turns.jsonl` gives each stage's time after the end of speech
//! as voxgate saw it. Printed: p50/p95 on the wire with the acknowledgement counted as first
//! speech, and without it (the answer's first packet: the wire time shifted by voxgate's own
//! acknowledgement → answer gap), then per stage.
//!
//! ```text
//! cargo bench --bench agent_latency -- [--turns 20] [--turns-per-call 5] [--keep]
//! ```
//!
//! Ports: voxgate SIP 45500, HTTP 45505, RTP 45600–45699; caller SIP 45501, RTP 45510.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "agent_latency/served.rs"]
mod served;
#[path = "agent_latency/uac.rs"]
mod uac;

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;

use served::{Served, spoken};
use uac::{Call, voiced};

const SIP: u16 = 45_500;
const CALLER_SIP: u16 = 45_501;
const OPTIONS_PORT: u16 = 45_502;
const HTTP: u16 = 45_505;
const CALLER_RTP: u16 = 45_510;
const RTP_MIN: u16 = 45_600;
const RTP_MAX: u16 = 45_699;
const FRAME: usize = 160;
/// voxgate is done speaking after this much silence.
const QUIET: Duration = Duration::from_millis(1200);

/// Questions the demo knowledge base answers.
const QUESTIONS: &[&str] = &[
    "How many days do I have to return an item?",
    "What are your opening hours on Saturday?",
    "Which payment methods do you accept?",
    "Do you accept cash on delivery?",
    "When is my card charged?",
    "Can I pay in instalments?",
    "How long are gift cards valid?",
    "Is there a minimum order value?",
    "How can I cancel my order?",
    "When does the order confirmation email arrive?",
    "How do I reset my password?",
    "How do I delete my account?",
    "Do you have a shop I can visit?",
    "Where is your warehouse?",
    "How much does furniture assembly cost?",
    "Do your lamps come with a UK plug?",
    "How do I look after wooden furniture?",
    "When will an out of stock item be back?",
    "What is your customer service phone number?",
    "How quickly do you answer emails?",
    "Are returns free in the United Kingdom?",
    "Do your prices include VAT?",
    "Is there a discount for newsletter subscribers?",
    "Is live chat available?",
];

#[derive(Parser, Debug)]
#[command(about = "voxgate agent latency: voice-to-voice over a real SIP call")]
struct Args {
    /// Caller turns to measure.
    #[arg(long, default_value_t = 20)]
    turns: usize,
    /// Turns per call (the agent hands off after 10).
    #[arg(long, default_value_t = 5)]
    turns_per_call: usize,
    /// Keep the work directory (config, log, records).
    #[arg(long)]
    keep: bool,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// One measured turn.
#[derive(Debug, Default)]
struct Measured {
    /// End of caller speech → first voiced packet (the acknowledgement counts).
    wire_first_ms: Option<f64>,
    /// voxgate's record of the turn.
    record: Option<serde_json::Value>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let models = models_dir();
    let root = std::env::temp_dir().join(format!("voxgate-agent-latency-{}", std::process::id()));
    fs::create_dir_all(&root)?;
    let wavs = std::env::temp_dir().join("voxgate-agent-latency-wavs");
    fs::create_dir_all(&wavs)?;
    println!(
        "voxgate agent latency: {} turns, {} per call ({} cores, load avg {})",
        args.turns,
        args.turns_per_call,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let questions: Vec<(&'static str, Vec<i16>)> = (0..args.turns)
        .map(|i| {
            let q = QUESTIONS[i % QUESTIONS.len()];
            spoken(&models, &wavs, q).map(|pcm| (q, pcm))
        })
        .collect::<Result<_>>()?;
    let mut gw = Gateway::start(&root, &models)?;
    let result = run_turns(&args, &gw, &questions);
    gw.stop();
    let measured = result?;
    report(&measured);
    if args.keep {
        println!("work directory: {}", root.display());
    } else {
        let _ = fs::remove_dir_all(&root);
    }
    Ok(())
}

fn models_dir() -> PathBuf {
    voxgate::models::shared_models_dir()
}

/// The release voxgate with the agent logic.
struct Gateway(Served);

impl Gateway {
    fn start(dir: &Path, models: &Path) -> Result<Gateway> {
        let config = format!(
            "data_dir = \"{data}\"\nmodels_dir = \"{models}\"\nlog_level = \"info\"\n[store]\nexport_jsonl = true\n\
             [sip]\nlisten = \"127.0.0.1:{SIP}\"\nudp = true\ntcp = false\n\
             [http]\nlisten = \"127.0.0.1:{HTTP}\"\n\
             [media]\nrtp_port_min = {RTP_MIN}\nrtp_port_max = {RTP_MAX}\ntimeout_secs = 30\n\
             [calls]\nmax_calls = 4\nlogic = \"agent\"\nshutdown_grace_secs = 1\n",
            data = dir.join("data").display(),
            models = models.display(),
        );
        let sip = SocketAddr::from(([127, 0, 0, 1], SIP));
        Ok(Gateway(Served::start(dir, &config, sip, OPTIONS_PORT)?))
    }

    fn turns(&self) -> Vec<serde_json::Value> {
        fs::read_to_string(self.0.dir.join("data/agent_turns.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    fn stop(&mut self) {
        self.0.stop();
    }
}

/// The caller's side of a call: paced sending, everything received kept.
struct Line {
    call: Call,
    next: Instant,
    heard: Vec<(Instant, bool)>,
}

impl Line {
    /// Sends one frame at its time and takes in what arrived meanwhile.
    fn frame(&mut self, pcm: &[i16]) -> Result<Instant> {
        loop {
            self.call.recv_frames(&mut self.heard);
            let now = Instant::now();
            if now >= self.next {
                break;
            }
            std::thread::sleep((self.next - now).min(Duration::from_millis(2)));
        }
        let at = self.next;
        self.call.send_frame(pcm)?;
        self.call.poll_sip();
        self.next += Duration::from_millis(20);
        Ok(at)
    }

    fn last_voiced(&self) -> Option<Instant> {
        self.heard.iter().rev().find(|h| h.1).map(|h| h.0)
    }

    /// Sends silence until voxgate has been quiet for [`QUIET`] (after having spoken, when
    /// `spoken` is asked for), at most `limit`.
    fn wait_quiet(&mut self, since: Instant, spoken: bool, limit: Duration) -> Result<()> {
        let silence = [0i16; FRAME];
        let end = Instant::now() + limit;
        while Instant::now() < end && !self.call.ended {
            self.frame(&silence)?;
            let last = self.last_voiced().filter(|&t| t > since);
            if spoken && last.is_none() {
                continue;
            }
            if last.unwrap_or(since).elapsed() >= QUIET {
                return Ok(());
            }
        }
        Ok(())
    }
}

fn run_turns(
    args: &Args,
    gw: &Gateway,
    questions: &[(&'static str, Vec<i16>)],
) -> Result<Vec<Measured>> {
    let target = SocketAddr::from(([127, 0, 0, 1], SIP));
    let mut out = Vec::new();
    let mut line: Option<Line> = None;
    let mut in_call = 0;
    let mut calls = 0u32;
    let mut handed_off = false;
    for (i, (q, pcm)) in questions.iter().enumerate() {
        if handed_off
            || line.as_ref().is_none_or(|l| l.call.ended)
            || in_call >= args.turns_per_call.max(1)
        {
            if let Some(l) = line.take() {
                l.call.hang_up();
            }
            calls += 1;
            let call = Call::dial(calls, CALLER_SIP, CALLER_RTP, target)?;
            let mut l = Line {
                call,
                next: Instant::now(),
                heard: Vec::new(),
            };
            // The greeting.
            l.wait_quiet(Instant::now(), true, Duration::from_secs(30))?;
            line = Some(l);
            in_call = 0;
        }
        let Some(l) = line.as_mut() else { break };
        in_call += 1;
        let records_before = gw.turns().len();
        let mut speech_end = None;
        for frame in pcm.chunks(FRAME) {
            let mut f = [0i16; FRAME];
            f[..frame.len()].copy_from_slice(frame);
            let at = l.frame(&f)?;
            if voiced(&f) {
                speech_end = Some(at + Duration::from_millis(20));
            }
        }
        let speech_end = speech_end.context("a question without speech")?;
        // Until the turn's record is written (its answer played) and voxgate is quiet.
        let end = Instant::now() + Duration::from_secs(90);
        let silence = [0i16; FRAME];
        let mut record = None;
        let mut frames = 0u32;
        while Instant::now() < end && !l.call.ended && record.is_none() {
            l.frame(&silence)?;
            frames += 1;
            if frames.is_multiple_of(10) {
                let turns = gw.turns();
                if turns.len() > records_before {
                    record = turns.last().cloned();
                }
            }
        }
        l.wait_quiet(speech_end, false, Duration::from_secs(30))?;
        let first = l
            .heard
            .iter()
            .find(|h| h.1 && h.0 > speech_end)
            .map(|h| h.0);
        let m = Measured {
            wire_first_ms: first.map(|t| (t - speech_end).as_secs_f64() * 1000.0),
            record,
        };
        println!(
            "turn {:>2}: wire first speech {:>7} ms  {}  {:?}",
            i + 1,
            m.wire_first_ms.map_or("-".into(), |v| format!("{v:.0}")),
            m.record
                .as_ref()
                .and_then(|r| r["handoff"].as_str())
                .map_or(String::new(), |h| format!("handoff={h}")),
            q
        );
        // A handed-off call holds for a person: a new call for the next turn.
        handed_off = m.record.as_ref().is_some_and(|r| !r["handoff"].is_null());
        out.push(m);
    }
    if let Some(l) = line.take() {
        l.call.hang_up();
    }
    Ok(out)
}

/// Nearest-rank percentile.
fn pct(v: &mut [f64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    Some(v[rank.clamp(1, v.len()) - 1])
}

fn row(name: &str, mut v: Vec<f64>) {
    let n = v.len();
    let (p50, p95) = (pct(&mut v, 50.0), pct(&mut v, 95.0));
    let f = |x: Option<f64>| x.map_or("-".into(), |x| format!("{x:.0}"));
    println!(
        "{name:<44} n={n:<3} p50 {:>6} ms  p95 {:>6} ms",
        f(p50),
        f(p95)
    );
}

fn report(m: &[Measured]) {
    let field = |name: &str| -> Vec<f64> {
        m.iter()
            .filter_map(|t| t.record.as_ref()?.get(name)?.as_f64())
            .collect()
    };
    println!("\nvoice to voice, from the end of the caller's speech on the wire:");
    row(
        "first speech (acknowledgement counts)",
        m.iter().filter_map(|t| t.wire_first_ms).collect(),
    );
    // The answer's first packet: the wire time, plus voxgate's own gap between the
    // acknowledgement's first packet and the answer's when one was played.
    let answer: Vec<f64> = m
        .iter()
        .filter_map(|t| {
            let wire = t.wire_first_ms?;
            let r = t.record.as_ref()?;
            let first = r["first_packet_ms"].as_f64()?;
            Some(match r["ack_packet_ms"].as_f64() {
                Some(ack) => wire + (first - ack).max(0.0),
                None => wire,
            })
        })
        .collect();
    row("first answer speech (acknowledgement not counted)", answer);
    let acks = m
        .iter()
        .filter(|t| {
            t.record
                .as_ref()
                .is_some_and(|r| r["ack_packet_ms"].is_number())
        })
        .count();
    let handoffs = m
        .iter()
        .filter(|t| t.record.as_ref().is_some_and(|r| !r["handoff"].is_null()))
        .count();
    println!(
        "acknowledgement played in {acks} of {} turns; {handoffs} handed off",
        m.len()
    );
    println!("\nstages as voxgate saw them (ms after the end of speech it detected):");
    for (name, key) in [
        ("end of turn detected", "end_of_turn_ms"),
        ("STT final", "stt_final_ms"),
        ("retrieval done", "retrieval_ms"),
        ("LLM first token", "llm_first_token_ms"),
        ("first sentence", "first_sentence_ms"),
        ("TTS first audio", "tts_first_audio_ms"),
        ("first answer packet out", "first_packet_ms"),
        ("acknowledgement packet out", "ack_packet_ms"),
        ("agent done", "agent_done_ms"),
    ] {
        row(name, field(key));
    }
    let missing = m.iter().filter(|t| t.record.is_none()).count();
    if missing > 0 {
        println!("{missing} turns without a record (no answer within 90 s)");
    }
}
