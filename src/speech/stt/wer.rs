//! Word error rate, with the text normalisation it is measured after. Both the reference
//! and the recognized text are normalised the same way:
//!
//! 1. lower case; `-` `/` and `_` become spaces; `&` is "and", `%` "percent", `#` "pound",
//!    `*` "star", `@` "at";
//! 2. every other character that is not a letter, a digit or an apostrophe is dropped, and
//!    apostrophes are removed ("you're" → "youre");
//! 3. numbers are spelled out as words ("21" → "twenty one", "1,000" → "one thousand"), so
//!    "press 1" and "press one" agree; a run of four or more digits that is not a year
//!    (1900–2099) is an identifier and is read digit by digit ("4711" → "four seven one
//!    one"), as voxgate's voice reads order numbers; ordinals are words ("12th" →
//!    "twelfth"); a currency sign before a number is its word after it ("$25" → "twenty
//!    five dollars"); after "at", "by", "until" or "from", three or four digits that read
//!    as a clock time are one ("at 1030" → "at ten thirty", "at 900" → "at nine");
//! 4. "okay" is written "ok"; a run of single letters is one word ("A, B" → "ab");
//! 5. Latin letters lose their diacritics ("número" → "numero", "ç" → "c"), so transcripts
//!    written without accents compare fairly.
//!
//! WER is (substitutions + deletions + insertions) / reference words, by Levenshtein
//! distance over words.

/// The normalised words of `text`.
pub fn normalize(text: &str) -> Vec<String> {
    let mut spaced = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let c = fold(c.to_lowercase().next().unwrap_or(c));
        match c {
            '-' | '/' | '_' => spaced.push(' '),
            '&' => spaced.push_str(" and "),
            '%' => spaced.push_str(" percent "),
            '#' => spaced.push_str(" pound "),
            '*' => spaced.push_str(" star "),
            '@' => spaced.push_str(" at "),
            // A currency sign: marked, so the number after it takes its word.
            '$' => spaced.push_str(" \u{1}dollar "),
            '€' => spaced.push_str(" \u{1}euro "),
            '£' => spaced.push_str(" \u{1}pound "),
            // A thousands separator inside a number ("1,000") joins the digits and marks
            // the number as an amount.
            ',' if spaced.ends_with(|p: char| p.is_ascii_digit())
                && chars.peek().is_some_and(char::is_ascii_digit) =>
            {
                spaced.push('\u{2}');
            }
            c if c.is_alphanumeric() || c == '\u{1}' || c == '\u{2}' => spaced.push(c),
            '\'' | '’' => {}
            _ => spaced.push(' '),
        }
    }
    let mut words = Vec::new();
    let mut currency: Option<&str> = None;
    for w in spaced.split_whitespace() {
        if let Some(name) = currency_name(w) {
            currency = Some(name);
            continue;
        }
        if let Some((h, m)) = clock(w).filter(|_| {
            words
                .last()
                .is_some_and(|p: &String| ["at", "by", "until", "from"].contains(&p.as_str()))
        }) {
            spell(h, &mut words);
            if m > 0 {
                spell(m, &mut words);
            }
            continue;
        }
        let amount = w.contains('\u{2}');
        let w = &w.replace('\u{2}', "");
        let number = w.parse::<u64>().ok().filter(|_| w.len() <= 12);
        match number {
            Some(_) if !amount && is_identifier(w) => {
                for d in w.bytes() {
                    words.push(ONES[usize::from(d - b'0')].to_owned());
                }
            }
            Some(n) => spell(n, &mut words),
            None if w == "okay" => words.push("ok".to_owned()),
            None => match ordinal(w) {
                Some(n) => spell_ordinal(n, &mut words),
                None => words.push(w.to_owned()),
            },
        }
        if let Some(name) = currency.take().filter(|_| number.is_some()) {
            words.push(name.to_owned());
        }
    }
    join_letters(words)
}

/// A Latin letter without its diacritic.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        c => c,
    }
}

/// Joins runs of single letters into one word ("a b c" → "abc"); a lone "a" or "i" stays.
fn join_letters(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut Vec<String>| {
        if run.len() >= 2 {
            out.push(run.concat());
        } else {
            out.append(run);
        }
        run.clear();
    };
    for w in words {
        let letter = w.chars().count() == 1 && w.chars().all(char::is_alphabetic);
        if letter {
            run.push(w);
        } else {
            flush(&mut run, &mut out);
            out.push(w);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Three or four digits that read as a clock time: (hour, minutes).
fn clock(w: &str) -> Option<(u64, u64)> {
    if !(3..=4).contains(&w.len()) || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = w.parse().ok()?;
    let (h, m) = (n / 100, n % 100);
    ((1..=23).contains(&h) && m < 60).then_some((h, m))
}

/// The word for a currency sign that stood alone before a number.
fn currency_name(w: &str) -> Option<&'static str> {
    match w {
        "\u{1}dollar" => Some("dollars"),
        "\u{1}euro" => Some("euros"),
        "\u{1}pound" => Some("pounds"),
        _ => None,
    }
}

/// Whether a digit string reads as an identifier (digit by digit): four or more digits
/// and not a year.
fn is_identifier(digits: &str) -> bool {
    digits.len() >= 4
        && !(digits.len() == 4
            && digits
                .parse::<u32>()
                .is_ok_and(|y| (1900..=2099).contains(&y)))
}

/// `12th`, `1st`, `22nd`, `3rd` → the number.
fn ordinal(w: &str) -> Option<u64> {
    let digits = w
        .strip_suffix("th")
        .or_else(|| w.strip_suffix("st"))
        .or_else(|| w.strip_suffix("nd"))
        .or_else(|| w.strip_suffix("rd"))?;
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Appends the ordinal of `n` in words ("twenty first").
fn spell_ordinal(n: u64, out: &mut Vec<String>) {
    spell(n, out);
    let Some(last) = out.pop() else {
        return;
    };
    let ord = match last.as_str() {
        "one" => "first".to_owned(),
        "two" => "second".to_owned(),
        "three" => "third".to_owned(),
        "five" => "fifth".to_owned(),
        "eight" => "eighth".to_owned(),
        "nine" => "ninth".to_owned(),
        "twelve" => "twelfth".to_owned(),
        w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
        w => format!("{w}th"),
    };
    out.push(ord);
}

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// Appends `n` spelled out in words.
fn spell(n: u64, out: &mut Vec<String>) {
    if n < 20 {
        out.push(ONES[n as usize].to_owned());
        return;
    }
    if n < 100 {
        out.push(TENS[(n / 10) as usize].to_owned());
        if !n.is_multiple_of(10) {
            out.push(ONES[(n % 10) as usize].to_owned());
        }
        return;
    }
    for (unit, name) in [
        (1_000_000_000, "billion"),
        (1_000_000, "million"),
        (1_000, "thousand"),
        (100, "hundred"),
    ] {
        if n >= unit {
            spell(n / unit, out);
            out.push(name.to_owned());
            if !n.is_multiple_of(unit) {
                spell(n % unit, out);
            }
            return;
        }
    }
}

/// Word errors of `hypothesis` against `reference` (both normalised first), and the number
/// of reference words.
pub fn word_errors(reference: &str, hypothesis: &str) -> (usize, usize) {
    let r = normalize(reference);
    let h = normalize(hypothesis);
    (edit_distance(&r, &h), r.len())
}

/// Levenshtein distance over words.
fn edit_distance(a: &[String], b: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, wa) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, wb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(wa != wb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_as_documented() {
        assert_eq!(
            normalize("Press 1, or #. You're O.K.? Call-Forward 100%!"),
            [
                "press", "one", "or", "pound", "youre", "ok", "call", "forward", "one", "hundred",
                "percent"
            ]
        );
        assert_eq!(
            normalize("4711 and 1,000 and 21 in 1999"),
            [
                "four", "seven", "one", "one", "and", "one", "thousand", "and", "twenty", "one",
                "in", "one", "thousand", "nine", "hundred", "ninety", "nine"
            ]
        );
        assert_eq!(normalize("4 7 1 1"), normalize("4711"));
        assert_eq!(normalize("$25"), normalize("25 dollars"));
        assert_eq!(normalize("€ 3"), ["three", "euros"]);
        assert_eq!(
            normalize("the 12th and 21st, 3rd, 40th"),
            [
                "the", "twelfth", "and", "twenty", "first", "third", "fortieth"
            ]
        );
        assert_eq!(normalize("$"), Vec::<String>::new());
        assert_eq!(
            normalize("at 1030, by 900"),
            ["at", "ten", "thirty", "by", "nine"]
        );
        assert_eq!(
            normalize("room 1030"),
            ["room", "one", "zero", "three", "zero"]
        );
        assert_eq!(
            normalize("letters A, B and a c"),
            ["letters", "ab", "and", "ac"]
        );
        assert_eq!(normalize("I saw a dog"), ["i", "saw", "a", "dog"]);
        assert_eq!(
            normalize("Número, Ça va, ÉTÉ"),
            ["numero", "ca", "va", "ete"]
        );
        assert_eq!(normalize("okay, ok"), ["ok", "ok"]);
    }

    #[test]
    fn errors_count_substitutions_deletions_and_insertions() {
        assert_eq!(word_errors("press one now", "Press 1 now."), (0, 3));
        assert_eq!(word_errors("red green blue gray", "red pink blue"), (2, 4));
        assert_eq!(word_errors("red green", "red green blue gray"), (2, 2));
        assert_eq!(word_errors("", "hello"), (1, 0));
    }
}
