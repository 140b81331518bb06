//! `voxgate tokens create|list|revoke`: the HTTP API's tokens in the store of the data
//! directory. A created token is printed once on stdout (only the token, for scripts); the
//! store keeps its hash. Works while `voxgate serve` runs (SQLite, WAL).

use anyhow::Context;
use voxgate::api::auth::token::{self, Role};
use voxgate::config::{Config, Overrides};
use voxgate::store::{CallerPolicy, Store};

use crate::cli::{DataArgs, TokensCommand};

fn open(data: &DataArgs) -> anyhow::Result<(Store, Config)> {
    let flags = Overrides {
        data_dir: data.data_dir.clone(),
        ..Overrides::default()
    };
    let config = Config::load(data.config.as_deref(), &flags)?;
    let store = Store::open(&config.data_dir, CallerPolicy::Redact)
        .with_context(|| format!("cannot open the store in {}", config.data_dir.display()))?;
    Ok((store, config))
}

/// Runs one `tokens` subcommand.
pub(crate) fn run(cmd: TokensCommand) -> anyhow::Result<()> {
    match cmd {
        TokensCommand::Create { name, role, data } => {
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!("--role must be admin, operator, metrics or agent")
            })?;
            let (store, config) = open(&data)?;
            let t = token::create(&store, &name, role, config.http.max_tokens)?;
            println!("{t}");
        }
        TokensCommand::List(data) => {
            let (store, _) = open(&data)?;
            println!(
                "{:<24} {:<9} {:<14} {:<14} state",
                "NAME", "ROLE", "CREATED_MS", "LAST_USED_MS"
            );
            for t in store.tokens()? {
                let last = t.last_used_ms.map_or(String::from("-"), |v| v.to_string());
                let state = if t.revoked { "revoked" } else { "live" };
                println!(
                    "{:<24} {:<9} {:<14} {:<14} {state}",
                    t.name, t.role, t.created_ms, last
                );
            }
        }
        TokensCommand::Revoke { name, data } => {
            let (store, _) = open(&data)?;
            if !store.revoke_token(&name)? {
                anyhow::bail!("no live token named {name:?}");
            }
            println!("revoked {name}");
        }
    }
    Ok(())
}
