//! The AI agent's outcomes: why it hands a caller to a person, what one turn produced, and
//! where its time went. The turn itself is in `turn.rs`, the set-up in `start.rs`.

use std::borrow::Cow;

/// Why the agent hands the caller to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandoffReason {
    /// The caller asked for a person.
    AskedForPerson,
    /// Crisis or self-harm language.
    Crisis,
    /// A threat against someone.
    Threat,
    /// Legal, medical or financial advice was asked for.
    RegulatedAdvice,
    /// The knowledge base does not answer the question.
    NotInKnowledge,
    /// Two failed turns in a row.
    RepeatedFailure,
    /// More than the allowed number of turns.
    TooManyTurns,
    /// The language model is unreachable or failed.
    LlmUnavailable,
    /// An operator's webhook tool failed.
    ToolUnavailable,
    /// The caller was angry or anxious for `emotion.upset_turns` turns in a row.
    Upset,
}

impl HandoffReason {
    /// The machine name (`--json`'s `reason`, the store, the API).
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffReason::AskedForPerson => "asked_for_person",
            HandoffReason::Crisis => "crisis",
            HandoffReason::Threat => "threat",
            HandoffReason::RegulatedAdvice => "regulated_advice",
            HandoffReason::NotInKnowledge => "not_in_knowledge",
            HandoffReason::RepeatedFailure => "repeated_failure",
            HandoffReason::TooManyTurns => "too_many_turns",
            HandoffReason::LlmUnavailable => "llm_unavailable",
            HandoffReason::ToolUnavailable => "tool_unavailable",
            HandoffReason::Upset => "upset",
        }
    }
}

/// Where one turn's time went (ms from the start of `respond`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TurnTimings {
    pub retrieval_ms: f64,
    pub llm_first_token_ms: Option<f64>,
    pub first_sentence_ms: Option<f64>,
    pub total_ms: f64,
}

/// The outcome of one turn. `text` is everything said to the caller (also when handing off:
/// then it is the handoff line); `sources` are chunk ids (`file#section`).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub text: String,
    pub handoff: Option<HandoffReason>,
    pub sources: Vec<String>,
    pub timings: TurnTimings,
}

/// What the agent says when it hands off; a caller in crisis hears the operator's
/// `emergency` line before the transfer.
pub(crate) fn handoff_line(reason: HandoffReason, emergency: &str) -> Cow<'static, str> {
    let line = match reason {
        HandoffReason::Crisis => {
            return format!(
                "I'm really sorry you're going through this. {emergency} I'm connecting you with a person right now."
            )
            .into();
        }
        HandoffReason::AskedForPerson => {
            "Of course. I'm connecting you with a colleague now, and they will see what we've discussed."
        }
        HandoffReason::Threat => "I'm going to pass this call to a member of our team.",
        HandoffReason::RegulatedAdvice => {
            "I'm not able to give legal, medical or financial advice. I'm connecting you with a colleague."
        }
        HandoffReason::NotInKnowledge => {
            "I'm sorry, I don't have that information. I'm connecting you with a colleague who can help."
        }
        HandoffReason::RepeatedFailure => {
            "I'm sorry I couldn't help. I'm connecting you with a colleague."
        }
        HandoffReason::TooManyTurns => {
            "Let me connect you with a colleague who can help you further."
        }
        HandoffReason::LlmUnavailable => {
            "I'm sorry, I'm having a technical problem. I'm connecting you with a colleague."
        }
        HandoffReason::ToolUnavailable => {
            "I'm sorry, I can't look that up right now. I'm connecting you with a colleague."
        }
        HandoffReason::Upset => {
            "I can hear this has been really difficult. I'm connecting you with a colleague now, and they'll see everything we've discussed."
        }
    };
    Cow::Borrowed(line)
}
