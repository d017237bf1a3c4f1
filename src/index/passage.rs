//! Passages: the unit of search. A heading is not a passage but the section of the passages
//! under it; runs of short paragraphs are grouped into passages of a readable size; a paragraph
//! longer than [`MAX_CHARS`] is cut into windows at sentence boundaries (word boundaries when a
//! sentence is too long, character boundaries when a word is).

use crate::ingest::Paragraph;

/// Short paragraphs are grouped until a passage holds at least this many characters.
pub const MIN_CHARS: usize = 400;
/// No passage is longer than this many characters (bytes, for speed).
pub const MAX_CHARS: usize = 1500;

/// One passage of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Position of the passage in its document, from 0.
    pub ord: u64,
    /// Number of the first paragraph it holds, from 1, counting every paragraph of the cleaned
    /// document (headings included).
    pub paragraph: u64,
    /// The heading it stands under, if any.
    pub section: Option<String>,
    /// The text; paragraphs are separated by a blank line.
    pub text: String,
}

/// Cuts a document's paragraphs into passages.
pub fn passages(paragraphs: &[Paragraph]) -> Vec<Passage> {
    let mut out: Vec<Passage> = Vec::new();
    let mut section: Option<String> = None;
    let mut open: Option<Passage> = None;
    let flush = |open: &mut Option<Passage>, out: &mut Vec<Passage>| {
        if let Some(mut p) = open.take() {
            p.ord = out.len() as u64;
            out.push(p);
        }
    };
    for (i, para) in paragraphs.iter().enumerate() {
        let number = i as u64 + 1;
        if para.heading.is_some() {
            // A fragment too short to read on its own (front matter, a caption) runs on into
            // the next section rather than standing alone.
            if open.as_ref().is_some_and(|p| p.text.len() >= MIN_CHARS / 2) {
                flush(&mut open, &mut out);
            }
            section = Some(para.text.clone());
            continue;
        }
        if para.text.len() > MAX_CHARS {
            flush(&mut open, &mut out);
            for window in windows(&para.text, MAX_CHARS) {
                open = Some(Passage {
                    ord: 0,
                    paragraph: number,
                    section: section.clone(),
                    text: window.to_owned(),
                });
                flush(&mut open, &mut out);
            }
            continue;
        }
        match &mut open {
            Some(p)
                if p.text.len() < MIN_CHARS && p.text.len() + 2 + para.text.len() <= MAX_CHARS =>
            {
                p.text.push_str("\n\n");
                p.text.push_str(&para.text);
            }
            _ => {
                flush(&mut open, &mut out);
                open = Some(Passage {
                    ord: 0,
                    paragraph: number,
                    section: section.clone(),
                    text: para.text.clone(),
                });
            }
        }
    }
    flush(&mut open, &mut out);
    out
}

/// Cuts text into windows of at most `max` bytes at sentence ends, else at spaces, else at
/// character boundaries.
pub fn windows(text: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while rest.len() > max {
        let cut = best_cut(rest, max);
        out.push(rest[..cut].trim_end());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn best_cut(text: &str, max: usize) -> usize {
    let mut limit = max;
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let head = &text[..limit];
    let sentence = head
        .char_indices()
        .rev()
        .filter(|&(i, c)| {
            matches!(c, '.' | '!' | '?' | '…') && head[i + c.len_utf8()..].starts_with(' ')
        })
        .map(|(i, c)| i + c.len_utf8())
        .find(|&i| i >= max / 3);
    let word = head.rfind(' ').filter(|&i| i > 0);
    let cut = sentence.or(word).unwrap_or(limit);
    if cut == 0 {
        text.chars().next().map_or(text.len(), char::len_utf8)
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(s: &str) -> Paragraph {
        Paragraph {
            text: s.into(),
            heading: None,
        }
    }
    fn heading(s: &str) -> Paragraph {
        Paragraph {
            text: s.into(),
            heading: Some(2),
        }
    }

    #[test]
    fn headings_become_sections_and_short_paragraphs_group() {
        let long = "A sentence of some length that says a thing. ".repeat(10);
        let ps = passages(&[
            heading("Prewar Anarchism"),
            body("Leon Trotsky"),
            body(&long),
            heading("War"),
            body(&long),
        ]);
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].section.as_deref(), Some("Prewar Anarchism"));
        assert!(ps[0].text.starts_with("Leon Trotsky\n\nA sentence"));
        assert_eq!((ps[0].paragraph, ps[0].ord), (2, 0));
        assert_eq!(
            (ps[1].paragraph, ps[1].ord, ps[1].section.as_deref()),
            (5, 1, Some("War"))
        );
    }

    #[test]
    fn long_paragraphs_are_windowed_at_sentences() {
        let long = "Serge wrote this sentence in prison. ".repeat(100);
        let ps = passages(&[body(&long)]);
        assert!(ps.len() >= 3);
        for p in &ps {
            assert!(p.text.len() <= MAX_CHARS);
            assert!(p.text.ends_with('.'), "{}", &p.text[p.text.len() - 20..]);
            assert_eq!(p.paragraph, 1);
        }
        let joined: Vec<&str> = ps.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(joined.join(" "), long.trim());
    }

    #[test]
    fn huge_words_and_multibyte_text_do_not_break() {
        let huge = "é".repeat(5000);
        let ws = windows(&huge, MAX_CHARS);
        assert!(ws.iter().all(|w| w.len() <= MAX_CHARS && !w.is_empty()));
        assert_eq!(ws.concat(), huge);
        let words = "mot ".repeat(1000);
        assert!(windows(&words, MAX_CHARS)
            .iter()
            .all(|w| w.len() <= MAX_CHARS));
    }
}
