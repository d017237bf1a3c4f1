//! A bare word inside a conjunction: its stem in the passage text, or in the section heading.
//!
//! Alone, a bare word is a tantivy `BooleanQuery` of two `Should` term queries, which tantivy
//! ranks with block-max WAND. Inside a conjunction (`Trotsky Kronstadt`, a word with
//! `--year`), the same boolean query becomes a `BufferedUnionScorer`, which scores every
//! passage of both terms in windows of 4,096 documents and refills its window on every seek
//! past it: over half the time of a two-word query on the 1 GB corpus. [`WordQuery`] has the
//! same matches and the same scores (text score plus section score, added in that order from
//! zero, as tantivy's sum does), but its scorer merges the two term scorers lazily, passage by
//! passage, so a seek only moves two cursors. In a segment where no heading holds the word,
//! the text's term scorer is returned as it is, and a conjunction of such words gets
//! tantivy's block-max intersection (which adds the same scores, in its own order: the last
//! bit of a score can differ).

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Either of two queries, scores added: the word's stem in the text, the (boosted) word in
/// the section heading.
#[derive(Debug)]
pub struct WordQuery {
    pub text: Box<dyn Query>,
    pub section: Box<dyn Query>,
}

impl Clone for WordQuery {
    fn clone(&self) -> Self {
        WordQuery {
            text: self.text.box_clone(),
            section: self.section.box_clone(),
        }
    }
}

impl Query for WordQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(WordWeight {
            text: self.text.weight(enable_scoring)?,
            section: self.section.weight(enable_scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.text.query_terms(visitor);
        self.section.query_terms(visitor);
    }
}

struct WordWeight {
    text: Box<dyn Weight>,
    section: Box<dyn Weight>,
}

impl Weight for WordWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let text = self.text.scorer(reader, boost)?;
        let section = self.section.scorer(reader, boost)?;
        // A side without passages adds nothing: the other side's scorer stands alone (and
        // tantivy still recognises a term scorer there).
        if section.doc() == TERMINATED {
            return Ok(text);
        }
        if text.doc() == TERMINATED {
            return Ok(section);
        }
        Ok(Box::new(EitherScorer::new(text, section)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let text = self.text.explain(reader, doc).ok();
        let section = self.section.explain(reader, doc).ok();
        if text.is_none() && section.is_none() {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let value =
            text.as_ref().map_or(0.0, |e| e.value()) + section.as_ref().map_or(0.0, |e| e.value());
        let mut explanation = Explanation::new("text or section", value);
        for detail in text.into_iter().chain(section) {
            explanation.add_detail(detail);
        }
        Ok(explanation)
    }
}

/// The union of two scorers, merged one passage at a time. Both scorers' current documents
/// are kept here, so that moving costs one call into each scorer that has to move.
struct EitherScorer {
    text: Box<dyn Scorer>,
    section: Box<dyn Scorer>,
    text_doc: DocId,
    section_doc: DocId,
}

impl EitherScorer {
    fn new(text: Box<dyn Scorer>, section: Box<dyn Scorer>) -> EitherScorer {
        EitherScorer {
            text_doc: text.doc(),
            section_doc: section.doc(),
            text,
            section,
        }
    }
}

impl DocSet for EitherScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.doc();
        if self.text_doc == doc {
            self.text_doc = self.text.advance();
        }
        if self.section_doc == doc {
            self.section_doc = self.section.advance();
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.text_doc < target {
            self.text_doc = self.text.seek(target);
        }
        if self.section_doc < target {
            self.section_doc = self.section.seek(target);
        }
        self.doc()
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.text_doc.min(self.section_doc)
    }

    fn size_hint(&self) -> u32 {
        self.text
            .size_hint()
            .saturating_add(self.section.size_hint())
    }

    fn cost(&self) -> u64 {
        self.text.cost().saturating_add(self.section.cost())
    }
}

impl Scorer for EitherScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc();
        let mut score = 0.0;
        if self.text_doc == doc {
            score += self.text.score();
        }
        if self.section_doc == doc {
            score += self.section.score();
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::testing::ram_writer;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    /// In a conjunction, WordQuery matches and scores exactly as the two-clause boolean query
    /// it replaces, with passages that have the word in the text, in the heading, or both.
    #[test]
    fn scores_like_the_boolean_union_in_a_conjunction() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let section = builder.add_text_field("section", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = ram_writer(&index);
        for i in 0..3000u64 {
            let body = format!(
                "{} {} {}",
                "trotsky ".repeat((i % 3) as usize),
                "kronstadt ".repeat((i % 5) as usize),
                "filler ".repeat((i * 13 % 40) as usize)
            );
            let heading = if i % 7 == 0 {
                "kronstadt 1921"
            } else {
                "notes"
            };
            writer
                .add_document(doc!(text => body, section => heading))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |field, w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let section_part =
            |w: &str| -> Box<dyn Query> { Box::new(BoostQuery::new(term(section, w), 0.3)) };
        let union = |w: &str| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, term(text, w)),
                (Occur::Should, section_part(w)),
            ]))
        };
        let word = |w: &str| -> Box<dyn Query> {
            Box::new(WordQuery {
                text: term(text, w),
                section: section_part(w),
            })
        };
        let ours = BooleanQuery::new(vec![
            (Occur::Must, word("trotsky")),
            (Occur::Must, word("kronstadt")),
        ]);
        let theirs = BooleanQuery::new(vec![
            (Occur::Must, union("trotsky")),
            (Occur::Must, union("kronstadt")),
        ]);
        let all = TopDocs::with_limit(3000).order_by_score();
        let a = searcher.search(&ours, &all).unwrap();
        let b = searcher.search(&theirs, &all).unwrap();
        assert!(a.len() > 500);
        assert_eq!(a, b);
        assert_eq!(
            searcher.search(&ours, &Count).unwrap(),
            searcher.search(&theirs, &Count).unwrap()
        );
        // Passages matched through their heading only are among them.
        let heading_only = TermQuery::new(
            Term::from_field_text(text, "kronstadt"),
            IndexRecordOption::Basic,
        );
        assert!(
            searcher.search(&ours, &Count).unwrap() > {
                let q = BooleanQuery::new(vec![
                    (Occur::Must, term(text, "trotsky")),
                    (Occur::Must, Box::new(heading_only)),
                ]);
                searcher.search(&q, &Count).unwrap()
            }
        );
    }
}
