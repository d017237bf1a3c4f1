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

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, PhraseQuery, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

/// A phrase (with optional slop) over one field, pruned in top-k collection.
#[derive(Debug, Clone)]
pub struct PrunedPhrase {
    query: PhraseQuery,
    terms: Vec<(usize, Term)>,
    slop: u32,
}

impl PrunedPhrase {
    /// A phrase of at least two terms, each with its position in the phrase.
    pub fn new(terms: Vec<(usize, Term)>, slop: u32) -> PrunedPhrase {
        PrunedPhrase {
            query: PhraseQuery::new_with_offset_and_slop(terms.clone(), slop),
            terms,
            slop,
        }
    }
}

impl Query for PrunedPhrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.query.weight(enable_scoring)?;
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let terms: Vec<Term> = self.terms.iter().map(|(_, t)| t.clone()).collect();
                Some(Bm25Weight::for_terms(statistics_provider, &terms)?)
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PrunedPhraseWeight {
            inner,
            bm25,
            terms: self.terms.clone(),
            slop: self.slop,
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
}

/// Whether word `i` (in phrase order) of an `n`-word phrase has a frequency that bounds the
/// phrase count. Tantivy counts exact matches by intersecting the position lists, so every
/// word's frequency bounds the count; so does each word of a two-word phrase with slop, whose
/// positions are paired one to one. With slop and three words or more, the positions kept
/// between steps may outnumber either list, and only the last word bounds the final pairing.
pub(crate) fn bounds_count(i: usize, n: usize, slop: u32) -> bool {
    slop == 0 || n <= 2 || i + 1 == n
}

/// A word's postings read block by block, so that the best score a block can give (from the
/// block-max data tantivy stores in its skip list) can be asked before its passages are
/// visited, and a block that cannot beat the threshold skipped whole.
struct Cursor {
    block: BlockSegmentPostings,
    /// Index of the current passage in the loaded block.
    at: usize,
}

impl Cursor {
    fn new(block: BlockSegmentPostings) -> Cursor {
        Cursor { block, at: 0 }
    }

    fn doc(&self) -> DocId {
        self.block
            .docs()
            .get(self.at)
            .copied()
            .unwrap_or(TERMINATED)
    }

    fn term_freq(&self) -> u32 {
        self.block.freqs().get(self.at).copied().unwrap_or(0)
    }

    fn advance(&mut self) -> DocId {
        self.at += 1;
        if self.at >= self.block.docs().len() {
            self.next_block()
        } else {
            self.doc()
        }
    }

    /// Moves to the first passage of the next block.
    fn next_block(&mut self) -> DocId {
        if self.block.docs().is_empty() {
            return TERMINATED;
        }
        self.block.advance();
        self.at = 0;
        self.doc()
    }

    /// Moves to the first passage at or after `target` (never backwards).
    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.doc();
        if doc >= target {
            return doc;
        }
        self.at = self.block.seek(target);
        self.doc()
    }

    /// The best score `weight` can give a passage of the current block.
    fn block_max(&mut self, fieldnorms: &FieldNormReader, weight: &Bm25Weight) -> Score {
        self.block.block_max_score(fieldnorms, weight)
    }

    /// The first passage after the current block.
    fn after_block(&self) -> DocId {
        self.block
            .docs()
            .last()
            .map_or(TERMINATED, |last| last.saturating_add(1).min(TERMINATED))
    }
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
        let Some(bm25) = &self.bm25 else {
            return self.inner.for_each_pruning(threshold, reader, callback);
        };
        let field = self.terms[0].1.field();
        let inverted = reader.inverted_index(field)?;
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(fieldnorms) => fieldnorms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        // Each word's postings, read with frequencies only. Where a word's frequency bounds
        // the phrase count, BM25 of the phrase's weight at that frequency bounds the phrase
        // score, and so do the word's block maxima computed with that weight.
        let mut words = Vec::with_capacity(self.terms.len());
        for (_, term) in &self.terms {
            match inverted.read_block_postings(term, IndexRecordOption::WithFreqs)? {
                Some(p) => words.push(Cursor::new(p)),
                None => return Ok(()),
            }
        }
        let n = words.len();
        let bounding: Vec<bool> = (0..n).map(|i| bounds_count(i, n, self.slop)).collect();
        // Rarest word first: it proposes the candidates the others are sought to.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| words[i].block.doc_freq());
        let (lead, rest) = (order[0], &order[1..]);
        // The phrase scorer, made at the first candidate worth checking; documents below
        // `lower` are known not to hold the phrase (the `seek_danger` contract).
        let mut phrase: Option<Box<dyn Scorer>> = None;
        let mut lower: DocId = 0;
        let mut doc = words[lead].doc();
        'candidates: while doc != TERMINATED {
            if bounding[lead] {
                // A block whose best score cannot beat the threshold is skipped whole, and a
                // passage whose lead word alone cannot, without seeking the other words.
                if words[lead].block_max(&fieldnorms, bm25) <= threshold {
                    doc = words[lead].next_block();
                    continue;
                }
                let tf = words[lead].term_freq();
                if bm25.score(fieldnorms.fieldnorm_id(doc), tf) <= threshold {
                    doc = words[lead].advance();
                    continue;
                }
            }
            let mut count_bound = u32::MAX;
            for &i in rest {
                let at = words[i].seek(doc);
                let next = if at > doc {
                    at
                } else if !bounding[i] {
                    continue;
                } else if words[i].block_max(&fieldnorms, bm25) <= threshold {
                    words[i].after_block()
                } else {
                    count_bound = count_bound.min(words[i].term_freq());
                    continue;
                };
                doc = words[lead].seek(next);
                continue 'candidates;
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
    use tantivy::collector::{Count, TopDocs};
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    /// For exact phrases and phrases with slop, of two and three words, the pruned top 10
    /// (scores and passages) equals tantivy's unpruned phrase query, and so does the count; on
    /// passages where the words often meet without forming the phrase.
    #[test]
    fn pruned_top_k_equals_tantivy_phrase_query() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        let words = [
            "left",
            "opposition",
            "the",
            "of",
            "party",
            "will",
            "kingdom",
        ];
        let mut state = 12345u64;
        for _ in 0..3000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = 3 + (state >> 33) % 120;
            let mut body = String::new();
            for _ in 0..len {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                body.push_str(words[((state >> 33) % words.len() as u64) as usize]);
                body.push(' ');
            }
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
            let pruned = PrunedPhrase::new(phrase(ws), slop);
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
