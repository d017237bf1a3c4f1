//! Duplicate paragraphs: a paragraph that repeats an earlier one of the same document, exactly
//! or nearly (typo-level differences, a truncated fragment), is dropped.
//!
//! Paragraphs are compared as sequences of folded words (lower case, letters and digits only),
//! so punctuation and quote style do not matter. Near duplicates are found with word 3-gram
//! shingles: a paragraph whose shingles are mostly (≥ [`CONTAINMENT`]) contained in one earlier
//! paragraph at least nearly as long is a copy of it.

use super::segment::Paragraph;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for keys that are already hashes (word and shingle hashes): it passes them on.
#[derive(Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Hashed<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;
type HashedSet = HashSet<u64, BuildHasherDefault<PassThrough>>;

const NONE: u32 = u32::MAX;

/// Which earlier paragraphs hold each shingle. Most shingles occur once, so instead of a
/// vector per shingle (one allocation each), the map holds the head of a chain of links kept
/// in one arena.
struct ShingleIndex {
    heads: Hashed<u32>,
    /// (paragraph, next link or [`NONE`])
    links: Vec<(u32, u32)>,
}

impl ShingleIndex {
    fn with_capacity(shingles: usize) -> Self {
        ShingleIndex {
            heads: Hashed::with_capacity_and_hasher(shingles, Default::default()),
            links: Vec::with_capacity(shingles),
        }
    }

    fn insert(&mut self, shingle: u64, paragraph: u32) {
        let link = self.links.len() as u32;
        let head = self.heads.entry(shingle).or_insert(NONE);
        self.links.push((paragraph, *head));
        *head = link;
    }

    /// Calls `f` with every paragraph holding `shingle`.
    fn for_each(&self, shingle: u64, mut f: impl FnMut(u32)) {
        let mut link = self.heads.get(&shingle).copied().unwrap_or(NONE);
        while link != NONE {
            let (paragraph, next) = self.links[link as usize];
            f(paragraph);
            link = next;
        }
    }
}

/// The share of a paragraph's shingles that must occur in an earlier paragraph.
pub const CONTAINMENT: f64 = 0.7;
/// Paragraphs with fewer words are only dropped when repeated exactly.
pub const MIN_WORDS: usize = 8;
const SHINGLE: usize = 3;

/// For each ASCII byte: its lower-case form if it is a letter or digit, otherwise 0.
const ASCII_FOLD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// Folded words of a text: lower-cased runs of letters and digits, hashed.
fn word_hashes(text: &str) -> Vec<u64> {
    use crate::hash::{step, OFFSET};
    let mut out = Vec::with_capacity(text.len() / 5);
    let bytes = text.as_bytes();
    let mut h: u64 = OFFSET;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let is_word = if b < 0x80 {
            i += 1;
            let f = ASCII_FOLD[b as usize];
            if f != 0 {
                h = step(h, u64::from(f));
            }
            f != 0
        } else {
            // A multi-byte character: decode it from the valid UTF-8 of `text`.
            let c = text[i..].chars().next().unwrap_or(' ');
            i += c.len_utf8();
            if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    h = step(h, u64::from(u32::from(l)));
                }
                true
            } else {
                false
            }
        };
        if !is_word && in_word {
            out.push(h);
            h = OFFSET;
        }
        in_word = is_word;
    }
    if in_word {
        out.push(h);
    }
    out
}

/// One hash for a whole sequence of word hashes (exact-duplicate key).
fn sequence_hash(words: &[u64]) -> u64 {
    words.iter().fold(words.len() as u64, |h, &w| {
        (h.rotate_left(5) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

fn shingles(words: &[u64]) -> Vec<u64> {
    let mut out: Vec<u64> = words
        .windows(SHINGLE)
        .map(|w| {
            w[0].rotate_left(21) ^ w[1].rotate_left(42) ^ w[2].wrapping_mul(0x9E37_79B9_7F4A_7C15)
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Removes exact and near-duplicate paragraphs, keeping the first occurrence. Headings are
/// dropped only when they repeat the paragraph just before them (a title printed twice).
/// Returns the kept paragraphs and the number dropped.
pub fn dedupe(paragraphs: Vec<Paragraph>) -> (Vec<Paragraph>, usize) {
    let mut kept: Vec<Paragraph> = Vec::with_capacity(paragraphs.len());
    let mut seen_exact = HashedSet::default();
    let mut lengths: Vec<usize> = Vec::new();
    // About one shingle per word, and about one word per six bytes.
    let bytes: usize = paragraphs.iter().map(|p| p.text.len()).sum();
    let mut index = ShingleIndex::with_capacity(bytes / 6);
    let mut counts: Vec<u32> = Vec::new();
    let mut previous_words: Vec<u64> = Vec::new();
    let mut dropped = 0;
    for p in paragraphs {
        let words = word_hashes(&p.text);
        if p.heading.is_some() {
            if !words.is_empty() && words == previous_words {
                dropped += 1;
                continue;
            }
            previous_words = words;
            kept.push(p);
            continue;
        }
        if words.is_empty() || !seen_exact.insert(sequence_hash(&words)) {
            dropped += 1;
            continue;
        }
        if words.len() >= MIN_WORDS {
            let own = shingles(&words);
            if is_near_duplicate(words.len(), &own, &index, &lengths, &mut counts) {
                dropped += 1;
                continue;
            }
            let id = lengths.len() as u32;
            for s in own {
                index.insert(s, id);
            }
            lengths.push(words.len());
            counts.push(0);
        }
        previous_words = words;
        kept.push(p);
    }
    (kept, dropped)
}

/// Whether a paragraph of `words` words and shingles `own` is mostly contained in one
/// earlier paragraph at least nearly as long. `counts` (one per earlier paragraph, all zero)
/// is scratch space, left zeroed.
fn is_near_duplicate(
    words: usize,
    own: &[u64],
    index: &ShingleIndex,
    lengths: &[usize],
    counts: &mut [u32],
) -> bool {
    let mut touched: Vec<u32> = Vec::new();
    for &s in own {
        index.for_each(s, |id| {
            if counts[id as usize] == 0 {
                touched.push(id);
            }
            counts[id as usize] += 1;
        });
    }
    let mut found = false;
    for id in touched {
        let shared = std::mem::take(&mut counts[id as usize]);
        let long_enough = lengths[id as usize] * 10 >= words * 9;
        found |= long_enough && f64::from(shared) >= CONTAINMENT * own.len() as f64;
    }
    found
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

    const LONG: &str = "Let anyone who reads Russian compare and confront the successive editions of the encyclopedic dictionaries published by the Moscow State Library and he will understand the moderation and exactitude of my statements.";

    #[test]
    fn exact_and_punctuation_variants() {
        let (kept, n) = dedupe(vec![
            body(LONG),
            body(&LONG.replace("Russian", "Russian,")),
            body("Short one."),
            body("Short one!"),
        ]);
        assert_eq!(kept.len(), 2);
        assert_eq!(n, 2);
    }

    #[test]
    fn typo_variants_and_fragments() {
        let typo = LONG
            .replace("encyclopedic", "encylopedic")
            .replace("exactitude", "exactitud");
        let fragment = &LONG[40..];
        let (kept, n) = dedupe(vec![body(LONG), body(&typo), body(fragment)]);
        assert_eq!(kept, vec![body(LONG)]);
        assert_eq!(n, 2);
    }

    #[test]
    fn different_paragraphs_stay() {
        let other = "Of the outstanding men whose names appear in the pages of this book, only one survives: Trotsky, hunted for nearly ten years.";
        let (kept, n) = dedupe(vec![body(LONG), body(other)]);
        assert_eq!(kept.len(), 2);
        assert_eq!(n, 0);
    }

    #[test]
    fn a_longer_paragraph_quoting_an_earlier_one_stays() {
        let longer = format!(
            "{LONG} {LONG} And then a great deal more that is new, said in other words entirely."
        );
        let (kept, _) = dedupe(vec![body(LONG), body(&longer)]);
        assert_eq!(kept.len(), 2);
    }

    #[test]
    fn repeated_title_heading() {
        let h = |s: &str| Paragraph {
            text: s.into(),
            heading: Some(1),
        };
        let (kept, n) = dedupe(vec![
            h("The Serge-Trotsky Papers"),
            h("The Serge–Trotsky Papers"),
            body("Text."),
            h("Introduction"),
            body("More."),
            h("Introduction"),
        ]);
        assert_eq!(kept.len(), 5);
        assert_eq!(n, 1);
    }
}
