//! The post-call summary of a call a person took: its key points (why the caller called, in
//! their words; what was collected; what the assistant answered; how they felt; how it ended)
//! and the next steps the agent committed to, each one a sentence the agent said ("I'll send
//! you a return label today."). Rules over the call's own lines, no model: nothing in it was
//! not said or collected on the call.

use serde::Serialize;

use super::story::Summary;

/// Next steps kept at most.
const MAX_STEPS: usize = 6;

/// What is stored with the call after it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostCall {
    /// The call's facts, one line each.
    pub key_points: Vec<String>,
    /// What the agent said would happen next, in their words.
    pub next_steps: Vec<String>,
}

/// The post-call summary of a call whose hand-off summary was `s`, whose agents said
/// `agent_lines`, and which ended as `outcome`.
pub fn post_call(s: &Summary, agent_lines: &[String], outcome: &str) -> PostCall {
    let mut key_points = Vec::new();
    if let Some(w) = &s.in_their_words {
        key_points.push(format!("Caller: {w}"));
    }
    for (var, value) in &s.collected {
        key_points.push(format!("{}: {value}", var.replace('_', " ")));
    }
    if let Some(a) = &s.answered {
        key_points.push(format!("The assistant answered: {a}"));
    }
    if let Some(r) = &s.reason {
        key_points.push(format!("Handed over: {}", r.replace('_', " ")));
    }
    if let Some((label, trend)) = &s.emotion {
        key_points.push(format!("Caller sounded {label} ({trend})"));
    }
    key_points.push(format!("Outcome: {}", outcome.replace('_', " ")));
    let mut next_steps: Vec<String> = agent_lines
        .iter()
        .flat_map(|l| sentences(l))
        .filter(|s| commits(s))
        .collect();
    next_steps.dedup();
    next_steps.truncate(MAX_STEPS);
    PostCall {
        key_points,
        next_steps,
    }
}

/// The sentences of a line (cut after `.`, `?`, `!`).
fn sentences(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in line.chars() {
        cur.push(c);
        if matches!(c, '.' | '?' | '!' | '。' | '？' | '！') {
            out.push(cur.trim().to_owned());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_owned());
    }
    out.retain(|s| s.split_whitespace().count() >= 3);
    out
}

/// Whether a sentence of the agent's promises something: a first-person future ("I'll",
/// "we will", "I'm going to", "let me") or what the caller will get ("you'll receive"), and
/// not a question.
fn commits(sentence: &str) -> bool {
    if sentence.ends_with('?') {
        return false;
    }
    let l = format!(" {} ", sentence.to_lowercase().replace('’', "'"));
    let promises = [
        " i'll ",
        " i will ",
        " we'll ",
        " we will ",
        " i'm going to ",
        " we're going to ",
        " i am going to ",
        " we are going to ",
        " let me ",
        " you'll receive ",
        " you will receive ",
        " you'll get ",
        " you will get ",
        " you'll hear ",
        " you will hear ",
        " i've sent ",
        " i have sent ",
        " i've booked ",
        " i have booked ",
        " i've arranged ",
        " i have arranged ",
    ];
    promises.iter().any(|p| l.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> Summary {
        Summary {
            reason: Some("asked_for_person".into()),
            in_their_words: Some("My parcel never arrived.".into()),
            answered: None,
            collected: vec![("order".into(), "48213377".into())],
            emotion: Some(("frustrated".into(), "worsening".into())),
            vip: false,
            language: None,
        }
    }

    #[test]
    fn next_steps_are_the_agents_own_promises_and_key_points_the_calls_facts() {
        let lines = vec![
            "Hello, this is Alice. Can you confirm your postcode?".to_string(),
            "Thanks. I can see it was returned to the depot. I'll send a new one today, and you will receive a tracking email tonight.".to_string(),
            "Is there anything else?".to_string(),
            "Great. We will also refund the delivery fee.".to_string(),
        ];
        let p = post_call(&summary(), &lines, "talked");
        assert_eq!(
            p.next_steps,
            [
                "I'll send a new one today, and you will receive a tracking email tonight.",
                "We will also refund the delivery fee."
            ]
        );
        assert_eq!(
            p.key_points,
            [
                "Caller: My parcel never arrived.",
                "order: 48213377",
                "Handed over: asked for person",
                "Caller sounded frustrated (worsening)",
                "Outcome: talked"
            ]
        );
    }

    #[test]
    fn questions_and_greetings_are_not_steps_and_nothing_said_means_none() {
        let lines = vec![
            "Will I need the receipt?".to_string(),
            "Hello there.".to_string(),
            "Shall I check?".to_string(),
        ];
        assert!(
            post_call(&summary(), &lines, "talked")
                .next_steps
                .is_empty()
        );
        assert!(
            post_call(&summary(), &[], "caller_left")
                .next_steps
                .is_empty()
        );
    }
}
