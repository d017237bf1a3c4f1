//! A deterministic scale corpus: N megabytes of documents statistically like the bundled corpus,
//! with the same kinds of damage, for benchmarks and crash tests.
//!
//! A word-level Markov chain (order 2, falling back to order 1 where the training text allows
//! only one continuation, so that long verbatim runs of the training text stay rare) is trained
//! on the cleaned bundled corpus. Each generated document (about 50 KB) gets a title, a byline,
//! headings and paragraphs of the training text's lengths, and, drawn from the seed: mojibake
//! paragraphs, page breaks inside paragraphs, HTML and Markdown markup, footnote marks, web
//! boilerplate, repeated paragraphs (exact and with a typo), and a Windows-1252 or UTF-16
//! encoding. Every document has a `catalog.json` entry (authors, years 1900–2020). The same seed
//! and size always give the same bytes.

use crate::error::{Error, Result};
use crate::ingest;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// A small, fast, seedable generator (SplitMix64); the same seed gives the same corpus on
/// every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5345_5247_455f_5631)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n.max(1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A word-level Markov chain over interned words.
#[derive(Debug, Default)]
pub struct Chain {
    words: Vec<String>,
    /// Successors of a pair of words (with repeats, so frequent ones are drawn more often).
    pairs: HashMap<(u32, u32), Vec<u32>>,
    /// Successors of a single word.
    singles: HashMap<u32, Vec<u32>>,
    /// Words that start a sentence.
    starts: Vec<u32>,
    /// Paragraph lengths in words, as found in the training text.
    lengths: Vec<usize>,
    /// Headings of the training text.
    headings: Vec<String>,
}

impl Chain {
    /// Trains a chain on paragraphs of clean text.
    pub fn train<'a>(paragraphs: impl IntoIterator<Item = (&'a str, bool)>) -> Self {
        let mut chain = Chain::default();
        let mut ids: HashMap<&'a str, u32> = HashMap::new();
        for (text, heading) in paragraphs {
            if heading {
                chain.headings.push(text.to_owned());
                continue;
            }
            let mut prev: Option<u32> = None;
            let mut prev2: Option<u32> = None;
            let mut count = 0;
            for word in text.split_whitespace() {
                let id = *ids.entry(word).or_insert_with(|| {
                    chain.words.push(word.to_owned());
                    (chain.words.len() - 1) as u32
                });
                if let (Some(a), Some(b)) = (prev2, prev) {
                    chain.pairs.entry((a, b)).or_default().push(id);
                }
                if let Some(b) = prev {
                    chain.singles.entry(b).or_default().push(id);
                }
                if prev.is_none_or(|p| ends_sentence(&chain.words[p as usize])) {
                    chain.starts.push(id);
                }
                prev2 = prev;
                prev = Some(id);
                count += 1;
            }
            if count > 0 {
                chain.lengths.push(count);
            }
        }
        chain
    }

    /// Whether the chain learnt anything.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    fn next(&self, rng: &mut Rng, a: u32, b: u32) -> u32 {
        if let Some(next) = self.pairs.get(&(a, b)) {
            let distinct = next.iter().any(|&n| n != next[0]);
            if distinct || rng.chance(0.3) {
                return *rng.pick(next);
            }
        }
        match self.singles.get(&b) {
            Some(next) => *rng.pick(next),
            None => *rng.pick(&self.starts),
        }
    }

    /// A paragraph of about `words` words, ending at a sentence end where one comes soon.
    pub fn paragraph(&self, rng: &mut Rng, words: usize) -> String {
        let mut out = String::with_capacity(words * 7);
        let mut a = *rng.pick(&self.starts);
        out.push_str(&self.words[a as usize]);
        let mut b = self.next(rng, a, a);
        let mut n = 1;
        loop {
            out.push(' ');
            out.push_str(&self.words[b as usize]);
            n += 1;
            let end = ends_sentence(&self.words[b as usize]);
            if n >= words && (end || n >= words + 40) {
                if !end {
                    out.push('.');
                }
                break;
            }
            let c = self.next(rng, a, b);
            a = b;
            b = c;
        }
        out
    }

    fn paragraph_length(&self, rng: &mut Rng) -> usize {
        if self.lengths.is_empty() {
            60
        } else {
            (*rng.pick(&self.lengths)).clamp(8, 600)
        }
    }
}

fn ends_sentence(word: &str) -> bool {
    let w = word.trim_end_matches(['"', '\'', '’', '”', ')']);
    w.ends_with(['.', '?', '!'])
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct ScaleOptions {
    /// Total bytes of raw text to write (at least one document).
    pub bytes: u64,
    pub seed: u64,
    /// Target size of one document.
    pub doc_bytes: usize,
}

impl Default for ScaleOptions {
    fn default() -> Self {
        ScaleOptions {
            bytes: 1 << 20,
            seed: 1,
            doc_bytes: 50_000,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScaleSummary {
    pub documents: usize,
    pub bytes: u64,
}

const FIRST_NAMES: &[&str] = &[
    "Anna", "Boris", "Clara", "David", "Elena", "Fyodor", "Grace", "Henri", "Irina", "Jacques",
    "Katya", "Lev", "Maria", "Nikolai", "Olga", "Pierre", "Rosa", "Simone", "Tomas", "Vera",
];
const LAST_NAMES: &[&str] = &[
    "Abramova",
    "Brandt",
    "Castillo",
    "Dubois",
    "Ehrenburg",
    "Fischer",
    "Gorkin",
    "Halévy",
    "Ivanov",
    "Jaurès",
    "Kuznetsova",
    "Leroux",
    "Mandel",
    "Novak",
    "Orlov",
    "Pivert",
    "Rühle",
    "Souvarine",
    "Tarrida",
    "Weil",
];
const BOILERPLATE: &[&str] = &[
    "Leave a comment",
    "back to text",
    "Subscribe to our newsletter",
    "Share this:",
    "Comment policy: comments are moderated and may take a day to appear.",
];

/// Writes a scale corpus into `out` (created if needed), trained on the documents of `training`
/// (a corpus directory, normally the bundled one).
pub fn generate(training: &Path, out: &Path, options: ScaleOptions) -> Result<ScaleSummary> {
    let (files, _) = ingest::discover(training)?;
    let mut cleaned = Vec::new();
    for f in &files {
        let bytes = ingest::read_limited(&f.path)?;
        if let Ok(c) = ingest::clean_bytes(&bytes) {
            cleaned.push(c);
        }
    }
    let chain = Chain::train(
        cleaned
            .iter()
            .flat_map(|c| c.paragraphs.iter())
            .map(|p| (p.text.as_str(), p.heading.is_some())),
    );
    if chain.is_empty() {
        return Err(Error::Invalid(format!(
            "{} holds no text to learn from; pass a corpus with documents",
            training.display()
        )));
    }
    write_corpus(&chain, out, options)
}

/// Writes documents from a trained chain until `options.bytes` are written.
pub fn write_corpus(chain: &Chain, out: &Path, options: ScaleOptions) -> Result<ScaleSummary> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut rng = Rng::new(options.seed);
    let mut summary = ScaleSummary::default();
    let mut catalog = String::from("{\n");
    while summary.bytes < options.bytes.max(1) {
        let n = summary.documents;
        let mut doc_rng = Rng::new(rng.next_u64());
        let doc = document(chain, &mut doc_rng, options.doc_bytes);
        let id = format!("s{:06}_{:016x}", n, doc_rng.next_u64());
        let dir = out.join(format!("{:03}", n / 1000));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join(format!("{id}.txt"));
        std::fs::write(&path, &doc.bytes).map_err(|e| Error::io(&path, e))?;
        if n > 0 {
            catalog.push_str(",\n");
        }
        let entry = serde_json::json!({
            "title": doc.title, "author": doc.authors, "year": doc.year, "source": "scale corpus"
        });
        catalog.push_str(&format!("  {}: {entry}", serde_json::json!(id)));
        summary.documents += 1;
        summary.bytes += doc.bytes.len() as u64;
    }
    catalog.push_str("\n}\n");
    let path = out.join("catalog.json");
    let mut f = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    f.write_all(catalog.as_bytes())
        .map_err(|e| Error::io(&path, e))?;
    Ok(summary)
}

/// One generated document: its raw bytes and catalog metadata.
pub struct Generated {
    pub bytes: Vec<u8>,
    pub title: String,
    pub authors: Vec<String>,
    pub year: i64,
}

fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES))
}

/// Generates one document of about `size` bytes.
pub fn document(chain: &Chain, rng: &mut Rng, size: usize) -> Generated {
    let mut title = chain.paragraph(rng, 6);
    title.truncate(title.char_indices().nth(70).map_or(title.len(), |(i, _)| i));
    let title = title.trim_end_matches(['.', ',', ';', ':']).to_owned();
    let authors: Vec<String> = (0..1 + usize::from(rng.chance(0.15)))
        .map(|_| person(rng))
        .collect();
    let year = 1900 + rng.below(121) as i64;
    let mojibake = rng.chance(0.15);
    let markup = rng.chance(0.4);
    let pdf = rng.chance(0.3);
    let web = rng.chance(0.3);

    let mut text = String::with_capacity(size + 4096);
    if markup {
        text.push_str("# ");
    }
    text.push_str(&title);
    text.push_str(&format!("\n\nBy {}, {year}\n\n", authors.join(" and ")));
    let mut written: Vec<String> = Vec::new();
    while text.len() < size {
        if !chain.headings.is_empty() && rng.chance(0.04) {
            let h = rng.pick(&chain.headings);
            text.push_str(if markup { "## " } else { "" });
            text.push_str(h);
            text.push_str("\n\n");
        }
        let mut p = if !written.is_empty() && rng.chance(0.02) {
            // A repeated paragraph, exactly or with a typo.
            let mut p = rng.pick(&written).clone();
            if rng.chance(0.5) {
                typo(rng, &mut p);
            }
            p
        } else {
            let words = chain.paragraph_length(rng);
            chain.paragraph(rng, words)
        };
        written.push(p.clone());
        if markup && rng.chance(0.2) {
            p = emphasise(rng, &p);
        }
        if mojibake && rng.chance(0.5) {
            p = to_mojibake(&p);
        }
        if pdf && p.len() > 300 && rng.chance(0.3) {
            p = page_break(rng, &p);
        }
        text.push_str(&p);
        text.push_str("\n\n");
    }
    if web {
        for line in BOILERPLATE.iter().take(1 + rng.below(BOILERPLATE.len())) {
            text.push_str(line);
            text.push_str("\n\n");
        }
    }
    let bytes = match rng.below(20) {
        0 => {
            let (b, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
            b.into_owned()
        }
        1 => {
            let mut b = vec![0xFF, 0xFE];
            b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            b
        }
        2 => text.replace('\n', "\r\n").into_bytes(),
        _ => text.into_bytes(),
    };
    Generated {
        bytes,
        title,
        authors,
        year,
    }
}

/// UTF-8 read as Windows-1252 and saved again.
pub fn to_mojibake(text: &str) -> String {
    let (s, _, _) = encoding_rs::WINDOWS_1252.decode(text.as_bytes());
    s.into_owned()
}

fn typo(rng: &mut Rng, p: &mut String) {
    let spaces: Vec<usize> = p.match_indices(' ').map(|(i, _)| i).collect();
    if spaces.is_empty() {
        return;
    }
    let at = *rng.pick(&spaces);
    p.replace_range(at..at + 1, "  ");
    p.insert(at, 'x');
}

fn emphasise(rng: &mut Rng, p: &str) -> String {
    let words: Vec<&str> = p.split(' ').collect();
    let i = rng.below(words.len());
    let mut out = String::with_capacity(p.len() + 32);
    for (k, w) in words.iter().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        if k == i && w.chars().all(char::is_alphabetic) {
            match rng.below(3) {
                0 => out.push_str(&format!("<i>{w}</i>")),
                1 => out.push_str(&format!("**{w}**")),
                _ => out.push_str(&format!("*{w}*")),
            }
        } else {
            out.push_str(w);
        }
    }
    if rng.chance(0.5) {
        out.push_str(&format!("<sup>{}</sup>", 1 + rng.below(40)));
    }
    out
}

/// Cuts a paragraph at a word, as a PDF conversion does at a page break, sometimes splitting
/// the word with a hyphen and leaving a page number between the parts.
fn page_break(rng: &mut Rng, p: &str) -> String {
    let mut mid = p.len() / 2;
    while !p.is_char_boundary(mid) {
        mid += 1;
    }
    let Some(space) = p[mid..].find(' ').map(|i| mid + i) else {
        return p.to_owned();
    };
    let (head, tail) = (&p[..space], &p[space + 1..]);
    if tail.starts_with(|c: char| c.is_uppercase()) {
        return p.to_owned();
    }
    let page = 10 + rng.below(300);
    let next_word_len = tail.find(' ').unwrap_or(tail.len());
    let word = &tail[..next_word_len];
    if word.len() >= 6 && word.chars().all(|c| c.is_ascii_lowercase()) && rng.chance(0.5) {
        let cut = word.len() / 2;
        format!(
            "{head} {}-\n\n{page}\n\n{}{}",
            &word[..cut],
            &word[cut..],
            &tail[next_word_len..]
        )
    } else {
        format!("{head}\n\n{page}\n\n{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Chain {
        Chain::train([
            (
                "The Revolution was betrayed. The old muck rose to the surface.",
                false,
            ),
            (
                "Serge wrote of the kingdom of the will. The revolution went on.",
                false,
            ),
            ("Heading", true),
        ])
    }

    #[test]
    fn same_seed_same_bytes() {
        let c = chain();
        let a = document(&c, &mut Rng::new(7), 3000);
        let b = document(&c, &mut Rng::new(7), 3000);
        assert_eq!(a.bytes, b.bytes);
        let other = document(&c, &mut Rng::new(8), 3000);
        assert_ne!(a.bytes, other.bytes);
    }

    #[test]
    fn generated_text_uses_the_training_words() {
        let c = chain();
        let p = c.paragraph(&mut Rng::new(3), 30);
        for w in p.split_whitespace() {
            let w = w.trim_end_matches('.');
            assert!(
                c.words.iter().any(|k| k.trim_end_matches('.') == w),
                "{w} is not a training word"
            );
        }
    }

    #[test]
    fn mojibake_is_repaired_by_the_ingester() {
        let damaged = to_mojibake("Lenin’s “old muck” — 1917–18");
        assert_ne!(damaged, "Lenin’s “old muck” — 1917–18");
        let cleaned = ingest::clean_bytes(damaged.as_bytes()).unwrap();
        assert_eq!(
            ingest::render(&cleaned.paragraphs).trim(),
            "Lenin’s “old muck” — 1917–18"
        );
    }

    #[test]
    fn page_breaks_are_rejoined_by_the_ingester() {
        let text = "the workers of the city were organising themselves into councils that met every evening";
        let mut rng = Rng::new(1);
        let broken = (0..20)
            .map(|_| page_break(&mut rng, text))
            .find(|b| b != text)
            .expect("a page break");
        let cleaned = ingest::clean_bytes(broken.as_bytes()).unwrap();
        assert_eq!(ingest::render(&cleaned.paragraphs).trim(), text);
    }
}
