//! The ordered list of header fields a message carries besides the ones the message
//! keeps typed (Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length).

use super::HeaderName;

/// One header field line: a name and its (unfolded, trimmed) value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The name.
    pub name: HeaderName,
    /// The value, exactly as received after unfolding and trimming.
    pub value: String,
}

/// Header fields in the order received or added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<Header>);

impl Headers {
    /// An empty list.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// An empty list with room for `n` fields.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    /// Appends a field.
    pub fn push(&mut self, name: HeaderName, value: impl Into<String>) {
        self.0.push(Header {
            name,
            value: value.into(),
        });
    }

    /// Replaces every field of this name with one field.
    pub fn set(&mut self, name: HeaderName, value: impl Into<String>) {
        self.remove(&name);
        self.push(name, value);
    }

    /// Removes every field of this name.
    pub fn remove(&mut self, name: &HeaderName) {
        self.0.retain(|h| &h.name != name);
    }

    /// The value of the first field of this name.
    pub fn get(&self, name: &HeaderName) -> Option<&str> {
        self.0
            .iter()
            .find(|h| &h.name == name)
            .map(|h| h.value.as_str())
    }

    /// The values of every field of this name, in order.
    pub fn get_all<'a>(&'a self, name: &'a HeaderName) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |h| &h.name == name)
            .map(|h| h.value.as_str())
    }

    /// Whether a field of this name is present.
    pub fn contains(&self, name: &HeaderName) -> bool {
        self.0.iter().any(|h| &h.name == name)
    }

    /// Every field, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.0.iter()
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
