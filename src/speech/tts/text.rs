//! What text-to-speech reads: text split into sentences (each synthesized on its own, so
//! the first can play while the rest is made), with a long first sentence cut at its first
//! clause so the caller hears something sooner. Punctuation stays with its words: the
//! phonemizer turns it into the pauses and pitch of the voice.

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: [&str; 14] = [
    "mr", "mrs", "ms", "dr", "st", "no", "vs", "etc", "e.g", "i.e", "approx", "jr", "sr", "inc",
];

/// A first sentence longer than this (in words) with no clause mark is cut before a
/// conjunction.
const LONG_FIRST_WORDS: usize = 8;
/// Words a long first sentence may be cut before.
const CONJUNCTIONS: [&str; 6] = ["and", "but", "so", "because", "which", "while"];

/// `text` as sentences, each ending with its own punctuation (the last may have none).
/// White space is collapsed; empty sentences are dropped.
pub fn sentences(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        current.push(w);
        let next_starts_lower = words
            .get(i + 1)
            .and_then(|n| n.chars().next())
            .is_some_and(char::is_lowercase);
        if ends_sentence(w, words.get(i + 1).copied()) && !next_starts_lower {
            out.push(current.join(" "));
            current.clear();
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// Whether `word` closes a sentence: it ends with `.` `?` `!` (quotes and brackets after
/// them allowed) and is not a known abbreviation or a single initial of a name. A single
/// letter followed by a word that is no part of a name ends one: "Zone C. KZ6, travel
/// charge: £25." is two facts of a table row, "J. R. Smith" one name.
fn ends_sentence(word: &str, next: Option<&str>) -> bool {
    let w = word.trim_end_matches(['"', '\'', ')', ']', '”', '’']);
    if w.ends_with(['?', '!']) {
        return true;
    }
    let Some(stem) = w.strip_suffix('.') else {
        return false;
    };
    let lower = stem.to_lowercase();
    let initial = stem.chars().count() == 1
        && stem.chars().all(char::is_alphabetic)
        && next.is_none_or(is_name_part);
    !(ABBREVIATIONS.contains(&lower.as_str()) || initial)
}

/// Whether `word` may be part of a name: a capitalised word of letters ("Smith", "R.").
fn is_name_part(word: &str) -> bool {
    let w = word.trim_end_matches(['.', ',', ';', ':', '"', '\'', ')', '”', '’']);
    w.chars().next().is_some_and(char::is_uppercase) && w.chars().all(char::is_alphabetic)
}

/// `text` as it should be read aloud: a run of four or more digits that is not a year
/// (1900–2099) and not part of an amount ("1,000", "3.50") is an identifier — an order,
/// account or phone number — and is read digit by digit ("4711" → "4 7 1 1"), the way a
/// person reads it so the caller can write it down.
pub fn spoken(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let joined = |at: Option<&char>, next: Option<&char>| {
            matches!(at, Some(',' | '.')) && next.is_some_and(char::is_ascii_digit)
        };
        let after = joined(chars.get(i), chars.get(i + 1));
        let before = start >= 2
            && joined(chars.get(start - 1), chars.get(start))
            && chars[start - 2].is_ascii_digit();
        let in_amount = after || before;
        let year = run.len() == 4 && run.parse::<u32>().is_ok_and(|y| (1900..=2099).contains(&y));
        if run.len() >= 4 && !year && !in_amount {
            let spaced: Vec<String> = run.chars().map(String::from).collect();
            out.push_str(&spaced.join(" "));
        } else {
            out.push_str(&run);
        }
    }
    out
}

/// The pieces to synthesize in order: the sentences, with the first one cut after its
/// first clause (`,` `;` `:`) when at least two words follow, so the first audio is short to
/// make ("Sure," then "I can help you with that.").
pub fn streaming_chunks(text: &str) -> Vec<String> {
    let mut out = sentences(text);
    let Some(first) = out.first().cloned() else {
        return out;
    };
    let words: Vec<&str> = first.split_whitespace().collect();
    let clause = words
        .iter()
        .take(words.len().saturating_sub(2))
        .position(|w| w.ends_with([',', ';', ':']));
    // A long sentence without a clause mark breaks before a conjunction instead, where a
    // speaker may pause too.
    let conjunction = || {
        (words.len() > LONG_FIRST_WORDS)
            .then(|| {
                (3..words.len().saturating_sub(2))
                    .find(|&i| CONJUNCTIONS.contains(&words[i].to_lowercase().as_str()))
                    .map(|i| i - 1)
            })
            .flatten()
    };
    if let Some(i) = clause.or_else(conjunction) {
        out[0] = words[..=i].join(" ");
        out.insert(1, words[i + 1..].join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_their_punctuation_only() {
        assert_eq!(
            sentences("Hello there.  Your order shipped!  Anything else?"),
            ["Hello there.", "Your order shipped!", "Anything else?"]
        );
        assert_eq!(
            sentences("Dr. Smith paid $3.50 at 5 p.m. today. Thanks"),
            ["Dr. Smith paid $3.50 at 5 p.m. today.", "Thanks"]
        );
        assert_eq!(
            sentences("I said \"stop.\" Then I left."),
            ["I said \"stop.\"", "Then I left."]
        );
        assert_eq!(sentences("J. R. Smith called."), ["J. R. Smith called."]);
        assert_eq!(
            sentences("KZ6, zone: Zone C. KZ6, travel charge per visit: £25."),
            ["KZ6, zone: Zone C.", "KZ6, travel charge per visit: £25."]
        );
        assert!(sentences("   ").is_empty());
    }

    #[test]
    fn identifiers_are_read_digit_by_digit() {
        assert_eq!(spoken("Order 4711 is ready."), "Order 4 7 1 1 is ready.");
        assert_eq!(spoken("Call 0800123456"), "Call 0 8 0 0 1 2 3 4 5 6");
        assert_eq!(
            spoken("In 2024 we sold 1,000 for $3.50"),
            "In 2024 we sold 1,000 for $3.50"
        );
        assert_eq!(spoken("It costs 12500.75 now"), "It costs 12500.75 now");
        assert_eq!(spoken("Room 12 at 10:30"), "Room 12 at 10:30");
    }

    #[test]
    fn a_long_first_sentence_is_cut_at_its_first_clause() {
        let c = streaming_chunks(
            "Sure, your order number 4711 left our warehouse yesterday and arrives Friday. Bye.",
        );
        assert_eq!(
            c,
            [
                "Sure,",
                "your order number 4711 left our warehouse yesterday and arrives Friday.",
                "Bye."
            ]
        );
        let c =
            streaming_chunks("Your order number 4711 left our warehouse yesterday and arrives.");
        assert_eq!(c.len(), 1, "no clause to cut at: {c:?}");
        let c = streaming_chunks(
            "Your order number 4711, which you placed on Monday, arrives on Friday morning.",
        );
        assert_eq!(
            c,
            [
                "Your order number 4711,",
                "which you placed on Monday, arrives on Friday morning."
            ]
        );
        assert_eq!(
            streaming_chunks("Short one, really."),
            ["Short one, really."]
        );
    }
}
