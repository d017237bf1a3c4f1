//! Character-level normalisation: line endings, NFC, ligatures, invisible and control
//! characters, no-break spaces. Typographic quotes and dashes are kept as they are: folding
//! them is the search analyzer's job, not the displayed text's.

use super::Repairs;
use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// The expansion of a typographic ligature, if `c` is one.
fn ligature(c: char) -> Option<&'static str> {
    Some(match c {
        'ﬀ' => "ff",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        'ﬃ' => "ffi",
        'ﬄ' => "ffl",
        'ﬅ' | 'ﬆ' => "st",
        'Ĳ' => "IJ",
        'ĳ' => "ij",
        _ => return None,
    })
}

/// Characters that carry nothing a reader sees: soft hyphens, zero-width characters, BOMs,
/// bidirectional marks, and every control character but newline and tab.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    ) || (c.is_control() && c != '\n' && c != '\t')
}

/// Spaces other than U+0020 that should read as one.
fn odd_space(c: char) -> bool {
    matches!(
        c,
        '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Normalises characters: CRLF and CR become LF; NFC; ligatures expanded; invisible and
/// control characters dropped; unusual spaces become spaces. Counts what it changed.
pub fn normalize(text: &str, repairs: &mut Repairs) -> String {
    let nfc: String = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text.to_owned()
    } else {
        repairs.add("nfc", 1);
        text.nfc().collect()
    };
    if nfc.is_ascii()
        && !nfc
            .bytes()
            .any(|b| b == b'\r' || (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7F)
    {
        return nfc;
    }
    let mut out = String::with_capacity(nfc.len());
    let mut copied = 0;
    let mut chars = nfc.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let plain = c != '\r'
            && (c.is_ascii() && (c >= ' ' || c == '\n' || c == '\t') && c != '\x7f'
                || !(c as u32 == 0x7f || ligature(c).is_some() || invisible(c) || odd_space(c)));
        if plain {
            continue;
        }
        out.push_str(&nfc[copied..i]);
        copied = i + c.len_utf8();
        if c == '\r' {
            if chars.peek().is_some_and(|&(_, n)| n == '\n') {
                let (j, n) = chars.next().expect("peeked");
                copied = j + n.len_utf8();
            }
            out.push('\n');
        } else if let Some(expansion) = ligature(c) {
            repairs.add("ligatures", 1);
            out.push_str(expansion);
        } else if invisible(c) {
            repairs.add("invisible characters", 1);
        } else if odd_space(c) {
            out.push(' ');
        }
    }
    out.push_str(&nfc[copied..]);
    out
}

/// Collapses runs of spaces and tabs into one space and trims the ends.
pub fn collapse_spaces(line: Cow<'_, str>) -> String {
    let tidy = !line.contains("  ")
        && !line.contains('\t')
        && !line.starts_with(' ')
        && !line.ends_with(' ');
    if tidy {
        return line.into_owned();
    }
    let mut out = String::with_capacity(line.len());
    for word in line.split([' ', '\t']).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize(s, &mut Repairs::default())
    }

    #[test]
    fn line_endings() {
        assert_eq!(norm("a\r\nb\rc\n"), "a\nb\nc\n");
    }

    #[test]
    fn nfc_and_ligatures() {
        assert_eq!(norm("Muse\u{301}e"), "Musée");
        assert_eq!(norm("ﬁnal ﬂow eﬃcient"), "final flow efficient");
    }

    #[test]
    fn invisible_and_spaces() {
        assert_eq!(norm("so\u{AD}cial\u{200B}ism\u{FEFF}\u{7}"), "socialism");
        assert_eq!(norm("a\u{A0}b"), "a b");
        assert_eq!(collapse_spaces("  a \t  b  ".into()), "a b");
    }

    #[test]
    fn typography_is_kept() {
        let s = "Serge’s “Notebooks” — 1917–18 ‑ …";
        assert_eq!(norm(s), s);
    }
}
