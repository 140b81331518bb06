//! Masking what a caller says that must not be stored: card numbers however they are said
//! and the codes, expiry dates and PINs said after their cue words.
//!
//! Owns [`mask_numbers`] and its tokenizer. Must not touch: logging, storage, the clock. One
//! linear pass tokenizes the text into [`Item`]s (a digit, a digit word, a separator stretch, a
//! filler, a word, another character); the cue pass and the run pass each walk the items once
//! and only mark items; the output is written in one last pass.

mod lexicon;

use lexicon::Cue;

/// Digits left visible at the end of a masked card or identifier.
const KEEP_DIGITS: usize = 4;
/// A run of this many digits or more is an identifier (account, phone number): masked.
const ID_DIGITS: usize = 9;
/// Separator bytes allowed between two digit groups of one number ("4111 - 1111" has 3; a
/// full-width comma is 3 bytes).
const MAX_SEP_BYTES: usize = 12;
/// Fillers allowed between two digit groups of one number ("4111, uh, sorry, 1111").
const MAX_FILLERS: usize = 3;
/// Words or characters allowed between a cue word and the value it introduces.
const CUE_WINDOW: usize = 6;
/// What a masked character or word is written as.
const MASK_CHAR: char = '*';
const MASK_WORD: &str = "****";

/// What one piece of the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One digit character: ASCII, full-width or a Chinese digit. Masked as one `*`.
    Digit,
    /// A digit word or phrase ("four", "double four", "forty one"): up to three digits.
    /// Masked as `****`.
    Words,
    /// A stretch of separators (spaces, dashes, slashes, dots, commas, colons).
    Sep,
    /// A hesitation ("uh", "I mean", "嗯"): may stand between the groups of one number.
    Filler,
    /// A month name: part of an expiry date after its cue, a word elsewhere.
    Month,
    /// 年 or 月: joins the parts of a date after an expiry cue, a word elsewhere.
    Joiner,
    /// A full date ("2024-03-12"): never part of a card number; masked after an expiry cue.
    Date,
    /// What an earlier masking wrote (`*`): a value already masked.
    Masked,
    /// Any other word or character.
    Other,
}

/// One piece of the text: its byte range, what it is, the digits it says.
#[derive(Debug, Clone, Copy)]
struct Item {
    start: usize,
    end: usize,
    kind: Kind,
    digits: [u8; 3],
    len: u8,
    mask: bool,
}

impl Item {
    fn new(start: usize, end: usize, kind: Kind) -> Item {
        Item {
            start,
            end,
            kind,
            digits: [0; 3],
            len: 0,
            mask: false,
        }
    }

    fn with_digits(start: usize, end: usize, kind: Kind, digits: &[u8]) -> Item {
        let mut item = Item::new(start, end, kind);
        for (slot, d) in item.digits.iter_mut().zip(digits) {
            *slot = *d;
        }
        item.len = digits.len().min(3) as u8;
        item
    }

    fn is_digit(&self) -> bool {
        matches!(self.kind, Kind::Digit | Kind::Words)
    }

    fn digits(&self) -> &[u8] {
        &self.digits[..usize::from(self.len)]
    }
}

/// `text` with what must not be stored masked:
/// - a card number (13–19 digits passing the Luhn check) and any other run of nine or more
///   digits keeps only its last four digits, however it is said: digits with spaces, dashes,
///   slashes, dots or commas between groups, digit words in English ("four one one one", "oh",
///   "double four", "triple one", "forty one eleven") or Mandarin (一…九, 幺, 两, 零, full-width
///   ０-９), mixed, with fillers between groups ("uh", "sorry", "I mean", "嗯", "那个"). A masked
///   digit becomes `*`, a masked digit word `****`; separators and fillers stay.
/// - the value said within a few words after a cue for a security code ("CVV", "security
///   code", "安全码"), an expiry date ("expires", "valid until", "有效期") or a PIN ("PIN",
///   "passcode", "密码") is masked completely, month names included ("April 2027").
///
/// Amounts ("$1,299.99"), times ("10:30"), dates, order numbers of up to eight digits and
/// ordinary words ("one more thing") are kept. Idempotent; linear in the text's length.
pub fn mask_numbers(text: &str) -> String {
    mask_utterance(text, &mut Carry::default())
}

/// Digits carried at most from one utterance to the next.
const MAX_CARRY: usize = 32;

/// The digits the previous utterance of a call ended with. A caller reading a card pauses
/// between groups and the recognizer may cut the number into utterances ("4111 1111" …
/// "1111 1111"): the digits carried count toward the number the next utterance begins
/// with, so its part is masked (what was stored before stays as it was). `Debug` shows only
/// how many digits it holds.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Carry(Vec<u8>);

impl Carry {
    /// Whether the previous utterance ended outside a number.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Carry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Carry({} digits)", self.0.len())
    }
}

/// [`mask_numbers`] for one utterance of a call, after those in `carry` (updated for the
/// next one).
pub fn mask_utterance(text: &str, carry: &mut Carry) -> String {
    let mut items = lexicon::tokenize(text);
    mark_cue_values(text, &mut items);
    let mut tail = mark_long_runs(&mut items, &carry.0);
    if tail.len() > MAX_CARRY {
        tail.drain(..tail.len() - MAX_CARRY);
    }
    carry.0 = tail;
    render(text, &items)
}

/// `text` for a log line: every digit hidden (`#`), whatever the run's length, digit words
/// ("four", 四) included, so even a card number recognized piece by piece in partial
/// transcripts never reaches the logs.
pub fn hide_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for item in lexicon::tokenize(text) {
        match item.kind {
            Kind::Digit | Kind::Words => out.push('#'),
            _ => out.extend(text[item.start..item.end].chars().map(|c| {
                if c.is_ascii_digit() || ('０'..='９').contains(&c) {
                    '#'
                } else {
                    c
                }
            })),
        }
    }
    out
}

/// Marks the value after every cue word (see [`mask_numbers`]).
fn mark_cue_values(text: &str, items: &mut [Item]) {
    let mut i = 0;
    while i < items.len() {
        let Some((cue, after)) = lexicon::cue_at(text, items, i) else {
            i += 1;
            continue;
        };
        i = mark_value_after(items, after, cue);
    }
}

/// Finds the value within [`CUE_WINDOW`] words from `from` and marks it; returns where the
/// cue search goes on.
fn mark_value_after(items: &mut [Item], from: usize, cue: Cue) -> usize {
    let mut words = 0;
    let mut j = from;
    while j < items.len() && words <= CUE_WINDOW {
        let item = items[j];
        match item.kind {
            Kind::Masked => return j + 1,
            Kind::Date if cue == Cue::Expiry => {
                items[j].mask = true;
                return j + 1;
            }
            Kind::Digit | Kind::Words => return mark_value_run(items, j, cue),
            Kind::Month if cue == Cue::Expiry => {
                let end = mark_value_run(items, j, cue);
                if items[j..end].iter().any(Item::is_digit) {
                    return end;
                }
                for it in &mut items[j..end] {
                    it.mask = false;
                }
                words += 1;
                j = end.max(j + 1);
            }
            Kind::Sep => j += 1,
            _ => {
                words += 1;
                j += 1;
            }
        }
    }
    from
}

/// Marks the value starting at `start`: digits, digit words (and for a date month names)
/// with the gaps allowed inside a number. Returns the index after it.
fn mark_value_run(items: &mut [Item], start: usize, cue: Cue) -> usize {
    let date = cue == Cue::Expiry;
    let mut gap = Gap::default();
    let mut end = start;
    let mut j = start;
    while j < items.len() {
        let kind = items[j].kind;
        let part = matches!(kind, Kind::Digit | Kind::Words)
            || (date && matches!(kind, Kind::Month | Kind::Joiner));
        if part {
            gap = Gap::default();
            if kind != Kind::Joiner {
                items[j].mask = true;
            }
            j += 1;
            end = j;
        } else if gap.admit(text_len(&items[j]), kind) {
            j += 1;
        } else {
            break;
        }
    }
    end
}

fn text_len(item: &Item) -> usize {
    item.end - item.start
}

/// What stands between two digit groups since the last digit.
#[derive(Debug, Default)]
struct Gap {
    sep_bytes: usize,
    fillers: usize,
}

impl Gap {
    /// Whether the run may go on past an item of `kind` (`len` bytes long).
    fn admit(&mut self, len: usize, kind: Kind) -> bool {
        match kind {
            Kind::Sep => {
                self.sep_bytes += len;
                self.sep_bytes <= MAX_SEP_BYTES
            }
            Kind::Filler => {
                self.fillers += 1;
                self.fillers <= MAX_FILLERS
            }
            _ => false,
        }
    }
}

/// Marks every card number and long identifier but its last four digits.
/// `carry` are digits said just before the text: they join a number the text begins with,
/// and then the whole part in this text is masked (more may follow in the next utterance,
/// so its last four digits are not known to be the number's last four). Returns the digits
/// of the number the text ends in (empty if it ends otherwise).
fn mark_long_runs(items: &mut [Item], carry: &[u8]) -> Vec<u8> {
    let mut run: Vec<usize> = Vec::new();
    let mut digits: Vec<u8> = carry.to_vec();
    let mut open = !carry.is_empty();
    let mut keep = if open { 0 } else { KEEP_DIGITS };
    let mut gap = Gap::default();
    for i in 0..items.len() {
        let item = items[i];
        if item.is_digit() {
            run.push(i);
            digits.extend_from_slice(item.digits());
            gap = Gap::default();
        } else if (run.is_empty() && !open) || !gap.admit(text_len(&item), item.kind) {
            finish_run(items, &mut run, &mut digits, keep);
            gap = Gap::default();
            open = false;
            keep = KEEP_DIGITS;
        }
    }
    let tail = if run.is_empty() && !open {
        Vec::new()
    } else {
        digits.clone()
    };
    finish_run(items, &mut run, &mut digits, keep);
    tail
}

/// Marks the run's items but those of its last `keep` digits if it is a card or an
/// identifier.
fn finish_run(items: &mut [Item], run: &mut Vec<usize>, digits: &mut Vec<u8>, keep: usize) {
    let card = (13..=19).contains(&digits.len()) && luhn_valid(digits);
    if card || digits.len() >= ID_DIGITS {
        let mut keep = keep;
        for &i in run.iter().rev() {
            let n = usize::from(items[i].len);
            if keep >= n {
                keep -= n;
            } else {
                keep = 0;
                items[i].mask = true;
            }
        }
    }
    run.clear();
    digits.clear();
}

/// The Luhn check of card numbers.
fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            match (i % 2 == 1, d * 2) {
                (true, dd) if dd > 9 => dd - 9,
                (true, dd) => dd,
                (false, _) => d,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Writes the text with the marked items masked.
fn render(text: &str, items: &[Item]) -> String {
    let mut out = String::with_capacity(text.len());
    for item in items {
        match (item.mask, item.kind) {
            (true, Kind::Digit) => out.push(MASK_CHAR),
            (true, Kind::Date) => out.extend(
                text[item.start..item.end]
                    .chars()
                    .map(|c| if c.is_ascii_digit() { MASK_CHAR } else { c }),
            ),
            (true, _) => out.push_str(MASK_WORD),
            (false, _) => out.push_str(&text[item.start..item.end]),
        }
    }
    out
}

#[cfg(test)]
mod heldout;
#[cfg(test)]
mod tests;
