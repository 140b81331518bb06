//! Turns generated token bytes into text pieces safe to hand on: never a split UTF-8
//! character, never any part of a stop string. Sans-IO: bytes in, text out. Shared by the
//! embedded backend (token bytes) and usable by any backend that must honour stop strings.

/// What one push produced.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Pushed {
    /// Text that may be emitted now (possibly empty).
    pub(crate) text: String,
    /// A stop string was found: the generation is over; `text` ends before it.
    pub(crate) stopped: bool,
}

/// Accumulates bytes; holds back an incomplete character and any tail that could still
/// become a stop string.
#[derive(Debug)]
pub(crate) struct TextStream {
    stops: Vec<String>,
    partial: Vec<u8>,
    text: String,
    emitted: usize,
    stopped: bool,
}

impl TextStream {
    pub(crate) fn new(stops: &[String]) -> TextStream {
        TextStream {
            stops: stops.iter().filter(|s| !s.is_empty()).cloned().collect(),
            partial: Vec::new(),
            text: String::new(),
            emitted: 0,
            stopped: false,
        }
    }

    /// Adds one token's bytes.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Pushed {
        if self.stopped {
            return Pushed {
                text: String::new(),
                stopped: true,
            };
        }
        self.partial.extend_from_slice(bytes);
        self.decode_partial();
        let search_from = self.emitted.saturating_sub(self.longest_stop());
        let search_from = floor_boundary(&self.text, search_from);
        let found = self
            .stops
            .iter()
            .filter_map(|s| {
                self.text[search_from..]
                    .find(s.as_str())
                    .map(|p| search_from + p)
            })
            .min();
        if let Some(at) = found {
            self.text.truncate(at);
            self.stopped = true;
            return Pushed {
                text: self.take_until(at),
                stopped: true,
            };
        }
        let safe = self.text.len() - self.held_tail();
        Pushed {
            text: self.take_until(safe),
            stopped: false,
        }
    }

    /// The generation ended for another reason: everything held back (lossily for an
    /// incomplete character) is emitted.
    pub(crate) fn finish(&mut self) -> String {
        if self.stopped {
            return String::new();
        }
        if !self.partial.is_empty() {
            let rest = String::from_utf8_lossy(&self.partial).into_owned();
            self.text.push_str(&rest);
            self.partial.clear();
        }
        let end = self.text.len();
        self.take_until(end)
    }

    /// All text emitted so far (the stop string excluded).
    pub(crate) fn emitted(&self) -> &str {
        &self.text[..self.emitted]
    }

    fn take_until(&mut self, end: usize) -> String {
        let end = end.max(self.emitted);
        let piece = self.text[self.emitted..end].to_owned();
        self.emitted = end;
        piece
    }

    fn decode_partial(&mut self) {
        loop {
            match std::str::from_utf8(&self.partial) {
                Ok(s) => {
                    self.text.push_str(s);
                    self.partial.clear();
                    return;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    let good = String::from_utf8_lossy(&self.partial[..valid]).into_owned();
                    self.text.push_str(&good);
                    match e.error_len() {
                        // Invalid bytes (not merely incomplete): replace and go on.
                        Some(bad) => {
                            self.text.push('\u{FFFD}');
                            self.partial.drain(..valid + bad);
                        }
                        None => {
                            self.partial.drain(..valid);
                            return;
                        }
                    }
                }
            }
        }
    }

    fn longest_stop(&self) -> usize {
        self.stops.iter().map(String::len).max().unwrap_or(0)
    }

    /// Length of the longest not-yet-emitted tail that is a proper prefix of a stop string.
    fn held_tail(&self) -> usize {
        let pending = &self.text[self.emitted..];
        let mut best = 0;
        for stop in &self.stops {
            for (i, _) in pending.char_indices() {
                let tail = &pending[i..];
                if tail.len() > best && tail.len() < stop.len() && stop.starts_with(tail) {
                    best = tail.len();
                }
            }
        }
        best
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stops: &[&str], pieces: &[&[u8]]) -> (Vec<String>, bool, String) {
        let stops: Vec<String> = stops.iter().map(|s| s.to_string()).collect();
        let mut s = TextStream::new(&stops);
        let mut out = Vec::new();
        let mut stopped = false;
        for p in pieces {
            let r = s.push(p);
            out.push(r.text);
            if r.stopped {
                stopped = true;
                break;
            }
        }
        if !stopped {
            out.push(s.finish());
        }
        (out, stopped, s.emitted().to_owned())
    }

    #[test]
    fn a_character_split_over_tokens_is_emitted_whole() {
        let euro = "€".as_bytes();
        let (out, stopped, all) = run(&[], &[b"a", &euro[..1], &euro[1..2], &euro[2..], b"b"]);
        assert_eq!(out, ["a", "", "", "€", "b", ""]);
        assert!(!stopped);
        assert_eq!(all, "a€b");
    }

    #[test]
    fn a_stop_string_across_tokens_is_never_emitted() {
        let (out, stopped, all) = run(&["\nUser:"], &[b"Hi.", b"\nUs", b"er:", b" more"]);
        assert!(stopped);
        assert_eq!(out, ["Hi.", "", ""]);
        assert_eq!(all, "Hi.");
    }

    #[test]
    fn a_held_prefix_that_does_not_become_a_stop_is_released() {
        let (out, stopped, all) = run(&["STOP"], &[b"ST", b"AY", b" here"]);
        assert!(!stopped);
        assert_eq!(out.concat(), "STAY here");
        assert_eq!(out[0], "");
        assert_eq!(all, "STAY here");
    }

    #[test]
    fn nothing_follows_a_stop_string() {
        let stops = vec!["END".to_string()];
        let mut s = TextStream::new(&stops);
        assert_eq!(s.push(b"ok END\xE2\x82").text, "ok ");
        assert_eq!(s.push(b"more").text, "");
        assert_eq!(s.finish(), "");
        assert_eq!(s.emitted(), "ok ");
    }

    #[test]
    fn held_text_is_flushed_at_the_end() {
        let (out, _, all) = run(&["STOP"], &[b"go ST"]);
        assert_eq!(out, ["go ", "ST"]);
        assert_eq!(all, "go ST");
    }

    #[test]
    fn invalid_bytes_become_replacement_characters() {
        let (out, _, _) = run(&[], &[b"a\xFFb"]);
        assert_eq!(out.concat(), "a\u{FFFD}b");
    }
}
