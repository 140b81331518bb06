//! Lexical retrieval: tokenising, a light stemmer and an Okapi BM25 index (k1 = 1.2, b = 0.75).
//!
//! Tokens are lowercased alphanumeric runs; English stopwords, contraction tails ("I'd" → "d")
//! and spoken fillers ("um") are dropped; numbers are kept as
//! they are. The stemmer is deliberately conservative (plural `s`/`es`/`ies`, `ing`, `ed`,
//! the `d` of an -ee verb's past, a final `e`, doubled final consonants) so that query and
//! text forms of one word meet without merging unrelated words.

use std::collections::HashMap;

const K1: f32 = 1.2;
const B: f32 = 0.75;

const STOPWORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but", "by",
    "can", "could", "d", "did", "do", "does", "er", "erm", "for", "from", "had", "has", "have",
    "he", "hello", "her", "hi", "his", "hmm", "how", "i", "if", "in", "into", "is", "it", "its",
    "just", "ll", "m", "me", "might", "my", "of", "oh", "on", "or", "our", "please", "re", "s",
    "shall", "she", "should", "so", "t", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "to", "uh", "um", "us", "ve", "was", "we", "were", "what",
    "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your",
];

fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// The index terms of `text`, in order (stopwords removed, words stemmed).
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !is_stopword(w))
        .map(|w| stem(&w))
        .collect()
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// A conservative English stemmer for lowercase words; tokens with digits or non-ASCII letters
/// are returned unchanged.
pub fn stem(word: &str) -> String {
    if !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word.to_string();
    }
    let mut w = word.to_string();
    let n = w.len();
    if n > 4 && w.ends_with("ies") {
        w.truncate(n - 3);
        w.push('y');
    } else if w.ends_with("sses")
        || w.ends_with("xes")
        || w.ends_with("ches")
        || w.ends_with("shes")
    {
        w.truncate(n - 2);
    } else if n > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        w.truncate(n - 1);
    }
    let n = w.len();
    let suffix = if n > 5 && w.ends_with("ing") {
        3
    } else if n > 4 && w.ends_with("ed") && !w.ends_with("eed") {
        2
    } else {
        0
    };
    if suffix > 0 && w[..n - suffix].bytes().any(is_vowel) {
        w.truncate(n - suffix);
        let b = w.as_bytes();
        let m = b.len();
        if m >= 2
            && b[m - 1] == b[m - 2]
            && !is_vowel(b[m - 1])
            && !matches!(b[m - 1], b'l' | b's' | b'z')
        {
            w.truncate(m - 1);
        }
    }
    // "agreed", "guaranteed": the past of an -ee verb ("need", "speed" have no vowel
    // before their "eed" and stay whole).
    let n = w.len();
    if n > 4 && w.ends_with("eed") && w[..n - 3].bytes().any(is_vowel) {
        w.truncate(n - 1);
    }
    let b = w.as_bytes();
    let m = b.len();
    if m >= 4 && b[m - 1] == b'e' && b[m - 2] != b'e' {
        w.truncate(m - 1);
    }
    w
}

/// A BM25 index over a fixed list of documents (the knowledge base's chunks, in order).
#[derive(Debug, Default)]
pub struct Bm25Index {
    postings: HashMap<String, Vec<(u32, u32)>>,
    lengths: Vec<f32>,
    avg_len: f32,
}

impl Bm25Index {
    /// Indexes `docs`; document `i` of the scores is `docs[i]`.
    pub fn build<'a>(docs: impl IntoIterator<Item = &'a str>) -> Bm25Index {
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        let mut lengths = Vec::new();
        for (i, doc) in docs.into_iter().enumerate() {
            let terms = tokenize(doc);
            lengths.push(terms.len() as f32);
            let mut tf: HashMap<String, u32> = HashMap::new();
            for t in terms {
                *tf.entry(t).or_insert(0) += 1;
            }
            for (t, n) in tf {
                postings.entry(t).or_default().push((i as u32, n));
            }
        }
        let total: f32 = lengths.iter().sum();
        let avg_len = if lengths.is_empty() {
            0.0
        } else {
            (total / lengths.len() as f32).max(1.0)
        };
        Bm25Index {
            postings,
            lengths,
            avg_len,
        }
    }

    /// How many documents are indexed.
    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    fn idf(&self, df: usize) -> f32 {
        let n = self.lengths.len() as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Every document's BM25 score for `query`, and the reference score that normalises them:
    /// the sum of the query terms' idf (a term absent from the index counts with df = 0), which
    /// is what a document of average length holding each query term once would score. So
    /// `score / reference` is about the share of the query a document covers.
    pub fn score(&self, query: &str) -> (Vec<f32>, f32) {
        let mut scores = vec![0.0; self.lengths.len()];
        let mut terms = tokenize(query);
        terms.sort();
        terms.dedup();
        let mut reference = 0.0;
        for term in &terms {
            let postings = self.postings.get(term);
            let idf = self.idf(postings.map_or(0, Vec::len));
            reference += idf;
            for &(doc, tf) in postings.into_iter().flatten() {
                let tf = tf as f32;
                let len = self.lengths[doc as usize];
                let norm = K1 * (1.0 - B + B * len / self.avg_len);
                scores[doc as usize] += idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
        (scores, reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        let mut sorted = STOPWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOPWORDS);
    }

    #[test]
    fn tokenize_lowercases_drops_stopwords_keeps_numbers() {
        assert_eq!(
            tokenize("How long do REFUNDS take? 5-7 days, order #A12"),
            ["long", "refund", "tak", "5", "7", "day", "order", "a12"]
        );
        assert_eq!(tokenize("What's the fee?"), ["fee"]);
        assert_eq!(
            tokenize("Um, I'd like to send it back"),
            ["lik", "send", "back"]
        );
    }

    #[test]
    fn stemmer_meets_common_forms_of_one_word() {
        let same = [
            ("refunds", "refund"),
            ("refunded", "refund"),
            ("shipping", "ship"),
            ("shipped", "ship"),
            ("ships", "ship"),
            ("charges", "charge"),
            ("charged", "charge"),
            ("charging", "charge"),
            ("policies", "policy"),
            ("boxes", "box"),
            ("matches", "match"),
            ("delivered", "deliver"),
            ("ordering", "order"),
            ("places", "place"),
            ("agreed", "agree"),
            ("agreeing", "agrees"),
            ("guaranteed", "guarantee"),
        ];
        for (a, b) in same {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
    }

    #[test]
    fn stemmer_leaves_short_and_special_words_alone() {
        for w in [
            "is", "yes", "bus", "gas", "need", "red", "address", "status", "sing", "bed",
        ] {
            assert_eq!(stem(w), w.trim_end_matches('e'), "{w}");
        }
        assert_eq!(stem("address"), "address");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("need"), "need");
        assert_eq!(stem("sing"), "sing");
        assert_eq!(stem("2024s"), "2024s");
        assert_eq!(stem("cafés"), "cafés");
        assert_eq!(stem("fee"), "fee");
        assert_eq!(stem("free"), "free");
    }

    #[test]
    fn bm25_ranks_the_matching_document_first() {
        let docs = [
            "Shipping: we ship to 30 countries within 5 days.",
            "Refunds are paid within 14 days of the return arriving.",
            "Our opening hours are 9 to 17 on weekdays.",
        ];
        let index = Bm25Index::build(docs);
        assert_eq!(index.len(), 3);
        let (scores, reference) = index.score("when is my refund paid?");
        assert!(
            scores[1] > 0.0 && scores[0] == 0.0 && scores[2] == 0.0,
            "{scores:?}"
        );
        assert!(reference > 0.0);
        let (scores, _) = index.score("which countries do you ship to");
        let best = scores
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i);
        assert_eq!(best, Some(0));
    }

    #[test]
    fn rare_terms_weigh_more_and_unknown_terms_lower_coverage() {
        let docs = [
            "order status order",
            "order tracking number",
            "order cancel",
            "warranty repair",
        ];
        let index = Bm25Index::build(docs);
        let (scores, _) = index.score("order warranty");
        assert!(scores[3] > scores[0], "{scores:?}");
        let (full, r1) = index.score("warranty repair");
        let (part, r2) = index.score("warranty repair zeppelin");
        assert!(full[3] / r1 > part[3] / r2);
        assert!(full[3] / r1 > 0.9, "{}", full[3] / r1);
    }

    #[test]
    fn empty_index_and_empty_query() {
        let index = Bm25Index::build([]);
        assert!(index.is_empty());
        assert_eq!(index.score("anything").0.len(), 0);
        let index = Bm25Index::build(["a b c"]);
        let (scores, reference) = index.score("the of");
        assert_eq!(scores, [0.0]);
        assert_eq!(reference, 0.0);
    }
}
