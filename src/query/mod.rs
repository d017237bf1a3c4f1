//! Queries: parse the query language, search the index, fill hits with context and
//! highlights.

pub mod highlight;
pub mod parse;
pub mod search;

pub use search::{Engine, Hit, Request};
