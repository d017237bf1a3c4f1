//! Inline markup: HTML tags (footnote markers such as `<sup>15</sup>` go with their content),
//! HTML entities, Markdown emphasis, links and footnote references, and footnote numbers left
//! behind by PDF conversion ("police.¹ Other", "police.1 Other").

use super::patterns::ENTITIES;
use super::Repairs;
use std::borrow::Cow;

/// Tags whose content goes with them.
const DROP_WITH_CONTENT: &[&str] = &["sup", "script", "style"];

/// Removes inline markup from one line. A line without markup (most lines) is returned as it
/// is, without a copy.
pub fn strip_inline<'a>(line: &'a str, repairs: &mut Repairs) -> Cow<'a, str> {
    let mut s = Cow::Borrowed(line);
    if s.contains('<') {
        s = Cow::Owned(strip_tags(&s, repairs));
    }
    if s.contains('[') {
        s = Cow::Owned(strip_links(&s, repairs));
    }
    if let Some(stripped) = strip_emphasis(&s) {
        s = Cow::Owned(stripped);
    }
    if s.contains('&') {
        s = Cow::Owned(decode_entities(&s, repairs));
    }
    if let Some(stripped) = strip_footnote_numbers(&s, repairs) {
        s = Cow::Owned(stripped);
    }
    s
}

fn strip_tags(line: &str, repairs: &mut Repairs) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_start = after.strip_prefix('/').unwrap_or(after);
        let is_tag = name_start
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '!');
        match (is_tag, after.find('>')) {
            (true, Some(close)) => {
                let name: String = name_start
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                rest = &after[close + 1..];
                let opening = !after.starts_with('/') && !after[..close].ends_with('/');
                if opening && DROP_WITH_CONTENT.contains(&name.as_str()) {
                    let end_tag = format!("</{name}>");
                    if let Some(end) = rest.to_ascii_lowercase().find(&end_tag) {
                        rest = &rest[end + end_tag.len()..];
                    }
                    repairs.add("footnote markers", 1);
                } else {
                    repairs.add("markup", 1);
                }
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `[text](url)` and `![alt](url)` become their text; `word[12]` loses its footnote reference.
fn strip_links(line: &str, repairs: &mut Repairs) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let (before, after) = (&rest[..open], &rest[open + 1..]);
        let Some(close) = after.find(']') else { break };
        let inner = &after[..close];
        let tail = &after[close + 1..];
        if let Some(url_tail) = tail.strip_prefix('(') {
            if let Some(url_end) = url_tail.find(')') {
                out.push_str(before.strip_suffix('!').unwrap_or(before));
                out.push_str(inner);
                rest = &url_tail[url_end + 1..];
                repairs.add("markup", 1);
                continue;
            }
        }
        let attached = before.chars().last().is_some_and(|c| !c.is_whitespace());
        if attached
            && !inner.is_empty()
            && inner.len() <= 3
            && inner.bytes().all(|b| b.is_ascii_digit())
        {
            out.push_str(before);
            rest = tail;
            repairs.add("footnote markers", 1);
            continue;
        }
        out.push_str(before);
        out.push('[');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Removes Markdown emphasis marks (`**`, `__`, `*`, `_`) that touch a word; a lone `*`
/// between spaces and `_` inside a word stay. `None` when there is nothing to remove.
fn strip_emphasis(line: &str) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    for i in memchr::memchr2_iter(b'*', b'_', line.as_bytes()) {
        // Both marks are ASCII, so `i` and `i + 1` are character boundaries.
        let prev = line[..i].chars().next_back();
        let next = line[i + 1..].chars().next();
        let word = |x: Option<char>| x.is_some_and(|x| x.is_alphanumeric());
        let space = |x: Option<char>| x.is_none_or(char::is_whitespace);
        let keep = if line.as_bytes()[i] == b'_' {
            word(prev) && word(next)
        } else {
            space(prev) && space(next)
        };
        if !keep {
            if out.is_empty() {
                out.reserve(line.len());
            }
            out.push_str(&line[copied..i]);
            copied = i + 1;
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&line[copied..]);
    Some(out)
}

/// Decodes named and numeric HTML entities; unknown ones stay as written.
pub fn decode_entities(line: &str, repairs: &mut Repairs) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e > 0 && e <= 10);
        let decoded = end.and_then(|e| entity(&after[..e]));
        match (decoded, end) {
            (Some(text), Some(e)) => {
                out.push_str(&text);
                rest = &after[e + 1..];
                repairs.add("entities", 1);
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        let c = char::from_u32(code).filter(|c| !c.is_control() || *c == '\n')?;
        return Some(c.to_string());
    }
    ENTITIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.to_string())
}

fn superscript_digit(c: char) -> bool {
    matches!(c, '¹' | '²' | '³' | '⁰' | '⁴'..='⁹')
}

/// Footnote numbers glued to the end of a sentence: superscripts after punctuation
/// ("police.¹"), and one or two plain digits between a lower-case word's full stop and the
/// capital that starts the next sentence ("police.1 Other"). `None` when the line has none.
fn strip_footnote_numbers(line: &str, repairs: &mut Repairs) -> Option<String> {
    // A quick pass over the bytes decides whether the line can hold a footnote number at all:
    // a digit after a full stop, or the UTF-8 of ¹ ² ³ (C2 B9, C2 B2, C2 B3) or of the block
    // holding ⁰ ⁴–⁹ (E2 81 xx). Most lines have none and are left alone.
    let bytes = line.as_bytes();
    let candidate = memchr::memchr3_iter(b'.', 0xC2, 0xE2, bytes).any(|i| {
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        match bytes[i] {
            b'.' => next.is_ascii_digit(),
            0xC2 => matches!(next, 0xB2 | 0xB3 | 0xB9),
            _ => next == 0x81,
        }
    });
    if !candidate {
        return None;
    }
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let after_punct = i >= 2
            && matches!(
                chars[i - 1],
                '.' | ',' | ';' | ':' | '!' | '?' | '’' | '”' | '"' | ')'
            )
            && chars[i - 2].is_alphabetic();
        if after_punct && superscript_digit(c) {
            let mut j = i;
            while j < chars.len() && superscript_digit(chars[j]) {
                j += 1;
            }
            if chars.get(j).is_none_or(|c| c.is_whitespace()) {
                repairs.add("footnote markers", 1);
                i = j;
                continue;
            }
        }
        if after_punct && chars[i - 1] == '.' && chars[i - 2].is_lowercase() && c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let next_upper =
                chars.get(j) == Some(&' ') && chars.get(j + 1).is_some_and(|c| c.is_uppercase());
            if j - i <= 2 && next_upper {
                repairs.add("footnote markers", 1);
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    (out != line).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> String {
        strip_inline(s, &mut Repairs::default()).into_owned()
    }

    #[test]
    fn html_tags_and_footnotes() {
        assert_eq!(
            strip("had hardened considerably.<sup>2</sup> Anarchists were <i>contemptuous</i>"),
            "had hardened considerably. Anarchists were contemptuous"
        );
        assert_eq!(strip("a <b>bold</b> <br/> move"), "a bold  move");
        assert_eq!(strip("if a < b and c > d"), "if a < b and c > d");
    }

    #[test]
    fn markdown_links_and_emphasis() {
        assert_eq!(strip("[Subscribe now](#)"), "Subscribe now");
        assert_eq!(
            strip("Milanovic: [The book of the dead](#): “Born"),
            "Milanovic: The book of the dead: “Born"
        );
        assert_eq!(
            strip("Serge’s *Notebooks* and **bold** and __under__"),
            "Serge’s Notebooks and bold and under"
        );
        assert_eq!(strip("- BOC** Bloque"), "- BOC Bloque");
        assert_eq!(strip("a * b and snake_case"), "a * b and snake_case");
        assert_eq!(
            strip("Memoirs of a Revolutionary[1] and [sic] [...]"),
            "Memoirs of a Revolutionary and [sic] [...]"
        );
    }

    #[test]
    fn entities() {
        assert_eq!(
            strip("Marx &amp; Engels &#8212; &#x2019; &eacute; &bogus; AT&T"),
            "Marx & Engels — ’ é &bogus; AT&T"
        );
    }

    #[test]
    fn footnote_numbers() {
        assert_eq!(
            strip("by the political police.¹ Other scholars"),
            "by the political police. Other scholars"
        );
        assert_eq!(
            strip("by the political police.1 Other scholars"),
            "by the political police. Other scholars"
        );
        assert_eq!(strip("the Russians.² They are"), "the Russians. They are");
        assert_eq!(strip("In 1917. 18 men"), "In 1917. 18 men");
        assert_eq!(strip("an area of 10 m² here"), "an area of 10 m² here");
        // Every superscript digit, including those of the U+2070 block.
        for d in ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'] {
            assert_eq!(
                strip(&format!("the Russians.{d}{d} They are")),
                "the Russians. They are",
                "{d}"
            );
        }
    }
}
