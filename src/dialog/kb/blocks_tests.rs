use super::*;

fn numbered(text: &str) -> Vec<(usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect()
}

fn paras(blocks: &[Block]) -> Vec<&str> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Para { text, .. } => Some(text.as_str()),
            Block::Table(_) => None,
        })
        .collect()
}

fn tables(blocks: &[Block]) -> Vec<&Table> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            Block::Para { .. } => None,
        })
        .collect()
}

#[test]
fn list_items_become_sentences_introduced_by_their_lead_in() {
    let text =
        "We cannot store:\n\n- Paint and solvents\n- **Gas** bottles\n* Food;\n1. Anything alive\n";
    let blocks = parse(&numbered(text));
    // The lead-in is said with each item, not again on its own; the list starts on its line.
    assert_eq!(
        paras(&blocks),
        [
            "We cannot store: paint and solvents.\nWe cannot store: gas bottles.\nWe cannot store: food.\nWe cannot store: anything alive."
        ]
    );
    assert!(matches!(blocks[0], Block::Para { line: 1, .. }));
}

#[test]
fn a_list_without_a_colon_lead_in_keeps_its_items_alone() {
    let text = "Packing supplies are sold at reception.\n- Small box — £2.50\n- Tape: £3\n";
    let blocks = parse(&numbered(text));
    assert_eq!(
        paras(&blocks),
        [
            "Packing supplies are sold at reception.",
            "Small box — £2.50.\nTape: £3."
        ]
    );
}

#[test]
fn nested_items_are_introduced_by_their_parent_and_continuations_join() {
    let text =
        "- Van hire:\n  - Half day £35\n  - Full day £55\n- Trolleys are free\n  to borrow\n";
    let blocks = parse(&numbered(text));
    assert_eq!(
        paras(&blocks),
        [
            "Van hire.\nVan hire: half day £35.\nVan hire: full day £55.\nTrolleys are free to borrow."
        ]
    );
}

#[test]
fn a_thematic_break_is_not_a_list() {
    let blocks = parse(&numbered("Text\n\n---\n\n* * *\n"));
    assert_eq!(paras(&blocks), ["Text", "---", "* * *"]);
}

#[test]
fn a_wide_table_row_carries_its_label_and_headers() {
    let text = "Prices include VAT.\n\n| Unit | Per week | Per month | Deposit |\n|:--|--:|:-:|---|\n| Small | £12 | £48 | — |\n| **Large** | £20 | £80 | £40 |\n\nAfter the table.";
    let blocks = parse(&numbered(text));
    let t = tables(&blocks);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].lead_in.as_deref(), Some("Prices include VAT."));
    let rows = t[0].row_facts();
    assert_eq!(rows[0].label, "Small");
    assert_eq!(rows[0].line, 5);
    assert_eq!(
        rows[0].sentences,
        ["Small, per week: £12.", "Small, per month: £48."]
    );
    assert_eq!(
        rows[1].sentences,
        [
            "Large, per week: £20.",
            "Large, per month: £80.",
            "Large, deposit: £40."
        ]
    );
    assert_eq!(paras(&blocks), ["Prices include VAT.", "After the table."]);
}

#[test]
fn a_transposed_table_names_the_column_in_each_fact() {
    let text = "| | Basic | Plus |\n|---|---|---|\n| Monthly price | $20 | $30 |\n| Classes per week | 2 | unlimited |";
    let t = parse(&numbered(text));
    let rows = tables(&t)[0].row_facts();
    assert_eq!(
        rows[0].sentences,
        ["Monthly price, basic: $20.", "Monthly price, plus: $30."]
    );
    assert_eq!(rows[1].sentences[1], "Classes per week, plus: unlimited.");
}

#[test]
fn tables_without_outer_pipes_escaped_pipes_and_short_rows_are_read() {
    let text = "Item | Note\n--- | ---\nA \\| B | first\nC\n";
    let t = parse(&numbered(text));
    let rows = tables(&t)[0].row_facts();
    assert_eq!(rows.len(), 1, "a row with only a label states nothing");
    assert_eq!(rows[0].sentences, ["A | B, note: first."]);
}

#[test]
fn a_pipe_in_prose_without_a_delimiter_row_is_prose() {
    let blocks = parse(&numbered("Open Mon | Tue\nand more"));
    assert!(tables(&blocks).is_empty());
    assert_eq!(paras(&blocks), ["Open Mon | Tue\nand more"]);
}

#[test]
fn links_and_emphasis_are_reduced_to_their_text() {
    assert_eq!(
        inline("See [our page](https://x.example/a) for *more*<br>now"),
        "See our page for more now"
    );
    assert_eq!(inline("[not a link] and [x]"), "[not a link] and [x]");
}

#[test]
fn prose_reads_a_link_as_its_text() {
    let blocks = parse(&numbered(
        "You can leave with one month's **notice**.\n\
         Details are on [our prices page](prices.md).",
    ));
    assert_eq!(
        paras(&blocks),
        ["You can leave with one month's notice.\nDetails are on our prices page."]
    );
}

#[test]
fn a_dash_the_note_explains_is_a_fact() {
    let text = "| | Harbour | Bath |\n|---|---|---|\n| Sunday | 10 am – 1 pm | – |\n\n\
                A dash means the office is closed that day. Parking is free.";
    let blocks = parse(&numbered(text));
    let rows = tables(&blocks)[0].row_facts();
    assert_eq!(
        rows[0].sentences,
        [
            "Sunday, harbour: 10 am – 1 pm.",
            "Sunday, bath: the office is closed that day."
        ]
    );
    assert_eq!(dash_meaning("A dash means closed."), Some("closed".into()));
    // Letters whose lowercase is longer or shorter do not move the cut.
    assert_eq!(
        dash_meaning("İİİ Kelvin K: a dash means ſhut."),
        Some("ſhut".into())
    );
    // Without a note a dash states nothing.
    let bare = parse(&numbered("| Day | Bath |\n|---|---|\n| Sunday | – |"));
    assert!(tables(&bare)[0].row_facts().is_empty());
}

#[test]
fn an_empty_cell_the_note_explains_is_a_fact() {
    let text = "| | Adult Plan | Senior Plan |\n|---|---|---|\n\
                | Yearly blood test | | Included |\n| Neutering | 20% off | – |\n\n\
                A blank cell means the plan does not include it.";
    let blocks = parse(&numbered(text));
    let rows = tables(&blocks)[0].row_facts();
    assert_eq!(
        rows[0].sentences,
        [
            "Yearly blood test, Adult Plan: the plan does not include it.",
            "Yearly blood test, Senior Plan: included."
        ]
    );
    // The note names empty cells only: a dash still states nothing.
    assert_eq!(rows[1].sentences, ["Neutering, Adult Plan: 20% off."]);
    // One note may name both.
    let both = "A dash or a blank cell means closed.";
    assert_eq!(cell_meaning(both, DASH), Some("closed".into()));
    assert_eq!(cell_meaning(both, BLANK), Some("closed".into()));
    // A verb far after the name, or in another sentence, is not its meaning.
    assert_eq!(cell_meaning("A blank cell. It means nothing.", BLANK), None);
}

#[test]
fn prose_loses_its_emphasis_marks() {
    let blocks = parse(&numbered(
        "Check-in **closes 20 minutes before departure**, and *always* on time.\nUse `PIN`.",
    ));
    assert_eq!(
        paras(&blocks),
        ["Check-in closes 20 minutes before departure, and always on time.\nUse PIN."]
    );
}

#[test]
fn a_footnote_mark_is_not_read_out() {
    let text = "| Activity | Standard | Concession\\* |\n|---|---|---|\n| Swim | £5.10 | £3.60* |";
    let rows = tables(&parse(&numbered(text)))[0].row_facts();
    assert_eq!(
        rows[0].sentences,
        ["Swim, standard: £5.10.", "Swim, concession: £3.60."]
    );
}
