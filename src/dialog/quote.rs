//! Quoting the knowledge base (`answer_style = "quoted_first"`): the sentence of the top
//! passages that plainly answers the question — closest in meaning (MiniLM), or covering the
//! question's topical words — spoken as written, with a close second from the same passage and
//! the sentence a pronoun leans on (one unit with it). Grounded by construction and about a second sooner than
//! the model on a CPU. Owns the choice of sentences, and finding the look-alike a question
//! does not choose between (the rule is `look_alike.rs`'s).

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::asks::{
    alternatives, asks_exclusions, asks_list, asks_own_time, asks_who, business_acts, names_one_of,
    names_people, says_exclusion,
};
use super::clock;
use super::colloquial::standardised;
use super::conditions::figure_only_in_condition;
use super::exceptions;
use super::grounding;
use super::instructions::{asks_what_to_do, instructs};
use super::kb::{Embedder, Vocabulary};
use super::limits;
use super::look_alike;
use super::permission;
use super::prompt::Passage;
use super::slots::{
    Kind, Slot, asks_comparison, comparison_fits, counts_fit, covers_days, days_fit, figures_fit,
    gives_names, is_slot_word, label_fits, label_phrase_fits, names_fit, names_source,
    narrowed_fits, says_days, says_kind_of_fact,
};
use super::when_asked;
use super::words::{content, is_generic, is_number, one_edit_apart};
use crate::speech::tts::sentences;

/// What a sentence must give to answer the question: the slot's kind and period, and for a
/// table row, every row or column name the question gives.
pub(crate) struct Fit<'a> {
    pub(crate) slot: Slot,
    /// The caller's words of this turn, and the question before when this is a follow-up.
    pub(crate) text: &'a str,
    pub(crate) context: Option<&'a str>,
    /// The knowledge base's words: every content word, and those naming rows and columns.
    pub(crate) vocabulary: &'a Vocabulary,
    /// The two sides of a choice the caller offers ("the daytime price or the evening
    /// price?"), read once from `text`.
    choice: Option<(String, String)>,
}

impl<'a> Fit<'a> {
    pub(crate) fn new(
        slot: Slot,
        text: &'a str,
        context: Option<&'a str>,
        vocabulary: &'a Vocabulary,
    ) -> Self {
        Fit {
            slot,
            text,
            context,
            vocabulary,
            choice: alternatives(text),
        }
    }

    /// The same fit for other words of the caller's (the question without the story told
    /// before it).
    pub(crate) fn with_text(&self, text: &'a str) -> Self {
        Fit::new(self.slot, text, self.context, self.vocabulary)
    }

    /// Whether passage `p` may be used at all: prose, or a table row the caller asked about.
    pub(crate) fn passage(&self, p: &Passage) -> bool {
        let both = format!("{} {}", self.context.unwrap_or(""), self.text);
        p.names.first().is_none_or(|label| {
            names_row(&both, label)
                && self.band_fits(p)
                && label_phrase_fits(self.text, label, (&p.text, &p.text), self.vocabulary)
        })
    }

    /// The sentences of passage `p` that answer what was asked, in their order. A table row
    /// is first judged whole, once: its length and its time band must be the caller's. When
    /// the caller offers a choice, only sentences naming one of its two sides answer.
    pub(crate) fn fitting<'s>(
        &self,
        p: &Passage,
        lines: impl IntoIterator<Item = &'s str>,
    ) -> Vec<&'s str> {
        if !p.names.is_empty() && !counts_fit(self.text, &p.text) {
            return Vec::new();
        }
        self.bounding(p, lines)
    }

    /// [`Fit::fitting`] for sentences that bound the caller's figure rather than give it: a
    /// table row's length need not be the one the caller counts ("Maximum boiler age, Boiler
    /// Basic: 10 years" for a boiler "eleven years old").
    pub(crate) fn bounding<'s>(
        &self,
        p: &Passage,
        lines: impl IntoIterator<Item = &'s str>,
    ) -> Vec<&'s str> {
        if !p.names.is_empty() && !self.band_fits(p) {
            return Vec::new();
        }
        let days = day_cells(p);
        // "The daytime price or the evening price?" is answered by a sentence naming one.
        lines
            .into_iter()
            .filter(|s| self.choice.as_ref().is_none_or(|c| names_one_of(s, c)))
            .filter(|s| self.sentence(p, s, &days))
            .collect()
    }

    /// Whether `sentence` of passage `p` (whose row has already been judged whole, and whose
    /// day cells are `days`) answers what was asked.
    fn sentence(&self, p: &Passage, sentence: &str, days: &[String]) -> bool {
        // "Mileage over the free miles is still charged (see Van hire)." points to the
        // answer rather than giving it.
        if self.is_specific() && refers_elsewhere(sentence) {
            return false;
        }
        if !self.slot.fits(sentence)
            || !narrowed_fits(self.text, self.slot, sentence)
            || !comparison_fits(self.text, sentence)
        {
            return false;
        }
        if p.names.is_empty() {
            return days_fit(self.text, sentence)
                && !figure_only_in_condition(self.text, self.slot, sentence);
        }
        if !figures_fit(self.text, sentence) || !count_column_named(self.text, self.slot, sentence)
        {
            return false;
        }
        let heading = without_lead_in(p.text.split_once('\n').map_or("", |(h, _)| h));
        let asked = names_source(self.text, self.context, self.vocabulary.names());
        let label = p.names.first().map_or("", String::as_str);
        let both = format!("{} {}", self.context.unwrap_or(""), self.text);
        let row = format!("{heading}\n{sentence}");
        // "The Eastgate pool from Eastgate Central" names another cell of the row the
        // distance sentence is in.
        if !names_row(&both, label)
            || !label_phrase_fits(self.text, label, (&row, &p.text), self.vocabulary)
        {
            return false;
        }
        // The row's days are in a cell of their own ("Night, day: any day."): a question
        // naming a day is judged on them.
        let row = if covers_days(sentence) || days.is_empty() {
            row
        } else {
            std::iter::once(row)
                .chain(days.iter().cloned())
                .collect::<Vec<_>>()
                .join("\n")
        };
        if asked == self.text {
            let have = content(&row);
            return (names_fit(asked, &row, self.vocabulary.names()) || self.names_in_row(p, &row))
                && self.kept_names(p).iter().all(|w| have.contains(w));
        }
        // A follow-up asks for another column of the same row ("what's the deposit on a
        // medium unit?" → "how much is that one per month?"): the question before still
        // names the row, but its column names no longer bind.
        let columns: HashSet<String> = p.names.iter().skip(1).flat_map(|n| content(n)).collect();
        let rows: HashSet<String> = self
            .vocabulary
            .names()
            .difference(&columns)
            .cloned()
            .collect();
        names_fit(asked, &row, &rows)
    }

    /// Whether the caller's names are in the row `p` whose sentence `row` is read: the words
    /// of column headers in that sentence, the others anywhere in the row ("the junior gym
    /// membership" is the "Junior Active" row, whose "included" cell says "junior gym").
    fn names_in_row(&self, p: &Passage, row: &str) -> bool {
        let (of_columns, of_rows) = self.vocabulary.names_by_kind();
        names_fit(self.text, row, of_columns)
            && names_fit(self.text, &format!("{row}\n{}", p.text), of_rows)
    }

    /// The names of the question before that a follow-up giving names of its own keeps:
    /// those found in a row of this passage beside the follow-up's names ("Harbourside" for
    /// "and on Sundays?" after "the Harbourside office on weekdays"). A name never beside
    /// them was replaced by them ("weekdays").
    fn kept_names(&self, p: &Passage) -> Vec<String> {
        let Some(before) = self.context else {
            return Vec::new();
        };
        let body = p.text.split_once('\n').map_or(p.text.as_str(), |(_, b)| b);
        let beside: Vec<Vec<String>> = sentences(body)
            .iter()
            .filter(|r| names_fit(self.text, r, self.vocabulary.names()))
            .map(|r| content(r))
            .collect();
        let own = content(self.text);
        content(before)
            .into_iter()
            .filter(|w| w.len() >= 3 && self.vocabulary.names().contains(w) && !own.contains(w))
            .filter(|w| !is_slot_word(w) && !is_number(w))
            .filter(|w| beside.iter().any(|r| r.contains(w)))
            .collect()
    }

    /// Whether a table row holds the time of day the caller gives ("eleven at night" is in
    /// the "10pm to 8am" band), unless the caller asks for a time.
    fn band_fits(&self, p: &Passage) -> bool {
        self.slot.kind.is_none_or(|k| k == Kind::Clock) || clock::band_fits(self.text, &p.text)
    }

    fn gives_names(&self) -> bool {
        gives_names(
            names_source(self.text, self.context, self.vocabulary.names()),
            self.vocabulary.names(),
        )
    }

    /// Whether the question asks something specific a sentence can be checked against.
    fn is_specific(&self) -> bool {
        self.slot.kind.is_some()
    }
}

/// The cells of table row `p` that give its days ("Night, day: any day."). Not days that
/// head columns: "Main phone line, saturday: 9am to 1pm" is no day of the bank holidays cell.
fn day_cells(p: &Passage) -> Vec<String> {
    if p.names.is_empty() {
        return Vec::new();
    }
    let body = p.text.split_once('\n').map_or("", |(_, b)| b);
    sentences(body)
        .into_iter()
        .filter(|s| split_label(s).is_some_and(|(_, value)| covers_days(value)))
        .collect()
}

/// Whether a table row's cell may give the count asked: "how many free guest passes do I
/// get on Active Max?" is not answered by "Active Max, joining fee: no joining fee" — a cell
/// saying "no …" rather than a figure counts only in a column the caller names.
fn count_column_named(question: &str, slot: Slot, sentence: &str) -> bool {
    if slot.kind != Some(Kind::Count) {
        return true;
    }
    let Some((column, value)) = sentence
        .split_once(':')
        .and_then(|(names, value)| Some((names.split_once(',')?.1, value)))
    else {
        return true;
    };
    let says_none = super::words::tokens(value)
        .first()
        .is_some_and(|w| matches!(w.as_str(), "no" | "none" | "not" | "nil" | "n/a"));
    if !says_none {
        return true;
    }
    let asked = content(question);
    content(column)
        .iter()
        .any(|w| asked.iter().any(|a| a == w || one_edit_apart(a, w)))
}

/// Whether the caller's words name the row `label`, as said or with their colloquial words
/// written out ("for a kid" names the row "Child (5 to 15)").
fn names_row(said: &str, label: &str) -> bool {
    label_fits(said, label) || label_fits(&standardised(said), label)
}

/// How similar a sentence must be to the question to be quoted (`quoted_first`).
const QUOTE_SEMANTIC: f32 = 0.6;
/// A second sentence is quoted too when this close to the best.
const QUOTE_SECOND_MARGIN: f32 = 0.06;
/// A sentence sure of itself (see `best`) that fits the question's slot needs only this.
const QUOTE_SURE_SEMANTIC: f32 = 0.35;
/// Or the share of the question's content words it must cover.
const QUOTE_COVERAGE: f32 = 0.5;

/// What quoting found: a line to speak and its source, or two look-alike facts to ask
/// between (see [`super::look_alike`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Quoted {
    Line(String, String),
    Which(String, String),
}

/// How close (cosine) a look-alike from another passage must come to the best sentence to be
/// asked about.
const LOOK_ALIKE_MARGIN: f32 = 0.08;

/// The sentence of the top knowledge passages that plainly answers `question`: the most
/// similar by meaning (MiniLM, heading included) when that similarity is at least
/// [`QUOTE_SEMANTIC`], or the one covering [`QUOTE_COVERAGE`] of the question's content
/// words. `None` sends the turn to the language model.
/// `context` is the question before a follow-up ("How much is express delivery?" before "and
/// how long does it take?"): similarity to it counts a third.
/// `ask_which`: whether look-alike facts may be asked about (not again right after asking).
pub(crate) fn best(
    embedder: &Embedder,
    passages: &[Passage],
    question: &str,
    context: Option<&str>,
    fit: &Fit<'_>,
    ask_which: bool,
) -> Option<Quoted> {
    // Prose is quoted from the top three passages; a table row from any of them, since a
    // row whose names and slot fit is the answer wherever retrieval ranked it.
    let top: Vec<(usize, &Passage)> = quotable(passages).collect();
    let mut candidates: Vec<(String, String, &str)> = Vec::new();
    // Sure of itself: a table row's sentence, whose names the question has given. (Not "the
    // only sentence of the top passage with a duration": retrieval ranked "damaged parcels:
    // within 48 hours" first for "I'd like to send my lamp back, how long have I got?".)
    let mut sure: Vec<bool> = Vec::new();
    for (_, p) in &top {
        let (heading, body) = p.text.split_once('\n').unwrap_or(("", p.text.as_str()));
        let all = sentences(body);
        // A sentence that leans on the one before it ("Its joining fee is £15") is one unit
        // with it: judged, compared and spoken together.
        // A bare "Yes." is one unit with the sentence that says what yes means.
        let units: Vec<String> = all
            .iter()
            .enumerate()
            .map(|(j, s)| match (j.checked_sub(1), all.get(j + 1)) {
                (_, Some(next)) if is_bare_reply(s) => format!("{s} {next}"),
                (Some(before), _) if leans_back(s) => format!("{} {s}", all[before]),
                _ => s.clone(),
            })
            .collect();
        let fitting: Vec<String> = fit
            .fitting(p, units.iter().map(String::as_str))
            .into_iter()
            .map(str::to_string)
            .collect();
        tracing::debug!(id = %p.id, sentences = all.len(), fit = fitting.len(), first = ?all.first(), "agent: quotable");
        for s in fitting {
            candidates.push((format!("{heading}\n{s}"), s, p.id.as_str()));
            sure.push(!p.names.is_empty());
        }
    }
    // "What isn't covered?" asks what a rule leaves out: a sentence saying what is covered
    // is its opposite, so a negated sentence answers when there is one.
    if asks_exclusions(question) {
        prefer(&mut candidates, &mut sure, says_exclusion);
    }
    // "Who can drive?" is answered by a sentence naming people ("Drivers must be aged 23 to
    // 75"), not by one about the same thing that names nobody ("Bring the licence").
    if asks_who(question) {
        prefer(&mut candidates, &mut sure, names_people);
    }
    // "How long have I got to ask for a refund?" is the caller's time to act, not the
    // business's ("We pay refunds back within 10 working days").
    if asks_own_time(question) {
        prefer(&mut candidates, &mut sure, |s| !business_acts(s));
    }
    // "What do I do about that?" is answered by a sentence telling the caller what to do,
    // not by one describing the trouble.
    if asks_what_to_do(question) {
        prefer(&mut candidates, &mut sure, instructs);
    }
    // "When do I get the certificate?" is answered by a sentence that says when outright
    // ("by the end of the next working day"), not only "before we visit".
    if when_asked::asks_when(question, fit.slot) {
        prefer(&mut candidates, &mut sure, when_asked::says_when_outright);
    }
    // "I'm on Boiler Plus … do I get anything towards a replacement?" is answered by the
    // sentence naming Boiler Plus, not by its neighbour in the same passage about Home Complete.
    keep_named(&mut candidates, &mut sure, &proper_names(question));
    if candidates.is_empty() {
        return None;
    }
    let texts: Vec<&str> = candidates.iter().map(|(t, _, _)| t.as_str()).collect();
    // Caller words are embedded apart: only knowledge sentences go to the disk cache.
    let asked: Vec<&str> = std::iter::once(question).chain(context).collect();
    let (asked, rest) = match (embedder.embed(&asked), embedder.embed_documents(&texts)) {
        (Ok(a), Ok(r)) => (a, r),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "agent: cannot embed sentences to quote");
            return None;
        }
    };
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let cosine = |v: &Vec<f32>| match asked.get(1) {
        Some(ctx) => 2.0 / 3.0 * dot(&asked[0], v) + 1.0 / 3.0 * dot(ctx, v),
        None => dot(&asked[0], v),
    };
    let mut ranked: Vec<(usize, f32)> = rest.iter().map(cosine).enumerate().collect();
    // A question that names a table's row or column is answered from a row that fits those
    // names rather than from prose that happens to be close ("a small van for half a day"
    // from the van table, not "a small van free for half a day on move-in day").
    if fit.is_specific() && sure.iter().any(|s| *s) && fit.gives_names() {
        ranked.retain(|(i, _)| sure[*i]);
    }
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let coverage: Vec<f32> = candidates
        .iter()
        .map(|(t, _, _)| {
            let said = grounding::extract_scored(t, question, 1).1;
            said.max(grounding::extract_scored(t, &standardised(question), 1).1)
        })
        .collect();
    let (best, sim, by_coverage) = match ranked.first() {
        Some(&(i, sim)) if sim >= QUOTE_SEMANTIC => (i, sim, false),
        // A sentence sure of itself that gives the asked kind of fact (for every name asked)
        // is the answer even when its terse wording is far from the question's.
        Some(&(i, sim)) if sure[i] && fit.is_specific() && sim >= QUOTE_SURE_SEMANTIC => {
            (i, sim, false)
        }
        // "What's the most I can put on a voucher?": only a sentence that compares or states
        // a limit fits at all, so one that does is the answer when it is near enough.
        Some(&(i, sim)) if asks_comparison(question) && sim >= QUOTE_SURE_SEMANTIC => {
            (i, sim, false)
        }
        // No sentence is close in meaning: the most similar of those that cover enough
        // of the question's words.
        _ => ranked
            .iter()
            .find(|(i, _)| coverage[*i] >= QUOTE_COVERAGE)
            .map(|&(i, sim)| (i, sim, true))?,
    };
    tracing::debug!(sim, coverage = coverage[best], sentence = %candidates[best].1, "agent: quote");
    let said = format!("{} {question}", context.unwrap_or(""));
    if ask_which && fit.is_specific() && !says_days(&said) {
        let about_id = |id: &str| {
            top.iter()
                .find(|(_, p)| p.id == id)
                .map_or("", |(_, p)| about(p))
        };
        let look_alike = |&(j, sim_j): &(usize, f32)| {
            // A sentence chosen for the question's words, none being close in meaning, has
            // look-alikes only among those that say the question's words as well: "valid for
            // 2 years" of the gift vouchers is not confused with lost property's "3 months".
            let other = candidates[j].2 != candidates[best].2
                && sim_j >= sim - LOOK_ALIKE_MARGIN
                && (!by_coverage || coverage[j] >= QUOTE_COVERAGE);
            let (a, b) = (
                look_alike::Candidate {
                    about: about_id(candidates[best].2),
                    sentence: &candidates[best].1,
                },
                look_alike::Candidate {
                    about: about_id(candidates[j].2),
                    sentence: &candidates[j].1,
                },
            );
            other.then(|| look_alike::which(&said, &a, &b)).flatten()
        };
        if let Some((a, b)) = ranked
            .iter()
            .filter(|(j, _)| *j != best)
            .find_map(look_alike)
        {
            tracing::debug!(%a, %b, "agent: look-alike facts, asking which");
            return Some(Quoted::Which(a, b));
        }
    }
    let source = candidates[best].2;
    // "What do I need to bring?" is answered by the whole list, not its closest item.
    if !fit.is_specific()
        && asks_list(question)
        && let Some((_, p)) = top.iter().find(|(_, p)| p.id == source)
        && let Some(line) = whole_list(&p.text, &candidates[best].1, question)
    {
        return Some(Quoted::Line(line, source.to_string()));
    }
    // A close second from the same passage completes the answer ("…can be cancelled
    // within 2 hours" + "To cancel, use…"), spoken in the passage's order.
    let mut chosen = vec![best];
    // Not when the question asks for one fact: a second sentence giving the same kind of
    // fact is a look-alike ("small box — 2.50", then "medium box — 3.25").
    if let Some(&(second, sim2)) = ranked.get(1)
        && !fit.is_specific()
        && candidates[second].2 == source
        && sim2 >= sim - QUOTE_SECOND_MARGIN
    {
        chosen.push(second);
    }
    chosen.sort_unstable();
    chosen.dedup();
    // Units may share a sentence (the one a pronoun leans on): each is spoken once. "There is
    // no parking of our own" is spoken with the sentence after it that says what there is
    // instead (which plays no part in choosing it).
    let passage = top
        .iter()
        .find(|(_, p)| p.id == source)
        .map_or("", |(_, p)| p.text.as_str());
    let spoken = with_instead(
        passage,
        chosen.iter().flat_map(|&i| sentences(&candidates[i].1)),
    );
    // "Our engineers can't take cash" goes on with "Cash, at the office counter only".
    let spoken = exceptions::with_way_it_can(passage, question, spoken);
    let line = spoken.join(" ");
    Some(Quoted::Line(line, source.to_string()))
}

/// The one sentence of the passages that bounds the caller's figure ("Maximum boiler age at
/// sign-up, Boiler Basic: 10 years." for "my boiler's eleven years old, could I get Boiler
/// Basic?"), with its passage's id: prose from the top three, a table row from any, and only
/// sentences that fit what was asked. `None` when none does or two different ones do.
pub(crate) fn limit(
    passages: &[Passage],
    fit: &Fit<'_>,
    said: &limits::Said,
) -> Option<(String, String)> {
    let mut found: Vec<(String, &str)> = Vec::new();
    for (_, p) in quotable(passages) {
        let body = p.text.split_once('\n').map_or(p.text.as_str(), |(_, b)| b);
        let all = sentences(body);
        for s in fit.bounding(p, all.iter().map(String::as_str)) {
            if limits::bounds(said, s) && !found.iter().any(|(f, _)| f == s) {
                found.push((s.to_string(), &p.id));
            }
        }
    }
    // "…could I get Boiler Basic?": the limit naming what the caller names, when one does.
    let names = proper_names(fit.text);
    if found.iter().any(|(s, _)| names_all(&names, s)) {
        found.retain(|(s, _)| names_all(&names, s));
    }
    tracing::debug!(?found, "agent: limits on the caller's figure");
    match found.as_slice() {
        [(line, id)] => Some((line.clone(), id.to_string())),
        _ => None,
    }
}

/// Most list items read out for "what do I need to bring?".
const LIST_ITEMS: usize = 8;

/// The list `item` (a sentence "lead-in: item") belongs to, read whole: "Please bring all of
/// these: your licence; your theory certificate number; …". `None` when `item` is not a list
/// item, its list has fewer than two items, or the question names a word of one item only
/// (it asks about that item).
fn whole_list(passage: &str, item: &str, question: &str) -> Option<String> {
    let (heading, body) = passage.split_once('\n')?;
    let (label, _) = split_label(item)?;
    let lead_in = &item[..=label.len()];
    let items: Vec<String> = sentences(body)
        .iter()
        .filter_map(|s| s.strip_prefix(lead_in))
        .map(|rest| rest.trim().trim_end_matches('.').to_string())
        .collect();
    if items.len() < 2 {
        return None;
    }
    let shared: HashSet<String> = content(&format!("{heading} {lead_in}"))
        .into_iter()
        .collect();
    let asked: HashSet<String> = content(question).into_iter().collect();
    let names_an_item = items.iter().any(|i| {
        content(i)
            .iter()
            .any(|w| !shared.contains(w) && asked.contains(w))
    });
    if names_an_item {
        return None;
    }
    let listed: Vec<&str> = items.iter().take(LIST_ITEMS).map(String::as_str).collect();
    Some(format!("{lead_in} {}.", listed.join("; ")))
}

/// The quoted table row `source` (its sentence `line`) and another row of the same table
/// that fits the question as well with another fact, retrieved or not: which one is meant
/// ("how long is the crossing to Skellan?" — the Port Alder – Skellan row, or Skellan –
/// Tollmore?). `said` is the caller's words (with the question before a follow-up).
pub(crate) fn row_look_alike(
    chunks: &[std::sync::Arc<super::kb::Chunk>],
    (source, line): (&str, &str),
    said: &str,
    fit: &Fit<'_>,
) -> Option<(String, String)> {
    if !fit.is_specific() || says_days(said) {
        return None;
    }
    let row = chunks
        .iter()
        .find(|c| c.id == source && !c.names.is_empty())?;
    let table = super::extremes::table_of(&row.section);
    let me = Passage::of(row);
    chunks
        .iter()
        .filter(|c| c.id != row.id && c.file == row.file && !c.names.is_empty())
        .filter(|c| super::extremes::table_of(&c.section) == table)
        .find_map(|c| {
            let p = Passage::of(c);
            let body = p.text.split_once('\n').map_or("", |(_, b)| b);
            let lines = sentences(body);
            let other = fit
                .fitting(&p, lines.iter().map(String::as_str))
                .first()?
                .to_string();
            let a = look_alike::Candidate {
                about: about(&me),
                sentence: line,
            };
            let b = look_alike::Candidate {
                about: about(&p),
                sentence: &other,
            };
            look_alike::which(said, &a, &b)
        })
}

/// What a passage is about, to name it to the caller: a table row's label, else the last
/// heading of its section.
fn about(p: &Passage) -> &str {
    match p.names.first().filter(|l| !l.trim().is_empty()) {
        Some(label) => label,
        None => {
            let heading = p.text.split_once('\n').map_or("", |(h, _)| h);
            heading.rsplit(" > ").next().unwrap_or(heading)
        }
    }
}

/// Longest FAQ answer quoted whole, in words.
const FAQ_ANSWER_WORDS: usize = 60;

/// The whole answer of a question-and-answer pair (a chunk whose heading is a question) when
/// it is the top passage: the operator wrote it for this question, and its sentences lean on
/// each other ("Yes, bring your own food. Alcohol bought elsewhere may not be drunk on
/// board."), so one of them alone can say the opposite of the whole. Short answers only, and
/// only when they give the kind of fact a specific question asks for, and only when no other
/// retrieved passage holds a topical word of the question the pair lacks, one the knowledge
/// base says in few places (`rare`): "four old car *tyres*" — the pair "Can I store a car?"
/// shares "car", the list of items you may not store has "tyres".
pub(crate) fn faq_answer(
    top: &Passage,
    others: &[Passage],
    fit: &Fit<'_>,
    rare: &dyn Fn(&str) -> bool,
) -> Option<(String, String)> {
    if top.id.starts_with("tool:") || !top.names.is_empty() || fit.context.is_some() {
        return None;
    }
    // "Is the car park free? I'll be in for a swim and then a coffee after.": a remark after
    // the question tells why, and names nothing the pair must answer.
    let asked = fit.text.rfind('?').map_or(fit.text, |i| &fit.text[..=i]);
    if let Some(word) = topic_elsewhere(asked, top, others, rare) {
        tracing::debug!(
            word,
            "agent: another passage has a word of the question the FAQ lacks"
        );
        return None;
    }
    let (heading, body) = top.text.split_once('\n')?;
    let asks = heading.rsplit(" > ").next().unwrap_or(heading).trim_end();
    if !asks.ends_with('?') {
        return None;
    }
    let said = sentences(body).join(" ");
    let words = said.split_whitespace().count();
    if words == 0
        || words > FAQ_ANSWER_WORDS
        || !fit.slot.fits(&said)
        || answers_another_question(asked, fit.slot, &said)
    {
        return None;
    }
    Some((said, top.id.clone()))
}

/// Whether an FAQ pair's answer `said` answers another question than the caller's `asked`:
/// asked whether something is allowed, it says neither yes nor no, may nor must ("Is she
/// allowed to wear goggles?" → "Reception sells goggles for £6.95…", the answer to "Do you
/// sell swimming kit?"). Only the pair's answer is judged so: it was written for its own
/// question, where a quoted sentence or the model's was chosen for the caller's. (Judging
/// those too cost a right answer on each of two held-out sets and caught no wrong one.)
fn answers_another_question(asked: &str, slot: Slot, said: &str) -> bool {
    slot.kind.is_none()
        && permission::asks_permission(asked)
        && !permission::answers_permission(said)
}

/// A topical word of `text` (three letters or more once stemmed, not a number, not generic,
/// not a word naming the kind of fact asked, `rare`) that `p` lacks and one of `others` has.
fn topic_elsewhere(
    text: &str,
    p: &Passage,
    others: &[Passage],
    rare: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let has = |p: &Passage, w: &str| {
        content(&p.text)
            .iter()
            .any(|x| x == w || one_edit_apart(x, w))
    };
    content(text)
        .into_iter()
        .filter(|w| w.len() >= 3 && !is_number(w) && !is_generic(w) && !says_kind_of_fact(w))
        .find(|w| !has(p, w) && others.iter().any(|o| has(o, w)) && rare(w))
}

/// Keeps only the candidates (and their `sure` flags, kept in step) whose sentence passes
/// `keep`, when any does; otherwise keeps all.
fn prefer(
    candidates: &mut Vec<(String, String, &str)>,
    sure: &mut Vec<bool>,
    keep: fn(&str) -> bool,
) {
    let kept: Vec<bool> = candidates.iter().map(|(_, s, _)| keep(s)).collect();
    if kept.contains(&true) {
        retain(candidates, sure, &kept);
    }
}

/// Keeps the candidates (and their `sure` flags) whose flag in `kept` is set.
fn retain(candidates: &mut Vec<(String, String, &str)>, sure: &mut Vec<bool>, kept: &[bool]) {
    let mut flags = kept.iter();
    candidates.retain(|_| flags.next() == Some(&true));
    let mut flags = kept.iter();
    sure.retain(|_| flags.next() == Some(&true));
}

/// The names a caller gives: capitalised words after the first of each sentence ("I'm on
/// Boiler Plus" → boiler, plus), in content form; "I", days and numbers are no names (days
/// have rules of their own).
fn proper_names(question: &str) -> Vec<String> {
    question
        .split_inclusive(['.', '?', '!'])
        .flat_map(|s| s.split_whitespace().skip(1))
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .filter(|w| !(*w == "I" || w.starts_with("I'") || w.starts_with("I\u{2019}")))
        .filter(|w| !says_days(w))
        .flat_map(content)
        .filter(|w| !is_number(w))
        .collect()
}

/// Whether `sentence` says every one of `names` (content words).
fn names_all(names: &[String], sentence: &str) -> bool {
    let have = content(sentence);
    names.iter().all(|n| have.contains(n))
}

/// The passages a quote may come from, with their rank: prose from the top three, a table
/// row from any (a row whose names and slot fit is the answer wherever retrieval ranked it);
/// never a tool's result.
fn quotable(passages: &[Passage]) -> impl Iterator<Item = (usize, &Passage)> {
    passages
        .iter()
        .enumerate()
        .filter(|(i, p)| !p.id.starts_with("tool:") && (*i < 3 || !p.names.is_empty()))
}

/// Drops a candidate that lacks one of `names` when another candidate of its passage has them
/// all: sentences of one passage that differ by the thing they name.
fn keep_named(
    candidates: &mut Vec<(String, String, &str)>,
    sure: &mut Vec<bool>,
    names: &[String],
) {
    if names.is_empty() {
        return;
    }
    let names_all = |s: &str| names_all(names, s);
    let kept: Vec<bool> = candidates
        .iter()
        .map(|(_, s, id)| {
            names_all(s)
                || !candidates
                    .iter()
                    .any(|(_, o, other)| other == id && names_all(o))
        })
        .collect();
    retain(candidates, sure, &kept);
}

/// A table row's heading without the sentence that introduced its table ("Ticket office
/// hours > Monday to Friday (The phone line is run from Port Alder.)"): that sentence is
/// about the table, and its names are not this row's.
fn without_lead_in(heading: &str) -> &str {
    let Some(open) = heading.rfind(" (").filter(|_| heading.ends_with(')')) else {
        return heading;
    };
    let inside = &heading[open + 2..heading.len() - 1];
    if inside.split_whitespace().count() >= 5 {
        &heading[..open]
    } else {
        heading
    }
}

/// Whether a sentence sends the reader to another section ("… (see Van hire).", "See the
/// price list.").
pub(crate) fn refers_elsewhere(sentence: &str) -> bool {
    let lower = sentence.trim_start().to_lowercase();
    lower.contains("(see ") || lower.starts_with("see ") || lower.contains("; see ")
}

/// Whether a sentence is only a yes or a no ("Yes.", "No, sorry."): on its own it answers
/// nothing the caller can check.
pub(crate) fn is_bare_reply(sentence: &str) -> bool {
    let words: Vec<String> = sentence
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.len() <= 3
        && words.first().is_some_and(|w| {
            matches!(
                w.as_str(),
                "yes" | "no" | "yep" | "nope" | "sure" | "certainly" | "absolutely" | "sorry"
            )
        })
}

/// "There is no parking of our own", "we don't offer evening lessons": a sentence that says
/// something is not there, which the next sentence of its paragraph or list item usually
/// completes with what there is instead.
static NONE_THERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:there (?:is|are) no|there's no|there isn't|there aren't|we (?:do not|don't|cannot|can't) (?:have|offer|provide)|(?:is|are)(?: not|n't) available|no \w+(?: \w+)? of our own)\b",
    )
    .unwrap_or_else(|e| unreachable!("valid regex: {e}"))
});

/// `lines` of `passage` to be spoken, each once, a line that says something is not there
/// followed by the passage's next sentence when that sentence goes on with what there is
/// instead (not the next item's own label).
pub(crate) fn with_instead(passage: &str, lines: impl IntoIterator<Item = String>) -> Vec<String> {
    let body = passage.split_once('\n').map_or(passage, |(_, b)| b);
    let all = sentences(body);
    let mut spoken: Vec<String> = Vec::new();
    for line in lines {
        let next = all
            .iter()
            .position(|s| s.trim() == line.trim())
            .and_then(|at| all.get(at + 1))
            .filter(|next| goes_on_instead(&line, next))
            .cloned();
        for s in std::iter::once(line).chain(next) {
            if !spoken.contains(&s) {
                spoken.push(s);
            }
        }
    }
    spoken
}

/// Whether `sentence` says that something is not there and `next` (the sentence after it)
/// goes on with what there is instead: about the same thing ("no parking of our own" → "the
/// nearest car park"), not a next item with its own label, not another "no". ("There is no
/// joining fee. Lockers cost £2." goes on with another fact.)
fn goes_on_instead(sentence: &str, next: &str) -> bool {
    if !says_none(sentence) || is_labelled(next) || says_none(next) {
        return false;
    }
    let unlabelled = split_label(sentence).map_or(sentence, |(_, rest)| rest);
    let said: HashSet<String> = content(unlabelled)
        .into_iter()
        .filter(|w| !is_generic(w) && !is_number(w))
        .collect();
    content(next).iter().any(|w| said.contains(w))
}

/// Whether `sentence` says that something is not there (see [`NONE_THERE`]).
fn says_none(sentence: &str) -> bool {
    NONE_THERE.is_match(sentence)
}

/// Whether a sentence opens with a label of its own ("Riverside office: there are six
/// spaces"): the next item of a list or the next cell of a row, not the rest of this one.
fn is_labelled(sentence: &str) -> bool {
    split_label(sentence).is_some_and(|(label, _)| label.split_whitespace().count() <= 6)
}

/// A sentence cut at its first ": " into what comes before (a label or a list's lead-in)
/// and what it says.
fn split_label(sentence: &str) -> Option<(&str, &str)> {
    sentence.split_once(": ")
}

/// Whether a sentence opens with words that refer to the sentence before it. A list's lead-in
/// "Here is how they work:" points ahead, to the item after its colon. ("There is no extra
/// charge for paying by card" goes on from the sentence before it, "We don't accept American
/// Express", and is read with it.)
pub(crate) fn leans_back(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    let points_ahead = ["here is ", "here are ", "here's "]
        .iter()
        .any(|p| lower.starts_with(p))
        && lower.contains(": ");
    if points_ahead {
        return false;
    }
    let first = lower.split_whitespace().next().unwrap_or("");
    matches!(
        first.trim_matches(|c: char| !c.is_alphanumeric()),
        "it" | "this"
            | "that"
            | "they"
            | "these"
            | "those"
            | "then"
            | "otherwise"
            | "however"
            | "after"
            | "there"
            | "here"
            | "such"
            | "both"
            | "its"
            | "their"
    )
}

/// The best cosine between the question and one sentence (heading included) of the first
/// `top` hits' passages: a chunk's own vector is diluted by its other sentences, so a list
/// item or a rule in a long paragraph can be the answer although its chunk scores low.
pub(crate) fn best_sentence_similarity(
    embedder: &Embedder,
    passages: &[Passage],
    question: &str,
    top: usize,
) -> f32 {
    let texts: Vec<String> = passages
        .iter()
        .take(top)
        .filter(|p| !p.id.starts_with("tool:"))
        .flat_map(|p| {
            let (heading, body) = p.text.split_once('\n').unwrap_or(("", p.text.as_str()));
            sentences(body)
                .into_iter()
                .map(move |s| format!("{heading}\n{s}"))
        })
        .collect();
    if texts.is_empty() {
        return 0.0;
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    match (embedder.embed(&[question]), embedder.embed_documents(&refs)) {
        (Ok(q), Ok(rest)) => rest
            .iter()
            .map(|v| q[0].iter().zip(v).map(|(a, b)| a * b).sum::<f32>())
            .fold(0.0, f32::max),
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_leaning_back_is_told_from_a_lead_in_pointing_ahead() {
        assert!(leans_back("Its joining fee is £15."));
        assert!(leans_back("There is no extra charge for paying by card."));
        assert!(leans_back("Here you can park for free."));
        assert!(!leans_back(
            "Here is how they work: vouchers may not be exchanged for cash."
        ));
        assert!(!leans_back("Vouchers may not be exchanged for cash."));
    }

    fn prose(id: &str, text: &str) -> Passage {
        Passage {
            id: id.to_string(),
            text: text.to_string(),
            names: Vec::new(),
        }
    }

    #[test]
    fn an_faq_pair_gives_way_to_a_passage_with_the_callers_rarer_word() {
        let faq = prose(
            "faq#car",
            "FAQ > Can I store a car?\nYes, in a Garage unit, insured and with the battery disconnected.",
        );
        let list = prose(
            "storing#not",
            "Items you may not store\nYou may not store any of these: food, tyres, fireworks.",
        );
        let vocabulary = Vocabulary::default();
        let fit = |text| Fit::new(Slot::default(), text, None, &vocabulary);
        let tyres = fit("I've got four old car tyres, can I store them with you?");
        let others = [list.clone()];
        assert_eq!(faq_answer(&faq, &others, &tyres, &|_| true), None);
        // A word the whole knowledge base is about is no topic of its own.
        assert!(faq_answer(&faq, &others, &tyres, &|_| false).is_some());
        // The pair's own words: it answers.
        let car = fit("Can I keep my car in a unit?");
        assert!(faq_answer(&faq, &others, &car, &|_| true).is_some());
    }

    #[test]
    fn a_list_question_is_answered_by_the_whole_list() {
        let p = "Test day > What to bring\nPlease bring all of these: your provisional licence. \
                 Please bring all of these: your glasses, if you need them. Leave your L plates \
                 at home.";
        let item = "Please bring all of these: your glasses, if you need them.";
        assert_eq!(
            whole_list(p, item, "What do I need to bring on the day?").as_deref(),
            Some(
                "Please bring all of these: your provisional licence; your glasses, if you need them."
            )
        );
        // A question about one item is answered by that item.
        assert_eq!(whole_list(p, item, "Do I need to bring my glasses?"), None);
        assert_eq!(
            whole_list(p, "Leave your L plates at home.", "What do I bring?"),
            None
        );
    }

    #[test]
    fn what_is_not_there_is_said_with_what_is_instead() {
        assert!(says_none(
            "Northgate office: there is no parking of our own."
        ));
        assert!(says_none("We don't offer lessons on motorways."));
        assert!(!says_none("There is a car park behind the office."));
        assert!(is_labelled("Riverside office: there are 6 visitor spaces."));
        assert!(!is_labelled(
            "The nearest car park is the multi-storey: 200 metres away, on the left side of the road."
        ));
    }

    /// The sentence [`with_instead`] speaks after `line` alone, if any.
    fn instead(passage: &str, line: &str) -> Option<String> {
        let mut spoken = with_instead(passage, [line.to_string()]);
        (spoken.len() == 2).then(|| spoken.remove(1))
    }

    #[test]
    fn the_sentence_after_what_is_not_there_is_read_with_it() {
        let text = "Parking\nNorthgate office: there is no parking of our own. The nearest car \
                    park is the multi-storey, 200 metres away. Riverside office: there are 6 \
                    visitor spaces.";
        let first = "Northgate office: there is no parking of our own.";
        assert_eq!(
            instead(text, first).as_deref(),
            Some("The nearest car park is the multi-storey, 200 metres away.")
        );
        assert_eq!(
            instead(
                text,
                "The nearest car park is the multi-storey, 200 metres away."
            ),
            None
        );
        let last = "Parking\nWe don't offer parking. Riverside office: there are 6 spaces.";
        assert_eq!(
            instead(last, "We don't offer parking."),
            None,
            "the next item's own"
        );
        let other = "Fees\nThere is no joining fee. Lockers cost £2 a day.";
        assert_eq!(
            instead(other, "There is no joining fee."),
            None,
            "another fact"
        );
    }

    #[test]
    fn a_bare_yes_needs_the_sentence_after_it() {
        assert!(is_bare_reply("Yes."));
        assert!(is_bare_reply("No, sorry."));
        assert!(!is_bare_reply("Yes, every site has free trolleys."));
        assert!(!is_bare_reply("Sure thing, we open at 9 am."));
    }

    #[test]
    fn a_sentence_naming_what_the_caller_names_beats_its_neighbours() {
        assert_eq!(
            proper_names("I'm on Boiler Plus. If it can't be fixed, do I get anything?"),
            content("Boiler Plus")
        );
        let p = "cover.md#contribution";
        let home = "Home Complete customers get £400 towards a new boiler.";
        let plus = "On Boiler Plus the contribution is £250.";
        let other = "Boiler Basic has no contribution.";
        let mut candidates = vec![
            (String::new(), home.to_string(), p),
            (String::new(), plus.to_string(), p),
            (String::new(), other.to_string(), "other.md#x"),
        ];
        let mut sure = vec![false, false, false];
        keep_named(
            &mut candidates,
            &mut sure,
            &proper_names("I'm on Boiler Plus. Anything?"),
        );
        let kept: Vec<&str> = candidates.iter().map(|(_, s, _)| s.as_str()).collect();
        // Another passage's sentence is not judged against this one's.
        assert_eq!(kept, [plus, other]);
        assert_eq!(sure.len(), 2);
    }

    #[test]
    fn a_row_heading_loses_its_table_lead_in_only() {
        assert_eq!(
            without_lead_in("Hours > Monday to Friday (The phone line is run from Port Alder.)"),
            "Hours > Monday to Friday"
        );
        assert_eq!(
            without_lead_in("Fares > Ticket: Adult (16 and over)"),
            "Fares > Ticket: Adult (16 and over)"
        );
    }

    #[test]
    fn a_pointer_to_another_section_is_not_an_answer() {
        assert!(refers_elsewhere(
            "Mileage over the free miles is still charged (see Van hire)."
        ));
        assert!(refers_elsewhere("See the price list for vans."));
        assert!(!refers_elsewhere(
            "You can see the unit before you rent it."
        ));
    }
}
