//! Size and sha256 of files and of byte streams as they are written, and the verdict against
//! a pinned value.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

/// Size and lowercase hex sha256 of some bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digested {
    pub size: u64,
    pub sha256: String,
}

impl Digested {
    /// Whether these bytes are the pinned ones.
    pub fn matches(&self, size: u64, sha256: &str) -> bool {
        self.size == size && self.sha256 == sha256
    }
}

/// Hashes a file, streaming (1 MiB at a time).
pub fn digest_file(path: &Path, mut progress: impl FnMut(u64)) -> io::Result<Digested> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
        progress(n as u64);
    }
    Ok(Digested {
        size,
        sha256: hex(&hasher.finalize()),
    })
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A writer that hashes and counts what passes through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// Flushes and returns the inner writer and the digest of everything written.
    pub fn finish(mut self) -> io::Result<(W, Digested)> {
        self.inner.flush()?;
        let digest = Digested {
            size: self.size,
            sha256: hex(&self.hasher.finalize()),
        };
        Ok((self.inner, digest))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn file_and_stream_digests_agree_with_the_known_sha256_of_abc() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, b"abc").unwrap();
        let mut seen = 0;
        let d = digest_file(&path, |n| seen += n).unwrap();
        assert_eq!(d.sha256, ABC);
        assert_eq!((d.size, seen), (3, 3));
        assert!(d.matches(3, ABC));
        assert!(!d.matches(4, ABC));
        assert!(!d.matches(3, &ABC.replace('b', "c")));

        let mut w = HashingWriter::new(Vec::new());
        w.write_all(b"ab").unwrap();
        w.write_all(b"c").unwrap();
        let (bytes, d2) = w.finish().unwrap();
        assert_eq!(bytes, b"abc");
        assert_eq!(d2, d);
    }
}
