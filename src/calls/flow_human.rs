//! A flow call handed to a person: how [`FlowCallLogic`] starts the hand-off for a
//! `transfer: {queue: …}` and drives it each tick (replies from the router, lines to say,
//! the outcome back to the flow). The stage itself is [`super::human::Human`].

use std::time::Instant;

use super::flow_logic::FlowCallLogic;
use super::human::assist::Assist;
use super::human::{Human, Links, Outcome};
use crate::center::{Ask, CallKey};
use crate::events::{Event, Speaker};
use crate::flows::Input;
use crate::speech::listener::{Heard, Listener};
use crate::store::{HumanCallRecord, TranscriptMsg};

impl FlowCallLogic {
    /// The flow transfers to queue `name`: queue the call with the story so far, or tell
    /// the flow at once that nobody can take it.
    pub(super) fn enqueue_for_a_person(
        &mut self,
        now: Instant,
        name: String,
        priority: u8,
        skills: Vec<String>,
    ) {
        let Some(center) = self.services.center.clone() else {
            tracing::info!(call = self.call_no, queue = %name, "transfer: no agents configured");
            return self.give(now, Input::TransferFailed);
        };
        if let Some(run) = &self.run {
            for (var, value) in run.collected() {
                self.story.collected(var, value);
            }
            self.story.language = run.var("language").map(str::to_owned);
        }
        let vip = self
            .facts
            .caller
            .as_ref()
            .is_some_and(|c| self.services.vip_callers.contains(c));
        self.story.vip = vip;
        let crisis = self.story.reason.as_deref() == Some("crisis");
        let upset = self
            .mood
            .as_ref()
            .is_some_and(crate::emotion::CallMood::wants_a_person)
            || self.story.reason.as_deref() == Some("upset");
        let ask = Ask {
            call: CallKey(self.call_no),
            queue: name.clone(),
            priority,
            vip,
            crisis,
            upset,
            language: self.story.language.clone(),
            skills,
        };
        let summary = self.story.summary();
        let whisper = summary.whisper(&name);
        tracing::info!(
            call = self.call_no,
            queue = %name,
            priority,
            vip,
            crisis,
            upset,
            whisper_chars = whisper.len(),
            "transfer: queued for a person"
        );
        self.services.events.publish(Event::Summary {
            call: self.call_no,
            queue: name.clone(),
            summary: serde_json::to_value(&summary).unwrap_or_default(),
        });
        self.summary = Some(summary);
        let links = Links {
            center,
            voice: self.services.voice.clone(),
            events: self.services.events.clone(),
        };
        self.human = Some(Human::start(links, ask, whisper, now));
    }

    /// Stores the hand-off's record (once: the stage is dropped after).
    pub(super) fn store_human_call(&mut self) {
        let Some(h) = &self.human else { return };
        let end = h.ending();
        let summary = self
            .summary
            .as_ref()
            .and_then(|s| serde_json::to_string(s).ok());
        let post = self
            .summary
            .as_ref()
            .map(|s| super::human::after::post_call(s, self.story.human_lines(), end.outcome));
        let post_call = post.and_then(|p| serde_json::to_string(&p).ok());
        let record = HumanCallRecord {
            call_id_hash: self.call_id_hash.clone(),
            queue: h.queue().to_owned(),
            reason: self.story.reason.clone(),
            agents: end.agents,
            summary: summary.unwrap_or_else(|| "{}".into()),
            queued: end.queued,
            answered: end.answered,
            ended: std::time::SystemTime::now(),
            outcome: end.outcome.to_owned(),
            emotion: self.story.emotion.clone(),
            post_call: post_call.unwrap_or_else(|| "{}".into()),
        };
        tracing::info!(call = self.call_no, outcome = end.outcome, "hand-off over");
        let msg = TranscriptMsg::HumanCall(Box::new(record));
        if self.services.sink.try_send(msg).is_err() {
            tracing::warn!(
                call = self.call_no,
                "hand-off record dropped: the store is behind"
            );
        }
    }

    /// The agent's frame: to the caller once bridged, and to the agent's own listener.
    pub(super) fn agent_audio(&mut self, now: Instant, pcm: &[i16]) {
        let Some(h) = &mut self.human else { return };
        h.on_agent_audio(pcm);
        if !h.bridged() {
            return;
        }
        if self.agent_ears.is_none()
            && let Some(pool) = self.services.pool.clone()
        {
            self.agent_ears = Listener::new(self.call_no, (self.frame / 8) as u32, pool).ok();
        }
        let finals_only = self.services.events.subscribers() == 0;
        if let Some(ears) = &mut self.agent_ears {
            ears.on_frame(now, pcm, false, finals_only);
        }
        self.drain_agent_ears();
    }

    /// The human agent's finals go to the transcript, marked as theirs (partials only to
    /// the event stream).
    fn drain_agent_ears(&mut self) {
        while let Some(heard) = self.agent_ears.as_mut().and_then(Listener::poll) {
            match heard {
                Heard::Final {
                    transcript,
                    started,
                    ended,
                    ..
                } => {
                    let text = transcript.text.trim();
                    self.story.human_said(text);
                    self.transcript.human(started, ended, text);
                    self.publish_line(Speaker::Human, text);
                }
                Heard::Partial { text, stable_words } => {
                    self.publish_partial(Speaker::Human, &text, stable_words);
                }
                Heard::BargeIn { .. } => {}
            }
        }
    }

    /// The call ends: the router hears of it, the hand-off is stored, the agent's last
    /// words are waited for.
    pub(super) fn end_human(&mut self, now: Instant) {
        // The agent's finished lines first: the post-call summary reads them.
        if let Some(ears) = &mut self.agent_ears {
            let unfinished = ears.finish(now);
            self.drain_agent_ears();
            for u in unfinished {
                self.transcript.unfinished_human(u);
            }
        }
        if let Some(h) = &mut self.human {
            h.end();
            self.store_human_call();
            self.human = None;
        }
        self.assist = None;
    }

    /// The queue overflowed to a callback: a request for the number the caller called from
    /// is stored and the caller hears which number (its last four digits), then the call
    /// ends; without a number to call, the flow takes `on_fail` (voicemail, typically).
    fn call_back(&mut self, now: Instant, queue: String) {
        let busy = "I'm sorry, all our agents are still busy.";
        let Some(number) = self.facts.caller.clone().filter(|n| callable(n)) else {
            tracing::info!(call = self.call_no, "callback: no number to call back");
            self.engine.say_prompt(busy);
            self.speaking = false;
            return self.give(now, Input::TransferFailed);
        };
        // `callable` numbers are ASCII: the last four digits, said one by one.
        let last = &number[number.len().saturating_sub(4)..];
        let spaced: Vec<String> = last.chars().map(String::from).collect();
        let request = crate::store::CallbackRequest {
            call_id_hash: self.call_id_hash.clone(),
            queue,
            number,
            reason: self.story.reason.clone(),
            requested: std::time::SystemTime::now(),
        };
        tracing::info!(call = self.call_no, "callback requested");
        if self
            .services
            .sink
            .try_send(TranscriptMsg::Callback(request))
            .is_err()
        {
            tracing::warn!(
                call = self.call_no,
                "callback request dropped: the store is behind"
            );
        }
        self.engine.say_prompt(&format!(
            "{busy} We will call you back on the number ending in {}. Thank you for calling. Goodbye.",
            spaced.join(" ")
        ));
        self.hang_up_after_speaking = true;
    }

    /// The caller's line on a bridged call goes to agent assist, when someone watches the
    /// event stream (its lookups cost an AI turn each).
    pub(super) fn assist_heard(&mut self, text: &str) {
        if !self.human.as_ref().is_some_and(Human::bridged)
            || self.services.events.subscribers() == 0
        {
            return;
        }
        if self.assist.is_none()
            && let Some(with) = self.services.assist.clone()
        {
            let events = self.services.events.clone();
            self.assist = Some(Assist::new(self.call_no, with, events));
        }
        if let Some(a) = &mut self.assist {
            a.heard(text);
        }
    }

    /// Once per tick: the router's replies, lines for the caller, the outcome for the flow.
    pub(super) fn human_tick(&mut self, now: Instant) {
        if let Some(a) = &mut self.assist {
            a.poll();
        }
        let Some(h) = self.human.as_mut() else { return };
        h.poll(now);
        let mut lines = Vec::new();
        while let Some(line) = h.poll_say() {
            lines.push(line);
        }
        let outcome = h.take_outcome();
        for line in lines {
            self.engine.say_prompt(&line);
        }
        if outcome.is_some() {
            self.store_human_call();
        }
        match outcome {
            Some(Outcome::Failed { say }) => {
                self.human = None;
                self.engine.say_prompt(&say);
                self.speaking = false;
                self.give(now, Input::TransferFailed);
            }
            Some(Outcome::Over { say }) => {
                self.human = None;
                self.engine.say_prompt(&say);
                self.hang_up_after_speaking = true;
            }
            Some(Outcome::Callback) => {
                let queue = self.human.take().map(|h| h.queue().to_owned());
                self.call_back(now, queue.unwrap_or_default());
            }
            None => {}
        }
    }
}

/// Whether `number` (a caller's user part) is a telephone number one can dial back: digits
/// with an optional leading `+`, 5 to 16 of them.
fn callable(number: &str) -> bool {
    let digits = number.strip_prefix('+').unwrap_or(number);
    (5..=16).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_telephone_numbers_are_called_back() {
        for yes in ["+441632960001", "01632960001", "12345"] {
            assert!(super::callable(yes), "{yes}");
        }
        for no in [
            "anonymous",
            "alice",
            "+44 1632",
            "1234",
            "",
            "+",
            "12345678901234567",
        ] {
            assert!(!super::callable(no), "{no}");
        }
    }
}
