//! What a question's form asks for beyond its slot, for choosing among quotable sentences:
//! what a rule leaves out ("what isn't covered?") and who ("who can drive?"). Owns these
//! word tests only.

use super::words::{is_negated, tokens};

/// Whether the question asks for what is excluded: a negated "what"/"which" question
/// ("What isn't covered by the protection?", "which items can't I store?").
pub(crate) fn asks_exclusions(question: &str) -> bool {
    let words = tokens(question);
    words
        .iter()
        .take(2)
        .any(|w| matches!(w.as_str(), "what" | "what's" | "which"))
        && is_negated(question)
}

/// Whether the question asks for a whole list: "what" or "which" with a verb or noun of
/// things needed, brought, included or allowed ("What do I need to bring?", "what details do
/// you need from me?", "what's included?"), in the question sentence itself.
pub(crate) fn asks_list(question: &str) -> bool {
    let words = tokens(question);
    let asks = words
        .iter()
        .position(|w| matches!(w.as_str(), "what" | "what's" | "which"));
    asks.is_some_and(|at| {
        words[at..].iter().any(|w| {
            matches!(
                w.as_str(),
                "bring"
                    | "need"
                    | "needed"
                    | "include"
                    | "includes"
                    | "included"
                    | "require"
                    | "required"
                    | "details"
                    | "documents"
                    | "papers"
                    | "things"
                    | "items"
                    | "allowed"
                    | "accept"
                    | "take"
            )
        })
    })
}

/// Whether the question asks who ("Who's allowed to drive?", "who can collect it?").
pub(crate) fn asks_who(question: &str) -> bool {
    tokens(question)
        .first()
        .is_some_and(|w| matches!(w.as_str(), "who" | "who's" | "whose"))
}

/// Words that name people in an answer to "who": groups, roles and the nouns of a doer
/// ("drivers", "the account holder", "a tenant", "members").
pub(crate) fn names_people(sentence: &str) -> bool {
    const PEOPLE: &[&str] = &[
        "anyone",
        "anybody",
        "everyone",
        "everybody",
        "nobody",
        "people",
        "person",
        "persons",
        "adult",
        "adults",
        "child",
        "children",
        "customer",
        "customers",
        "staff",
        "member",
        "members",
        "family",
        "partner",
        "someone",
        "somebody",
        "tenant",
        "tenants",
        "guest",
        "guests",
        "student",
        "students",
        "resident",
        "residents",
        "named",
    ];
    // Doer nouns: driver(s), holder(s), owner(s), visitor(s); not "order", "under" (too
    // short) or a listed look-alike.
    tokens(sentence).iter().any(|w| {
        PEOPLE.contains(&w.as_str())
            || (w.len() > 5
                && ["er", "ers", "or", "ors"]
                    .iter()
                    .any(|end| w.ends_with(end))
                && !DOER_LOOKALIKES.contains(&w.as_str()))
    })
}

/// Common words ending like doer nouns that are not people (a miss only keeps a sentence
/// the filter would have dropped).
const DOER_LOOKALIKES: &[&str] = &[
    "number",
    "numbers",
    "letter",
    "letters",
    "orders",
    "border",
    "container",
    "containers",
    "either",
    "neither",
    "whether",
    "together",
    "another",
    "rather",
    "however",
    "whatever",
    "longer",
    "larger",
    "smaller",
    "bigger",
    "higher",
    "earlier",
    "better",
    "greater",
    "deliver",
    "transfer",
    "consider",
    "remember",
    "answer",
    "prefer",
    "require",
    "cover",
    "covers",
    "trailer",
    "trailers",
    "quarter",
    "meters",
    "shutter",
    "shutters",
    "heater",
    "motor",
    "mirror",
    "calendar",
    "similar",
    "regular",
    "particular",
    "popular",
    "dollars",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusions_are_negated_what_or_which_questions() {
        assert!(asks_exclusions("What isn't covered by the protection?"));
        assert!(asks_exclusions("Which things can't I store?"));
        assert!(!asks_exclusions("What is covered?"));
        assert!(!asks_exclusions("Why can't I get in after 10?"));
    }

    #[test]
    fn people_are_groups_roles_and_doers() {
        assert!(asks_who("Who's allowed to drive the van?"));
        assert!(!asks_who("What do drivers need?"));
        assert!(names_people("Drivers must be aged 23 to 75."));
        assert!(names_people("Only the account holder can collect it."));
        assert!(!names_people("Bring the licence when you pick up the van."));
        assert!(!names_people("Quote your order number."));
    }
}
