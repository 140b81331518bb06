#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;

use super::*;

const DAY: Duration = Duration::from_secs(86_400);

/// 2026-11-22T05:00:00Z.
fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_323_600)
}

fn file(name: &str, bytes: u64, age: Duration) -> ListedFile {
    ListedFile {
        path: PathBuf::from(name),
        bytes,
        modified: now() - age,
    }
}

fn dir(date: &str, files: Vec<ListedFile>) -> ListedDir {
    ListedDir {
        path: PathBuf::from(date),
        date: date.into(),
        files,
        other_entries: false,
    }
}

#[test]
fn the_sweep_deletes_what_is_past_the_retention_and_emptied_past_days() {
    let dirs = [
        dir(
            "2026-10-01",
            vec![file("old-a", 10, 52 * DAY), file("old-b", 20, 52 * DAY)],
        ),
        dir(
            "2026-10-23",
            vec![
                file("edge", 30, 30 * DAY),
                file("young", 40, 30 * DAY - Duration::from_secs(1)),
            ],
        ),
        dir("2026-11-20", vec![]),
        dir("2026-11-22", vec![]),
    ];
    let plan = plan_sweep(&dirs, now(), Some(30 * DAY));
    assert_eq!(
        plan.delete_files,
        [PathBuf::from("old-a"), "old-b".into(), "edge".into()]
    );
    // Today's empty directory stays (a call may be about to record into it).
    assert_eq!(
        plan.delete_dirs,
        [PathBuf::from("2026-10-01"), "2026-11-20".into()]
    );
    assert_eq!(plan.kept_bytes, 40);
}

#[test]
fn retention_0_keeps_everything_and_foreign_files_keep_their_directory() {
    let mut foreign = dir("2026-01-01", vec![file("ancient", 5, 300 * DAY)]);
    let plan = plan_sweep(std::slice::from_ref(&foreign), now(), None);
    assert!(plan.delete_files.is_empty() && plan.delete_dirs.is_empty());
    assert_eq!(plan.kept_bytes, 5);
    foreign.other_entries = true;
    let plan = plan_sweep(&[foreign], now(), Some(DAY));
    assert_eq!(plan.delete_files, [PathBuf::from("ancient")]);
    assert!(plan.delete_dirs.is_empty());
}

#[test]
fn one_warning_per_interval() {
    assert!(warning_due(0, 1_000));
    assert!(!warning_due(1_000, 1_000));
    assert!(!warning_due(1_000, 1_299));
    assert!(warning_due(1_000, 1_300));
    assert!(is_date("2026-11-22"));
    assert!(!is_date("2026-11-2x") && !is_date("notes"));
}

fn limits(max_total_bytes: u64) -> RecordingLimits {
    RecordingLimits {
        max_total_bytes,
        retention: Some(30 * DAY),
    }
}

#[test]
fn over_the_quota_new_calls_are_not_recorded_and_a_sweep_measures_the_disk() {
    let tmp = tempfile::tempdir().unwrap();
    // One second of audio: 44 + 8000 · 4 bytes.
    let rec = Recordings::new(tmp.path().to_path_buf(), limits(20_000));
    let mut first = rec.start("call-1", now()).unwrap().unwrap();
    first.write_tick(&[1; 8000], &[2; 8000]).unwrap();
    let info = first.finish().unwrap();
    assert_eq!(rec.used_bytes(), 32_044);
    assert!(rec.start("call-2", now()).is_none());
    assert!(!rec.admit(now() + Duration::from_secs(10)));
    // A fresh process measures the directory on its first sweep.
    let again = Recordings::new(tmp.path().to_path_buf(), limits(20_000));
    assert_eq!(again.used_bytes(), 0);
    let report = again.sweep(now()).unwrap();
    assert_eq!(report.kept_bytes, 32_044);
    assert_eq!(again.used_bytes(), 32_044);
    assert!(!again.admit(now()));
    // The file is private, its date directory too.
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&info.path), 0o600);
    assert_eq!(mode(info.path.parent().unwrap()), 0o700);
    assert_eq!(mode(&tmp.path().join("recordings")), 0o700);
}

#[test]
fn a_sweep_deletes_old_recordings_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = Recordings::new(tmp.path().to_path_buf(), limits(u64::MAX));
    let old_day = now() - 40 * DAY;
    let old = rec
        .start("old", old_day)
        .unwrap()
        .unwrap()
        .finish()
        .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&old.path)
        .unwrap()
        .set_modified(old_day)
        .unwrap();
    let new = rec.start("new", now()).unwrap().unwrap().finish().unwrap();
    std::fs::write(tmp.path().join("recordings/notes.txt"), "operator's").unwrap();
    let report = rec.sweep(now()).unwrap();
    assert_eq!((report.files, report.dirs), (1, 1));
    assert!(!old.path.exists());
    assert!(!old.path.parent().unwrap().exists());
    assert!(new.path.exists());
    assert!(tmp.path().join("recordings/notes.txt").exists());
    assert_eq!(rec.used_bytes(), 44);
}
