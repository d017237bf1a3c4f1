//! From normalised text to paragraphs: lines are classified (heading, list item, rule, text),
//! stripped of inline markup and boilerplate, grouped into blocks at blank lines, blocks of
//! front matter that is not prose are dropped, hard-wrapped lines are joined, and a paragraph
//! that a page break cut in two is rejoined.

use super::markup::strip_inline;
use super::normalize::collapse_spaces;
use super::patterns::{
    is_boilerplate, is_catalogue, longest, CATALOGUE_END, CATALOGUE_MAX_BLOCKS,
    CATALOGUE_MAX_CHARS, CATALOGUE_START,
};
use super::Repairs;
use std::borrow::Cow;

/// One paragraph of cleaned text; a heading is a paragraph too, marked with its level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// The text, on one line.
    pub text: String,
    /// `Some(level)` for a heading (1 for `#`, 2 for `##`…).
    pub heading: Option<u8>,
}

impl Paragraph {
    fn body(text: String) -> Self {
        Paragraph {
            text,
            heading: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Heading(u8),
    Item,
    Text,
}

#[derive(Debug)]
struct Line {
    kind: Kind,
    text: String,
}

/// What segmentation produces: the paragraphs, and the first and last lines of text, which is
/// where bylines and signatures stand.
#[derive(Debug, Default)]
pub struct Segmented {
    pub paragraphs: Vec<Paragraph>,
    pub head_lines: Vec<String>,
    pub tail_lines: Vec<String>,
}

const HEAD_LINES: usize = 12;
const TAIL_LINES: usize = 8;

/// Splits normalised text into paragraphs.
pub fn segment(text: &str, repairs: &mut Repairs) -> Segmented {
    let blocks = blocks(text, repairs);
    let blocks = drop_front_matter(blocks, repairs);
    let mut out = Segmented::default();
    for block in &blocks {
        for line in block {
            if out.head_lines.len() < HEAD_LINES {
                out.head_lines.push(line.text.clone());
            }
        }
    }
    let mut tail: Vec<String> = blocks
        .iter()
        .rev()
        .flat_map(|b| b.iter().rev())
        .take(TAIL_LINES)
        .map(|l| l.text.clone())
        .collect();
    tail.reverse();
    out.tail_lines = tail;
    let paragraphs: Vec<Paragraph> = blocks.into_iter().flat_map(join_lines).collect();
    out.paragraphs = rejoin_page_breaks(paragraphs, repairs);
    out
}

/// Classifies and cleans lines and groups them into blocks separated by blank lines or rules.
fn blocks(text: &str, repairs: &mut Repairs) -> Vec<Vec<Line>> {
    let mut blocks = Vec::new();
    let mut current: Vec<Line> = Vec::new();
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.is_empty() || is_rule(trimmed) {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            continue;
        }
        let (kind, content) = classify(trimmed);
        let cleaned = collapse_spaces(strip_inline(content, repairs));
        if cleaned.is_empty() {
            continue;
        }
        if is_boilerplate(&cleaned) {
            repairs.add("boilerplate lines", 1);
            continue;
        }
        current.push(Line {
            kind,
            text: cleaned,
        });
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// A Markdown rule: three or more of one of `-`, `*`, `_`, spaces allowed between them.
fn is_rule(line: &str) -> bool {
    let Some(mark) = line.chars().find(|c| !c.is_whitespace()) else {
        return false;
    };
    if !matches!(mark, '-' | '*' | '_') {
        return false;
    }
    let mut marks = 0;
    for c in line.chars().filter(|c| !c.is_whitespace()) {
        if c != mark {
            return false;
        }
        marks += 1;
    }
    marks >= 3
}

fn classify(line: &str) -> (Kind, &str) {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && line[hashes..].starts_with([' ', '\t']) {
        let text = line[hashes..].trim().trim_end_matches('#').trim_end();
        return (Kind::Heading(hashes as u8), text);
    }
    for marker in ["- ", "* ", "+ ", "• "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return (Kind::Item, rest.trim_start());
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits) && line[digits..].starts_with(". ") {
        return (Kind::Item, line);
    }
    (Kind::Text, line)
}

fn block_text(block: &[Line]) -> String {
    block
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The length of a block's text joined with spaces, without joining it.
fn block_len(block: &[Line]) -> usize {
    block
        .iter()
        .map(|l| l.text.len() + 1)
        .sum::<usize>()
        .saturating_sub(1)
}

/// The start of a block's text, long enough to compare with any prefix of `longest` bytes or
/// fewer: the first line itself when it is long enough (the usual case), otherwise the lines
/// joined.
fn block_start(block: &[Line], longest: usize) -> Cow<'_, str> {
    match block {
        [first, ..] if first.text.len() >= longest => Cow::Borrowed(&first.text),
        _ => Cow::Owned(block_text(block)),
    }
}

/// Whether a block's text is exactly `text` (lines are never empty, so a block of several
/// lines holds a space where they join).
fn block_is(block: &[Line], text: &str) -> bool {
    match block {
        [only] => only.text == text,
        _ => block_text(block) == text,
    }
}

/// Drops blocks that are not prose: cataloguing data (ISBN, CIP records, imprints), tables of
/// contents whose lines end in page numbers, and OCR debris from cover images.
fn drop_front_matter(blocks: Vec<Vec<Line>>, repairs: &mut Repairs) -> Vec<Vec<Line>> {
    // First decide which blocks stay, looking ahead where needed; then move them out.
    let mut keep = vec![false; blocks.len()];
    let mut last_kept: Option<usize> = None;
    let mut skip_until = 0;
    for (i, block) in blocks.iter().enumerate() {
        if i < skip_until {
            continue;
        }
        let start = block_start(block, const { longest(CATALOGUE_START) });
        if CATALOGUE_START.iter().any(|s| start.starts_with(s)) {
            let end = blocks[i..]
                .iter()
                .take(CATALOGUE_MAX_BLOCKS)
                .position(|b| block_is(b, CATALOGUE_END));
            skip_until = i + end.map_or(1, |e| e + 1);
            repairs.add("front matter blocks", skip_until - i);
            continue;
        }
        let catalogue = block_len(block) < CATALOGUE_MAX_CHARS && is_catalogue(&block_text(block));
        if catalogue || is_ocr_debris(block) {
            repairs.add("front matter blocks", 1);
            continue;
        }
        if is_table_of_contents(block) {
            repairs.add("front matter blocks", 1);
            if let Some(last) = last_kept {
                let b = &blocks[last];
                let contents_heading = b.len() == 1
                    && matches!(b[0].kind, Kind::Heading(_))
                    && b[0].text.to_lowercase().ends_with("contents");
                if contents_heading {
                    keep[last] = false;
                    last_kept = keep[..last].iter().rposition(|&k| k);
                }
            }
            continue;
        }
        keep[i] = true;
        last_kept = Some(i);
    }
    blocks
        .into_iter()
        .zip(keep)
        .filter_map(|(b, k)| k.then_some(b))
        .collect()
}

fn ends_in_page_number(line: &str) -> bool {
    let Some((head, last)) = line.rsplit_once([' ', '\t']) else {
        return false;
    };
    if head.trim().is_empty() {
        return false;
    }
    let arabic = !last.is_empty() && last.len() <= 4 && last.bytes().all(|b| b.is_ascii_digit());
    let roman = !last.is_empty() && last.len() <= 6 && last.chars().all(|c| "ivxlcdm".contains(c));
    arabic || roman
}

fn is_table_of_contents(block: &[Line]) -> bool {
    let numbered = block
        .iter()
        .filter(|l| ends_in_page_number(&l.text))
        .count();
    block.len() >= 3 && numbered * 10 >= block.len() * 6
}

/// Cover-image OCR leaves short runs of capitals ("PRI", "IMMI", "LOCA", "NDA VOTRE VISA")
/// and stray page numbers.
fn is_ocr_debris(block: &[Line]) -> bool {
    let shouting = |t: &str| {
        t.len() <= 24 * 4
            && t.chars().count() <= 24
            && t.split_whitespace().count() <= 4
            && t.chars().any(char::is_alphabetic)
            && !t.chars().any(char::is_lowercase)
    };
    let page_number = |t: &str| t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit());
    match block {
        [only] => {
            let heading = matches!(only.kind, Kind::Heading(_));
            page_number(&only.text)
                || (!heading && only.text.chars().count() <= 4 && shouting(&only.text))
        }
        lines => lines
            .iter()
            .all(|l| shouting(&l.text) || page_number(&l.text)),
    }
}

/// Joins the lines of a block into paragraphs: a heading stands alone, a list item starts a
/// new paragraph, other lines continue the current one.
fn join_lines(block: Vec<Line>) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = Vec::new();
    let mut open = false;
    for line in block {
        match line.kind {
            Kind::Heading(level) => {
                out.push(Paragraph {
                    text: line.text,
                    heading: Some(level),
                });
                open = false;
            }
            Kind::Item => {
                out.push(Paragraph::body(line.text));
                open = true;
            }
            Kind::Text if open => {
                let last = out.last_mut().expect("open paragraph");
                append_wrapped(&mut last.text, &line.text);
            }
            Kind::Text => {
                out.push(Paragraph::body(line.text));
                open = true;
            }
        }
    }
    out
}

/// Appends a continuation line, removing the hyphen of a word split across the break.
fn append_wrapped(text: &mut String, next: &str) {
    let split_word = text.ends_with('-')
        && text[..text.len() - 1]
            .chars()
            .last()
            .is_some_and(char::is_alphabetic)
        && !text.ends_with("--")
        && next.chars().next().is_some_and(char::is_lowercase);
    if split_word {
        text.pop();
    } else {
        text.push(' ');
    }
    text.push_str(next);
}

/// Whether a paragraph stops as a sentence would.
fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .chars()
        .last()
        .is_none_or(|c| ".!?:;…\"”’)]»".contains(c))
}

/// Rejoins paragraphs that a page break cut in two: the first stops mid-sentence and the
/// second begins in lower case.
fn rejoin_page_breaks(paragraphs: Vec<Paragraph>, repairs: &mut Repairs) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = Vec::with_capacity(paragraphs.len());
    for p in paragraphs {
        let continues = p.heading.is_none()
            && p.text.chars().next().is_some_and(char::is_lowercase)
            && out
                .last()
                .is_some_and(|prev| prev.heading.is_none() && !ends_sentence(&prev.text));
        if continues {
            repairs.add("page breaks rejoined", 1);
            append_wrapped(&mut out.last_mut().expect("checked").text, &p.text);
        } else {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(text: &str) -> Vec<String> {
        segment(text, &mut Repairs::default())
            .paragraphs
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn page_break_rejoined_with_hyphen() {
        let text = "a more accountable form of democracy. Representa-\n\ntion through universal suffrage was seen.";
        assert_eq!(paras(text), ["a more accountable form of democracy. Representation through universal suffrage was seen."]);
        let text = "thank all, especially Bill for so much help\n\non Serge in the past.";
        assert_eq!(
            paras(text),
            ["thank all, especially Bill for so much help on Serge in the past."]
        );
    }

    #[test]
    fn finished_paragraphs_stay_apart() {
        assert_eq!(
            paras("It ended.\n\nthen lower case."),
            ["It ended.", "then lower case."]
        );
        assert_eq!(
            paras("No stop here\n\nBut a capital."),
            ["No stop here", "But a capital."]
        );
    }

    #[test]
    fn headings_rules_and_items() {
        let s = segment(
            "## Preface\n\n---\n\n- BOC** Bloque Obrero.\n- CGT** Confédération.\nwrapped on.\n",
            &mut Repairs::default(),
        );
        assert_eq!(
            s.paragraphs[0],
            Paragraph {
                text: "Preface".into(),
                heading: Some(2)
            }
        );
        assert_eq!(s.paragraphs[1].text, "BOC Bloque Obrero.");
        assert_eq!(s.paragraphs[2].text, "CGT Confédération. wrapped on.");
        assert_eq!(s.paragraphs.len(), 3);
    }

    #[test]
    fn front_matter_dropped() {
        let text = "Title\n\n84  \n# PRI  \nIMMI\nLOCA\n\nLE JOUR DE PERMIS\nNDA VOTRE VISA\n\n# Contents\n\n<i>Dedication</i>\tvi\n<i>Preface</i>\tvii\n1 Victor Serge and Bolshevism\t1\nIntroduction\t9\n\nISBN 0-7453-0515-6\n\nLibrary of Congress Cataloging in Publication Data\nSerge, Victor\n\n275p. 22cm.\n\nCIP\n\nReal prose starts here.";
        assert_eq!(paras(text), ["Title", "Real prose starts here."]);
    }

    #[test]
    fn headings_are_not_debris() {
        assert_eq!(
            paras("## THE DOCUMENTS\n\nText."),
            ["THE DOCUMENTS", "Text."]
        );
    }

    #[test]
    fn boilerplate_lines_dropped() {
        assert_eq!(
            paras("Text.\n    back to text\n[Leave a comment](#)\n\nRequired fields are marked *"),
            ["Text."]
        );
    }
}
