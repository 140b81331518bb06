//! Whether the caller names one cell of a table: its row's label and its column's header
//! ("what's the monthly on the all-singing all-dancing one, Home Complete?": the row
//! "Monthly price", the column "Home Complete"). A row named that way is as sure a match as a
//! close meaning, whatever else the caller says around it. Owns this check only.

use std::sync::LazyLock;

use regex::Regex;

use super::aliases::split_resolved;
use super::asks::{asked_part, denied_words};
use super::kb::Chunk;
use super::slots::{Period, day_covered, is_slot_word, is_yes_no, period_of, periods};
use super::unknown::topical;
use super::words::{content, final_e_apart, is_generic, is_number, regex, tokens};
use crate::speech::tts::sentences;

/// What the caller asks of a table: the words of this turn and, for a follow-up, of the
/// question before ("How much is a single lesson in a manual?" — "And in an automatic?").
pub(crate) struct Asking {
    /// Everything said: the question before, then this turn.
    pub(super) said: Said,
    /// A follow-up's own words: the cell must be in the row or the column they name.
    new: Option<Said>,
    /// This turn's topical words that the knowledge base uses: all must be in the row.
    pub(super) known: Vec<String>,
}

impl Asking {
    /// `None` for a yes-or-no question ("can I pay the monthly on Home Complete by card?"
    /// asks about paying, not the price) or a choice ("large or extra large?" asks which,
    /// or to compare), now or in the question before.
    pub(crate) fn of(
        text: &str,
        context: Option<&str>,
        knows: &dyn Fn(&str) -> bool,
    ) -> Option<Asking> {
        if !asks_a_cell(text, context) {
            return None;
        }
        let question = context.map_or_else(|| text.to_string(), |c| format!("{c} {text}"));
        // "What's the damage?" asks a price. A nickname's words are the caller's colour
        // once its names are added ("the hybrid" is the automatic car, not in the row).
        let (own, added) = split_resolved(text);
        let added = content(added);
        // "…if I haven't got a plan": what is not so names no row.
        let denied = denied_words(own);
        let known = topical(&own.to_lowercase().replace("the damage", "the price"))
            .into_iter()
            .filter(|w| knows(w) && !added.contains(w) && !denied.contains(w))
            .collect();
        Some(Asking {
            said: Said::of(&question),
            new: context.map(|_| Said::of(text)),
            known,
        })
    }

    /// Whether a cell may answer: any named cell answers a first question; a follow-up's
    /// must be in the row (`row_named` by its words) or the column `header` it names itself.
    pub(super) fn binds(&self, row_named: impl Fn(&Said) -> bool, header: &str) -> bool {
        self.new
            .as_ref()
            .is_none_or(|new| row_named(new) || new.names(header))
    }
}

/// Whether the turn (and the question before a follow-up) could ask for one cell: neither a
/// yes-or-no question nor a choice ("large or extra large?" asks which, or to compare).
pub(crate) fn asks_a_cell(text: &str, context: Option<&str>) -> bool {
    // "My boiler's eleven years old. Could I still get Boiler Basic?" asks yes or no.
    [Some(text), context].into_iter().flatten().all(|part| {
        !is_yes_no(&tokens(&asked_part(part))) && !tokens(part).iter().any(|w| w == "or")
    })
}

/// The one cell of `rows` (the top three hits and the other rows of their tables) whose row
/// label and column header the caller names: its sentence ("Monthly price, Home Complete:
/// £32.") and its row's id. `None` when none is named or more than one is ("the large one"
/// names "Large", not "Extra large").
pub(crate) fn named_cell<'c>(
    rows: impl IntoIterator<Item = &'c Chunk>,
    asking: &Asking,
) -> Option<(String, String)> {
    let mut named = rows
        .into_iter()
        .filter(|c| all_here(c, &asking.known))
        .flat_map(|c| {
            let label = c.names.first().filter(|l| asking.said.names(l));
            label
                .map(|l| named_columns(c, l, asking))
                .unwrap_or_default()
                .into_iter()
                .map(|sentence| (sentence, c.id.clone()))
        });
    let first = named.next()?;
    if named.next().is_some() {
        return None;
    }
    tracing::debug!(id = %first.1, sentence = %first.0, "agent: the question names a table cell");
    Some(first)
}

/// Whether every word of `known` (the question's topical words that the knowledge base uses)
/// is in the row `c` (its headings or cells): "what's the first boat out to Skellan on a
/// Saturday?" names the cell "Saturday, Skellan" of the ticket offices' hours, but its "first
/// boat" is elsewhere. Words the knowledge base never uses are the caller's colour ("the
/// all-singing one").
pub(super) fn all_here(c: &Chunk, known: &[String]) -> bool {
    let here = content(&c.text);
    // "On a weekday" is here in a row for "Monday to Friday".
    known
        .iter()
        .all(|w| here.contains(w) || day_covered(w, &c.text))
}

/// A period word that says how old or how long ago ("years old", "weeks ago").
static AGE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:years?|months?|weeks?|days?)\s+(?:old|ago)\b"));

/// The content words someone said and the periods they name.
#[derive(Debug, Default)]
pub(super) struct Said {
    pub(super) words: Vec<String>,
    periods: Vec<Period>,
}

impl Said {
    pub(super) fn of(text: &str) -> Said {
        Said {
            words: content(text),
            // "Eleven years old", "two weeks ago" say an age, not a price per year or week.
            periods: periods(&AGE.replace_all(text, " ")),
        }
    }

    /// Whether one naming word of `header` is said (a period word by its period: "a month"
    /// names "Monthly").
    pub(super) fn names_any(&self, header: &[String]) -> bool {
        header.iter().any(|w| match period_of(w) {
            Some(p) => self.periods.contains(&p),
            None => self.words.contains(w),
        })
    }

    /// Whether the caller names `phrase` (a row label or a column header): each of its
    /// words said, a period word by the same period ("a month" for "Monthly"), a word that
    /// only says the kind of fact ("price", "fee") said or not — and one word at least said.
    pub(super) fn names(&self, phrase: &str) -> bool {
        let words: Vec<String> = content(&without_note(phrase))
            .into_iter()
            .filter(|w| !is_number(w) && !is_generic(w))
            .collect();
        let mut said_one = false;
        for w in &words {
            let said = match period_of(w) {
                Some(p) => self.periods.contains(&p),
                None if is_slot_word(w) => continue,
                // "Serviced" says "service" (`servic` and `service`).
                None => self.words.iter().any(|s| s == w || final_e_apart(s, w)),
            };
            if !said {
                return false;
            }
            said_one = true;
        }
        said_one
    }
}

/// A header without a note in brackets, unless that leaves only words of the kind of fact
/// ("Callout fee (includes first hour)" is named by "callout fee"), or when the note says a
/// period ("Price (per month)" is named by "a month", "Fee (adult)" by "adult").
fn without_note(phrase: &str) -> String {
    let Some((before, rest)) = phrase.split_once('(') else {
        return phrase.to_string();
    };
    let after = rest.split_once(')').map_or("", |(_, a)| a);
    let note = rest.split_once(')').map_or(rest, |(n, _)| n);
    let outside = format!("{before} {after}");
    let names_enough = content(&outside)
        .iter()
        .any(|w| !is_number(w) && !is_generic(w) && !is_slot_word(w) && period_of(w).is_none());
    if !names_enough {
        return phrase.to_string();
    }
    // "(per month)" says the period of the cell; "(includes first hour)" is a note.
    let note_words = content(note);
    let a_period = note_words
        .iter()
        .all(|w| period_of(w).is_some() || w == "per" || is_number(w));
    if a_period {
        format!("{outside} {note}")
    } else {
        outside
    }
}

/// The sentences of the row `c` whose column header (one its cells are read with, not a
/// heading above the table) the caller names, other than its label.
fn named_columns(c: &Chunk, label: &str, asking: &Asking) -> Vec<String> {
    let body = c.text.split_once('\n').map_or("", |(_, b)| b);
    let sentences = sentences(body);
    c.names
        .iter()
        .skip(1)
        .filter(|h| h.as_str() != label && asking.said.names(h))
        .filter(|h| asking.binds(|new| new.names(label), h))
        .filter_map(|h| {
            let cell = format!(", {}:", h.to_lowercase());
            sentences.iter().find(|s| s.to_lowercase().contains(&cell))
        })
        .cloned()
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::dialog::kb::Hit;
    use crate::dialog::kb::chunker::chunk_document;

    const PLANS: &str = "# Plans\n\n\
        |  | Boiler Basic | Home Complete |\n|---|---|---|\n\
        | Monthly price | £14 | £32 |\n| Callouts per year | 2 | Unlimited |\n";

    fn hits() -> Vec<Hit> {
        hits_of(PLANS)
    }

    /// The words of `markdown`, as a knowledge base of it knows them.
    fn knows(markdown: &str) -> impl Fn(&str) -> bool {
        let words = content(markdown);
        move |w| words.iter().any(|x| x == w)
    }

    /// The cell a first question names in the rows `hits` of `markdown`.
    fn ask(hits: &[Hit], q: &str, markdown: &str) -> Option<(String, String)> {
        let rows = hits.iter().map(|h| h.chunk.as_ref());
        Asking::of(q, None, &knows(markdown)).and_then(|a| named_cell(rows, &a))
    }

    /// Every chunk of `markdown` as a hit of equal score.
    pub(in crate::dialog) fn hits_of(markdown: &str) -> Vec<Hit> {
        chunk_document("doc.md", markdown)
            .into_iter()
            .map(|c| Hit {
                chunk: Arc::new(c),
                score: 0.3,
                lexical: 0.3,
                semantic: 0.3,
            })
            .collect()
    }

    #[test]
    fn a_row_and_a_column_named_name_a_cell() {
        let hits = hits();
        for q in [
            "What's the monthly on the all-singing all-dancing one, Home Complete?",
            "How much a month is Boiler Basic?",
            "How many callouts a year do I get with Home Complete?",
        ] {
            assert!(ask(&hits, q, PLANS).is_some(), "{q}");
        }
    }

    const CALLOUTS: &str = "# Rates\n\nThese rates are for customers without a cover plan.\n\n\
        ## Callouts\n\n\
        | Rate band | Day | Callout fee (includes first hour) | Each extra 30 minutes |\n\
        |---|---|---|---|\n\
        | Daytime | Monday to Friday | £89 | £29 |\n\
        | Evening | Monday to Friday | £119 | £39 |\n\
        | Weekend | Saturday | £109 | £34 |\n\
        | Weekend | Sunday | £129 | £44 |\n";

    #[test]
    fn a_note_in_a_header_a_weekday_and_what_is_not_so_need_not_be_in_the_row() {
        let hits = hits_of(CALLOUTS);
        let q = "What's your callout fee on a weekday evening if I haven't got a plan?";
        let (sentence, _) = ask(&hits, q, CALLOUTS).expect("the evening callout fee");
        assert!(sentence.contains("£119"), "{sentence}");
        // A day the row does not cover, or a plan the caller has, is not in the row.
        let sunday = "What's your callout fee on a Sunday evening?";
        assert_eq!(ask(&hits, sunday, CALLOUTS), None);
        let plan = "What's your callout fee on a weekday evening if I've got a cover plan?";
        assert_eq!(ask(&hits, plan, CALLOUTS), None);
    }

    #[test]
    fn a_label_with_words_not_said_is_not_named() {
        let units = "# Units\n\n| Unit | Per week | Per month |\n|---|---|---|\n\
            | Large | £27.50 | £114 |\n| Extra large | £38.25 | £159 |\n";
        let hits = hits_of(units);
        let (sentence, _) = ask(&hits, "The large one, monthly, what's the damage?", units)
            .expect("the Large row's monthly cell");
        assert!(
            sentence.starts_with("Large,") && sentence.ends_with("£114."),
            "{sentence}"
        );
        assert_eq!(
            ask(&hits, "Large or extra large, what's it a month?", units),
            None
        );
    }

    #[test]
    fn a_question_about_something_else_in_the_knowledge_base_names_no_cell() {
        let hours = "# Ticket office hours\n\n| Day | Port Alder | Skellan |\n|---|---|---|\n\
            | Saturday | 8 am – 6 pm | 8 am – 7:45 pm |\n\n\
            # Timetable\n\nThe first boat leaves Port Alder at 7 am.\n";
        let q = "What's the first boat out to Skellan on a Saturday?";
        assert_eq!(ask(&hits_of(hours), q, hours), None);
        let q = "What time's the ticket office at Skellan open till on a Saturday?";
        assert!(ask(&hits_of(hours), q, hours).is_some());
    }

    #[test]
    fn the_cell_named_is_read() {
        let hits = hits();
        let q = "What's the monthly on the all-singing all-dancing one, Home Complete?";
        let (sentence, id) = ask(&hits, q, PLANS).expect("a cell");
        assert!(sentence.ends_with("Home Complete: £32."), "{sentence}");
        assert!(id.ends_with("monthly-price"), "{id}");
    }

    #[test]
    fn a_row_or_a_column_alone_or_a_yes_or_no_names_none() {
        let hits = hits();
        for q in [
            "How much is Home Complete?",
            "What's the monthly price?",
            "How much is Home Complete a year?",
            "Can I pay the monthly on Home Complete by card?",
            "My boiler is ten years old. Could I get Home Complete monthly?",
        ] {
            assert_eq!(ask(&hits, q, PLANS), None, "{q}");
        }
    }

    #[test]
    fn an_age_names_no_period() {
        let plans = "# Plans\n\n|  | Boiler Basic |\n|---|---|\n| Annual price | £154 |\n";
        let hits = hits_of(plans);
        let q = "My boiler's eleven years old, what's Boiler Basic?";
        assert_eq!(ask(&hits, q, plans), None);
        let yearly = ask(&hits, "What's Boiler Basic for a year?", plans);
        assert!(yearly.is_some_and(|(s, _)| s.contains("£154")));
    }

    #[test]
    fn a_follow_up_names_the_cell_with_the_question_before() {
        let hits = hits();
        let asked = |text: &str, before: &str| {
            Asking::of(text, Some(before), &knows(PLANS))
                .and_then(|a| named_cell(hits.iter().map(|h| h.chunk.as_ref()), &a))
                .map(|(s, _)| s)
        };
        let before = "What's the monthly price of Boiler Basic?";
        let other_plan = asked("And on Home Complete?", before);
        assert_eq!(
            other_plan.as_deref(),
            Some("Monthly price, Home Complete: £32.")
        );
        let other_row = asked("And the callouts per year?", before);
        assert_eq!(
            other_row.as_deref(),
            Some("Callouts per year, Boiler Basic: 2.")
        );
        // Nothing new named: the cell before is not read again as if newly asked.
        assert_eq!(asked("And why is that?", before), None);
        assert_eq!(
            asked("And on Home Complete?", "Can I pay Boiler Basic monthly?"),
            None
        );
    }
}
