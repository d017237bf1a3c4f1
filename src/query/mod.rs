//! Queries: parse the query language, search the index, fill hits with context and
//! highlights; and the research views built on the same queries (concordance, facets and
//! timeline, similar passages, shared quotations).

pub mod guard;
pub mod highlight;
pub mod parse;
pub mod phrase;
pub mod prior;
pub mod quotes;
pub mod restrict;
pub mod search;
#[cfg(test)]
mod testing;
pub mod topk;
pub mod views;
pub mod word;

pub use search::{Engine, Hit, Request};
pub use views::{Bucket, Facets, KwicSort, Occurrence};
