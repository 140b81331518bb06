//! The knowledge-document endpoints: list, add/replace, remove and search the operator's
//! knowledge base (the agent's [`LiveKnowledge`]) over HTTP. Its operations block (embedding
//! runs there), so every call runs in `spawn_blocking`. Owns the request checks (empty text,
//! `k`), the status codes and the JSON shapes; names are checked by the knowledge base's own
//! rule ([`validate_name`]), retrieval is the knowledge base's.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::ApiState;
use super::error::ApiError;
use crate::dialog::kb::{DocumentInfo, KbError, LiveKnowledge, RefreshReport, validate_name};

/// Hits a search may ask for at most.
pub(super) const MAX_K: usize = 50;
/// Characters of chunk text a search hit shows.
pub(super) const EXCERPT_CHARS: usize = 300;

impl From<KbError> for ApiError {
    fn from(e: KbError) -> ApiError {
        match e {
            KbError::BadName { reason, .. } => {
                ApiError::BadRequest(format!("bad document name: {reason}"))
            }
            KbError::Empty { .. } => ApiError::bad_request(
                "the document has no text to index (empty, or only headings and front matter)",
            ),
            KbError::NotText { .. } => ApiError::bad_request("the document is not UTF-8 text"),
            KbError::TooLarge { size, limit, .. } => ApiError::bad_request(format!(
                "the document is {size} bytes, above the {limit} byte limit"
            )),
            KbError::Limit { reason } => ApiError::Conflict(reason),
            other => ApiError::internal("knowledge base", other),
        }
    }
}

/// Runs a blocking knowledge-base call off the async workers (cheap reads).
async fn blocking<T: Send + 'static>(
    state: &ApiState,
    f: impl FnOnce(&LiveKnowledge) -> Result<T, KbError> + Send + 'static,
) -> Result<T, ApiError> {
    let agent = state.knowledge().await?;
    tokio::task::spawn_blocking(move || f(agent.knowledge()))
        .await
        .map_err(|e| ApiError::internal("knowledge base task", e))?
        .map_err(ApiError::from)
}

/// As [`blocking`], for work that embeds text: it waits for a slot of the knowledge-base
/// queue first (429 when the line is full).
async fn queued<T: Send + 'static>(
    state: &ApiState,
    f: impl FnOnce(&LiveKnowledge) -> Result<T, KbError> + Send + 'static,
) -> Result<T, ApiError> {
    let agent = state.knowledge().await?;
    let permit = state.kb_permit().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f(agent.knowledge())
    })
    .await
    .map_err(|e| ApiError::internal("knowledge base task", e))?
    .map_err(ApiError::from)
}

/// 409 when adding `name` (`size` bytes) would take the knowledge base beyond
/// `http.max_documents` or `http.max_kb_bytes`.
fn check_growth(
    kb: &LiveKnowledge,
    name: &str,
    size: u64,
    limits: (usize, u64),
) -> Result<(), KbError> {
    let docs = kb.documents();
    let others: Vec<_> = docs.iter().filter(|d| d.name != name).collect();
    let (max_docs, max_bytes) = limits;
    if others.len() >= max_docs {
        return Err(KbError::Limit {
            reason: format!("the knowledge base holds {max_docs} documents, the most allowed"),
        });
    }
    let total: u64 = others.iter().map(|d| d.bytes).sum::<u64>() + size;
    if total > max_bytes {
        return Err(KbError::Limit {
            reason: format!("the knowledge base would hold {total} bytes, above {max_bytes}"),
        });
    }
    Ok(())
}

fn document_name(name: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(name) = name.map_err(|e| ApiError::bad_request(e.body_text()))?;
    validate_name(&name)?;
    Ok(name)
}

#[derive(Serialize)]
struct DocumentList {
    documents: Vec<DocumentInfo>,
}

/// `GET /api/v1/kb/documents`.
pub(super) async fn list(State(state): State<ApiState>) -> Result<Response, ApiError> {
    let documents = blocking(&state, |kb| Ok(kb.documents())).await?;
    Ok(Json(DocumentList { documents }).into_response())
}

#[derive(Serialize)]
struct PutBody {
    name: String,
    created: bool,
    refresh: RefreshReport,
}

/// `PUT /api/v1/kb/documents/{name}`: the body is the Markdown text.
pub(super) async fn put(
    State(state): State<ApiState>,
    name: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let name = document_name(name)?;
    let body = super::body_bytes(body)?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::bad_request("the document is not UTF-8 text"))?;
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("the document text is empty"));
    }
    let key = name.clone();
    let limits = state.kb_limits();
    let refresh = queued(&state, move |kb| {
        check_growth(kb, &key, text.len() as u64, limits)?;
        kb.put_document(&key, &text)
    })
    .await?;
    let created = refresh.added.contains(&name);
    tracing::info!(document = %name, created, "knowledge document stored over HTTP");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let body = PutBody {
        name,
        created,
        refresh,
    };
    Ok((status, Json(body)).into_response())
}

/// `DELETE /api/v1/kb/documents/{name}`: 204, or 404 when there is no such document.
pub(super) async fn delete(
    State(state): State<ApiState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let name = document_name(name)?;
    let key = name.clone();
    if queued(&state, move |kb| kb.remove_document(&key)).await? {
        tracing::info!(document = %name, "knowledge document removed over HTTP");
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound("no such document"))
    }
}

/// `?q=...&k=5`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SearchParams {
    q: String,
    #[serde(default = "default_k")]
    k: usize,
}

fn default_k() -> usize {
    5
}

/// One retrieval hit as shown to operators.
#[derive(Debug, Serialize)]
struct SearchHit {
    /// The chunk id (`file#section`).
    id: String,
    /// The fused score and its two parts (see [`crate::dialog::kb`]).
    score: f32,
    lexical: f32,
    semantic: f32,
    /// The start of the chunk's text.
    text: String,
}

#[derive(Serialize)]
struct SearchBody {
    query: String,
    hits: Vec<SearchHit>,
}

/// `GET /api/v1/kb/search?q=...&k=5`: hits with ids, scores and an excerpt of the text.
pub(super) async fn search(
    State(state): State<ApiState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(SearchParams { q, k }) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if q.trim().is_empty() {
        return Err(ApiError::bad_request("q (the query) is empty"));
    }
    if q.len() > super::MAX_QUESTION_LEN {
        return Err(ApiError::bad_request("q (the query) is too long"));
    }
    if !(1..=MAX_K).contains(&k) {
        return Err(ApiError::bad_request("k must be between 1 and 50"));
    }
    let query = q.clone();
    let hits = queued(&state, move |kb| Ok(kb.search(&query, k))).await?;
    let hits = hits
        .into_iter()
        .map(|h| SearchHit {
            id: h.chunk.id.clone(),
            score: h.score,
            lexical: h.lexical,
            semantic: h.semantic,
            text: excerpt(&h.chunk.text, EXCERPT_CHARS),
        })
        .collect();
    Ok(Json(SearchBody { query: q, hits }).into_response())
}

/// The first `max` characters of `text` (whitespace collapsed), with `…` when cut.
pub(super) fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_on_characters() {
        assert_eq!(excerpt("a  b\n c", 10), "a b c");
        assert_eq!(excerpt("ééééé", 3), "ééé…");
    }
}
