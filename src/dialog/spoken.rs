//! What the agent says, made fit to be heard: a knowledge file's pointer to another file
//! ("– see payments-and-freezes.md") is for the operator's readers, not the caller's ears.
//! Knowledge text keeps it (a sentence that points elsewhere is not a full answer, see
//! [`super::quote::refers_elsewhere`]); only the spoken sentence loses it. Owns
//! [`without_file_names`].

/// A pointer to another file is not read out to a caller: "…notice – see
/// payments-and-freezes.md." → "…notice.", "(see `areas.md`)" and "See areas.md." go; a file
/// named otherwise is said as its words ("prices.md" → "prices").
pub(crate) fn without_file_names(text: &str) -> String {
    let is_file = |w: &str| {
        let w = w.trim_end_matches(['.', ',', ';', ':', ')']).to_lowercase();
        [".md", ".markdown", ".txt"]
            .iter()
            .any(|ext| w.len() > ext.len() && w.ends_with(ext))
    };
    let mut out: Vec<String> = Vec::new();
    for w in text.split_whitespace() {
        if !is_file(w) {
            out.push(w.to_string());
            continue;
        }
        let bare = w.trim_end_matches(['.', ',', ';', ':', ')']);
        let tail = w[bare.len()..].replace(')', "");
        let pointer = |o: &[String]| {
            o.last()
                .is_some_and(|p| p.trim_start_matches('(').eq_ignore_ascii_case("see"))
        };
        if !pointer(&out) {
            let (stem, _) = bare.rsplit_once('.').unwrap_or((bare, ""));
            out.push(format!("{}{tail}", stem.replace(['-', '_'], " ")));
            continue;
        }
        out.pop();
        if out
            .last()
            .is_some_and(|p| ["–", "—", "-"].contains(&p.as_str()))
        {
            out.pop();
        }
        match out.last_mut() {
            Some(p) if !p.ends_with(['.', '!', '?', ':', ';', ',']) => p.push_str(&tail),
            _ => {}
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::without_file_names;

    #[test]
    fn a_pointer_to_another_file_is_not_read_out() {
        assert_eq!(
            without_file_names(
                "You can leave with one month's notice – see payments-and-freezes.md."
            ),
            "You can leave with one month's notice."
        );
        assert_eq!(
            without_file_names("Call 0800 111 999 (see gas-emergency.md). Stay calm."),
            "Call 0800 111 999. Stay calm."
        );
        assert_eq!(
            without_file_names("A travel charge may be added. See service-areas.md."),
            "A travel charge may be added."
        );
        assert_eq!(without_file_names("See service-areas.md."), "");
        assert_eq!(
            without_file_names("Our full list is in price_list.md, and at reception."),
            "Our full list is in price list, and at reception."
        );
        assert_eq!(without_file_names("See you soon."), "See you soon.");
    }
}
