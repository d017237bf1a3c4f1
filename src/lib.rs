//! serge: a full-text search engine for the Victor Serge corpus.
//!
//! The pipeline is the module tree: [`ingest`] turns raw files into clean paragraphs,
//! [`index`] builds and updates a tantivy index of passages, [`query`] parses queries and finds
//! ranked passages with context and highlights, and [`print`] writes them as text or JSON.

pub mod error;
pub mod hash;
pub mod ingest;

pub use error::{Error, Result};
pub mod cli;
pub mod index;
pub mod print;
pub mod query;
pub mod scale;
