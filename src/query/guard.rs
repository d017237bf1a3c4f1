//! Wrappers around two costs of tantivy 0.27 that serge's queries would otherwise meet.
//!
//! [`ForwardOnly`] shields a phrase query used as an exclusion (`NOT "…"`, `-"…"`) from a
//! debug assertion in tantivy 0.27's `PhraseScorer::seek_danger`, which fires when an
//! exclusion asks a phrase scorer about a document below the one it stands on (allowed by the
//! `DocSet` contract; see quickwit-oss/tantivy#2811). The wrapper's scorer keeps the default
//! `seek_danger`, which only seeks forward. Release builds were never affected; debug builds
//! (and the fuzzers) are.

use tantivy::index::SegmentId;
use tantivy::query::{
    Bm25StatisticsProvider, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// Moves a docset to its first document at or after `target`, and never backwards: tantivy's
/// `seek` may only be asked for a target at or past the current document.
pub(crate) fn seek_forward<D: DocSet + ?Sized>(docset: &mut D, target: DocId) -> DocId {
    let doc = docset.doc();
    if doc >= target {
        doc
    } else {
        docset.seek(target)
    }
}

/// A query whose scorer seeks its inner scorer only forward.
#[derive(Debug)]
pub struct ForwardOnly(pub Box<dyn Query>);

impl Clone for ForwardOnly {
    fn clone(&self) -> Self {
        ForwardOnly(self.0.box_clone())
    }
}

impl Query for ForwardOnly {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ForwardOnlyWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct ForwardOnlyWeight(Box<dyn Weight>);

impl Weight for ForwardOnlyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ForwardOnlyScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct ForwardOnlyScorer(Box<dyn Scorer>);

impl DocSet for ForwardOnlyScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        seek_forward(self.0.as_mut(), target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for ForwardOnlyScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

/// A query on a field that some segments may hold no postings for (`section`: a segment of
/// documents without headings has none). tantivy answers such a segment with a shared empty
/// term dictionary that it builds on first use, and the FST builder behind it allocates about
/// a megabyte: 0.35 ms of page faults, a sixth of a whole bare-word `serge search` on the
/// bundled corpus. This wrapper finds those segments from the field norms (a passage with a
/// token in the field has a non-zero norm) and gives them an empty scorer without asking
/// tantivy, and computes the field's BM25 statistics over the other segments, which are the
/// same numbers (an absent field adds no tokens and no document frequency).
#[derive(Debug)]
pub struct PresentOnly {
    pub query: Box<dyn Query>,
    pub field: Field,
}

impl Clone for PresentOnly {
    fn clone(&self) -> Self {
        PresentOnly {
            query: self.query.box_clone(),
            field: self.field,
        }
    }
}

/// Whether a segment holds postings for `field`.
fn has_postings(reader: &SegmentReader, field: Field) -> bool {
    match reader.get_fieldnorms_reader(field) {
        Ok(norms) => (0..reader.max_doc()).any(|doc| norms.fieldnorm_id(doc) != 0),
        // Without norms there is no telling; let tantivy look.
        Err(_) => true,
    }
}

/// BM25 statistics for one field summed over the segments that hold it; everything else from
/// the provider it wraps.
struct PresentStatistics<'a> {
    inner: &'a dyn Bm25StatisticsProvider,
    field: Field,
    present: Vec<&'a SegmentReader>,
}

impl Bm25StatisticsProvider for PresentStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if field != self.field {
            return self.inner.total_num_tokens(field);
        }
        let mut total = 0;
        for reader in &self.present {
            total += reader.inverted_index(field)?.total_num_tokens();
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.inner.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if term.field() != self.field {
            return self.inner.doc_freq(term);
        }
        let mut total = 0;
        for reader in &self.present {
            total += u64::from(reader.inverted_index(self.field)?.doc_freq(term)?);
        }
        Ok(total)
    }
}

impl Query for PresentOnly {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let searcher = enable_scoring.searcher();
        let absent: Vec<SegmentId> = searcher
            .map(|s| {
                s.segment_readers()
                    .iter()
                    .filter(|r| !has_postings(r, self.field))
                    .map(SegmentReader::segment_id)
                    .collect()
            })
            .unwrap_or_default();
        let inner = match enable_scoring {
            EnableScoring::Enabled {
                searcher,
                statistics_provider,
            } if !absent.is_empty() => {
                let statistics = PresentStatistics {
                    inner: statistics_provider,
                    field: self.field,
                    present: searcher
                        .segment_readers()
                        .iter()
                        .filter(|r| !absent.contains(&r.segment_id()))
                        .collect(),
                };
                self.query
                    .weight(EnableScoring::enabled_from_statistics_provider(
                        &statistics,
                        searcher,
                    ))?
            }
            other => self.query.weight(other)?,
        };
        Ok(Box::new(PresentWeight { inner, absent }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct PresentWeight {
    inner: Box<dyn Weight>,
    absent: Vec<SegmentId>,
}

impl Weight for PresentWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        if self.absent.contains(&reader.segment_id()) {
            return Ok(Box::new(EmptyScorer));
        }
        self.inner.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.absent.contains(&reader.segment_id()) {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        self.inner.explain(reader, doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::testing::ram_writer;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    /// Over segments with and without the field, the wrapped query finds and scores exactly
    /// what the plain one does.
    #[test]
    fn present_only_scores_like_the_plain_query() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let section = builder.add_text_field("section", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = ram_writer(&index);
        for i in 0..40 {
            writer
                .add_document(doc!(text => format!("kronstadt passage {i}")))
                .unwrap();
        }
        writer.commit().unwrap();
        for i in 0..40 {
            let mut d = doc!(text => format!("another kronstadt passage {i}"));
            if i % 3 == 0 {
                d.add_text(section, "Kronstadt and after");
            }
            writer.add_document(d).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let absent = searcher
            .segment_readers()
            .iter()
            .filter(|r| !has_postings(r, section))
            .count();
        assert_eq!(absent, 1);
        let term = |field| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, "kronstadt"),
                IndexRecordOption::WithFreqs,
            ))
        };
        let plain = BooleanQuery::new(vec![
            (Occur::Should, term(text)),
            (Occur::Should, term(section)),
        ]);
        let wrapped = BooleanQuery::new(vec![
            (Occur::Should, term(text)),
            (
                Occur::Should,
                Box::new(PresentOnly {
                    query: term(section),
                    field: section,
                }),
            ),
        ]);
        let top = TopDocs::with_limit(100).order_by_score();
        let a = searcher.search(&plain, &top).unwrap();
        let b = searcher.search(&wrapped, &top).unwrap();
        assert_eq!(a.len(), 80);
        assert_eq!(a, b);
    }
}
