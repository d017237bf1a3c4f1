//! Top-k collection with one threshold across segments.
//!
//! Tantivy's `TopDocs` ranks each segment on its own, from an empty heap, so every segment
//! pays for finding good passages before its pruning (block-max WAND, [`PrunedPhrase`]) can
//! skip anything. Here the segments share one heap: a segment starts from the k-th best score
//! of those before it, and the pruning skips from its first block.
//!
//! A passage enters when its score is strictly above the k-th best so far, as in tantivy; so
//! when more than k passages share the lowest kept score, the earliest in index order stay.
//!
//! [`PrunedPhrase`]: super::phrase::PrunedPhrase

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Score, Searcher};

/// A candidate, ordered so that the heap's top is the one to drop first: the lowest score,
/// and among equal scores the latest in index order.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    score: Score,
    addr: DocAddress,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed score: BinaryHeap is a max-heap and its top must be the worst entry.
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.addr.cmp(&other.addr))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The `k` best-scoring live passages matching `query`, best first (ties in index order).
pub fn top_k(
    searcher: &Searcher,
    query: &dyn Query,
    k: usize,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    if k == 0 {
        return Ok(Vec::new());
    }
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut heap: BinaryHeap<Entry> = BinaryHeap::with_capacity(k + 1);
    let threshold = |heap: &BinaryHeap<Entry>| match heap.peek() {
        Some(worst) if heap.len() >= k => worst.score,
        _ => Score::MIN,
    };
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let alive = reader.alive_bitset();
        let mut current = threshold(&heap);
        weight.for_each_pruning(current, reader, &mut |doc, score| {
            if alive.is_some_and(|alive| alive.is_deleted(doc)) || score <= current {
                return current;
            }
            heap.push(Entry {
                score,
                addr: DocAddress::new(ord as u32, doc),
            });
            if heap.len() > k {
                heap.pop();
            }
            current = threshold(&heap);
            current
        })?;
    }
    let mut best: Vec<(Score, DocAddress)> = heap.into_iter().map(|e| (e.score, e.addr)).collect();
    best.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::testing::ram_writer;
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    /// Over several segments, with deleted passages, the shared-threshold top 10 has the
    /// scores of tantivy's TopDocs and, where scores do not tie, the same passages.
    #[test]
    fn equals_tantivy_top_docs_across_segments() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = ram_writer(&index);
        for batch in 0..4u64 {
            for i in 0..700u64 {
                let body = format!(
                    "{} {} n{}",
                    "kronstadt ".repeat(((i * 7 + batch) % 9) as usize + 1),
                    "filler ".repeat(((i * 31 + batch * 5) % 150) as usize),
                    i % 50
                );
                writer.add_document(doc!(text => body)).unwrap();
            }
            writer.commit().unwrap();
        }
        writer.delete_term(Term::from_field_text(text, "n7"));
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let query = TermQuery::new(
            Term::from_field_text(text, "kronstadt"),
            IndexRecordOption::WithFreqs,
        );
        let ours = top_k(&searcher, &query, 10).unwrap();
        let theirs = searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        let scores = |v: &[(Score, DocAddress)]| v.iter().map(|h| h.0).collect::<Vec<_>>();
        assert_eq!(scores(&ours), scores(&theirs));
        assert_eq!(ours.len(), 10);
        // Every passage returned matches, is live, and none better was left out.
        let all = searcher
            .search(&query, &TopDocs::with_limit(5000).order_by_score())
            .unwrap();
        assert!(ours[9].0 >= all[9].0);
        for (_, addr) in &ours {
            let seg = searcher.segment_reader(addr.segment_ord);
            assert!(!seg.is_deleted(addr.doc_id));
        }
        assert!(top_k(&searcher, &query, 0).unwrap().is_empty());
    }
}
