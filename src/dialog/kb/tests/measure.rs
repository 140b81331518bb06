//! Figures (ignored tests, run by hand): index and query times, retrieval on the demo set.

use std::path::PathBuf;
use std::time::Instant;

use std::sync::Arc;

use super::*;

/// Figures for the report: `cargo test --lib dialog::kb::tests::measure -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_index_and_query_time() {
    let Some(e) = embedder("measure") else {
        return;
    };
    let mut docs = Vec::new();
    for i in 0..20 {
        docs.push((
            format!("doc{i}.md"),
            format!("# Topic {i}\n\n## Policy {i}\nItem {i} can be returned within {i} days if unused and in its box.\n\n## Price {i}\nItem {i} costs {i}9 euros including tax and delivery to the door.\n\n## Care {i}\nClean item {i} with a soft cloth; never put it in the dishwasher or the oven.\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = docs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let t = Instant::now();
    let kb = KnowledgeBase::from_documents(&refs, Arc::clone(&e)).expect("index");
    let build = t.elapsed();
    let mut times = Vec::new();
    let mut embeds = Vec::new();
    for q in [
        "how long can I return item 7",
        "what does item 3 cost",
        "can I wash it in the dishwasher",
        "is delivery included",
        "refund window",
        "price with tax",
    ] {
        let t = Instant::now();
        let v = e.embed(&[q]).expect("embed");
        embeds.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let _ = kb.search_with(q, v.first().map(Vec::as_slice), 5);
        let score = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let _ = kb.search(q, 5);
        times.push((t.elapsed().as_secs_f64() * 1e3, score));
    }
    println!(
        "index build: {} chunks in {:.0} ms",
        kb.chunks(),
        build.as_secs_f64() * 1e3
    );
    println!("query embed ms: {embeds:.1?}");
    println!("search (embed+score) ms, score-only ms: {times:.2?}");
}

fn normalise(text: &str) -> String {
    let mapped: String = text
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '@' || c == '.' {
                c
            } else {
                ' '
            }
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Retrieval quality on the demo KB and the agent's question set: `cargo test --lib
/// dialog::kb::tests::retrieval -- --ignored --nocapture`. Ignored because both files belong to
/// the agent and change; it prints recall@1/@3 and the score ranges the agent's thresholds use.
#[test]
#[ignore]
fn retrieval_on_the_demo_questions() {
    let Some(e) = embedder("retrieval") else {
        return;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let t = Instant::now();
    let kb = KnowledgeBase::open(&root.join("kb/demo"), e).expect("open demo kb");
    println!(
        "demo kb opened: {} chunks in {:.0} ms",
        kb.chunks(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let text = std::fs::read_to_string(root.join("tests/data/ask-questions.toml")).expect("read");
    let set: toml::Table = toml::from_str(&text).expect("toml");
    let empty = Vec::new();
    let answerable = set
        .get("answerable")
        .and_then(|v| v.as_array())
        .unwrap_or(&empty);
    let (mut at1, mut at3) = (0, 0);
    let mut sem_ok = Vec::new();
    for item in answerable {
        let q = item.get("q").and_then(|v| v.as_str()).expect("q");
        let facts: Vec<String> = item
            .get("fact")
            .and_then(|v| v.as_array())
            .expect("fact")
            .iter()
            .filter_map(|f| f.as_str().map(normalise))
            .collect();
        let hits = kb.search(q, 3);
        let has = |h: &Hit| {
            facts
                .iter()
                .any(|f| normalise(&h.chunk.text).contains(f.as_str()))
        };
        let rank = hits.iter().position(has);
        at1 += usize::from(rank == Some(0));
        at3 += usize::from(rank.is_some());
        if let Some(h) = hits.first() {
            sem_ok.push(h.semantic);
        }
        if rank != Some(0) {
            let top = hits
                .first()
                .map(|h| (h.chunk.id.as_str(), h.semantic, h.lexical));
            println!("miss@1 (rank {rank:?}): {q} → {top:?}");
        }
    }
    let handoff = set
        .get("handoff")
        .and_then(|v| v.as_array())
        .unwrap_or(&empty);
    let mut sem_off = Vec::new();
    for item in handoff {
        let q = item.get("q").and_then(|v| v.as_str()).expect("q");
        if let Some(h) = kb.search(q, 1).first() {
            sem_off.push(h.semantic);
            println!(
                "handoff q: {q} → {} sem {:.2} lex {:.2}",
                h.chunk.id, h.semantic, h.lexical
            );
        }
    }
    sem_ok.sort_by(f32::total_cmp);
    sem_off.sort_by(f32::total_cmp);
    let n = answerable.len();
    println!(
        "{} chunks; answerable {n}: recall@1 {at1}/{n}, recall@3 {at3}/{n}",
        kb.chunks()
    );
    println!("top semantic, answerable: {sem_ok:.2?}");
    println!("top semantic, must-hand-off: {sem_off:.2?}");
}

/// Opening the demo KB cold and with a warm disk cache: `cargo test --lib
/// dialog::kb::tests::measure::open_with -- --ignored --nocapture`.
#[test]
#[ignore]
fn open_with_a_warm_disk_cache() {
    let Some(_) = embedder("open_with_a_warm_disk_cache") else {
        return;
    };
    let models = crate::models::Models::locate(super::models_dir()).expect("models");
    let tmp = tempfile::tempdir().expect("tmp");
    let cache = tmp.path().join("embeddings.bin");
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("kb/demo");
    for run in ["cold", "warm"] {
        let t = Instant::now();
        let e = Embedder::from_models(&models)
            .expect("load")
            .with_cache_file(&cache);
        let loaded = t.elapsed().as_secs_f64() * 1e3;
        let kb = KnowledgeBase::open(&demo, Arc::new(e)).expect("open");
        let total = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{run}: model load {loaded:.0} ms, open {} chunks {:.0} ms (embedded {})",
            kb.chunks(),
            total - loaded,
            kb.embedder().texts_embedded()
        );
    }
}
