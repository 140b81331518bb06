//! Embeddings and hybrid search over an in-memory knowledge base.

use super::*;

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

#[test]
fn long_and_empty_texts_embed_and_empty_searches_return_nothing() {
    let Some(e) = embedder("long_and_empty_texts") else {
        return;
    };
    let long = "word ".repeat(2000);
    let v = e.embed(&[long.as_str(), "", "short"]).expect("embed");
    assert!(
        v.iter()
            .all(|x| x.len() == 384 && x.iter().all(|f| f.is_finite()))
    );
    let kb = demo(&e);
    assert!(kb.search("refund", 0).is_empty());
    assert_eq!(kb.search("", 2).len(), 2);
    let empty = KnowledgeBase::from_documents(&[], Arc::clone(&e)).expect("empty");
    assert!(empty.search("refund", 3).is_empty());
    assert_eq!(empty.chunks(), 0);
}
