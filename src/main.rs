//! The `voxgate` binary: parses the command line and runs the chosen subcommand.

mod ask_cmd;
mod cli;
mod emotion_cmd;
mod flows_cmd;
mod serve;
mod speech_cmd;
mod tokens_cmd;

use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command, ModelsCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => match serve::serve(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("voxgate serve: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Models(cmd) => match models(cmd) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                // Every models error already says its cause; `{:#}` would repeat it.
                eprintln!("voxgate models: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Transcribe(args) => match speech_cmd::transcribe(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("voxgate transcribe: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Say(args) => match speech_cmd::say(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("voxgate say: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Ask(args) => match ask_cmd::ask(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("voxgate ask: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Emotion(args) => match emotion_cmd::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("voxgate emotion: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Tokens(cmd) => match tokens_cmd::run(cmd) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("voxgate tokens: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Flows(cmd) => match flows_cmd::run(cmd) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("voxgate flows: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// `voxgate models fetch|list`.
fn models(cmd: ModelsCommand) -> anyhow::Result<()> {
    use voxgate::models::{self, FetchOptions, Models, commands};
    let dirs = |d: cli::ModelsDirs| {
        (
            d.models_dir.unwrap_or_else(models::default_models_dir),
            d.cache_dir.unwrap_or_else(models::default_cache_dir),
        )
    };
    match cmd {
        ModelsCommand::Fetch(args) => {
            let (models_dir, cache_dir) = dirs(args.dirs);
            let opts = FetchOptions {
                models_dir,
                cache_dir,
                force: args.force,
                quiet: args.quiet,
            };
            commands::fetch(&args.models, &opts)?;
        }
        ModelsCommand::List(d) => {
            let (models_dir, _) = dirs(d);
            print!("{}", commands::list(&Models::locate(models_dir)?)?);
        }
    }
    Ok(())
}
