//! `voxgate flows check FILE...` and `voxgate flows schema`.

use std::process::ExitCode;

use crate::cli::FlowsCommand;
use voxgate::config::Config;
use voxgate::flows::{self, Severity};

/// Runs a `flows` subcommand; the exit code says whether the files are usable.
pub(crate) fn run(cmd: FlowsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        FlowsCommand::Schema => {
            print!("{}", flows::SCHEMA);
            Ok(ExitCode::SUCCESS)
        }
        FlowsCommand::Check {
            files,
            config,
            json,
        } => {
            let config = match config {
                Some(path) => Config::from_file(&path)?,
                None => Config::default(),
            };
            let (set, reports) = flows::load_files(&files, &config.flow_known());
            let count = |s: Severity| {
                reports
                    .iter()
                    .flat_map(|r| &r.problems)
                    .filter(|p| p.severity == s)
                    .count()
            };
            let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
            if json {
                let list: Vec<serde_json::Value> = reports
                    .iter()
                    .flat_map(|r| {
                        r.problems.iter().map(|p| {
                            let mut v = serde_json::to_value(p).unwrap_or_default();
                            v["file"] = r.file.display().to_string().into();
                            v
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(list));
            } else {
                for r in &reports {
                    print!("{r}");
                }
                let verdict = if set.is_some() { "ok" } else { "refused" };
                println!(
                    "{} file(s): {errors} error(s), {warnings} warning(s): {verdict}",
                    files.len()
                );
            }
            Ok(if errors == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
