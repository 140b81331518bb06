use super::*;

fn ids(chunks: &[Chunk]) -> Vec<&str> {
    chunks.iter().map(|c| c.id.as_str()).collect()
}

#[test]
fn headings_make_sections_with_their_path_prepended() {
    let doc = "# Returns\n\nWe take returns.\n\n## Refund timeline\n\nRefunds take 5 days.\n\n## Exchanges ##\nSwap any size.\n";
    let chunks = chunk_document("returns.md", doc);
    assert_eq!(
        ids(&chunks),
        [
            "returns.md#returns",
            "returns.md#refund-timeline",
            "returns.md#exchanges"
        ]
    );
    let refund = &chunks[1];
    assert_eq!(refund.file, "returns.md");
    assert_eq!(refund.section, "Returns > Refund timeline");
    assert_eq!(refund.line, 5);
    assert_eq!(
        refund.text,
        "Returns > Refund timeline\nRefunds take 5 days."
    );
    assert_eq!(chunks[2].section, "Returns > Exchanges");
    assert_eq!(chunks[2].line, 9);
}

#[test]
fn deeper_headings_pop_back_to_their_level() {
    let doc = "# A\n## B\n### C\nc text\n## D\nd text\n# E\ne text\n";
    let chunks = chunk_document("x.md", doc);
    let sections: Vec<&str> = chunks.iter().map(|c| c.section.as_str()).collect();
    assert_eq!(sections, ["A > B > C", "A > D", "E"]);
}

#[test]
fn empty_sections_and_headings_in_code_fences_are_not_sections() {
    let doc = "# Title\n\n## Empty\n\n## Code\n```\n# not a heading\n```\n#hashtag is text\n";
    let chunks = chunk_document("x.md", doc);
    assert_eq!(ids(&chunks), ["x.md#code"]);
    assert!(chunks[0].text.contains("# not a heading"));
    assert!(chunks[0].text.contains("#hashtag is text"));
}

#[test]
fn front_matter_is_skipped_and_lines_still_count() {
    let doc = "---\ntitle: Hours\ntags: [a]\n---\n# Opening hours\nMon-Fri 9-17.\n";
    let chunks = chunk_document("hours.md", doc);
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0].line, 5);
    assert!(!chunks[0].text.contains("title:"));
}

#[test]
fn an_unclosed_front_matter_marker_is_text() {
    let chunks = chunk_document("x.md", "---\nhello there\n");
    assert_eq!(chunks.len(), 1);
    assert!(chunks[0].text.contains("hello there"));
}

#[test]
fn text_before_the_first_heading_and_txt_files_are_named_after_the_file() {
    let chunks = chunk_document("faq/intro.md", "Welcome to Acme.\n# Later\nmore\n");
    assert_eq!(ids(&chunks), ["faq/intro.md#intro", "faq/intro.md#later"]);
    assert_eq!(chunks[0].section, "intro");
    assert_eq!(chunks[0].line, 1);
    let txt = chunk_document("notes.txt", "# not a heading in txt\nplain\n");
    assert_eq!(ids(&txt), ["notes.txt#notes"]);
}

#[test]
fn faq_question_headings_are_sections() {
    let doc = "# FAQ\n## Do you ship abroad?\nYes, to 30 countries.\n";
    let chunks = chunk_document("faq.md", doc);
    assert_eq!(ids(&chunks), ["faq.md#do-you-ship-abroad"]);
    assert_eq!(chunks[0].section, "FAQ > Do you ship abroad?");
}

#[test]
fn q_a_pairs_are_one_chunk_each() {
    let doc = "Q: Can I pay by card?\nA: Yes, Visa and Mastercard.\n\nq: Is there a fee?\nA: No.\nIt is free.\n";
    let chunks = chunk_document("pay.txt", doc);
    assert_eq!(
        ids(&chunks),
        ["pay.txt#can-i-pay-by-card", "pay.txt#is-there-a-fee"]
    );
    assert_eq!(
        chunks[0].text,
        "Can I pay by card?\nYes, Visa and Mastercard."
    );
    assert_eq!(chunks[1].line, 4);
    assert_eq!(chunks[1].text, "Is there a fee?\nNo.\nIt is free.");
    assert_eq!(chunks[1].section, "Is there a fee?");
}

#[test]
fn bold_and_spelled_out_faq_marks_make_pairs_too() {
    let doc = "# FAQ\n\n**Q: Can I pay by card?**\nA: Yes, Visa.\n\n**Question:** Is there a fee?\n**Answer:** No.\n\n**Do you deliver?**\nOnly locally.\n";
    let chunks = chunk_document("faq.md", doc);
    let texts: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "FAQ > Can I pay by card?\nYes, Visa.",
            "FAQ > Is there a fee?\nNo.",
            "FAQ > Do you deliver?\nOnly locally."
        ]
    );
    let prose = chunk_document("p.md", "# Help\n**Need help?** Call us on 0100.\n");
    assert_eq!(prose.len(), 1, "a bold question inside a line is prose");
}

#[test]
fn q_a_pairs_under_a_heading_keep_the_heading_and_the_prose_before() {
    let doc = "# Billing\nWe bill monthly.\n\nQ: When?\nA: On the 1st.\n";
    let chunks = chunk_document("b.md", doc);
    assert_eq!(ids(&chunks), ["b.md#billing", "b.md#when"]);
    assert_eq!(chunks[0].text, "Billing\nWe bill monthly.");
    assert_eq!(chunks[1].section, "Billing > When?");
    assert_eq!(chunks[1].text, "Billing > When?\nOn the 1st.");
    assert_eq!(chunks[1].line, 4);
}

#[test]
fn duplicate_headings_get_numbered_ids() {
    let doc = "# Hours\na\n# Hours\nb\n# Hours!\nc\n";
    let chunks = chunk_document("h.md", doc);
    assert_eq!(ids(&chunks), ["h.md#hours", "h.md#hours-2", "h.md#hours-3"]);
}

#[test]
fn slugs_are_lowercase_with_single_dashes() {
    assert_eq!(slug("Refund timeline"), "refund-timeline");
    assert_eq!(slug("  What's the fee? (EU) "), "what-s-the-fee-eu");
    assert_eq!(slug("Öffnungszeiten 2024"), "öffnungszeiten-2024");
    assert_eq!(slug("???"), "section");
}

fn para(n: usize, word: &str) -> String {
    vec![word; n].join(" ")
}

#[test]
fn long_sections_split_at_paragraphs_and_keep_the_heading() {
    let doc = format!(
        "# Policy\n{}\n\n{}\n\n{}\n",
        para(70, "alpha"),
        para(70, "beta"),
        para(30, "gamma")
    );
    let chunks = chunk_document("p.md", &doc);
    assert_eq!(ids(&chunks), ["p.md#policy", "p.md#policy-p2"]);
    assert_eq!(chunks[0].line, 1);
    assert_eq!(chunks[1].line, 4);
    for c in &chunks {
        assert!(c.text.starts_with("Policy\n"));
        assert!(words(&c.text) <= MAX_WORDS + 1, "{}", c.text);
    }
    assert!(chunks[1].text.contains("beta") && chunks[1].text.contains("gamma"));
    assert!(!chunks[0].text.contains("beta"));
}

#[test]
fn one_huge_paragraph_is_cut_at_sentences_then_words() {
    let sentence = format!("{}.", para(50, "word"));
    let doc = format!(
        "# Long\n{} {} {} {}\n",
        sentence,
        sentence,
        sentence,
        para(300, "run")
    );
    let chunks = chunk_document("l.md", &doc);
    assert!(chunks.len() >= 4, "{}", chunks.len());
    let total: usize = chunks.iter().map(|c| words(&c.text) - 1).sum();
    assert_eq!(total, 450);
    for c in &chunks {
        assert!(words(&c.text) <= MAX_WORDS + 1);
    }
    assert_eq!(chunks[1].id, "l.md#long-p2");
}

#[test]
fn crlf_and_empty_documents() {
    let chunks = chunk_document("w.md", "# A\r\nline\r\n");
    assert_eq!(chunks[0].text, "A\nline");
    assert!(chunk_document("e.md", "").is_empty());
    assert!(chunk_document("e.md", "---\na: b\n---\n# Only\n\n").is_empty());
}

#[test]
fn setext_headings_are_headings_but_rules_and_lists_are_not() {
    let doc = "Returns\n=======\nWithin 30 days.\n\nRefund timeline\n---\n14 days.\n\nSome text\nmore text\n---\n- item\n---\n";
    let chunks = chunk_document("r.md", doc);
    assert_eq!(ids(&chunks), ["r.md#returns", "r.md#refund-timeline"]);
    assert_eq!(chunks[0].line, 1);
    assert_eq!(chunks[1].section, "Returns > Refund timeline");
    assert_eq!(chunks[1].line, 5);
    assert!(
        chunks[1].text.contains("more text\n---\n\nItem.\n\n---"),
        "{}",
        chunks[1].text
    );
    assert_eq!(
        chunk_document("n.txt", "Title\n=====\nbody\n")[0].section,
        "n"
    );
}

#[test]
fn table_rows_are_chunks_that_carry_their_label_headers_and_lead_in() {
    let text = "# Prices\nAll prices include VAT.\n\n| Unit | Per week | Per month |\n|---|---|---|\n| Small | £12 | £48 |\n| Large | £20 | £80 |\n\n- Boxes: £2\n";
    let chunks = chunk_document("p.md", text);
    assert_eq!(
        ids(&chunks),
        ["p.md#prices", "p.md#prices-small", "p.md#prices-large"]
    );
    assert_eq!(
        chunks[0].text,
        "Prices\nAll prices include VAT.\n\nBoxes: £2."
    );
    assert_eq!(chunks[1].section, "Prices > Unit: Small");
    assert_eq!(chunks[1].line, 6);
    assert_eq!(
        chunks[1].text,
        "Prices > Unit: Small (All prices include VAT.)\nSmall, per week: £12. Small, per month: £48."
    );
}
