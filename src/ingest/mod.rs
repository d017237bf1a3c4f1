//! The ingester: raw bytes become clean, repaired paragraphs with metadata.
//!
//! decode → repair mojibake → normalise characters → segment (markup, boilerplate, front
//! matter, paragraphs, page breaks) → drop duplicate paragraphs. Each stage is a function of
//! its own module, tested on its own.

pub mod decode;
pub mod dedupe;
pub mod markup;
pub mod metadata;
pub mod mojibake;
pub mod normalize;
pub mod patterns;
pub mod segment;

pub use decode::{DecodeError, Encoding};
pub use metadata::{read_catalog, Catalog, Metadata, Origin};
pub use segment::Paragraph;

use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The version of the cleaning pipeline. Bump it whenever a change to the ingester changes its
/// output: indexes built by another version are re-ingested.
pub const PIPELINE_VERSION: u32 = 1;

/// Files larger than this are skipped rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Counts of the repairs made to a document, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Repairs(pub BTreeMap<&'static str, usize>);

impl Repairs {
    /// Adds `n` repairs of a kind.
    pub fn add(&mut self, kind: &'static str, n: usize) {
        if n > 0 {
            *self.0.entry(kind).or_default() += n;
        }
    }

    /// `kind n, kind n` for display; `none` when nothing was repaired.
    pub fn summary(&self) -> String {
        if self.0.is_empty() {
            return "none".into();
        }
        self.0
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Text cleaned from raw bytes, before metadata is attached.
#[derive(Debug, Clone)]
pub struct Cleaned {
    pub encoding: Encoding,
    pub repairs: Repairs,
    pub paragraphs: Vec<Paragraph>,
    /// The first lines of text (title and byline stand there).
    pub head_lines: Vec<String>,
    /// The last lines of text (a signature stands there).
    pub tail_lines: Vec<String>,
}

/// Runs the whole cleaning pipeline on raw bytes.
pub fn clean_bytes(bytes: &[u8]) -> Result<Cleaned, DecodeError> {
    let (text, encoding) = decode::decode(bytes)?;
    let mut repairs = Repairs::default();
    let (text, fixed) = mojibake::repair(&text);
    repairs.add("mojibake", fixed);
    let text = normalize::normalize(&text, &mut repairs);
    let segmented = segment::segment(&text, &mut repairs);
    let (paragraphs, dropped) = dedupe::dedupe(segmented.paragraphs);
    repairs.add("duplicate paragraphs", dropped);
    if paragraphs.is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok(Cleaned {
        encoding,
        repairs,
        paragraphs,
        head_lines: segmented.head_lines,
        tail_lines: segmented.tail_lines,
    })
}

/// The cleaned text as `serge clean` prints it: paragraphs separated by one blank line.
pub fn render(paragraphs: &[Paragraph]) -> String {
    let mut out = String::new();
    for p in paragraphs {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&p.text);
        out.push('\n');
    }
    out
}

/// A raw file of the corpus, as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The file name without its extension.
    pub id: String,
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub mtime_ns: u128,
}

/// A cleaned document with its metadata: what the indexer takes.
#[derive(Debug, Clone)]
pub struct CleanDoc {
    pub id: String,
    pub meta: Metadata,
    pub encoding: Encoding,
    pub repairs: Repairs,
    pub paragraphs: Vec<Paragraph>,
    pub bytes: u64,
}

/// A file that could not be used, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// The document id of a path: its file name without the extension.
pub fn doc_id(path: &Path) -> Option<String> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

/// Lists the documents of a corpus directory (subfolders walked, `catalog.json` and hidden
/// files left out), sorted by id. Files with a duplicate id are reported as skipped.
pub fn discover(corpus: &Path) -> Result<(Vec<SourceFile>, Vec<Skipped>)> {
    let meta = std::fs::metadata(corpus).map_err(|e| Error::Corpus {
        path: corpus.to_owned(),
        reason: e.to_string(),
    })?;
    if !meta.is_dir() {
        return Err(Error::Corpus {
            path: corpus.to_owned(),
            reason: "not a directory".into(),
        });
    }
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let walker = walkdir::WalkDir::new(corpus)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    for entry in
        walker.filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_owned)
                    .unwrap_or_else(|| corpus.to_owned());
                skipped.push(Skipped {
                    path,
                    reason: format!("unreadable: {e}"),
                });
                continue;
            }
        };
        if !entry.file_type().is_file() || entry.depth() == 1 && entry.file_name() == "catalog.json"
        {
            continue;
        }
        let path = entry.path().to_owned();
        let Some(id) = doc_id(&path) else {
            skipped.push(Skipped {
                path,
                reason: "file name is not valid UTF-8".into(),
            });
            continue;
        };
        match entry.metadata() {
            Ok(m) => {
                let mtime_ns = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                files.push(SourceFile {
                    id,
                    path,
                    size: m.len(),
                    mtime_ns,
                });
            }
            Err(e) => skipped.push(Skipped {
                path,
                reason: format!("unreadable: {e}"),
            }),
        }
    }
    files.sort_by(|a, b| a.id.cmp(&b.id).then(a.path.cmp(&b.path)));
    let mut unique: Vec<SourceFile> = Vec::with_capacity(files.len());
    for f in files {
        if unique.last().is_some_and(|u| u.id == f.id) {
            skipped.push(Skipped {
                reason: format!(
                    "document id '{}' already used by {}",
                    f.id,
                    unique
                        .last()
                        .map(|u| u.path.display().to_string())
                        .unwrap_or_default()
                ),
                path: f.path,
            });
        } else {
            unique.push(f);
        }
    }
    Ok((unique, skipped))
}

/// Reads and cleans one file of the corpus.
pub fn clean_file(file: &SourceFile, catalog: &Catalog) -> Result<CleanDoc> {
    let bytes = read_limited(&file.path)?;
    clean_doc(&file.id, &file.path, &bytes, catalog)
}

/// Reads a file, refusing one larger than [`MAX_FILE_BYTES`].
pub fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(Error::Unusable {
            path: path.to_owned(),
            reason: format!("file too large ({size} bytes; the limit is {MAX_FILE_BYTES})"),
        });
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Cleans raw bytes into a document with metadata.
pub fn clean_doc(id: &str, path: &Path, bytes: &[u8], catalog: &Catalog) -> Result<CleanDoc> {
    let cleaned = clean_bytes(bytes).map_err(|e| Error::Unusable {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let meta = metadata::resolve(
        catalog.get(id),
        &cleaned.head_lines,
        &cleaned.tail_lines,
        id,
    );
    Ok(CleanDoc {
        id: id.to_owned(),
        meta,
        encoding: cleaned.encoding,
        repairs: cleaned.repairs,
        paragraphs: cleaned.paragraphs,
        bytes: bytes.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_pipeline_on_a_small_document() {
        let raw = "Title Here\r\n\r\nBy Jane Roe, 1990\r\n\r\nLeninâ€™s <i>State</i> and Revolu-\r\n\r\ntion was read.\r\n\r\nLeave a comment\r\n";
        let c = clean_bytes(raw.as_bytes()).unwrap();
        assert_eq!(
            render(&c.paragraphs),
            "Title Here\n\nBy Jane Roe, 1990\n\nLenin’s State and Revolution was read.\n"
        );
        assert_eq!(c.repairs.0["mojibake"], 1);
        assert_eq!(c.repairs.0["page breaks rejoined"], 1);
    }

    #[test]
    fn empty_after_cleaning_is_an_error() {
        assert!(clean_bytes(b"Leave a comment\n\nback to text\n").is_err());
    }
}
