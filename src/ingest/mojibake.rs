//! Mojibake repair: text that was UTF-8, decoded as Windows-1252 or Latin-1 and saved again
//! ("Leninâ€™s" for "Lenin’s"), once or twice over, anywhere in a file.
//!
//! The repair works sequence by sequence. A UTF-8 lead byte (0xC2–0xF4) read as Windows-1252
//! becomes one of `Â`…`ô`; its continuation bytes (0x80–0xBF) become `€`, `’`, `™`, `©`…
//! or a C1 control. Wherever such a run appears, the bytes it stands for are decoded as UTF-8,
//! and the result replaces the run only when it is valid and makes the text less "bad"
//! (see [`badness`]): correct text such as "Ångström", "SÃO PAULO", "âme", "€100" or
//! "“CAFÉ”" contains no such run, or one whose decoding is worse than what is there.

use std::borrow::Cow;

/// The Windows-1252 byte a character stands for, when that byte is 0x80–0xFF.
/// C1 controls map to themselves (Latin-1), so text decoded either way is covered.
pub fn to_1252_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if (0x80..=0xFF).contains(&code) {
        return Some(code as u8);
    }
    let byte = match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(byte)
}

fn continuation(c: char) -> Option<u8> {
    to_1252_byte(c).filter(|b| (0x80..=0xBF).contains(b))
}

/// How many continuation bytes a lead byte announces (0 when it is not a lead byte).
fn continuations_after(lead: u8) -> usize {
    match lead {
        0xC2..=0xDF => 1,
        0xE0..=0xEF => 2,
        0xF0..=0xF4 => 3,
        _ => 0,
    }
}

/// A measure of how unlikely a piece of text is as something a person wrote: pairs of an
/// accented capital or `â`-like letter followed by a Windows-1252 symbol, C1 controls,
/// replacement characters, and letters from blocks that mojibake produces (IPA, NKo…).
pub fn badness(text: &str) -> usize {
    let mut score = 0;
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let code = c as u32;
        if (0x80..=0x9F).contains(&code) || c == '\u{FFFD}' {
            score += 2;
        }
        if (0x0250..=0x02AF).contains(&code)
            || (0x07C0..=0x07FF).contains(&code)
            || (0x0590..=0x05CF).contains(&code)
        {
            score += 1;
        }
        if let Some(p) = prev {
            let p_lead = to_1252_byte(p).is_some_and(|b| continuations_after(b) > 0);
            if p_lead && continuation(c).is_some() {
                score += 1;
            }
        }
        prev = Some(c);
    }
    score
}

/// Whether a decoded character is plausible where it stands, given the lead byte it came from
/// and the characters around the mojibake run in the original text.
fn plausible(decoded: char, lead: u8, before: Option<char>, after: Option<char>) -> bool {
    let code = decoded as u32;
    // A C1 control from `Â` + continuation is a byte of an inner layer of mojibake (text
    // damaged twice over): decoding it lets the next layer's repair see the whole sequence.
    if lead == 0xC2 && (0x80..=0x9F).contains(&code) {
        return true;
    }
    if decoded.is_control() || decoded == '\u{FFFD}' || (0xE000..=0xF8FF).contains(&code) {
        return false;
    }
    match lead {
        0xC2 | 0xC3 => true,
        0xC4..=0xDF => {
            let script_letter = decoded.is_alphabetic()
                && matches!(code, 0x0100..=0x024F | 0x0370..=0x03FF | 0x0400..=0x052F | 0x05D0..=0x05EA | 0x0620..=0x064A);
            let in_word =
                before.is_some_and(char::is_alphabetic) || after.is_some_and(char::is_alphabetic);
            script_letter && in_word
        }
        _ => !matches!(code, 0x0300..=0x036F | 0xFDD0..=0xFDEF | 0xFFFE..=0xFFFF),
    }
}

/// Quick test: does the text contain a character from `Â` to `ô` (as UTF-8, 0xC3 0x82–0xB4)
/// followed by one that can stand for a continuation byte? Those start with 0xC2
/// (U+0080–U+00BF), 0xC5/0xC6/0xCB (Œ, ƒ, ˆ…) or 0xE2 (€, ’, ™…) in UTF-8.
fn has_candidate(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| {
        w[0] == 0xC3
            && (0x82..=0xB4).contains(&w[1])
            && matches!(w[2], 0xC2 | 0xC5 | 0xC6 | 0xCB | 0xE2)
    })
}

/// Repairs mojibake, up to three layers deep. Returns the text (borrowed when nothing changed)
/// and the number of sequences repaired.
pub fn repair(text: &str) -> (Cow<'_, str>, usize) {
    let mut current = Cow::Borrowed(text);
    let mut total = 0;
    for _ in 0..3 {
        match repair_pass(&current) {
            Some((fixed, n)) => {
                total += n;
                current = Cow::Owned(fixed);
            }
            None => break,
        }
    }
    (current, total)
}

/// One layer of repair; `None` when nothing was changed.
fn repair_pass(text: &str) -> Option<(String, usize)> {
    if !has_candidate(text.as_bytes()) {
        return None;
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut fixes = 0;
    let mut prev: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        let lead = match to_1252_byte(c) {
            Some(b) if continuations_after(b) > 0 && ('\u{C2}'..='\u{F4}').contains(&c) => b,
            _ => {
                prev = Some(c);
                continue;
            }
        };
        if let Some((decoded, end)) = decode_sequence(text, start, lead, prev) {
            out.push_str(&text[copied..start]);
            out.push(decoded);
            copied = end;
            fixes += 1;
            while iter.peek().is_some_and(|&(i, _)| i < end) {
                iter.next();
            }
            prev = Some(decoded);
        } else {
            prev = Some(c);
        }
    }
    if fixes == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, fixes))
}

/// Tries to read the run starting at byte `start` (a lead character) as one UTF-8 character.
/// Returns the character and the byte offset where the run ends.
fn decode_sequence(
    text: &str,
    start: usize,
    lead: u8,
    before: Option<char>,
) -> Option<(char, usize)> {
    let need = continuations_after(lead);
    let mut buf = [lead, 0, 0, 0];
    let mut chars = text[start..].char_indices().skip(1);
    let mut end = start + text[start..].chars().next()?.len_utf8();
    for slot in buf.iter_mut().skip(1).take(need) {
        match chars.next() {
            Some((offset, c)) => match continuation(c) {
                Some(b) => {
                    *slot = b;
                    end = start + offset + c.len_utf8();
                }
                None => return lost_quote(text, start, lead, &buf, end),
            },
            None => return lost_quote(text, start, lead, &buf, end),
        }
    }
    let decoded = std::str::from_utf8(&buf[..=need]).ok()?.chars().next()?;
    let after = text[end..].chars().next();
    if !plausible(decoded, lead, before, after) {
        return None;
    }
    if badness(&text[start..end]) <= badness(decoded.encode_utf8(&mut [0; 4])) {
        return None;
    }
    Some((decoded, end))
}

/// `”` is E2 80 9D in UTF-8, and 0x9D has no Windows-1252 character, so many converters dropped
/// it: "â€" followed by anything that is not a continuation stands for a closing quote.
fn lost_quote(
    _text: &str,
    _start: usize,
    lead: u8,
    buf: &[u8; 4],
    end: usize,
) -> Option<(char, usize)> {
    (lead == 0xE2 && buf[1] == 0x80 && buf[2] == 0).then_some(('”', end))
}

/// Damages clean text the way a wrong decoder does: its UTF-8 bytes read as Windows-1252
/// (bytes with no Windows-1252 character become C1 controls, as Latin-1 reads them). Used by
/// tests, benchmarks and the scale-corpus generator.
pub fn damage(clean: &str) -> String {
    clean
        .bytes()
        .map(|b| match b {
            0x00..=0x7F => char::from(b),
            0x81 | 0x8D | 0x8F | 0x90 | 0x9D => char::from(b),
            _ => {
                let pair = [b];
                let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&pair);
                s.chars().next().unwrap_or(char::from(b))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn break_once(clean: &str) -> String {
        damage(clean)
    }

    #[test]
    fn repairs_single_layer() {
        for clean in [
            "Lenin’s “State and Revolution” — 1917–18",
            "café, São Paulo, Ångström, naïve, Łódź, Dvořák",
            "Виктор Серж and Ελλάδα",
            "€100 and Trademark™ and ½ and ©",
            "emoji 🙂 survives",
        ] {
            let broken = break_once(clean);
            assert_ne!(broken, clean);
            assert_eq!(repair(&broken).0, clean, "from {broken:?}");
        }
    }

    #[test]
    fn repairs_double_layer() {
        let clean = "Lenin’s collaborators — 1925–26 — Musée";
        let twice = break_once(&break_once(clean));
        assert_eq!(repair(&twice).0, clean);
    }

    #[test]
    fn repairs_mixed_lines() {
        let text = format!(
            "Lenin’s death.\n{}\nStalin’s rise.",
            break_once("Trotsky’s exile.")
        );
        assert_eq!(
            repair(&text).0,
            "Lenin’s death.\nTrotsky’s exile.\nStalin’s rise."
        );
    }

    #[test]
    fn repairs_dropped_9d() {
        assert_eq!(
            repair("he said â€œnoâ€ and left").0,
            "he said “no” and left"
        );
    }

    #[test]
    fn correct_text_is_unchanged() {
        for text in [
            "Ångström",
            "São Paulo",
            "SÃO PAULO",
            "âme",
            "château",
            "Â",
            "€100",
            "Trademark™",
            "Виктор Серж",
            "Ελλάδα",
            "“CAFÉ”",
            "“Ä”",
            "Fußball»",
            "à la carte, déjà vu, Noël",
            "ÂGE D’OR",
            "Ça va? Où? — très bien…",
            "plain ascii",
        ] {
            let (fixed, n) = repair(text);
            assert_eq!(fixed, text);
            assert_eq!(n, 0, "{text}");
        }
    }

    #[test]
    fn badness_prefers_clean_text() {
        assert!(badness("Leninâ€™s") > badness("Lenin’s"));
        assert_eq!(badness("Lenin’s café"), 0);
    }
}
