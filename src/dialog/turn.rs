//! One caller turn: guardrails first, then the operator's tools, retrieval, and the language
//! model, whose sentences are released one at a time only after the grounding check passes.
//! When the model cannot answer from the passages (it says so, or its wording fails the
//! check) the best-matching passage sentences are spoken instead; when retrieval finds
//! nothing strong, the caller is offered a person — the agent never guesses.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use super::agent::handoff_line;
use super::asks::{asked_part, without_denials};
use super::columns::Columns;
use super::conditions::figure_only_in_condition;
use super::exceptions;
use super::grounding::{self, Grounding};
use super::instructions;
use super::kb::{Chunk, Hit, LiveKnowledge, Vocabulary};
use super::limits;
use super::llm::{Finish, LanguageModel};
use super::near_rows;
use super::prompt::{self, Passage};
use super::quote::Quoted;
use super::requests;
use super::slots::{self, Kind, Slot};
use super::sole_fact::{sole_fact, topical_fact};
use super::tiers;
use super::tools::{self, Tool, ToolResult, ToolUse};
use super::unknown;
use super::words::{self, content};
use super::{
    Answer, HandoffReason, TurnTimings, aliases, cells, clock, colloquial, extremes, guard,
    key_cells, look_alike, quote,
};
use crate::speech::tts::sentences;

/// A top hit at least this similar (cosine) is strong on its own.
const STRONG_SEMANTIC: f32 = 0.45;
/// A weaker semantic match is strong when the words match this well too.
const FAIR_SEMANTIC: f32 = 0.30;
const FAIR_LEXICAL: f32 = 0.45;
/// A top hit this similar is trusted even when the question uses words the knowledge base
/// lacks (a paraphrase).
const SURE_SEMANTIC: f32 = 0.55;
/// A single sentence of a top chunk this close to the caller's words makes the match strong
/// (chosen on the storage tune half and the demo set: must-hand-off questions reached 0.47 at
/// most, and answerable list items and rules buried in long chunks 0.59–0.62).
const SENTENCE_STRONG: f32 = 0.55;
/// Or a top hit this close whose chunk has a sentence of the asked kind (see
/// `slot_confirmed`).
const SLOT_SEMANTIC: f32 = 0.38;
/// Or the share of the question's topical words one sentence says (see `worded`).
const WORDED_COVERAGE: f32 = 0.66;
/// Passages retrieved per turn.
const PASSAGES: usize = 3;
/// Passages given to the model: each costs about 70 prompt tokens, and on two CPU cores
/// every prompt token is a few milliseconds before the first word.
const MODEL_PASSAGES: usize = 2;
/// Other passages are given when their similarity is within this of the top one.
const PASSAGE_MARGIN: f32 = 0.12;

/// One call's memory: earlier turns, failures in a row, the tool waiting for a value.
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    history: Vec<(String, String)>,
    turns: u32,
    failed_in_row: u32,
    pending_tool: Option<usize>,
    last_question: Option<String>,
    /// The flow node's turn budget is spent: the next turn hands off (after the guards).
    over_budget: bool,
    /// The caller has been angry or anxious for long enough: the next turn hands off.
    upset: bool,
    /// The last turn asked which of two look-alike facts was meant: this one answers it.
    clarifying: bool,
}

impl Conversation {
    pub fn new() -> Conversation {
        Conversation::default()
    }
    /// Marks whether the turn about to be answered is past the turn budget of the flow's
    /// agent node (`max_turns`): it is then handed off as `too_many_turns`, unless a guard
    /// (crisis, a request for a person) hands it off for its own reason first.
    pub fn set_over_budget(&mut self, over: bool) {
        self.over_budget = over;
    }
    /// Marks whether the caller has been upset (angry or anxious) for the configured number
    /// of turns in a row: the turn about to be answered is then handed off as `upset`, after
    /// the guards.
    pub fn set_upset(&mut self, upset: bool) {
        self.upset = upset;
    }
    /// Whether the caller's upset run hands the turn about to be answered to a person.
    pub fn upset(&self) -> bool {
        self.upset
    }
    /// Whether the turn about to be answered is past the flow node's turn budget.
    pub fn over_budget(&self) -> bool {
        self.over_budget
    }
    /// Caller turns so far.
    pub fn turns(&self) -> u32 {
        self.turns
    }
    /// The answered turns (caller's words, agent's answer).
    pub fn history(&self) -> &[(String, String)] {
        &self.history
    }
}

/// The agent shared by all calls (cheap to clone).
#[derive(Clone)]
pub struct Agent {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) kb: LiveKnowledge,
    pub(crate) embedder: Arc<super::kb::Embedder>,
    pub(crate) llm: Arc<dyn LanguageModel>,
    pub(crate) tools: Vec<Tool>,
    pub(crate) max_turns: u32,
    pub(crate) quote_first: bool,
    /// The operator's emergency numbers, said before a crisis hand-off.
    pub(crate) emergency_line: String,
    /// Crisis by meaning, after the patterns (English).
    pub(crate) crisis_meaning: Option<super::crisis_meaning::CrisisMeaning>,
    pub(crate) _watcher: Option<super::kb::WatcherHandle>,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("llm", &self.inner.llm.name())
            .field("tools", &self.inner.tools.len())
            .finish_non_exhaustive()
    }
}

/// What the turn has said so far.
struct Said<'a> {
    sentences: Vec<String>,
    on_sentence: &'a mut dyn FnMut(&str) -> ControlFlow<()>,
    first_ms: Option<f64>,
    started: Instant,
    cancelled: bool,
}

impl Said<'_> {
    fn say(&mut self, s: &str) -> ControlFlow<()> {
        if self.cancelled {
            return ControlFlow::Break(());
        }
        let s = &super::spoken::without_file_names(s);
        if s.is_empty() {
            return ControlFlow::Continue(());
        }
        self.first_ms
            .get_or_insert_with(|| self.started.elapsed().as_secs_f64() * 1e3);
        self.sentences.push(s.to_string());
        let flow = (self.on_sentence)(s);
        self.cancelled = flow.is_break();
        flow
    }
}

/// How the model's stream ended, sentence-wise.
#[derive(Debug, PartialEq)]
enum Stream {
    Done,
    DontKnow,
    Ungrounded,
    Cancelled,
}

impl Agent {
    pub(crate) fn from_inner(inner: Inner) -> Agent {
        Agent {
            inner: Arc::new(inner),
        }
    }

    /// The knowledge base (for the document API).
    pub fn knowledge(&self) -> &LiveKnowledge {
        &self.inner.kb
    }

    /// The language model's name.
    pub fn llm_name(&self) -> &str {
        self.inner.llm.name()
    }

    /// The greeting spoken when a call is answered.
    pub fn greeting(&self) -> String {
        String::from("Hello, you're through to the shop's assistant. How can I help you today?")
    }

    /// A short acknowledgement, spoken when the first sentence of an answer is late.
    pub fn acknowledgement(&self) -> &'static str {
        "One moment."
    }

    /// The knowledge passages (at most `k`) that match what a caller said as well as an
    /// answer would need (agent assist on calls with a person): none when nothing does.
    /// Blocking (the query is embedded): run it off the call task.
    pub fn passages_for(&self, text: &str, k: usize) -> Vec<Hit> {
        let hits = self
            .inner
            .kb
            .search_worded(text, &colloquial::expand(text), k);
        if worded(&hits, text) {
            return hits;
        }
        hits.into_iter().filter(is_strong).collect()
    }

    /// One question in a fresh conversation (`voxgate ask`).
    pub fn ask(&self, question: &str) -> Answer {
        self.respond(&mut Conversation::new(), question, &mut |_| {
            ControlFlow::Continue(())
        })
    }

    /// One caller turn. Blocking (retrieval and the LLM run here): call it on a worker
    /// thread. `on_sentence` gets each checked sentence to speak as soon as it is ready; it
    /// returns `Break` to cancel (barge-in), which stops the generation too.
    pub fn respond(
        &self,
        conv: &mut Conversation,
        caller_text: &str,
        on_sentence: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Answer {
        let started = Instant::now();
        let mut said = Said {
            sentences: Vec::new(),
            on_sentence,
            first_ms: None,
            started,
            cancelled: false,
        };
        let mut timings = TurnTimings::default();
        let outcome = self.turn(conv, caller_text.trim(), &mut said, &mut timings);
        conv.clarifying = outcome.asks_which;
        if let Some(reason) = outcome.handoff {
            let _ = said.say(&handoff_line(reason, &self.inner.emergency_line));
        }
        timings.first_sentence_ms = said.first_ms;
        timings.total_ms = started.elapsed().as_secs_f64() * 1e3;
        let text = said.sentences.join(" ");
        if outcome.handoff.is_none() && outcome.answered {
            conv.history
                .push((caller_text.trim().to_string(), text.clone()));
            conv.failed_in_row = 0;
        }
        Answer {
            text,
            handoff: outcome.handoff,
            sources: outcome.sources,
            timings,
        }
    }

    fn turn(
        &self,
        conv: &mut Conversation,
        text: &str,
        said: &mut Said<'_>,
        timings: &mut TurnTimings,
    ) -> Outcome {
        conv.turns += 1;
        let vocabulary = self.vocabulary();
        let covers = |topic: &str| {
            let words = content(topic);
            !words.is_empty() && words.iter().all(|w| vocabulary.knows(w))
        };
        if let Some(reason) = guard::check(text, &covers) {
            return Outcome::handoff(reason);
        }
        if let Some(m) = &self.inner.crisis_meaning
            && m.check(&self.inner.embedder, text)
        {
            tracing::info!("crisis by meaning: handing off");
            return Outcome::handoff(HandoffReason::Crisis);
        }
        if conv.turns > self.inner.max_turns || conv.over_budget {
            return Outcome::handoff(HandoffReason::TooManyTurns);
        }
        if conv.upset {
            return Outcome::handoff(HandoffReason::Upset);
        }
        if content(text).is_empty() || is_unhelped(text) {
            conv.failed_in_row += 1;
            if conv.failed_in_row >= 2 {
                return Outcome::handoff(HandoffReason::RepeatedFailure);
            }
            let line = if content(text).is_empty() {
                "Sorry, I didn't catch that. Could you say it again?"
            } else {
                "Sorry about that. Could you put the question another way?"
            };
            let _ = said.say(line);
            return Outcome::spoken(Vec::new(), false);
        }
        let mut passages = Vec::new();
        let mut tool_asks = None;
        match tools::select(&self.inner.tools, text, conv.pending_tool) {
            ToolUse::Call { tool, value } => {
                conv.pending_tool = None;
                let t = &self.inner.tools[tool];
                match t.call(&value) {
                    ToolResult::Say(line) => {
                        let _ = said.say(&line);
                        return Outcome::spoken(vec![format!("tool:{}", t.name)], true);
                    }
                    ToolResult::Passage(p) => passages.push(Passage {
                        id: format!("tool:{}", t.name),
                        text: p,
                        names: Vec::new(),
                    }),
                    ToolResult::Failed(why) => {
                        tracing::warn!(tool = %t.name, %why, "agent tool failed");
                        return Outcome::handoff(HandoffReason::ToolUnavailable);
                    }
                }
            }
            ToolUse::Triggered { tool } => {
                conv.pending_tool = Some(tool);
                tool_asks = Some(self.inner.tools[tool].ask_for.clone());
            }
            ToolUse::None => {}
        }
        // "At the Row": the names the knowledge base's own nicknames stand for.
        let resolved = self
            .inner
            .kb
            .with(|kb| aliases::resolve(&colloquial::named_holidays(text), kb.aliases()));
        if resolved != text {
            tracing::debug!(%resolved, "agent: the knowledge base's own names");
        }
        let text = resolved.as_str();
        // A follow-up ("and how long does it take?") is understood with the question before it.
        // The reply to "do you mean X or Y?" is read with the question it answers.
        let context = conv
            .last_question
            .clone()
            .filter(|_| conv.clarifying || is_follow_up(text));
        let question = match &context {
            Some(prev) => format!("{prev} {text}"),
            None => text.to_string(),
        };
        let t_retrieval = Instant::now();
        let hits = self
            .inner
            .kb
            .search_worded(&question, &colloquial::expand(&question), PASSAGES);
        timings.retrieval_ms = t_retrieval.elapsed().as_secs_f64() * 1e3;
        for h in &hits {
            tracing::debug!(id = %h.chunk.id, score = h.score, semantic = h.semantic, lexical = h.lexical, "agent: retrieved");
        }
        let chunk_strong = hits.first().is_some_and(is_strong);
        let sure = hits.first().is_some_and(|h| h.semantic >= SURE_SEMANTIC);
        // A sentence this close is as sure as a chunk: its paraphrase ("husband" for "someone
        // else") needs no word of the knowledge base.
        // "We're having a wedding on the island. Could we bring fireworks?": the question is
        // judged on its own too, without the story around it.
        let focus = question_part(text);
        // And with its colloquial words written out ("nicked" → "stolen").
        let written = colloquial::written_out(text);
        let sentence = if sure {
            1.0
        } else {
            [
                Some(text),
                (focus != text).then_some(focus),
                written.as_deref(),
            ]
            .into_iter()
            .flatten()
            .map(|t| self.best_sentence(&hits, t))
            .fold(0.0, f32::max)
        };
        let worded_match = worded(&hits, text) || focus != text && worded(&hits, focus);
        let slot = Slot::of_turn(text, context.as_deref(), vocabulary.columns());
        let typed = slot_confirmed(&hits, text, slot);
        // A named cell is sure whatever else the caller says ("the all-singing one").
        // "Which zone is Tarnside in?": a row named by another of its cells.
        // The other rows of the top hits' tables are read only for a question that may name
        // a cell (not a yes or no, nor a choice).
        let siblings = match cells::asks_a_cell(text, None) {
            true => self.table_rows(&hits),
            false => Vec::new(),
        };
        let cell = table_cell((&hits, &siblings), text, context.as_deref(), &vocabulary).filter(
            |(sentence, _)| {
                slot.kind.is_none()
                    || slot.fits(sentence) && slots::narrowed_fits(text, slot, sentence)
            },
        );
        let named = cell.is_some();
        // A chunk as close as a paraphrase answers a yes or no about what the knowledge base
        // never names ("used bicycles" for "second-hand bikes") — when it is close to the
        // question, not to the story told before it ("I'll pay cash at the Northgate office.
        // Is there a cash machine near there?").
        let strong = (chunk_strong || sentence >= SENTENCE_STRONG || worded_match || typed || named)
                && (sentence >= SURE_SEMANTIC
                    || named
                    || !unknown::has_unknown_words(&vocabulary, &hits, &question, SURE_SEMANTIC))
                && (!unknown::asks_for_unknown_thing(&vocabulary, text)
                    || sure
                        && (focus == text || self.best_sentence(&hits, focus) >= SURE_SEMANTIC))
                && !unknown::asks_act_on_unknown_thing(&vocabulary, text)
                // "Can you book me onto the 7am spin?": an act no tool of this turn does.
                && !requests::asks_to_act_for_caller(text);
        if strong || passages.is_empty() {
            passages.extend(choose(&hits).into_iter().map(passage));
        }
        conv.last_question = Some(question.clone());
        if !strong && passages.iter().all(|p| !p.id.starts_with("tool:")) {
            if let Some(ask) = tool_asks {
                let _ = said.say(&ask);
                return Outcome::spoken(Vec::new(), false);
            }
            return Outcome::handoff(HandoffReason::NotInKnowledge);
        }
        let asked = Asked {
            text,
            question: &question,
            context: context.as_deref(),
            slot,
            vocabulary: &vocabulary,
            cell,
        };
        // Quotes may come from any retrieved passage: a table's right row is often third.
        let quotable: Vec<Passage> = passages
            .iter()
            .filter(|p| p.id.starts_with("tool:"))
            .cloned()
            .chain(hits.iter().map(passage))
            .collect();
        let quotable = self.with_near_rows(quotable, text, slot);
        self.answer(conv, &asked, (&passages, &quotable), said, timings)
    }

    /// The other rows of the top three hits' tables: a named cell may be in a row retrieval
    /// ranked lower ("the gas boiler serviced, not the certificate" ranks the certificate
    /// rows first).
    fn table_rows(&self, hits: &[Hit]) -> Vec<Arc<Chunk>> {
        let ids: Vec<&str> = hits.iter().take(3).map(|h| h.chunk.id.as_str()).collect();
        self.inner.kb.with(|kb| {
            near_rows::row_chunks(kb.all_chunks(), &ids)
                .into_iter()
                .cloned()
                .collect()
        })
    }

    /// The best similarity between the caller's words and one sentence of the top two
    /// chunks: a list item or one rule of a long paragraph can match although its chunk,
    /// diluted by the rest, does not.
    fn best_sentence(&self, hits: &[Hit], text: &str) -> f32 {
        let top: Vec<Passage> = hits.iter().take(2).map(passage).collect();
        let best = quote::best_sentence_similarity(&self.inner.embedder, &top, text, 2);
        tracing::debug!(best, "agent: best sentence similarity");
        best
    }

    /// `quotable` and the rows of its tables that a detail of the question picks: the time
    /// band holding the time of day the caller gives, the price per the period asked.
    fn with_near_rows(&self, mut quotable: Vec<Passage>, text: &str, slot: Slot) -> Vec<Passage> {
        let rows = self.inner.kb.with(|kb| {
            let mut rows = clock::band_rows(kb.all_chunks(), &quotable, text);
            rows.extend(near_rows::period_rows(kb.all_chunks(), &quotable, slot));
            rows
        });
        for row in rows {
            if quotable.iter().all(|p| p.id != row.id) {
                quotable.push(row);
            }
        }
        quotable
    }

    /// The tier (of the top two quotable passages' sections) that holds `hours`.
    fn tier(
        &self,
        quotable: &[Passage],
        figure: tiers::Figure,
        text: &str,
    ) -> Option<(String, String)> {
        let top: Vec<&str> = quotable
            .iter()
            .filter(|p| !p.id.starts_with("tool:"))
            .take(2)
            .map(|p| p.id.as_str())
            .collect();
        self.inner
            .kb
            .with(|kb| tiers::answer(kb.all_chunks(), &top, figure, text))
    }

    /// "The cheapest …": the extreme row of the table of the first quotable table row.
    fn extreme_row(
        &self,
        quotable: &[Passage],
        asked: (&str, Slot),
        extreme: extremes::Extreme,
    ) -> Option<(String, String)> {
        let top = quotable.iter().find(|p| !p.names.is_empty())?;
        self.inner
            .kb
            .with(|kb| extremes::answer(kb.all_chunks(), &top.id, asked, extreme))
    }

    /// The knowledge base's words as they are now.
    fn vocabulary(&self) -> Arc<Vocabulary> {
        self.inner.kb.with(|kb| kb.vocabulary())
    }

    fn answer(
        &self,
        conv: &Conversation,
        asked: &Asked<'_>,
        (passages, quotable): (&[Passage], &[Passage]),
        said: &mut Said<'_>,
        timings: &mut TurnTimings,
    ) -> Outcome {
        let vocabulary = asked.vocabulary;
        let fit = quote::Fit::new(asked.slot, asked.text, asked.context, vocabulary);
        // "The large one, monthly": the row and the column said, the cell is the answer.
        if self.inner.quote_first
            && let Some((line, source)) = &asked.cell
        {
            let _ = said.say(line);
            return Outcome::spoken(vec![source.clone()], true);
        }
        if self.inner.quote_first
            && let Some(extreme) = extremes::asked(&asked_part(asked.text))
            && let Some((line, source)) =
                self.extreme_row(quotable, (asked.text, asked.slot), extreme)
        {
            let _ = said.say(&line);
            return Outcome::spoken(vec![source], true);
        }
        // "A full week ahead", "about six hundred quid": the tier of a rule that holds the
        // caller's figure (an amount only when a price or a yes or no is asked: "when do I
        // get my £50 back?" asks no tier).
        if self.inner.quote_first
            && let Some(figure) = tiers::asked(asked.text)
            && (matches!(figure, tiers::Figure::Hours(..))
                || asked.slot.kind.is_none_or(|k| k == Kind::Price)
                    && !words::tokens(asked.text).iter().any(|w| w == "when"))
            && let Some((line, source)) = self.tier(quotable, figure, asked.text)
        {
            let _ = said.say(&line);
            return Outcome::spoken(vec![source], true);
        }
        // "My boiler's eleven years old — could I still get Basic?": the one limit on it.
        if self.inner.quote_first
            && asked.slot.kind.is_none()
            && let Some(said_figure) = limits::asked(asked.text)
            && let Some((line, source)) = quote::limit(quotable, &fit, &said_figure)
        {
            let _ = said.say(&line);
            return Outcome::spoken(vec![source], true);
        }
        if self.inner.quote_first
            && let Some((line, source)) = quotable.first().and_then(|top| {
                quote::faq_answer(top, &quotable[1..], &fit, &|w| vocabulary.is_rare(w))
            })
        {
            let _ = said.say(&line);
            return Outcome::spoken(vec![source], true);
        }
        // The question alone is tried too when a story came before it.
        let focus = question_part(asked.text);
        let ask_which = !conv.clarifying;
        // …and judged on its own words then: the story's words ("I'd feel more comfortable
        // with a woman instructor.") name nothing the answer must hold.
        let quote = |q: &str| {
            let fit = fit.with_text(q);
            quote::best(
                &self.inner.embedder,
                quotable,
                q,
                asked.context,
                &fit,
                ask_which,
            )
        };
        // What the caller says is *not* so ("I'm not renting it out", "no cover") is left out
        // first when choosing a table's row: it names no row, and its meaning is closest to
        // the row it rules out. Elsewhere it is part of the caller's story ("he doesn't want
        // to learn. Can we swap the voucher for cash?") and stays.
        let is_row = |id: &str| quotable.iter().any(|p| p.id == id && !p.names.is_empty());
        let affirmed = without_denials(asked.text)
            .filter(|_| self.inner.quote_first)
            .and_then(|text| quote(&text))
            .filter(|q| matches!(q, Quoted::Line(_, id) if is_row(id)));
        if self.inner.quote_first {
            match affirmed
                .or_else(|| quote(asked.text))
                .or_else(|| (focus != asked.text).then(|| quote(focus)).flatten())
            {
                Some(Quoted::Line(line, source)) => {
                    let words = format!("{} {}", asked.context.unwrap_or(""), asked.text);
                    let which = ask_which
                        .then(|| {
                            self.inner.kb.with(|kb| {
                                quote::row_look_alike(
                                    kb.all_chunks(),
                                    (&source, &line),
                                    &words,
                                    &fit,
                                )
                            })
                        })
                        .flatten();
                    if let Some(options) = which {
                        let _ = said.say(&look_alike::question(&options));
                        return Outcome::asks_which();
                    }
                    let _ = said.say(&line);
                    return Outcome::spoken(vec![source], true);
                }
                Some(Quoted::Which(a, b)) => {
                    let _ = said.say(&look_alike::question(&(a, b)));
                    return Outcome::asks_which();
                }
                None => {}
            }
        }
        // Rows the caller did not ask about, or whose variant they ruled out, are neither
        // shown to the model nor a source of figures it may state.
        let passages: Vec<Passage> = passages
            .iter()
            .filter(|p| fit.passage(p))
            .filter(|p| !near_rows::ruled_out(p, passages, asked.text, asked.context))
            .cloned()
            .collect();
        if passages.is_empty() {
            return Outcome::handoff(HandoffReason::NotInKnowledge);
        }
        let passages = passages.as_slice();
        let texts: Vec<&str> = passages.iter().map(|p| p.text.as_str()).collect();
        let (text, question) = (asked.text, asked.question);
        let table: Vec<Passage> = self.inner.kb.with(|kb| {
            let others = near_rows::rows(kb.all_chunks(), passages, |_| true);
            passages.iter().cloned().chain(others).collect()
        });
        let columns = Columns::of(passages, question).with_table(&table);
        // "The two-week crash course in a manual": the row named, the column described (not
        // for a yes or no, nor a choice: as for a named cell).
        if self.inner.quote_first
            && cells::asks_a_cell(text, asked.context)
            && let Some((line, source)) = columns.described_cell(passages)
            && asked.slot.fits(&line)
        {
            let _ = said.say(&line);
            return Outcome::spoken(vec![source], true);
        }
        let grounding = Grounding::new(&texts, question).with_columns(columns);
        let req = prompt::request(&conv.history, passages, text);
        let started = said.started;
        let mut buf = String::new();
        let mut end = Stream::Done;
        let mut gate = SlotGate::new(asked.slot, passages, asked);
        let mut on_token = |piece: &str| -> ControlFlow<()> {
            timings
                .llm_first_token_ms
                .get_or_insert_with(|| started.elapsed().as_secs_f64() * 1e3);
            buf.push_str(piece);
            if !piece.contains(['.', '?', '!', '\n']) {
                return ControlFlow::Continue(());
            }
            let mut parts = sentences(&buf.replace('\n', " "));
            if parts.len() < 2 {
                return ControlFlow::Continue(());
            }
            let rest = parts.pop().unwrap_or_default();
            buf = rest;
            release(&parts, &grounding, &mut gate, said, &mut end)
        };
        let result = self.inner.llm.generate(&req, &mut on_token);
        match result {
            Err(e) => {
                tracing::warn!(error = %e, llm = self.inner.llm.name(), "language model failed");
                return Outcome::handoff(HandoffReason::LlmUnavailable);
            }
            Ok(g) if g.finish != Finish::Cancelled && end == Stream::Done => {
                let mut rest = sentences(&buf.replace('\n', " "));
                // Cut off by the token limit: the unfinished sentence is not spoken.
                if g.finish == Finish::Length
                    && rest
                        .last()
                        .is_some_and(|s| !s.trim_end().ends_with(['.', '?', '!']))
                {
                    rest.pop();
                }
                let _ = release(&rest, &grounding, &mut gate, said, &mut end);
            }
            Ok(_) => {}
        }
        if end == Stream::Cancelled || said.cancelled {
            return Outcome::spoken(cite(passages, &said.sentences), true);
        }
        if said.sentences.is_empty() {
            // The model could not say it (or said it in words the passages lack): read the
            // passage's own best sentences, or offer a person.
            let fallback = passages.iter().find_map(|p| {
                let lines = own_lines(&p.text, text);
                tracing::debug!(?lines, stream = ?end, "agent: the passage's own sentences");
                // A sentence that leans on the one before ("Its joining fee is £12") is not
                // read alone: what "its" is may not be what was asked about.
                // "There is no parking of our own" goes on with what there is instead.
                let fitting = fit.fitting(p, lines.iter().map(String::as_str));
                let lines = quote::with_instead(
                    &p.text,
                    fitting
                        .into_iter()
                        .filter(|l| !quote::leans_back(l))
                        .map(str::to_string),
                );
                // "Our engineers can't take cash" goes on with where cash is taken.
                let lines = exceptions::with_way_it_can(&p.text, text, lines);
                Some(lines).filter(|s| !s.is_empty())
            });
            // "How quick do you reply to emails?": the top passage's one sentence of the
            // asked kind of fact, when it says what the question is about.
            // Or the one sentence of that kind about what was asked in a passage retrieval
            // ranked lower ("Refunds are paid back … within 10 working days").
            let sole = || {
                passages
                    .first()
                    .and_then(|p| sole_fact(p, &fit))
                    .or_else(|| {
                        quotable
                            .iter()
                            .filter(|p| !p.id.starts_with("tool:"))
                            .take(3)
                            .find_map(|p| topical_fact(p, &fit))
                    })
                    .map(|l| vec![l])
            };
            let Some(lines) = fallback.or_else(sole) else {
                return Outcome::handoff(HandoffReason::NotInKnowledge);
            };
            tracing::debug!(stream = ?end, "agent answers from the passage's own sentences");
            for l in &lines {
                if said.say(l).is_break() {
                    break;
                }
            }
        }
        Outcome::spoken(cite(passages, &said.sentences), true)
    }
}

/// The passage's own sentences closest to the caller's words; for "what do I do?" when none
/// of them tells the caller what to do, each followed by the passage's next sentence if that
/// one does ("It may be a frozen condensate pipe…" → "Pour warm water over the pipe…").
fn own_lines(passage: &str, text: &str) -> Vec<String> {
    let lines = grounding::extract(passage, text, 2);
    if !instructions::asks_what_to_do(text) || lines.iter().any(|l| instructions::instructs(l)) {
        return lines;
    }
    let body = passage.split_once('\n').map_or(passage, |(_, b)| b);
    let all = sentences(body);
    let next = |l: &String| {
        let at = all.iter().position(|s| s == l)?;
        all.get(at + 1)
            .filter(|s| instructions::instructs(s))
            .cloned()
    };
    let mut out = Vec::new();
    for l in &lines {
        out.push(l.clone());
        out.extend(next(l).filter(|n| !lines.contains(n)));
    }
    out
}

/// Speaks the checked sentences of `parts`; stops the stream at the first that fails. Until
/// a sentence gives the asked slot (a price per the asked period, a duration, a time), the
/// checked sentences are held back: an answer that never gives it is not spoken at all.
fn release(
    parts: &[String],
    g: &Grounding,
    gate: &mut SlotGate,
    said: &mut Said<'_>,
    end: &mut Stream,
) -> ControlFlow<()> {
    for s in parts.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if grounding::is_dont_know(s) {
            *end = Stream::DontKnow;
            return ControlFlow::Break(());
        }
        match g.check(s) {
            Ok(()) => {}
            // The caller's own words said back tell them nothing: left out, the answer goes on.
            Err(grounding::Unsupported::Echo) => {
                tracing::debug!(
                    sentence = s,
                    "agent sentence only says the caller's words; skipped"
                );
                continue;
            }
            Err(why) => {
                tracing::debug!(?why, sentence = s, "agent sentence not grounded; dropped");
                *end = Stream::Ungrounded;
                return ControlFlow::Break(());
            }
        }
        if gate.names_another_row(s) {
            tracing::debug!(
                sentence = s,
                "agent sentence names a row not asked about; dropped"
            );
            *end = Stream::Ungrounded;
            return ControlFlow::Break(());
        }
        if !gate.met && !gate.gives_slot(s) {
            tracing::debug!(sentence = s, "agent sentence held until one gives the slot");
            gate.held.push(s.to_string());
            continue;
        }
        gate.met = true;
        for h in std::mem::take(&mut gate.held)
            .iter()
            .map(String::as_str)
            .chain([s])
        {
            if said.say(h).is_break() {
                *end = Stream::Cancelled;
                return ControlFlow::Break(());
            }
        }
    }
    ControlFlow::Continue(())
}

/// The model's checked sentences held until one gives the asked slot; the labels of the
/// passages' table rows the caller did not ask about.
struct SlotGate {
    slot: Slot,
    /// The columns this turn names ("deposit", "cover"): the answer must say which it gives.
    columns: Vec<String>,
    /// The caller's words of this turn.
    text: String,
    /// Whether the question compares nothing or the passages state the comparison (or the
    /// limit, deadline or window asked) themselves: without one, the model's "the cheapest
    /// is…" would be its own guess.
    passages_compare: bool,
    met: bool,
    held: Vec<String>,
    foreign: Vec<Vec<String>>,
    /// The starts and ends of the passages' time ranges.
    ranges: slots::Ranges,
}

impl SlotGate {
    fn new(slot: Slot, passages: &[Passage], asked: &Asked<'_>) -> SlotGate {
        let both = format!("{} {}", asked.context.unwrap_or(""), asked.text);
        let foreign = passages
            .iter()
            .filter_map(|p| p.names.first())
            .filter(|label| !super::slots::label_fits(&both, label))
            .map(|label| content(label))
            .filter(|words| !words.is_empty())
            .collect();
        // Only a follow-up's new column binds ("and what does it cover me up to?" after a
        // weekly price): a first question's words ("the unit") are checked by the quotes'
        // row names, not demanded of every sentence the model writes.
        let before = content(asked.context.unwrap_or(""));
        let columns = content(asked.text)
            .into_iter()
            .filter(|w| asked.context.is_some() && !before.contains(w))
            .filter(|w| asked.vocabulary.columns().contains(w) && !words::is_number(w))
            .filter(|w| !super::slots::is_slot_word(w))
            .collect();
        SlotGate {
            slot,
            columns,
            text: asked.text.to_string(),
            passages_compare: !super::slots::asks_comparison(asked.text)
                || passages
                    .iter()
                    .any(|p| super::slots::comparison_fits(asked.text, &p.text)),
            met: false,
            held: Vec::new(),
            foreign,
            ranges: slots::Ranges::of(
                &passages
                    .iter()
                    .map(|p| p.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        }
    }

    /// Whether a sentence gives the asked kind of fact and says which column it is from.
    fn gives_slot(&self, sentence: &str) -> bool {
        let have = content(sentence);
        self.slot.fits(sentence)
            && super::slots::narrowed_fits(&self.text, self.slot, sentence)
            && super::slots::comparison_fits(&self.text, sentence)
            && !figure_only_in_condition(&self.text, self.slot, sentence)
            && (self.slot.kind != Some(Kind::Clock)
                || super::slots::range_end_fits(&self.text, sentence, &self.ranges))
            && self.passages_compare
            && self.columns.iter().all(|c| {
                have.iter().any(|h| h == c || words::one_edit_apart(h, c))
                    // "And on a Saturday?" is said by "weekend" prices.
                    || slots::day_covered(c, sentence)
            })
    }

    /// Whether a sentence states a row the caller did not ask about ("Large, per month"
    /// after "how much is that one per month?" about the medium unit).
    fn names_another_row(&self, sentence: &str) -> bool {
        let words = content(sentence);
        self.foreign
            .iter()
            .any(|label| label.iter().all(|w| words.contains(w)))
    }
}

/// The caller's words of this turn, the question as understood (a follow-up joined to the
/// question before it) and that earlier question.
struct Asked<'a> {
    text: &'a str,
    question: &'a str,
    context: Option<&'a str>,
    slot: Slot,
    /// The knowledge base's words (its column headers among them).
    vocabulary: &'a Vocabulary,
    /// The one table cell the caller names, if any (see [`cells::named_cell`]), with its
    /// row's id.
    cell: Option<(String, String)>,
}

fn passage(h: &Hit) -> Passage {
    Passage::of(&h.chunk)
}

/// What a turn ended with.
struct Outcome {
    handoff: Option<HandoffReason>,
    sources: Vec<String>,
    answered: bool,
    /// The agent asked which of two look-alike facts is meant.
    asks_which: bool,
}

impl Outcome {
    fn handoff(reason: HandoffReason) -> Outcome {
        Outcome {
            handoff: Some(reason),
            sources: Vec::new(),
            answered: false,
            asks_which: false,
        }
    }
    fn spoken(sources: Vec<String>, answered: bool) -> Outcome {
        Outcome {
            handoff: None,
            sources,
            answered,
            asks_which: false,
        }
    }
    fn asks_which() -> Outcome {
        Outcome {
            asks_which: true,
            ..Outcome::spoken(Vec::new(), false)
        }
    }
}

fn is_strong(hit: &Hit) -> bool {
    hit.semantic >= STRONG_SEMANTIC
        || (hit.semantic >= FAIR_SEMANTIC && hit.lexical >= FAIR_LEXICAL)
}

/// Whether a looser match is confirmed by the kind of fact asked for: the question asks for
/// one (a price, a duration, a time of day, a count…), the top chunk is at least fairly close
/// in meaning, and one of its sentences gives that kind of fact, narrowed as the question
/// narrows it, beside a topical word of the question ("how much warning do you give before
/// you put the price up?" — "…we tell you by email at least 30 days before the new price
/// starts."). A neighbouring topic rarely has a sentence of the right type about the asked
/// thing.
fn slot_confirmed(hits: &[Hit], text: &str, slot: Slot) -> bool {
    let Some(top) = hits.first().filter(|h| h.semantic >= SLOT_SEMANTIC) else {
        return false;
    };
    if slot.kind.is_none() {
        return false;
    }
    let asked: Vec<String> = content(text)
        .into_iter()
        .filter(|w| w.len() >= 4 && !words::is_number(w) && !words::is_generic(w))
        .filter(|w| !super::slots::is_slot_word(w))
        .collect();
    let body = top.chunk.text.split_once('\n').map_or("", |(_, b)| b);
    let confirmed = sentences(body).iter().any(|s| {
        slot.fits(s)
            && super::slots::narrowed_fits(text, slot, s)
            && content(s)
                .iter()
                .any(|w| asked.iter().any(|a| words::same_root(a, w)))
    });
    if confirmed {
        tracing::debug!(?slot, "agent: the asked kind of fact is in the top chunk");
    }
    confirmed
}

/// Whether one sentence of the top two chunks (with its heading) says two thirds or more
/// of the question's topical words, two at least ("what counts as proof of address?" —
/// "…proof of address dated within the last 3 months, such as…"): as strong a match as a
/// close meaning, for terse list items whose embedding is far from a question.
fn worded(hits: &[Hit], text: &str) -> bool {
    hits.iter()
        .take(2)
        .any(|h| grounding::extract_scored(&h.chunk.text, text, 1).1 >= WORDED_COVERAGE)
}

/// The asking part of a turn that tells a story first ("We're having a wedding on the
/// island. Could we bring some fireworks over?" → the second sentence): its sentences that
/// end with a question mark, when there are other sentences; else the whole turn.
fn question_part(text: &str) -> &str {
    let Some(start) = text
        .char_indices()
        .filter(|&(_, c)| matches!(c, '.' | '!' | '?'))
        .map(|(i, c)| i + c.len_utf8())
        .filter(|&i| i < text.trim_end().len())
        .filter(|&i| text[i..].trim_end().ends_with('?'))
        .find(|&i| {
            !text[i..]
                .trim_end()
                .trim_end_matches('?')
                .contains(['.', '!'])
        })
    else {
        return text;
    };
    let part = text[start..].trim();
    if content(part).len() >= 2 { part } else { text }
}

/// The top hit and those close to it.
fn choose(hits: &[Hit]) -> Vec<&Hit> {
    let Some(top) = hits.first() else {
        return Vec::new();
    };
    hits.iter()
        .take(MODEL_PASSAGES)
        .filter(|h| h.semantic >= top.semantic - PASSAGE_MARGIN)
        .collect()
}

/// The passages the answer drew on: those sharing two or more content words with it, else
/// the first.
fn cite(passages: &[Passage], said: &[String]) -> Vec<String> {
    let answer: std::collections::HashSet<String> = content(&said.join(" ")).into_iter().collect();
    let mut ids: Vec<String> = passages
        .iter()
        .filter(|p| {
            let body = p.text.split_once('\n').map_or(p.text.as_str(), |(_, b)| b);
            content(body).iter().filter(|w| answer.contains(*w)).count() >= 2
        })
        .map(|p| p.id.clone())
        .collect();
    if ids.is_empty() {
        ids.extend(passages.first().map(|p| p.id.clone()));
    }
    ids.dedup();
    ids
}

/// The one table cell the caller names among the top three `hits` and the `siblings` (the
/// other rows of their tables; see [`cells::named_cell`]), or names the row of by another
/// cell of the top three ("Which zone is Tarnside in?", [`key_cells::keyed_cell`]); a
/// follow-up's is named by its own words first, then with the question before ("And on
/// Home Complete?").
fn table_cell(
    (hits, siblings): (&[Hit], &[Arc<Chunk>]),
    text: &str,
    context: Option<&str>,
    vocabulary: &Vocabulary,
) -> Option<(String, String)> {
    let knows = |w: &str| vocabulary.knows(w);
    let rare = |w: &str| vocabulary.is_rare(w);
    let befores = [None, context]
        .into_iter()
        .take(1 + usize::from(context.is_some()));
    befores.into_iter().find_map(|before| {
        let asking = cells::Asking::of(text, before, &knows)?;
        let top = &hits[..hits.len().min(3)];
        let rows = top.iter().map(|h| h.chunk.as_ref());
        let rows = rows.chain(siblings.iter().map(|c| c.as_ref()));
        cells::named_cell(rows, &asking).or_else(|| key_cells::keyed_cell(top, &asking, &rare))
    })
}

/// Whether the caller's words lean on the turn before: they open with "and", "what about"…,
/// or they are short and point back with a pronoun ("how much is it?").
fn is_follow_up(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let opens = matches!(words.first(), Some(&("and" | "also" | "then")))
        || lower.starts_with("what about")
        || lower.starts_with("how about");
    let points_back = words.iter().any(|w| {
        matches!(
            *w,
            "it" | "that" | "this" | "they" | "them" | "those" | "there"
        )
    });
    // "that one per month" points back: numbers and periods are not a topic of their own.
    let topical = content(text)
        .iter()
        .filter(|w| {
            !words::is_generic(w) && !words::is_number(w) && !super::slots::is_period_word(w)
        })
        .count();
    // "Until what time?", "How much?", "For how long?": a short question that names only
    // what it asks for, never what about.
    let elliptical = words.len() <= 4
        && content(text)
            .iter()
            .all(|w| words::is_generic(w) || ELLIPSIS_SLOT_WORDS.contains(&w.as_str()));
    opens || (points_back && topical < 2) || elliptical
}

/// Words that say what kind of fact a short follow-up asks for, not what about.
const ELLIPSIS_SLOT_WORDS: &[&str] = &[
    "time", "long", "much", "cost", "price", "late", "early", "often", "many", "old", "until",
    "till",
];

/// Whether the caller says the last answer did not help.
fn is_unhelped(text: &str) -> bool {
    let t = text.to_lowercase();
    [
        "not what i asked",
        "that doesn't help",
        "that does not help",
        "you're not listening",
        "you are not listening",
        "that's not right",
        "that's wrong",
        "that is wrong",
        "you don't understand",
        "didn't answer my question",
        "not my question",
    ]
    .iter()
    .any(|p| t.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_story_before_the_question_is_set_aside() {
        assert_eq!(
            question_part("We're having a wedding. Could we bring some fireworks over?"),
            "Could we bring some fireworks over?"
        );
        assert_eq!(
            question_part("The car is big. Is it a van? How much is it a week?"),
            "Is it a van? How much is it a week?"
        );
        // Too little left to judge, or nothing to set aside: the whole turn.
        assert_eq!(
            question_part("I've got a kayak. Is that extra?"),
            "I've got a kayak. Is that extra?"
        );
        assert_eq!(
            question_part("How long is it, roughly?"),
            "How long is it, roughly?"
        );
        assert_eq!(
            question_part("I need a van. Tomorrow."),
            "I need a van. Tomorrow."
        );
    }

    #[test]
    fn follow_ups_lean_on_the_turn_before() {
        for t in [
            "And how long does it take?",
            "What about France?",
            "How much is it?",
            "Can I return it?",
            "How much is that one per month?",
            "Until what time?",
            "How much?",
            "For how long?",
        ] {
            assert!(is_follow_up(t), "{t}");
        }
        for t in [
            "Where is your warehouse?",
            "Is there a minimum order value?",
            "Is there a discount if I sign up for the newsletter?",
            "How do I make a complaint?",
            "What time do you close?",
            "How much is a van?",
        ] {
            assert!(!is_follow_up(t), "{t}");
        }
    }

    #[test]
    fn unhelpful_turns_are_recognised() {
        assert!(is_unhelped("No, that's not what I asked."));
        assert!(!is_unhelped("What are your opening hours?"));
    }
}
