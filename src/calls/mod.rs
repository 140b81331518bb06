//! The call-application layer: what a call does, as an operator's flow. [`flow_logic`] is
//! the [`CallLogic`](crate::telephony::CallLogic) that runs a flow with the shared stages
//! (listen, speak, the AI agent, webhooks, voicemail); [`webhooks`] makes a flow's HTTP
//! requests off the call task; [`voicemail`] records messages; [`recording`] records whole
//! calls. The flow language and its interpreter are [`crate::flows`].

pub mod absent;
mod flow_human;
pub mod flow_logic;
pub mod human;
pub mod live;
pub mod recording;
pub mod voicemail;
pub mod webhooks;

pub use flow_logic::{FlowCallLogic, FlowServices, factory};
pub use live::{CallView, LiveFlows};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::flows::model::{BUILTIN, Prompt};
use crate::flows::{self, FlowSet, Known};

/// Prompt files (`play:`) by their name in the flow, decoded to 8 kHz.
pub type PromptFiles = HashMap<String, Arc<[i16]>>;

/// Flows read from files or the bundled demo.
#[derive(Debug)]
pub struct Loaded {
    /// The flows.
    pub set: FlowSet,
    /// Their prompt files.
    pub prompts: PromptFiles,
    /// Each flow's name, source text and where it came from (`file:NAME`, `bundled`).
    pub sources: Vec<(String, String, String)>,
}

/// The flows a gateway runs and their prompt files, decoded to 8 kHz: every `*.yaml` of
/// `dir`, or the bundled demo flow when `dir` is `None`. Any error in any file refuses them
/// all; the message lists every problem with its file and line.
pub fn load_flows(dir: Option<&Path>, known: &Known) -> Result<Loaded, String> {
    let Some(dir) = dir else {
        return bundled(flows::DEMO);
    };
    let builtins = builtin_prompts()?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("flows directory {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "flows directory {} has no .yaml files",
            dir.display()
        ));
    }
    let (set, reports) = flows::load_files(&files, known);
    for r in reports.iter().filter(|r| !r.has_errors()) {
        for p in &r.problems {
            tracing::warn!(file = %r.file.display(), "{p}");
        }
    }
    let set = set.ok_or_else(|| {
        let listed: String = reports
            .iter()
            .filter(|r| r.has_errors())
            .map(ToString::to_string)
            .collect();
        format!("flows refused:\n{listed}")
    })?;
    let mut sources = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        if let Ok(flow) = flows::parse(&text) {
            let by = file
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
            sources.push((flow.name, text, format!("file:{by}")));
        }
    }
    let mut prompts = builtins;
    for name in set.names() {
        let Some(flow) = set.get(&name) else { continue };
        for node in flow.nodes.values() {
            for p in node.prompts() {
                if let Prompt::Play(file) = p
                    && !prompts.contains_key(file)
                    && !file.starts_with(BUILTIN)
                {
                    let decoded = crate::media::Prompt::from_wav_file(&dir.join(file))
                        .map_err(|e| format!("prompt {file} of flow {name}: {e}"))?;
                    prompts.insert(file.clone(), Arc::from(decoded.samples()));
                }
            }
        }
    }
    Ok(Loaded {
        set,
        prompts,
        sources,
    })
}

/// A bundled flow ([`flows::DEMO`], [`flows::AGENT`], [`flows::TRANSCRIBE`]).
pub fn bundled(source: &'static str) -> Result<Loaded, String> {
    let flow = flows::parse(source).map_err(|p| format!("a bundled flow: {p:?}"))?;
    let sources = vec![(flow.name.clone(), source.to_string(), "bundled".to_string())];
    Ok(Loaded {
        set: FlowSet::new([flow]),
        prompts: builtin_prompts()?,
        sources,
    })
}

/// The built-in prompts (`play: builtin:NAME`, `spell`), under their `builtin:` names.
fn builtin_prompts() -> Result<PromptFiles, String> {
    let all = crate::media::builtin_prompts()
        .map_err(|e| format!("the built-in prompts cannot be decoded: {e}"))?;
    Ok(all
        .iter()
        .map(|p| (format!("{BUILTIN}{}", p.name()), Arc::from(p.samples())))
        .collect())
}

/// The flows calls start on: the loaded files' text is stored as a new active version when
/// it changed since the last start (so an edited file applies at the next start), then the
/// active version of every flow in the store is used: a version activated through the API
/// stays active across restarts. A stored version that no longer passes the checks (a queue
/// removed from the config) is skipped with a warning, and the file's flow is used.
pub fn activate(loaded: &Loaded, store: &crate::store::Store, known: &Known) -> FlowSet {
    for (name, source, by) in &loaded.sources {
        if let Err(e) = store.import_flow(name, source, by) {
            tracing::warn!(flow = %name, error = %e, "flow version not stored");
        }
    }
    let mut set = loaded.set.clone();
    let active = store.active_flows().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "stored flow versions not read");
        Vec::new()
    });
    for (name, version, source) in active {
        match flows::check_source(&source, &set, known) {
            Ok((flow, _)) if flow.name == name => set = set.with(flow),
            _ => {
                tracing::warn!(flow = %name, version, "stored flow version no longer passes the checks: not used")
            }
        }
    }
    set
}
