//! The flows new calls start on, changed while calls run: a call takes the current set when
//! it is answered and keeps it (a new version applies to new calls; calls in progress finish
//! on theirs). Also which node each call in progress is in, for the API.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use serde::Serialize;

use crate::flows::{FlowSet, Known, Needs};

/// Calls in progress kept at most (beyond, new calls are not listed).
const MAX_LISTED: usize = 10_000;

/// A call in progress, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallView {
    /// The runtime's call number.
    pub call: u64,
    /// The flow it runs.
    pub flow: String,
    /// The node it is in.
    pub node: String,
    /// Since when (ms since the epoch).
    pub since_ms: i64,
    /// How the caller sounded last (neutral, satisfied, frustrated, angry, anxious, sad).
    pub emotion: Option<&'static str>,
    /// Where their mood is heading (steady, worsening, improving).
    pub emotion_trend: Option<&'static str>,
}

/// The live flows (cheap to clone).
#[derive(Debug, Clone)]
pub struct LiveFlows {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    current: RwLock<Arc<FlowSet>>,
    known: Known,
    can: Needs,
    calls: Mutex<BTreeMap<u64, CallView>>,
}

impl LiveFlows {
    /// Starts with `set`; changes are checked against `known`, and may need no more than
    /// what the gateway started (`can`).
    pub fn new(set: FlowSet, known: Known, can: Needs) -> LiveFlows {
        LiveFlows {
            inner: Arc::new(Inner {
                current: RwLock::new(Arc::new(set)),
                known,
                can,
                calls: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    /// The flows a call answered now starts on.
    pub fn current(&self) -> Arc<FlowSet> {
        Arc::clone(
            &self
                .inner
                .current
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// New calls start on `set` from now on.
    pub fn replace(&self, set: FlowSet) {
        *self
            .inner
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(set);
    }

    /// What flows may refer to outside themselves.
    pub fn known(&self) -> &Known {
        &self.inner.known
    }

    /// What this gateway started with (the AI agent, speech recognition, the voice).
    pub fn can(&self) -> Needs {
        self.inner.can
    }

    /// Call `call` entered `node` of `flow`.
    pub fn entered(&self, call: u64, flow: &str, node: &str) {
        let mut calls = self
            .inner
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if calls.len() >= MAX_LISTED && !calls.contains_key(&call) {
            return;
        }
        let since_ms = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let felt = calls.get(&call).map(|c| (c.emotion, c.emotion_trend));
        let (emotion, emotion_trend) = felt.unwrap_or_default();
        calls.insert(
            call,
            CallView {
                call,
                flow: flow.to_string(),
                node: node.to_string(),
                since_ms,
                emotion,
                emotion_trend,
            },
        );
    }

    /// Call `call`'s caller sounded `label` last, their mood heading `trend`.
    pub fn felt(&self, call: u64, label: &'static str, trend: &'static str) {
        let mut calls = self
            .inner
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = calls.get_mut(&call) {
            c.emotion = Some(label);
            c.emotion_trend = Some(trend);
        }
    }

    /// Call `call` ended.
    pub fn ended(&self, call: u64) {
        self.inner
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&call);
    }

    /// The calls in progress, by call number.
    pub fn calls(&self) -> Vec<CallView> {
        let calls = self
            .inner
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        calls.values().cloned().collect()
    }
}
