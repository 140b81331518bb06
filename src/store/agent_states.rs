//! The agents' state history: one row each time an agent's state changes (available,
//! ringing, on a call, after-call work, away, logged out), and the report built from it —
//! how long each agent spent in each state over a period, how many calls it took, and its
//! after-call work time.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::Serialize;

use super::{Store, StoreError};

/// One change of an agent's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentStateRow {
    /// The agent's id.
    pub agent: String,
    /// The state entered (`available`, `ringing`, `on_call`, `after_call_work`, `away`,
    /// `logged_out`).
    pub state: String,
    /// Why away (`requested`, `no_answer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The runtime's call number, for states about a call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<u64>,
    /// When, ms since the Unix epoch.
    pub at_ms: i64,
}

/// How one agent spent a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgentTime {
    /// The agent's id.
    pub agent: String,
    /// Milliseconds in each state over the period.
    pub ms_in: BTreeMap<String, i64>,
    /// Calls answered (times it went on a call) in the period.
    pub calls: u32,
    /// Offers it let ring out in the period.
    pub no_answers: u32,
}

impl Store {
    /// Stores one change.
    pub fn insert_agent_state(&self, r: &AgentStateRow) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO agent_states (agent, state, detail, call, at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                r.agent,
                r.state,
                r.detail,
                r.call.map(|c| c as i64),
                r.at_ms
            ],
        )?;
        Ok(())
    }

    /// The changes in `[since, until)`, oldest first, of one agent or all; at most `limit`.
    pub fn agent_states(
        &self,
        agent: Option<&str>,
        (since, until): (i64, i64),
        limit: usize,
    ) -> Result<Vec<AgentStateRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT agent, state, detail, call, at_ms FROM agent_states
             WHERE (?1 IS NULL OR agent = ?1) AND at_ms >= ?2 AND at_ms < ?3
             ORDER BY at_ms, id LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![agent, since, until, limit as i64], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How each agent spent `[since, until)`: the state each was in at `since` counts from
    /// `since`, the last one up to `until`.
    pub fn agent_report(&self, (since, until): (i64, i64)) -> Result<Vec<AgentTime>, StoreError> {
        let mut before = self.conn.prepare(
            "SELECT agent, state, detail, call, MAX(at_ms) FROM agent_states
             WHERE at_ms < ?1 GROUP BY agent",
        )?;
        let mut start: Vec<AgentStateRow> =
            before.query_map([since], row)?.collect::<Result<_, _>>()?;
        for r in &mut start {
            r.at_ms = since;
        }
        let changes = self.agent_states(None, (since, until), usize::MAX >> 1)?;
        Ok(report(&start, &changes, until))
    }
}

/// Stores every change from `rx` (a blocking task owning `store`); ends when every sender
/// is gone.
pub fn spawn_agent_state_sink(
    store: Store,
    mut rx: tokio::sync::mpsc::Receiver<AgentStateRow>,
) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_blocking(move || {
        while let Some(r) = rx.blocking_recv() {
            if let Err(e) = store.insert_agent_state(&r) {
                tracing::warn!(error = %e, agent = %r.agent, "agent state not stored");
            }
        }
    })
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AgentStateRow> {
    Ok(AgentStateRow {
        agent: r.get(0)?,
        state: r.get(1)?,
        detail: r.get(2)?,
        call: r.get::<_, Option<i64>>(3)?.map(|c| c as u64),
        at_ms: r.get(4)?,
    })
}

/// Sums each agent's `start` state (the one it was in when the period began, which is not
/// a change inside it) and its `changes` (in time order) up to `until`.
fn report(start: &[AgentStateRow], changes: &[AgentStateRow], until: i64) -> Vec<AgentTime> {
    let mut by_agent: BTreeMap<&str, Vec<(&AgentStateRow, bool)>> = BTreeMap::new();
    for (r, counts) in start
        .iter()
        .map(|r| (r, false))
        .chain(changes.iter().map(|r| (r, true)))
    {
        by_agent.entry(&r.agent).or_default().push((r, counts));
    }
    let mut out = Vec::new();
    for (agent, list) in by_agent {
        let mut t = AgentTime {
            agent: agent.to_owned(),
            ..AgentTime::default()
        };
        for (i, (r, counts)) in list.iter().enumerate() {
            let end = list.get(i + 1).map_or(until, |n| n.0.at_ms).min(until);
            *t.ms_in.entry(r.state.clone()).or_default() += (end - r.at_ms).max(0);
            if *counts && r.state == "on_call" {
                t.calls += 1;
            }
            if *counts && r.detail.as_deref() == Some("no_answer") {
                t.no_answers += 1;
            }
        }
        out.push(t);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::CallerPolicy;

    fn at(agent: &str, state: &str, at_ms: i64) -> AgentStateRow {
        AgentStateRow {
            agent: agent.into(),
            state: state.into(),
            detail: None,
            call: None,
            at_ms,
        }
    }

    #[test]
    fn the_report_splits_the_period_by_state_and_counts_calls() {
        let s = Store::open_in_memory(CallerPolicy::Redact).unwrap();
        for r in [
            at("alice", "available", 0),
            at("alice", "ringing", 100),
            at("alice", "on_call", 110),
            at("alice", "after_call_work", 400),
            at("alice", "available", 430),
            at("bob", "away", 50),
        ] {
            s.insert_agent_state(&r).unwrap();
        }
        let report = s.agent_report((20, 500)).unwrap();
        let alice = &report[0];
        assert_eq!(alice.agent, "alice");
        assert_eq!(alice.ms_in["available"], 80 + 70);
        assert_eq!(alice.ms_in["ringing"], 10);
        assert_eq!(alice.ms_in["on_call"], 290);
        assert_eq!(alice.ms_in["after_call_work"], 30);
        assert_eq!(alice.calls, 1);
        // Bob was not there before 50: his time starts with his first change.
        assert_eq!(report[1].ms_in["away"], 450);
        // A call that started before the period is time on a call, not a call taken in it.
        let later = s.agent_report((200, 300)).unwrap();
        assert_eq!(later[0].ms_in["on_call"], 100);
        assert_eq!(later[0].calls, 0);
        assert_eq!(
            s.agent_states(Some("alice"), (0, 500), 10).unwrap().len(),
            5
        );
        assert_eq!(s.agent_states(None, (0, 105), 10).unwrap().len(), 3);
    }

    #[test]
    fn ring_outs_are_counted() {
        let s = Store::open_in_memory(CallerPolicy::Redact).unwrap();
        s.insert_agent_state(&at("alice", "ringing", 0)).unwrap();
        let mut away = at("alice", "away", 20_000);
        away.detail = Some("no_answer".into());
        s.insert_agent_state(&away).unwrap();
        let report = s.agent_report((0, 30_000)).unwrap();
        assert_eq!(report[0].no_answers, 1);
        assert_eq!(report[0].ms_in["away"], 10_000);
    }
}
