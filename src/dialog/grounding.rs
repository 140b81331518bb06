//! Is a sentence the model wrote supported by the passages it was given? A sentence passes
//! when every number in it appears in the passages (or the caller's words) and nearly all of
//! its content words do: the agent never speaks a figure or a policy it did not retrieve.
//! Also: recognising "I don't know" answers, and the extractive fallback that answers with the
//! best-matching sentences of the passages when the model's own wording fails the check.
//! Owns these text checks only.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::columns::Columns;
use super::slots::{reduction_figures, says_reduction};
use super::words::{content, is_generic, is_number};

/// Words a spoken answer may use that no passage needs to contain.
const GLUE: &[&str] = &[
    "sorry",
    "help",
    "happy",
    "glad",
    "anything",
    "else",
    "question",
    "answer",
    "information",
    "sure",
    "great",
    "course",
    "certainly",
    "absolutely",
    "unfortunately",
    "however",
    "only",
    "here",
    "now",
    "today",
    "check",
    "look",
    "find",
    "say",
    "mean",
    "able",
    "also",
    "just",
    "currently",
    "usually",
    "normally",
    "always",
    "never",
    "every",
    "any",
    "some",
    "more",
    "less",
    "than",
    "after",
    "before",
    "within",
    "up",
    "over",
    "under",
    "per",
    "one",
    "once",
    "thing",
    "way",
    "time",
    "need",
    "make",
    "take",
    "give",
    "use",
    "see",
    "contact",
    "us",
];

/// The share of content words a sentence must find in the passages.
const MIN_SUPPORT: f32 = 0.75;

static DONT_KNOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:i (?:do not|don't|dont) (?:know|have)|not sure|no information|(?:isn't|is not|not) (?:mentioned|specified|provided|stated|available in)|(?:cannot|can't|unable to) (?:find|answer|help|provide)|does not (?:say|mention)|doesn't (?:say|mention)|no (?:details|mention))\b",
    )
    .unwrap_or_else(|e| unreachable!("valid regex: {e}"))
});

/// What the passages and the caller's words contain, ready to check sentences against.
#[derive(Debug)]
pub(crate) struct Grounding {
    words: HashSet<String>,
    numbers: HashSet<String>,
    /// Each passage's numbers, and the caller's: a sentence's figures must all come from
    /// one passage (one table row), never a price from one row and a size from the next.
    passage_numbers: Vec<HashSet<String>>,
    /// Each passage's content words: a figure and the name it is told of ("Gareth Bell",
    /// "Boiler Plus") must come from one passage too.
    passage_words: Vec<HashSet<String>>,
    asked_numbers: HashSet<String>,
    /// The caller's content words: a sentence made of nothing else tells them nothing.
    asked_words: HashSet<String>,
    /// "yes" / "no" where a passage sentence opens with it: when there is one, the only
    /// yes or no a model sentence may open with.
    answers: HashSet<String>,
    /// Figures the passages give only as reductions ("the contribution is £250"): a
    /// sentence must say them as reductions too, not "Boiler Plus costs £250".
    reductions: HashSet<String>,
    /// The table cells the figures come from, and the columns the question names.
    columns: Columns,
}

/// Why a sentence was not supported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unsupported {
    /// A number the passages do not contain.
    Number(String),
    /// Too many words the passages do not contain (the share found).
    Words { found: usize, of: usize },
    /// Figures that no single passage holds together.
    Combined,
    /// A figure the passages give as a reduction, said as an amount of its own.
    Reduction(String),
    /// A "yes" or "no" against the passages' own ("No." where the answer says "Yes.").
    Polarity,
    /// A figure from table cells whose column neither the caller nor the sentence names.
    Column(String),
    /// Only the caller's own words back ("… when I get the certificate through."): no answer.
    Echo,
}

/// The yes or no a sentence opens with.
fn polarity(sentence: &str) -> Option<&'static str> {
    let first = sentence
        .split_whitespace()
        .next()?
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    match first.as_str() {
        "yes" | "yeah" => Some("yes"),
        "no" | "nope" => Some("no"),
        _ => None,
    }
}

impl Grounding {
    pub(crate) fn new(passages: &[&str], question: &str) -> Grounding {
        let mut words = HashSet::new();
        let mut sets = Vec::new();
        let mut passage_words: Vec<HashSet<String>> = Vec::new();
        for text in passages.iter().copied().chain([question]) {
            let own: HashSet<String> = content(text).into_iter().collect();
            let mut numbers: HashSet<String> = own
                .iter()
                .filter(|w| is_number(w))
                .map(|w| w.trim_end_matches(".00").to_string())
                .collect();
            words.extend(own.iter().cloned());
            // A phone number written with spaces is one fact: keep its digits joined too.
            numbers.extend(digit_runs(text));
            sets.push(numbers);
            passage_words.push(own);
        }
        let asked_words = passage_words.pop().unwrap_or_default();
        words.extend(GLUE.iter().map(|w| w.to_string()));
        let asked_numbers = sets.pop().unwrap_or_default();
        let numbers = sets
            .iter()
            .flatten()
            .chain(&asked_numbers)
            .cloned()
            .collect();
        let answers = passages
            .iter()
            .flat_map(|p| p.lines())
            .flat_map(crate::speech::tts::sentences)
            .filter_map(|s| polarity(&s))
            .map(str::to_string)
            .collect();
        let reductions = reduction_figures(passages.iter().copied());
        Grounding {
            words,
            numbers,
            passage_numbers: sets,
            passage_words,
            asked_numbers,
            asked_words,
            answers,
            reductions,
            columns: Columns::default(),
        }
    }

    /// Also checks that a figure from a table's cells is from a column someone named.
    pub(crate) fn with_columns(self, columns: Columns) -> Grounding {
        Grounding { columns, ..self }
    }

    /// Checks one sentence.
    pub(crate) fn check(&self, sentence: &str) -> Result<(), Unsupported> {
        // Only an explicit answer the other way contradicts: "No, we do not ship to Norway"
        // needs no "No." in the passages.
        if polarity(sentence).is_some_and(|p| !self.answers.contains(p) && !self.answers.is_empty())
        {
            return Err(Unsupported::Polarity);
        }
        let words = content(sentence);
        if polarity(sentence).is_none()
            && words.len() >= 2
            && words.iter().all(|w| self.asked_words.contains(w))
        {
            return Err(Unsupported::Echo);
        }
        for w in words.iter().filter(|w| is_number(w)) {
            let n = w.trim_end_matches(".00");
            if !self.numbers.contains(n) && !self.words.contains(n) {
                return Err(Unsupported::Number(w.clone()));
            }
        }
        for run in digit_runs(sentence) {
            if run.len() >= 4 && !self.numbers.contains(&run) {
                return Err(Unsupported::Number(run));
            }
        }
        let figures: Vec<&str> = words
            .iter()
            .filter(|w| is_number(w))
            .map(|w| w.trim_end_matches(".00"))
            .filter(|n| !self.asked_numbers.contains(*n))
            .collect();
        if let Some(n) = figures.iter().find(|n| self.reductions.contains(**n))
            && !says_reduction(sentence)
        {
            return Err(Unsupported::Reduction((*n).to_string()));
        }
        if let Some(n) = figures.iter().find(|n| self.columns.unnamed(n, sentence)) {
            return Err(Unsupported::Column((*n).to_string()));
        }
        let names = self.names_in(sentence);
        let together = |i: usize| {
            figures.iter().all(|n| self.passage_numbers[i].contains(*n))
                && names.iter().all(|w| self.passage_words[i].contains(w))
        };
        let binds = figures.len() >= 2 || !figures.is_empty() && !names.is_empty();
        if binds && !(0..self.passage_numbers.len()).any(together) {
            return Err(Unsupported::Combined);
        }
        let of = words.len();
        let found = words.iter().filter(|w| self.words.contains(*w)).count();
        if of >= 3 && (found as f32) < MIN_SUPPORT * of as f32 {
            return Err(Unsupported::Words { found, of });
        }
        Ok(())
    }

    /// The names a sentence tells a fact of: its capitalised words after the first ("is
    /// *Gareth Bell*'s ID", "on *Boiler Plus*") that a passage contains, as content words.
    fn names_in(&self, sentence: &str) -> Vec<String> {
        sentence
            .split_whitespace()
            .skip(1)
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
            .flat_map(content)
            .filter(|w| !is_number(w) && self.passage_words.iter().any(|p| p.contains(w)))
            .collect()
    }
}

/// Runs of digits with the spaces inside them removed ("0800 123 4567" → `08001234567`).
fn digit_runs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            cur.push(c);
            pending_space = false;
        } else if c == ' ' && !cur.is_empty() && !pending_space {
            pending_space = true;
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
            pending_space = false;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether the model said it cannot answer.
pub(crate) fn is_dont_know(text: &str) -> bool {
    DONT_KNOW.is_match(text)
}

/// The sentences of `passage` (its heading line dropped) that share the most content words
/// with `question`, in passage order: at most `max`, each sharing at least two words (or one
/// for a short question). Empty when nothing matches well.
pub(crate) fn extract(passage: &str, question: &str, max: usize) -> Vec<String> {
    extract_scored(passage, question, max).0
}

/// [`extract`] and the share of the question's topical words the best sentence together
/// with the passage's heading covers (0..1; 0 when it covers fewer than two of them, or the
/// only one): how sure a quote is to answer the question.
pub(crate) fn extract_scored(passage: &str, question: &str, max: usize) -> (Vec<String>, f32) {
    let q: HashSet<String> = content(question)
        .into_iter()
        .filter(|w| !is_generic(w))
        .collect();
    let need = if q.len() <= 2 { 1 } else { 2 };
    let (heading, body) = passage.split_once('\n').unwrap_or(("", passage));
    let in_heading: HashSet<String> = content(heading).into_iter().collect();
    let sentences = crate::speech::tts::sentences(body);
    let mut scored: Vec<(usize, usize, f32)> = sentences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let words: HashSet<String> = content(s).into_iter().collect();
            let shared = words.intersection(&q).count();
            let covered = q
                .iter()
                .filter(|w| words.contains(*w) || in_heading.contains(*w))
                .count();
            let enough = covered >= q.len().min(2);
            (
                i,
                shared,
                if enough {
                    covered as f32 / q.len().max(1) as f32
                } else {
                    0.0
                },
            )
        })
        .filter(|&(_, n, _)| n >= need)
        .collect();
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let coverage = scored.first().map_or(0.0, |s| s.2);
    scored.truncate(max);
    scored.sort_by_key(|&(i, _, _)| i);
    (
        scored
            .into_iter()
            .map(|(i, _, _)| sentences[i].clone())
            .collect(),
        coverage,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "Returns > Return window\nYou can return any item within 30 days of delivery \
        for a full refund. Bedding can only be returned if the seal is unbroken.\n\
        Call customer service on 0800 123 4567.";

    #[test]
    fn supported_sentences_pass() {
        let g = Grounding::new(&[P], "How long do I have to return a lamp?");
        assert_eq!(
            g.check("You can return any item within 30 days of delivery."),
            Ok(())
        );
        assert_eq!(
            g.check("Yes, you have thirty days to return the lamp."),
            Ok(())
        );
        assert_eq!(g.check("You can call us on 0800 123 4567."), Ok(()));
        assert_eq!(g.check("Sorry about that."), Ok(()));
    }

    #[test]
    fn the_callers_own_words_back_are_no_answer() {
        let asked = "Once the check's done on my rental, when do I get the certificate through?";
        let g = Grounding::new(
            &["Certificates are emailed by the next working day."],
            asked,
        );
        assert_eq!(
            g.check("The check's done on my rental, when I get the certificate through."),
            Err(Unsupported::Echo)
        );
        assert_eq!(
            g.check("Certificates are emailed by the next working day."),
            Ok(())
        );
        // A yes or no answers with the caller's words.
        let g = Grounding::new(
            &["Yes, we do motorbike lessons."],
            "Do you do motorbike lessons?",
        );
        assert_eq!(g.check("Yes, we do motorbike lessons."), Ok(()));
    }

    #[test]
    fn invented_figures_and_policies_fail() {
        let g = Grounding::new(&[P], "How long do I have to return a lamp?");
        assert_eq!(
            g.check("You have 60 days."),
            Err(Unsupported::Number("60".into()))
        );
        assert!(g.check("Call 0800 999 4567 instead.").is_err());
        assert!(matches!(
            g.check("We offer free gift wrapping and price matching on every order."),
            Err(Unsupported::Words { .. })
        ));
    }

    #[test]
    fn figures_from_two_passages_are_not_combined() {
        let rows = [
            "Prices > Unit: Small\nSmall, per week: £12. Small, size: 25 sq ft.",
            "Prices > Unit: Large\nLarge, per week: £20. Large, size: 75 sq ft.",
        ];
        let g = Grounding::new(&rows, "How much is the large one and how big is it?");
        assert_eq!(
            g.check("The large unit is 75 sq ft and costs £20 a week."),
            Ok(())
        );
        assert_eq!(
            g.check("The large unit is 75 sq ft and costs £12 a week."),
            Err(Unsupported::Combined)
        );
        assert_eq!(g.check("The small unit costs £12."), Ok(()));
    }

    #[test]
    fn a_figure_is_not_told_of_a_name_from_another_passage() {
        let passages = [
            "Gas Safe\nOur Gas Safe registration number is 604218.",
            "Our engineers > Gareth Bell\nGareth Bell services gas boilers and drives Van 1.",
        ];
        let g = Grounding::new(&passages, "What's Gareth Bell's own Gas Safe ID number?");
        assert_eq!(
            g.check("Gareth Bell's own Gas Safe ID number is 604218."),
            Err(Unsupported::Combined)
        );
        assert_eq!(
            g.check("Our Gas Safe registration number is 604218."),
            Ok(())
        );
        assert_eq!(g.check("Gareth Bell drives Van 1."), Ok(()));
    }

    #[test]
    fn a_reduction_is_not_told_as_a_price() {
        let p = "On Boiler Plus the contribution is £250 for boilers under 8 years old. \
                 Boiler Plus is £21 a month.";
        let g = Grounding::new(&[p], "How much is Boiler Plus for the year?");
        assert_eq!(
            g.check("Boiler Plus costs £250 for boilers under 8 years old."),
            Err(Unsupported::Reduction("250".into()))
        );
        assert_eq!(g.check("On Boiler Plus the contribution is £250."), Ok(()));
        assert_eq!(g.check("Boiler Plus is £21 a month."), Ok(()));
        // A figure another passage gives as a price of its own may be said as one.
        let other = "A boiler service costs £250.";
        let g = Grounding::new(&[p, other], "How much is a boiler service?");
        assert_eq!(g.check("A boiler service costs £250."), Ok(()));
    }

    #[test]
    fn dont_know() {
        assert!(is_dont_know("I don't know."));
        assert!(is_dont_know("I'm not sure about that."));
        assert!(is_dont_know(
            "The passages do not mention gift wrapping, this is not mentioned."
        ));
        assert!(!is_dont_know("You can return any item within 30 days."));
    }

    #[test]
    fn a_yes_or_no_must_be_the_passages_own() {
        let faq =
            "FAQ > Can someone else get into my unit\nYes. You can name up to two other people.";
        let g = Grounding::new(&[faq], "Can my husband get into the unit?");
        assert_eq!(g.check("No."), Err(Unsupported::Polarity));
        assert_eq!(g.check("Yes."), Ok(()));
        assert_eq!(g.check("Yes, you can name up to two other people."), Ok(()));
        let plain = Grounding::new(&["Rules\nYou can name up to two other people."], "Can he?");
        assert_eq!(plain.check("No, he cannot."), Ok(()));
    }

    #[test]
    fn extracts_the_matching_sentence() {
        let got = extract(P, "Can I return bedding?", 1);
        assert_eq!(
            got,
            ["Bedding can only be returned if the seal is unbroken."]
        );
        assert!(extract(P, "Do you sell garden furniture?", 2).is_empty());
    }
}
