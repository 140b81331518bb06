//! Limits: "My boiler's about eleven years old now. Could I still get Boiler Basic?" is
//! answered by the rule that bounds the caller's figure ("Maximum boiler age at sign-up,
//! Boiler Basic: 10 years."), which the caller measures their figure against — not by a
//! sentence that happens to say "eleven". The caller's figure and the limit must be of one
//! measure (time, weight, length, or a number of people) and said of the same thing (a
//! topical word of the caller's sentence with the figure is in the limit's). Pure text rules;
//! no models.

use std::sync::LazyLock;

use regex::Regex;

use super::tiers::number;
use super::words::{content, is_generic, is_number, regex, tokens};
use crate::speech::tts::sentences;

/// What a figure measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Measure {
    Time,
    Weight,
    Length,
    People,
}

/// The measure of a unit word, if it is one.
fn measure(unit: &str) -> Option<Measure> {
    let unit = unit.trim_end_matches('s');
    Some(match unit {
        "minute" | "min" | "hour" | "hr" | "day" | "week" | "fortnight" | "month" | "year"
        | "yr" => Measure::Time,
        // Not "pounds": a price as often as a weight.
        "kg" | "kilo" | "kilogram" | "kilogramme" | "tonne" | "ton" | "lb" => Measure::Weight,
        "m" | "metre" | "meter" | "cm" | "centimetre" | "centimeter" | "foot" | "feet"
        | "inche" | "inch" | "mile" | "km" | "kilometre" | "kilometer" => Measure::Length,
        "people" | "person" | "guest" | "adult" | "passenger" | "pupil" | "player" | "visitor" => {
            Measure::People
        }
        _ => return None,
    })
}

/// A figure and the unit word after it ("11 years", "eleven years old", "25kg", "6 people").
fn figures(text: &str) -> Vec<Measure> {
    let t = tokens(&split_units(text));
    t.windows(2)
        .filter(|w| number(&w[0]).is_some())
        .filter_map(|w| measure(&w[1]))
        .collect()
}

/// "25kg" → "25 kg": a figure written against its unit.
fn split_units(text: &str) -> String {
    static GLUED: LazyLock<Regex> = LazyLock::new(|| regex(r"(\d)([a-zA-Z])"));
    GLUED.replace_all(text, "$1 $2").into_owned()
}

/// A sentence that states a bound: "maximum", "up to", "at least", "or older", "under".
static BOUND: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:maximum|max|minimum|min|up to|at most|at least|no more than|no less than|no older than|no younger than|older than|younger than|or older|or younger|or over|or under|or more|or less|under|over|limit)\b",
    )
});

/// What the caller says of their figure: the measure, and the topical words of the
/// sentence it is in.
pub(crate) struct Said {
    measure: Measure,
    about: Vec<String>,
}

/// The caller's one figure with a unit, in a question that asks yes or no; `None` when
/// there is none, or figures of two measures.
pub(crate) fn asked(text: &str) -> Option<Said> {
    // "If I'm a few days late paying, when does the late fee kick in?" asks when, not
    // whether a figure is within a limit.
    let all = sentences(text);
    let question = all.last().map_or("", String::as_str);
    if tokens(question).iter().any(|w| {
        matches!(
            w.as_str(),
            "when" | "what" | "what's" | "how" | "which" | "who" | "where" | "why" | "whose"
        )
    }) {
        return None;
    }
    let mut found = all.into_iter().filter_map(|s| {
        let m = *figures(&s).first()?;
        Some((m, s))
    });
    let (measure, sentence) = found.next()?;
    if found.any(|(m, _)| m != measure) {
        return None;
    }
    let about = topical(&sentence);
    (!about.is_empty()).then_some(Said { measure, about })
}

/// Content words that may name what a figure is of: not numbers, units nor generic words.
fn topical(text: &str) -> Vec<String> {
    content(&split_units(text))
        .into_iter()
        .filter(|w| w.len() >= 3 && !is_number(w) && !is_generic(w))
        .filter(|w| measure(w).is_none())
        .collect()
}

/// Whether `sentence` states a bound of the caller's measure on the thing their figure is
/// of: a bound word, a figure of the same measure, and a topical word of the caller's
/// sentence said before the sentence's value (a table row's names, or the whole sentence).
pub(crate) fn bounds(said: &Said, sentence: &str) -> bool {
    if !bounded_figure(sentence, said.measure) {
        return false;
    }
    let names = sentence.split_once(':').map_or(sentence, |(n, _)| n);
    let have = topical(names);
    said.about.iter().any(|w| have.contains(w))
}

/// Whether a bound word bounds a figure of `measure`: the figure follows it within a few
/// words ("up to 30 kg", "at least 3 years"), or the bound names a table cell whose value is
/// the figure ("Maximum boiler age at sign-up, Boiler Basic: 10 years"). Not "we write to
/// you at least twice" beside "unpaid for 90 days".
fn bounded_figure(sentence: &str, measure: Measure) -> bool {
    if let Some((names, value)) = sentence.split_once(':')
        && BOUND.is_match(names)
        && figures(value).contains(&measure)
    {
        return true;
    }
    BOUND.find_iter(sentence).any(|m| {
        let after: String = sentence[m.end()..]
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        figures(&after).contains(&measure)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_callers_figure_and_what_it_is_of() {
        let said =
            asked("My boiler's about eleven years old now. Could I still get Basic?").unwrap();
        assert_eq!(said.measure, Measure::Time);
        assert!(said.about.contains(&"boiler".to_string()));
        assert_eq!(asked("25kg").map(|s| s.measure), None);
        assert_eq!(
            asked("The box is 25kg, will you take it?").map(|s| s.measure),
            Some(Measure::Weight)
        );
        assert!(asked("Can I get Basic?").is_none());
        assert!(asked("If I'm a few days late paying, when does the late fee kick in?").is_none());
    }

    #[test]
    fn a_bound_of_the_same_measure_on_the_same_thing() {
        let said = asked("My boiler's about eleven years old. Could I get Boiler Basic?").unwrap();
        assert!(bounds(
            &said,
            "Maximum boiler age at sign-up, Boiler Basic: 10 years."
        ));
        // No bound, another measure, or a bound on something else.
        assert!(!bounds(&said, "Boiler Basic, monthly price: £11."));
        assert!(!bounds(&said, "Boilers up to 30 kg are collected free."));
        assert!(!bounds(
            &said,
            "Customers of at least 5 years get a discount."
        ));
        assert!(bounds(&said, "We cover boilers up to 10 years old."));
        let late = asked("I'm a few days late paying. Will my boiler be sold?").unwrap();
        let sold =
            "If your boiler is unpaid for 90 days, we may sell it, after writing at least twice.";
        assert!(!bounds(&late, sold));
    }
}
