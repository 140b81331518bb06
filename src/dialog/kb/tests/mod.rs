//! Tests with the real MiniLM model from `$VOXGATE_MODELS` or `~/.cache/voxgate/models`
//! (skipped with a SKIPPED line when it is absent, unless `CI=true`).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::*;

mod files;
mod measure;
mod search;

fn models_dir() -> PathBuf {
    crate::models::shared_models_dir()
}

/// The shared embedder, or `None` (test skipped) when the model is not installed.
pub(super) fn embedder(test: &str) -> Option<Arc<Embedder>> {
    static EMBEDDER: OnceLock<Option<Arc<Embedder>>> = OnceLock::new();
    let e = EMBEDDER.get_or_init(|| {
        let models = crate::models::Models::locate(models_dir()).ok()?;
        match Embedder::from_models(&models) {
            Ok(e) => Some(Arc::new(e)),
            Err(e) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "MiniLM missing under CI=true: {e}"
                );
                eprintln!("model: {e}");
                None
            }
        }
    });
    if e.is_none() {
        println!(
            "SKIPPED {test}: all-MiniLM-L6-v2 not installed (voxgate models fetch minilm-l6-v2)"
        );
    }
    e.clone()
}

pub(super) const RETURNS: &str = "# Returns\n\nYou can return any item within 30 days of delivery.\n\n## Refund timeline\n\nRefunds are paid to the original card within 5 business days after the parcel arrives at our warehouse.\n";
pub(super) const SHIPPING: &str = "# Shipping\n\n## Countries\n\nWe ship to 30 countries in Europe.\n\n## Cost\n\nStandard shipping costs 4.90 euros; orders over 50 euros ship free.\n";
pub(super) const HOURS: &str = "Q: When is the support line open?\nA: Monday to Friday, 8:00 to 18:00.\n\nQ: Can I reach you on Sunday?\nA: No, the line is closed at weekends.\n";

pub(super) fn demo(e: &Arc<Embedder>) -> KnowledgeBase {
    let docs = [
        ("returns.md", RETURNS),
        ("shipping.md", SHIPPING),
        ("hours.txt", HOURS),
    ];
    KnowledgeBase::from_documents(&docs, Arc::clone(e)).expect("index")
}

pub(super) fn top(kb: &KnowledgeBase, q: &str) -> Hit {
    kb.search(q, 3).into_iter().next().expect("a hit")
}
