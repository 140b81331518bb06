//! `[flows]`: where operator flows live, which number runs which flow, and the queues flows
//! may name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Deserialize;

/// `[flows]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowsConfig {
    /// A directory of flow files (`*.yaml`); relative paths are under the data directory.
    /// Unset: the bundled demo flow.
    pub dir: Option<PathBuf>,
    /// Dialled number or user (Request-URI user part) → flow name.
    pub numbers: BTreeMap<String, String>,
    /// The flow for numbers not in `numbers`.
    pub default_flow: String,
    /// The queues flows may transfer to.
    pub queues: Vec<String>,
}

impl Default for FlowsConfig {
    fn default() -> Self {
        FlowsConfig {
            dir: None,
            numbers: BTreeMap::new(),
            default_flow: "demo".into(),
            queues: vec!["support".into()],
        }
    }
}

impl FlowsConfig {
    /// What flows may refer to outside themselves.
    pub fn known(&self) -> crate::flows::Known {
        // One knowledge base for now: the agent's (`default`).
        let kbs: BTreeSet<String> = ["default".to_string()].into();
        crate::flows::Known {
            kbs: Some(kbs),
            queues: Some(self.queues.iter().cloned().collect()),
            flows: None,
            prompt_dir: None,
        }
    }

    /// Checks names; the error says which field.
    pub fn validate(&self) -> Result<(), String> {
        let names = std::iter::once(("flows.default_flow", &self.default_flow))
            .chain(self.numbers.values().map(|v| ("flows.numbers", v)))
            .chain(self.queues.iter().map(|q| ("flows.queues", q)));
        for (field, name) in names {
            if !crate::flows::valid_name(name) {
                return Err(format!(
                    "{field}: `{name}` is not a name (letters, digits, `_`, `-`, `.`)"
                ));
            }
        }
        Ok(())
    }
}
