//! The Python of the test venv (`scripts/setup --test`), for third-party checkers.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};

/// The first interpreter that imports every one of `modules`: `$VOXGATE_PYTHON`, the
/// setup's venv, then `python3`. `None` (after saying so) when none does; under CI=true
/// that is a failure, not a skip.
pub fn importing(modules: &[&str]) -> Option<OsString> {
    let mut candidates: Vec<OsString> = std::env::var_os("VOXGATE_PYTHON").into_iter().collect();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(
            Path::new(&home)
                .join(".cache/voxgate/venv/bin/python")
                .into(),
        );
    }
    candidates.push("python3".into());
    let imports = format!("import {}", modules.join(", "));
    let found = candidates.into_iter().find(|py| {
        Command::new(py)
            .args(["-c", &imports])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        let what = modules.join(", ");
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python with {what} is required under CI=true: run scripts/setup --test"
        );
        eprintln!("SKIPPED: no python imports {what} (run scripts/setup --test)");
    }
    found
}
