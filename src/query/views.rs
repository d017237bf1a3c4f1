//! Research views over the same queries: concordance lines (KWIC), hit counts by author and
//! year from fast fields (facets and the timeline), and passages similar to a given one.

use super::highlight::Targets;
use super::search::{Engine, Hit, Request};
use crate::error::{Error, Result};
use crate::index::analyzer;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Most passages a concordance reads.
pub const KWIC_MAX_PASSAGES: usize = 100_000;

/// One occurrence of a match, with its left and right context.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Occurrence {
    pub doc: String,
    pub year: Option<i64>,
    pub paragraph: u64,
    /// Rank of its passage in the search.
    pub rank: usize,
    pub left: String,
    #[serde(rename = "match")]
    pub matched: String,
    pub right: String,
    /// Byte range of the match in the passage text.
    pub start: usize,
    pub end: usize,
}

/// How concordance lines are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KwicSort {
    /// By the rank of the passage, then position.
    #[default]
    Rank,
    /// By the words before the match, nearest first (AntConc's L1, L2…).
    Left,
    /// By the words after the match (R1, R2…).
    Right,
    Doc,
    Year,
}

/// Collapses runs of whitespace (the paragraph breaks inside a passage) into single spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The last `n` characters of `s`.
fn last_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    s.chars().skip(count.saturating_sub(n)).collect()
}

/// Folded words of a context, for sorting.
fn folded_words(s: &str) -> Vec<String> {
    s.split(|c: char| !analyzer::is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(analyzer::fold)
        .collect()
}

impl Engine {
    /// Concordance lines: every highlighted occurrence in the matching passages, with `width`
    /// characters of context on each side, sorted as asked. `request.limit` bounds the lines.
    pub fn kwic(
        &mut self,
        request: &Request,
        width: usize,
        sort: KwicSort,
    ) -> Result<Vec<Occurrence>> {
        let all = Request {
            limit: KWIC_MAX_PASSAGES,
            context: 0,
            ..request.clone()
        };
        let hits = self.search(&all)?;
        let mut lines = Vec::new();
        for hit in &hits {
            for &(start, end) in &hit.highlights {
                let left = one_line(&hit.text[..start]);
                let right = one_line(&hit.text[end..]);
                let gap_left = hit.text[..start].ends_with(char::is_whitespace);
                let gap_right = hit.text[end..].starts_with(char::is_whitespace);
                let mut left = last_chars(&left, width.saturating_sub(usize::from(gap_left)));
                if gap_left && !left.is_empty() {
                    left.push(' ');
                }
                let mut right: String = right
                    .chars()
                    .take(width.saturating_sub(usize::from(gap_right)))
                    .collect();
                if gap_right && !right.is_empty() {
                    right.insert(0, ' ');
                }
                lines.push(Occurrence {
                    doc: hit.doc.clone(),
                    year: hit.year,
                    paragraph: hit.paragraph,
                    rank: hit.rank,
                    left,
                    matched: one_line(&hit.text[start..end]),
                    right,
                    start,
                    end,
                });
            }
        }
        let position = |o: &Occurrence| (o.doc.clone(), o.paragraph, o.start);
        match sort {
            KwicSort::Rank => {}
            KwicSort::Left => lines.sort_by_cached_key(|o| {
                let mut words = folded_words(&o.left);
                words.reverse();
                (words, position(o))
            }),
            KwicSort::Right => lines.sort_by_cached_key(|o| (folded_words(&o.right), position(o))),
            KwicSort::Doc => lines.sort_by_key(position),
            KwicSort::Year => lines.sort_by_key(|o| (o.year.is_none(), o.year, position(o))),
        }
        lines.truncate(request.limit.max(1));
        Ok(lines)
    }

    /// Hit counts over every matching passage, per document, read from the `doc` fast field
    /// (no stored document is fetched), then summed by author and year from the manifest.
    pub fn facets(&mut self, request: &Request) -> Result<Facets> {
        let (query, _) = self.plan(request)?;
        let searcher = self.reader.searcher();
        let per_doc = searcher.search(&*query, &DocCounts)?;
        Ok(Facets::from_doc_counts(&per_doc, self.manifest()))
    }

    /// Finds a passage by `DOC:PARAGRAPH` (an id or its start, and a paragraph number as shown
    /// in hits: the passage holding that paragraph).
    fn find_passage(&mut self, target: &str) -> Result<(DocAddress, String, u64, String)> {
        let (id, paragraph) = target
            .rsplit_once([':', '¶'])
            .and_then(|(d, p)| Some((d.trim_end_matches(['¶', ' ']), p.trim().parse::<u64>().ok()?)))
            .ok_or_else(|| {
                Error::Query(format!(
                    "bad passage '{target}'; write DOC:PARAGRAPH, for example 001_862357227f09bacf:12 (the [doc ¶n] of a hit)"
                ))
            })?;
        let ids = self.doc_ids(id);
        let doc = match ids.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(Error::Query(format!(
                    "no document '{id}' in the index; `serge docs` lists them"
                )))
            }
            many => {
                return Err(Error::Query(format!(
                    "'{id}' names {} documents ({}, …); give more of the id",
                    many.len(),
                    many[..2].join(", ")
                )))
            }
        };
        let paragraphs = self.manifest().docs.get(&doc).map_or(0, |e| e.paragraphs);
        if paragraph == 0 || paragraph > paragraphs {
            return Err(Error::Query(format!(
                "document {doc} has paragraphs 1 to {paragraphs}, not {paragraph}"
            )));
        }
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.doc, &doc),
            IndexRecordOption::Basic,
        );
        let addrs = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
        let mut best: Option<(u64, DocAddress, u64, String)> = None;
        let mut first = u64::MAX;
        for addr in addrs {
            let passage = self.stored(&searcher, addr)?;
            let p = passage.paragraph;
            first = first.min(p);
            if p <= paragraph && best.as_ref().is_none_or(|b| p > b.0) {
                best = Some((p, addr, passage.ord, passage.text));
            }
        }
        match best {
            Some((_, addr, ord, text)) => Ok((addr, doc, ord, text)),
            None => Err(Error::Query(format!(
                "document {doc} has no paragraph {paragraph}; its passages start at ¶{}",
                if first == u64::MAX { 1 } else { first }
            ))),
        }
    }

    /// The distinctive terms of a text (stemmed), weighted by tf × idf over the passages,
    /// most distinctive first. Words that occur in only one passage, or in more than a fifth
    /// of all passages, say nothing about similarity and are left out.
    fn distinctive_terms(&mut self, text: &str, max: usize) -> Result<Vec<(String, f32)>> {
        let searcher = self.reader.searcher();
        let n = searcher.num_docs().max(1) as f32;
        let mut tf: HashMap<String, u32> = HashMap::new();
        for (t, _, _) in analyzer::tokens(&mut self.stemmed, text) {
            if t.chars().count() >= 3 && !t.chars().all(|c| c.is_ascii_digit()) {
                *tf.entry(t).or_default() += 1;
            }
        }
        let mut weighted = Vec::with_capacity(tf.len());
        for (term, count) in tf {
            let df =
                searcher.doc_freq(&Term::from_field_text(self.fields.text_stem, &term))? as f32;
            if df < 2.0 || df > n / 5.0 {
                continue;
            }
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            weighted.push((term, (1.0 + (count as f32).ln()) * idf));
        }
        weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        weighted.truncate(max);
        Ok(weighted)
    }

    /// `similar` and `search --like`: passages ranked by the weighted distinctive terms of a
    /// given passage (more-like-this), excluding the passage and its neighbours (two either
    /// side); each hit says which of those words it shares. A query, if given, must match too.
    pub fn search_like(&mut self, request: &Request) -> Result<Vec<Hit>> {
        let target = request.like.clone().unwrap_or_default();
        let (_, doc, ord, text) = self.find_passage(&target)?;
        let terms = self.distinctive_terms(&text, 25)?;
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let should: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|(t, w)| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.text_stem, t),
                    IndexRecordOption::WithFreqs,
                ));
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(q, *w)) as Box<dyn Query>,
                )
            })
            .collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(should)))];
        let mut targets = Targets {
            stems: terms.iter().map(|(t, _)| t.clone()).collect(),
            phrases: Vec::new(),
        };
        if !request.query.trim().is_empty() {
            let (q, t) = self.plan(&Request {
                like: None,
                ..request.clone()
            })?;
            clauses.push((Occur::Must, q));
            targets.stems.extend(t.stems);
            targets.phrases = t.phrases;
        } else {
            clauses.extend(self.filters(request)?);
        }
        let query = BooleanQuery::new(clauses);
        let mut hits = self.run(
            &query,
            &targets,
            request,
            Some(&|d: &str, o: u64| d != doc || o.abs_diff(ord) > 2),
        )?;
        let rank: HashMap<&str, usize> = terms
            .iter()
            .enumerate()
            .map(|(i, (t, _))| (t.as_str(), i))
            .collect();
        for hit in &mut hits {
            let mut shared: Vec<(usize, String)> = Vec::new();
            for (stem, from, to) in analyzer::tokens(&mut self.stemmed, &hit.text) {
                if let Some(&r) = rank.get(stem.as_str()) {
                    if !shared.iter().any(|(k, _)| *k == r) {
                        shared.push((r, hit.text[from..to].to_lowercase()));
                    }
                }
            }
            shared.sort();
            hit.shared = Some(shared.into_iter().map(|(_, w)| w).collect());
        }
        Ok(hits)
    }
}

/// Passage counts per document id.
struct DocCounts;

struct DocCountsSegment {
    column: Option<tantivy::columnar::StrColumn>,
    counts: Vec<u64>,
}

impl Collector for DocCounts {
    type Fruit = BTreeMap<String, u64>;
    type Child = DocCountsSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let column = segment.fast_fields().str("doc")?;
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(DocCountsSegment {
            column,
            counts: vec![0; terms],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<BTreeMap<String, u64>>) -> tantivy::Result<Self::Fruit> {
        let mut all = BTreeMap::new();
        for fruit in fruits {
            for (doc, n) in fruit {
                *all.entry(doc).or_insert(0) += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for DocCountsSegment {
    type Fruit = BTreeMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(column) = &self.column {
            if let Some(ord) = column.term_ords(doc).next() {
                if let Some(c) = self.counts.get_mut(ord as usize) {
                    *c += 1;
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = BTreeMap::new();
        if let Some(column) = &self.column {
            for (ord, &n) in self.counts.iter().enumerate() {
                let mut id = String::new();
                if n > 0 && column.ord_to_str(ord as u64, &mut id).unwrap_or(false) {
                    out.insert(id, n);
                }
            }
        }
        out
    }
}

/// One bar of a facet: hits (passages) and documents.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct Bucket {
    pub label: String,
    /// For year buckets: the first and last year (equal for single years).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    pub hits: u64,
    pub documents: u64,
}

/// Hit counts of a query by author and by year (or decade).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct Facets {
    pub hits: u64,
    pub documents: u64,
    /// Authors, most hits first (documents without an author count as "unknown author").
    pub authors: Vec<Bucket>,
    /// "year" or "decade".
    pub by: String,
    /// Every year (or decade) from the first to the last with hits, empty ones included.
    pub years: Vec<Bucket>,
    /// Hits in documents without a year.
    pub undated: Bucket,
}

/// Years spread wider than this are counted by decade.
pub const DECADES_AFTER_SPAN: i64 = 30;

impl Facets {
    /// Sums per-document counts by author and year.
    pub fn from_doc_counts(
        per_doc: &BTreeMap<String, u64>,
        manifest: &crate::index::Manifest,
    ) -> Self {
        let mut f = Facets {
            by: "year".into(),
            undated: Bucket {
                label: "n.d.".into(),
                from: None,
                to: None,
                hits: 0,
                documents: 0,
            },
            ..Default::default()
        };
        let mut authors: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let mut years: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
        for (doc, &n) in per_doc {
            f.hits += n;
            f.documents += 1;
            let entry = manifest.docs.get(doc);
            let names = entry.map(|e| e.authors.clone()).unwrap_or_default();
            if names.is_empty() {
                let a = authors.entry("unknown author".into()).or_default();
                a.0 += n;
                a.1 += 1;
            }
            for name in names {
                let a = authors.entry(name).or_default();
                a.0 += n;
                a.1 += 1;
            }
            match entry.and_then(|e| e.year) {
                Some(y) => {
                    let b = years.entry(y).or_default();
                    b.0 += n;
                    b.1 += 1;
                }
                None => {
                    f.undated.hits += n;
                    f.undated.documents += 1;
                }
            }
        }
        f.authors = authors
            .into_iter()
            .map(|(label, (hits, documents))| Bucket {
                label,
                from: None,
                to: None,
                hits,
                documents,
            })
            .collect();
        f.authors
            .sort_by(|a, b| b.hits.cmp(&a.hits).then_with(|| a.label.cmp(&b.label)));
        if let (Some(&lo), Some(&hi)) = (years.keys().next(), years.keys().next_back()) {
            let decades = hi - lo > DECADES_AFTER_SPAN;
            let step = if decades { 10 } else { 1 };
            if decades {
                f.by = "decade".into();
            }
            let start = lo.div_euclid(step) * step;
            let mut y = start;
            while y <= hi {
                let (hits, documents) = years
                    .range(y..y + step)
                    .fold((0, 0), |acc, (_, v)| (acc.0 + v.0, acc.1 + v.1));
                f.years.push(Bucket {
                    label: if decades {
                        format!("{y}s")
                    } else {
                        y.to_string()
                    },
                    from: Some(y),
                    to: Some(y + step - 1),
                    hits,
                    documents,
                });
                y += step;
            }
        }
        f
    }
}
