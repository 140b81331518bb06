//! How a run takes what happened on the call: a prompt finished, a key or words at a menu
//! or a collect, a retry after no input or no match, a webhook's answer, the agent's end, the
//! end of a transcription, a failed transfer.

use std::time::{Duration, Instant};

use super::super::values::{spoken_choice, spoken_digits, store_json, valid};
use super::*;

impl FlowRun {
    pub(super) fn prompt_done(&mut self, now: Instant) {
        if !std::mem::take(&mut self.speaking) {
            return;
        }
        let node = self.node_of().cloned();
        match (self.wait, node) {
            (Wait::Prompt, Some(n)) => {
                let next = n.next.map(|t| t.node);
                if let Some(next) = self.after(next) {
                    self.go(now, &next);
                }
            }
            (
                Wait::Menu,
                Some(Node {
                    kind: Kind::Menu(m),
                    ..
                }),
            ) => {
                self.deadline = Some(now + Duration::from_secs(u64::from(m.timeout_secs)));
            }
            (
                Wait::Collect,
                Some(Node {
                    kind: Kind::Collect(c),
                    ..
                }),
            ) if self.digits.is_empty() => {
                self.deadline = Some(now + Duration::from_secs(u64::from(c.timeout_secs)));
            }
            (
                Wait::VoicemailPrompt,
                Some(Node {
                    kind: Kind::Voicemail(v),
                    ..
                }),
            ) => {
                self.wait = Wait::Recording;
                self.actions.push_back(Action::Record {
                    max: Duration::from_secs(u64::from(v.max_secs)),
                });
            }
            (
                Wait::TransferPrompt,
                Some(Node {
                    kind: Kind::Transfer(t),
                    ..
                }),
            ) => self.transfer(t.to),
            (Wait::Goodbye, _) => self.hangup(),
            _ => {}
        }
    }

    pub(super) fn interrupt(&mut self) {
        if std::mem::take(&mut self.speaking) {
            self.actions.push_back(Action::StopSpeaking);
        }
    }

    pub(super) fn menu_choice(&mut self, now: Instant, said: &str, keyed: bool) {
        let Some(Node {
            kind: Kind::Menu(m),
            ..
        }) = self.node_of().cloned()
        else {
            return;
        };
        self.interrupt();
        let choice = if keyed {
            m.options.iter().find(|(k, _)| k == said)
        } else {
            spoken_choice(&m.options, said)
        };
        match (choice, &m.other) {
            (Some((option, t)), _) => {
                // "How long do I have to return an item?" chose `returns` and is also the
                // question the next node (an agent, a collect) should not ask again.
                if !keyed && said.split_whitespace().count() > option.split_whitespace().count() + 2
                {
                    self.vars
                        .insert("utterance".into(), said.trim().to_string());
                }
                self.go(now, &t.node.clone())
            }
            (None, Some(other)) if !keyed && !said.trim().is_empty() => {
                self.vars
                    .insert("utterance".into(), said.trim().to_string());
                self.go(now, &other.node.clone());
            }
            _ => self.retry(now, Retry::NoMatch),
        }
    }

    pub(super) fn collect_digit(&mut self, now: Instant, d: char) {
        let Some(Node {
            kind: Kind::Collect(c),
            ..
        }) = self.node_of().cloned()
        else {
            return;
        };
        self.interrupt();
        if d == '#' {
            return self.finish_collect(now);
        }
        if d.is_ascii_digit() || (d == '*' && c.star) {
            self.digits.push(d);
        }
        if self.digits.len() >= c.max {
            self.finish_collect(now);
        } else {
            self.deadline = Some(now + Duration::from_secs(u64::from(c.timeout_secs)));
        }
    }

    pub(super) fn collect_speech(&mut self, now: Instant, text: &str) {
        self.interrupt();
        self.digits = spoken_digits(text);
        self.finish_collect(now);
    }

    pub(super) fn finish_collect(&mut self, now: Instant) {
        let Some(Node {
            kind: Kind::Collect(c),
            next,
            ..
        }) = self.node_of().cloned()
        else {
            return;
        };
        let value = std::mem::take(&mut self.digits);
        if valid(&c, &value) {
            self.collect_into(&c.into, value);
            if let Some(next) = self.after(next.map(|t| t.node)) {
                self.go(now, &next);
            }
        } else {
            self.retry(now, Retry::NoMatch);
        }
    }

    /// Asks again after no input or a bad answer, or goes to the retry's `then`.
    pub(super) fn retry(&mut self, now: Instant, why: Retry) {
        let Some(node) = self.node_of().cloned() else {
            return;
        };
        let (prompt, spec) = match &node.kind {
            Kind::Menu(m) => (
                m.prompt.clone(),
                match why {
                    Retry::NoInput => m.no_input.clone(),
                    Retry::NoMatch => m.no_match.clone(),
                },
            ),
            Kind::Collect(c) => (c.prompt.clone(), c.invalid.clone()),
            _ => return,
        };
        let used = match why {
            Retry::NoInput => &mut self.no_input,
            Retry::NoMatch => &mut self.no_match,
        };
        *used += 1;
        let allowed = spec.as_ref().map_or(DEFAULT_RETRIES, |s| s.retries);
        if *used > allowed {
            match spec {
                Some(s) => self.go(now, &s.then.node),
                None => self.hangup(),
            }
            return;
        }
        self.deadline = None;
        self.digits.clear();
        if let Some(say) = spec.as_ref().and_then(|s| s.say.as_ref()) {
            self.say(say);
        }
        self.say(&prompt);
    }

    pub(super) fn webhook_done(&mut self, now: Instant, result: Result<WebhookReply, String>) {
        self.deadline = None;
        let Some(Node {
            kind: Kind::Webhook(w),
            next,
            ..
        }) = self.node_of().cloned()
        else {
            return;
        };
        let result = result.and_then(|r| match r.status {
            500.. => Err(format!("HTTP {}", r.status)),
            _ => Ok(r),
        });
        match result {
            Ok(reply) => {
                if let Some(into) = &w.into {
                    store_json(&mut self.vars, into, &reply.body);
                    self.vars
                        .insert(format!("{into}.http_status"), reply.status.to_string());
                }
                if let Some(next) = self.after(next.map(|t| t.node)) {
                    self.go(now, &next);
                }
            }
            Err(why) => {
                let why = crate::privacy::hide_digits(&why);
                tracing::info!(flow = %self.flow.name, node = %self.at, %why, "webhook failed");
                self.go(now, &w.on_error.node);
            }
        }
    }

    pub(super) fn agent_done(&mut self, now: Instant, end: AgentEnd) {
        let Some(Node {
            kind: Kind::Agent(a),
            next,
            ..
        }) = self.node_of().cloned()
        else {
            return;
        };
        match end {
            AgentEnd::Handoff(reason) => {
                // A crisis goes where the flow sends crises, when it names a place.
                let to = match &self.flow.on_crisis {
                    Some(t) if reason == "crisis" => t.node.clone(),
                    _ => a.on_handoff.node.clone(),
                };
                self.vars.insert("handoff".into(), reason);
                self.go(now, &to);
            }
            AgentEnd::Finished => match next {
                Some(t) => self.go(now, &t.node),
                None => self.hangup(),
            },
        }
    }

    /// The transcription ends (`#` or its time limit): `next`, or the end of the call.
    pub(super) fn transcribed(&mut self, now: Instant) {
        self.deadline = None;
        let next = self.node_of().and_then(|n| n.next.clone()).map(|t| t.node);
        self.actions.push_back(Action::StopListening);
        if let Some(next) = self.after(next) {
            self.go(now, &next);
        }
    }

    pub(super) fn transfer_failed(&mut self, now: Instant) {
        match self.node_of().cloned() {
            Some(Node {
                kind:
                    Kind::Transfer(Transfer {
                        on_fail: Some(t), ..
                    }),
                ..
            }) => self.go(now, &t.node),
            _ => self.hangup(),
        }
    }
}
