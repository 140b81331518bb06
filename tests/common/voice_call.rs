//! Calls to a gateway with the AI agent (`agent` or `flow` logic): the models they need,
//! a caller's microphone made by `voxgate say`, what the caller heard transcribed, and a
//! running `voxgate serve` with its data files.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Ports;

pub const MODELS: &[&str] = &[
    "whisper-tiny.en",
    "piper-joe-medium",
    "onnxruntime",
    "qwen2.5-coder-0.5b",
    "minilm-l6-v2",
    "vader-lexicon",
    "zh-sentiment",
];
/// Silence before the caller speaks: the greeting plays first.
pub const GREETING_WAIT_MS: usize = 7000;

/// `text` spoken by the Piper voice at 8 kHz.
pub fn say(models: &Path, dir: &Path, text: &str) -> Vec<i16> {
    let out = dir.join(format!("say-{}.wav", text.len()));
    let status = Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .args(["say", text, "--steady", "--rate", "8000", "--out"])
        .arg(&out)
        .arg("--models-dir")
        .arg(models)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "voxgate say failed");
    read_wav(&out)
}

pub fn read_wav(path: &Path) -> Vec<i16> {
    hound::WavReader::open(path)
        .unwrap()
        .into_samples::<i16>()
        .map(Result::unwrap)
        .collect()
}

pub fn write_wav(path: &Path, pcm: &[i16]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in pcm {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

/// The microphone: silence while the greeting plays, the question, then silence. Returns
/// the file and where the question ends (samples).
pub fn mic(models: &Path, dir: &Path, question: &str) -> (PathBuf, usize) {
    mic_at(models, dir, GREETING_WAIT_MS, question, 150)
}

/// A microphone: `lead_ms` of silence, `text` spoken, then `tail_secs` of silence. Returns
/// the file and where the text ends (samples).
pub fn mic_at(
    models: &Path,
    dir: &Path,
    lead_ms: usize,
    text: &str,
    tail_secs: usize,
) -> (PathBuf, usize) {
    let mut pcm = vec![0i16; lead_ms * 8];
    pcm.extend(say(models, dir, text));
    let end = pcm.len();
    pcm.extend(vec![0i16; tail_secs * 8000]);
    let path = dir.join("mic.wav");
    write_wav(&path, &pcm);
    (path, end)
}

/// A microphone asking two questions in one call: the greeting's silence, `first`, `gap_ms`
/// of silence (the first answer is spoken meanwhile), `second`, then silence. Returns the
/// file and where the second question ends (samples).
pub fn mic_two(
    models: &Path,
    dir: &Path,
    first: &str,
    gap_ms: usize,
    second: &str,
) -> (PathBuf, usize) {
    let mut pcm = vec![0i16; GREETING_WAIT_MS * 8];
    pcm.extend(say(models, dir, first));
    pcm.extend(vec![0i16; gap_ms * 8]);
    pcm.extend(say(models, dir, second));
    let end = pcm.len();
    pcm.extend(vec![0i16; 150 * 8000]);
    let path = dir.join("mic.wav");
    write_wav(&path, &pcm);
    (path, end)
}

/// Silences longer than 300 ms shortened to 300 ms (so a long call fits Whisper's window).
pub fn squeeze_silence(pcm: &[i16]) -> Vec<i16> {
    let mut out = Vec::with_capacity(pcm.len());
    let mut quiet = 0usize;
    for frame in pcm.chunks(160) {
        let loud = frame.iter().any(|s| s.unsigned_abs() > 300);
        quiet = if loud { 0 } else { quiet + 1 };
        if quiet <= 15 {
            out.extend_from_slice(frame);
        }
    }
    out
}

/// What baresip heard after `from` (samples), squeezed and transcribed by tiny.en.
pub fn heard_after(recording: &Path, dir: &Path, models: &Path, from: usize) -> String {
    let rec = read_wav(recording);
    let tail = squeeze_silence(&rec[from.min(rec.len())..]);
    assert!(
        tail.len() > 8000,
        "voxgate said (almost) nothing: {} samples",
        tail.len()
    );
    let cut: Vec<i16> = tail.into_iter().take(28 * 8000).collect();
    let path = dir.join("heard.wav");
    write_wav(&path, &cut);
    let out = Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .arg("transcribe")
        .arg(&path)
        .arg("--models-dir")
        .arg(models)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_lowercase()
}

/// A running `voxgate serve` with the agent logic (killed on drop). Its own start and not
/// `common::Gateway`'s: loading the knowledge base and the model takes longer than 10 s.
pub struct AgentGateway {
    pub child: Child,
    pub dir: PathBuf,
}

impl AgentGateway {
    /// voxgate with the agent logic, this test's ports and HTTP on base + 5; waits (at most
    /// 180 s) until SIP is ready.
    pub fn start(dir: &Path, ports: Ports, models: &Path) -> AgentGateway {
        AgentGateway::start_with(dir, ports, models, "")
    }

    /// [`AgentGateway::start`] with `agent` as the body of the config's `[agent]` section.
    pub fn start_with(dir: &Path, ports: Ports, models: &Path, agent: &str) -> AgentGateway {
        AgentGateway::start_logic(dir, ports, models, "agent", &format!("[agent]\n{agent}\n"))
    }

    /// voxgate with `calls.logic = logic` and `sections` appended to its config.
    pub fn start_logic(
        dir: &Path,
        ports: Ports,
        models: &Path,
        logic: &str,
        sections: &str,
    ) -> AgentGateway {
        let data = dir.join("data");
        let config = format!(
            "data_dir = \"{}\"\nlog_level = \"debug\"\n[store]\nexport_jsonl = true\n[sip]\nlisten = \"{}\"\n\
             [http]\nlisten = \"127.0.0.1:{}\"\n\
             [media]\nrtp_port_min = {}\nrtp_port_max = {}\n\
             [calls]\nlogic = \"{logic}\"\nmax_calls = 4\nshutdown_grace_secs = 5\n\
             {sections}",
            data.display(),
            ports.sip(),
            ports.base + 5,
            ports.rtp_min(),
            ports.rtp_max(),
        );
        let file = dir.join("voxgate.toml");
        fs::write(&file, config).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_voxgate"))
            .args(["serve", "--config"])
            .arg(&file)
            .env("VOXGATE_MODELS", models)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("voxgate.log")).unwrap())
            .spawn()
            .expect("start voxgate");
        let mut gw = AgentGateway {
            child,
            dir: dir.to_owned(),
        };
        let end = Instant::now() + Duration::from_secs(180);
        while !gw.log().contains("SIP ready") {
            let exited = gw.child.try_wait().unwrap();
            assert!(
                exited.is_none() && Instant::now() < end,
                "voxgate not ready ({exited:?}):\n{}",
                gw.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        gw
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("voxgate.log")).unwrap_or_default()
    }

    /// The lines of a JSON-lines file in the data directory, waiting (at most `timeout`)
    /// for `n`.
    pub fn wait_jsonl(&self, file: &str, n: usize, timeout: Duration) -> Vec<serde_json::Value> {
        let end = Instant::now() + timeout;
        loop {
            let lines: Vec<serde_json::Value> =
                fs::read_to_string(self.dir.join("data").join(file))
                    .unwrap_or_default()
                    .lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect();
            if lines.len() >= n || Instant::now() >= end {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for AgentGateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
