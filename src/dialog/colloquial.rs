//! How callers say it versus how knowledge bases write it: "nicked" for stolen, "up front"
//! for in advance, "quid" for pounds. Retrieval searches with both (the caller's words and
//! the written ones), and a colloquial word is not an unknown word for the off-topic check.
//! A general list of everyday British and American phone speech, not one knowledge base's
//! vocabulary; each entry is unambiguous in a support call. Owns this list only.

use std::sync::LazyLock;

use regex::Regex;

use super::words::{content, tokens};

/// Caller phrases (lowercase, whole words) and the words a knowledge base would use.
const PHRASES: &[(&str, &str)] = &[
    // Loss and damage.
    ("nicked", "stolen theft"),
    ("pinched", "stolen theft"),
    ("swiped", "stolen theft"),
    ("robbed", "stolen theft"),
    ("burgled", "stolen theft break-in"),
    ("broken into", "theft break-in forced entry"),
    ("knackered", "broken damaged faulty"),
    ("busted", "broken damaged faulty"),
    ("bust", "broken damaged faulty"),
    ("wrecked", "damaged"),
    ("smashed", "damaged broken"),
    ("dented", "damaged"),
    ("doesn't work", "faulty broken"),
    ("stopped working", "faulty broken"),
    ("playing up", "faulty fault broken"),
    ("acting up", "faulty fault broken"),
    ("on the blink", "faulty fault broken"),
    ("on the fritz", "faulty fault broken"),
    ("conked out", "broken breakdown faulty"),
    ("packed up", "broken breakdown faulty"),
    ("given up the ghost", "broken breakdown"),
    ("gave up the ghost", "broken breakdown"),
    ("kaput", "broken faulty"),
    ("sort out", "fix repair"),
    ("sort it out", "fix repair"),
    ("mend", "repair fix"),
    ("fix", "repair"),
    // Giving and paying.
    ("hand over", "give pay"),
    ("hand", "give pay"),
    ("cough up", "pay"),
    ("fork out", "pay"),
    // Money.
    ("up front", "in advance"),
    ("upfront", "in advance"),
    ("beforehand", "in advance"),
    ("money off", "discount percent off"),
    ("cheaper", "discount percent off price"),
    ("knock off", "discount percent off"),
    ("quid", "pounds"),
    ("discount", "percent off"),
    ("on the day", "same day within 24 hours"),
    ("one way", "single"),
    ("one-way", "single"),
    ("round trip", "return"),
    ("bucks", "dollars"),
    ("money back", "refund"),
    ("money down", "deposit"),
    ("down payment", "deposit"),
    ("dosh", "money"),
    ("pay back", "refund"),
    ("charge me", "fee cost"),
    ("on the card", "card payment"),
    ("amex", "american express"),
    ("skint", "cannot pay late payment"),
    ("behind on", "late payment"),
    ("miss a payment", "late payment"),
    ("missed a payment", "late payment"),
    ("don't pay", "unpaid late payment"),
    ("didn't pay", "unpaid late payment"),
    ("can't pay", "unpaid late payment"),
    ("stop paying", "unpaid late payment"),
    ("not paid", "unpaid late payment"),
    // Time.
    ("shut", "close closed"),
    ("shuts", "closes closed"),
    ("weekend", "saturday sunday"),
    ("bank holiday", "bank holidays public holidays"),
    ("round the clock", "24 hours"),
    ("middle of the night", "24 hours night access"),
    ("overnight", "night 24 hours"),
    ("asap", "quickly soon"),
    ("straight away", "immediately"),
    ("right away", "immediately"),
    ("fortnight", "two weeks 14 days"),
    ("years old", "years of age"),
    ("year old", "years of age"),
    ("how old", "what age"),
    ("much warning", "notice"),
    ("any warning", "notice"),
    ("enough warning", "notice"),
    ("heads up", "notice"),
    // Waiting, arriving, answering.
    ("hang about", "wait"),
    ("hang around", "wait"),
    ("hang on", "wait"),
    ("stick around", "wait"),
    ("running late", "late delay"),
    ("stuck in traffic", "late delay"),
    ("held up", "late delay"),
    ("someone out", "callout visit"),
    ("somebody out", "callout visit"),
    ("engineer out", "callout visit"),
    ("turn up", "arrive"),
    ("turns up", "arrive"),
    ("turned up", "arrive"),
    ("show up", "arrive"),
    ("shows up", "arrive"),
    ("showed up", "arrive"),
    ("no-show", "missed"),
    ("get back to", "reply respond"),
    ("hear back", "reply respond"),
    // Leaving, joining, changing.
    ("move out", "leave notice end"),
    ("moving out", "leave notice end"),
    ("pack it in", "cancel leave notice"),
    ("get out of", "cancel leave"),
    ("quit", "cancel leave"),
    ("sign up", "join register"),
    ("signing up", "join register"),
    ("swap", "exchange change"),
    ("upgrade", "change larger"),
    ("downsize", "change smaller"),
    // People and places.
    ("kids", "children"),
    ("kid", "child children"),
    ("kiddies", "children"),
    ("toddler", "child children"),
    ("little one", "child children"),
    ("grandkids", "children"),
    ("bike", "bicycle"),
    ("bikes", "bicycles"),
    ("cash machine", "atm cash"),
    ("cashpoint", "atm cash"),
    ("loo", "toilet toilets"),
    ("loos", "toilets"),
    ("disabled", "accessible accessibility wheelchair"),
    ("hubby", "husband partner"),
    ("ladies-only", "women-only women female"),
    ("ladies", "women female"),
    ("lady", "woman female"),
    ("gents", "men male"),
    ("men-only", "men male"),
    ("pensioner", "senior older concession"),
    ("pensioners", "seniors older concession"),
    ("oap", "senior older concession"),
    ("oaps", "seniors older concession"),
    ("terrified", "nervous anxious"),
    ("petrified", "nervous anxious"),
    ("scared", "nervous anxious"),
    ("frightened", "nervous anxious"),
    ("scaredy-cat", "nervous anxious"),
    ("scaredy-cats", "nervous anxious"),
    ("nervy", "nervous anxious"),
    ("jittery", "nervous anxious"),
    ("dyslexia", "learning difficulties additional needs"),
    ("dyslexic", "learning difficulties additional needs"),
    ("adhd", "learning difficulties additional needs"),
    ("autism", "autistic additional needs"),
    ("autistic", "autism additional needs"),
    ("calmer", "quiet quieter"),
    ("calm", "quiet"),
    ("loud", "noisy noise"),
    ("special needs", "additional needs learning difficulties"),
    ("poorly", "ill illness sick"),
    ("off sick", "ill illness"),
    ("under the weather", "ill illness"),
    ("missus", "wife partner"),
    ("lorry", "van truck vehicle"),
    ("motor", "car vehicle"),
    ("car park", "parking"),
    ("leave the car", "parking park"),
    ("leave my car", "parking park"),
    ("park the car", "parking"),
    ("park my car", "parking"),
    ("wheelchair", "accessible access disabled"),
    ("ring", "call phone"),
    ("ring you", "call phone contact"),
    ("get hold of", "contact call phone"),
    ("get in touch", "contact call phone email"),
    ("id", "identification photo id"),
    // Things.
    ("booze", "alcohol"),
    ("wine", "alcohol drinks"),
    ("beer", "alcohol drinks"),
    ("beers", "alcohol drinks"),
    ("spirits", "alcohol drinks"),
    ("grub", "food"),
    ("sheep", "livestock animals"),
    ("cows", "livestock animals"),
    ("cattle", "livestock animals"),
    ("goats", "livestock animals"),
    ("pigs", "livestock animals"),
    ("chickens", "livestock animals"),
    ("horses", "livestock animals"),
    ("stuff", "goods items belongings"),
    ("things", "goods items belongings"),
    ("telly", "television tv"),
    ("fridge", "fridge freezer appliances"),
    ("sofa", "sofa furniture"),
    ("couch", "sofa furniture"),
    ("pram", "pushchair buggy stroller"),
    ("buggy", "pushchair pram stroller"),
    ("stroller", "pushchair pram buggy"),
    ("nappies", "nappy diapers baby changing"),
    ("diapers", "nappies baby changing"),
    ("rubbish", "waste"),
    ("trash", "waste rubbish"),
    ("garbage", "waste rubbish"),
    ("cell phone", "mobile phone"),
    ("cellphone", "mobile phone"),
];

/// Public holidays by name, some with a weekday that is not the point ("Easter *Monday*").
static HOLIDAYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?:bank|public) holiday (?:monday|friday)|easter (?:monday|sunday)|good friday|whit monday|boxing day|christmas (?:day|eve)|new year'?s (?:day|eve)|may day|labou?r day|memorial day|thanksgiving(?: day)?|independence day|(?:the )?(?:fourth|4th) of july|presidents'? day|martin luther king day|mlk day|veterans'? day)\b",
    )
    .unwrap_or_else(|e| unreachable!("valid regex: {e}"))
});

/// `text` with each public holiday named as one ("Can I have a lesson on Easter Monday?" →
/// "… on Easter, a bank holiday (public holiday)?"; "bank holiday Monday" → "bank holiday"):
/// knowledge bases give holiday rules under "bank holidays" or "public holidays", and the
/// weekday in the name is not the one of the weekday's rules.
pub(crate) fn named_holidays(text: &str) -> String {
    HOLIDAYS
        .replace_all(text, |c: &regex::Captures<'_>| {
            let name = c.get(0).map_or("", |m| m.as_str());
            let name = ["monday", "friday", "sunday"]
                .iter()
                .find_map(|d| {
                    let cut = name.len().checked_sub(d.len() + 1)?;
                    name[cut + 1..]
                        .eq_ignore_ascii_case(d)
                        .then(|| &name[..cut])
                })
                .unwrap_or(name);
            match name.to_lowercase().ends_with("holiday") {
                true => name.to_string(),
                false => format!("{name}, a bank holiday (public holiday)"),
            }
        })
        .into_owned()
}

/// `text` followed by the knowledge-base words of each colloquial phrase it contains, for
/// searching; `text` itself when it has none.
pub(crate) fn expand(text: &str) -> String {
    let found = standard_words(text);
    match found.is_empty() {
        true => text.to_string(),
        false => format!("{text} {}", found.join(" ")),
    }
}

/// The knowledge-base words of the colloquial phrases in `text`, each once.
pub(crate) fn standard_words(text: &str) -> Vec<&'static str> {
    let words = tokens(text);
    let mut out: Vec<&'static str> = Vec::new();
    for (phrase, standard) in PHRASES {
        if (0..words.len()).any(|i| phrase_at(&words, i, phrase).is_some()) {
            for s in standard.split(' ') {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

/// `text` as lowercase words with each colloquial phrase replaced by its written words
/// ("nicked" → "stolen theft", "up front" → "in advance"), for checking which words the
/// knowledge base knows.
pub(crate) fn standardised(text: &str) -> String {
    rewritten(text, &|standard| standard.to_string()).0
}

/// [`standardised`], with each phrase replaced only by those of its written words that
/// `known` (a knowledge base's vocabulary, given stemmed content words) accepts, or
/// only the first when it accepts none (one word said is one word unknown, however many
/// words write it out): "terrified" reads "nervous" for a knowledge base that says "nervous"
/// and never "anxious".
pub(crate) fn standardised_for(text: &str, known: &dyn Fn(&str) -> bool) -> String {
    rewritten(text, &|standard| {
        let kept: Vec<&str> = standard
            .split(' ')
            .filter(|w| content(w).iter().all(|c| known(c)))
            .collect();
        match kept.is_empty() {
            true => standard.split(' ').next().unwrap_or(standard).to_string(),
            false => kept.join(" "),
        }
    })
    .0
}

/// `text` with each colloquial phrase replaced by its first written word, keeping the rest
/// as said ("If something gets nicked, who do I tell?" → "if something gets stolen who do i
/// tell"), for comparing by meaning; `None` when it says no colloquial phrase.
pub(crate) fn written_out(text: &str) -> Option<String> {
    let (out, changed) = rewritten(text, &|standard| {
        standard.split(' ').next().unwrap_or(standard).to_string()
    });
    changed.then_some(out)
}

/// `text` as lowercase words with each colloquial phrase replaced by `pick` of its written
/// words, and whether any was.
fn rewritten(text: &str, pick: &dyn Fn(&'static str) -> String) -> (String, bool) {
    let words = tokens(text);
    let mut out: Vec<String> = Vec::new();
    let mut changed = false;
    let mut i = 0;
    while i < words.len() {
        let found = PHRASES
            .iter()
            .find_map(|(phrase, standard)| Some((phrase_at(&words, i, phrase)?, *standard)));
        match found {
            Some((len, standard)) => {
                out.push(pick(standard));
                changed = true;
                i += len;
            }
            None => {
                out.push(words[i].clone());
                i += 1;
            }
        }
    }
    (out.join(" "), changed)
}

/// The number of words `phrase` spans when it starts at `words[i]`.
fn phrase_at(words: &[String], i: usize, phrase: &str) -> Option<usize> {
    let parts: Vec<&str> = phrase.split(' ').collect();
    let here = words.get(i..i + parts.len())?;
    here.iter()
        .zip(&parts)
        .all(|(a, b)| a == b)
        .then_some(parts.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_holidays_are_named_as_holidays() {
        assert_eq!(
            named_holidays("Can I have a lesson on Easter Monday?"),
            "Can I have a lesson on Easter, a bank holiday (public holiday)?"
        );
        assert_eq!(
            named_holidays("Is the café open on bank holiday Monday?"),
            "Is the café open on bank holiday?"
        );
        assert_eq!(
            named_holidays("are you open on boxing day"),
            "are you open on boxing day, a bank holiday (public holiday)"
        );
        assert_eq!(
            named_holidays("Are you open on Monday?"),
            "Are you open on Monday?"
        );
    }

    #[test]
    fn colloquial_phrases_bring_their_written_words() {
        assert_eq!(
            expand("If something gets nicked, who do I tell?"),
            "If something gets nicked, who do I tell? stolen theft"
        );
        assert!(expand("Can I pay up front?").ends_with("in advance"));
        assert_eq!(
            expand("What are your opening hours?"),
            "What are your opening hours?"
        );
        // Whole words only: "shutters" is not "shut", "ringing" is not "ring".
        assert_eq!(
            standard_words("Are the shutters down? It keeps ringing."),
            Vec::<&str>::new()
        );
        assert_eq!(
            written_out("If something gets nicked, who do I tell?").as_deref(),
            Some("if something gets stolen who do i tell")
        );
        assert_eq!(written_out("Who do I tell?"), None);
        assert_eq!(
            standardised("It got nicked up front"),
            "it got stolen theft in advance"
        );
        // Faults, waiting and worries as callers put them.
        assert_eq!(
            standardised("the boiler's playing up"),
            "the boiler's faulty fault broken"
        );
        assert!(expand("how long will they hang about for?").ends_with("wait"));
        assert!(expand("I'm terrified of driving").ends_with("nervous anxious"));
        // Read against a knowledge base: only the written words it uses, or the first when
        // it uses none (one word said, one word unknown).
        let says_nervous = |w: &str| w == "nervou";
        assert_eq!(
            standardised_for("I'm terrified", &says_nervous),
            "i'm nervous"
        );
        assert_eq!(standardised_for("I'm terrified", &|_| false), "i'm nervous");
    }
}
