//! Reading members of the downloaded archives: wheels (zip, with the `zip` crate, deflate only)
//! and source distributions (`.tar.gz`). Members are streamed into a writer, never held whole in
//! memory, except small ones read with [`read_member`].

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// Why a member could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{archive}: {source}")]
    Io {
        archive: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{archive}: not a readable zip archive: {source}")]
    Zip {
        archive: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("{archive} has no member {member}")]
    NoMember { archive: PathBuf, member: String },
    #[error("{archive}: member {member} is larger than {limit} bytes")]
    TooLarge {
        archive: PathBuf,
        member: String,
        limit: u64,
    },
    #[error("{archive}: unknown archive type (expected .whl, .zip or .tar.gz)")]
    UnknownType { archive: PathBuf },
}

fn is_tar_gz(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".tar.gz")
}

fn is_zip(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("whl" | "zip" | "npz")
    )
}

/// Copies one member into `out`, calling `progress` with its total size once and then with
/// each chunk's length. Returns the member's size. Zip members have their CRC checked.
pub fn copy_member(
    archive: &Path,
    member: &str,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(Chunk),
) -> Result<u64, ArchiveError> {
    let io_err = |source| ArchiveError::Io {
        archive: archive.to_owned(),
        source,
    };
    let file = File::open(archive).map_err(io_err)?;
    if is_zip(archive) {
        let mut zip =
            zip::ZipArchive::new(BufReader::new(file)).map_err(|source| ArchiveError::Zip {
                archive: archive.to_owned(),
                source,
            })?;
        let mut entry = match zip.by_name(member) {
            Ok(e) => e,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err(ArchiveError::NoMember {
                    archive: archive.to_owned(),
                    member: member.to_owned(),
                });
            }
            Err(source) => {
                return Err(ArchiveError::Zip {
                    archive: archive.to_owned(),
                    source,
                });
            }
        };
        progress(Chunk::Total(entry.size()));
        pump(&mut entry, out, progress).map_err(io_err)
    } else if is_tar_gz(archive) {
        let gz = flate2::read::GzDecoder::new(BufReader::new(file));
        let mut tar = tar::Archive::new(gz);
        for entry in tar.entries().map_err(io_err)? {
            let mut entry = entry.map_err(io_err)?;
            let path = entry.path().map_err(io_err)?;
            if path.to_str() == Some(member) {
                progress(Chunk::Total(entry.size()));
                return pump(&mut entry, out, progress).map_err(io_err);
            }
        }
        Err(ArchiveError::NoMember {
            archive: archive.to_owned(),
            member: member.to_owned(),
        })
    } else {
        Err(ArchiveError::UnknownType {
            archive: archive.to_owned(),
        })
    }
}

/// What [`copy_member`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunk {
    Total(u64),
    Done(u64),
}

/// Reads a small member whole (at most `limit` bytes).
pub fn read_member(archive: &Path, member: &str, limit: u64) -> Result<Vec<u8>, ArchiveError> {
    let mut out = Vec::new();
    let mut too_large = false;
    {
        let mut writer = LimitedWriter {
            out: &mut out,
            limit,
            over: &mut too_large,
        };
        let result = copy_member(archive, member, &mut writer, &mut |_| {});
        if !too_large {
            result?;
        }
    }
    if too_large {
        return Err(ArchiveError::TooLarge {
            archive: archive.to_owned(),
            member: member.to_owned(),
            limit,
        });
    }
    Ok(out)
}

struct LimitedWriter<'a> {
    out: &'a mut Vec<u8>,
    limit: u64,
    over: &'a mut bool,
}

impl Write for LimitedWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.out.len() as u64 + buf.len() as u64 > self.limit {
            *self.over = true;
            return Err(io::Error::other("member too large"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn pump(
    src: &mut dyn Read,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(Chunk),
) -> io::Result<u64> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all(&buf[..n])?;
        total += n as u64;
        progress(Chunk::Done(n as u64));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn make_zip(path: &Path, members: &[(&str, &[u8])]) {
        let mut w = zip::ZipWriter::new(File::create(path).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in members {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }

    #[test]
    fn zip_members_stream_out_and_missing_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let whl = dir.path().join("p-1.0-py3-none-any.whl");
        let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        make_zip(&whl, &[("p/a.txt", b"hello"), ("p/big.bin", &big)]);
        let mut out = Vec::new();
        let mut total = None;
        let mut done = 0;
        let n = copy_member(&whl, "p/big.bin", &mut out, &mut |c| match c {
            Chunk::Total(t) => total = Some(t),
            Chunk::Done(d) => done += d,
        })
        .unwrap();
        assert_eq!((n, total, done), (1_000_000, Some(1_000_000), 1_000_000));
        assert_eq!(out, big);
        assert_eq!(read_member(&whl, "p/a.txt", 10).unwrap(), b"hello");
        assert!(matches!(
            read_member(&whl, "p/big.bin", 10),
            Err(ArchiveError::TooLarge { .. })
        ));
        let err = read_member(&whl, "p/none", 10).unwrap_err();
        assert!(err.to_string().contains("has no member p/none"), "{err}");
    }

    #[test]
    fn tar_gz_members_are_found_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let sdist = dir.path().join("p-1.0.tar.gz");
        let gz = flate2::write::GzEncoder::new(
            File::create(&sdist).unwrap(),
            flate2::Compression::fast(),
        );
        let mut tar = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        header.set_size(3);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, "p-1.0/x/y.npz", &b"xyz"[..])
            .unwrap();
        tar.into_inner().unwrap().finish().unwrap();
        assert_eq!(read_member(&sdist, "p-1.0/x/y.npz", 100).unwrap(), b"xyz");
        assert!(read_member(&sdist, "p-1.0/x/z", 100).is_err());
    }
}
