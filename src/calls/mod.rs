//! The call-application layer: what a call does, as an operator's flow. [`flow_logic`] is
//! the [`CallLogic`](crate::telephony::CallLogic) that runs a flow with the shared stages
//! (listen, speak, the AI agent, webhooks, voicemail); [`webhooks`] makes a flow's HTTP
//! requests off the call task; [`voicemail`] records messages. The flow language and its
//! interpreter are [`crate::flows`].

pub mod flow_logic;
pub mod voicemail;
pub mod webhooks;

pub use flow_logic::{FlowCallLogic, FlowServices, factory};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::flows::model::Prompt;
use crate::flows::{self, FlowSet, Known};

/// Prompt files (`play:`) by their name in the flow, decoded to 8 kHz.
pub type PromptFiles = HashMap<String, Arc<[i16]>>;

/// The flows a gateway runs and their prompt files, decoded to 8 kHz: every `*.yaml` of
/// `dir`, or the bundled demo flow when `dir` is `None`. Any error in any file refuses them
/// all; the message lists every problem with its file and line.
pub fn load_flows(
    dir: Option<&Path>,
    known: &Known,
) -> Result<(FlowSet, PromptFiles), String> {
    let Some(dir) = dir else {
        let demo =
            flows::parse(flows::DEMO).map_err(|p| format!("the bundled demo flow: {p:?}"))?;
        return Ok((FlowSet::new([demo]), HashMap::new()));
    };
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
    let mut prompts = HashMap::new();
    for name in set.names() {
        let Some(flow) = set.get(&name) else { continue };
        for node in flow.nodes.values() {
            for p in node.prompts() {
                if let Prompt::Play(file) = p
                    && !prompts.contains_key(file)
                {
                    let decoded = crate::media::Prompt::from_wav_file(&dir.join(file))
                        .map_err(|e| format!("prompt {file} of flow {name}: {e}"))?;
                    prompts.insert(file.clone(), Arc::from(decoded.samples()));
                }
            }
        }
    }
    Ok((set, prompts))
}
