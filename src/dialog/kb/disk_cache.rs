//! An optional on-disk cache of chunk embeddings, so a restart (or each `voxgate ask`) does not
//! embed the whole knowledge base again. Only document chunks go in, never queries (caller
//! words are personal data).
//!
//! Format: an 8-byte magic, a 32-byte model fingerprint, then records of the chunk text's
//! sha256 (32 bytes), the vector (dim × f32 little-endian) and the first 4 bytes of the
//! vector's sha256. Records are appended; a torn or damaged record ends the load (what came
//! before is kept) and the file is rewritten on the next append. A different fingerprint
//! starts a new file.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"VXKBEMB1";
/// Records beyond this are not loaded (the file is then rewritten with what is in use).
const MAX_RECORDS: usize = 200_000;

pub(crate) type Key = [u8; 32];

/// The cache file and what it holds.
#[derive(Debug)]
pub(crate) struct DiskCache {
    path: PathBuf,
    fingerprint: Key,
    dim: usize,
    entries: HashMap<Key, Vec<f32>>,
    /// The file must be rewritten before appending (damaged, foreign or missing).
    rewrite: bool,
}

fn check(vector: &[u8]) -> [u8; 4] {
    let d = Sha256::digest(vector);
    [d[0], d[1], d[2], d[3]]
}

impl DiskCache {
    /// Opens (or plans to create) the cache at `path` for a model with this fingerprint.
    pub(crate) fn open(path: &Path, fingerprint: Key, dim: usize) -> DiskCache {
        let mut cache = DiskCache {
            path: path.to_path_buf(),
            fingerprint,
            dim,
            entries: HashMap::new(),
            rewrite: true,
        };
        if let Ok(bytes) = fs::read(path) {
            cache.load(&bytes);
        }
        cache
    }

    fn load(&mut self, bytes: &[u8]) {
        let head = MAGIC.len() + 32;
        if bytes.len() < head || &bytes[..8] != MAGIC || bytes[8..head] != self.fingerprint {
            return;
        }
        let size = 32 + self.dim * 4 + 4;
        let mut rest = &bytes[head..];
        while rest.len() >= size && self.entries.len() < MAX_RECORDS {
            let (record, tail) = rest.split_at(size);
            let (key, body) = record.split_at(32);
            let (vector, sum) = body.split_at(self.dim * 4);
            if check(vector) != sum {
                break;
            }
            let mut k = [0; 32];
            k.copy_from_slice(key);
            let v = vector
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            self.entries.insert(k, v);
            rest = tail;
        }
        self.rewrite = !rest.is_empty();
    }

    pub(crate) fn get(&self, key: &Key) -> Option<&Vec<f32>> {
        self.entries.get(key)
    }

    /// Adds new vectors and writes them out; a write failure is logged (the cache is only an
    /// optimisation).
    pub(crate) fn insert(&mut self, new: Vec<(Key, Vec<f32>)>) {
        let new: Vec<(Key, Vec<f32>)> = new
            .into_iter()
            .filter(|(k, v)| v.len() == self.dim && !self.entries.contains_key(k))
            .collect();
        if new.is_empty() {
            return;
        }
        let result = if self.rewrite {
            self.entries.extend(new);
            self.write_all()
        } else {
            let r = self.append(&new);
            self.entries.extend(new);
            r
        };
        match result {
            Ok(()) => self.rewrite = false,
            Err(e) => {
                tracing::warn!(file = %self.path.display(), error = %e, "embedding cache not written")
            }
        }
    }

    fn encode<'a>(&self, records: impl Iterator<Item = (&'a Key, &'a Vec<f32>)>) -> Vec<u8> {
        let mut out = Vec::new();
        for (k, v) in records {
            out.extend_from_slice(k);
            let start = out.len();
            for f in v {
                out.extend_from_slice(&f.to_le_bytes());
            }
            let sum = check(&out[start..]);
            out.extend_from_slice(&sum);
        }
        out
    }

    fn append(&self, new: &[(Key, Vec<f32>)]) -> std::io::Result<()> {
        let bytes = self.encode(new.iter().map(|(k, v)| (k, v)));
        let mut f = OpenOptions::new().append(true).open(&self.path)?;
        crate::fsutil::restrict(&self.path)?;
        f.write_all(&bytes)
    }

    fn write_all(&self) -> std::io::Result<()> {
        if let Some(parent) = self.path.parent() {
            crate::fsutil::create_dir_all(parent)?;
        }
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&self.fingerprint);
        bytes.extend(self.encode(self.entries.iter()));
        let tmp = self
            .path
            .with_extension(format!("{}.tmp", std::process::id()));
        let mut f = crate::fsutil::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> Key {
        [n; 32]
    }

    #[test]
    fn vectors_survive_a_reopen_and_damage_keeps_the_good_prefix() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sub/cache.bin");
        let mut c = DiskCache::open(&path, key(9), 3);
        c.insert(vec![(key(1), vec![1.0, 2.0, 3.0]), (key(2), vec![0.5; 3])]);
        c.insert(vec![(key(3), vec![-1.0; 3]), (key(4), vec![1.0; 2])]); // wrong dim: dropped
        let c = DiskCache::open(&path, key(9), 3);
        assert_eq!(c.get(&key(1)), Some(&vec![1.0, 2.0, 3.0]));
        assert_eq!(c.get(&key(3)), Some(&vec![-1.0; 3]));
        assert_eq!(c.get(&key(4)), None);
        assert!(!c.rewrite);
        // Another model: nothing is reused.
        assert!(DiskCache::open(&path, key(8), 3).get(&key(1)).is_none());
        // A torn last record.
        let mut bytes = fs::read(&path).expect("read");
        bytes.truncate(bytes.len() - 5);
        fs::write(&path, &bytes).expect("write");
        let mut c = DiskCache::open(&path, key(9), 3);
        assert_eq!(c.entries.len(), 2);
        assert!(c.rewrite);
        c.insert(vec![(key(5), vec![2.0; 3])]);
        let c = DiskCache::open(&path, key(9), 3);
        assert_eq!(c.entries.len(), 3);
        assert!(!c.rewrite);
    }
}
