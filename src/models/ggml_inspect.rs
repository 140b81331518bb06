//! Reads a whisper.cpp ggml file's structure back (header, mel filterbank size, tokens, tensor
//! names, shapes and types) without loading tensor data: a structural check of what
//! [`super::ggml::convert`] wrote, used by the tests and available to diagnostics.

use std::io::{self, BufReader, Read, Seek, SeekFrom};

use super::ggml::Hparams;

/// One tensor record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    pub name: String,
    /// Innermost first, as stored.
    pub dims: Vec<i32>,
    /// 0 f32, 1 f16.
    pub ftype: i32,
    /// Where the data starts in the file, and its length.
    pub offset: u64,
    pub len: usize,
}

/// A ggml file's structure.
#[derive(Debug, Clone, PartialEq)]
pub struct GgmlInfo {
    pub hparams: Hparams,
    pub mel: (i32, i32),
    /// The first row of the mel filterbank.
    pub mel_row0: Vec<f32>,
    pub tokens: Vec<Vec<u8>>,
    pub tensors: Vec<TensorInfo>,
}

fn i32_of(r: &mut impl Read) -> io::Result<i32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(i32::from_le_bytes(b))
}

fn bad(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

fn count(v: i32, what: &str) -> io::Result<usize> {
    usize::try_from(v).map_err(|_| bad(format!("{what} = {v}")))
}

/// Reads the structure of a ggml Whisper file; fails on anything malformed or trailing.
pub fn inspect(file: impl Read + Seek) -> io::Result<GgmlInfo> {
    let mut r = BufReader::new(file);
    if i32_of(&mut r)? != 0x6767_6d6c {
        return Err(bad("not a ggml file (magic)".into()));
    }
    let mut h = [0i32; 11];
    for v in &mut h {
        *v = i32_of(&mut r)?;
    }
    let hparams = Hparams {
        n_vocab: h[0],
        n_audio_ctx: h[1],
        n_audio_state: h[2],
        n_audio_head: h[3],
        n_audio_layer: h[4],
        n_text_ctx: h[5],
        n_text_state: h[6],
        n_text_head: h[7],
        n_text_layer: h[8],
        n_mels: h[9],
        ftype: h[10],
    };
    let mel = (i32_of(&mut r)?, i32_of(&mut r)?);
    let mut mel_row0 = Vec::new();
    let n_fft = count(mel.1, "n_fft")?;
    for _ in 0..n_fft {
        let mut b = [0u8; 4];
        r.read_exact(&mut b)?;
        mel_row0.push(f32::from_le_bytes(b));
    }
    let rest = count(mel.0, "n_mel")?.saturating_sub(1) * n_fft * 4;
    r.seek_relative(i64::try_from(rest).map_err(|_| bad("mel size".into()))?)?;
    let n_tokens = count(i32_of(&mut r)?, "token count")?;
    let mut tokens = Vec::with_capacity(n_tokens.min(1 << 20));
    for _ in 0..n_tokens {
        let len = count(i32_of(&mut r)?, "token length")?;
        let mut t = vec![0u8; len.min(1 << 16)];
        r.read_exact(&mut t)?;
        tokens.push(t);
    }
    let mut tensors = Vec::new();
    loop {
        let mut first = [0u8; 4];
        match r.read(&mut first)? {
            0 => break,
            4 => {}
            n => r.read_exact(&mut first[n..])?,
        }
        let n_dims = count(i32::from_le_bytes(first), "n_dims")?;
        let name_len = count(i32_of(&mut r)?, "name length")?;
        let ftype = i32_of(&mut r)?;
        if n_dims > 4 || name_len > 256 || !(0..=1).contains(&ftype) {
            return Err(bad(format!("tensor record {n_dims}/{name_len}/{ftype}")));
        }
        let dims = (0..n_dims)
            .map(|_| i32_of(&mut r))
            .collect::<io::Result<Vec<_>>>()?;
        let mut name = vec![0u8; name_len];
        r.read_exact(&mut name)?;
        let elements = dims
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(count(d, "dim").ok()?));
        let bytes = elements
            .and_then(|e| e.checked_mul(if ftype == 0 { 4 } else { 2 }))
            .ok_or_else(|| bad("tensor size".into()))?;
        let pos = r.stream_position()?;
        let end = r.seek(SeekFrom::End(0))?;
        if pos + bytes as u64 > end {
            return Err(bad("tensor data past the end".into()));
        }
        r.seek(SeekFrom::Start(pos + bytes as u64))?;
        tensors.push(TensorInfo {
            name: String::from_utf8_lossy(&name).into_owned(),
            dims,
            ftype,
            offset: pos,
            len: bytes,
        });
    }
    Ok(GgmlInfo {
        hparams,
        mel,
        mel_row0,
        tokens,
        tensors,
    })
}
