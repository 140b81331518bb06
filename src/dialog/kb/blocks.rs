//! A section body's Markdown blocks, rendered so that each fact stands on its own as a
//! sentence: paragraphs as written; list items one sentence each, with the sentence that
//! introduces the list ("We cannot store: paint."); table rows as facts that carry their row
//! label and column headers ("Small, per month: £48."). Pure text processing.
//!
//! Why: retrieval and quoting work on sentences. A list of items without full stops is one
//! run-on "sentence", and a table row alone ("| Small | £12 | £48 |") says neither what it is
//! nor which number is which, so a question about the monthly price found the weekly one or
//! nothing at all.

use crate::dialog::words::upper_first;

/// A paragraph of prose (lists rendered into sentences), or one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    Para { line: usize, text: String },
    Table(Table),
}

/// A GitHub-flavoured Markdown table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Table {
    /// The sentence(s) just before the table ("Prices include VAT."), when there is one.
    pub(super) lead_in: Option<String>,
    pub(super) header: Vec<String>,
    /// Each body row with its 1-based line.
    pub(super) rows: Vec<(usize, Vec<String>)>,
    /// What a dash cell means, when the text around the table says ("A dash means the office
    /// is closed that day."): such a cell is then a fact like any other.
    pub(super) dash: Option<String>,
    /// What an empty cell means, likewise ("A blank cell means the plan does not include it.").
    pub(super) blank: Option<String>,
}

/// One rendered table row: its label (the first cell) and its facts as sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RowFacts {
    pub(super) line: usize,
    pub(super) label: String,
    pub(super) sentences: Vec<String>,
}

/// The longest lead-in (in words) a paragraph may be to introduce the list or table after it.
const MAX_LEAD_IN_WORDS: usize = 40;

/// Splits a section body (numbered lines) into blocks.
pub(super) fn parse(lines: &[(usize, &str)]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].1;
        if line.trim().is_empty() {
            i += 1;
        } else if is_table_start(lines, i) {
            let (mut table, next) = read_table(lines, i, lead_in(&out));
            let after = paragraph_after(lines, next);
            let note = |keys: &[&str]| {
                let meaning = |text: &str| cell_meaning(text, keys);
                table
                    .lead_in
                    .as_deref()
                    .and_then(meaning)
                    .or_else(|| meaning(&after))
            };
            let (dash, blank) = (note(DASH), note(BLANK));
            (table.dash, table.blank) = (dash, blank);
            out.push(Block::Table(table));
            i = next;
        } else if list_item(line).is_some() {
            let lead = lead_in(&out);
            // A lead-in ending in a colon is spoken with every item: as a paragraph of its
            // own it would be said twice.
            let mut start = lines[i].0;
            if lead.as_deref().is_some_and(|l| l.trim_end().ends_with(':'))
                && let Some(Block::Para { line, .. }) = out.pop()
            {
                start = line;
            }
            let (text, next) = read_list(lines, i, lead);
            out.push(Block::Para { line: start, text });
            i = next;
        } else {
            let start = i;
            while i < lines.len()
                && !lines[i].1.trim().is_empty()
                && !is_table_start(lines, i)
                && (i == start || list_item(lines[i].1).is_none())
            {
                i += 1;
            }
            let text = lines[start..i]
                .iter()
                .map(|(_, l)| plain(l.trim_end()))
                .collect::<Vec<_>>()
                .join("\n");
            out.push(Block::Para {
                line: lines[start].0,
                text,
            });
        }
    }
    out
}

/// A prose line without emphasis marks (`**bold**`, `*italic*`, `` `code` ``) or link
/// targets (`[text](url)` → text): they are read out as they stand by a voice, and copied by
/// the model.
fn plain(line: &str) -> String {
    let line = links(line);
    let line = line.replace("**", "").replace("__", "").replace('`', "");
    line.split(' ')
        .map(|w| match w.trim_matches('*') {
            "" => w,
            bare => bare,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The paragraph just before a list or table when it is short enough to introduce it.
fn lead_in(before: &[Block]) -> Option<String> {
    match before.last() {
        Some(Block::Para { text, .. })
            if text.split_whitespace().count() <= MAX_LEAD_IN_WORDS
                && !text.lines().any(|l| list_item(l).is_some()) =>
        {
            Some(inline(&text.replace('\n', " ")))
        }
        _ => None,
    }
}

/// `- item`, `* item`, `+ item`, `1. item`, `1) item` (≤ 3 spaces in): the item's text and
/// its indent.
fn list_item(line: &str) -> Option<(usize, &str)> {
    let indent = line.len() - line.trim_start().len();
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix(['-', '*', '+'])
        && rest.starts_with([' ', '\t'])
        && !is_rule(t)
    {
        return Some((indent, rest.trim()));
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &t[digits..];
    if (1..=9).contains(&digits)
        && let Some(rest) = rest.strip_prefix(['.', ')'])
        && rest.starts_with([' ', '\t'])
    {
        return Some((indent, rest.trim()));
    }
    None
}

/// `---`, `* * *`: a thematic break, not a list.
fn is_rule(t: &str) -> bool {
    let marks: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3
        && (marks.bytes().all(|b| b == b'-')
            || marks.bytes().all(|b| b == b'*')
            || marks.bytes().all(|b| b == b'_'))
}

/// A list starting at `start`: each item (continuation lines joined) one sentence, nested
/// items introduced by their parent, the whole introduced by `lead`. Returns the text and
/// the index after the list.
fn read_list(lines: &[(usize, &str)], start: usize, lead: Option<String>) -> (String, usize) {
    let mut items: Vec<(usize, String)> = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let line = lines[i].1;
        if line.trim().is_empty() {
            // A blank line ends the list unless another item follows.
            if lines
                .get(i + 1)
                .is_some_and(|(_, l)| list_item(l).is_some())
            {
                i += 1;
                continue;
            }
            break;
        }
        match list_item(line) {
            Some((indent, text)) => items.push((indent, inline(text))),
            None if is_table_start(lines, i) || is_rule(line.trim()) => break,
            None => match items.last_mut() {
                Some((_, text)) => {
                    text.push(' ');
                    text.push_str(&inline(line.trim()));
                }
                None => break,
            },
        }
        i += 1;
    }
    (render_list(&items, lead.as_deref()), i)
}

fn render_list(items: &[(usize, String)], lead: Option<&str>) -> String {
    let intro = lead.and_then(|l| {
        let l = l.trim();
        l.strip_suffix(':').map(|s| s.trim_end().to_string())
    });
    let mut parents: Vec<(usize, String)> = Vec::new();
    let mut out = Vec::new();
    for (indent, text) in items {
        while parents.last().is_some_and(|(i, _)| i >= indent) {
            parents.pop();
        }
        let context = match parents.last() {
            Some((_, p)) => Some(p.trim_end_matches(['.', ':']).to_string()),
            None => intro.clone(),
        };
        out.push(sentence(context.as_deref(), text));
        parents.push((*indent, text.clone()));
    }
    out.join("\n")
}

/// `context: text.` with a capital first letter and one closing mark.
fn sentence(context: Option<&str>, text: &str) -> String {
    let body = text.trim().trim_end_matches([';', ',', ':']);
    let joined = match context {
        Some(c) if !c.is_empty() => format!("{c}: {}", lower_first(body)),
        _ => body.to_string(),
    };
    let mut s = upper_first(&joined);
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// Lower-cases the first letter unless the word looks like a name or acronym (the second
/// letter is uppercase too, or a later word is capitalised too) — "Paint" → "paint", "ID"
/// and "Bristol Harbourside" stay.
fn lower_first(s: &str) -> String {
    let later_capital = s
        .split_whitespace()
        .skip(1)
        .any(|w| w.chars().next().is_some_and(char::is_uppercase));
    if later_capital {
        return s.to_string();
    }
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            let mut out: String = a.to_lowercase().collect();
            out.push_str(&s[a.len_utf8()..]);
            out
        }
        _ => s.to_string(),
    }
}

/// Inline Markdown removed: `**bold**`, `*em*`, `` `code` ``, `[text](url)` → text,
/// `<br>` → space, a footnote mark (`Concession\*`, `Closed*`).
fn inline(text: &str) -> String {
    let out = links(text)
        .replace("\\*", "*")
        .replace("<br>", " ")
        .replace("<br/>", " ")
        .replace("<br />", " ");
    out.replace("**", "")
        .replace("__", "")
        .replace('`', "")
        .split_whitespace()
        .map(|w| w.trim_matches('*'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `[text](url)` → text.
fn links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        match after.find("](") {
            Some(close) if !after[..close].contains('[') => {
                let tail = &after[close + 2..];
                match tail.find(')') {
                    Some(end) => {
                        out.push_str(&rest[..open]);
                        out.push_str(&after[..close]);
                        rest = &tail[end + 1..];
                    }
                    None => break,
                }
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The cells of a table line: split at unescaped `|`, outer pipes dropped, trimmed.
fn cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t
        .strip_suffix('|')
        .filter(|s| !s.ends_with('\\'))
        .unwrap_or(t);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|c| inline(c.trim())).collect()
}

/// `|---|:--:|` (or without outer pipes): every cell dashes with optional colons.
fn is_delimiter(line: &str) -> bool {
    if !line.contains('-') || !(line.contains('|') || line.trim().starts_with(':')) {
        return false;
    }
    let cs = cells(line);
    !cs.is_empty()
        && cs.iter().all(|c| {
            let d = c.trim_start_matches(':').trim_end_matches(':');
            !d.is_empty() && d.bytes().all(|b| b == b'-')
        })
}

/// A header row with `|` followed by a delimiter row with as many cells.
fn is_table_start(lines: &[(usize, &str)], i: usize) -> bool {
    let Some(next) = lines.get(i + 1) else {
        return false;
    };
    let head = lines[i].1;
    head.contains('|') && is_delimiter(next.1) && cells(next.1).len() == cells(head).len()
}

fn read_table(lines: &[(usize, &str)], start: usize, lead_in: Option<String>) -> (Table, usize) {
    let header = cells(lines[start].1);
    let width = header.len();
    let mut rows = Vec::new();
    let mut i = start + 2;
    while i < lines.len() && lines[i].1.contains('|') && !lines[i].1.trim().is_empty() {
        let mut row = cells(lines[i].1);
        row.resize(width, String::new());
        rows.push((lines[i].0, row));
        i += 1;
    }
    let table = Table {
        lead_in,
        header,
        rows,
        dash: None,
        blank: None,
    };
    (table, i)
}

/// The paragraph that starts at or after line index `i` (blank lines skipped), as one line.
fn paragraph_after(lines: &[(usize, &str)], i: usize) -> String {
    lines
        .iter()
        .skip(i)
        .skip_while(|(_, l)| l.trim().is_empty())
        .take_while(|(_, l)| !l.trim().is_empty() && !l.contains('|'))
        .map(|(_, l)| l.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a note names a dash cell, and an empty one.
const DASH: &[&str] = &["a dash ", "dashes ", "a hyphen ", "a \"–\" ", "a \"-\" "];
const BLANK: &[&str] = &[
    "a blank cell ",
    "blank cells ",
    "an empty cell ",
    "empty cells ",
    "a blank ",
    "a blank space ",
    "an empty space ",
];
/// How far (in bytes) the verb may follow the cell's name: "a dash or a blank cell means".
const VERB_WITHIN: usize = 24;

/// What a note says a dash in the table means: "A dash means closed." → "closed"; "A dash
/// means the vehicle cannot travel on that route." → "the vehicle cannot travel on that
/// route".
#[cfg(test)]
fn dash_meaning(text: &str) -> Option<String> {
    cell_meaning(text, DASH)
}

/// What a note says a cell named by one of `keys` means ("A dash means closed.", "A blank
/// cell means the plan does not include it.").
fn cell_meaning(text: &str, keys: &[&str]) -> Option<String> {
    // ASCII lowercase keeps every byte offset of `text`.
    let lower = text.to_ascii_lowercase();
    let at = keys
        .iter()
        .find_map(|k| lower.find(k).map(|p| p + k.len()))?;
    let verb_end = ["means that ", "means ", "mean ", "indicates ", "shows "]
        .iter()
        .filter_map(|v| {
            let rest = &lower[at..];
            rest.find(v)
                .filter(|&p| p <= VERB_WITHIN && !rest[..p].contains(['.', ';', ':']))
                .map(|p| at + p + v.len())
        })
        .min()?;
    let meaning: String = text[verb_end..]
        .chars()
        .take_while(|c| !matches!(c, '.' | ';' | ':' | '(' | '\n'))
        .collect();
    let meaning = inline(meaning.trim());
    (!meaning.is_empty() && meaning.split_whitespace().count() <= 12).then_some(meaning)
}

/// Whether a cell is a dash.
fn is_dash(cell: &str) -> bool {
    matches!(cell.trim(), "-" | "–" | "—")
}

/// A cell that states nothing: empty or a dash.
fn is_blank(cell: &str) -> bool {
    matches!(cell.trim(), "" | "-" | "–" | "—" | "n/a" | "N/A")
}

impl Table {
    /// Each row as facts: "label, header: value." for every other filled cell. A row whose
    /// first cell is blank has no label: its facts are "header: value.".
    pub(super) fn row_facts(&self) -> Vec<RowFacts> {
        self.rows
            .iter()
            .filter_map(|(line, row)| {
                let label = row.first().cloned().unwrap_or_default();
                let label = if is_blank(&label) {
                    String::new()
                } else {
                    label
                };
                let sentences: Vec<String> = row
                    .iter()
                    .enumerate()
                    .skip(1)
                    .filter_map(|(j, cell)| match (is_blank(cell), self.noted(cell)) {
                        (true, Some(meaning)) => Some((j, meaning)),
                        (true, None) => None,
                        (false, _) => Some((j, cell.as_str())),
                    })
                    .map(|(j, cell)| self.fact(&label, j, cell))
                    .collect();
                (!sentences.is_empty()).then_some(RowFacts {
                    line: *line,
                    label,
                    sentences,
                })
            })
            .collect()
    }

    /// What the table's note says a dash or an empty `cell` means.
    fn noted(&self, cell: &str) -> Option<&str> {
        if is_dash(cell) {
            self.dash.as_deref()
        } else if cell.trim().is_empty() {
            self.blank.as_deref()
        } else {
            None
        }
    }

    fn fact(&self, label: &str, column: usize, cell: &str) -> String {
        let header = self.header.get(column).map_or("", |h| h.trim());
        let subject = match (label.is_empty(), header.is_empty()) {
            (false, false) => format!("{label}, {}", lower_first(header)),
            (false, true) => label.to_string(),
            (true, false) => header.to_string(),
            (true, true) => String::new(),
        };
        sentence(Some(&subject), cell)
    }
}

#[cfg(test)]
#[path = "blocks_tests.rs"]
mod tests;
