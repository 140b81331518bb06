//! The record stage of a voicemail node: the caller's frames after the tone, until the
//! message's time is up, the caller presses `#`, stays silent for [`TRAILING_SILENCE`] after
//! speaking (or never speaks for [`NO_MESSAGE`]), or hangs up. The WAV file is written and
//! the store told off the call task.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc;

use crate::store::{TranscriptMsg, VoicemailRecord};

/// Silence after speech that ends a message.
pub const TRAILING_SILENCE: Duration = Duration::from_secs(5);
/// Silence from the start that ends a recording with no message.
pub const NO_MESSAGE: Duration = Duration::from_secs(10);
/// Mean absolute amplitude above which a frame is speech.
const SPEECH_LEVEL: u32 = 300;
/// Where messages go, under the data directory.
pub const VOICEMAIL_DIR: &str = "voicemail";

/// A message being recorded.
#[derive(Debug)]
pub struct Recorder {
    pcm: Vec<i16>,
    max_samples: usize,
    started: Instant,
    last_speech: Option<Instant>,
}

impl Recorder {
    /// Starts recording at `now`, for at most `max`.
    pub fn new(now: Instant, max: Duration) -> Recorder {
        let max_samples = (max.as_millis() as usize) * 8;
        Recorder {
            pcm: Vec::with_capacity(max_samples.min(8000 * 30)),
            max_samples,
            started: now,
            last_speech: None,
        }
    }

    /// One frame of the caller; `true` once the message is complete.
    pub fn on_frame(&mut self, now: Instant, pcm_8k: &[i16]) -> bool {
        let room = self.max_samples.saturating_sub(self.pcm.len());
        self.pcm
            .extend_from_slice(&pcm_8k[..pcm_8k.len().min(room)]);
        let level = pcm_8k.iter().map(|s| s.unsigned_abs() as u32).sum::<u32>()
            / pcm_8k.len().max(1) as u32;
        if level > SPEECH_LEVEL {
            self.last_speech = Some(now);
        }
        let quiet = match self.last_speech {
            Some(t) => now.saturating_duration_since(t) >= TRAILING_SILENCE,
            None => now.saturating_duration_since(self.started) >= NO_MESSAGE,
        };
        self.pcm.len() >= self.max_samples || quiet
    }

    /// Whether the caller said anything.
    pub fn has_message(&self) -> bool {
        self.last_speech.is_some()
    }

    /// Writes the message (trailing silence trimmed to half a second) and tells the store,
    /// on a thread of its own.
    pub fn save(
        self,
        data_dir: PathBuf,
        record: VoicemailRecord,
        sink: mpsc::Sender<TranscriptMsg>,
    ) {
        let mut pcm = self.pcm;
        if let Some(t) = self.last_speech {
            let spoken = (t.saturating_duration_since(self.started).as_millis() as usize + 500) * 8;
            pcm.truncate(spoken.max(8000));
        }
        let pcm: Arc<[i16]> = pcm.into();
        let spawned = std::thread::Builder::new()
            .name("voicemail".into())
            .spawn(move || {
                let mut record = record;
                record.duration_ms = pcm.len() as u64 / 8;
                match write_wav(&data_dir.join(&record.path), &pcm) {
                    Ok(()) => {
                        if sink
                            .blocking_send(TranscriptMsg::Voicemail(record))
                            .is_err()
                        {
                            tracing::warn!("voicemail written but not recorded: the store is gone");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "voicemail not written"),
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "voicemail not written");
        }
    }
}

/// The file name of a message of call `call_id_hash` ended at `at`.
pub fn file_name(call_id_hash: &str, at: SystemTime) -> String {
    let ms = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    format!("{VOICEMAIL_DIR}/{call_id_hash}-{ms}.wav")
}

fn write_wav(path: &std::path::Path, pcm: &[i16]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::fsutil::create_dir_all(dir)?;
    }
    let file = crate::fsutil::create(path)?;
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::new(std::io::BufWriter::new(file), spec)
        .map_err(std::io::Error::other)?;
    for s in pcm {
        w.write_sample(*s).map_err(std::io::Error::other)?;
    }
    w.finalize().map_err(std::io::Error::other)
}

/// The tone before the recording: 400 ms of 1 kHz at 8 kHz.
pub fn beep() -> Arc<[i16]> {
    (0..3200)
        .map(|i| {
            let t = i as f32 / 8000.0;
            (8000.0 * (2.0 * std::f32::consts::PI * 1000.0 * t).sin()) as i16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A caller who keeps the line loud (or silent) cannot hold the recording open: it ends
    /// at the node's limit (or after the silence limits) and holds no more than that.
    #[test]
    fn a_message_ends_at_its_limit_however_the_caller_holds_the_line() {
        let start = Instant::now();
        let loud = [4000i16; 160];
        let mut rec = Recorder::new(start, Duration::from_secs(5));
        let mut frames = 0u32;
        let mut now = start;
        while !rec.on_frame(now, &loud) {
            frames += 1;
            now += Duration::from_millis(20);
            assert!(frames < 10_000, "never ended");
        }
        assert_eq!(frames, 249, "5 s of 20 ms frames");
        assert_eq!(rec.pcm.len(), 5 * 8000);
        assert!(rec.has_message());
        // Silence from the start: no message, over after NO_MESSAGE.
        let mut rec = Recorder::new(start, Duration::from_secs(120));
        let mut now = start;
        while !rec.on_frame(now, &[0i16; 160]) {
            now += Duration::from_millis(20);
        }
        assert_eq!(now - start, NO_MESSAGE);
        assert!(!rec.has_message());
        // Speech then silence: over TRAILING_SILENCE after the last speech.
        let mut rec = Recorder::new(start, Duration::from_secs(120));
        rec.on_frame(start, &loud);
        let mut now = start;
        while !rec.on_frame(now, &[0i16; 160]) {
            now += Duration::from_millis(20);
        }
        assert_eq!(now - start, TRAILING_SILENCE);
    }
}
