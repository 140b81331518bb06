//! NumPy `.npy` arrays (format versions 1–3), enough for Whisper's mel filterbank: little-endian
//! float32 (`<f4`) or float64 (`<f8`), C order, any shape. `.npz` files are zip archives of
//! `.npy` members; [`npz_member`] reads one.

use std::io::{Cursor, Read};

/// Why an array could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NpyError {
    #[error("not a .npy array (bad magic)")]
    Magic,
    #[error("truncated .npy array")]
    Truncated,
    #[error(".npy header: {0}")]
    Header(String),
    #[error(".npy dtype {0} is not supported (only <f4 and <f8)")]
    Dtype(String),
    #[error(".npy data is {got} bytes, the shape needs {want}")]
    Size { got: usize, want: usize },
    #[error(".npz: {0}")]
    Npz(String),
}

/// A float array as f32 values, C order.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// Parses a `.npy` file.
pub fn parse(bytes: &[u8]) -> Result<Array, NpyError> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(NpyError::Magic);
    }
    let major = bytes[6];
    let (header_len, start) = match major {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 => {
            let b = bytes.get(8..12).ok_or(NpyError::Truncated)?;
            let n = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            (usize::try_from(n).map_err(|_| NpyError::Truncated)?, 12)
        }
        v => return Err(NpyError::Header(format!("format version {v}"))),
    };
    let header = bytes
        .get(start..start + header_len)
        .ok_or(NpyError::Truncated)?;
    let header = std::str::from_utf8(header).map_err(|_| NpyError::Header("not UTF-8".into()))?;
    let descr = dict_value(header, "descr")?;
    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    if dict_value(header, "fortran_order")? != "False" {
        return Err(NpyError::Header("Fortran order is not supported".into()));
    }
    let shape = parse_shape(&dict_value(header, "shape")?)?;
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    let count = count.ok_or_else(|| NpyError::Header("shape overflows".into()))?;
    let data = &bytes[start + header_len..];
    let width = match descr {
        "<f4" => 4,
        "<f8" => 8,
        other => return Err(NpyError::Dtype(other.to_owned())),
    };
    let want = count.checked_mul(width).ok_or(NpyError::Truncated)?;
    if data.len() != want {
        return Err(NpyError::Size {
            got: data.len(),
            want,
        });
    }
    let values = if width == 4 {
        data.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    } else {
        data.chunks_exact(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                f64::from_le_bytes(b) as f32
            })
            .collect()
    };
    Ok(Array {
        shape,
        data: values,
    })
}

/// The text after `'key':` in a Python dict literal, up to the next top-level comma or `}`.
fn dict_value(header: &str, key: &str) -> Result<String, NpyError> {
    let quoted = [format!("'{key}'"), format!("\"{key}\"")];
    let at = quoted
        .iter()
        .find_map(|q| header.find(q.as_str()).map(|i| i + q.len()))
        .ok_or_else(|| NpyError::Header(format!("no {key}")))?;
    let rest = header[at..]
        .trim_start()
        .strip_prefix(':')
        .ok_or_else(|| NpyError::Header(format!("{key} has no value")))?;
    let mut depth = 0i32;
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' | '}' if depth == 0 => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    Ok(rest[..end].trim().to_owned())
}

fn parse_shape(text: &str) -> Result<Vec<usize>, NpyError> {
    let inner = text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| NpyError::Header(format!("shape {text}")))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| NpyError::Header(format!("shape {text}")))
        })
        .collect()
}

/// Reads the array `name` (without `.npy`) from an `.npz` archive held in memory.
pub fn npz_member(npz: &[u8], name: &str) -> Result<Array, NpyError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(npz)).map_err(|e| NpyError::Npz(e.to_string()))?;
    let mut entry = zip
        .by_name(&format!("{name}.npy"))
        .map_err(|e| NpyError::Npz(format!("{name}.npy: {e}")))?;
    let mut bytes = Vec::new();
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| NpyError::Npz(format!("{name}.npy: {e}")))?;
    parse(&bytes)
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::io::Write;

    /// A version-1 `.npy` of float32 values, as NumPy writes it (header padded to 64 bytes).
    pub(crate) fn npy_f32(shape: &[usize], values: &[f32]) -> Vec<u8> {
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        let shape_txt = if dims.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        let mut header =
            format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape_txt}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        for v in values {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    pub(crate) fn npz(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in members {
            w.start_file(
                format!("{name}.npy"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_numpy_style_file_parses() {
        let a = parse(&npy_f32(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, -6.5])).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(a.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, -6.5]);
        let v = parse(&npy_f32(&[1], &[0.25])).unwrap();
        assert_eq!(v.shape, vec![1]);
    }

    #[test]
    fn npz_members_are_found_by_name() {
        let z = npz(&[("mel_80", npy_f32(&[1, 2], &[0.5, 0.75]))]);
        assert_eq!(npz_member(&z, "mel_80").unwrap().data, vec![0.5, 0.75]);
        assert!(npz_member(&z, "mel_128").is_err());
    }

    #[test]
    fn damaged_arrays_are_refused() {
        let good = npy_f32(&[2, 2], &[1.0; 4]);
        assert_eq!(parse(&good[..5]), Err(NpyError::Magic));
        assert!(matches!(
            parse(&good[..good.len() - 1]),
            Err(NpyError::Size { .. })
        ));
        let swap = |from: &[u8], to: &[u8]| {
            let mut b = good.clone();
            let at = b.windows(from.len()).position(|w| w == from).unwrap();
            b[at..at + from.len()].copy_from_slice(to);
            b
        };
        assert!(matches!(
            parse(&swap(b"<f4", b"<i4")),
            Err(NpyError::Dtype(_))
        ));
        assert!(matches!(
            parse(&swap(b"False", b"True ")),
            Err(NpyError::Header(_))
        ));
    }
}
