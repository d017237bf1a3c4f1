//! Text output: a header line per hit, then the context before (dimmed), the passage with its
//! matches highlighted, and the context after; wrapped to the terminal width.

use super::Style;
use crate::query::Hit;
use std::io::Write;

pub(crate) const BOLD_RED: &str = "\x1b[1;31m";
pub(crate) const DIM: &str = "\x1b[2m";
pub(crate) const GREEN: &str = "\x1b[32m";
pub(crate) const MAGENTA: &str = "\x1b[35m";
pub(crate) const RESET: &str = "\x1b[0m";

/// Writes one hit.
pub fn write_hit(out: &mut impl Write, hit: &Hit, style: Style) -> std::io::Result<()> {
    let paint = |code: &str, s: &str| {
        if style.color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_owned()
        }
    };
    let mut header = format!("{}. {}", hit.rank, paint(GREEN, &hit.title));
    if let Some(a) = &hit.author {
        header.push_str(&format!(" — {a}"));
    }
    if let Some(y) = hit.year {
        header.push_str(&format!(" ({y})"));
    }
    if let Some(s) = &hit.section {
        header.push_str(&format!(" › {s}"));
    }
    header.push_str(&format!(
        " [{} ¶{}] {:.2}",
        paint(MAGENTA, &hit.doc),
        hit.paragraph,
        hit.score
    ));
    writeln!(out, "{header}")?;
    for b in &hit.before {
        write_block(out, b, &[], style, true)?;
    }
    write_block(out, &hit.text, &hit.highlights, style, false)?;
    for a in &hit.after {
        write_block(out, a, &[], style, true)?;
    }
    if let Some(shared) = &hit.shared {
        writeln!(out, "    shared: {}", shared.join(", "))?;
    }
    writeln!(out)
}

/// Writes a passage, paragraph by paragraph, wrapped, with highlights and dimming.
fn write_block(
    out: &mut impl Write,
    text: &str,
    highlights: &[(usize, usize)],
    style: Style,
    dim: bool,
) -> std::io::Result<()> {
    let mut offset = 0;
    for para in text.split("\n\n") {
        let start = offset;
        offset += para.len() + 2;
        let lines = wrap(para, style.width.map(|w| w.saturating_sub(4).max(20)));
        for (line_start, line_end) in lines {
            let abs = (start + line_start, start + line_end);
            // The hit's own lines are marked, so that it stands out from its context even
            // without colour.
            let mut rendered = String::from(if dim { "    " } else { "  > " });
            if dim && style.color {
                rendered.push_str(DIM);
            }
            let mut pos = abs.0;
            for &(a, b) in highlights {
                let (a, b) = (a.max(abs.0), b.min(abs.1));
                if a >= b {
                    continue;
                }
                rendered.push_str(&text[pos..a]);
                if style.color {
                    rendered.push_str(BOLD_RED);
                    rendered.push_str(&text[a..b]);
                    rendered.push_str(RESET);
                } else {
                    rendered.push_str(&text[a..b]);
                }
                pos = b;
            }
            rendered.push_str(&text[pos..abs.1]);
            if dim && style.color {
                rendered.push_str(RESET);
            }
            writeln!(out, "{rendered}")?;
        }
    }
    Ok(())
}

/// Splits a paragraph into line ranges of at most `width` characters, at spaces.
pub fn wrap(text: &str, width: Option<usize>) -> Vec<(usize, usize)> {
    let Some(width) = width else {
        return vec![(0, text.len())];
    };
    let mut lines = Vec::new();
    let mut start = 0;
    let mut last_space: Option<usize> = None;
    let mut count = 0;
    for (i, c) in text.char_indices() {
        if c == ' ' {
            last_space = Some(i);
        }
        count += 1;
        if count > width {
            if let Some(sp) = last_space.filter(|&s| s > start) {
                lines.push((start, sp));
                start = sp + 1;
                count = text[start..i + c.len_utf8()].chars().count();
                last_space = None;
            }
        }
    }
    lines.push((start, text.len()));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces() {
        let text = "the old muck rises to the surface";
        let lines: Vec<&str> = wrap(text, Some(10))
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(lines, ["the old", "muck rises", "to the", "surface"]);
        assert_eq!(wrap(text, None), vec![(0, text.len())]);
    }

    /// Found by the `query` fuzz target: a line break just before a multi-byte character.
    #[test]
    fn wraps_before_multibyte_characters() {
        let text = "a 1917– 18 x";
        for width in 1..14 {
            for (a, b) in wrap(text, Some(width)) {
                assert!(text.is_char_boundary(a) && text.is_char_boundary(b));
            }
        }
        let text = "Serge and Trotsky in 1917–18, Memoirs of a Revolutionary 1901–41";
        for width in 1..70 {
            let lines = wrap(text, Some(width));
            let joined: Vec<&str> = lines.iter().map(|&(a, b)| &text[a..b]).collect();
            assert_eq!(joined.join(" "), text);
        }
    }

    #[test]
    fn highlights_in_colour_only_when_asked() {
        let hit = Hit {
            rank: 1,
            score: 1.5,
            doc: "000_x".into(),
            title: "T".into(),
            author: Some("A".into()),
            year: Some(2021),
            section: None,
            paragraph: 3,
            text: "the old muck".into(),
            highlights: vec![(4, 12)],
            before: vec!["prev".into()],
            after: vec![],
            shared: None,
        };
        let mut plain = Vec::new();
        write_hit(
            &mut plain,
            &hit,
            Style {
                color: false,
                width: None,
            },
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "1. T — A (2021) [000_x ¶3] 1.50\n    prev\n  > the old muck\n\n"
        );
        let mut color = Vec::new();
        write_hit(
            &mut color,
            &hit,
            Style {
                color: true,
                width: None,
            },
        )
        .unwrap();
        assert!(String::from_utf8(color)
            .unwrap()
            .contains("\x1b[1;31mold muck\x1b[0m"));
    }
}
