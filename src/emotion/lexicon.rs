//! The word lists emotion reads, loaded once from the models directory: VADER's English
//! valence lexicon (`vader-lexicon`, word → mean rating −4..4) and the Mandarin lists of
//! `zh-sentiment` (HowNet positive and negative words; DUTIR's anger, fear, sorrow and joy
//! words), which ship as Python pickles of word lists.
//!
//! Owns [`Lexicons`] and their loading; a missing file names the command that fetches it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::models::{MissingModel, ModelId, Models};

/// A word list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error(transparent)]
    Missing(#[from] MissingModel),
    #[error("{path}: {source}", path = .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a pickled list of words: {reason}", path = .path.display())]
    Pickle { path: PathBuf, reason: String },
}

/// What a Mandarin word says, from the lists it is in.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ZhWord {
    /// +1 positive, −1 negative (HowNet), 0 neither or both.
    pub polarity: f32,
    /// In DUTIR's anger, fear, sorrow, joy lists.
    pub anger: bool,
    pub fear: bool,
    pub sorrow: bool,
    pub joy: bool,
}

/// What being in one list says of a word.
type Mark = fn(&mut ZhWord);

/// The loaded lists.
#[derive(Debug, Default)]
pub struct Lexicons {
    /// English word → VADER valence (−4..4).
    pub en: HashMap<String, f32>,
    /// Mandarin word → what its lists say.
    pub zh: HashMap<String, ZhWord>,
}

impl Lexicons {
    /// Loads both from the models directory.
    pub fn load(models: &Models) -> Result<Lexicons, LexiconError> {
        let vader = models.require(ModelId::VaderLexicon)?;
        let zh_first = models.require(ModelId::ZhSentiment)?;
        let dir = zh_first.parent().unwrap_or(Path::new("."));
        let mut lex = Lexicons {
            en: read_vader(&vader)?,
            zh: HashMap::new(),
        };
        let lists: [(&str, Mark); 6] = [
            ("zh-hownet-pos.pkl", |w| w.polarity += 1.0),
            ("zh-hownet-neg.pkl", |w| w.polarity -= 1.0),
            ("zh-dutir-anger.pkl", |w| w.anger = true),
            ("zh-dutir-fear.pkl", |w| w.fear = true),
            ("zh-dutir-sorrow.pkl", |w| w.sorrow = true),
            ("zh-dutir-joy.pkl", |w| w.joy = true),
        ];
        for (file, mark) in lists {
            for word in read_pickled_words(&dir.join(file))? {
                mark(lex.zh.entry(word).or_default());
            }
        }
        Ok(lex)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, LexiconError> {
    std::fs::read(path).map_err(|source| LexiconError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// `word<TAB>mean<TAB>sd<TAB>[ratings]` lines.
fn read_vader(path: &Path) -> Result<HashMap<String, f32>, LexiconError> {
    let text = String::from_utf8_lossy(&read(path)?).into_owned();
    Ok(text
        .lines()
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let word = cols.next()?.trim();
            let mean = cols.next()?.trim().parse::<f32>().ok()?;
            (!word.is_empty()).then(|| (word.to_string(), mean))
        })
        .collect())
}

/// A pickled Python list or set of strings; entries are trimmed (some carry spaces).
fn read_pickled_words(path: &Path) -> Result<HashSet<String>, LexiconError> {
    use serde_pickle::{DeOptions, HashableValue, Value};
    let bad = |reason: String| LexiconError::Pickle {
        path: path.to_path_buf(),
        reason,
    };
    let value = serde_pickle::value_from_slice(&read(path)?, DeOptions::new())
        .map_err(|e| bad(e.to_string()))?;
    let words: Vec<String> = match value {
        Value::List(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        Value::Set(items) | Value::FrozenSet(items) => items
            .into_iter()
            .filter_map(|v| match v {
                HashableValue::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        other => return Err(bad(format!("a {}", kind(&other)))),
    };
    Ok(words
        .into_iter()
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect())
}

fn kind(v: &serde_pickle::Value) -> &'static str {
    match v {
        serde_pickle::Value::Dict(_) => "dict",
        serde_pickle::Value::Tuple(_) => "tuple",
        serde_pickle::Value::String(_) => "string",
        _ => "value of another kind",
    }
}
