//! Helpers for the query modules' unit tests: a small in-RAM index writer and random text.

use tantivy::{Index, IndexWriter};

/// A one-thread writer with a small memory budget, for in-RAM test indexes.
pub(crate) fn ram_writer(index: &Index) -> IndexWriter {
    index.writer_with_num_threads(1, 20_000_000).unwrap()
}

/// Deterministic pseudo-random passages (a 64-bit linear congruential generator).
pub(crate) struct RandomText(u64);

impl RandomText {
    pub(crate) fn new(seed: u64) -> RandomText {
        RandomText(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// A passage of `shortest` to `shortest + spread - 1` words drawn from `words`.
    pub(crate) fn passage(&mut self, words: &[&str], shortest: u64, spread: u64) -> String {
        let len = shortest + self.next() % spread;
        let picked: Vec<&str> = (0..len)
            .map(|_| words[(self.next() % words.len() as u64) as usize])
            .collect();
        picked.join(" ")
    }
}
