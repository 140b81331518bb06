//! Call recording: a stereo 8 kHz 16-bit WAV (left = caller, right = voxgate) written
//! incrementally, one tick at a time, under `<data>/recordings/<YYYY-MM-DD>/<call-id-hash>.wav`.
//!
//! Owns: the file, its header and the per-tick alignment of the two channels. Must not touch:
//! clocks (the wall-clock date is an input), codecs, the store (the caller records the path).
//! File names never contain caller data: the Call-ID is hashed.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::TELEPHONE_RATE;
use crate::privacy::stable_hash;

/// Header rewrite and flush interval, in frames (one second): a crash loses at most this much.
const FLUSH_EVERY: u64 = TELEPHONE_RATE as u64;
/// Bytes a stereo 16-bit frame takes in the file.
const FRAME_BYTES: u64 = 4;
/// Bytes of the WAV header.
const HEADER_BYTES: u64 = 44;
/// Stereo frames interleaved per batch write (a tick is 160–960 frames).
const CHUNK_FRAMES: usize = 1024;

/// Why recording failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecorderError {
    /// The directory or file could not be created.
    #[error("cannot create recording {path}: {source}")]
    Create {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// Writing, flushing or finishing the WAV failed.
    #[error("cannot write recording {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// hound's reason.
        source: hound::Error,
    },
}

/// What a finished recording holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingInfo {
    /// The file.
    pub path: PathBuf,
    /// Stereo frames written (samples per channel).
    pub frames: u64,
}

impl RecordingInfo {
    /// How long the recording lasts.
    pub fn duration(&self) -> Duration {
        Duration::from_micros(self.frames * 1_000_000 / u64::from(TELEPHONE_RATE))
    }
}

/// Where a call's recording goes: `<data>/recordings/<YYYY-MM-DD>/<hash of the Call-ID>.wav`
/// (UTC date of `wall`).
pub fn recording_path(data_dir: &Path, call_id: &str, wall: SystemTime) -> PathBuf {
    let secs = wall
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    data_dir
        .join("recordings")
        .join(format!("{y:04}-{m:02}-{d:02}"))
        .join(format!("{}.wav", stable_hash(call_id)))
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Writes one call's stereo recording tick by tick.
pub struct Recorder {
    writer: hound::WavWriter<BufWriter<File>>,
    path: PathBuf,
    frames: u64,
    since_flush: u64,
    /// The recordings' total size, shared with the quota; bytes are added on each flush.
    usage: Option<Arc<AtomicU64>>,
    /// Bytes written since the last report to `usage`.
    unreported: u64,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("path", &self.path)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// Creates the recording for `call_id` under `data_dir` (see [`recording_path`]).
    pub fn create(data_dir: &Path, call_id: &str, wall: SystemTime) -> Result<Self, RecorderError> {
        Self::create_at(recording_path(data_dir, call_id, wall))
    }

    /// Creates a recording at an explicit path (its directory is created).
    pub fn create_at(path: PathBuf) -> Result<Self, RecorderError> {
        let create_err = |source| RecorderError::Create {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            crate::fsutil::create_dir_all(dir).map_err(create_err)?;
        }
        let file = crate::fsutil::create(&path).map_err(create_err)?;
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: TELEPHONE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::new(BufWriter::new(file), spec).map_err(|source| {
            RecorderError::Write {
                path: path.clone(),
                source,
            }
        })?;
        Ok(Self {
            writer,
            path,
            frames: 0,
            since_flush: 0,
            usage: None,
            unreported: HEADER_BYTES,
        })
    }

    /// Adds the bytes this recording writes to `usage` (each second and at the end), so the
    /// quota sees recordings still being made.
    pub fn with_usage(mut self, usage: Arc<AtomicU64>) -> Self {
        self.usage = Some(usage);
        self
    }

    fn report_usage(&mut self) {
        if let Some(usage) = &self.usage {
            usage.fetch_add(self.unreported, Ordering::Relaxed);
            self.unreported = 0;
        }
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stereo frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Records one tick: the caller's audio and what voxgate sent, side by side. The tick lasts
    /// as long as the longer slice; the other side is padded with silence (a lost or missing
    /// frame is an empty slice), so the channels stay aligned whatever either side does.
    pub fn write_tick(&mut self, caller: &[i16], ours: &[i16]) -> Result<(), RecorderError> {
        let len = caller.len().max(ours.len());
        // hound's 16-bit writer interleaves into one reused buffer and writes it at once:
        // per-sample `write_sample` calls cost more than the rest of the call's tick.
        for start in (0..len).step_by(CHUNK_FRAMES) {
            let end = (start + CHUNK_FRAMES).min(len);
            let mut w = self.writer.get_i16_writer(2 * (end - start) as u32);
            for i in start..end {
                w.write_sample(caller.get(i).copied().unwrap_or(0));
                w.write_sample(ours.get(i).copied().unwrap_or(0));
            }
            w.flush().map_err(|source| RecorderError::Write {
                path: self.path.clone(),
                source,
            })?;
        }
        self.frames += len as u64;
        self.since_flush += len as u64;
        self.unreported += len as u64 * FRAME_BYTES;
        if self.since_flush >= FLUSH_EVERY {
            self.since_flush = 0;
            self.flush()?;
        }
        Ok(())
    }

    /// Rewrites the header and flushes: the file is readable up to here even if the process
    /// dies. Called every second of audio by `write_tick`.
    pub fn flush(&mut self) -> Result<(), RecorderError> {
        self.report_usage();
        self.writer.flush().map_err(|source| RecorderError::Write {
            path: self.path.clone(),
            source,
        })
    }

    /// Writes the final header and closes the file.
    pub fn finish(mut self) -> Result<RecordingInfo, RecorderError> {
        self.report_usage();
        let Self {
            writer,
            path,
            frames,
            ..
        } = self;
        match writer.finalize() {
            Ok(()) => Ok(RecordingInfo { path, frames }),
            Err(source) => Err(RecorderError::Write { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(path: &Path) -> (hound::WavSpec, Vec<i16>) {
        let mut r = hound::WavReader::open(path).unwrap();
        let spec = r.spec();
        let samples = r.samples::<i16>().map(|s| s.unwrap()).collect();
        (spec, samples)
    }

    #[test]
    fn path_has_the_date_and_no_call_data() {
        // 2026-11-22T05:00:00Z
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_323_600);
        let p = recording_path(Path::new("/data"), "4915112345678@10.0.0.1", wall);
        let s = p.to_string_lossy();
        assert!(s.starts_with("/data/recordings/2026-11-22/"), "{s}");
        assert!(s.ends_with(".wav"));
        assert!(!s.contains("4915") && !s.contains("10.0.0.1"), "{s}");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn a_call_reads_back_aligned_with_the_right_duration() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recorder::create(dir.path(), "call-1", SystemTime::now()).unwrap();
        // 50 ticks of 20 ms; the caller is lost on tick 10, voxgate silent (empty) on tick 20.
        for tick in 0..50i16 {
            let caller: Vec<i16> = (0..160).map(|i| tick * 600 + i).collect();
            let ours: Vec<i16> = (0..160).map(|i| -(tick * 100 + i)).collect();
            let caller: &[i16] = if tick == 10 { &[] } else { &caller };
            let ours: &[i16] = if tick == 20 { &[] } else { &ours };
            rec.write_tick(caller, ours).unwrap();
        }
        let info = rec.finish().unwrap();
        assert_eq!(info.frames, 8000);
        assert_eq!(info.duration(), Duration::from_secs(1));
        let (spec, samples) = read(&info.path);
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (2, 8000, 16)
        );
        assert_eq!(samples.len(), 16_000);
        for (frame, lr) in samples.chunks_exact(2).enumerate() {
            let (tick, i) = ((frame / 160) as i16, (frame % 160) as i16);
            let left = if tick == 10 { 0 } else { tick * 600 + i };
            let right = if tick == 20 { 0 } else { -(tick * 100 + i) };
            assert_eq!(lr, [left, right], "frame {frame}");
        }
    }

    #[test]
    fn uneven_sides_are_padded_per_tick() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recorder::create_at(dir.path().join("x/y.wav")).unwrap();
        rec.write_tick(&[1; 240], &[2; 160]).unwrap();
        rec.write_tick(&[3; 100], &[4; 240]).unwrap();
        let info = rec.finish().unwrap();
        assert_eq!(info.frames, 480);
        let (_, s) = read(&info.path);
        assert_eq!(&s[318..322], &[1, 2, 1, 0]);
        assert_eq!(&s[480..482], &[3, 4]);
        assert_eq!(&s[680..682], &[0, 4]);
    }

    #[test]
    fn an_unfinished_recording_is_readable_up_to_the_last_flush() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recorder::create(dir.path(), "crash", SystemTime::now()).unwrap();
        for _ in 0..60 {
            rec.write_tick(&[9; 160], &[8; 160]).unwrap();
        }
        let path = rec.path().to_path_buf();
        // Simulate a crash: the writer is never finalized nor dropped.
        std::mem::forget(rec);
        let (_, samples) = read(&path);
        assert!(samples.len() >= 2 * 8000, "{} samples", samples.len());
        assert!(samples.chunks_exact(2).all(|lr| lr == [9, 8]));
    }
}
