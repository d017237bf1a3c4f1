//! Shared quotations: runs of at least N consecutive words (after the analyzer's folding) that
//! occur in passages of different documents, grouped.
//!
//! Two passes over the stored passages, each split across the cores. The first hashes every
//! N-word window (an N-gram of folded tokens) and keeps one packed (hash, document) value per
//! window and document; sorting them finds the hashes present in two documents or more. The
//! second pass finds, in each passage, the maximal runs of consecutive windows with such a
//! hash, checks them with full 64-bit hashes, and joins runs that share a window into groups.

use super::search::Engine;
use crate::error::Result;
use crate::index::analyzer;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::TantivyDocument;

/// Default length, in words, of a shared run.
pub const DEFAULT_WORDS: usize = 8;

/// One copy of a shared run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Copy {
    pub doc: String,
    pub title: String,
    pub year: Option<i64>,
    pub paragraph: u64,
    /// The run as it is written in this copy.
    pub text: String,
    /// Some text before and after it, for reading.
    pub before: String,
    pub after: String,
    /// Byte range of the run in its passage.
    pub start: usize,
    pub end: usize,
}

/// A group of copies of the same wording in different documents.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    /// The shortest copy's wording: what all copies share.
    pub wording: String,
    pub words: usize,
    pub documents: usize,
    pub copies: Vec<Copy>,
}

/// A stored passage, as the passes read it.
struct Passage {
    doc: u32,
    paragraph: u64,
    text: String,
}

fn hash_token(t: &str) -> u64 {
    crate::index::manifest::hash_bytes(t.as_bytes())
}

/// Hashes of every window of `n` consecutive token hashes (a polynomial over the window, so
/// the order of the words matters), with the token range each covers.
fn windows(tokens: &[u64], n: usize) -> impl Iterator<Item = u64> + '_ {
    tokens.windows(n).map(|w| {
        w.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &t| {
            (h ^ t).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(17)
        })
    })
}

/// Token hashes and byte ranges of a passage.
fn tokenize(analyzer: &mut TextAnalyzer, text: &str) -> (Vec<u64>, Vec<(usize, usize)>) {
    let mut hashes = Vec::new();
    let mut ranges = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        hashes.push(hash_token(&t.text));
        ranges.push((t.offset_from, t.offset_to));
    }
    (hashes, ranges)
}

const DOC_BITS: u32 = 24;

/// Calls `f(doc, paragraph, text)` for every live passage of the index, reading the
/// document store sequentially.
pub fn for_each_passage(engine: &Engine, mut f: impl FnMut(&str, u64, &str)) -> Result<()> {
    let searcher = engine.reader.searcher();
    let fields = engine.fields;
    for segment in searcher.segment_readers() {
        let store = segment
            .get_store_reader(64)
            .map_err(|e| crate::Error::Tantivy(e.into()))?;
        for d in store.iter::<TantivyDocument>(segment.alive_bitset()) {
            let d = d?;
            f(
                d.get_first(fields.doc)
                    .and_then(|v| v.as_str())
                    .unwrap_or(""),
                d.get_first(fields.paragraph)
                    .and_then(|v| v.as_u64())
                    .unwrap_or(0),
                d.get_first(fields.text)
                    .and_then(|v| v.as_str())
                    .unwrap_or(""),
            );
        }
    }
    Ok(())
}

/// Reads every live passage of the index: (document number, paragraph, text).
fn read_passages(engine: &Engine) -> Result<(Vec<String>, Vec<Passage>)> {
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for_each_passage(engine, |doc, paragraph, text| {
        let n = match ids.get(doc) {
            Some(&n) => n,
            None => {
                let n = names.len() as u32;
                ids.insert(doc.to_owned(), n);
                names.push(doc.to_owned());
                n
            }
        };
        out.push(Passage {
            doc: n,
            paragraph,
            text: text.to_owned(),
        });
    })?;
    Ok((names, out))
}

/// Runs `work` over chunks of `items` on up to two threads and concatenates the results.
fn parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(2);
    if threads < 2 || items.len() < 64 {
        return work(items);
    }
    let mid = items.len() / 2;
    let (a, b) = items.split_at(mid);
    std::thread::scope(|s| {
        let right = s.spawn(|| work(b));
        let mut left = work(a);
        left.extend(right.join().expect("quotes worker"));
        left
    })
}

/// Finds the groups of shared runs of at least `n` words across documents.
pub fn quotes(engine: &Engine, n: usize) -> Result<Vec<Group>> {
    let n = n.max(2);
    let (names, passages) = read_passages(engine)?;
    let mask = !((1u64 << DOC_BITS) - 1);

    // Pass 1: (hash high bits | document) for each window, deduplicated per passage.
    let mut packed: Vec<u64> = parallel(&passages, |chunk| {
        let mut analyzer = analyzer::exact();
        let mut out = Vec::new();
        let mut local = Vec::new();
        for p in chunk {
            let (tokens, _) = tokenize(&mut analyzer, &p.text);
            local.clear();
            local.extend(windows(&tokens, n).map(|h| (h & mask) | u64::from(p.doc)));
            local.sort_unstable();
            local.dedup();
            out.extend_from_slice(&local);
        }
        out
    });
    packed.sort_unstable();
    packed.dedup();
    let mut shared: HashSet<u64> = HashSet::new();
    for pair in packed.windows(2) {
        if pair[0] & mask == pair[1] & mask {
            shared.insert(pair[0] & mask);
        }
    }
    drop(packed);
    if shared.is_empty() {
        return Ok(Vec::new());
    }

    // Pass 2: maximal runs of shared windows in each passage, keyed by full hashes.
    struct Run {
        passage: usize,
        start: usize,
        end: usize,
        words: usize,
        hashes: Vec<u64>,
    }
    let indexed: Vec<(usize, &Passage)> = passages.iter().enumerate().collect();
    let runs: Vec<Run> = parallel(&indexed, |chunk| {
        let mut analyzer = analyzer::exact();
        let mut out = Vec::new();
        for &(i, p) in chunk {
            let (tokens, ranges) = tokenize(&mut analyzer, &p.text);
            let hs: Vec<u64> = windows(&tokens, n).collect();
            let mut k = 0;
            while k < hs.len() {
                if !shared.contains(&(hs[k] & mask)) {
                    k += 1;
                    continue;
                }
                let first = k;
                while k < hs.len() && shared.contains(&(hs[k] & mask)) {
                    k += 1;
                }
                out.push(Run {
                    passage: i,
                    start: ranges[first].0,
                    end: ranges[k - 1 + n - 1].1,
                    words: k - first + n - 1,
                    hashes: hs[first..k].to_vec(),
                });
            }
        }
        out
    });

    // Which documents hold each full window hash: a window counts only if it is in two.
    let mut docs_of: HashMap<u64, Vec<u32>> = HashMap::new();
    for r in &runs {
        let doc = passages[r.passage].doc;
        for &h in &r.hashes {
            let v = docs_of.entry(h).or_default();
            if !v.contains(&doc) {
                v.push(doc);
            }
        }
    }
    // Join runs that share a window (union-find), keeping only truly shared windows.
    let mut parent: Vec<usize> = (0..runs.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut first_run: HashMap<u64, usize> = HashMap::new();
    let mut real = vec![false; runs.len()];
    for (i, r) in runs.iter().enumerate() {
        for h in &r.hashes {
            if docs_of[h].len() < 2 {
                continue;
            }
            real[i] = true;
            match first_run.get(h) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a] = b;
                    }
                }
                None => {
                    first_run.insert(*h, i);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &is_real) in real.iter().enumerate() {
        if is_real {
            let root = find(&mut parent, i);
            groups.entry(root).or_default().push(i);
        }
    }

    let manifest = engine.manifest();
    let mut out: Vec<Group> = Vec::new();
    for members in groups.into_values() {
        let mut copies: Vec<(usize, Copy)> = members
            .iter()
            .map(|&i| {
                let r = &runs[i];
                let p = &passages[r.passage];
                let doc = &names[p.doc as usize];
                let entry = manifest.docs.get(doc);
                let before = context_before(&p.text[..r.start], 60);
                let after = context_after(&p.text[r.end..], 60);
                (
                    r.words,
                    Copy {
                        doc: doc.clone(),
                        title: entry.map_or_else(|| doc.clone(), |e| e.title.clone()),
                        year: entry.and_then(|e| e.year),
                        paragraph: p.paragraph,
                        text: p.text[r.start..r.end]
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" "),
                        before,
                        after,
                        start: r.start,
                        end: r.end,
                    },
                )
            })
            .collect();
        copies.sort_by(|a, b| {
            (a.1.doc.as_str(), a.1.paragraph, a.1.start).cmp(&(
                b.1.doc.as_str(),
                b.1.paragraph,
                b.1.start,
            ))
        });
        let documents = {
            let mut d: Vec<&str> = copies.iter().map(|c| c.1.doc.as_str()).collect();
            d.dedup();
            d.len()
        };
        if documents < 2 {
            continue;
        }
        let shortest = copies
            .iter()
            .min_by_key(|c| (c.0, c.1.text.len()))
            .expect("a group has copies");
        out.push(Group {
            wording: shortest.1.text.clone(),
            words: shortest.0,
            documents,
            copies: copies.into_iter().map(|c| c.1).collect(),
        });
    }
    out.sort_by(|a, b| {
        b.documents
            .cmp(&a.documents)
            .then(b.words.cmp(&a.words))
            .then_with(|| a.copies[0].doc.cmp(&b.copies[0].doc))
            .then(a.copies[0].start.cmp(&b.copies[0].start))
    });
    Ok(out)
}

/// Up to `n` characters before a point, starting at a word; ends with a space when the text
/// does, so that it can be printed right before the run.
fn context_before(s: &str, n: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let gap = if s.ends_with(char::is_whitespace) && !flat.is_empty() {
        " "
    } else {
        ""
    };
    let count = flat.chars().count();
    if count <= n {
        return format!("{flat}{gap}");
    }
    // One character more than allowed, so that a cut falling on a word boundary keeps it.
    let cut: String = flat.chars().skip(count - n - 1).collect();
    match cut.find(' ') {
        Some(i) => format!("…{}{gap}", &cut[i + 1..]),
        None => format!("…{cut}{gap}"),
    }
}

/// Up to `n` characters after a point, ending at a word; starts with a space when the text
/// does.
fn context_after(s: &str, n: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let gap = if s.starts_with(char::is_whitespace) && !flat.is_empty() {
        " "
    } else {
        ""
    };
    if flat.chars().count() <= n {
        return format!("{gap}{flat}");
    }
    let cut: String = flat.chars().take(n + 1).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{gap}{}…", &cut[..i]),
        None => format!("{gap}{cut}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_hashes_depend_on_order() {
        let a: Vec<u64> = windows(&[1, 2, 3], 3).collect();
        let b: Vec<u64> = windows(&[3, 2, 1], 3).collect();
        assert_eq!(a.len(), 1);
        assert_ne!(a, b);
        assert_eq!(windows(&[1, 2], 3).count(), 0);
    }

    #[test]
    fn contexts_cut_at_words() {
        assert_eq!(context_before("one two three four", 10), "…three four");
        assert_eq!(context_before("one two three four", 9), "…four");
        assert_eq!(context_before("one two three four ", 10), "…three four ");
        assert_eq!(context_before("said “", 9), "said “");
        assert_eq!(context_after("one two three four", 9), "one two…");
        assert_eq!(context_after(" one  two", 20), " one two");
    }
}
