//! `POST /api/v1/ask`: one question to the AI agent, answered as `voxgate ask --json` does
//! (`answer`, `handoff`, `reason`, `sources`) plus `timings`. An optional conversation id
//! keeps the agent's per-caller memory between requests. The agent blocks, so it runs in
//! `spawn_blocking`, [`super::ASK_CONCURRENCY`] at a time behind a bounded waiting line
//! (`http.ask_queue`, `http.ask_max_wait_secs`; beyond either: 429 with `Retry-After`).

use std::ops::ControlFlow;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use serde::{Deserialize, Serialize};

use super::ApiState;
use super::conversations::id_problem;
use super::error::ApiError;
use crate::dialog::{Answer, Conversation, TurnTimings};

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AskRequest {
    question: String,
    #[serde(default)]
    conversation: Option<String>,
}

/// Where the turn's time went (ms).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TimingsJson {
    /// Retrieval.
    pub retrieval_ms: f64,
    /// To the language model's first token, when it ran.
    pub llm_first_token_ms: Option<f64>,
    /// To the first checked sentence, when there was one.
    pub first_sentence_ms: Option<f64>,
    /// The whole turn.
    pub total_ms: f64,
}

impl From<TurnTimings> for TimingsJson {
    fn from(t: TurnTimings) -> TimingsJson {
        TimingsJson {
            retrieval_ms: t.retrieval_ms,
            llm_first_token_ms: t.llm_first_token_ms,
            first_sentence_ms: t.first_sentence_ms,
            total_ms: t.total_ms,
        }
    }
}

/// The answer object (`voxgate ask --json`'s fields, then the API's own).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskResponse {
    /// What the agent says (the handoff line when handing off).
    pub answer: String,
    /// Whether the caller goes to a person.
    pub handoff: bool,
    /// Why (`asked_for_person`, `not_in_knowledge`…), `null` without a handoff.
    pub reason: Option<&'static str>,
    /// The chunk ids the answer is grounded in (`file#section`, `tool:NAME`).
    pub sources: Vec<String>,
    /// Where the time went.
    pub timings: TimingsJson,
    /// The conversation id, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
}

impl AskResponse {
    /// The JSON shape of an agent's answer.
    pub fn from_answer(answer: Answer, conversation: Option<String>) -> AskResponse {
        AskResponse {
            answer: answer.text,
            handoff: answer.handoff.is_some(),
            reason: answer.handoff.map(|r| r.as_str()),
            sources: answer.sources,
            timings: answer.timings.into(),
            conversation,
        }
    }
}

/// `POST /api/v1/ask`.
pub(super) async fn ask(
    State(state): State<ApiState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<AskResponse>, ApiError> {
    let body = super::body_bytes(body)?;
    let req: AskRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "expected {{\"question\": \"...\", \"conversation\": \"optional id\"}}: {e}"
        ))
    })?;
    let question = req.question.trim().to_owned();
    if question.is_empty() {
        return Err(ApiError::bad_request("question is empty"));
    }
    if question.len() > super::MAX_QUESTION_LEN {
        return Err(ApiError::bad_request(format!(
            "question is longer than {} bytes",
            super::MAX_QUESTION_LEN
        )));
    }
    if let Some(why) = req.conversation.as_deref().and_then(id_problem) {
        return Err(ApiError::bad_request(why));
    }
    let arrived = Instant::now();
    // The slot first: starting the agent (loading models) is expensive work too.
    let permit = state.ask_permit().await?;
    let agent = state.agent().await?;
    let m = crate::metrics::metrics();
    m.ask_running.inc();
    let id = req.conversation;
    let conv = match &id {
        Some(id) => state.conversations().take(id, Instant::now()),
        None => Conversation::new(),
    };
    let (answer, conv) = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let mut conv = conv;
        let answer = agent.respond(&mut conv, &question, &mut |_| ControlFlow::Continue(()));
        m.ask_running.dec();
        (answer, conv)
    })
    .await
    .map_err(|e| ApiError::internal("agent task", e))?;
    m.ask_seconds.observe_duration(arrived.elapsed());
    let t = &answer.timings;
    m.agent_turn_ms(
        t.retrieval_ms,
        t.llm_first_token_ms,
        t.first_sentence_ms,
        t.total_ms,
    );
    if let Some(id) = &id {
        state.conversations().put(id, conv, Instant::now());
    }
    tracing::debug!(
        handoff = ?answer.handoff,
        sources = answer.sources.len(),
        total_ms = answer.timings.total_ms,
        "answered over HTTP"
    );
    Ok(Json(AskResponse::from_answer(answer, id)))
}
