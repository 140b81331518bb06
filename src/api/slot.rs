//! [`AgentSlot`]: how the API gets the AI agent. Either fixed when the state is built (the
//! agent, or why there is none), or started on the first request that needs it, so a gateway
//! that nobody asks does not load its models; a failed start is retried by a later request
//! (after `voxgate models fetch`, say) once [`RETRY_AFTER`] has passed.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use crate::dialog::Agent;

/// A failed start is reported as is, without trying again, for this long.
pub const RETRY_AFTER: Duration = Duration::from_secs(10);

/// Starts the agent (blocking: it loads models); the error is shown to clients (no paths).
pub type AgentStarter = dyn Fn() -> Result<Agent, String> + Send + Sync;

/// Where the API's agent comes from.
pub struct AgentSlot {
    source: Source,
}

enum Source {
    Fixed(Result<Agent, String>),
    Lazy {
        cell: OnceCell<Agent>,
        start: Arc<AgentStarter>,
        failed: Mutex<Option<(Instant, String)>>,
    },
}

impl AgentSlot {
    /// This agent, or this reason there is none, for good.
    pub fn fixed(agent: Result<Agent, String>) -> AgentSlot {
        AgentSlot {
            source: Source::Fixed(agent),
        }
    }

    /// Started by `start` on the first request that needs the agent.
    pub fn lazy(start: impl Fn() -> Result<Agent, String> + Send + Sync + 'static) -> AgentSlot {
        AgentSlot {
            source: Source::Lazy {
                cell: OnceCell::new(),
                start: Arc::new(start),
                failed: Mutex::new(None),
            },
        }
    }

    /// The agent, starting it if needed (concurrent callers wait for one start), or why not.
    pub async fn get(&self) -> Result<Agent, String> {
        let (cell, start, failed) = match &self.source {
            Source::Fixed(agent) => return agent.clone(),
            Source::Lazy {
                cell,
                start,
                failed,
            } => (cell, start, failed),
        };
        if let Some(agent) = cell.get() {
            return Ok(agent.clone());
        }
        let recent = failed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .filter(|(at, _)| at.elapsed() < RETRY_AFTER);
        if let Some((_, why)) = recent {
            return Err(why);
        }
        let started = cell
            .get_or_try_init(|| {
                let start = start.clone();
                async move {
                    tracing::info!("starting the AI agent for the API");
                    tokio::task::spawn_blocking(move || start())
                        .await
                        .map_err(|e| format!("the agent start failed: {e}"))?
                }
            })
            .await;
        match started {
            Ok(agent) => Ok(agent.clone()),
            Err(why) => {
                *failed.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some((Instant::now(), why.clone()));
                Err(why)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_failed_start_is_reported_then_retried_later_not_at_once() {
        let tries = Arc::new(AtomicU32::new(0));
        let counted = tries.clone();
        let slot = AgentSlot::lazy(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            Err(String::from("run `voxgate models fetch`"))
        });
        assert_eq!(
            tries.load(Ordering::SeqCst),
            0,
            "nothing starts before a request"
        );
        assert_eq!(slot.get().await.unwrap_err(), "run `voxgate models fetch`");
        assert_eq!(slot.get().await.unwrap_err(), "run `voxgate models fetch`");
        assert_eq!(
            tries.load(Ordering::SeqCst),
            1,
            "no retry within RETRY_AFTER"
        );
        if let Source::Lazy { failed, .. } = &slot.source {
            let mut f = failed.lock().unwrap();
            if let Some((at, _)) = f.as_mut() {
                *at -= RETRY_AFTER;
            }
        }
        assert!(slot.get().await.is_err());
        assert_eq!(tries.load(Ordering::SeqCst), 2, "retried after RETRY_AFTER");
    }
}
