//! A phrase query that reads positions only for passages that could enter the top k.
//!
//! Tantivy's phrase scorer reads and intersects the positions of every passage holding all the
//! phrase's words, then scores it by BM25 with the phrase count as term frequency. On a large
//! corpus most of those passages score far below the k-th best: the words co-occur in tens of
//! thousands of passages, and reading their positions was most of a phrase query's time.
//!
//! [`PrunedPhrase`] keeps tantivy's phrase weight for everything but ranked top-k collection.
//! There it walks the intersection of the words' postings (document ids and frequencies only)
//! and computes, for each passage, an upper bound of its phrase score: BM25 with the phrase
//! count replaced by a count it cannot exceed (see [`bounds_count`]). BM25 grows with the term
//! frequency, so when the bound is not above the collector's threshold the passage cannot
//! qualify, and its positions are never read. The others are checked by tantivy's own phrase
//! scorer, moved forward with `seek_danger`, so matching and scores are exactly tantivy's.
//!
//! The rarest word leads the walk, and where its frequency alone bounds the score below the
//! threshold the other words are not even sought. Skipping whole blocks by the block maxima of
//! tantivy's skip lists was tried as well: with the lead check and a threshold shared across
//! segments ([`super::topk`]) it saved nothing measurable, and those maxima are computed with
//! each segment's own average length, so they are not a strict bound across segments.

use super::guard::seek_forward;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, PhraseQuery, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

/// Segments smaller than this are ranked by tantivy's phrase scorer alone: there, reading
/// every candidate's positions costs less than looking the words up a second time.
const PRUNE_FROM_PASSAGES: u32 = 16_384;

/// A phrase (with optional slop) over one field, pruned in top-k collection.
#[derive(Debug, Clone)]
pub struct PrunedPhrase {
    query: PhraseQuery,
    terms: Vec<(usize, Term)>,
    slop: u32,
    prune_from: u32,
}

impl PrunedPhrase {
    /// A phrase of at least two terms, each with its position in the phrase.
    pub fn new(terms: Vec<(usize, Term)>, slop: u32) -> PrunedPhrase {
        PrunedPhrase {
            query: PhraseQuery::new_with_offset_and_slop(terms.clone(), slop),
            terms,
            slop,
            prune_from: PRUNE_FROM_PASSAGES,
        }
    }

    /// Prunes in segments of any size (tests use small ones).
    #[cfg(test)]
    pub(crate) fn pruning_everywhere(mut self) -> PrunedPhrase {
        self.prune_from = 0;
        self
    }
}

impl Query for PrunedPhrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.query.weight(enable_scoring)?;
        // The phrase's BM25 weight, which tantivy's phrase weight also computes (and keeps to
        // itself): looked up again only when some segment is large enough to be pruned.
        let prunable = enable_scoring.searcher().is_some_and(|searcher| {
            searcher
                .segment_readers()
                .iter()
                .any(|r| r.max_doc() >= self.prune_from)
        });
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } if prunable => {
                let terms: Vec<Term> = self.terms.iter().map(|(_, t)| t.clone()).collect();
                Some(Bm25Weight::for_terms(statistics_provider, &terms)?)
            }
            _ => None,
        };
        Ok(Box::new(PrunedPhraseWeight {
            inner,
            bm25,
            terms: self.terms.clone(),
            slop: self.slop,
            prune_from: self.prune_from,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct PrunedPhraseWeight {
    inner: Box<dyn Weight>,
    bm25: Option<Bm25Weight>,
    terms: Vec<(usize, Term)>,
    slop: u32,
    prune_from: u32,
}

/// Whether word `i` (in phrase order) of an `n`-word phrase has a frequency that bounds the
/// phrase count. Tantivy counts exact matches by intersecting the position lists, so every
/// word's frequency bounds the count; so does each word of a two-word phrase with slop, whose
/// positions are paired one to one. With slop and three words or more, the positions kept
/// between steps may outnumber either list, and only the last word bounds the final pairing.
pub(crate) fn bounds_count(i: usize, n: usize, slop: u32) -> bool {
    slop == 0 || n <= 2 || i + 1 == n
}

impl Weight for PrunedPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.inner.scorer(reader, boost)
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        self.inner.scorer_danger(reader, target, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.inner.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let bm25 = match &self.bm25 {
            Some(bm25) if reader.max_doc() >= self.prune_from => bm25,
            _ => return self.inner.for_each_pruning(threshold, reader, callback),
        };
        let field = self.terms[0].1.field();
        let inverted = reader.inverted_index(field)?;
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(fieldnorms) => fieldnorms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        // Each word's postings, read with frequencies only. Where a word's frequency bounds
        // the phrase count, BM25 of the phrase's weight at that frequency bounds the phrase
        // score.
        let mut words = Vec::with_capacity(self.terms.len());
        for (_, term) in &self.terms {
            match inverted.read_postings(term, IndexRecordOption::WithFreqs)? {
                Some(p) => words.push(p),
                None => return Ok(()),
            }
        }
        let n = words.len();
        let bounding: Vec<bool> = (0..n).map(|i| bounds_count(i, n, self.slop)).collect();
        // Rarest word first: it proposes the candidates the others are sought to.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| words[i].doc_freq());
        let (lead, rest) = (order[0], &order[1..]);
        // Documents below `lower` are known not to hold the phrase (the `seek_danger`
        // contract of the phrase scorer).
        let mut phrase: Option<Box<dyn Scorer>> = None;
        let mut lower: DocId = 0;
        if threshold == Score::MIN {
            // Until the collector holds k passages, every match qualifies and no bound can
            // prune: tantivy's phrase scorer walks alone, and the pruned walk takes over from
            // its current match once there is a threshold (a phrase with fewer than k matches
            // never needs it).
            let mut scorer = self.inner.scorer(reader, 1.0)?;
            let mut at = scorer.doc();
            while at != TERMINATED && threshold == Score::MIN {
                threshold = callback(at, scorer.score());
                at = scorer.advance();
            }
            if at == TERMINATED {
                return Ok(());
            }
            lower = at;
            phrase = Some(scorer);
        }
        let mut doc = seek_forward(&mut words[lead], lower);
        'candidates: while doc != TERMINATED {
            // A passage whose lead word alone cannot beat the threshold is passed over
            // without seeking the other words.
            if bounding[lead]
                && bm25.score(fieldnorms.fieldnorm_id(doc), words[lead].term_freq()) <= threshold
            {
                doc = words[lead].advance();
                continue;
            }
            let mut count_bound = u32::MAX;
            for &i in rest {
                let at = seek_forward(&mut words[i], doc);
                if at > doc {
                    doc = seek_forward(&mut words[lead], at);
                    continue 'candidates;
                }
                if bounding[i] {
                    count_bound = count_bound.min(words[i].term_freq());
                }
            }
            if bounding[lead] {
                count_bound = count_bound.min(words[lead].term_freq());
            }
            let bound = bm25.score(fieldnorms.fieldnorm_id(doc), count_bound);
            if bound > threshold && doc >= lower {
                let found = match phrase.as_mut() {
                    Some(scorer) => scorer.seek_danger(doc),
                    None => {
                        let (found, scorer) = self.inner.scorer_danger(reader, doc, 1.0)?;
                        phrase = Some(scorer);
                        found
                    }
                };
                match found {
                    SeekDangerResult::Found => {
                        lower = doc + 1;
                        if let Some(scorer) = phrase.as_mut() {
                            let score = scorer.score();
                            if score > threshold {
                                threshold = callback(doc, score);
                            }
                        }
                    }
                    SeekDangerResult::SeekLowerBound(next) => lower = next,
                }
            }
            doc = words[lead].advance();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::testing::{ram_writer, RandomText};
    use tantivy::collector::{Count, TopDocs};
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    /// For exact phrases and phrases with slop, of two and three words, the pruned top 10
    /// (scores and passages) equals tantivy's unpruned phrase query, and so does the count; on
    /// passages where the words often meet without forming the phrase.
    #[test]
    fn pruned_top_k_equals_tantivy_phrase_query() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = ram_writer(&index);
        let words = [
            "left",
            "opposition",
            "the",
            "of",
            "party",
            "will",
            "kingdom",
        ];
        let mut random = RandomText::new(12345);
        for _ in 0..3000 {
            let body = random.passage(&words, 3, 120);
            writer.add_document(doc!(text => body)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let phrase = |ws: &[&str]| -> Vec<(usize, Term)> {
            ws.iter()
                .enumerate()
                .map(|(i, w)| (i, Term::from_field_text(text, w)))
                .collect()
        };
        for (ws, slop) in [
            (&["left", "opposition"][..], 0),
            (&["kingdom", "of", "the", "will"][..], 0),
            (&["party", "will"][..], 2),
            (&["left", "the", "party"][..], 3),
        ] {
            let pruned = PrunedPhrase::new(phrase(ws), slop).pruning_everywhere();
            let plain = PhraseQuery::new_with_offset_and_slop(phrase(ws), slop);
            let top = TopDocs::with_limit(10).order_by_score();
            let a = searcher.search(&pruned, &top).unwrap();
            let b = searcher.search(&plain, &top).unwrap();
            assert_eq!(a, b, "{ws:?}~{slop}");
            assert_eq!(a.len(), 10, "{ws:?}~{slop}");
            assert_eq!(
                searcher.search(&pruned, &Count).unwrap(),
                searcher.search(&plain, &Count).unwrap()
            );
        }
    }

    #[test]
    fn which_words_bound_the_count() {
        assert!((0..4).all(|i| bounds_count(i, 4, 0)));
        assert!(bounds_count(0, 2, 3) && bounds_count(1, 2, 3));
        assert!(!bounds_count(0, 3, 1) && !bounds_count(1, 3, 1) && bounds_count(2, 3, 1));
    }
}
