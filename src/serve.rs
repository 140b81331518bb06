//! `voxgate serve`: loads the configuration, sets up logging, runs the telephony runtime
//! until Ctrl-C or SIGTERM, then shuts down gracefully (no new calls; running calls finish
//! until the grace deadline, then are hung up). The edge of the program: errors are anyhow.

use std::sync::Arc;
use std::time::SystemTime;

use anyhow::Context;
use tokio::sync::{mpsc, watch};
use voxgate::api::{self, AgentSlot, ApiState};
use voxgate::calls::webhooks::OwnApi;
use voxgate::config::CallLogic;
use voxgate::config::{Config, Overrides};
use voxgate::dialog::{Agent, DemoEndpoint};
use voxgate::media::{Recordings, SWEEP_INTERVAL};
use voxgate::models::{ModelId, Models};
use voxgate::speech::stt::{SttModel, SttPool};
use voxgate::store::{CallerPolicy, Store, TranscriptMsg, spawn_store_sink, spawn_transcript_sink};
use voxgate::telephony::{self, LogicFactory, logic::factory_for, summary::spawn_jsonl_sink};

use crate::cli::ServeArgs;

/// Summaries queued for the store.
const SUMMARY_QUEUE: usize = 1024;
/// Transcripts queued for the store.
const TRANSCRIPT_QUEUE: usize = 1024;
/// Speech-to-text workers, threads per decode and waiting finals.
/// Two single-threaded workers: measured on 2 cores (benches/speech.rs), they keep up with
/// 8 talking calls, while one worker with 2 threads fell behind with one, because
/// whisper.cpp's threads spin when a core is busy elsewhere.
const STT_WORKERS: usize = 2;
const STT_THREADS: usize = 1;
const STT_QUEUE: usize = 64;

pub(crate) fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let flags = Overrides {
        sip_listen: args.sip_listen,
        http_listen: args.http_listen,
        advertise_ip: args.advertise_ip,
        data_dir: args.data_dir.clone(),
    };
    let config = Config::load(args.config.as_deref(), &flags)?;
    let level: tracing::Level = config.log_level.parse().unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    voxgate::fsutil::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data_dir {}", config.data_dir.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run(config))
}

async fn run(config: Config) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let (sum_tx, sum_rx) = mpsc::channel(SUMMARY_QUEUE);
    let (log_tx, log_rx) = mpsc::channel(SUMMARY_QUEUE);
    let store = open_store(&config)?;
    let stored = spawn_store_sink(store, sum_rx, log_tx);
    let export = config.store.export_jsonl.then(|| config.data_dir.clone());
    let sink = spawn_jsonl_sink(export, log_rx);
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested");
        let _ = stop_tx.send(true);
        wait_for_signal().await;
        tracing::warn!("second signal: exiting now");
        std::process::exit(130);
    });
    // Flows are read before anything slow starts: a broken flow file is named at once.
    let flows = match config.calls.logic {
        CallLogic::Flow | CallLogic::Agent | CallLogic::Transcribe | CallLogic::Demo => {
            Some(start_flows(&config)?)
        }
        CallLogic::Silent | CallLogic::Probe => None,
    };
    let http = bind_http(&config).await;
    // The demo tool calls this gateway's own `/demo/orders` with a per-process token whose
    // role may only do that (never stored; a new one each start).
    let webhook = api::auth::token::generate().context("cannot make the demo tool's token")?;
    let demo = http.as_ref().map(|(_, addr)| DemoEndpoint {
        base: format!("http://{addr}"),
        token: webhook.clone(),
    });
    // Calls need the agent now when a flow has an agent node; otherwise the API starts it
    // on its first use, so a gateway nobody asks does not load the language model.
    let agent_calls = flows.as_ref().is_some_and(|start| start.live.can().agent);
    let agent = if agent_calls {
        let (config, demo) = (config.clone(), demo.clone());
        tokio::task::spawn_blocking(move || start_agent(&config, demo.as_ref()))
            .await
            .unwrap_or_else(|e| Err(format!("the agent start failed: {e}")))
    } else {
        Err(String::from("the AI agent is started by the API"))
    };
    let (phones_tx, phones_rx) = tokio::sync::mpsc::channel(256);
    let events = voxgate::events::Events::new();
    let (book_tx, book_rx) = tokio::sync::mpsc::channel(voxgate::center::PHONE_BOOK);
    let center = start_center(&config, (phones_rx, book_tx), &events)?;
    let api = match http {
        Some((listener, addr)) => {
            let tokens = api_tokens(&config)?;
            tracing::info!(%addr, "HTTP ready");
            let slot = if agent_calls {
                AgentSlot::fixed(agent.clone())
            } else {
                let (config, demo) = (config.clone(), demo.clone());
                AgentSlot::lazy(move || start_agent(&config, demo.as_ref()))
            };
            let mut state = ApiState::build(slot, &config.http, Some(tokens), &webhook);
            if let Some(LiveStart { live, .. }) = &flows {
                let store = open_store(&config)?;
                state = state.with_flows(api::flows::FlowsApi::new(live.clone(), store));
            }
            if let Some(center) = &center {
                state = state.with_center(center.clone());
            }
            state = state.with_events(events.clone());
            let limits = api::server::ConnLimits::new(&config.http);
            Some(tokio::spawn(api::serve_http(
                listener,
                state,
                limits,
                stop_rx.clone(),
            )))
        }
        None => None,
    };
    let recordings = Arc::new(Recordings::new(
        config.data_dir.clone(),
        config.recordings.limits(),
    ));
    sweep_recordings(&recordings).await;
    tokio::spawn(sweep_hourly(Arc::clone(&recordings), stop_rx.clone()));
    let own_api = demo.as_ref().map(|d| OwnApi {
        base: d.base.clone(),
        token: d.token.clone(),
    });
    let (logic, transcripts) = logic_for(
        &config,
        agent.as_ref().map_err(String::as_str),
        &recordings,
        (own_api, flows, center),
        events.clone(),
    )?;
    telephony::serve(&config, logic, sum_tx, (phones_tx, book_rx), stop_rx).await?;
    if let Some(api) = api {
        match api.await {
            Ok(Err(e)) => tracing::warn!(error = %e, "HTTP server failed"),
            Err(e) => tracing::warn!(error = %e, "HTTP server task failed"),
            Ok(Ok(())) => {}
        }
    }
    let _ = stored.await;
    let _ = sink.await;
    if let Some(t) = transcripts {
        // Finals still being recognized are waited for, within the grace time.
        let grace = std::time::Duration::from_secs_f64(config.calls.shutdown_grace_secs.max(1.0));
        if tokio::time::timeout(grace, t).await.is_err() {
            tracing::warn!("transcripts still pending at exit");
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// Deletes the recordings past their retention and measures what is left for the quota.
async fn sweep_recordings(recordings: &Arc<Recordings>) {
    let r = Arc::clone(recordings);
    match tokio::task::spawn_blocking(move || r.sweep(SystemTime::now())).await {
        Ok(Ok(report)) => tracing::info!(
            deleted = report.files,
            kept_mb = report.kept_bytes / 1_000_000,
            "recordings swept"
        ),
        Ok(Err(e)) => tracing::warn!(error = %e, "recordings not swept"),
        Err(e) => tracing::warn!(error = %e, "recordings sweep failed"),
    }
}

/// Sweeps the recordings every `SWEEP_INTERVAL` until shutdown.
async fn sweep_hourly(recordings: Arc<Recordings>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(SWEEP_INTERVAL) => sweep_recordings(&recordings).await,
            _ = stop.changed() => return,
        }
    }
}

/// The call logic `calls.logic` names: the flows (`flow`, and the bundled flows of `agent`,
/// `transcribe` and `demo`) or a test logic of the telephony layer (`silent`, `probe`). The
/// transcript sink's task is returned to be awaited at shutdown.
use voxgate::center::Center;

fn logic_for(
    config: &Config,
    agent: Result<&voxgate::dialog::Agent, &str>,
    recordings: &Arc<Recordings>,
    (own_api, flows, center): (Option<OwnApi>, Option<LiveStart>, Option<Center>),
    events: voxgate::events::Events,
) -> anyhow::Result<(LogicFactory, Option<tokio::task::JoinHandle<()>>)> {
    match flows {
        Some(flows) => flow_logic(
            config,
            agent,
            (own_api, Arc::clone(recordings), center),
            (flows, events),
        ),
        None => Ok((factory_for(config.calls.logic.as_str()), None)),
    }
}

/// Flow calls: the operator's flows (or a bundled flow) with the listening, voice and agent
/// their nodes need (a DTMF-only flow loads no model); refuses to start when a model or the
/// agent is missing, naming `voxgate models fetch`.
fn flow_logic(
    config: &Config,
    agent: Result<&voxgate::dialog::Agent, &str>,
    (own_api, recordings, center): (Option<OwnApi>, Arc<Recordings>, Option<Center>),
    (start, events): (LiveStart, voxgate::events::Events),
) -> anyhow::Result<(LogicFactory, Option<tokio::task::JoinHandle<()>>)> {
    use voxgate::calls::absent::{NoAgent, NoVoice};
    use voxgate::calls::{self, FlowServices, webhooks::Webhooks};
    use voxgate::dialog::voice::{AgentWorkers, RecordSink, Responder, VoiceConfig};
    let live = start.live;
    let names = live.current().names();
    let can = live.can();
    let ai = if can.agent {
        Some(
            agent
                .map_err(|reason| {
                    anyhow::anyhow!("the flows' agent nodes need the AI agent: {reason}")
                })?
                .clone(),
        )
    } else {
        None
    };
    let agent: Arc<dyn Responder> = match &ai {
        Some(a) => Arc::new(a.clone()),
        None => Arc::new(NoAgent),
    };
    let pool = if can.speech {
        Some(stt_pool(config)?)
    } else {
        None
    };
    let tts: Arc<dyn voxgate::dialog::voice::Voice> = if can.voice {
        voice(config)?
    } else {
        Arc::new(NoVoice)
    };
    let voice_cfg = VoiceConfig::new(config.data_dir.clone());
    let workers = AgentWorkers::start(Arc::clone(&agent), voice_cfg.workers, voice_cfg.queue)?;
    let store = open_store(config)?;
    let (tx, rx) = mpsc::channel::<TranscriptMsg>(TRANSCRIPT_QUEUE);
    let export = config.store.export_jsonl.then(|| config.data_dir.clone());
    let sink = spawn_transcript_sink(store, rx, export);
    let (greeting, acknowledgement) = (agent.greeting(), agent.acknowledgement());
    if can.agent {
        voxgate::dialog::voice::warm_cache(
            Arc::clone(&tts),
            vec![acknowledgement.clone(), greeting.clone()],
        );
    }
    let services = FlowServices {
        flows: live,
        numbers: Arc::new(start.numbers),
        default_flow: start.default_flow.clone(),
        prompts: Arc::new(start.prompts),
        pool,
        voice: tts,
        workers: workers.clone(),
        assist: ai.map(|agent| voxgate::calls::human::assist::Assistant { agent, workers }),
        records: RecordSink::start(&config.data_dir, config.store.export_jsonl)?,
        voice_cfg,
        greeting,
        acknowledgement,
        webhooks: Webhooks::new(own_api),
        sink: tx,
        data_dir: config.data_dir.clone(),
        recordings,
        emotion: can.speech.then(|| emotion(config)).flatten(),
        emergency_line: config.agent.emergency_line.trim().to_string(),
        center,
        vip_callers: Arc::new(config.center.vip_callers.iter().cloned().collect()),
        events,
    };
    tracing::info!(flows = ?names, default = %start.default_flow, agent = can.agent, speech = can.speech, voice = can.voice, "calls run flows");
    Ok((calls::factory(services), Some(sink)))
}

/// The contact center: the router's task with the configured agents and those the API
/// added before, fed the agents' phone registrations; it passes agents the API adds on to
/// telephony (`phone_book`) and logs every agent state to the store.
fn start_center(
    config: &Config,
    (phones, phone_book): AgentWires,
    events: &voxgate::events::Events,
) -> anyhow::Result<Option<Center>> {
    let store = open_store(config)?;
    let stored: Vec<_> = store
        .agents()?
        .into_iter()
        .filter(|a| {
            let clash = config.center.agents.iter().any(|c| c.id == a.id);
            if clash {
                tracing::warn!(agent = %a.id, "an agent added through the API is also in the configuration file: the file's is used");
            }
            let stale = a.hashes.as_ref().is_some_and(|h| h.realm != config.sip.realm);
            if stale {
                tracing::warn!(agent = %a.id, "an agent's password was set for another sip.realm: its phone cannot register until the password is set again (PUT /api/v1/agents/ID)");
            }
            !clash
        })
        .map(voxgate::center::AgentEntry::from_stored)
        .collect();
    let (states, states_rx) = tokio::sync::mpsc::channel(voxgate::center::STATE_LOG);
    voxgate::store::spawn_agent_state_sink(store, states_rx);
    let io = voxgate::center::CenterIo {
        phones,
        events: events.clone(),
        states: Some(states),
        phone_book: Some(phone_book),
    };
    let added = stored.len();
    let setup = voxgate::center::CenterSetup {
        config: &config.center,
        queues: &config.flows.queues,
        stored,
        realm: config.sip.realm.clone(),
    };
    let center = Center::start(setup, io).map_err(|e| anyhow::anyhow!("contact center: {e}"))?;
    tracing::info!(
        agents = config.center.agents.len(),
        added,
        queues = config.flows.queues.len() + config.center.queues.len(),
        "contact center ready"
    );
    Ok(Some(center))
}

/// The agents' phones registering (telephony → center) and agents changed through the API
/// (center → telephony).
type AgentWires = (
    tokio::sync::mpsc::Receiver<voxgate::telephony::PhoneEvent>,
    tokio::sync::mpsc::Sender<voxgate::telephony::AgentChange>,
);

/// The emotion reader: the lexicons from the models directory with `[emotion]`'s thresholds.
/// Without them calls go on, unread (a warning names the command that fetches them).
fn emotion(config: &Config) -> Option<voxgate::emotion::Analyzer> {
    use voxgate::emotion::{Analyzer, Lexicons};
    let models = voxgate::models::Models::locate(&config.models_dir).ok()?;
    match Lexicons::load(&models) {
        Ok(lex) => Some(Analyzer::new(Arc::new(lex), config.emotion.clone())),
        Err(e) => {
            tracing::warn!(error = %e, "callers' emotion is not read");
            None
        }
    }
}

/// The live flows, their prompt files and which flow a call runs.
struct LiveStart {
    live: voxgate::calls::LiveFlows,
    prompts: voxgate::calls::PromptFiles,
    default_flow: String,
    numbers: std::collections::HashMap<String, String>,
}

/// Reads and checks the flow files (or the bundled flow of the logic: the demo, `agent`,
/// `transcribe`, `keypad`), records changed files as new versions and takes the active version of each
/// flow from the store; refuses any error with every problem's file and line, and a
/// `[flows]` that names a flow nobody defines.
fn start_flows(config: &Config) -> anyhow::Result<LiveStart> {
    use voxgate::{calls, flows};
    let dir = config.flows.dir.as_ref().map(|d| config.data_dir.join(d));
    let mut known = config.flow_known();
    let (loaded, entry) = match config.calls.logic {
        CallLogic::Agent => (calls::bundled(flows::AGENT), Some("agent")),
        CallLogic::Transcribe => (calls::bundled(flows::TRANSCRIBE), Some("transcribe")),
        CallLogic::Demo => (calls::bundled(flows::KEYPAD), Some("keypad")),
        _ => (calls::load_flows(dir.as_deref(), &known), None),
    };
    let loaded = loaded.map_err(|e| anyhow::anyhow!(e))?;
    let store = open_store(config)?;
    let set = calls::activate(&loaded, &store, &known);
    let (default_flow, numbers) = match entry {
        // A bundled logic's flow answers every number.
        Some(flow) => (flow.to_string(), Default::default()),
        None => {
            let names = set.names();
            let f = &config.flows;
            for flow in std::iter::once(&f.default_flow).chain(f.numbers.values()) {
                anyhow::ensure!(
                    names.contains(flow),
                    "[flows] names flow `{flow}`, which no flow file defines"
                );
            }
            (
                f.default_flow.clone(),
                f.numbers.clone().into_iter().collect(),
            )
        }
    };
    // Flows changed through the API may play files of the flow directory.
    known.prompt_dir = dir;
    // What the flows need is what starts (a DTMF-only flow loads no model).
    let can = set.needs();
    Ok(LiveStart {
        live: calls::LiveFlows::new(set, known, can),
        prompts: loaded.prompts,
        default_flow,
        numbers,
    })
}

/// tiny.en on the shared STT pool.
fn stt_pool(config: &Config) -> anyhow::Result<SttPool> {
    let models = Models::locate(&config.models_dir)?;
    let stt = SttModel::load(&models.require(ModelId::WhisperTinyEn)?)?;
    Ok(SttPool::start(&stt, STT_WORKERS, STT_THREADS, STT_QUEUE)?)
}

/// The Piper voice on its TTS workers.
fn voice(config: &Config) -> anyhow::Result<Arc<dyn voxgate::dialog::voice::Voice>> {
    use voxgate::speech::tts::{TtsConfig, TtsService};
    let models = Models::locate(&config.models_dir)?;
    let tts = TtsService::start(&TtsConfig {
        voice: models.require(ModelId::PiperJoeMedium)?,
        ort_lib: models.require(ModelId::OnnxRuntime)?,
        workers: 1,
        threads: 1,
        queue: 32,
        cache_samples: 8000 * 120,
    })?;
    Ok(Arc::new(tts))
}

/// The API's token store. On an install that never had a token, the first admin token is
/// made, written to `DATA_DIR/admin-token` (0600) and shown once here on stderr — not through
/// the log, so it is never logged again. The file is there for scripts and tests (and for an
/// operator whose stderr went to a journal); delete it once the token is kept elsewhere.
fn api_tokens(config: &Config) -> anyhow::Result<Store> {
    use voxgate::api::auth::token::{self, ADMIN_TOKEN_FILE};
    let store = open_store(config)?;
    if let Some(t) = token::ensure_admin(&store, &config.data_dir)? {
        let file = config.data_dir.join(ADMIN_TOKEN_FILE);
        eprintln!(
            "==== voxgate: first start: the admin API token (shown once; also in {}, mode 0600): {t} ====",
            file.display()
        );
        tracing::info!(file = %file.display(), "first admin API token created");
    }
    Ok(store)
}

/// Binds `http.listen`. A taken port is logged and the gateway goes on without the API:
/// calls matter more than the API.
async fn bind_http(config: &Config) -> Option<(tokio::net::TcpListener, std::net::SocketAddr)> {
    let bound = tokio::net::TcpListener::bind(config.http.listen)
        .await
        .and_then(|l| Ok((l.local_addr()?, l)));
    match bound {
        Ok((addr, listener)) => Some((listener, addr)),
        Err(e) => {
            let addr = config.http.listen;
            tracing::error!(%addr, error = %e, "HTTP API not started: cannot listen");
            None
        }
    }
}

/// The AI agent (with its knowledge base), or why it is not running: the reason is shown to
/// API clients (503), so it names what to do and no path; the full error is logged. Blocking
/// (it loads the models). `demo` is where this gateway's demo order endpoint answers (none
/// without the HTTP API).
fn start_agent(config: &Config, demo: Option<&DemoEndpoint>) -> Result<Agent, String> {
    agent_models(config)
        .inspect_err(|reason| tracing::warn!(%reason, "the AI agent is not running"))?;
    let started = Models::locate(&config.models_dir)
        .map_err(|e| e.to_string())
        .and_then(|models| {
            Agent::start(&config.agent, &config.data_dir, &models, demo).map_err(|e| e.to_string())
        });
    match started {
        Ok(agent) => {
            tracing::info!(llm = agent.llm_name(), "AI agent ready");
            Ok(agent)
        }
        Err(e) => {
            tracing::error!(error = %e, "the AI agent could not start");
            Err(String::from(
                "the AI agent could not start (see the server log); check [agent] and run \
                 `voxgate models fetch`",
            ))
        }
    }
}

/// Checks the models the agent needs are installed; the error says what to fetch.
fn agent_models(config: &Config) -> Result<(), String> {
    let models = Models::locate(&config.models_dir).map_err(|e| {
        tracing::warn!(error = %e, "models manifest");
        String::from("the models manifest cannot be read; see the server log")
    })?;
    let mut needed = vec![ModelId::MiniLmL6V2];
    if config.agent.llm != voxgate::dialog::LlmBackend::Openai {
        needed.push(config.agent.embedded_model.model_id());
    }
    for id in needed {
        if let Err(e) = models.require(id) {
            tracing::warn!(error = %e, "model missing");
            let name = id.as_str();
            return Err(format!(
                "the model {name} is not installed: run `voxgate models fetch {name}`"
            ));
        }
    }
    Ok(())
}

/// A connection to the store of `config.data_dir` (callers' numbers redacted).
fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.data_dir, CallerPolicy::Redact)
        .with_context(|| format!("cannot open the store in {}", config.data_dir.display()))
}

/// Ctrl-C or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
