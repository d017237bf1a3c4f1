//! The index schema, in one place: one tantivy document per passage.

use super::analyzer::{EXACT, STEMMED};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};

/// The version of the schema and analyzers; an index written with another is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

/// Field names a user may write in a query (`title:`, `author:`, `year:`, `doc:`).
pub const QUERY_FIELDS: &[&str] = &["title", "author", "year", "doc"];

/// Handles to the fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Document id (raw, for filters and deletes).
    pub doc: Field,
    /// A 64-bit hash of the document id (fast field, for finding neighbours).
    pub doc_key: Field,
    /// Title of the document (stored, so that a search needs no manifest).
    pub title: Field,
    /// Authors of the document.
    pub author: Field,
    /// Year of the document (absent when unknown).
    pub year: Field,
    /// Heading the passage stands under.
    pub section: Field,
    /// Number of the first paragraph the passage holds (from 1).
    pub paragraph: Field,
    /// Position of the passage within its document (from 0).
    pub ord: Field,
    /// Length of the passage text in bytes (fast field, for the length prior in ranking).
    pub len: Field,
    /// The passage text, exact word forms, with positions for phrases.
    pub text: Field,
    /// The passage text, stemmed, for bare words.
    pub text_stem: Field,
}

fn text_options(analyzer: &str, positions: bool, stored: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(record),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Builds the schema.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        doc: b.add_text_field("doc", STRING | STORED | FAST),
        doc_key: b.add_u64_field("doc_key", FAST),
        title: b.add_text_field("title", text_options(EXACT, true, true)),
        author: b.add_text_field("author", text_options(EXACT, true, true)),
        year: b.add_i64_field("year", NumericOptions::default() | INDEXED | STORED | FAST),
        section: b.add_text_field("section", text_options(STEMMED, false, true)),
        paragraph: b.add_u64_field("paragraph", STORED),
        ord: b.add_u64_field("ord", INDEXED | STORED | FAST),
        len: b.add_u64_field("len", FAST),
        text: b.add_text_field("text", text_options(EXACT, true, true)),
        text_stem: b.add_text_field("text_stem", text_options(STEMMED, false, false)),
    };
    (b.build(), fields)
}

/// Finds the fields of an opened index, checking the schema is the one this version writes.
pub fn fields_of(schema: &Schema) -> Option<Fields> {
    let (expected, fields) = build();
    (schema == &expected).then_some(fields)
}

/// The stable 64-bit key of a document id (FNV-1a).
pub fn doc_key(id: &str) -> u64 {
    crate::hash::fnv1a(id.as_bytes())
}
