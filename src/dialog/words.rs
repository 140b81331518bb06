//! Words as the agent compares them: lowercase tokens (decimals such as `4.95` and addresses
//! such as `help@shop.example` kept whole), a conservative stemmer, stop words, and number
//! words turned into digits ("thirty" → `30`). Used by the grounding check, the extractive
//! fallback and the tools' parameter finder.

/// Words that carry no content of their own (contractions of pronouns and auxiliaries
/// included: "you've" says no more than "you" and "have").
#[rustfmt::skip]
const STOPWORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "did", "do", "does", "for", "from", "get", "got", "had", "has", "have", "how", "i",
    "if", "in", "into", "is", "it", "its", "just", "me", "my", "of", "on", "or", "our", "so",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "up",
    "us", "was", "we", "were", "what", "when", "where", "which", "who", "will", "with", "would",
    "you", "your", "yes", "no", "not", "please", "also", "than", "all", "each", "may", "should",
    "i'm", "i'd", "i've", "we're", "you're", "it's", "there's", "don't", "doesn't", "can't",
    "cannot", "won't", "isn't", "aren't", "let", "like", "want", "need", "know", "tell", "hi",
    "hello", "um", "uh", "well", "okay", "ok", "sure", "thanks", "thank", "alright", "yeah",
    "hiya", "erm", "er", "hmm", "over", "across", "through", "around", "onto", "along", "via",
    "i'll", "you've", "you'll", "you'd", "we've", "we'll", "we'd", "they're", "they've", "they'll",
    "it'll", "didn't", "wasn't", "weren't", "haven't", "hasn't", "wouldn't", "couldn't",
    "shouldn't", "myself", "yourself", "himself", "herself", "itself", "ourselves",
    "yourselves", "themselves",
];

/// Words of a question that say nothing about its topic (so a knowledge base need not
/// contain them): verbs of asking and having, time words, politeness.
const GENERIC: &[&str] = &[
    "have",
    "does",
    "doe",
    "offer",
    "provide",
    "give",
    "take",
    "happen",
    "happens",
    "happened",
    "getting",
    "bring",
    "carry",
    "make",
    "much",
    "many",
    "long",
    "often",
    "time",
    "when",
    "where",
    "which",
    "still",
    "able",
    "possible",
    "some",
    "something",
    "anything",
    "thing",
    "there",
    "here",
    "about",
    "really",
    "actually",
    "kind",
    "sort",
    "someone",
    "somebody",
    "anyone",
    "tomorrow",
    "today",
    "yesterday",
    "week",
    "last",
    "next",
    "going",
    "would",
    "could",
    "should",
    "might",
    "must",
    "wondering",
    "cheapest",
    "cheaper",
    "expensive",
    "dearest",
    "priciest",
    "count",
    "counts",
    "qualify",
    "qualifies",
    "quickly",
    "soon",
    "something",
    "anything",
    "everything",
    "question",
    "quick",
    "help",
    "bought",
    "buy",
    "order",
    "call",
    "calling",
    "said",
    "told",
    "again",
    "back",
    "getting",
    "thing",
    "things",
    "stuff",
    "until",
    "till",
    // Words of sequence: "in cash *after* my clean" asks nothing about "after".
    "after",
    "while",
    "during",
    // The past of everyday verbs, told in a story before the question.
    "came",
    "went",
    "gone",
    "took",
    "gave",
    "made",
    "saw",
    "seen",
    "thought",
    "felt",
    "put",
    // How a caller finds something, before the question: "he finds the pool loud".
    "find",
    "finds",
    "seems",
];

/// Whether `word` (a stemmed content word) is too generic to mark a topic: a word of the
/// list as written or as [`stem`] leaves it ("something" → `someth`).
pub(crate) fn is_generic(word: &str) -> bool {
    static STEMMED: std::sync::LazyLock<std::collections::HashSet<String>> =
        std::sync::LazyLock::new(|| {
            GENERIC
                .iter()
                .flat_map(|w| [w.to_string(), stem(w)])
                .collect()
        });
    STEMMED.contains(word)
}

/// Whether two stems of four or more letters differ by an -e verb's final `e`: [`stem`]
/// leaves "charge" whole but "charged" as `charg`, "agree" whole but "agreed" as `agre`.
pub(crate) fn final_e_apart(a: &str, b: &str) -> bool {
    let one_way = |short: &str, long: &str| {
        short.len() >= 4 && long.strip_suffix('e').is_some_and(|l| l == short)
    };
    one_way(a, b) || one_way(b, a)
}

/// Whether two stems are one word and a word derived from it by a suffix ("renew" and
/// "renewal"; not "pay" and "payment": the shorter must have four letters or more).
pub(crate) fn same_root(a: &str, b: &str) -> bool {
    const SUFFIXES: &[&str] = &["al", "als", "ment", "ments", "ation", "ations", "er", "ers"];
    let derived = |short: &str, long: &str| {
        short.len() >= 4
            && long
                .strip_prefix(short)
                .is_some_and(|rest| SUFFIXES.contains(&rest))
    };
    a == b || derived(a, b) || derived(b, a)
}

/// Whether two words of six or more letters differ by one insertion, deletion or
/// substitution (spelling variants and small mishearings: "instalments"/"installments").
pub(crate) fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().min(b.len()) < 6 || a.len().abs_diff(b.len()) > 1 || a == b {
        return false;
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// Number words and the digits they stand for.
const NUMBER_WORDS: &[(&str, &str)] = &[
    ("zero", "0"),
    ("oh", "0"),
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("eleven", "11"),
    ("twelve", "12"),
    ("thirteen", "13"),
    ("fourteen", "14"),
    ("fifteen", "15"),
    ("sixteen", "16"),
    ("seventeen", "17"),
    ("eighteen", "18"),
    ("nineteen", "19"),
    ("twenty", "20"),
    ("thirty", "30"),
    ("forty", "40"),
    ("fifty", "50"),
    ("sixty", "60"),
    ("seventy", "70"),
    ("eighty", "80"),
    ("ninety", "90"),
    ("hundred", "100"),
];

/// `text` as lowercase tokens: letters, digits, apostrophes inside words, and `.`/`@`/`-`
/// inside a token (`4.95`, `a@b.example`, `2-year`).
pub(crate) fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let inner = matches!(c, '.' | '@' | '-' | '\'' | '\u{2019}')
            && !cur.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || inner {
            cur.extend(
                c.to_lowercase()
                    .map(|c| if c == '\u{2019}' { '\'' } else { c }),
            );
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A regular expression written in this source (a bad one is a bug, found by the tests).
pub(crate) fn regex(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).unwrap_or_else(|e| unreachable!("valid regex: {e}"))
}

/// Whether `text` is negated: "not", "never", "cannot" or a contraction in n't ("What isn't
/// covered?", "What is not covered").
pub(crate) fn is_negated(text: &str) -> bool {
    tokens(text)
        .iter()
        .any(|t| matches!(t.as_str(), "not" | "never" | "cannot") || t.ends_with("n't"))
}

/// `s` with its first letter upper-cased ("tarnside (KZ5)" → "Tarnside (KZ5)").
pub(crate) fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(a) => a.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether `word` (lowercase) is a stop word.
pub(crate) fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word)
}

/// The digits a number word stands for.
pub(crate) fn number_word(word: &str) -> Option<&'static str> {
    NUMBER_WORDS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, d)| *d)
}

/// Irregular past forms of verbs that support callers and knowledge bases use both ways
/// ("we keep valuables" / "valuables are kept", "I paid" / "pay by card"), and their base.
const IRREGULAR: &[(&str, &str)] = &[
    ("kept", "keep"),
    ("paid", "pay"),
    ("sent", "send"),
    ("sold", "sell"),
    ("held", "hold"),
    ("lost", "lose"),
    ("spent", "spend"),
    ("stolen", "steal"),
    ("stole", "steal"),
    ("broke", "break"),
    ("broken", "break"),
    ("wrote", "write"),
    ("written", "write"),
    ("chose", "choose"),
    ("chosen", "choose"),
    ("taught", "teach"),
    ("caught", "catch"),
];

/// A conservative stem: plural and verb endings off, so "returns", "returned" and
/// "returning" meet at "return"; an irregular past as its verb ("kept" → "keep"). Short
/// words and numbers stay as they are.
pub(crate) fn stem(word: &str) -> String {
    if word.len() <= 3 || word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_string();
    }
    if let Some((_, base)) = IRREGULAR.iter().find(|(past, _)| *past == word) {
        return base.to_string();
    }
    // "bookings" meets "booking" at "book": the plural of an -ing noun loses both.
    if let Some(base) = word.strip_suffix("ings")
        && base.len() >= 3
    {
        return base.to_string();
    }
    for (suffix, keep) in [("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")] {
        if let Some(base) = word.strip_suffix(suffix)
            && base.len() >= 3
            && !(suffix == "s" && base.ends_with('s'))
        {
            return format!("{base}{keep}");
        }
    }
    word.to_string()
}

/// A decade said in words, as written in figures ("sixties" → "60s"), read with
/// [`number_word`]'s tens.
fn decade(word: &str) -> Option<String> {
    let tens = number_word(&format!("{}y", word.strip_suffix("ies")?))?;
    (tens.len() == 2 && tens.ends_with('0')).then(|| format!("{tens}s"))
}

/// The content words of `text`, stemmed, number words as digits; a `-` compound also gives
/// its parts (`2-year` → `2-year`, `2`, `year`).
pub(crate) fn content(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in tokens(text) {
        // "what's", "the customer's": the word without its "'s".
        let t = match t.strip_suffix("'s") {
            Some(word) => word.to_string(),
            None => t,
        };
        if t.is_empty() || is_stopword(&t) {
            continue;
        }
        // "the over-sixties" are "the over-60s" (only a word ending "ies" is rebuilt).
        let t = match t.contains("ies") {
            true => t
                .split('-')
                .map(|p| decade(p).unwrap_or_else(|| p.to_string()))
                .collect::<Vec<_>>()
                .join("-"),
            false => t,
        };
        if let Some(d) = number_word(&t) {
            out.push(d.to_string());
            continue;
        }
        if let Some(n) = compound_number(&t) {
            out.push(n);
            continue;
        }
        if t.contains('-') {
            out.extend(
                t.split('-')
                    .filter(|p| !p.is_empty())
                    .map(|p| number_word(p).map_or_else(|| stem(p), str::to_string)),
            );
        }
        out.push(stem(&t));
    }
    out
}

/// A number said as a tens word and a units word ("seventy-two" → `72`).
fn compound_number(token: &str) -> Option<String> {
    let (tens, units) = token.split_once('-')?;
    let tens: u32 = number_word(tens)?.parse().ok()?;
    let units: u32 = number_word(units)?.parse().ok()?;
    (tens >= 20 && tens.is_multiple_of(10) && tens < 100 && (1..10).contains(&units))
        .then(|| (tens + units).to_string())
}

/// Whether `word` is an adverb of manner or degree ("completely", "basically",
/// "seriously"): it says how, never what about.
pub(crate) fn is_manner_adverb(word: &str) -> bool {
    word.len() >= 7
        && ["ely", "ally", "tly", "ously", "ily"]
            .iter()
            .any(|end| word.ends_with(end))
}

/// The compound nouns a text says as a verb and its particle, stemmed: "call you out" and
/// "call-out" say `callout`, "check in" says `checkin`, "pick it up" says `pickup`.
pub(crate) fn particle_compounds(text: &str) -> Vec<String> {
    const PARTICLES: &[&str] = &["out", "up", "in", "off", "down", "over", "back", "on"];
    const OBJECTS: &[&str] = &["you", "it", "them", "him", "her", "me", "us", "someone"];
    let t = tokens(text);
    let mut out = Vec::new();
    for (i, w) in t.iter().enumerate() {
        if let Some((verb, particle)) = w.split_once('-')
            && PARTICLES.contains(&particle.strip_suffix('s').unwrap_or(particle))
            && !verb.is_empty()
        {
            out.push(stem(&format!("{verb}{particle}")));
        }
        let next = |k: usize| t.get(i + k).map(String::as_str);
        let particle = match (next(1), next(2)) {
            (Some(p), _) if PARTICLES.contains(&p) => p,
            (Some(o), Some(p)) if OBJECTS.contains(&o) && PARTICLES.contains(&p) => p,
            _ => continue,
        };
        if w.len() >= 3 && !is_stopword(w) {
            out.push(stem(&format!("{w}{particle}")));
        }
    }
    out
}

/// Whether a token is a number (digits, maybe with one decimal point).
pub(crate) fn is_number(token: &str) -> bool {
    token.chars().next().is_some_and(|c| c.is_ascii_digit())
        && token.chars().all(|c| c.is_ascii_digit() || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verb_and_its_particle_say_the_compound_noun() {
        assert_eq!(
            particle_compounds("how often can I call you out?"),
            ["callout"]
        );
        assert_eq!(particle_compounds("the call-outs"), ["callout"]);
        assert_eq!(particle_compounds("when can I check in"), ["checkin"]);
        assert!(particle_compounds("what are your prices for a visit?").is_empty());
    }

    #[test]
    fn a_derived_word_has_its_root() {
        assert!(same_root(&stem("renews"), &stem("renewal")));
        assert!(!same_root("pay", "payment"));
        assert!(!same_root("renew", "renewing"));
    }

    #[test]
    fn a_tens_and_units_number_word_is_one_number() {
        assert_eq!(content("my mum's seventy-two"), ["mum", "72"]);
        assert_eq!(
            content("a two-year plan"),
            ["2", "year", "two-year", "plan"]
        );
    }

    #[test]
    fn manner_adverbs_are_told_from_nouns_ending_in_ly() {
        assert!(is_manner_adverb("completely"));
        assert!(is_manner_adverb("seriously"));
        assert!(!is_manner_adverb("assembly"));
        assert!(!is_manner_adverb("family"));
        assert!(!is_manner_adverb("supply"));
    }

    #[test]
    fn a_possessive_or_contracted_s_is_not_part_of_the_word() {
        assert_eq!(content("What's the customer's PIN?"), ["customer", "pin"]);
    }

    #[test]
    fn negation_is_a_word_or_a_contraction() {
        for q in [
            "What isn't covered?",
            "What is not covered",
            "Which can\u{2019}t I store?",
        ] {
            assert!(is_negated(q), "{q}");
        }
        for q in [
            "What is covered?",
            "Is jewellery covered?",
            "Do I need notice?",
        ] {
            assert!(!is_negated(q), "{q}");
        }
    }

    #[test]
    fn tokens_keep_decimals_and_addresses() {
        assert_eq!(
            tokens("It costs 4.95 pounds. Email help@shop.example, or call!"),
            [
                "it",
                "costs",
                "4.95",
                "pounds",
                "email",
                "help@shop.example",
                "or",
                "call"
            ]
        );
        assert_eq!(
            tokens("a 2-year warranty; don't"),
            ["a", "2-year", "warranty", "don't"]
        );
    }

    #[test]
    fn stems_meet() {
        assert_eq!(stem("returns"), "return");
        assert_eq!(stem("returned"), "return");
        assert_eq!(stem("returning"), "return");
        assert_eq!(stem("deliveries"), "delivery");
        assert_eq!(stem("glass"), "glass");
        assert_eq!(stem("days"), "day");
        assert_eq!(stem("bookings"), stem("booking"));
        assert_eq!(stem("things"), "thing");
        assert_eq!(stem("4.95"), "4.95");
    }

    #[test]
    fn spelling_variants_are_one_edit_apart() {
        assert!(one_edit_apart("instalment", "installment"));
        assert!(one_edit_apart("colour", "colours"));
        assert!(one_edit_apart("organise", "organize"));
        assert!(!one_edit_apart("return", "return"));
        assert!(!one_edit_apart("cat", "car"), "short words never match");
        assert!(!one_edit_apart("student", "stud"));
        assert!(!one_edit_apart("delivery", "discovery"));
    }

    #[test]
    fn an_e_verbs_forms_meet_though_their_stems_differ_by_the_e() {
        assert!(final_e_apart(&stem("charged"), &stem("charge")));
        assert!(final_e_apart(&stem("agreed"), &stem("agreeing")));
        assert!(
            !final_e_apart(&stem("care"), &stem("car")),
            "too short to tell"
        );
        assert!(!final_e_apart(&stem("returned"), &stem("return")));
    }

    #[test]
    fn content_words_and_numbers() {
        assert_eq!(
            content("You have thirty days to return it"),
            ["30", "day", "return"]
        );
        assert_eq!(
            content("a 2-year warranty"),
            ["2", "year", "2-year", "warranty"]
        );
        // Decades in words are decades in figures.
        assert_eq!(content("over-sixties"), content("over-60s"));
        assert_eq!(content("the nineties"), content("the 90s"));
        assert_eq!(content("parties"), ["party"]);
        // Irregular pasts meet their verbs.
        assert_eq!(content("kept valuables"), content("keep valuables"));
    }
}
