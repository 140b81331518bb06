//! The CTranslate2 `model.bin` format (binary version 6, as `ctranslate2.specs.ModelSpec.save`
//! writes it; all little-endian):
//!
//! ```text
//! u32 binary version; string spec name; u32 spec revision; u32 variable count
//! per variable: string name; u8 rank; u32 dims[rank]; u8 dtype; u32 byte count; bytes
//! u32 alias count; per alias: string alias; string variable name
//! string = u16 length including a trailing NUL, then the bytes and the NUL
//! dtype: 0 f32, 1 i8, 2 i16, 3 i32, 4 f16, 5 bf16
//! ```
//!
//! [`Ct2Model::index`] reads the names, shapes and data offsets without loading the data;
//! [`Ct2Model::read`] loads one variable.

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom};

/// Why a model.bin could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Ct2Error {
    #[error("model.bin: {0}")]
    Io(#[from] io::Error),
    #[error("model.bin: binary version {0} is not supported (only 6)")]
    Version(u32),
    #[error("model.bin: {0}")]
    Format(String),
}

/// Element types of variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
    BF16,
}

impl DType {
    fn from_id(id: u8) -> Option<DType> {
        Some(match id {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            5 => DType::BF16,
            _ => return None,
        })
    }

    /// Bytes per element.
    pub fn width(self) -> usize {
        match self {
            DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::F32 | DType::I32 => 4,
        }
    }
}

/// Where one variable is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarInfo {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub offset: u64,
    pub len: usize,
}

/// An indexed model.bin over a seekable reader.
pub struct Ct2Model<R> {
    reader: R,
    pub spec: String,
    pub revision: u32,
    pub vars: BTreeMap<String, VarInfo>,
    pub aliases: BTreeMap<String, String>,
}

const MAX_NAME: usize = 4096;
const MAX_RANK: u8 = 8;

impl<R: Read + Seek> Ct2Model<R> {
    /// Reads the variable index (names, shapes, types, data offsets), skipping the data.
    pub fn index(mut reader: R) -> Result<Ct2Model<R>, Ct2Error> {
        reader.seek(SeekFrom::Start(0))?;
        let version = read_u32(&mut reader)?;
        if version != 6 {
            return Err(Ct2Error::Version(version));
        }
        let spec = read_string(&mut reader)?;
        let revision = read_u32(&mut reader)?;
        let count = read_u32(&mut reader)?;
        let after_header = reader.stream_position()?;
        let end = reader.seek(SeekFrom::End(0))?;
        reader.seek(SeekFrom::Start(after_header))?;
        let mut vars = BTreeMap::new();
        for _ in 0..count {
            let name = read_string(&mut reader)?;
            let rank = read_u8(&mut reader)?;
            if rank > MAX_RANK {
                return Err(Ct2Error::Format(format!("{name}: rank {rank}")));
            }
            let mut shape = Vec::with_capacity(usize::from(rank));
            for _ in 0..rank {
                shape.push(read_u32(&mut reader)? as usize);
            }
            let dtype_id = read_u8(&mut reader)?;
            let dtype = DType::from_id(dtype_id)
                .ok_or_else(|| Ct2Error::Format(format!("{name}: dtype {dtype_id}")))?;
            let len = read_u32(&mut reader)? as usize;
            let elements = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
            if elements.and_then(|e| e.checked_mul(dtype.width())) != Some(len) {
                return Err(Ct2Error::Format(format!(
                    "{name}: {len} bytes for shape {shape:?} of {dtype:?}"
                )));
            }
            let offset = reader.stream_position()?;
            if offset + len as u64 > end {
                return Err(Ct2Error::Format(format!(
                    "{name}: data past the end of the file"
                )));
            }
            reader.seek(SeekFrom::Current(len as i64))?;
            if vars
                .insert(
                    name.clone(),
                    VarInfo {
                        shape,
                        dtype,
                        offset,
                        len,
                    },
                )
                .is_some()
            {
                return Err(Ct2Error::Format(format!("{name} twice")));
            }
        }
        let mut aliases = BTreeMap::new();
        for _ in 0..read_u32(&mut reader)? {
            let alias = read_string(&mut reader)?;
            let target = read_string(&mut reader)?;
            aliases.insert(alias, target);
        }
        if reader.stream_position()? != end {
            return Err(Ct2Error::Format("trailing bytes after the aliases".into()));
        }
        Ok(Ct2Model {
            reader,
            spec,
            revision,
            vars,
            aliases,
        })
    }

    /// The variable's info, or an error naming it.
    pub fn info(&self, name: &str) -> Result<&VarInfo, Ct2Error> {
        self.vars
            .get(name)
            .ok_or_else(|| Ct2Error::Format(format!("no variable {name}")))
    }

    /// Loads one variable's raw little-endian bytes.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, Ct2Error> {
        let info = self.info(name)?.clone();
        self.reader.seek(SeekFrom::Start(info.offset))?;
        let mut buf = vec![0u8; info.len];
        self.reader.read_exact(&mut buf)?;
        Ok(buf)
    }

    /// A scalar integer variable (i8, i16 or i32), such as `encoder/num_heads`.
    pub fn scalar(&mut self, name: &str) -> Result<i64, Ct2Error> {
        let info = self.info(name)?.clone();
        let bytes = self.read(name)?;
        if !info.shape.is_empty() {
            return Err(Ct2Error::Format(format!("{name} is not a scalar")));
        }
        Ok(match (info.dtype, bytes.as_slice()) {
            (DType::I8, [b]) => i64::from(i8::from_le_bytes([*b])),
            (DType::I16, [a, b]) => i64::from(i16::from_le_bytes([*a, *b])),
            (DType::I32, [a, b, c, d]) => i64::from(i32::from_le_bytes([*a, *b, *c, *d])),
            _ => return Err(Ct2Error::Format(format!("{name} is not an integer scalar"))),
        })
    }
}

fn read_u8(r: &mut impl Read) -> io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

fn read_u32(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_string(r: &mut impl Read) -> Result<String, Ct2Error> {
    let mut b = [0u8; 2];
    r.read_exact(&mut b)?;
    let len = usize::from(u16::from_le_bytes(b));
    if len == 0 || len > MAX_NAME {
        return Err(Ct2Error::Format(format!("string length {len}")));
    }
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)?;
    if buf.pop() != Some(0) {
        return Err(Ct2Error::Format("string without its NUL".into()));
    }
    String::from_utf8(buf).map_err(|_| Ct2Error::Format("string is not UTF-8".into()))
}

/// Builds model.bin files for tests, as `ModelSpec.save` lays them out.
#[cfg(test)]
pub(crate) mod writer {
    pub(crate) struct Ct2Writer {
        vars: Vec<(String, Vec<u32>, u8, Vec<u8>)>,
        aliases: Vec<(String, String)>,
    }

    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&u16::try_from(s.len() + 1).unwrap_or(0).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }

    impl Ct2Writer {
        pub(crate) fn new() -> Ct2Writer {
            Ct2Writer {
                vars: Vec::new(),
                aliases: Vec::new(),
            }
        }

        pub(crate) fn var(
            &mut self,
            name: &str,
            shape: &[u32],
            dtype: u8,
            data: Vec<u8>,
        ) -> &mut Self {
            self.vars
                .push((name.to_owned(), shape.to_vec(), dtype, data));
            self
        }

        pub(crate) fn alias(&mut self, alias: &str, target: &str) -> &mut Self {
            self.aliases.push((alias.to_owned(), target.to_owned()));
            self
        }

        pub(crate) fn bytes(&self) -> Vec<u8> {
            let mut out = 6u32.to_le_bytes().to_vec();
            string(&mut out, "WhisperSpec");
            out.extend_from_slice(&3u32.to_le_bytes());
            out.extend_from_slice(&u32::try_from(self.vars.len()).unwrap_or(0).to_le_bytes());
            for (name, shape, dtype, data) in &self.vars {
                string(&mut out, name);
                out.push(u8::try_from(shape.len()).unwrap_or(0));
                for d in shape {
                    out.extend_from_slice(&d.to_le_bytes());
                }
                out.push(*dtype);
                out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_le_bytes());
                out.extend_from_slice(data);
            }
            out.extend_from_slice(&u32::try_from(self.aliases.len()).unwrap_or(0).to_le_bytes());
            for (a, t) in &self.aliases {
                string(&mut out, a);
                string(&mut out, t);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::writer::Ct2Writer;
    use super::*;
    use std::io::Cursor;

    #[test]
    fn index_finds_variables_scalars_and_aliases() {
        let mut w = Ct2Writer::new();
        w.var("encoder/num_heads", &[], 2, 6i16.to_le_bytes().to_vec())
            .var("a/weight", &[2, 3], 4, vec![7u8; 12])
            .var("a/bias", &[3], 0, vec![1u8; 12])
            .alias("b/weight", "a/weight");
        let mut m = Ct2Model::index(Cursor::new(w.bytes())).unwrap();
        assert_eq!(m.spec, "WhisperSpec");
        assert_eq!(m.revision, 3);
        assert_eq!(m.vars.len(), 3);
        assert_eq!(m.info("a/weight").unwrap().shape, vec![2, 3]);
        assert_eq!(m.info("a/weight").unwrap().dtype, DType::F16);
        assert_eq!(m.read("a/weight").unwrap(), vec![7u8; 12]);
        assert_eq!(m.scalar("encoder/num_heads").unwrap(), 6);
        assert!(m.scalar("a/bias").is_err());
        assert_eq!(m.aliases["b/weight"], "a/weight");
    }

    #[test]
    fn damaged_files_are_refused() {
        let mut w = Ct2Writer::new();
        w.var("a", &[2], 4, vec![0u8; 4]);
        let good = w.bytes();
        assert!(Ct2Model::index(Cursor::new(good.clone())).is_ok());
        let truncated = good[..good.len() - 6].to_vec();
        assert!(Ct2Model::index(Cursor::new(truncated)).is_err());
        let mut bad_version = good.clone();
        bad_version[0] = 5;
        assert!(matches!(
            Ct2Model::index(Cursor::new(bad_version)),
            Err(Ct2Error::Version(5))
        ));
        let mut wrong_len = Ct2Writer::new();
        wrong_len.var("a", &[3], 4, vec![0u8; 4]);
        assert!(Ct2Model::index(Cursor::new(wrong_len.bytes())).is_err());
        let mut trailing = good;
        trailing.push(0);
        assert!(Ct2Model::index(Cursor::new(trailing)).is_err());
    }
}
