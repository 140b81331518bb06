//! The recordings on disk as a whole: a quota on their total size and a retention period.
//!
//! Owns: the decision to record a new call ([`Recordings::start`]), the shared byte count
//! the quota is checked against, and the sweep that deletes recordings older than the
//! retention ([`plan_sweep`], pure, over a directory listing and `now`; [`Recordings::sweep`]
//! does the I/O). Must not touch: the clock (`now` is an input; the caller runs the sweep at
//! start and hourly), the WAV format (`Recorder`), the store.
//!
//! When the quota is reached, new calls go on unrecorded and one warning is logged per
//! [`WARN_INTERVAL`]; existing recordings are never deleted to make room (an attacker's flood
//! of calls would otherwise erase the recordings of real calls). The quota is checked when a
//! call starts: calls already recording finish their recording.
//!
//! Shared state, named and justified: the byte count is one `AtomicU64` for all calls (the
//! disk is shared); recorders add to it each second, the sweep resets it to what it found.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::recorder::{Recorder, RecorderError, recording_path};

/// At most one "quota reached" warning per this interval.
pub const WARN_INTERVAL: Duration = Duration::from_secs(300);
/// How often the sweep runs (and once at start).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(3600);

/// The limits, from `[recordings]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordingLimits {
    /// No new recording starts while the recordings take this many bytes or more.
    pub max_total_bytes: u64,
    /// Recordings last written longer ago than this are deleted; `None` keeps them forever.
    pub retention: Option<Duration>,
}

/// One recording file as listed on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFile {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// When it was last written.
    pub modified: SystemTime,
}

/// One date directory (`recordings/YYYY-MM-DD`) and the recordings in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedDir {
    /// The directory.
    pub path: PathBuf,
    /// Its name, the UTC date its calls started.
    pub date: String,
    /// The `.wav` files in it.
    pub files: Vec<ListedFile>,
    /// Whether it holds anything besides those files (then it is never removed).
    pub other_entries: bool,
}

/// What a sweep deletes and what stays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepPlan {
    /// Recordings past the retention.
    pub delete_files: Vec<PathBuf>,
    /// Date directories left empty, of days before today.
    pub delete_dirs: Vec<PathBuf>,
    /// Bytes of the recordings that stay.
    pub kept_bytes: u64,
}

/// Decides a sweep: files last written at or before `now − retention` go, and a date
/// directory of a day before `now`'s (UTC) goes once nothing is left in it (today's may be
/// about to receive a recording).
pub fn plan_sweep(dirs: &[ListedDir], now: SystemTime, retention: Option<Duration>) -> SweepPlan {
    let cutoff = retention.and_then(|r| now.checked_sub(r));
    let today = date_of(now);
    let mut plan = SweepPlan::default();
    for dir in dirs {
        let mut left = 0;
        for file in &dir.files {
            if cutoff.is_some_and(|c| file.modified <= c) {
                plan.delete_files.push(file.path.clone());
            } else {
                left += 1;
                plan.kept_bytes += file.bytes;
            }
        }
        if left == 0 && !dir.other_entries && dir.date < today {
            plan.delete_dirs.push(dir.path.clone());
        }
    }
    plan
}

/// The `YYYY-MM-DD` directory name of `t`'s UTC date.
fn date_of(t: SystemTime) -> String {
    let dir = recording_path(Path::new(""), "", t);
    dir.parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether `name` is a date directory's (`YYYY-MM-DD`).
fn is_date(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Whether a "quota reached" warning is due at `now_secs` after one at `last_secs` (0: none
/// yet).
pub fn warning_due(last_secs: u64, now_secs: u64) -> bool {
    last_secs == 0 || now_secs >= last_secs.saturating_add(WARN_INTERVAL.as_secs())
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Recordings deleted.
    pub files: usize,
    /// Date directories removed.
    pub dirs: usize,
    /// Bytes of the recordings kept.
    pub kept_bytes: u64,
}

/// The recordings under `<data>/recordings`, shared by every call's logic (cheap to share
/// in an `Arc`).
#[derive(Debug)]
pub struct Recordings {
    data_dir: PathBuf,
    limits: RecordingLimits,
    used: Arc<AtomicU64>,
    last_warning_secs: AtomicU64,
}

impl Recordings {
    /// The recordings of `data_dir` under `limits`. The byte count starts at 0 until the
    /// first [`sweep`](Self::sweep) measures the directory.
    pub fn new(data_dir: PathBuf, limits: RecordingLimits) -> Recordings {
        Recordings {
            data_dir,
            limits,
            used: Arc::new(AtomicU64::new(0)),
            last_warning_secs: AtomicU64::new(0),
        }
    }

    /// Bytes the recordings take, as last measured plus what recorders wrote since.
    pub fn used_bytes(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Whether a new call may be recorded now (under the quota). Over it, logs one warning
    /// per [`WARN_INTERVAL`].
    pub fn admit(&self, now: SystemTime) -> bool {
        let used = self.used_bytes();
        if used < self.limits.max_total_bytes {
            return true;
        }
        let now_secs = unix_secs(now);
        let last = self.last_warning_secs.load(Ordering::Relaxed);
        if warning_due(last, now_secs)
            && self
                .last_warning_secs
                .compare_exchange(last, now_secs, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                used_mb = used / 1_000_000,
                max_total_mb = self.limits.max_total_bytes / 1_000_000,
                "recordings quota reached: new calls are not recorded"
            );
        }
        false
    }

    /// The recorder for a new call, or `None` when the quota is reached. Its bytes count
    /// toward the quota as they are written.
    pub fn start(&self, call_id: &str, now: SystemTime) -> Option<Result<Recorder, RecorderError>> {
        if !self.admit(now) {
            return None;
        }
        Some(
            Recorder::create(&self.data_dir, call_id, now)
                .map(|r| r.with_usage(Arc::clone(&self.used))),
        )
    }

    /// Deletes the recordings past the retention and the empty date directories of past
    /// days, then sets the byte count to what is left. Blocking file I/O.
    pub fn sweep(&self, now: SystemTime) -> std::io::Result<SweepReport> {
        let dirs = list(&self.data_dir.join("recordings"))?;
        let plan = plan_sweep(&dirs, now, self.limits.retention);
        let mut report = SweepReport {
            kept_bytes: plan.kept_bytes,
            ..SweepReport::default()
        };
        for file in &plan.delete_files {
            match std::fs::remove_file(file) {
                Ok(()) => report.files += 1,
                Err(e) => {
                    tracing::warn!(error = %e, path = %file.display(), "recording not deleted")
                }
            }
        }
        for dir in &plan.delete_dirs {
            // remove_dir fails on a directory that is no longer empty: nothing is lost.
            if std::fs::remove_dir(dir).is_ok() {
                report.dirs += 1;
            }
        }
        self.used.store(plan.kept_bytes, Ordering::Relaxed);
        Ok(report)
    }
}

fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The date directories under `root` and their `.wav` files (a missing `root` is empty).
fn list(root: &Path) -> std::io::Result<Vec<ListedDir>> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut dirs = Vec::new();
    for entry in entries.flatten() {
        let date = entry.file_name().to_string_lossy().into_owned();
        if !is_date(&date) || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let mut dir = ListedDir {
            path: entry.path(),
            date,
            files: Vec::new(),
            other_entries: false,
        };
        for file in std::fs::read_dir(&dir.path)?.flatten() {
            let path = file.path();
            let meta = file.metadata();
            match meta {
                Ok(m) if m.is_file() && path.extension().is_some_and(|e| e == "wav") => {
                    dir.files.push(ListedFile {
                        path,
                        bytes: m.len(),
                        modified: m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    });
                }
                _ => dir.other_entries = true,
            }
        }
        dirs.push(dir);
    }
    Ok(dirs)
}

#[cfg(test)]
#[path = "recordings_tests.rs"]
mod tests;
