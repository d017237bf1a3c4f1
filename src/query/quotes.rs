//! Shared quotations: runs of at least N consecutive words (after the analyzer's folding) that
//! occur in passages of different documents, grouped.
//!
//! Two passes over the stored passages, each split across the cores. The first hashes every
//! N-word window (an N-gram of folded tokens) and keeps one packed (hash, document) value per
//! window and document; sorting them finds the hashes present in two documents or more. The
//! second pass finds, in each passage, the maximal runs of consecutive windows with such a
//! hash; runs are grouped by their smallest full window hash, and a group must span two
//! documents.

use super::search::{Engine, RawStored, Stored};
use crate::error::Result;
use crate::index::analyzer;
use serde::Serialize;
use std::collections::HashMap;
use tantivy::tokenizer::TextAnalyzer;

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
    crate::hash::fnv1a(t.as_bytes())
}

/// Hashes of every window of `n` consecutive token hashes (a polynomial over the window, so
/// the order of the words matters), with the token range each covers.
fn windows(tokens: &[u64], n: usize) -> impl Iterator<Item = u64> + '_ {
    tokens.windows(n).map(|w| {
        w.iter().fold(crate::hash::OFFSET, |h, &t| {
            crate::hash::step(h, t).rotate_left(17)
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
        for raw in store.iter::<RawStored>(segment.alive_bitset()) {
            let passage = Stored::from_raw(&fields, raw?);
            f(&passage.doc, passage.paragraph, &passage.text);
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

/// A window found in more documents than this is a formula (a title, a stock phrase), not a
/// quotation, and is left out.
pub const MAX_DOCUMENTS: usize = 20;

/// Finds the groups of shared runs of at least `n` words across documents.
/// Groups are ranked by documents, then words, then where the first copy stands; `limit`
/// keeps the first ones.
pub fn quotes(engine: &Engine, n: usize, limit: Option<usize>) -> Result<Vec<Group>> {
    let n = n.max(2);
    let clock = std::time::Instant::now();
    let trace = std::env::var_os("SERGE_TRACE").is_some();
    let lap = |what: &str| {
        if trace {
            eprintln!("quotes: {what} at {:.2} s", clock.elapsed().as_secs_f64());
        }
    };
    let (names, passages) = read_passages(engine)?;
    lap("passages read");
    let mask = !((1u64 << DOC_BITS) - 1);

    // Pass 1: (hash high bits | document) for each window, deduplicated per passage; a hash
    // is shared when 2 to MAX_DOCUMENTS documents hold it.
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
    lap("pass 1 hashed");
    packed.sort_unstable();
    packed.dedup();
    lap("pass 1 sorted");
    let mut shared: Vec<u64> = Vec::new();
    let mut k = 0;
    while k < packed.len() {
        let key = packed[k] & mask;
        let mut end = k + 1;
        while end < packed.len() && packed[end] & mask == key {
            end += 1;
        }
        if (2..=MAX_DOCUMENTS).contains(&(end - k)) {
            shared.push(key);
        }
        k = end;
    }
    drop(packed);
    if shared.is_empty() {
        return Ok(Vec::new());
    }
    lap("shared windows found");
    // Membership by a bitmap over 32 bits of the hash (one memory access per window); the
    // window that keys a run is then checked exactly, so a false positive can only lengthen
    // a run, never found a group.
    const FILTER_BITS: u32 = 32;
    let slot = |h: u64| ((h >> DOC_BITS) & ((1u64 << FILTER_BITS) - 1)) as usize;
    let mut filter = vec![0u64; (1usize << FILTER_BITS) / 64];
    for &h in &shared {
        filter[slot(h) / 64] |= 1 << (slot(h) % 64);
    }
    let is_shared = |h: u64| filter[slot(h) / 64] & (1 << (slot(h) % 64)) != 0;
    let surely_shared = |h: u64| shared.binary_search(&(h & mask)).is_ok();

    // Pass 2: maximal runs of shared windows in each passage, each keyed by the smallest full
    // hash of its windows: copies of the same wording get the same key, and (unlike joining
    // every run that shares any window, which on repetitive text chains everything into one
    // group) each run lands in one group only.
    #[derive(Clone, Copy)]
    struct Run {
        passage: u32,
        start: u32,
        end: u32,
        words: u32,
    }
    impl RunSpan for Run {
        fn span(&self) -> (usize, usize, usize) {
            (
                self.passage as usize,
                self.start as usize,
                self.end as usize,
            )
        }
    }
    let indexed: Vec<(usize, &Passage)> = passages.iter().enumerate().collect();
    let found: Vec<(u64, Run)> = parallel(&indexed, |chunk| {
        let mut analyzer = analyzer::exact();
        let mut out = Vec::new();
        let mut hs: Vec<u64> = Vec::new();
        let mut candidates: Vec<u64> = Vec::new();
        for &(i, p) in chunk {
            let (tokens, ranges) = tokenize(&mut analyzer, &p.text);
            hs.clear();
            hs.extend(windows(&tokens, n));
            let mut k = 0;
            while k < hs.len() {
                if !is_shared(hs[k]) {
                    k += 1;
                    continue;
                }
                let first = k;
                while k < hs.len() && is_shared(hs[k]) {
                    k += 1;
                }
                candidates.clear();
                candidates.extend_from_slice(&hs[first..k]);
                candidates.sort_unstable();
                let Some(key) = candidates.iter().copied().find(|&h| surely_shared(h)) else {
                    continue;
                };
                out.push((
                    key,
                    Run {
                        passage: i as u32,
                        start: ranges[first].0 as u32,
                        end: ranges[k - 1 + n - 1].1 as u32,
                        words: (k - first + n - 1) as u32,
                    },
                ));
            }
        }
        out
    });
    drop(filter);
    drop(shared);
    lap("pass 2 runs found");

    // Groups: runs sorted by key; a group must span two documents. Ranked on cheap summaries
    // (documents, words, position of the first copy); copies' text is built for the kept ones.
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(found.len());
    let mut runs: Vec<Run> = Vec::with_capacity(found.len());
    for (key, run) in found {
        keyed.push((key, runs.len() as u32));
        runs.push(run);
    }
    keyed.sort_unstable();
    let doc_of = |r: u32| passages[runs[r as usize].passage as usize].doc;
    let mut ranked: Vec<(usize, u32, u64, Vec<u32>)> = Vec::new();
    let mut k = 0;
    let mut docs: Vec<u32> = Vec::new();
    while k < keyed.len() {
        let mut end = k + 1;
        while end < keyed.len() && keyed[end].0 == keyed[k].0 {
            end += 1;
        }
        let members = &keyed[k..end];
        k = end;
        docs.clear();
        docs.extend(members.iter().map(|&(_, r)| doc_of(r)));
        docs.sort_unstable();
        docs.dedup();
        if docs.len() < 2 {
            continue;
        }
        let words = members
            .iter()
            .map(|&(_, r)| runs[r as usize].words)
            .min()
            .unwrap_or(0);
        let key = members[0].0;
        let mut members: Vec<u32> = members.iter().map(|&(_, r)| r).collect();
        members.sort_unstable_by_key(|&r| {
            (doc_of(r), runs[r as usize].passage, runs[r as usize].start)
        });
        ranked.push((docs.len(), words, key, members));
    }
    drop(keyed);
    let position = |r: u32| {
        let run = &runs[r as usize];
        let p = &passages[run.passage as usize];
        (names[p.doc as usize].as_str(), p.paragraph, run.start)
    };
    ranked.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then_with(|| position(a.3[0]).cmp(&position(b.3[0])))
    });
    ranked.truncate(limit.unwrap_or(usize::MAX));
    for (_, _, _, members) in &mut ranked {
        members.sort_by(|&a, &b| position(a).cmp(&position(b)));
    }
    lap("groups ranked");

    let manifest = engine.manifest();
    let mut out: Vec<Group> = Vec::with_capacity(ranked.len());
    let mut analyzer = analyzer::exact();
    for (documents, _, key, members) in ranked {
        let (wording, words) = common_wording(&mut analyzer, &runs, &passages, &members, key, n);
        let copies: Vec<(usize, Copy)> = members
            .iter()
            .map(|&i| {
                let r = &runs[i as usize];
                let p = &passages[r.passage as usize];
                let (start, end) = (r.start as usize, r.end as usize);
                let doc = &names[p.doc as usize];
                let entry = manifest.docs.get(doc);
                (
                    r.words as usize,
                    Copy {
                        doc: doc.clone(),
                        title: entry.map_or_else(|| doc.clone(), |e| e.title.clone()),
                        year: entry.and_then(|e| e.year),
                        paragraph: p.paragraph,
                        text: p.text[start..end]
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" "),
                        before: context_before(&p.text[..start], 60),
                        after: context_after(&p.text[end..], 60),
                        start,
                        end,
                    },
                )
            })
            .collect();
        out.push(Group {
            wording,
            words,
            documents,
            copies: copies.into_iter().map(|c| c.1).collect(),
        });
    }
    Ok(out)
}

/// The wording every copy of a group shares: the window that keys the group, extended word
/// by word to the left and right while all copies agree; (text of the first copy, words).
fn common_wording<R: RunSpan>(
    analyzer: &mut TextAnalyzer,
    runs: &[R],
    passages: &[Passage],
    members: &[u32],
    key: u64,
    n: usize,
) -> (String, usize) {
    // Per copy: its text, token hashes, token byte ranges, and where the key window starts.
    type Span<'a> = (&'a str, Vec<u64>, Vec<(usize, usize)>, usize);
    let spans: Vec<Span> = members
        .iter()
        .map(|&r| {
            let (passage, start, end) = runs[r as usize].span();
            let text = &passages[passage].text[start..end];
            let (tokens, ranges) = tokenize(analyzer, text);
            let at = windows(&tokens, n).position(|h| h == key).unwrap_or(0);
            (text, tokens, ranges, at)
        })
        .collect();
    let same = |offset: isize| {
        let mut value = None;
        spans.iter().all(|(_, tokens, _, at)| {
            let i = *at as isize + offset;
            let t = (i >= 0).then(|| tokens.get(i as usize)).flatten();
            match (t, value) {
                (None, _) => false,
                (Some(t), None) => {
                    value = Some(*t);
                    true
                }
                (Some(t), Some(v)) => *t == v,
            }
        })
    };
    let mut left = 0;
    while same(-(left as isize) - 1) {
        left += 1;
    }
    let mut right = 0;
    while same((n + right) as isize) {
        right += 1;
    }
    let (text, _, ranges, at) = &spans[0];
    if ranges.is_empty() {
        return (String::new(), 0);
    }
    let first = at - left;
    let last = (at + n + right - 1).min(ranges.len() - 1);
    let wording = text[ranges[first].0..ranges[last].1]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (wording, last + 1 - first)
}

/// Where a run stands: (passage, start, end).
trait RunSpan {
    fn span(&self) -> (usize, usize, usize);
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
