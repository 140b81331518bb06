//! A directory-backed knowledge base: refresh, bad files, the live document API, the watcher.

use std::time::{Duration, Instant};

use std::sync::Arc;

use super::*;

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
    assert_eq!(kb.problems(), r.failed);
    // Fixed: indexed again, and no longer a problem.
    write(
        dir.path(),
        "returns.md",
        &RETURNS.replace("5 business", "6 business"),
    );
    let r = kb.refresh().expect("refresh");
    assert_eq!((r.changed.len(), r.failed.len()), (1, 0));
    assert!(kb.problems().is_empty());
    assert!(top(&kb, "refund").chunk.text.contains("6 business days"));
}

#[test]
fn an_old_broken_file_is_not_read_again_until_it_changes() {
    let Some(e) = embedder("an_old_broken_file") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("broken.md");
    std::fs::write(&path, b"\xff\xfe").expect("write");
    // Old enough for its stamp to be trusted.
    let old = std::time::SystemTime::now() - Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(old))
        .expect("set mtime");
    let mut kb = KnowledgeBase::open(dir.path(), e).expect("open");
    assert_eq!(kb.problems().len(), 1);
    assert!(kb.refresh().expect("refresh").failed.is_empty());
    assert_eq!(kb.problems().len(), 1);
    std::fs::remove_file(&path).expect("rm");
    kb.refresh().expect("refresh");
    assert!(kb.problems().is_empty());
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
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("warranty.md"))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "a document written through the API is private"
    );
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

#[test]
fn a_disk_cache_spares_embedding_on_the_next_open() {
    let Some(plain) = embedder("a_disk_cache") else {
        return;
    };
    let models = crate::models::Models::locate(super::models_dir()).expect("models");
    let tmp = tempfile::tempdir().expect("tmp");
    let cache = tmp.path().join("cache/embeddings.bin");
    let kb_dir = tmp.path().join("kb");
    std::fs::create_dir(&kb_dir).expect("mkdir");
    write(&kb_dir, "returns.md", RETURNS);
    let load = || {
        Arc::new(
            Embedder::from_models(&models)
                .expect("load")
                .with_cache_file(&cache),
        )
    };
    let mut kb = KnowledgeBase::open(&kb_dir, load()).expect("open");
    assert_eq!(kb.embedder().texts_embedded(), 2);
    assert!(cache.is_file());
    write(
        &kb_dir,
        "returns.md",
        &RETURNS.replace("5 business", "9 business"),
    );
    assert_eq!(kb.refresh().expect("refresh").embedded, 1);
    assert_eq!(kb.embedder().texts_embedded(), 3);
    // A new process: every chunk text is in the cache, and the vectors are the model's.
    let again = KnowledgeBase::open(&kb_dir, load()).expect("reopen");
    assert_eq!(again.embedder().texts_embedded(), 0);
    let hit = top(&again, "refund timeline");
    assert!(hit.chunk.text.contains("9 business"));
    let fresh = KnowledgeBase::open(&kb_dir, plain).expect("open without cache");
    let want = top(&fresh, "refund timeline");
    assert_eq!(want.chunk.id, hit.chunk.id);
    assert!(
        (want.semantic - hit.semantic).abs() < 1e-5,
        "{want:?} {hit:?}"
    );
}
