//! The words of masking: the tokenizer (digits, digit words in English and Mandarin, fillers,
//! separators, months) and the cue words. Owns only vocabulary; the rules are in `mask`.

use super::{Item, Kind};

/// What a cue introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cue {
    /// A security code or a PIN: digits.
    Code,
    /// An expiry date: digits, month names, 年 and 月.
    Expiry,
}

/// English cues, lower case, word by word.
const PHRASES: &[(&[&str], Cue)] = &[
    (&["cvv"], Cue::Code),
    (&["cvc"], Cue::Code),
    (&["csc"], Cue::Code),
    (&["cvv2"], Cue::Code),
    (&["security", "code"], Cue::Code),
    (&["security", "number"], Cue::Code),
    (&["verification", "code"], Cue::Code),
    (&["three", "digits", "on", "the", "back"], Cue::Code),
    (&["three", "digit", "code"], Cue::Code),
    (&["pin"], Cue::Code),
    (&["passcode"], Cue::Code),
    (&["expiry"], Cue::Expiry),
    (&["expiration"], Cue::Expiry),
    (&["expires"], Cue::Expiry),
    (&["expire"], Cue::Expiry),
    (&["expiring"], Cue::Expiry),
    (&["exp"], Cue::Expiry),
    (&["valid", "until"], Cue::Expiry),
    (&["valid", "thru"], Cue::Expiry),
    (&["valid", "through"], Cue::Expiry),
    (&["good", "thru"], Cue::Expiry),
    (&["good", "through"], Cue::Expiry),
];

/// Mandarin cues.
const CJK_CUES: &[(&str, Cue)] = &[
    ("安全码", Cue::Code),
    ("验证码", Cue::Code),
    ("校验码", Cue::Code),
    ("密码", Cue::Code),
    ("有效期", Cue::Expiry),
    ("到期", Cue::Expiry),
];

const UNITS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const TEENS: [&str; 10] = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const FILLERS: [&str; 16] = [
    "uh", "uhh", "um", "umm", "uhm", "er", "erm", "ah", "eh", "hmm", "hm", "mm", "like", "sorry",
    "slash", "dash",
];
const FILLER_PAIRS: [(&str, &str); 2] = [("i", "mean"), ("you", "know")];
const MONTHS: [&str; 24] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

fn unit(word: &str) -> Option<u8> {
    match word {
        "oh" | "o" => Some(0),
        _ => UNITS.iter().position(|u| *u == word).map(|d| d as u8),
    }
}

fn position(list: &[&str], word: &str) -> Option<u8> {
    list.iter().position(|w| *w == word).map(|d| d as u8)
}

/// The digit a character is: ASCII, full-width or Chinese.
fn char_digit(c: char) -> Option<u8> {
    let d = match c {
        '0'..='9' => u32::from(c) - u32::from('0'),
        '０'..='９' => u32::from(c) - u32::from('０'),
        '零' | '〇' => 0,
        '一' | '幺' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    };
    u8::try_from(d).ok()
}

fn is_sep(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '-'
            | '/'
            | '.'
            | ','
            | ':'
            | ';'
            | '，'
            | '、'
            | '。'
            | '：'
            | '；'
            | '\u{3000}'
            | '–'
            | '—'
            | '－'
            | '／'
            | '．'
            | '('
            | ')'
            | '+'
    )
}

/// The text as items, in order, covering every byte.
pub(super) fn tokenize(text: &str) -> Vec<Item> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte = |k: usize| chars.get(k).map_or(text.len(), |&(b, _)| b);
    let mut items = Vec::with_capacity(chars.len() / 2 + 1);
    let mut k = 0;
    while k < chars.len() {
        let (start, c) = chars[k];
        let (kind, next, digits): (Kind, usize, &[u8]) = if let Some(d) = char_digit(c) {
            match plain_number(&chars, k) {
                Some((kind, end)) => (kind, end, &[]),
                None => {
                    items.push(Item::with_digits(start, byte(k + 1), Kind::Digit, &[d]));
                    k += 1;
                    continue;
                }
            }
        } else if c == '十' {
            // Ten, as in 十二月 (December) after an expiry cue; never in a read-out number.
            (Kind::Digit, k + 1, &[1, 0])
        } else if is_sep(c) {
            (Kind::Sep, scan(&chars, k, is_sep), &[])
        } else if c == '*' || c == '＊' {
            (
                Kind::Masked,
                scan(&chars, k, |c| c == '*' || c == '＊'),
                &[],
            )
        } else if c.is_ascii_alphabetic() {
            let (item, next) = word(text, &chars, k);
            items.push(item);
            k = next;
            continue;
        } else if c == '那' && chars.get(k + 1).is_some_and(|&(_, c)| c == '个') {
            (Kind::Filler, k + 2, &[])
        } else if matches!(c, '嗯' | '呃' | '额' | '啊' | '唔') {
            (Kind::Filler, k + 1, &[])
        } else if matches!(c, '年' | '月') {
            (Kind::Joiner, k + 1, &[])
        } else {
            (Kind::Other, k + 1, &[])
        };
        items.push(Item::with_digits(start, byte(next), kind, digits));
        k = next;
    }
    items
}

/// The end of the run of characters from `k` that satisfy `pred`.
fn scan(chars: &[(usize, char)], k: usize, pred: impl Fn(char) -> bool) -> usize {
    k + chars[k..].iter().take_while(|&&(_, c)| pred(c)).count()
}

/// A time ("10:30"), an amount ("$1,299.99") or a full date ("2024-03-12", "12/03/2024")
/// starting at `k`: never part of a card number. Returns its kind and end.
fn plain_number(chars: &[(usize, char)], k: usize) -> Option<(Kind, usize)> {
    let ascii = |i: usize| chars.get(i).is_some_and(|&(_, c)| c.is_ascii_digit());
    if !ascii(k) || (k > 0 && ascii(k - 1)) {
        return None;
    }
    if let Some(end) = full_date(chars, k) {
        return Some((Kind::Date, end));
    }
    let digits_end = scan(chars, k, |c| c.is_ascii_digit());
    let currency = k > 0 && matches!(chars[k - 1].1, '$' | '€' | '£' | '¥' | '￥');
    let time = chars.get(digits_end).is_some_and(|&(_, c)| c == ':') && ascii(digits_end + 1);
    if !currency && !time {
        return None;
    }
    let joiner = if time { ':' } else { ',' };
    let mut end = digits_end;
    while chars
        .get(end)
        .is_some_and(|&(_, c)| c == joiner || (currency && c == '.'))
        && ascii(end + 1)
    {
        end = scan(chars, end + 1, |c| c.is_ascii_digit());
    }
    Some((Kind::Other, end))
}

/// The end of a date with a year at `k`: `YYYY-MM-DD`, `YYYY/MM/DD` or `D/M/YYYY` (with `/`,
/// `-` or `.`), not followed by more groups.
fn full_date(chars: &[(usize, char)], k: usize) -> Option<usize> {
    let group = |at: usize| {
        let end = scan(chars, at, |c| c.is_ascii_digit());
        (end > at).then_some((end - at, end))
    };
    let (a, end_a) = group(k)?;
    let sep = chars
        .get(end_a)
        .map(|&(_, c)| c)
        .filter(|c| matches!(c, '-' | '/' | '.'))?;
    let (b, end_b) = group(end_a + 1)?;
    if chars.get(end_b).map(|&(_, c)| c) != Some(sep) {
        return None;
    }
    let (c, end_c) = group(end_b + 1)?;
    let more = chars.get(end_c).is_some_and(|&(_, n)| is_sep(n))
        && chars
            .get(end_c + 1)
            .is_some_and(|&(_, n)| n.is_ascii_digit())
        && chars.get(end_c).map(|&(_, n)| n) == Some(sep);
    let shape = matches!((a, b, c), (4, 2, 2)) || (a <= 2 && b <= 2 && c == 4);
    (shape && !more).then_some(end_c)
}

/// The ASCII word at `k` (letters, inner apostrophes): its end.
fn word_end(chars: &[(usize, char)], k: usize) -> usize {
    let mut end = k;
    while let Some(&(_, c)) = chars.get(end) {
        let inner_apostrophe = c == '\''
            && chars
                .get(end + 1)
                .is_some_and(|&(_, n)| n.is_ascii_alphabetic());
        if !(c.is_ascii_alphabetic() || inner_apostrophe) {
            break;
        }
        end += 1;
    }
    end
}

/// The word right after `end` (one space or dash between): its range.
fn next_word(chars: &[(usize, char)], end: usize) -> Option<(usize, usize)> {
    let joined = chars.get(end).is_some_and(|&(_, c)| c == ' ' || c == '-');
    let letter = chars
        .get(end + 1)
        .is_some_and(|&(_, c)| c.is_ascii_alphabetic());
    (joined && letter).then(|| (end + 1, word_end(chars, end + 1)))
}

/// The word at `k` as an item (with the word after it for "double four", "forty one",
/// "I mean"); returns the item and where the next one starts.
fn word(text: &str, chars: &[(usize, char)], k: usize) -> (Item, usize) {
    let byte = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let end = word_end(chars, k);
    let lower = text[byte(k)..byte(end)].to_ascii_lowercase();
    let next = next_word(chars, end).map(|(s, e)| (text[byte(s)..byte(e)].to_ascii_lowercase(), e));
    let pair =
        |digits: &[u8], e: usize| (Item::with_digits(byte(k), byte(e), Kind::Words, digits), e);
    let single =
        |kind: Kind, digits: &[u8]| (Item::with_digits(byte(k), byte(end), kind, digits), end);
    let times = match lower.as_str() {
        "double" => 2,
        "triple" => 3,
        _ => 0,
    };
    if times > 0
        && let Some((d, e)) = next.as_ref().and_then(|(w, e)| unit(w).map(|d| (d, *e)))
    {
        return pair(&[d; 3][..times], e);
    }
    if let Some(t) = position(&TENS, &lower) {
        let t = t + 2;
        if let Some((u, e)) = next
            .as_ref()
            .and_then(|(w, e)| unit(w).filter(|&u| u > 0 && w != "o").map(|u| (u, *e)))
        {
            return pair(&[t, u], e);
        }
        return single(Kind::Words, &[t, 0]);
    }
    if let Some(t) = position(&TEENS, &lower) {
        return single(Kind::Words, &[1, t]);
    }
    if let Some(d) = unit(&lower) {
        return single(Kind::Words, &[d]);
    }
    if let Some((_, e)) = next.as_ref().filter(|(w, _)| {
        FILLER_PAIRS
            .iter()
            .any(|(a, b)| *a == lower.as_str() && *b == w.as_str())
    }) {
        return (Item::new(byte(k), byte(*e), Kind::Filler), *e);
    }
    if FILLERS.contains(&lower.as_str()) {
        return single(Kind::Filler, &[]);
    }
    if MONTHS.contains(&lower.as_str()) {
        return single(Kind::Month, &[]);
    }
    single(Kind::Other, &[])
}

/// The cue that starts at item `i`, and the index of the first item after it.
pub(super) fn cue_at(text: &str, items: &[Item], i: usize) -> Option<(Cue, usize)> {
    let item = items[i];
    let first = &text[item.start..item.end];
    if first.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return PHRASES
            .iter()
            .find_map(|(words, cue)| phrase_end(text, items, i, words).map(|after| (*cue, after)));
    }
    let (cue, len) = CJK_CUES
        .iter()
        .find(|(word, _)| text[item.start..].starts_with(word))
        .map(|(word, cue)| (*cue, word.len()))?;
    let target = item.start + len;
    let after = items[i..].iter().position(|it| it.end >= target)? + i + 1;
    Some((cue, after))
}

/// Where `words` end if they are said from item `i` on (separators between them).
fn phrase_end(text: &str, items: &[Item], i: usize, words: &[&str]) -> Option<usize> {
    let mut j = i;
    for (n, w) in words.iter().enumerate() {
        if n > 0 {
            while items.get(j).is_some_and(|it| it.kind == Kind::Sep) {
                j += 1;
            }
        }
        let item = items.get(j)?;
        if !text[item.start..item.end].eq_ignore_ascii_case(w) {
            return None;
        }
        j += 1;
    }
    Some(j)
}
