//! Searching: a parsed query becomes a tantivy query, the top passages are ranked by BM25
//! (ties broken by document and passage order), and each hit is filled with its stored text,
//! its document's metadata (from the manifest), its highlights and its neighbouring passages.

use super::guard::{ForwardOnly, PresentOnly};
use super::highlight::{highlight, Targets};
use super::parse::{parse, year_value, Expr, Leaf, QField};
use super::phrase::PrunedPhrase;
use super::prior::WithPrior;
use super::restrict::Restricted;
use super::topk::top_k;
use super::word::WordQuery;
use crate::error::{Error, Result};
use crate::index::{analyzer, manifest::Manifest, schema::doc_key, Fields, Opened};
use serde::Serialize;
use std::ops::Bound;
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::document::{
    DeserializeError, DocumentDeserialize, DocumentDeserializer, ValueDeserialize,
    ValueDeserializer, ValueVisitor,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher};

/// Weight of a match in a section heading, relative to one in the passage text.
pub const SECTION_WEIGHT: f32 = 0.3;

/// Passages at least this long (bytes) are ranked on BM25 alone.
pub const PRIOR_FULL_CHARS: u64 = 400;

/// A prior against fragments: BM25 favours short passages, so a caption ("Leon Trotsky") or a
/// heading-sized scrap would outrank the passages that discuss the word. Passages shorter than
/// [`PRIOR_FULL_CHARS`] have their score scaled by the square root of their relative length.
pub fn length_prior(len: u64) -> f32 {
    ((len.min(PRIOR_FULL_CHARS) as f32 / PRIOR_FULL_CHARS as f32).sqrt()).max(0.1)
}

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub query: String,
    pub limit: usize,
    pub context: usize,
    pub author: Option<String>,
    pub year: Option<String>,
    pub doc: Option<String>,
    /// `--like DOC:PARAGRAPH`: rank by similarity to that passage (the query may be empty).
    pub like: Option<String>,
}

/// One ranked passage with its context, ready to print.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub doc: String,
    pub title: String,
    pub author: Option<String>,
    pub year: Option<i64>,
    pub section: Option<String>,
    pub paragraph: u64,
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
    pub before: Vec<String>,
    pub after: Vec<String>,
    /// For `similar` and `--like`: the distinctive words this passage shares with the given
    /// one, most distinctive first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<Vec<String>>,
}

/// An opened index, ready to answer queries.
pub struct Engine {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// Loaded on first use (facets, similar, quotes, prefix ids, `docs`): a plain search
    /// does not need it, and on a large corpus it is the slowest thing to read.
    manifest: std::cell::OnceCell<Manifest>,
    dir: std::path::PathBuf,
    pub(crate) exact: TextAnalyzer,
    pub(crate) stemmed: TextAnalyzer,
}

/// A stored passage.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub doc: String,
    pub section: Option<String>,
    pub paragraph: u64,
    pub ord: u64,
    pub text: String,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub year: Option<i64>,
}

/// Which candidate passages a search may return, by document id and passage ordinal.
pub(crate) type Keep<'a> = &'a dyn Fn(&str, u64) -> bool;

/// A passage's document id and ordinal: how hits with equal scores are ordered.
type SortKey = (String, u64);

/// The fast-field columns a search reads for its hits, opened once per segment.
struct Columns<'a> {
    searcher: &'a Searcher,
    doc_field: Field,
    segments: Vec<Option<SegmentColumns>>,
}

struct SegmentColumns {
    ord: Column<u64>,
    doc_key: Column<u64>,
    doc: Option<StrColumn>,
    /// The term dictionary of the indexed `doc` field, when it holds the same terms as the
    /// `doc` column's dictionary (and so the same ordinals: both are the segment's distinct
    /// document ids in byte order). Its FST gives an ordinal's id in a few steps, where the
    /// column's dictionary decompresses a zstd block with a fresh context each time (about
    /// 14 µs; a tie among 40 candidates on the 1 GB corpus cost half a millisecond).
    doc_terms: Option<std::sync::Arc<tantivy::InvertedIndexReader>>,
}

impl<'a> Columns<'a> {
    fn new(searcher: &'a Searcher, doc_field: Field) -> Self {
        Columns {
            searcher,
            doc_field,
            segments: std::iter::repeat_with(|| None)
                .take(searcher.segment_readers().len())
                .collect(),
        }
    }

    fn segment(&mut self, segment_ord: u32) -> Result<&SegmentColumns> {
        let slot = &mut self.segments[segment_ord as usize];
        if slot.is_none() {
            let segment = self.searcher.segment_reader(segment_ord);
            let fast = segment.fast_fields();
            let doc = fast.str("doc")?;
            let doc_terms = match &doc {
                Some(column) => {
                    let terms = segment.inverted_index(self.doc_field)?;
                    let same = terms.terms().num_terms() as u64 == column.num_terms() as u64;
                    same.then_some(terms)
                }
                None => None,
            };
            *slot = Some(SegmentColumns {
                ord: fast.u64("ord")?,
                doc_key: fast.u64("doc_key")?,
                doc,
                doc_terms,
            });
        }
        Ok(slot.as_ref().expect("opened above"))
    }

    /// The document id and passage ordinal of a hit (its sort key).
    fn sort_key(&mut self, addr: DocAddress) -> Result<SortKey> {
        let columns = self.segment(addr.segment_ord)?;
        let ord = columns.ord.first(addr.doc_id).unwrap_or(0);
        let mut doc = String::new();
        if let Some(column) = &columns.doc {
            if let Some(term_ord) = column.term_ords(addr.doc_id).next() {
                match &columns.doc_terms {
                    Some(terms) => {
                        let mut bytes = Vec::new();
                        terms
                            .terms()
                            .ord_to_term(term_ord, &mut bytes)
                            .map_err(|e| Error::Tantivy(e.into()))?;
                        doc = String::from_utf8_lossy(&bytes).into_owned();
                    }
                    None => {
                        column
                            .ord_to_str(term_ord, &mut doc)
                            .map_err(|e| Error::Tantivy(e.into()))?;
                    }
                }
            }
        }
        Ok((doc, ord))
    }
}

impl Stored {
    /// Moves the values of a passage read from the store into their places.
    pub(crate) fn from_raw(f: &Fields, raw: RawStored) -> Self {
        let mut out = Stored {
            doc: String::new(),
            section: None,
            paragraph: 0,
            ord: 0,
            text: String::new(),
            title: None,
            authors: Vec::new(),
            year: None,
        };
        for (field, value) in raw.0 {
            match value {
                StoredValue::Str(s) if field == f.text => out.text = s,
                StoredValue::Str(s) if field == f.doc => out.doc = s,
                StoredValue::Str(s) if field == f.section => out.section = Some(s),
                StoredValue::Str(s) if field == f.title => out.title = Some(s),
                StoredValue::Str(s) if field == f.author => out.authors.push(s),
                StoredValue::U64(n) if field == f.paragraph => out.paragraph = n,
                StoredValue::U64(n) if field == f.ord => out.ord = n,
                StoredValue::I64(n) if field == f.year => out.year = Some(n),
                _ => {}
            }
        }
        out
    }
}

/// A passage's stored values as they come out of the store. Reading into this instead of a
/// `TantivyDocument` moves each string once, straight into [`Stored`], rather than building
/// tantivy's generic document and copying every string out of it again.
pub(crate) struct RawStored(Vec<(Field, StoredValue)>);

/// The kinds of value the schema stores.
pub(crate) enum StoredValue {
    Str(String),
    U64(u64),
    I64(i64),
    Other,
}

impl DocumentDeserialize for RawStored {
    fn deserialize<'de, D>(mut deserializer: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut values = Vec::with_capacity(deserializer.size_hint());
        while let Some(entry) = deserializer.next_field::<StoredValue>()? {
            values.push(entry);
        }
        Ok(RawStored(values))
    }
}

impl ValueDeserialize for StoredValue {
    fn deserialize<'de, D>(deserializer: D) -> Result<Self, DeserializeError>
    where
        D: ValueDeserializer<'de>,
    {
        deserializer.deserialize_any(StoredVisitor)
    }
}

struct StoredVisitor;

impl ValueVisitor for StoredVisitor {
    type Value = StoredValue;

    fn visit_null(&self) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
    fn visit_string(&self, s: String) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Str(s))
    }
    fn visit_u64(&self, n: u64) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::U64(n))
    }
    fn visit_i64(&self, n: i64) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::I64(n))
    }
    fn visit_f64(&self, _: f64) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
    fn visit_bool(&self, _: bool) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
}

impl Engine {
    /// Wraps an opened index.
    pub fn new(opened: Opened) -> Result<Self> {
        let reader = opened
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Engine {
            index: opened.index,
            reader,
            fields: opened.fields,
            manifest: opened
                .manifest
                .map(std::cell::OnceCell::from)
                .unwrap_or_default(),
            dir: opened.dir,
            exact: analyzer::exact(),
            stemmed: analyzer::stemmed(),
        })
    }

    /// The manifest of the index.
    pub fn manifest(&self) -> &Manifest {
        self.manifest
            .get_or_init(|| Manifest::load(&self.dir).ok().flatten().unwrap_or_default())
    }

    /// The tantivy index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    pub(crate) fn analyze(&mut self, text: &str, stem: bool) -> Vec<String> {
        let a = if stem {
            &mut self.stemmed
        } else {
            &mut self.exact
        };
        analyzer::tokens(a, text).into_iter().map(|t| t.0).collect()
    }

    fn text_query(
        &self,
        field: tantivy::schema::Field,
        tokens: &[String],
        slop: u32,
    ) -> Box<dyn Query> {
        self.present_only(field, self.field_query(field, tokens, slop))
    }

    /// Wraps a query on a field that whole segments may lack (see [`PresentOnly`]): section
    /// (documents without headings), author (documents without one) and title (a catalogue
    /// may leave it empty). Passage text is in every segment and is left as it is.
    fn present_only(&self, field: Field, query: Box<dyn Query>) -> Box<dyn Query> {
        let f = self.fields;
        if field == f.section || field == f.author || field == f.title {
            Box::new(PresentOnly { query, field })
        } else {
            query
        }
    }

    fn field_query(
        &self,
        field: tantivy::schema::Field,
        tokens: &[String],
        slop: u32,
    ) -> Box<dyn Query> {
        match tokens {
            [] => Box::new(EmptyQuery),
            [one] => Box::new(TermQuery::new(
                Term::from_field_text(field, one),
                IndexRecordOption::WithFreqs,
            )),
            many => {
                let terms = many
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (i, Term::from_field_text(field, t)))
                    .collect();
                Box::new(PrunedPhrase::new(terms, slop))
            }
        }
    }

    /// Builds the tantivy query of an expression and collects what to highlight.
    ///
    /// `conjunct` says that the query will be a required or excluded clause next to others (a
    /// conjunction, or a query with filters): a bare word is then a [`WordQuery`], whose
    /// scorer is cheaper to intersect than the boolean query tantivy prunes best alone.
    fn build(
        &mut self,
        expr: &Expr,
        negated: bool,
        conjunct: bool,
        targets: &mut Targets,
    ) -> Result<Option<Box<dyn Query>>> {
        let f = self.fields;
        Ok(Some(match expr {
            Expr::Leaf(Leaf::Word(w)) => {
                let exact = self.analyze(w, false);
                if exact.len() > 1 {
                    if !negated {
                        targets.phrases.push((exact.clone(), 0));
                    }
                    return Ok(Some(self.text_query(f.text, &exact, 0)));
                }
                let stems = self.analyze(w, true);
                let Some(stem) = stems.first() else {
                    return Ok(None);
                };
                if !negated {
                    targets.stems.push(stem.clone());
                }
                let term = |field| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, stem),
                        IndexRecordOption::WithFreqs,
                    )) as Box<dyn Query>
                };
                let section: Box<dyn Query> = Box::new(BoostQuery::new(
                    self.present_only(f.section, term(f.section)),
                    SECTION_WEIGHT,
                ));
                if conjunct {
                    Box::new(WordQuery {
                        text: term(f.text_stem),
                        section,
                    })
                } else {
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Should, term(f.text_stem)),
                        (Occur::Should, section),
                    ]))
                }
            }
            Expr::Leaf(Leaf::Phrase(p, slop)) => {
                let exact = self.analyze(p, false);
                if exact.is_empty() {
                    return Ok(None);
                }
                if !negated {
                    targets.phrases.push((exact.clone(), *slop));
                }
                self.text_query(f.text, &exact, *slop)
            }
            Expr::Leaf(Leaf::Field {
                field,
                text,
                phrase,
            }) => match field {
                QField::Doc => self.doc_filter(text),
                QField::Year => {
                    return self.build(&Expr::Leaf(year_value(text)?), negated, conjunct, targets)
                }
                QField::Title | QField::Author => {
                    let target = if *field == QField::Title {
                        f.title
                    } else {
                        f.author
                    };
                    let tokens = self.analyze(text, false);
                    if tokens.is_empty() {
                        return Ok(None);
                    }
                    if *phrase {
                        self.text_query(target, &tokens, 0)
                    } else {
                        let clauses = tokens
                            .iter()
                            .map(|t| {
                                (
                                    Occur::Must,
                                    self.text_query(target, std::slice::from_ref(t), 0),
                                )
                            })
                            .collect();
                        Box::new(BooleanQuery::new(clauses))
                    }
                }
            },
            Expr::Leaf(Leaf::Years(lo, hi)) => Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(f.year, *lo)),
                Bound::Included(Term::from_field_i64(f.year, *hi)),
            )),
            Expr::Not(inner) => {
                let q = self
                    .build(inner, !negated, true, targets)?
                    .unwrap_or_else(|| Box::new(EmptyQuery));
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery)),
                    (Occur::MustNot, Box::new(ForwardOnly(q))),
                ]))
            }
            Expr::And(items) => {
                // A lone required clause next to exclusions prunes on its own (Restricted), so
                // it is built as it would be alone.
                let required = items.iter().filter(|i| !matches!(i, Expr::Not(_))).count();
                let mut musts: Vec<Box<dyn Query>> = Vec::new();
                let mut nots: Vec<Box<dyn Query>> = Vec::new();
                for item in items {
                    let (excluded, inner) = match item {
                        Expr::Not(inner) => (true, inner.as_ref()),
                        other => (false, other),
                    };
                    let conjunct = excluded || required > 1;
                    if let Some(q) = self.build(inner, negated ^ excluded, conjunct, targets)? {
                        if excluded {
                            nots.push(Box::new(ForwardOnly(q)));
                        } else {
                            musts.push(q);
                        }
                    }
                }
                if musts.is_empty() && nots.is_empty() {
                    return Ok(None);
                }
                if musts.is_empty() {
                    musts.push(Box::new(AllQuery));
                }
                if musts.len() == 1 && !nots.is_empty() {
                    Box::new(Restricted {
                        main: musts.remove(0),
                        required: Vec::new(),
                        excluded: nots,
                    })
                } else {
                    let clauses = musts
                        .into_iter()
                        .map(|q| (Occur::Must, q))
                        .chain(nots.into_iter().map(|q| (Occur::MustNot, q)))
                        .collect();
                    Box::new(BooleanQuery::new(clauses))
                }
            }
            Expr::Or(items) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for item in items {
                    let Some(q) = self.build(item, negated, false, targets)? else {
                        continue;
                    };
                    // A union inside the union (a bare word: text or heading) is spread into
                    // it: the same matches and sums, and tantivy can then prune a union of
                    // term queries with block-max WAND instead of scoring every passage.
                    match q.downcast_ref::<BooleanQuery>() {
                        Some(inner) if inner.clauses().iter().all(|(o, _)| *o == Occur::Should) => {
                            clauses
                                .extend(inner.clauses().iter().map(|(o, c)| (*o, c.box_clone())));
                        }
                        _ => clauses.push((Occur::Should, q)),
                    }
                }
                if clauses.is_empty() {
                    return Ok(None);
                }
                Box::new(BooleanQuery::new(clauses))
            }
        }))
    }

    /// The document ids a user's `ID` names: itself when the index has it (checked in the
    /// term dictionary, without the manifest), otherwise every id that starts with it.
    pub(crate) fn doc_ids(&self, id: &str) -> Vec<String> {
        let exact = self
            .reader
            .searcher()
            .doc_freq(&Term::from_field_text(self.fields.doc, id))
            .unwrap_or(0)
            > 0;
        if exact {
            return vec![id.to_owned()];
        }
        self.manifest()
            .docs
            .keys()
            .filter(|k| k.starts_with(id))
            .cloned()
            .collect()
    }

    /// `doc:ID` and `--doc ID`: an exact id, or every id that starts with it.
    pub(crate) fn doc_filter(&self, id: &str) -> Box<dyn Query> {
        let term = |k: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.doc, k),
                IndexRecordOption::Basic,
            ))
        };
        match self.doc_ids(id).as_slice() {
            [] => Box::new(EmptyQuery),
            [one] => term(one),
            many => Box::new(BooleanQuery::new(
                many.iter().map(|k| (Occur::Should, term(k))).collect(),
            )),
        }
    }

    /// Builds the whole query of a request: the parsed query plus its filters, which match
    /// without adding to the score.
    pub fn plan(&mut self, request: &Request) -> Result<(Box<dyn Query>, Targets)> {
        let expr = parse(&request.query)?;
        let mut targets = Targets::default();
        let filters = self.filters(request)?;
        let main = self
            .build(&expr, false, false, &mut targets)?
            .ok_or_else(|| {
                Error::Query("the query has no searchable words (only punctuation?)".into())
            })?;
        if filters.is_empty() {
            // Alone, the query keeps its own top-k pruning (block-max WAND for words,
            // PrunedPhrase for phrases), which a boolean wrapper would hide.
            return Ok((main, targets));
        }
        // So it does next to filters, which are checked on the passages it proposes.
        let required = filters.into_iter().map(|(_, q)| q).collect();
        Ok((
            Box::new(Restricted {
                main,
                required,
                excluded: Vec::new(),
            }),
            targets,
        ))
    }

    /// The `--author`, `--year` and `--doc` filters of a request, as clauses that match
    /// without adding to the score.
    pub(crate) fn filters(&mut self, request: &Request) -> Result<Vec<(Occur, Box<dyn Query>)>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(author) = &request.author {
            let tokens = self.analyze(author, false);
            if tokens.is_empty() {
                return Err(Error::Query(format!(
                    "--author '{author}' has no words to match"
                )));
            }
            let any = tokens
                .iter()
                .map(|t| {
                    (
                        Occur::Should,
                        self.text_query(self.fields.author, std::slice::from_ref(t), 0),
                    )
                })
                .collect();
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0)),
            ));
        }
        if let Some(year) = &request.year {
            let Leaf::Years(lo, hi) = year_value(year).map_err(|_| {
                Error::Query(format!(
                    "bad --year '{year}'; write --year 1938 or --year 1930..1940"
                ))
            })?
            else {
                unreachable!("year_value returns years")
            };
            let range = RangeQuery::new(
                Bound::Included(Term::from_field_i64(self.fields.year, lo)),
                Bound::Included(Term::from_field_i64(self.fields.year, hi)),
            );
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(range), 0.0)),
            ));
        }
        if let Some(doc) = &request.doc {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(self.doc_filter(doc), 0.0)),
            ));
        }
        Ok(clauses)
    }

    /// Runs a request and returns its hits, best first.
    pub fn search(&mut self, request: &Request) -> Result<Vec<Hit>> {
        if request.like.is_some() {
            return self.search_like(request);
        }
        let (query, targets) = self.plan(request)?;
        self.run(&*query, &targets, request, None)
    }

    /// Ranks the passages matching `query`, keeps those `keep` accepts, and fills the best
    /// `request.limit` with text, context and highlights.
    pub(crate) fn run(
        &mut self,
        query: &dyn Query,
        targets: &Targets,
        request: &Request,
        keep: Option<Keep>,
    ) -> Result<Vec<Hit>> {
        let limit = request.limit.max(1);
        let searcher = self.reader.searcher();
        // Ranked with the length prior folded into the query, so that tantivy can still prune.
        let query = WithPrior(query.box_clone());
        let top = top_k(&searcher, &query, limit + 32)?;
        // Ties are broken by document id and passage order, read from fast fields (so that
        // only the passages shown are fetched from the store). Keys are read only where they
        // are needed: for every candidate when some are to be left out, otherwise only for
        // candidates whose score ties with another's.
        let mut columns = Columns::new(&searcher, self.fields.doc);
        let mut ranked: Vec<(f32, Option<SortKey>, DocAddress)> = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let key = match &keep {
                Some(keep) => {
                    let (doc, ord) = columns.sort_key(addr)?;
                    if !keep(&doc, ord) {
                        continue;
                    }
                    Some((doc, ord))
                }
                None => None,
            };
            ranked.push((score, key, addr));
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut start = 0;
        while start < ranked.len() {
            let score = ranked[start].0;
            let end = start
                + ranked[start..]
                    .iter()
                    .take_while(|r| r.0.total_cmp(&score).is_eq())
                    .count();
            if end - start > 1 {
                for entry in &mut ranked[start..end] {
                    if entry.1.is_none() {
                        entry.1 = Some(columns.sort_key(entry.2)?);
                    }
                }
                ranked[start..end].sort_by(|a, b| a.1.cmp(&b.1));
            }
            start = end;
        }
        ranked.truncate(limit);
        let mut found = Vec::with_capacity(ranked.len());
        for (score, _, addr) in ranked {
            found.push((score, addr, self.stored(&searcher, addr)?));
        }
        let mut hits = Vec::with_capacity(found.len());
        for (rank, (score, addr, stored)) in found.into_iter().enumerate() {
            let (before, after) =
                self.context(&searcher, &mut columns, addr, &stored, request.context)?;
            let highlights = highlight(&stored.text, targets, &mut self.stemmed);
            hits.push(Hit {
                rank: rank + 1,
                score,
                title: stored.title.unwrap_or_else(|| stored.doc.clone()),
                author: Some(stored.authors.join(" and ")).filter(|a| !a.is_empty()),
                year: stored.year,
                doc: stored.doc,
                section: stored.section,
                paragraph: stored.paragraph,
                text: stored.text,
                highlights,
                before,
                after,
                shared: None,
            });
        }
        Ok(hits)
    }

    pub(crate) fn stored(&self, searcher: &Searcher, addr: DocAddress) -> Result<Stored> {
        let raw: RawStored = searcher.doc(addr)?;
        Ok(Stored::from_raw(&self.fields, raw))
    }

    /// The `n` passages before and after a hit. A document's passages sit together and in
    /// order in one segment (they are added as one group), so neighbours are found by doc id
    /// arithmetic and checked against the `doc_key` and `ord` fast fields.
    fn context(
        &self,
        searcher: &Searcher,
        columns: &mut Columns,
        addr: DocAddress,
        hit: &Stored,
        n: usize,
    ) -> Result<(Vec<String>, Vec<String>)> {
        if n == 0 {
            return Ok((vec![], vec![]));
        }
        let segment = searcher.segment_reader(addr.segment_ord);
        let SegmentColumns {
            ord: ords,
            doc_key: keys,
            ..
        } = columns.segment(addr.segment_ord)?;
        let key = doc_key(&hit.doc);
        let max = segment.max_doc();
        let neighbour = |delta: i64| -> Option<u32> {
            let id = i64::from(addr.doc_id) + delta;
            let ord = hit.ord as i64 + delta;
            if id < 0 || id >= i64::from(max) || ord < 0 {
                return None;
            }
            let id = id as u32;
            let same = keys.first(id) == Some(key)
                && ords.first(id) == Some(ord as u64)
                && !segment.is_deleted(id);
            same.then_some(id)
        };
        let mut before = Vec::new();
        for k in (1..=n as i64).rev() {
            if let Some(id) = neighbour(-k) {
                before.push(
                    self.stored(searcher, DocAddress::new(addr.segment_ord, id))?
                        .text,
                );
            }
        }
        let mut after = Vec::new();
        for k in 1..=n as i64 {
            match neighbour(k) {
                Some(id) => after.push(
                    self.stored(searcher, DocAddress::new(addr.segment_ord, id))?
                        .text,
                ),
                None => break,
            }
        }
        Ok((before, after))
    }
}
