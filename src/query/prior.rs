//! The length prior as a query wrapper: each passage's score is multiplied by
//! [`length_prior`](super::search::length_prior) of its length, read from the `len` fast field.
//!
//! Done as a collector tweak, the prior forced tantivy to score every matching passage. As a
//! query, it keeps tantivy's pruning (block-max WAND for words): the prior never raises a
//! score, so a block whose BM25 upper bound is under the k-th best prior-adjusted score cannot
//! hold a better passage, and skipping it is still exact.

use super::search::length_prior;
use tantivy::columnar::Column;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// A query whose scores are multiplied by the passage length prior.
#[derive(Debug)]
pub struct WithPrior(pub Box<dyn Query>);

impl Clone for WithPrior {
    fn clone(&self) -> Self {
        WithPrior(self.0.box_clone())
    }
}

impl Query for WithPrior {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PriorWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct PriorWeight(Box<dyn Weight>);

/// The passage lengths of a segment; `None` in an index without them (every prior is 1).
fn lengths(reader: &SegmentReader) -> Option<Column<u64>> {
    reader.fast_fields().u64("len").ok()
}

fn prior(lengths: &Option<Column<u64>>, doc: DocId) -> Score {
    match lengths {
        Some(column) => length_prior(column.first(doc).unwrap_or(u64::MAX)),
        None => 1.0,
    }
}

impl Weight for PriorWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(PriorScorer {
            inner: self.0.scorer(reader, boost)?,
            lengths: lengths(reader),
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.0.explain(reader, doc)?;
        let factor = prior(&lengths(reader), doc);
        let mut explanation = Explanation::new("length prior", inner.value() * factor);
        explanation.add_const("prior", factor);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.0.count(reader)
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.0.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let lengths = lengths(reader);
        let mut current = threshold;
        // The inner query prunes against `current`, a threshold on adjusted scores; raw
        // scores are never below adjusted ones, so what it skips could not have qualified.
        self.0
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                let adjusted = score * prior(&lengths, doc);
                if adjusted > current {
                    current = callback(doc, adjusted);
                }
                current
            })
    }
}

struct PriorScorer {
    inner: Box<dyn Scorer>,
    lengths: Option<Column<u64>>,
}

impl DocSet for PriorScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for PriorScorer {
    fn score(&mut self) -> Score {
        let doc = self.inner.doc();
        self.inner.score() * prior(&self.lengths, doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::testing::ram_writer;
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, FAST, TEXT};
    use tantivy::{doc, Index};

    /// The pruned top 10 with the prior equals exhaustive scoring (BM25 of every match times
    /// its prior), on enough passages for block-max WAND to skip blocks.
    #[test]
    fn pruned_top_k_equals_exhaustive_scoring() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let len = builder.add_u64_field("len", FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = ram_writer(&index);
        for i in 0..2000u64 {
            // Varied term frequencies and lengths, short passages among them.
            let body = format!(
                "{} {}",
                "kronstadt ".repeat((i % 7) as usize + 1),
                "filler ".repeat((i * 37 % 120) as usize)
            );
            let bytes = body.len() as u64;
            writer
                .add_document(doc!(text => body, len => bytes))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = TermQuery::new(
            Term::from_field_text(text, "kronstadt"),
            IndexRecordOption::WithFreqs,
        );
        let pruned = searcher
            .search(
                &WithPrior(Box::new(term.clone())),
                &TopDocs::with_limit(10).order_by_score(),
            )
            .unwrap();
        let all = searcher
            .search(&term, &TopDocs::with_limit(5000).order_by_score())
            .unwrap();
        let lens = searcher.segment_reader(0).fast_fields().u64("len").unwrap();
        let mut exhaustive: Vec<(Score, DocId)> = all
            .iter()
            .map(|(s, a)| {
                let n = lens.first(a.doc_id).unwrap();
                (s * length_prior(n), a.doc_id)
            })
            .collect();
        exhaustive.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let pruned: Vec<(Score, DocId)> = pruned.iter().map(|(s, a)| (*s, a.doc_id)).collect();
        assert_eq!(pruned, exhaustive[..10].to_vec());
        assert!(exhaustive[0].0 > exhaustive[9].0);
    }
}
