//! The library's error type: one variant per kind of failure, each with a message that names
//! the problem and, where there is one, the fix.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A raw file that cannot be turned into text (binary, empty, too large).
    #[error("{path}: {reason}")]
    Unusable { path: PathBuf, reason: String },
    /// `catalog.json` is not valid JSON of the expected shape.
    #[error("{path}:{line}:{column}: invalid catalog: {message}; fix the file or remove it")]
    Catalog {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The corpus directory is missing or unreadable.
    #[error("corpus directory {path} is missing or unreadable ({reason}); pass --corpus DIR or set SERGE_CORPUS")]
    Corpus { path: PathBuf, reason: String },
    /// The user's query could not be parsed.
    #[error("{0}")]
    Query(String),
    /// The index exists but cannot be used (corrupt, foreign, or another format).
    #[error("index at {path} cannot be used: {reason}; run `serge index --rebuild`")]
    BadIndex { path: PathBuf, reason: String },
    /// The index was written by an older (or newer) serge, with another schema version.
    #[error("index at {path} has another format (schema {found}, this serge uses {expected}); run `serge index` to rebuild it")]
    OldFormat {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    /// Another process holds the index writer lock.
    #[error("the index at {0} is being updated by another process; try again when it finishes")]
    Locked(PathBuf),
    /// An error reported by tantivy.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Any other invalid argument.
    #[error("{0}")]
    Invalid(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
