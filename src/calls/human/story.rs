//! The story of a call so far, told to the human agent before they say hello: who is
//! calling, why in their own words, what voxgate already answered, the numbers the flow
//! collected, how the caller feels. Only facts from the call: every quoted line was said,
//! every number was collected or said; nothing is guessed, nothing is made up by a model.
//!
//! Owns: the caller's and voxgate's lines kept for the summary (numbers masked like the
//! stored transcript), the text of the whisper and of the summary record. Must not touch:
//! audio, logs (the story is personal data), the store.

use crate::privacy::mask_numbers;

/// Lines kept of each side (the oldest go first).
const KEEP: usize = 12;
/// Human agents' lines kept for the post-call summary.
const HUMAN_LINES: usize = 200;
/// Longest quote (characters) in the whisper: about ten seconds of speech.
const QUOTE: usize = 160;

/// What the call has been so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Story {
    caller: Vec<String>,
    voxgate: Vec<String>,
    /// The human agents' lines (kept whole for the post-call summary, up to a bound).
    human: Vec<String>,
    /// The flow's collected values: (variable, value).
    collected: Vec<(String, String)>,
    /// The caller's last emotion and its trend.
    pub emotion: Option<(String, String)>,
    /// Why voxgate handed over (`asked_for_person`, `upset`, `crisis`, `unsure`…).
    pub reason: Option<String>,
    /// The caller is on the VIP list.
    pub vip: bool,
    /// The caller's language, when known.
    pub language: Option<String>,
}

/// The summary as data (the event stream and the stored record carry it).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Why the call came to a person.
    pub reason: Option<String>,
    /// Why they called, in their own words.
    pub in_their_words: Option<String>,
    /// What voxgate already told them (its last answer).
    pub answered: Option<String>,
    /// Values the flow collected.
    pub collected: Vec<(String, String)>,
    /// The caller's last emotion and its trend.
    pub emotion: Option<(String, String)>,
    /// VIP caller.
    pub vip: bool,
    /// The caller's language.
    pub language: Option<String>,
}

impl Story {
    /// The caller said `text`.
    pub fn heard(&mut self, text: &str) {
        push_kept(&mut self.caller, text);
    }

    /// voxgate said `text`.
    pub fn said(&mut self, text: &str) {
        push_kept(&mut self.voxgate, text);
    }

    /// A human agent said `text` (numbers masked).
    pub fn human_said(&mut self, text: &str) {
        let text = text.trim();
        if !text.is_empty() && self.human.len() < HUMAN_LINES {
            self.human.push(mask_numbers(text));
        }
    }

    /// What the human agents said, in order.
    pub fn human_lines(&self) -> &[String] {
        &self.human
    }

    /// The flow collected `value` into `var`.
    pub fn collected(&mut self, var: &str, value: &str) {
        self.collected.retain(|(v, _)| v != var);
        self.collected.push((var.to_owned(), mask_numbers(value)));
    }

    /// The summary of what is known now.
    pub fn summary(&self) -> Summary {
        Summary {
            reason: self.reason.clone(),
            in_their_words: self.why().map(str::to_owned),
            answered: self.voxgate.iter().rev().find(|l| is_answer(l)).cloned(),
            collected: self.collected.clone(),
            emotion: self.emotion.clone(),
            vip: self.vip,
            language: self.language.clone(),
        }
    }

    /// Why they called: the first thing they said that is more than a greeting or a request
    /// for a person, else the last thing they said.
    fn why(&self) -> Option<&str> {
        self.caller
            .iter()
            .find(|l| l.split_whitespace().count() >= 3 && !asks_for_person(l))
            .or_else(|| self.caller.last())
            .map(String::as_str)
    }
}

impl Summary {
    /// The whisper: a few short sentences for the agent's ear.
    pub fn whisper(&self, queue: &str) -> String {
        let mut out = vec![format!("Call from the {queue} queue.")];
        if self.vip {
            out.push("A VIP caller.".into());
        }
        if let Some(r) = &self.reason {
            out.push(format!("{}.", reason_words(r)));
        }
        match &self.in_their_words {
            Some(w) => out.push(format!("They said: {}", sentence(&clip(w)))),
            None => out.push("They have not said why yet.".into()),
        }
        for (var, value) in &self.collected {
            out.push(format!(
                "{}: {}.",
                var.replace('_', " "),
                spaced_digits(value)
            ));
        }
        if let Some(a) = &self.answered {
            out.push(format!("We told them: {}", sentence(&clip(a))));
        }
        if let Some((label, trend)) = &self.emotion
            && label != "neutral"
        {
            let trend = match trend.as_str() {
                "worsening" => ", and getting more upset",
                "improving" => ", but calmer now",
                _ => "",
            };
            out.push(format!("They sound {label}{trend}."));
        }
        if let Some(l) = self.language.as_deref().filter(|l| *l != "en") {
            out.push(format!("Language: {}.", language_name(l)));
        }
        out.join(" ")
    }
}

fn push_kept(lines: &mut Vec<String>, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    if lines.len() == KEEP {
        lines.remove(0);
    }
    lines.push(mask_numbers(text));
}

/// Whether the AI agent's line is an answer rather than its greeting, an acknowledgement
/// or the hand-off.
fn is_answer(line: &str) -> bool {
    let l = line.to_lowercase();
    let filler = [
        "connecting you",
        "connect you",
        "one moment",
        "let me check",
        "how can i help",
    ];
    l.split_whitespace().count() >= 5 && !filler.iter().any(|f| l.contains(f))
}

/// Whether the caller's line only asks for a person.
fn asks_for_person(line: &str) -> bool {
    let l = line.to_lowercase();
    let asks = [
        "person",
        "human",
        "agent",
        "someone",
        "somebody",
        "representative",
        "operator",
        "人工",
        "客服",
    ];
    asks.iter().any(|a| l.contains(a)) && l.split_whitespace().count() <= 10
}

fn reason_words(reason: &str) -> String {
    match reason {
        "asked_for_person" | "caller_request" => "They asked for a person".into(),
        "upset" => "They are upset".into(),
        "crisis" => "Careful: they may be in crisis".into(),
        "unsure" | "no_answer" | "low_confidence" => "The assistant could not answer them".into(),
        "vip" => "A VIP caller".into(),
        "max_turns" => "The assistant ran out of turns".into(),
        other => format!("Handed over: {}", other.replace('_', " ")),
    }
}

/// Cuts a quote at a word boundary.
fn clip(text: &str) -> String {
    if text.chars().count() <= QUOTE {
        return text.to_owned();
    }
    let cut: String = text.chars().take(QUOTE).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => format!("{cut}…"),
    }
}

fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '?', '!', '…', '。', '？', '！']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}

/// Digits read one by one ("1 2 3 4"), so a voice says each digit.
fn spaced_digits(value: &str) -> String {
    if value.chars().all(|c| c.is_ascii_digit()) && value.len() > 1 {
        value
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        value.to_owned()
    }
}

fn language_name(code: &str) -> &str {
    match code {
        "zh" => "Mandarin",
        "es" => "Spanish",
        "fr" => "French",
        "de" => "German",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn story() -> Story {
        let mut s = Story::default();
        s.said("Thanks for calling Example Shop. How can I help?");
        s.heard("hi");
        s.heard("my parcel never arrived and it was meant to come on Monday");
        s.said("Orders usually arrive within three to five working days of dispatch.");
        s.heard("I want to talk to a person please");
        s.said("I'm connecting you to a colleague now.");
        s.collected("order", "48213377");
        s.reason = Some("asked_for_person".into());
        s.emotion = Some(("frustrated".into(), "worsening".into()));
        s
    }

    #[test]
    fn the_whisper_tells_why_in_their_words_the_number_and_the_mood() {
        let w = story().summary().whisper("support");
        assert_eq!(
            w,
            "Call from the support queue. They asked for a person. They said: my parcel never \
             arrived and it was meant to come on Monday. order: 4 8 2 1 3 3 7 7. We told them: \
             Orders usually arrive within three to five working days of dispatch. They sound \
             frustrated, and getting more upset."
        );
    }

    #[test]
    fn every_quote_was_said_and_nothing_else_is_claimed() {
        let s = story();
        let sum = s.summary();
        assert!(s.caller.contains(sum.in_their_words.as_ref().unwrap()));
        assert!(s.voxgate.contains(sum.answered.as_ref().unwrap()));
        let quiet = Story::default().summary();
        assert_eq!(quiet.in_their_words, None);
        assert_eq!(quiet.answered, None);
        assert_eq!(
            quiet.whisper("sales"),
            "Call from the sales queue. They have not said why yet."
        );
    }

    #[test]
    fn card_numbers_never_reach_the_agents_ear() {
        let mut s = Story::default();
        s.heard("my card is 4111 1111 1111 1111 and it was charged twice");
        let w = s.summary().whisper("billing");
        assert!(!w.contains("4111"), "{w}");
        assert!(w.contains("charged twice"), "{w}");
    }

    #[test]
    fn long_lines_are_clipped_at_a_word() {
        let mut s = Story::default();
        s.heard(&"very ".repeat(80));
        let q = s.summary().whisper("q");
        assert!(q.len() < 260, "{q}");
        assert!(q.contains("very…"), "{q}");
    }
}
