//! Animals in danger, English and Mandarin: callers of a vet's, a kennel or a pet insurer say
//! their dog "collapsed and isn't breathing" or 猫被车撞了; that is the business's own work,
//! not a person's life at risk. [`blank`] removes the clauses whose subject is an animal (a
//! clause that names one, and the clauses after it that name nobody else: "he's bleeding a
//! lot") before the danger patterns look. A clause that names a person ("my son", 老公) or the
//! caller as the one hurt ("I'm", "me", 我被) is kept, and so is everything the self-harm
//! patterns read: a caller who says their pet was the only reason to go on is heard. The
//! readings by meaning and by resemblance keep every clause where the caller speaks of
//! themselves ([`blank_for_meaning`]).
//!
//! Owns the animal and person words, [`blank`], [`blank_for_meaning`] and
//! [`about_animals_only`].

use std::sync::LazyLock;

use regex::Regex;

/// Animals people call a vet, a kennel or a farm supplier about, and what only an animal has.
const ANIMAL_EN: &str = r"dogs?|pupp(?:y|ies)|pups?|cats?|kittens?|kitty|rabbits?|bunny|hamsters?|guinea pigs?|gerbils?|ferrets?|horses?|pony|ponies|foals?|mares?|cows?|calf|calves|heifers?|ewes?|sheep|lambs?|goats?|pigs?|piglets?|hens?|chickens?|ducks?|birds?|budgies?|parrots?|tortoises?|turtles?|snakes?|lizards?|geckos?|pets?|collies?|spaniels?|labradors?|terriers?|retrievers?|poodles?|dachshunds?|greyhounds?|whippets?|beagles?|staffies?|staffy|cockapoos?|alsatians?|huskies|husky|tabby|moggy|paws?|pawing|muzzle|snout|hoof|hooves|beak|whiskers|flock|herd|litter";
const ANIMAL_ZH: &str =
    r"狗|猫|宠物|兔|仓鼠|小马|马儿|那匹马|牛|羊|猪|鸡|鸭|鸟|鹦鹉|乌龟|蛇|动物|爪子";

/// People whose danger is a crisis, and the caller as the one hurt.
const PERSON_EN: &str = r"son|daughter|child|children|kids?|baby|toddler|husband|wife|partner|boyfriend|girlfriend|mum|mom|mother|dad|father|nan|gran|granny|grandma|grandad|grandpa|grandmother|grandfather|brother|sister|friend|flatmate|man|woman|person|someone|somebody|people|neighbou?r|i'?m|i am|i'?ve been|me|myself";
const PERSON_ZH: &str = r"孩子|儿子|女儿|宝宝|小孩|老公|老婆|丈夫|妻子|爸|妈|爷爷|奶奶|姥姥|外婆|老人|老太太|朋友|有人|我自己|我被";

/// Where a clause ends.
const CLAUSE_END: &[char] = &[
    ',', '.', ';', '!', '?', ':', '，', '。', '；', '！', '？', '：', '、',
];

/// The animal words, the person words, an owner before their animal ("my son's hamster",
/// 邻居家的狗: an owner is not the one in danger), and the caller speaking of themselves.
static WORDS: LazyLock<[Regex; 4]> = LazyLock::new(|| {
    let re = |p: &str| {
        Regex::new(&format!("(?i){p}")).unwrap_or_else(|e| unreachable!("valid pattern: {e}"))
    };
    [
        re(&format!(r"\b(?:{ANIMAL_EN})\b|{ANIMAL_ZH}")),
        re(&format!(r"\b(?:{PERSON_EN})\b|{PERSON_ZH}")),
        re(&format!(
            r"\b(?:{PERSON_EN})'s (?:\w+ )?(?:{ANIMAL_EN})\b|(?:{PERSON_ZH})(?:家)?的?(?:{ANIMAL_ZH})|我(?:家|的)"
        )),
        re(r"\bi\b|\bi'(?:ll|d|ve|m)\b|\bme\b|\bmyself\b|我"),
    ]
});

/// `text` (lower-cased) with the clauses about an animal blanked: a clause naming an animal
/// and no person, and the clauses after it that name neither. The caller counts as a person
/// only as the one hurt ("I'm bleeding", "he bit me"): what the danger patterns read.
pub(crate) fn blank(text: &str) -> String {
    blank_unless(text, false)
}

/// [`blank`] with every clause where the caller speaks of themselves kept ("what should I
/// do?", "I won't be here after tonight"): what the readings by meaning and by resemblance
/// read, since the caller's own crisis may be said in any words.
pub(crate) fn blank_for_meaning(text: &str) -> String {
    blank_unless(text, true)
}

/// Whether `text` (lower-cased) names an animal and nobody else, the caller speaking of
/// themselves included: what [`blank_for_meaning`] leaves empty.
pub(crate) fn about_animals_only(text: &str) -> bool {
    WORDS[0].is_match(text) && !names_person(text, true)
}

/// Whether `clause` names a person (an owner before their animal does not), or with
/// `caller`, the caller speaking of themselves.
fn names_person(clause: &str, caller: bool) -> bool {
    let [_, person, owner, first] = &*WORDS;
    let rest = owner.replace_all(clause, " pet ");
    person.is_match(&rest) || caller && first.is_match(&rest)
}

fn blank_unless(text: &str, caller: bool) -> String {
    let animal = &WORDS[0];
    if !animal.is_match(text) {
        return text.to_string();
    }
    // An utterance that names an animal and nobody else is about the animal throughout
    // ("she's choking on something, she keeps pawing at her mouth").
    if !names_person(text, caller) {
        return String::new();
    }
    let mut out = String::with_capacity(text.len());
    let mut about_animal = false;
    for clause in text.split_inclusive(CLAUSE_END) {
        if names_person(clause, caller) {
            about_animal = false;
        } else if animal.is_match(clause) {
            about_animal = true;
        }
        if about_animal {
            out.push(' ');
        } else {
            out.push_str(clause);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_animal_and_what_follows_it_is_blanked() {
        let t = "my old collie fell down the stairs, he isn't breathing, can i bring him in?";
        assert_eq!(blank(t).trim(), "");
        let t = "我家兔子刚才晕倒了，没有呼吸，你们现在开门吗？";
        assert_eq!(blank(t).trim(), "");
    }

    #[test]
    fn for_meaning_the_callers_own_words_are_kept() {
        let t = "my dog's collapsed and he's hardly breathing";
        assert_eq!(blank_for_meaning(t).trim(), "");
        assert_eq!(blank_for_meaning("我家狗没有呼吸了").trim(), "");
        assert!(about_animals_only("我家狗没有呼吸了"));
        assert!(!about_animals_only(
            "my dog died and i don't want to be here anymore"
        ));
        let t = "i've found homes for the cats, i won't be here";
        assert_eq!(blank_for_meaning(t), t);
        let t = "猫我已经托给邻居了，今晚以后我就不在了";
        assert_eq!(blank_for_meaning(t), t);
        let t = "my dog ate rat poison, what should i do?";
        assert_eq!(blank_for_meaning(t).trim(), "what should i do?");
    }

    #[test]
    fn a_person_in_the_same_call_is_kept() {
        let t = "the dog knocked my dad over, he's unconscious";
        assert_eq!(blank(t), t);
        let t = "the cat's fine, my husband collapsed";
        assert!(blank(t).contains("my husband collapsed"));
        let t = "我发现狗没有呼吸了，现在能送过来吗？";
        assert_eq!(blank(t).trim(), "");
        let t = "狗咬了人，我老公流了很多血";
        assert!(blank(t).contains("我老公流了很多血"));
        let t = "he's not breathing";
        assert_eq!(blank(t), t);
        let t = "my neighbour's collie was hit by a car, he's bleeding";
        assert_eq!(blank(t).trim(), "");
        let t = "she's choking on something and pawing at her mouth";
        assert_eq!(blank(t).trim(), "");
    }
}
