//! A document's heading structure: front matter skipped, ATX (`## Title`) and setext
//! (`Title` over `===`/`---`) headings outside code fences, each section with its heading path
//! and body lines. Pure text processing.

/// One heading's section: where it starts and its body lines (1-based line numbers).
pub(super) struct Section<'a> {
    pub(super) path: String,
    pub(super) heading_line: Option<usize>,
    pub(super) body: Vec<(usize, &'a str)>,
}

/// Everything but `*.txt` is read as Markdown (in-memory documents may have any name).
fn is_markdown(name: &str) -> bool {
    !name.to_ascii_lowercase().ends_with(".txt")
}

/// The file name without directories and extension ("faq/returns.md" → "returns").
fn stem(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    }
}

/// The index of the first line after a front-matter block, or 0 when there is none.
fn front_matter_end(lines: &[&str]) -> usize {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return 0;
    }
    lines
        .iter()
        .skip(1)
        .position(|l| matches!(l.trim_end(), "---" | "..."))
        .map_or(0, |i| i + 2)
}

/// `## Title ##` → `(2, "Title")`; `None` for anything that is not an ATX heading.
fn parse_heading(line: &str) -> Option<(usize, String)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let level = rest.len() - rest.trim_start_matches('#').len();
    if !(1..=6).contains(&level) {
        return None;
    }
    let after = &rest[level..];
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    let mut title = after.trim();
    let closed = title.trim_end_matches('#');
    if closed.is_empty() || closed.ends_with([' ', '\t']) {
        title = closed.trim_end();
    }
    Some((level, title.to_string()))
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    line.len() - t.len() <= 3 && (t.starts_with("```") || t.starts_with("~~~"))
}

/// `===` (level 1) or `---` (level 2) under a title line: at least two marks, ≤ 3 spaces in.
fn setext_level(line: &str) -> Option<usize> {
    let t = line.trim_end();
    let body = t.trim_start_matches(' ');
    if t.len() - body.len() > 3 || body.len() < 2 {
        return None;
    }
    if body.bytes().all(|b| b == b'=') {
        Some(1)
    } else if body.bytes().all(|b| b == b'-') {
        Some(2)
    } else {
        None
    }
}

/// A line that can be a setext title: plain text, not a list item, quote, table or Q/A line.
fn is_plain_title(line: &str) -> bool {
    let t = line.trim();
    let list = t.starts_with(['-', '*', '+', '>', '|', '<'])
        || t.split_once(". ")
            .is_some_and(|(n, _)| n.bytes().all(|b| b.is_ascii_digit()));
    let qa = t.len() >= 2
        && t.as_bytes()[1] == b':'
        && matches!(t.as_bytes()[0], b'q' | b'Q' | b'a' | b'A');
    !t.is_empty() && !list && !qa && !is_fence(line)
}

/// The document's sections in order; the first is the text before any heading.
pub(super) fn split_sections<'a>(name: &str, text: &'a str) -> Vec<Section<'a>> {
    let markdown = is_markdown(name);
    let lines: Vec<&str> = text.lines().collect();
    let start = front_matter_end(&lines);
    let mut doc = Sections {
        sections: vec![Section {
            path: String::new(),
            heading_line: None,
            body: Vec::new(),
        }],
        stack: Vec::new(),
    };
    let mut in_fence = false;
    for (i, line) in lines.iter().enumerate().skip(start) {
        let number = i + 1;
        if markdown && is_fence(line) {
            in_fence = !in_fence;
        }
        if !markdown || in_fence {
            doc.push_line(number, line);
        } else if let Some((level, title)) = parse_heading(line) {
            doc.open(level, title, number);
        } else if let Some((level, title, at)) =
            setext_level(line).and_then(|l| doc.take_title(number, l))
        {
            doc.open(level, title, at);
        } else {
            doc.push_line(number, line);
        }
    }
    let mut sections = doc.sections;
    if let Some(first) = sections.first_mut() {
        first.path = stem(name).to_string();
    }
    sections
}

/// The sections being built and the open headings (level, title).
struct Sections<'a> {
    sections: Vec<Section<'a>>,
    stack: Vec<(usize, String)>,
}

impl<'a> Sections<'a> {
    fn push_line(&mut self, number: usize, line: &'a str) {
        if let Some(section) = self.sections.last_mut() {
            section.body.push((number, line));
        }
    }

    fn open(&mut self, level: usize, title: String, number: usize) {
        while self.stack.last().is_some_and(|(l, _)| *l >= level) {
            self.stack.pop();
        }
        self.stack.push((level, title));
        let path = self
            .stack
            .iter()
            .map(|(_, t)| t.as_str())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" > ");
        self.sections.push(Section {
            path,
            heading_line: Some(number),
            body: Vec::new(),
        });
    }

    /// For an underline at `number`: the one-line paragraph just above it, taken out of the
    /// body as a setext title.
    fn take_title(&mut self, number: usize, level: usize) -> Option<(usize, String, usize)> {
        let section = self.sections.last_mut()?;
        let n = section.body.len();
        let &(at, title) = section.body.last()?;
        let alone = n == 1 || section.body[n - 2].1.trim().is_empty();
        if at + 1 != number || !alone || !is_plain_title(title) {
            return None;
        }
        section.body.pop();
        Some((level, title.trim().to_string(), at))
    }
}
