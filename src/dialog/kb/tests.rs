//! Tests with the real MiniLM model from `$VOXGATE_MODELS` or `~/.cache/voxgate/models`
//! (skipped with a SKIPPED line when it is absent, unless `CI=true`).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::*;

fn models_dir() -> PathBuf {
    std::env::var_os("VOXGATE_MODELS")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
            home.join(".cache/voxgate/models")
        })
}

/// The shared embedder, or `None` (test skipped) when the model is not installed.
fn embedder(test: &str) -> Option<Arc<Embedder>> {
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

const RETURNS: &str = "# Returns\n\nYou can return any item within 30 days of delivery.\n\n## Refund timeline\n\nRefunds are paid to the original card within 5 business days after the parcel arrives at our warehouse.\n";
const SHIPPING: &str = "# Shipping\n\n## Countries\n\nWe ship to 30 countries in Europe.\n\n## Cost\n\nStandard shipping costs 4.90 euros; orders over 50 euros ship free.\n";
const HOURS: &str = "Q: When is the support line open?\nA: Monday to Friday, 8:00 to 18:00.\n\nQ: Can I reach you on Sunday?\nA: No, the line is closed at weekends.\n";

fn demo(e: &Arc<Embedder>) -> KnowledgeBase {
    let docs = [
        ("returns.md", RETURNS),
        ("shipping.md", SHIPPING),
        ("hours.txt", HOURS),
    ];
    KnowledgeBase::from_documents(&docs, Arc::clone(e)).expect("index")
}

fn top(kb: &KnowledgeBase, q: &str) -> Hit {
    kb.search(q, 3).into_iter().next().expect("a hit")
}

#[test]
fn embeddings_are_normalised_and_similar_texts_are_closer() {
    let Some(e) = embedder("embeddings_are_normalised") else {
        return;
    };
    let v = e
        .embed(&[
            "The cat sits on the mat.",
            "A kitten is sitting on a rug.",
            "Quarterly tax filing deadline",
        ])
        .expect("embed");
    assert_eq!(v.len(), 3);
    assert_eq!(v[0].len(), 384);
    for x in &v {
        let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    }
    let near = embed::cosine(&v[0], &v[1]);
    let far = embed::cosine(&v[0], &v[2]);
    assert!(near > far + 0.2, "near {near} far {far}");
    // Batched and single embeddings agree (padding is masked out).
    let single = e.embed(&["The cat sits on the mat."]).expect("embed");
    assert!(embed::cosine(&single[0], &v[0]) > 0.9999);
    assert!(e.embed(&[]).expect("none").is_empty());
}

#[test]
fn search_finds_the_section_by_words_and_cites_it() {
    let Some(e) = embedder("search_finds_the_section") else {
        return;
    };
    let kb = demo(&e);
    assert_eq!(kb.chunks(), 6);
    let hit = top(&kb, "How long does the refund take?");
    assert_eq!(hit.chunk.id, "returns.md#refund-timeline");
    // "long" and "take" are not in the chunk: a third of the query's terms, twice.
    assert!(hit.lexical > 0.2 && hit.semantic > 0.5, "{hit:?}");
    assert_eq!(
        top(&kb, "how much is shipping").chunk.id,
        "shipping.md#cost"
    );
    assert_eq!(
        top(&kb, "can I call you on a Sunday").chunk.id,
        "hours.txt#can-i-reach-you-on-sunday"
    );
    let hits = kb.search("refund", 2);
    assert_eq!(hits.len(), 2);
    assert!(hits[0].score >= hits[1].score);
}

#[test]
fn a_paraphrase_is_found_by_meaning_not_words() {
    let Some(e) = embedder("a_paraphrase_is_found") else {
        return;
    };
    let kb = demo(&e);
    // No content word in common with "We ship to 30 countries in Europe".
    let q = "Do you deliver abroad to other nations?";
    let hit = top(&kb, q);
    assert_eq!(hit.chunk.id, "shipping.md#countries", "{hit:?}");
    assert_eq!(hit.lexical, 0.0);
    assert!(hit.semantic > 0.3, "{hit:?}");
}

#[test]
fn unrelated_questions_score_low() {
    let Some(e) = embedder("unrelated_questions_score_low") else {
        return;
    };
    let kb = demo(&e);
    let hit = top(&kb, "What is the capital of Mongolia?");
    assert_eq!(hit.lexical, 0.0);
    assert!(hit.semantic < 0.3, "{hit:?}");
}

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

#[test]
fn refresh_sees_edits_additions_removals_and_embeds_only_new_text() {
    let Some(e) = embedder("refresh_sees_edits") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "returns.md", RETURNS);
    write(dir.path(), "shipping.md", SHIPPING);
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    write(dir.path(), ".git/ignored.md", "# Hidden\nsecret");
    write(dir.path(), "draft.md.tmp", "# Draft\nnot yet");
    write(dir.path(), "image.png", "not text");
    let mut kb = KnowledgeBase::open(dir.path(), Arc::clone(&e)).expect("open");
    let names: Vec<String> = kb.documents().into_iter().map(|d| d.name).collect();
    assert_eq!(names, ["returns.md", "shipping.md"]);
    assert_eq!(kb.chunks(), 4);
    assert!(kb.refresh().expect("refresh").is_unchanged());

    let edited = RETURNS.replace("5 business days", "12 business days");
    write(dir.path(), "returns.md", &edited);
    std::fs::remove_file(dir.path().join("shipping.md")).expect("rm");
    std::fs::create_dir(dir.path().join("faq")).expect("mkdir");
    write(dir.path(), "faq/hours.txt", HOURS);
    let r = kb.refresh().expect("refresh");
    assert_eq!(r.changed, ["returns.md"]);
    assert_eq!(r.removed, ["shipping.md"]);
    assert_eq!(r.added, ["faq/hours.txt"]);
    // The unchanged "Returns" section came from the cache: 1 edited + 2 Q/A chunks.
    assert_eq!(r.embedded, 3);
    assert!(
        kb.search("shipping cost", 10)
            .iter()
            .all(|h| h.chunk.file != "shipping.md")
    );
    let hit = top(&kb, "how long does a refund take");
    assert!(hit.chunk.text.contains("12 business days"), "{hit:?}");
    assert_eq!(kb.chunks(), 4);
}

#[test]
fn a_bad_file_keeps_its_old_version() {
    let Some(e) = embedder("a_bad_file_keeps") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "returns.md", RETURNS);
    let mut kb = KnowledgeBase::open(dir.path(), Arc::clone(&e)).expect("open");
    std::fs::write(dir.path().join("returns.md"), b"# Returns\n\xff\xfe broken").expect("write");
    let r = kb.refresh().expect("refresh");
    assert_eq!(r.failed.len(), 1);
    assert_eq!(r.failed[0].file, "returns.md");
    assert!(r.failed[0].reason.contains("returns.md"), "{:?}", r.failed);
    assert!(top(&kb, "refund").chunk.text.contains("5 business days"));
}

#[test]
fn open_refuses_a_missing_directory() {
    let Some(e) = embedder("open_refuses") else {
        return;
    };
    let err = KnowledgeBase::open(std::path::Path::new("/nonexistent/kb"), e).expect_err("no dir");
    assert!(matches!(err, KbError::NotADirectory { .. }), "{err}");
}

#[test]
fn put_and_remove_documents_through_the_live_api() {
    let Some(e) = embedder("put_and_remove_documents") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "returns.md", RETURNS);
    let live = LiveKnowledge::new(KnowledgeBase::open(dir.path(), e).expect("open"));
    for bad in ["../x.md", "/etc/passwd.md", "a/../../x.md", "x.sh", ".x.md"] {
        let err = live.put_document(bad, "# X\ntext").expect_err(bad);
        assert!(matches!(err, KbError::BadName { .. }), "{bad}: {err}");
    }
    assert!(!dir.path().parent().expect("parent").join("x.md").exists());
    assert!(matches!(
        live.put_document("empty.md", "# Only a heading\n"),
        Err(KbError::Empty { .. })
    ));

    let r = live
        .put_document(
            "warranty.md",
            "# Warranty\nEvery kettle has a 3 year warranty.\n",
        )
        .expect("put");
    assert_eq!(r.added, ["warranty.md"]);
    assert!(dir.path().join("warranty.md").is_file());
    let hit = live.search("how many years of warranty on a kettle", 1);
    assert_eq!(hit[0].chunk.id, "warranty.md#warranty");
    let r = live
        .put_document(
            "warranty.md",
            "# Warranty\nEvery kettle has a 4 year warranty.\n",
        )
        .expect("replace");
    assert_eq!(r.changed, ["warranty.md"]);
    assert!(
        live.search("kettle warranty years", 1)[0]
            .chunk
            .text
            .contains("4 year")
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");

    assert!(live.remove_document("warranty.md").expect("rm"));
    assert!(!live.remove_document("warranty.md").expect("rm again"));
    assert!(
        live.search("kettle warranty", 5)
            .iter()
            .all(|h| h.chunk.file != "warranty.md")
    );
    assert_eq!(live.documents().len(), 1);
}

#[test]
fn in_memory_live_knowledge_accepts_documents_too() {
    let Some(e) = embedder("in_memory_live_knowledge") else {
        return;
    };
    let live = LiveKnowledge::new(demo(&e));
    assert!(live.dir().is_none());
    live.put_document("extra.md", "# Parking\nFree parking behind the store.")
        .expect("put");
    assert_eq!(
        live.search("where can I park", 1)[0].chunk.id,
        "extra.md#parking"
    );
    assert!(live.remove_document("extra.md").expect("rm"));
    assert_eq!(live.documents().len(), 3);
}

#[test]
fn the_watcher_sees_an_edit_within_two_seconds_and_stops_on_drop() {
    let Some(e) = embedder("the_watcher_sees_an_edit") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "returns.md", RETURNS);
    let live = LiveKnowledge::new(KnowledgeBase::open(dir.path(), e).expect("open"));
    let watcher = live.spawn_watcher(Duration::from_millis(250));
    write(
        dir.path(),
        "returns.md",
        &RETURNS.replace("within 30 days", "within 45 days"),
    );
    let start = Instant::now();
    let seen = loop {
        let hit = live.search("how many days do I have to return an item", 1);
        if hit
            .first()
            .is_some_and(|h| h.chunk.text.contains("45 days"))
        {
            break true;
        }
        if start.elapsed() > Duration::from_secs(2) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(seen, "the edit was not live within 2 s");
    drop(watcher);
    write(
        dir.path(),
        "later.md",
        "# Later\nadded after the watcher stopped",
    );
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        live.documents().len(),
        1,
        "the watcher kept running after drop"
    );
}

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
