//! The OpenAI-compatible HTTP backend (llama.cpp server, vLLM, Ollama, …): one streaming
//! `POST {base_url}/chat/completions` per generation, Server-Sent Events parsed line by line.
//! Plain `http://` only (no TLS is compiled in: the server is expected on the local network).
//! Connection failures, 5xx/429 answers and timeouts are retried with a short backoff, but
//! only before the first token: once text has been handed on, a failure is final. Owns the
//! wire format and the retry policy; knows nothing of prompts or calls.

use std::io::{BufRead, BufReader};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Finish, GenerateRequest, Generation, LanguageModel, LlmError};

/// Where and how to reach the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAiConfig {
    /// E.g. `http://127.0.0.1:8081/v1` (plain HTTP only).
    pub base_url: String,
    pub model: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub api_key: Option<String>,
    /// To establish the TCP connection.
    pub connect_timeout: Duration,
    /// From sending the request to the answer's headers, and between two reads of the stream.
    pub first_token_timeout: Duration,
    /// The whole generation, retries included.
    pub total_timeout: Duration,
    /// Extra attempts before the first token.
    pub retries: u32,
}

impl OpenAiConfig {
    /// Defaults: connect 2 s, first token 10 s, total 60 s, 2 retries, no key.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> OpenAiConfig {
        OpenAiConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            connect_timeout: Duration::from_secs(2),
            first_token_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(60),
            retries: 2,
        }
    }
}

/// A chat model behind an OpenAI-compatible HTTP server.
pub struct OpenAiHttp {
    cfg: OpenAiConfig,
    url: String,
    name: String,
    agent: ureq::Agent,
}

/// One failed attempt: the error, and whether another attempt may help.
struct Failure {
    error: LlmError,
    retryable: bool,
}

/// What one attempt gathered; survives a failure so the caller knows whether text went out.
#[derive(Default)]
struct Progress {
    text: String,
    first_token_ms: Option<f64>,
    chunks: usize,
    usage: Option<Value>,
    /// The server said `finish_reason: "length"`.
    length: bool,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl OpenAiHttp {
    pub fn new(cfg: OpenAiConfig) -> OpenAiHttp {
        let url = format!("{}/chat/completions", cfg.base_url.trim_end_matches('/'));
        let host = cfg
            .base_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or(&cfg.base_url);
        let name = format!("http:{}@{host}", cfg.model);
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(cfg.connect_timeout))
            .timeout_recv_response(Some(cfg.first_token_timeout))
            .timeout_per_read(Some(cfg.first_token_timeout))
            .build()
            .into();
        OpenAiHttp {
            cfg,
            url,
            name,
            agent,
        }
    }

    fn body(&self, req: &GenerateRequest) -> Value {
        let messages: Vec<Value> = req
            .messages
            .iter()
            .map(|m| json!({"role": m.role.as_str(), "content": m.content}))
            .collect();
        let mut body = json!({
            "model": self.cfg.model,
            "messages": messages,
            "stream": true,
            "stream_options": {"include_usage": true},
            "temperature": 0,
            "max_tokens": req.max_tokens,
        });
        if !req.stop.is_empty() {
            body["stop"] = json!(req.stop);
        }
        body
    }

    fn unavailable(&self, reason: impl Into<String>) -> LlmError {
        LlmError::Unavailable {
            endpoint: self.cfg.base_url.clone(),
            reason: reason.into(),
        }
    }

    /// Maps a transport error to ours; `stage` names what was being waited for.
    fn transport(&self, e: ureq::Error, stage: &'static str, start: Instant) -> Failure {
        let error = match e {
            ureq::Error::Timeout(_) => LlmError::Timeout {
                ms: ms(start.elapsed()),
                stage,
            },
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => LlmError::Timeout {
                ms: ms(start.elapsed()),
                stage,
            },
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                self.unavailable("connection failed")
            }
            ureq::Error::Io(io) => self.unavailable(io.to_string()),
            other => {
                return Failure {
                    error: LlmError::Protocol(other.to_string()),
                    retryable: false,
                };
            }
        };
        Failure {
            error,
            retryable: true,
        }
    }

    fn attempt(
        &self,
        body: &Value,
        start: Instant,
        progress: &mut Progress,
        on_token: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Finish, Failure> {
        let remaining = self.cfg.total_timeout.saturating_sub(start.elapsed());
        if remaining.is_zero() {
            let error = LlmError::Timeout {
                ms: ms(self.cfg.total_timeout),
                stage: "total",
            };
            return Err(Failure {
                error,
                retryable: false,
            });
        }
        let mut request = self
            .agent
            .post(&self.url)
            .config()
            .timeout_global(Some(remaining))
            .build();
        if let Some(key) = &self.cfg.api_key {
            request = request.header("Authorization", &format!("Bearer {key}"));
        }
        let response = request
            .send_json(body)
            .map_err(|e| self.transport(e, "response", start))?;
        let status = response.status().as_u16();
        if status != 200 {
            let retryable = status >= 500 || status == 429;
            let detail = response.into_body().read_to_string().unwrap_or_default();
            let detail: String = detail.chars().take(200).collect();
            let error = match retryable {
                true => self.unavailable(format!("HTTP {status}: {detail}")),
                false => LlmError::Protocol(format!("HTTP {status}: {detail}")),
            };
            return Err(Failure { error, retryable });
        }
        let mut reader = BufReader::new(response.into_body().into_reader());
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader.read_line(&mut line).map_err(|e| {
                let e = match e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
                    Some(ureq::Error::Timeout(_)) => ureq::Error::Timeout(ureq::Timeout::PerRead),
                    _ => ureq::Error::Io(e),
                };
                self.transport(
                    e,
                    if progress.chunks == 0 {
                        "first token"
                    } else {
                        "stream"
                    },
                    start,
                )
            })?;
            if n == 0 {
                let error = LlmError::Protocol("the stream ended before [DONE]".into());
                return Err(Failure {
                    error,
                    retryable: progress.chunks == 0,
                });
            }
            match self.event(line.trim_end(), start, progress, on_token)? {
                Some(finish) => return Ok(finish),
                None => continue,
            }
        }
    }

    /// One SSE line: `Some(finish)` when the generation is over.
    fn event(
        &self,
        line: &str,
        start: Instant,
        progress: &mut Progress,
        on_token: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Option<Finish>, Failure> {
        let Some(data) = line.strip_prefix("data:").map(str::trim) else {
            return Ok(None); // blank separators, comments, `event:` lines
        };
        if data == "[DONE]" {
            return Ok(Some(Finish::Stop));
        }
        let protocol = |m: String| Failure {
            error: LlmError::Protocol(m),
            retryable: false,
        };
        let v: Value =
            serde_json::from_str(data).map_err(|e| protocol(format!("bad SSE JSON: {e}")))?;
        if let Some(err) = v.get("error") {
            return Err(protocol(format!("server error: {err}")));
        }
        if let Some(usage) = v.get("usage").filter(|u| u.is_object()) {
            progress.usage = Some(usage.clone());
        }
        progress.chunks += 1;
        let choice = &v["choices"][0];
        if let Some(piece) = choice["delta"]["content"]
            .as_str()
            .filter(|p| !p.is_empty())
        {
            progress
                .first_token_ms
                .get_or_insert_with(|| start.elapsed().as_secs_f64() * 1000.0);
            progress.text.push_str(piece);
            if on_token(piece).is_break() {
                return Ok(Some(Finish::Cancelled));
            }
        }
        // A finish_reason is final, but usage may still follow: keep reading to [DONE].
        if choice["finish_reason"].as_str() == Some("length") {
            progress.length = true;
        }
        Ok(None)
    }
}

fn usage_count(usage: Option<&Value>, path: &[&str]) -> Option<usize> {
    let mut v = usage?;
    for key in path {
        v = v.get(key)?;
    }
    v.as_u64().and_then(|n| usize::try_from(n).ok())
}

impl LanguageModel for OpenAiHttp {
    fn name(&self) -> &str {
        &self.name
    }

    fn generate(
        &self,
        req: &GenerateRequest,
        on_token: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, LlmError> {
        let start = Instant::now();
        let body = self.body(req);
        let mut progress = Progress::default();
        let mut attempt = 0;
        let finish = loop {
            match self.attempt(&body, start, &mut progress, on_token) {
                Ok(finish) => break finish,
                Err(f) if f.retryable && progress.text.is_empty() && attempt < self.cfg.retries => {
                    let backoff = Duration::from_millis(100 << attempt.min(4));
                    let left = self.cfg.total_timeout.saturating_sub(start.elapsed());
                    if left <= backoff {
                        return Err(f.error);
                    }
                    tracing::debug!(error = %f.error, attempt, "LLM server attempt failed; retrying");
                    std::thread::sleep(backoff);
                    attempt += 1;
                    progress = Progress::default();
                }
                Err(f) => return Err(f.error),
            }
        };
        let usage = progress.usage.as_ref();
        let finish = match finish {
            Finish::Stop if progress.length => Finish::Length,
            f => f,
        };
        let total_ms = start.elapsed().as_secs_f64() * 1000.0;
        Ok(Generation {
            completion_tokens: usage_count(usage, &["completion_tokens"])
                .unwrap_or(progress.chunks),
            prompt_tokens: usage_count(usage, &["prompt_tokens"]).unwrap_or(0),
            cached_tokens: usage_count(usage, &["prompt_tokens_details", "cached_tokens"])
                .unwrap_or(0),
            text: progress.text,
            finish,
            first_token_ms: progress.first_token_ms.unwrap_or(total_ms),
            total_ms,
        })
    }
}

#[cfg(test)]
#[path = "openai_tests.rs"]
mod tests;
