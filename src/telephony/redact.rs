//! [`Redacted`]: personal data (caller numbers, digits) that prints as `***` in logs and
//! `Debug` output, so it cannot leak through a stray `{:?}`. Read it with
//! [`Redacted::expose`], on purpose.

use std::fmt;

/// A value that never prints itself.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Redacted<T>(T);

impl<T> Redacted<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Redacted(value)
    }

    /// The value itself, for code that has a reason to use it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T> fmt::Display for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let r = Redacted::new(String::from("+15551234567"));
        assert_eq!(format!("{r} {r:?}"), "*** ***");
        assert_eq!(r.expose(), "+15551234567");
    }
}
