//! Document names the API accepts: relative `/`-separated paths under the root whose segments
//! are `[A-Za-z0-9_.-]+` (no leading dot, so no `..` and no hidden files) ending in `.md`,
//! `.markdown` or `.txt`.

use super::KbError;

/// The longest accepted name.
const MAX_NAME: usize = 200;

/// Whether the directory scan indexes a file with this (last) name segment.
pub(crate) fn is_document_file(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    !segment.starts_with('.')
        && (lower.ends_with(".md") || lower.ends_with(".markdown") || lower.ends_with(".txt"))
}

/// Checks a document name given to the API.
pub fn validate_name(name: &str) -> Result<(), KbError> {
    let bad = |reason| {
        Err(KbError::BadName {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() || name.len() > MAX_NAME {
        return bad("must be 1 to 200 characters");
    }
    for segment in name.split('/') {
        if segment.is_empty() || segment.starts_with('.') {
            return bad("path segments must be non-empty and not start with '.'");
        }
        let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        if !segment.chars().all(ok) {
            return bad("only letters, digits, '_', '.', '-' and '/' are allowed");
        }
    }
    let last = name.rsplit('/').next().unwrap_or(name);
    if !is_document_file(last) {
        return bad("must end in .md, .markdown or .txt");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_nested_names_pass() {
        for n in [
            "returns.md",
            "faq/billing.markdown",
            "a_b-c.1.txt",
            "README.MD",
        ] {
            assert!(validate_name(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn escapes_hidden_odd_and_wrong_types_fail() {
        for n in [
            "../x.md",
            "a/../x.md",
            "/etc/x.md",
            "..md",
            ".hidden.md",
            "a//b.md",
            "x.md/",
            "x.exe",
            "x.md.tmp",
            "sp ace.md",
            "back\\slash.md",
            "",
            "ünï.md",
        ] {
            assert!(
                matches!(validate_name(n), Err(KbError::BadName { .. })),
                "{n}"
            );
        }
        assert!(validate_name(&format!("{}.md", "a".repeat(300))).is_err());
    }
}
