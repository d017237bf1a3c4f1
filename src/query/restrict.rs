//! A scored query narrowed by clauses that add nothing to its score: filters (`--year`,
//! `--author`, `--doc`) and exclusions (`-Stalin`, `NOT "…"`).
//!
//! As a tantivy `BooleanQuery`, such a query is an intersection (or an exclusion), which
//! tantivy cannot prune: every passage that qualifies is scored. [`Restricted`] scores the
//! same passages the same way, but in top-k collection it lets the scored query prune as if
//! it were alone (block-max WAND for words, [`PrunedPhrase`] for phrases) and checks the
//! filters and exclusions only for the passages that query proposes. A passage that fails them
//! never reaches the collector, so the threshold only rises from passages that qualify, and
//! the top k is exact. When a filter keeps only a small part of a segment, walking the filter
//! and seeking the query is cheaper, and the plain intersection is used there.
//!
//! [`PrunedPhrase`]: super::phrase::PrunedPhrase

use super::guard::seek_forward;
use tantivy::query::{
    intersect_scorers, ConstScorer, EmptyScorer, EnableScoring, Exclude, ExclusionSet, Explanation,
    Query, Scorer, Weight,
};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// Below this share of a segment's passages (one in 32), a filter drives the search instead.
const SELECTIVE_FILTER: u64 = 32;

/// `main`, limited to the passages every `required` query matches and no `excluded` one does.
#[derive(Debug)]
pub struct Restricted {
    pub main: Box<dyn Query>,
    pub required: Vec<Box<dyn Query>>,
    pub excluded: Vec<Box<dyn Query>>,
}

impl Clone for Restricted {
    fn clone(&self) -> Self {
        Restricted {
            main: self.main.box_clone(),
            required: self.required.iter().map(|q| q.box_clone()).collect(),
            excluded: self.excluded.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl Query for Restricted {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // Filters and exclusions only say which passages qualify.
        let unscored = match enable_scoring.searcher() {
            Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
            None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
        };
        let weights = |queries: &[Box<dyn Query>]| -> tantivy::Result<Vec<Box<dyn Weight>>> {
            queries.iter().map(|q| q.weight(unscored)).collect()
        };
        Ok(Box::new(RestrictedWeight {
            main: self.main.weight(enable_scoring)?,
            required: weights(&self.required)?,
            excluded: weights(&self.excluded)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.main.query_terms(visitor);
        for q in self.required.iter().chain(&self.excluded) {
            q.query_terms(visitor);
        }
    }
}

struct RestrictedWeight {
    main: Box<dyn Weight>,
    required: Vec<Box<dyn Weight>>,
    excluded: Vec<Box<dyn Weight>>,
}

impl RestrictedWeight {
    fn scorers(
        weights: &[Box<dyn Weight>],
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<Box<dyn Scorer>>> {
        weights.iter().map(|w| w.scorer(reader, 1.0)).collect()
    }

    /// The scorer of the whole query, from the filters' scorers already made.
    fn intersection(
        &self,
        reader: &SegmentReader,
        boost: Score,
        required: Vec<Box<dyn Scorer>>,
    ) -> tantivy::Result<Box<dyn Scorer>> {
        if required.iter().any(|r| r.doc() == TERMINATED) {
            // A filter with no passage here: nothing qualifies, and the scored query (which
            // may fill a window of scores on creation) is not even made.
            return Ok(Box::new(EmptyScorer));
        }
        // Filter scorers score 1 when scoring is off; they must add nothing here.
        let mut musts = vec![self.main.scorer(reader, boost)?];
        for required in required {
            musts.push(Box::new(ConstScorer::new(required, 0.0)));
        }
        let positive = intersect_scorers(musts, reader.max_doc());
        if self.excluded.is_empty() {
            return Ok(positive);
        }
        let excluded = Self::scorers(&self.excluded, reader)?;
        Ok(Box::new(Exclude::new(positive, excluded)))
    }
}

impl Weight for RestrictedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.intersection(reader, boost, Self::scorers(&self.required, reader)?)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if seek_forward(scorer.as_mut(), doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        self.main.explain(reader, doc)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut required = Self::scorers(&self.required, reader)?;
        if required.iter().any(|r| r.doc() == TERMINATED) {
            return Ok(());
        }
        let narrowest = required.iter().map(|s| s.cost()).min();
        if narrowest.is_some_and(|cost| cost * SELECTIVE_FILTER < u64::from(reader.max_doc())) {
            let mut scorer = self.intersection(reader, 1.0, required)?;
            let mut threshold = threshold;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                let score = scorer.score();
                if score > threshold {
                    threshold = callback(doc, score);
                }
                doc = scorer.advance();
            }
            return Ok(());
        }
        let mut excluded = Self::scorers(&self.excluded, reader)?;
        let mut current = threshold;
        let mut last = 0;
        let mut failure = None;
        self.main
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                if doc < last {
                    // Not in document order (no pruning query of tantivy's or serge's does
                    // this): start the filters and exclusions again, since they only move on.
                    match (
                        Self::scorers(&self.required, reader),
                        Self::scorers(&self.excluded, reader),
                    ) {
                        (Ok(r), Ok(e)) => (required, excluded) = (r, e),
                        (Err(e), _) | (_, Err(e)) => {
                            failure.get_or_insert(e);
                            return current;
                        }
                    }
                }
                last = doc;
                if required
                    .iter_mut()
                    .any(|r| seek_forward(r.as_mut(), doc) != doc)
                    || excluded.contains(doc)
                {
                    return current;
                }
                current = callback(doc, score);
                current
            })?;
        failure.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::phrase::PrunedPhrase;
    use crate::query::testing::{ram_writer, RandomText};
    use crate::query::topk::top_k;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, FAST, INDEXED, TEXT};
    use tantivy::{doc, DocAddress, Index};

    /// With a broad filter (pruned path), a narrow one (intersection path) and an exclusion,
    /// over several segments, Restricted's top 10 and count equal the boolean query's.
    #[test]
    fn equals_the_boolean_query() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let year = builder.add_u64_field("year", INDEXED | FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = ram_writer(&index);
        let words = ["trotsky", "stalin", "kronstadt", "party", "the", "of"];
        let mut random = RandomText::new(7);
        for _ in 0..3 {
            for _ in 0..2000 {
                let body = random.passage(&words, 3, 60);
                let y = 1900 + random.next() % 100;
                writer.add_document(doc!(text => body, year => y)).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let term = |field, w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let years = |lo: u64, hi: u64| -> Box<dyn Query> {
            Box::new(ConstScoreQuery::new(
                Box::new(tantivy::query::RangeQuery::new(
                    std::ops::Bound::Included(Term::from_field_u64(year, lo)),
                    std::ops::Bound::Included(Term::from_field_u64(year, hi)),
                )),
                0.0,
            ))
        };
        let union = || -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, term(text, "trotsky")),
                (Occur::Should, term(text, "kronstadt")),
            ]))
        };
        let phrase = || -> Box<dyn Query> {
            Box::new(
                PrunedPhrase::new(
                    vec![
                        (0, Term::from_field_text(text, "the")),
                        (1, Term::from_field_text(text, "party")),
                    ],
                    0,
                )
                .pruning_everywhere(),
            )
        };
        type Case = (Box<dyn Query>, Vec<Box<dyn Query>>, Vec<Box<dyn Query>>);
        let cases: Vec<Case> = vec![
            (union(), vec![years(1900, 1960)], vec![]),
            (union(), vec![years(1950, 1950)], vec![]),
            (union(), vec![], vec![term(text, "stalin")]),
            (
                phrase(),
                vec![years(1920, 1980)],
                vec![term(text, "stalin")],
            ),
            (phrase(), vec![years(1931, 1931)], vec![]),
        ];
        for (i, (main, required, excluded)) in cases.into_iter().enumerate() {
            let mut clauses = vec![(Occur::Must, main.box_clone())];
            clauses.extend(required.iter().map(|q| (Occur::Must, q.box_clone())));
            clauses.extend(excluded.iter().map(|q| (Occur::MustNot, q.box_clone())));
            let boolean = BooleanQuery::new(clauses);
            let restricted = Restricted {
                main,
                required,
                excluded,
            };
            let ours = top_k(&searcher, &restricted, 10).unwrap();
            let all: Vec<(Score, DocAddress)> = searcher
                .search(&boolean, &TopDocs::with_limit(100_000).order_by_score())
                .unwrap();
            let mut theirs = all.clone();
            theirs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            theirs.truncate(10);
            assert_eq!(ours, theirs, "case {i}");
            assert!(ours.len() == 10, "case {i}");
            assert_eq!(
                searcher.search(&restricted, &Count).unwrap(),
                all.len(),
                "case {i}"
            );
        }
    }
}
