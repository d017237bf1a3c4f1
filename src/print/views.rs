//! Text output of the research views: concordance lines, facets, the timeline's bars and the
//! groups of shared quotations.

use super::text::{BOLD_RED, DIM, GREEN, MAGENTA, RESET};
use super::Style;
use crate::query::quotes::Group;
use crate::query::{Bucket, Facets, Occurrence};
use std::io::Write;

fn paint(style: Style, code: &str, s: &str) -> String {
    if style.color {
        format!("{code}{s}{RESET}")
    } else {
        s.to_owned()
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Writes concordance lines: the left context right-aligned in a column of `width`
/// characters, the match, the right context, then the document and year. On a terminal the
/// right context is cut so that each line fits.
pub fn write_kwic(
    out: &mut impl Write,
    lines: &[Occurrence],
    width: usize,
    style: Style,
) -> std::io::Result<()> {
    for o in lines {
        let suffix = format!(
            "  {} {}",
            o.doc,
            o.year.map_or("n.d.".to_owned(), |y| y.to_string())
        );
        let left_pad = width.saturating_sub(chars(&o.left));
        let mut right: String = o.right.clone();
        let mut right_pad = width.saturating_sub(chars(&right));
        if let Some(term) = style.width {
            let fixed = width + chars(&o.matched) + chars(&suffix);
            let room = term.saturating_sub(fixed);
            if chars(&right) > room {
                right = right.chars().take(room).collect();
            }
            right_pad = room.min(width).saturating_sub(chars(&right));
        }
        writeln!(
            out,
            "{}{}{}{}{}{}",
            " ".repeat(left_pad),
            o.left,
            paint(style, BOLD_RED, &o.matched),
            right,
            " ".repeat(right_pad),
            paint(style, MAGENTA, &suffix)
        )?;
    }
    Ok(())
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Writes the facets block that ends `search --facets`.
pub fn write_facets(out: &mut impl Write, f: &Facets, style: Style) -> std::io::Result<()> {
    writeln!(
        out,
        "{}",
        paint(
            style,
            GREEN,
            &format!(
                "facets: {} in {}",
                plural(f.hits, "passage", "passages"),
                plural(f.documents, "document", "documents")
            )
        )
    )?;
    let label_width = f
        .authors
        .iter()
        .chain(f.years.iter())
        .map(|b| chars(&b.label))
        .max()
        .unwrap_or(0)
        .max(4);
    let row = |out: &mut dyn Write, kind: &str, b: &Bucket| -> std::io::Result<()> {
        writeln!(
            out,
            "  {kind:<7}{}{}  {}, {}",
            b.label,
            " ".repeat(label_width - chars(&b.label)),
            plural(b.hits, "passage", "passages"),
            plural(b.documents, "document", "documents")
        )
    };
    for (i, b) in f.authors.iter().enumerate() {
        row(out, if i == 0 { "author" } else { "" }, b)?;
    }
    let mut first = true;
    for b in f.years.iter().filter(|b| b.hits > 0) {
        row(out, if first { &f.by } else { "" }, b)?;
        first = false;
    }
    if f.undated.hits > 0 {
        row(out, if first { &f.by } else { "" }, &f.undated)?;
    }
    Ok(())
}

/// Eighths of a block, for bars drawn to a fraction of a character.
const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// A bar of `value / max` of `width` characters, in full blocks and eighths.
pub fn bar(value: u64, max: u64, width: usize) -> String {
    if max == 0 || value == 0 {
        return String::new();
    }
    let eighths = ((value as f64 / max as f64) * (width * 8) as f64).round() as usize;
    let eighths = eighths.max(1);
    let mut s = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        s.push(EIGHTHS[eighths % 8]);
    }
    s
}

/// Writes a histogram, one bar per bucket, scaled to `total_width` columns.
pub fn write_bars(
    out: &mut impl Write,
    buckets: &[Bucket],
    total_width: usize,
    style: Style,
) -> std::io::Result<()> {
    let label_width = buckets.iter().map(|b| chars(&b.label)).max().unwrap_or(0);
    let max = buckets.iter().map(|b| b.hits).max().unwrap_or(0);
    let count_width = max.to_string().len();
    let bar_width = total_width
        .saturating_sub(label_width + count_width + 4)
        .max(10);
    for b in buckets {
        let drawn = bar(b.hits, max, bar_width);
        writeln!(
            out,
            "{}{} │{}{} {:>count_width$}",
            b.label,
            " ".repeat(label_width - chars(&b.label)),
            paint(style, GREEN, &drawn),
            " ".repeat(bar_width - chars(&drawn)),
            b.hits
        )?;
    }
    Ok(())
}

/// Writes the groups of shared quotations.
pub fn write_quotes(out: &mut impl Write, groups: &[Group], style: Style) -> std::io::Result<()> {
    for (i, g) in groups.iter().enumerate() {
        writeln!(
            out,
            "{}. “{}” — {} words, {} documents",
            i + 1,
            paint(style, BOLD_RED, &g.wording),
            g.words,
            g.documents
        )?;
        for c in &g.copies {
            writeln!(
                out,
                "   [{} ¶{}] {} ({})",
                paint(style, MAGENTA, &c.doc),
                c.paragraph,
                c.title,
                c.year.map_or("n.d.".to_owned(), |y| y.to_string())
            )?;
            let mut line = String::from("       ");
            line.push_str(&paint(style, DIM, &c.before));
            line.push_str(&paint(style, BOLD_RED, &c.text));
            line.push_str(&paint(style, DIM, &c.after));
            writeln!(out, "{line}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_width() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 32, 4), "▏");
        assert_eq!(bar(1, 16, 4), "▎");
        assert_eq!(bar(0, 10, 4), "");
        assert_eq!(bar(3, 0, 4), "");
    }
}
