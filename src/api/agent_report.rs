//! The agents' time (admin and operator roles): `GET /api/v1/agent-states` (`?agent= &since=
//! &until= &limit=`): every change of the agents' states, oldest first;
//! `GET /api/v1/agent-report` (`?since= &until=`): per agent, the time in each state, the calls
//! taken and the offers let ring out. Periods are ms since the epoch, the last 24 hours by
//! default.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiState;
use super::error::ApiError;

/// A period (ms since the epoch; the last 24 hours when not given).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StatesQuery {
    agent: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    limit: Option<usize>,
}

fn period(since: Option<i64>, until: Option<i64>) -> Result<(i64, i64), ApiError> {
    let now = crate::store::to_ms(std::time::SystemTime::now());
    let until = until.unwrap_or(now);
    let since = since.unwrap_or(until - 24 * 3600 * 1000);
    if since >= until {
        return Err(ApiError::bad_request("`since` must be before `until`"));
    }
    Ok((since, until))
}

/// `GET /api/v1/agent-states`: the agents' state changes in a period, oldest first.
pub(super) async fn states(
    State(state): State<ApiState>,
    axum::extract::Query(q): axum::extract::Query<StatesQuery>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    let window = period(q.since, q.until)?;
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    let rows = api
        .with_store(move |s| s.agent_states(q.agent.as_deref(), window, limit))
        .await?;
    Ok(
        Json(serde_json::json!({ "since": window.0, "until": window.1, "states": rows }))
            .into_response(),
    )
}

/// `GET /api/v1/agent-report` filters.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReportQuery {
    since: Option<i64>,
    until: Option<i64>,
}

/// `GET /api/v1/agent-report`: how each agent spent a period.
pub(super) async fn report(
    State(state): State<ApiState>,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let api = super::flows::api(&state)?;
    let window = period(q.since, q.until)?;
    let agents = api.with_store(move |s| s.agent_report(window)).await?;
    Ok(
        Json(serde_json::json!({ "since": window.0, "until": window.1, "agents": agents }))
            .into_response(),
    )
}
