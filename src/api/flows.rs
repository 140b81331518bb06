//! The operator's flow endpoints (admin and operator roles, see `auth::roles_for`):
//! - `GET /api/v1/flows`: the active version of each flow;
//! - `GET /api/v1/flows/schema`: the JSON Schema of flow files;
//! - `POST /api/v1/flows/validate` (YAML body): the problems, as `voxgate flows check` says them;
//! - `GET /api/v1/flows/{name}` (`?version=N`): a version's text (the active one by default);
//! - `PUT /api/v1/flows/{name}` (YAML body): stored as a new version and activated for new
//!   calls (calls in progress finish on theirs); 422 with the problems when it has errors;
//! - `GET /api/v1/flows/{name}/versions`; `POST /api/v1/flows/{name}/rollback` (`{"version": N}`,
//!   default the version before the active one): activates a stored version;
//! - `GET /api/v1/calls`: calls in progress and the node each is in;
//! - `GET /api/v1/voicemails` (`?limit=`): the messages left, newest first;
//! - `GET /api/v1/audit` (admin): who changed what.
//!
//! Every change is in the audit log under the token's name.

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::ApiState;
use super::auth::Caller;
use super::error::ApiError;
use crate::calls::LiveFlows;
use crate::flows::{self, Problem};
use crate::store::Store;

/// What the flow endpoints work on: the live flows of the calls and the store of versions.
#[derive(Clone)]
pub struct FlowsApi {
    live: LiveFlows,
    store: Arc<Mutex<Store>>,
}

impl FlowsApi {
    /// Endpoints over `live`, keeping versions in `store`.
    pub fn new(live: LiveFlows, store: Store) -> FlowsApi {
        FlowsApi {
            live,
            store: Arc::new(Mutex::new(store)),
        }
    }

    pub(super) async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, crate::store::StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            f(&store.lock().unwrap_or_else(PoisonError::into_inner))
        })
        .await
        .map_err(|e| ApiError::internal("flow store task", e))?
        .map_err(|e| ApiError::internal("flow store", e))
    }
}

pub(super) fn api(state: &ApiState) -> Result<&FlowsApi, ApiError> {
    state.flows().ok_or_else(|| {
        ApiError::Conflict(
            "calls do not run flows on this gateway (calls.logic is not \"flow\")".into(),
        )
    })
}

fn yaml(body: Result<Bytes, BytesRejection>) -> Result<String, ApiError> {
    let body = super::body_bytes(body)?;
    String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::bad_request("the flow is not UTF-8 text"))
}

fn invalid(problems: Vec<Problem>) -> Response {
    let body = serde_json::json!({"error": "invalid flow", "problems": problems});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if !flows::valid_name(name) {
        return Err(ApiError::bad_request(
            "a flow name is letters, digits, `_`, `-` and `.`",
        ));
    }
    Ok(())
}

/// Refuses a flow that needs what this gateway did not start (409).
fn runnable(api: &FlowsApi, flow: &flows::Flow) -> Result<(), ApiError> {
    match api.live.can().missing(flows::Needs::of(flow)) {
        None => Ok(()),
        Some(what) => Err(ApiError::Conflict(format!(
            "this flow needs {what}, which this gateway did not start (none of its flows used it): restart it with the flow in its flow directory"
        ))),
    }
}

/// `GET /api/v1/flows`.
pub(super) async fn list(State(state): State<ApiState>) -> Result<Response, ApiError> {
    let api = api(&state)?;
    let active = api.with_store(|s| s.active_flows()).await?;
    let live = api.live.current();
    let flows: Vec<serde_json::Value> = live
        .iter()
        .map(|f| {
            let version = active.iter().find(|(n, _, _)| *n == f.name).map(|(_, v, _)| *v);
            serde_json::json!({"name": f.name, "version": version, "nodes": f.nodes.len(), "start": f.start.node})
        })
        .collect();
    Ok(Json(serde_json::json!({ "flows": flows })).into_response())
}

/// `GET /api/v1/flows/schema`.
pub(super) async fn schema() -> Response {
    let schema: serde_json::Value = serde_json::from_str(flows::SCHEMA).unwrap_or_default();
    Json(schema).into_response()
}

/// `POST /api/v1/flows/validate`.
pub(super) async fn validate(
    State(state): State<ApiState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let api = api(&state)?;
    let text = yaml(body)?;
    let result = flows::check_source(&text, &api.live.current(), api.live.known());
    let (ok, problems) = match result {
        Ok((_, warnings)) => (true, warnings),
        Err(problems) => (false, problems),
    };
    Ok(Json(serde_json::json!({"ok": ok, "problems": problems})).into_response())
}

#[derive(Deserialize)]
pub(super) struct VersionQuery {
    version: Option<i64>,
}

/// `GET /api/v1/flows/{name}`.
pub(super) async fn get(
    State(state): State<ApiState>,
    Path(name): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, ApiError> {
    let api = api(&state)?;
    check_name(&name)?;
    let n = name.clone();
    let version = match q.version {
        Some(v) => Some(v),
        None => api
            .with_store(move |s| s.active_flows())
            .await?
            .into_iter()
            .find(|(f, _, _)| *f == n)
            .map(|(_, v, _)| v),
    };
    let Some(version) = version else {
        return Err(ApiError::NotFound("no such flow"));
    };
    let n = name.clone();
    let source = api.with_store(move |s| s.flow_source(&n, version)).await?;
    let source = source.ok_or(ApiError::NotFound("no such flow version"))?;
    Ok(
        Json(serde_json::json!({"name": name, "version": version, "source": source}))
            .into_response(),
    )
}

/// `GET /api/v1/flows/{name}/versions`.
pub(super) async fn versions(
    State(state): State<ApiState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let api = api(&state)?;
    check_name(&name)?;
    let list = api.with_store(move |s| s.flow_versions(&name)).await?;
    if list.is_empty() {
        return Err(ApiError::NotFound("no such flow"));
    }
    Ok(Json(serde_json::json!({ "versions": list })).into_response())
}

/// `PUT /api/v1/flows/{name}`.
pub(super) async fn put(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let api = api(&state)?;
    check_name(&name)?;
    let text = yaml(body)?;
    let (flow, warnings) = match flows::check_source(&text, &api.live.current(), api.live.known()) {
        Ok(ok) => ok,
        Err(problems) => return Ok(invalid(problems)),
    };
    if flow.name != name {
        return Err(ApiError::bad_request(format!(
            "the file says `flow: {}` but the URL names `{name}`",
            flow.name
        )));
    }
    runnable(api, &flow)?;
    let (n, who) = (name.clone(), caller.name.clone());
    let version = api
        .with_store(move |s| {
            let v = s.save_flow_version(&n, &text, &who)?;
            s.activate_flow(&n, v)?;
            s.audit(&who, "flow.activate", &n, &format!("version {v}"))?;
            Ok(v)
        })
        .await?;
    api.live.replace(api.live.current().with(flow));
    tracing::info!(flow = %name, version, by = %caller.name, "flow version activated");
    let body = serde_json::json!({"name": name, "version": version, "warnings": warnings});
    Ok(Json(body).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RollbackRequest {
    version: Option<i64>,
}

/// `POST /api/v1/flows/{name}/rollback`.
pub(super) async fn rollback(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let api = api(&state)?;
    check_name(&name)?;
    let body = super::body_bytes(body)?;
    let req: RollbackRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RollbackRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(format!("expected {{\"version\": N}} or nothing: {e}"))
        })?
    };
    let n = name.clone();
    let list = api.with_store(move |s| s.flow_versions(&n)).await?;
    let active = list.iter().find(|v| v.active).map(|v| v.version);
    let target = match req.version {
        Some(v) => v,
        None => list
            .iter()
            .map(|v| v.version)
            .filter(|v| active.is_some_and(|a| *v < a))
            .max()
            .ok_or_else(|| {
                ApiError::Conflict("there is no earlier version to roll back to".into())
            })?,
    };
    let n = name.clone();
    let source = api
        .with_store(move |s| s.flow_source(&n, target))
        .await?
        .ok_or(ApiError::NotFound("no such flow version"))?;
    let (flow, _) = match flows::check_source(&source, &api.live.current(), api.live.known()) {
        Ok(ok) => ok,
        Err(problems) => return Ok(invalid(problems)),
    };
    runnable(api, &flow)?;
    let (n, who) = (name.clone(), caller.name.clone());
    api.with_store(move |s| {
        s.activate_flow(&n, target)?;
        s.audit(&who, "flow.rollback", &n, &format!("version {target}"))
    })
    .await?;
    api.live.replace(api.live.current().with(flow));
    tracing::info!(flow = %name, version = target, by = %caller.name, "flow rolled back");
    Ok(Json(serde_json::json!({"name": name, "version": target})).into_response())
}

/// `GET /api/v1/calls`.
pub(super) async fn calls(State(state): State<ApiState>) -> Result<Response, ApiError> {
    let api = api(&state)?;
    Ok(Json(serde_json::json!({ "calls": api.live.calls() })).into_response())
}

/// `?limit=`: how many rows a list shows (100 by default, 1000 at most).
#[derive(Deserialize)]
pub(super) struct LimitQuery {
    limit: Option<usize>,
}

impl LimitQuery {
    fn rows(&self) -> usize {
        self.limit.unwrap_or(100).min(1000)
    }
}

/// `GET /api/v1/voicemails`.
pub(super) async fn voicemails(
    State(state): State<ApiState>,
    Query(q): Query<LimitQuery>,
) -> Result<Response, ApiError> {
    let api = api(&state)?;
    let limit = q.rows();
    let list = api.with_store(move |s| s.voicemails(limit)).await?;
    let list: Vec<serde_json::Value> = list
        .into_iter()
        .map(|v| {
            let ms = v
                .created
                .duration_since(std::time::SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64);
            serde_json::json!({
                "call_id_hash": v.call_id_hash,
                "flow": v.flow,
                "node": v.node,
                "created_ms": ms,
                "duration_ms": v.duration_ms,
                "path": v.path,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "voicemails": list })).into_response())
}

/// `GET /api/v1/audit`.
pub(super) async fn audit(
    State(state): State<ApiState>,
    Query(q): Query<LimitQuery>,
) -> Result<Response, ApiError> {
    let api = api(&state)?;
    let limit = q.rows();
    let entries = api.with_store(move |s| s.audit_log(limit)).await?;
    Ok(Json(serde_json::json!({ "entries": entries })).into_response())
}
