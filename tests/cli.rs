//! The command line: the subcommands named in the design exist, and commands that lack
//! their models say which command fetches them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn voxgate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .args(args)
        .output()
        .expect("run voxgate")
}

#[test]
fn help_lists_every_subcommand() {
    let out = voxgate(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "serve",
        "models",
        "transcribe",
        "say",
        "ask",
        "flows",
        "emotion",
    ] {
        assert!(text.contains(cmd), "--help lacks {cmd}:\n{text}");
    }
}

/// `say` and `transcribe` without their models name the model and the command that
/// fetches it, and fail without writing anything.
#[test]
fn speech_commands_without_models_name_the_fetch_command() {
    let dir = std::env::temp_dir().join(format!("voxgate-cli-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wav = dir.join("out.wav");
    let models = dir.to_str().unwrap();
    let cases: [&[&str]; 4] = [
        &[
            "say",
            "hello",
            "--out",
            wav.to_str().unwrap(),
            "--models-dir",
            models,
        ],
        &[
            "transcribe",
            "/usr/share/asterisk/sounds/en_US_f_Allison/beep.wav",
            "--models-dir",
            models,
        ],
        &["ask", "when are you open?", "--models-dir", models],
        &["emotion", "where is my parcel", "--models-dir", models],
    ];
    for args in cases {
        let out = voxgate(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("voxgate models fetch"), "{args:?}: {err}");
    }
    assert!(!wav.exists());
    let out = voxgate(&["say", "  ", "--out", wav.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_are_refused() {
    let out = voxgate(&["serve", "--sip-listen", "not-an-address"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--sip-listen"));
}

#[test]
fn serve_refuses_an_invalid_config_naming_the_field() {
    let dir = std::env::temp_dir().join(format!("voxgate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, "[calls]\nmax_calls = 0\n").unwrap();
    let out = voxgate(&["serve", "--config", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("calls.max_calls"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every command finds the models in one directory per user, from any working directory:
/// `$VOXGATE_MODELS`, else `~/.cache/voxgate/models` (not `./models` of wherever it runs).
#[test]
fn the_models_directory_is_the_same_from_any_working_directory() {
    let home = std::env::temp_dir().join(format!("voxgate-cli-home-{}", std::process::id()));
    let elsewhere = home.join("somewhere/else");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_voxgate"))
        .args(["models", "list"])
        .env_remove("VOXGATE_MODELS")
        .env("HOME", &home)
        .current_dir(&elsewhere)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let want = home.join(".cache/voxgate/models/ggml-tiny.en.bin");
    assert!(text.contains(want.to_str().unwrap()), "{text}");
    assert!(!text.contains("somewhere/else"), "{text}");
}
