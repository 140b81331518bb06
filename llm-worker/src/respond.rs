//! One chat completion from request to answer: the prompt's ids, the generation on the
//! engine, and the answer written as it is produced (SSE chunks, then `[DONE]`) or whole.
//! A client that goes away cancels the generation at the next piece of text.

use std::io::{self, Write};
use std::net::TcpStream;
use std::ops::ControlFlow;

use crate::api::{self, ChatRequest, Completion};
use crate::engine::{Engine, Outcome};
use crate::http::{self, EventStream};

/// A checked request and the connection to answer on.
pub(crate) struct Job {
    pub(crate) req: ChatRequest,
    pub(crate) conn: TcpStream,
}

/// Answers `job` on `engine`; I/O errors mean the client is gone and are only logged.
pub(crate) fn respond(engine: &mut Engine<'_>, job: Job, completion: &Completion) {
    let Job { req, mut conn } = job;
    let prompt = engine.prompt(&req.messages);
    let result = match engine.check(&prompt) {
        Err(e) => http::write_json(
            &mut conn,
            400,
            &api::error(&e.to_string(), "invalid_request_error"),
        ),
        Ok(()) if req.stream => stream(engine, &req, &prompt, &mut conn, completion),
        Ok(()) => whole(engine, &req, &prompt, &mut conn, completion),
    };
    if let Err(e) = result {
        eprintln!("voxgate-llm: answer not sent: {e}");
    }
}

fn stream<W: Write>(
    engine: &mut Engine<'_>,
    req: &ChatRequest,
    prompt: &[llama_cpp_2::token::LlamaToken],
    conn: W,
    completion: &Completion,
) -> io::Result<()> {
    let mut events = EventStream::start(conn)?;
    let mut gone = None;
    let outcome = engine.generate(prompt, req.max_tokens, &req.stop, &mut |text| match events
        .event(&completion.delta(text).to_string())
    {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => {
            gone = Some(e);
            ControlFlow::Break(())
        }
    });
    if let Some(e) = gone {
        return Err(e);
    }
    match outcome {
        Ok(Outcome { finish, usage, .. }) => {
            events.event(&completion.finish(finish.as_str()).to_string())?;
            if req.include_usage {
                events.event(&completion.usage(usage).to_string())?;
            }
            events.event("[DONE]")?;
        }
        Err(e) => {
            eprintln!("voxgate-llm: generation failed: {e}");
            events.event(&api::error(&e.to_string(), "server_error").to_string())?;
        }
    }
    events.end()
}

fn whole<W: Write>(
    engine: &mut Engine<'_>,
    req: &ChatRequest,
    prompt: &[llama_cpp_2::token::LlamaToken],
    conn: &mut W,
    completion: &Completion,
) -> io::Result<()> {
    let outcome = engine.generate(prompt, req.max_tokens, &req.stop, &mut |_| {
        ControlFlow::Continue(())
    });
    match outcome {
        Ok(o) => http::write_json(
            conn,
            200,
            &completion.whole(&o.text, o.finish.as_str(), o.usage),
        ),
        Err(e) => http::write_json(conn, 500, &api::error(&e.to_string(), "server_error")),
    }
}
