#![allow(clippy::unwrap_used)]

use super::*;

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(secs * 1000 + 250)
}

fn full_record(n: u64) -> CallRecord {
    CallRecord {
        caller: Some(Redacted::new(String::from("+4915112345678"))),
        answered: Some(at(n + 1)),
        ended: Some(at(n + 30)),
        codec: Some("PCMA".into()),
        ptime_ms: Some(30),
        packets_sent: 1000,
        bytes_sent: 240_000,
        packets_received: 990,
        bytes_received: 237_600,
        packets_lost: 10,
        jitter_ms: Some(3.5),
        hangup_cause: Some("bye".into()),
        hangup_side: Some(HangupSide::Caller),
        recording_path: Some(PathBuf::from("/data/recordings/2026-11-22/ab.wav")),
        ..CallRecord::new(format!("hash{n}"), at(n))
    }
}

#[test]
fn opening_creates_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let store = Store::open(&data, CallerPolicy::default()).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::CURRENT);
        store.insert_call(&full_record(1)).unwrap();
    }
    assert!(data.join(DB_FILE).exists());
    // Reopening keeps the data and does not re-run migrations.
    let store = Store::open(&data, CallerPolicy::default()).unwrap();
    assert_eq!(store.schema_version().unwrap(), migrations::CURRENT);
    assert_eq!(store.recent_calls(10).unwrap().len(), 1);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path(), CallerPolicy::default()).unwrap();
        store
            .conn
            .execute("UPDATE schema_version SET version = 999", [])
            .unwrap();
    }
    let err = Store::open(dir.path(), CallerPolicy::default()).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 999, .. }),
        "{err}"
    );
}

#[test]
fn calls_round_trip_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), CallerPolicy::Store).unwrap();
    for n in [10, 30, 20] {
        store.insert_call(&full_record(n)).unwrap();
    }
    let minimal = CallRecord::new("bare".into(), at(5));
    store.insert_call(&minimal).unwrap();
    let recent = store.recent_calls(3).unwrap();
    let hashes: Vec<_> = recent.iter().map(|c| c.call_id_hash.as_str()).collect();
    assert_eq!(hashes, ["hash30", "hash20", "hash10"]);
    assert_eq!(
        recent[0],
        full_record(30),
        "every field survives (clear caller policy)"
    );
    let all = store.recent_calls(100).unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[3], minimal);
    assert!(store.recent_calls(0).unwrap().is_empty());
}

#[test]
fn caller_numbers_are_redacted_by_default() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path(), CallerPolicy::default()).unwrap();
        store.insert_call(&full_record(1)).unwrap();
        let mut short = full_record(2);
        short.caller = Some(Redacted::new("12".into()));
        store.insert_call(&short).unwrap();
        let recent = store.recent_calls(2).unwrap();
        assert_eq!(recent[1].caller.as_ref().unwrap().expose(), "***78");
        assert_eq!(recent[0].caller.as_ref().unwrap().expose(), "***");
        // Printing a record does not show even the redacted form: the number prints as the
        // per-process hash (whose eight hex digits may themselves begin with "78", so the
        // check is on the whole printed field, not on a substring).
        let hashed = recent[1].caller.as_ref().unwrap().to_string();
        let printed = format!("{:?}", recent[1]);
        assert!(
            printed.contains(&format!("Redacted({hashed})")),
            "{printed}"
        );
        assert_eq!(hashed.len(), "***".len() + 8, "{hashed}");
        assert!(!printed.contains("Redacted(***78)") && !printed.contains("\"***78\""));
    }
    // The clear number is nowhere in the files.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(8).any(|w| w == b"12345678"));
    }
}

#[test]
fn the_database_and_its_journals_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("new/data");
    let store = Store::open(&data, CallerPolicy::default()).unwrap();
    store.insert_call(&full_record(1)).unwrap();
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&dir.path().join("new")), 0o700);
    for name in [DB_FILE, "voxgate.sqlite3-wal", "voxgate.sqlite3-shm"] {
        let path = data.join(name);
        assert!(path.exists(), "{name}");
        assert_eq!(mode(&path), 0o600, "{name}");
    }
    assert_eq!(DB_FILE, "voxgate.sqlite3");
}
