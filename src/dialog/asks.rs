//! What a question's form asks for beyond its slot, for choosing among quotable sentences:
//! what a rule leaves out ("what isn't covered?"), who ("who can drive?"), whether a thing
//! exists at all ("do you do motorbike lessons?") and how long the caller has to do
//! something themselves ("how long have I got to ask?"). Owns these word tests only.

use std::sync::LazyLock;

use regex::Regex;

use super::words::{content, is_negated, regex, tokens};

/// Whether the question asks for what is excluded: a negated "what"/"which" question
/// ("What isn't covered by the protection?", "which items can't I store?") or "is there
/// any…" ("Are there any kinds of boiler you won't cover?").
pub(crate) fn asks_exclusions(question: &str) -> bool {
    let words = tokens(question);
    let which = words
        .iter()
        .take(2)
        .any(|w| matches!(w.as_str(), "what" | "what's" | "which"));
    let any = matches!(words.first().map(String::as_str), Some("are" | "is"))
        && words.get(1).is_some_and(|w| w == "there")
        && words.iter().any(|w| w.starts_with("any"));
    (which || any) && is_negated(question)
}

/// Whether a sentence says what is left out: negated ("isn't", "never"), or "no", "none",
/// "nothing", "except", "excluded" ("None of our cover plans include back boilers").
pub(crate) fn says_exclusion(sentence: &str) -> bool {
    is_negated(sentence)
        || tokens(sentence).iter().any(|w| {
            matches!(
                w.as_str(),
                "no" | "none" | "nothing" | "except" | "excluding" | "excluded" | "excludes"
            )
        })
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

/// The words of the thing a yes/no question asks exists ("Do you do *motorbike lessons* as
/// well?", "Is there *a cash machine near there*?", "Have you got *an adapted car with hand
/// controls*?"), from the last clause that asks so; `None` when no clause asks whether
/// something exists, is offered or is had.
pub(crate) fn asked_to_exist(question: &str) -> Option<String> {
    question
        .split(['.', '?', '!', ';', ','])
        .filter_map(|s| {
            let words = tokens(s);
            let after = existence_frame(&words)?;
            let thing: Vec<&str> = words[after..]
                .iter()
                .map(String::as_str)
                .take_while(|w| !matches!(*w, "too" | "also" | "please"))
                .collect();
            (!thing.is_empty()).then(|| thing.join(" "))
        })
        .next_back()
}

/// The verb of a yes/no question asking whether the business or the caller may do
/// something ("Can you *extend* it for me?", "Could I just *swap* it?"), from the last clause
/// that asks so; `None` without one.
pub(crate) fn asked_act(question: &str) -> Option<String> {
    asked_act_words(question).map(|(verb, _)| verb)
}

/// The means the act of [`asked_act`] is asked to be done by: the phrase after "on", "by",
/// "with", "via", "through" or "using" in the clause after its verb, up to the next
/// preposition or conjunction ("Can I pay for a new boiler *on finance*?", "can I pay *by
/// PayPal*?"; not "can I swap to a bigger one later?").
pub(crate) fn asked_act_means(question: &str) -> Option<String> {
    const MEANS: &[&str] = &["on", "by", "with", "via", "through", "using"];
    const ENDS: &[&str] = &[
        "while", "when", "if", "because", "so", "and", "or", "but", "to", "for", "at", "in",
        "from", "like", "as", "i", "i'm", "we", "you", "it", "then", "before", "after",
    ];
    let (_, object) = asked_act_words(question)?;
    let words: Vec<&str> = object.split_whitespace().collect();
    let from = words.iter().position(|w| MEANS.contains(w))? + 1;
    let phrase: Vec<&str> = words[from..]
        .iter()
        .copied()
        .take_while(|w| !ENDS.contains(w) && !MEANS.contains(w))
        .collect();
    (!phrase.is_empty()).then(|| phrase.join(" "))
}

/// The verb of the last clause asking whether an act may be done, and the words after it.
fn asked_act_words(question: &str) -> Option<(String, String)> {
    const SOFTENERS: &[&str] = &[
        "just", "please", "maybe", "actually", "still", "not", "also",
    ];
    question
        .split(['.', '?', '!', ';', ','])
        .filter_map(|s| {
            let words = tokens(s);
            let i = words.iter().take_while(|t| is_filler(t)).count();
            let w = |i: usize| words.get(i).map_or("", String::as_str);
            if !matches!(w(i), "can" | "could" | "will" | "would")
                || !matches!(w(i + 1), "you" | "i" | "we")
            {
                return None;
            }
            let verb = (i + 2..words.len()).find(|&j| !SOFTENERS.contains(&w(j)))?;
            Some((w(verb).to_string(), words[verb + 1..].join(" ")))
        })
        .next_back()
}

fn is_filler(t: &str) -> bool {
    const FILLERS: &[&str] = &[
        "so", "and", "but", "um", "uh", "er", "erm", "oh", "ok", "okay", "right", "well", "hi",
        "hello", "then", "just", "also",
    ];
    FILLERS.contains(&t)
}

/// Where the thing begins after a frame that asks whether it exists: "do you (also) do /
/// have / offer / sell …", "have you got …", "is / are there (any) …" opening the clause
/// (after fillers: "so", "um", "and"); `None` without one ("what do you have to bring?",
/// "how much is there to pay?" ask something else).
fn existence_frame(words: &[String]) -> Option<usize> {
    const HAVE: &[&str] = &[
        "do", "have", "offer", "sell", "run", "provide", "stock", "teach", "hire", "rent",
    ];
    let w = |i: usize| words.get(i).map_or("", String::as_str);
    let i = words.iter().take_while(|t| is_filler(t)).count();
    match (w(i), w(i + 1)) {
        ("do" | "does", "you") => {
            let verb = i + 2 + usize::from(matches!(w(i + 2), "also" | "still" | "even"));
            HAVE.contains(&w(verb)).then_some(verb + 1)
        }
        ("have", "you") if w(i + 2) == "got" => Some(i + 3),
        ("is" | "are", "there") => Some(i + 2),
        _ => None,
    }
}

/// "How long have I got to ask for my money back?", "by when do I need to tell you?": how
/// long the caller has to act themselves, not how long they wait for the business ("how long
/// do I have to wait for my refund?" is the business's time).
static OWN_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:how long|how much (?:time|notice|warning)|how many (?:days|weeks|months)|how soon|by when|until when)\b[^?.]*?\b(?:have i got|do i have|do i get|i've got|i have|can i|do i need|must i|should i)\b(?: still)?(?: (?:to|left to))? (\w+)",
    )
    .unwrap_or_else(|e| unreachable!("valid regex: {e}"))
});

/// Whether the question asks how long the caller has to do something themselves (see
/// [`OWN_TIME`]); waiting, getting or receiving is the business's time.
pub(crate) fn asks_own_time(question: &str) -> bool {
    OWN_TIME.captures(question).is_some_and(|c| {
        !matches!(
            c[1].to_lowercase().as_str(),
            "wait" | "get" | "receive" | "expect" | "hear" | "be"
        )
    })
}

/// Whether a sentence says what the business does ("We pay refunds back within 10 working
/// days", "Our office replies…"): not the caller's own time to act.
pub(crate) fn business_acts(sentence: &str) -> bool {
    let words = tokens(sentence);
    matches!(
        words.first().map(String::as_str),
        Some("we" | "we'll" | "our")
    )
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

/// The sentences of a turn that ask (those ending in "?"), or all of it when none does.
pub(crate) fn asked_part(text: &str) -> String {
    let asked: Vec<&str> = text
        .split_inclusive(['.', '?', '!'])
        .filter(|s| s.trim_end().ends_with('?'))
        .map(str::trim)
        .collect();
    if asked.is_empty() {
        text.to_string()
    } else {
        asked.join(" ")
    }
}

/// The two things a question offers to choose between when it names both with one noun
/// ("Am I paying the daytime price or the evening price?", "the adult fare or the child
/// fare?"): the words that tell them apart, in content form. Such a question asks which one,
/// answered by a sentence naming one of them, not by an amount.
pub(crate) fn alternatives(question: &str) -> Option<(String, String)> {
    let t = tokens(&asked_part(question));
    let word = |i: usize| t.get(i).map(String::as_str);
    (2..t.len()).find_map(|i| {
        if word(i) != Some("or") {
            return None;
        }
        let right = i + 1 + usize::from(matches!(word(i + 1), Some("the" | "a" | "an")));
        let (a, head) = (word(i - 2)?, word(i - 1)?);
        let (b, other_head) = (word(right)?, word(right + 1)?);
        let a = content(a).pop()?;
        let b = content(b).pop()?;
        (head == other_head && a != b && !content(head).is_empty()).then_some((a, b))
    })
}

/// Whether `sentence` names exactly one of the two `alternatives` the caller offered.
pub(crate) fn names_one_of(sentence: &str, (a, b): &(String, String)) -> bool {
    let words = content(sentence);
    words.contains(a) != words.contains(b)
}

/// The question with the caller's statements of what is *not* so left out ("It's my own
/// house, I'm not renting it out. How much is a service?" → "It's my own house. How much is a
/// service?"), for comparing meanings: "not renting it out" is closest in meaning to the
/// landlord's price it rules out. `None` when nothing is left out, or when no asked sentence
/// (ending in "?") would remain.
pub(crate) fn without_denials(question: &str) -> Option<String> {
    let mut kept: Vec<&str> = Vec::new();
    let mut dropped = false;
    for sentence in question.split_inclusive(['.', '?', '!']) {
        if sentence.trim_end().ends_with('?') {
            kept.push(sentence.trim());
            continue;
        }
        for clause in CLAUSE.split(sentence) {
            let denies = is_negated(clause) || tokens(clause).first().is_some_and(|t| t == "no");
            match clause.trim() {
                "" | "." | "!" => {}
                _ if denies => dropped = true,
                c => kept.push(c),
            }
        }
    }
    let asks = kept.iter().any(|c| c.ends_with('?'));
    (dropped && asks).then(|| kept.join(" "))
}

/// The content words of the caller's clauses that say what is *not* so, questions included
/// ("What's your callout fee on a weekday evening if I haven't got a plan?": "got", "plan"):
/// they name no row of a table.
pub(crate) fn denied_words(text: &str) -> Vec<String> {
    text.split(['.', '?', '!'])
        .flat_map(|sentence| CONDITION.split(sentence))
        .flat_map(|part| CLAUSE.split(part))
        .filter(|clause| is_negated(clause))
        .flat_map(content)
        .collect()
}

/// Where a condition or a reason opens a clause within a sentence.
static CONDITION: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\s(?:if|unless|because|since|as|when|though|although)\s"));

/// Where a statement divides into clauses: commas, semicolons, dashes, "and", "but", "so".
static CLAUSE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\s*(?:[,;]|\s-\s|\s(?:and|but|so)\s)\s*"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_act_a_yes_or_no_asks_for() {
        let act = |q: &str| asked_act(q);
        assert_eq!(
            act("My voucher ran out last month. Can you extend it for me?").as_deref(),
            Some("extend")
        );
        assert_eq!(
            act("Could I just swap it for cash?").as_deref(),
            Some("swap")
        );
        assert_eq!(
            act("So can we please park outside?").as_deref(),
            Some("park")
        );
        assert_eq!(act("How much is it?"), None);
        assert_eq!(act("What can you do about it?"), None);
    }

    #[test]
    fn words_of_what_is_not_so_are_found_in_questions_too() {
        let q = "What's your callout fee on a weekday evening if I haven't got a plan?";
        assert!(denied_words(q).contains(&"plan".to_string()));
        assert!(!denied_words(q).contains(&"callout".to_string()));
        assert!(
            denied_words("What's the callout fee on a weekday evening with a plan?").is_empty()
        );
    }

    #[test]
    fn a_choice_named_with_one_noun_is_read() {
        let alt = |q: &str| alternatives(q);
        let word = |w: &str| content(w).remove(0);
        assert_eq!(
            alt("So I rang at five. Am I paying the daytime price or the evening price for that?"),
            Some((word("daytime"), word("evening")))
        );
        assert!(alt("Is it the adult fare or a child fare?").is_some());
        // Not a choice: other nouns, or one thing said twice.
        assert_eq!(alt("Can I pay by cash or card?"), None);
        assert_eq!(alt("Is the fee the same price or the same price?"), None);
        assert_eq!(alt("Or what's the price?"), None);
        let pair = (word("daytime"), word("evening"));
        assert!(names_one_of("Then you pay the evening rate.", &pair));
        assert!(!names_one_of("Daytime and evening rates differ.", &pair));
        assert!(!names_one_of("The callout fee is £95.", &pair));
    }

    #[test]
    fn the_asked_part_is_the_sentences_ending_in_a_question_mark() {
        let t = "I'm on the cheapest one. How long? Thanks. And the fee?";
        assert_eq!(asked_part(t), "How long? And the fee?");
        assert_eq!(asked_part("the cheapest plan"), "the cheapest plan");
    }

    #[test]
    fn statements_of_what_is_not_so_are_left_out() {
        assert_eq!(
            without_denials(
                "How much would it be to get an oil boiler serviced? It's my own house, I'm not \
                 renting it out."
            )
            .as_deref(),
            Some("How much would it be to get an oil boiler serviced? It's my own house")
        );
        assert_eq!(
            without_denials("It's gone eleven at night. No cover. What's your callout?").as_deref(),
            Some("It's gone eleven at night. What's your callout?")
        );
        assert_eq!(
            without_denials("It died on a Sunday and we haven't got a plan. How much is it?")
                .as_deref(),
            Some("It died on a Sunday How much is it?")
        );
        // The question itself is kept, negated or not; nothing left out is `None`.
        assert_eq!(without_denials("What isn't covered?"), None);
        assert_eq!(without_denials("I rent. What's the price?"), None);
        // No asked sentence would be left.
        assert_eq!(without_denials("I can't log in."), None);
    }

    #[test]
    fn exclusions_are_negated_what_or_which_questions() {
        assert!(asks_exclusions("What isn't covered by the protection?"));
        assert!(asks_exclusions("Which things can't I store?"));
        assert!(!asks_exclusions("What is covered?"));
        assert!(asks_exclusions(
            "Are there any kinds of boiler that you won't cover on a plan?"
        ));
        assert!(!asks_exclusions("Is there any parking?"));
        assert!(!asks_exclusions("Why can't I get in after 10?"));
    }

    #[test]
    fn existence_questions_give_the_thing_asked_for() {
        let thing = asked_to_exist;
        assert_eq!(
            thing("Do you do motorbike lessons as well?").as_deref(),
            Some("motorbike lessons as well")
        );
        assert_eq!(
            thing("I'll pay cash. Is there a cash machine near there?").as_deref(),
            Some("a cash machine near there")
        );
        assert_eq!(
            thing("I use a wheelchair. Have you got an adapted car?").as_deref(),
            Some("an adapted car")
        );
        assert_eq!(
            thing("Do you also offer gift cards?").as_deref(),
            Some("gift cards")
        );
        assert_eq!(thing("Do you know when it opens?"), None);
        assert_eq!(thing("How much is there to pay?"), None);
        assert_eq!(thing("What do you have to bring?"), None);
    }

    #[test]
    fn the_callers_own_time_is_not_the_business_s() {
        let own = asks_own_time;
        assert!(own(
            "How long have I got to ask for my money back on the hours I haven't used?"
        ));
        assert!(own("By when do I need to tell you the test date?"));
        assert!(own("How many days do I have to cancel?"));
        assert!(!own("How long do I have to wait for my refund?"));
        assert!(!own("How long does the refund take?"));
        assert!(!own("How long is a lesson?"));
        assert!(business_acts("We pay refunds back within 10 working days."));
        assert!(!business_acts(
            "You can ask for a refund within 12 months of buying it."
        ));
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
