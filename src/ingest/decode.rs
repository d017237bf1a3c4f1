//! Bytes to text: byte-order marks, UTF-8, UTF-16 with or without a BOM, and Windows-1252 as
//! the fallback for everything else. The encoding that was found is reported so that `serge
//! docs` can show it.

use serde::Serialize;
use std::fmt;

/// The encoding a raw file was found to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8 without a byte-order mark (ASCII included).
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16 little-endian; `true` when a BOM announced it.
    Utf16Le(bool),
    /// UTF-16 big-endian; `true` when a BOM announced it.
    Utf16Be(bool),
    /// Anything else, read as Windows-1252 (a superset of printable Latin-1).
    Windows1252,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8 (bom)",
            Encoding::Utf16Le(true) => "utf-16le (bom)",
            Encoding::Utf16Le(false) => "utf-16le",
            Encoding::Utf16Be(true) => "utf-16be (bom)",
            Encoding::Utf16Be(false) => "utf-16be",
            Encoding::Windows1252 => "windows-1252",
        };
        f.write_str(name)
    }
}

/// Why bytes could not be decoded into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Nothing but whitespace.
    Empty,
    /// NUL bytes or other control bytes that text does not contain.
    Binary,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Empty => f.write_str("empty file (no text to index)"),
            DecodeError::Binary => f.write_str("binary file (not text in any known encoding)"),
        }
    }
}

/// Decodes raw bytes into text and says which encoding they were in.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), DecodeError> {
    let (text, encoding) = decode_any(bytes)?;
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    if looks_binary(&text) {
        return Err(DecodeError::Binary);
    }
    Ok((text, encoding))
}

fn decode_any(bytes: &[u8]) -> Result<(String, Encoding), DecodeError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = String::from_utf8_lossy(rest).into_owned();
        return Ok((text, Encoding::Utf8Bom));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok((utf16(rest, encoding_rs::UTF_16LE), Encoding::Utf16Le(true)));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok((utf16(rest, encoding_rs::UTF_16BE), Encoding::Utf16Be(true)));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if !text.contains('\0') {
            return Ok((text.to_owned(), Encoding::Utf8));
        }
    }
    if let Some(little_endian) = utf16_without_bom(bytes) {
        return Ok(if little_endian {
            (
                utf16(bytes, encoding_rs::UTF_16LE),
                Encoding::Utf16Le(false),
            )
        } else {
            (
                utf16(bytes, encoding_rs::UTF_16BE),
                Encoding::Utf16Be(false),
            )
        });
    }
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    Ok((text.into_owned(), Encoding::Windows1252))
}

fn utf16(bytes: &[u8], encoding: &'static encoding_rs::Encoding) -> String {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    text.into_owned()
}

/// UTF-16 text of a Latin-script language has a zero in the high byte of almost every code
/// unit: at odd offsets for little-endian, even offsets for big-endian. Returns
/// `Some(true)` for little-endian, `Some(false)` for big-endian.
fn utf16_without_bom(bytes: &[u8]) -> Option<bool> {
    if bytes.len() < 4 || bytes.len() % 2 != 0 {
        return None;
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let units = sample.len() / 2;
    let (mut zero_even, mut zero_odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        zero_even += usize::from(pair[0] == 0);
        zero_odd += usize::from(pair[1] == 0);
    }
    let mostly = |n: usize| n * 10 >= units * 4;
    let rarely = |n: usize| n * 20 <= units;
    if mostly(zero_odd) && rarely(zero_even) {
        Some(true)
    } else if mostly(zero_even) && rarely(zero_odd) {
        Some(false)
    } else {
        None
    }
}

/// Text has tabs and newlines but almost no other C0 controls; a file with many is binary.
fn looks_binary(text: &str) -> bool {
    let mut controls = 0usize;
    let mut total = 0usize;
    for c in text.chars().take(64 * 1024) {
        total += 1;
        if c == '\0'
            || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c') && (c as u32) < 0x20)
        {
            controls += 1;
        }
    }
    controls * 100 > total.max(1) * 2 || text.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { vec![] };
        for u in s.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    }

    fn utf16be(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFE, 0xFF] } else { vec![] };
        for u in s.encode_utf16() {
            out.extend_from_slice(&u.to_be_bytes());
        }
        out
    }

    const SAMPLE: &str = "Victor Serge’s “Memoirs” — Musée, São Paulo, Виктор Серж.\n";

    #[test]
    fn utf8_plain_and_bom() {
        assert_eq!(
            decode(SAMPLE.as_bytes()).unwrap(),
            (SAMPLE.to_string(), Encoding::Utf8)
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(SAMPLE.as_bytes());
        assert_eq!(
            decode(&bom).unwrap(),
            (SAMPLE.to_string(), Encoding::Utf8Bom)
        );
    }

    #[test]
    fn utf16_with_and_without_bom() {
        assert_eq!(
            decode(&utf16le(SAMPLE, true)).unwrap(),
            (SAMPLE.into(), Encoding::Utf16Le(true))
        );
        assert_eq!(
            decode(&utf16be(SAMPLE, true)).unwrap(),
            (SAMPLE.into(), Encoding::Utf16Be(true))
        );
        assert_eq!(
            decode(&utf16le(SAMPLE, false)).unwrap(),
            (SAMPLE.into(), Encoding::Utf16Le(false))
        );
        assert_eq!(
            decode(&utf16be(SAMPLE, false)).unwrap(),
            (SAMPLE.into(), Encoding::Utf16Be(false))
        );
    }

    #[test]
    fn windows_1252_fallback() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("Serge’s “château” – €100 café");
        let (text, enc) = decode(&bytes).unwrap();
        assert_eq!(text, "Serge’s “château” – €100 café");
        assert_eq!(enc, Encoding::Windows1252);
    }

    #[test]
    fn empty_and_binary_are_rejected() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b"  \n\n\t "), Err(DecodeError::Empty));
        assert_eq!(
            decode(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\xff\xfe\x00\x01"),
            Err(DecodeError::Binary)
        );
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert!(decode(&noise).is_err());
    }
}
