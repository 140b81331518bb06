//! Documents → chunks. Pure text processing: no I/O, no models.
//!
//! Markdown (anything but `*.txt`) is split at headings (`#`..`######` or setext, not inside code
//! fences: see `sections.rs`); a chunk is one section's text with its heading path ("Returns >
//! Refund timeline") prepended. Text before the first heading, and whole `*.txt` files, form a
//! section named after the file stem. A leading `---` front-matter block is skipped. Sections
//! longer than [`MAX_WORDS`] are cut at paragraph boundaries (then sentences, then words), each
//! piece keeping the heading path. `Q: …` / `A: …` line pairs (or `Question:`/`Answer:`, bold or
//! not, or a bold line that asks and the lines after it) become one chunk per pair. Empty
//! sections are dropped. Lists and tables are rendered by `blocks.rs`: each list item a
//! sentence introduced by its lead-in, each table row its own chunk whose facts carry the row
//! label and the column headers ("Small, per month: £48."). Ids are `file#slug` (lowercase, non-alphanumeric runs → `-`); a repeated
//! slug gets `-2`, `-3`…; the pieces of one section get `-p2`, `-p3`….

use std::collections::{HashMap, HashSet};

use super::Chunk;
use super::blocks::{self, Block, Table};
use super::sections::{Section, split_sections};

/// The most words a piece of a long section holds (a single over-long sentence is cut too).
pub const MAX_WORDS: usize = 120;

/// A paragraph (consecutive non-blank lines) and the line it starts on.
struct Para {
    line: usize,
    text: String,
}

/// Splits document `name` (its path relative to the knowledge-base root) into chunks.
pub fn chunk_document(name: &str, text: &str) -> Vec<Chunk> {
    let sections = split_sections(name, text);
    let mut ids = IdAllocator::default();
    let mut out = Vec::new();
    for section in &sections {
        chunk_section(name, section, &mut ids, &mut out);
    }
    out
}

/// The question of an FAQ line, without its mark: `Q: …`, `Question: …`, either in bold
/// (`**Q: …**`, `**Q:** …`), or a whole line in bold that asks (`**Can I pay by card?**`).
fn question_of(line: &str) -> Option<&str> {
    if let Some(q) = after_mark(line, &["q:", "question:"]) {
        return Some(q);
    }
    let t = line.trim();
    let inner = t.strip_prefix("**")?.strip_suffix("**")?.trim();
    (inner.ends_with('?') && !inner.contains("**")).then_some(inner)
}

fn is_question(line: &str) -> bool {
    question_of(line).is_some()
}

/// `line` after the first of `marks` it opens with (any case, bold or not), unbolded.
fn after_mark<'a>(line: &'a str, marks: &[&str]) -> Option<&'a str> {
    let t = line.trim().trim_start_matches(['*', '_']);
    let mark = marks.iter().find(|m| {
        t.get(..m.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(m))
    })?;
    let rest = t[mark.len()..].trim_start_matches(['*', '_']);
    Some(rest.trim_end_matches(['*', '_']).trim())
}

fn chunk_section(name: &str, section: &Section<'_>, ids: &mut IdAllocator, out: &mut Vec<Chunk>) {
    let first_q = section.body.iter().position(|(_, l)| is_question(l));
    let (prose, pairs) = section.body.split_at(first_q.unwrap_or(section.body.len()));
    let blocks = blocks::parse(prose);
    let paras: Vec<Para> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Para { line, text } => Some(Para {
                line: *line,
                text: text.clone(),
            }),
            Block::Table(_) => None,
        })
        .collect();
    let pieces = pack(&paras);
    if !pieces.is_empty() {
        let base = ids.base(&slug(last_segment(&section.path)));
        for (i, piece) in pieces.iter().enumerate() {
            let slug = if i == 0 {
                base.clone()
            } else {
                format!("{base}-p{}", i + 1)
            };
            let line = match (i, section.heading_line) {
                (0, Some(h)) => h,
                _ => piece.line,
            };
            out.push(Chunk {
                id: format!("{name}#{}", ids.unique(slug)),
                file: name.to_string(),
                section: section.path.clone(),
                line,
                text: format!("{}\n{}", section.path, piece.text),
                names: Vec::new(),
            });
        }
    }
    for block in &blocks {
        if let Block::Table(table) = block {
            chunk_table(name, section, table, ids, out);
        }
    }
    chunk_pairs(name, section, pairs, ids, out);
}

/// One chunk per table row: the heading path and the row's label (with the first column's
/// header, and the sentence that introduces the table) on the first line, the row's facts
/// after it.
fn chunk_table(
    name: &str,
    section: &Section<'_>,
    table: &Table,
    ids: &mut IdAllocator,
    out: &mut Vec<Chunk>,
) {
    let kind = table.header.first().map_or("", |h| h.trim());
    for row in table.row_facts() {
        let label = match (kind.is_empty(), row.label.is_empty()) {
            (_, true) => String::new(),
            (true, false) => row.label.clone(),
            (false, false) => format!("{kind}: {}", row.label),
        };
        let path = if label.is_empty() {
            section.path.clone()
        } else {
            format!("{} > {label}", section.path)
        };
        let heading = match &table.lead_in {
            Some(lead) => format!("{path} ({lead})"),
            None => path.clone(),
        };
        let base = ids.base(&slug(&format!(
            "{} {}",
            last_segment(&section.path),
            row.label
        )));
        out.push(Chunk {
            id: format!("{name}#{}", ids.unique(base)),
            file: name.to_string(),
            section: path,
            line: row.line,
            text: format!("{heading}\n{}", row.sentences.join(" ")),
            names: row_names(section, table, &row.label),
        });
    }
}

/// One chunk per `Q:` line and everything up to the next one.
fn chunk_pairs(
    name: &str,
    section: &Section<'_>,
    lines: &[(usize, &str)],
    ids: &mut IdAllocator,
    out: &mut Vec<Chunk>,
) {
    let mut starts: Vec<usize> = (0..lines.len())
        .filter(|&i| is_question(lines[i].1))
        .collect();
    starts.push(lines.len());
    for w in starts.windows(2) {
        let pair = &lines[w[0]..w[1]];
        let body: Vec<&str> = pair
            .iter()
            .map(|(_, l)| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        let question = body.first().and_then(|q| question_of(q)).unwrap_or("");
        if body.len() < 2 && question.is_empty() {
            continue;
        }
        let path = if section.heading_line.is_some() {
            format!("{} > {question}", section.path)
        } else {
            question.to_string()
        };
        // The question is the heading, the answer the body (its `A:` dropped): a quote is
        // taken from the answer, never the question read back to the caller.
        let answer: Vec<&str> = body
            .iter()
            .skip(1)
            .map(|l| strip_answer_mark(l))
            .filter(|l| !l.is_empty())
            .collect();
        let slug = ids.base(&slug(question));
        out.push(Chunk {
            id: format!("{name}#{}", ids.unique(slug)),
            file: name.to_string(),
            section: path.clone(),
            line: pair[0].0,
            text: format!("{path}\n{}", answer.join("\n")),
            names: Vec::new(),
        });
    }
}

/// The words that tell a row from its neighbours: its label first (empty when the row has
/// none), then the column headers and the headings above the table.
fn row_names(section: &Section<'_>, table: &Table, label: &str) -> Vec<String> {
    let others = table
        .header
        .iter()
        .cloned()
        .chain(section.path.split(" > ").map(str::to_string))
        .filter(|n| !n.trim().is_empty() && n != label);
    std::iter::once(label.to_string()).chain(others).collect()
}

/// `A: text`, `**Answer:** text` → `text`.
fn strip_answer_mark(line: &str) -> &str {
    after_mark(line, &["a:", "answer:"]).unwrap_or(line)
}

fn last_segment(path: &str) -> &str {
    path.rsplit(" > ").next().unwrap_or(path)
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Packs paragraphs into pieces of at most [`MAX_WORDS`] words, cutting long paragraphs.
fn pack(paras: &[Para]) -> Vec<Para> {
    let mut out: Vec<Para> = Vec::new();
    let mut current: Option<(Para, usize)> = None;
    for para in paras.iter().flat_map(cut_paragraph) {
        let n = words(&para.text);
        current = match current.take() {
            Some((mut cur, count)) if count + n <= MAX_WORDS => {
                cur.text.push_str("\n\n");
                cur.text.push_str(&para.text);
                Some((cur, count + n))
            }
            Some((cur, _)) => {
                out.push(cur);
                Some((para, n))
            }
            None => Some((para, n)),
        };
    }
    out.extend(current.map(|(p, _)| p));
    out
}

/// A paragraph of at most [`MAX_WORDS`] words as is; a longer one in sentence-packed pieces.
fn cut_paragraph(para: &Para) -> Vec<Para> {
    if words(&para.text) <= MAX_WORDS {
        return vec![Para {
            line: para.line,
            text: para.text.clone(),
        }];
    }
    let mut pieces: Vec<String> = Vec::new();
    let mut count = 0;
    for sentence in sentences(&para.text) {
        for part in cut_words(sentence) {
            let n = words(&part);
            match pieces.last_mut() {
                Some(last) if count + n <= MAX_WORDS => {
                    last.push(' ');
                    last.push_str(&part);
                    count += n;
                }
                _ => {
                    pieces.push(part);
                    count = n;
                }
            }
        }
    }
    pieces
        .into_iter()
        .map(|text| Para {
            line: para.line,
            text,
        })
        .collect()
}

/// Sentences: cut after `.`, `!` or `?` followed by whitespace.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        let end = matches!(bytes[i], b'.' | b'!' | b'?');
        let next_ws = bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace());
        if end && next_ws {
            out.push(text[start..=i].trim());
            start = i + 1;
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

fn cut_words(sentence: &str) -> Vec<String> {
    let all: Vec<&str> = sentence.split_whitespace().collect();
    all.chunks(MAX_WORDS).map(|w| w.join(" ")).collect()
}

/// Lowercase, every run of non-alphanumeric characters → one `-`, trimmed; "section" if empty.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

/// Hands out the ids of one file: repeated base slugs get `-2`, `-3`…, and every id is unique.
#[derive(Default)]
struct IdAllocator {
    bases: HashMap<String, usize>,
    used: HashSet<String>,
}

impl IdAllocator {
    fn base(&mut self, slug: &str) -> String {
        let n = self.bases.entry(slug.to_string()).or_insert(0);
        *n += 1;
        if *n == 1 {
            slug.to_string()
        } else {
            format!("{slug}-{n}")
        }
    }

    fn unique(&mut self, wanted: String) -> String {
        let mut id = wanted.clone();
        let mut n = 1;
        while !self.used.insert(id.clone()) {
            n += 1;
            id = format!("{wanted}-{n}");
        }
        id
    }
}

#[cfg(test)]
#[path = "chunker_tests.rs"]
mod tests;
