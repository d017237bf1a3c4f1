//! The manifest: what the index holds, per document (path, size, modification time, content
//! hash, metadata, passages), and the versions of the pipeline, schema and analyzer that wrote
//! it. `serge index` compares it with the corpus to touch only what changed; `serge search`
//! compares sizes and times only, without reading any file.

use crate::error::{Error, Result};
use crate::ingest::{Metadata, Origin, SourceFile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The manifest's file name inside the index directory.
pub const FILE_NAME: &str = "serge-manifest.json";

/// Size and modification time of a file, the cheap test for change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: u64,
}

impl Stamp {
    /// The stamp of a discovered corpus file.
    pub fn of(file: &SourceFile) -> Self {
        Stamp {
            size: file.size,
            mtime_ns: file.mtime_ns as u64,
        }
    }

    /// The stamp of a path, `None` when it does not exist.
    pub fn of_path(path: &Path) -> Option<Self> {
        let m = std::fs::metadata(path).ok()?;
        Some(Stamp {
            size: m.len(),
            mtime_ns: mtime_ns(&m)?,
        })
    }
}

/// A file's or directory's modification time in nanoseconds since the Unix epoch, `None`
/// where the platform has none.
pub fn mtime_ns(m: &std::fs::Metadata) -> Option<u64> {
    let since = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(since.as_nanos() as u64)
}

/// What the index holds for one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocEntry {
    pub path: PathBuf,
    pub stamp: Stamp,
    /// FNV-1a 64 of the raw bytes, in hex.
    pub hash: String,
    /// Hash of the document's catalog entry, so that a catalog edit updates its metadata.
    pub catalog_hash: String,
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i64>,
    pub source: Option<String>,
    pub title_from: String,
    pub author_from: String,
    pub year_from: String,
    pub encoding: String,
    pub repairs: BTreeMap<String, usize>,
    pub paragraphs: u64,
    pub passages: u64,
}

impl DocEntry {
    /// The authors joined for display.
    pub fn author_line(&self) -> String {
        self.authors.join(" and ")
    }
}

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub pipeline_version: u32,
    pub schema_version: u32,
    /// The tantivy commit (opstamp) this manifest describes. A run killed between its commit
    /// and the manifest's save leaves them apart, and the next run then re-ingests everything.
    #[serde(default)]
    pub opstamp: u64,
    /// Stamp of `catalog.json` when the index was last brought up to date.
    pub catalog: Option<Stamp>,
    pub docs: BTreeMap<String, DocEntry>,
    /// Files that could not be used, so that they are not read again until they change.
    #[serde(default)]
    pub skipped: BTreeMap<String, SkippedEntry>,
}

/// A file of the corpus that could not be used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedEntry {
    pub path: PathBuf,
    pub stamp: Stamp,
    pub reason: String,
}

impl Manifest {
    /// An empty manifest for the current versions.
    pub fn new() -> Self {
        Manifest {
            pipeline_version: crate::ingest::PIPELINE_VERSION,
            schema_version: super::schema::SCHEMA_VERSION,
            opstamp: 0,
            catalog: None,
            docs: BTreeMap::new(),
            skipped: BTreeMap::new(),
        }
    }

    /// Reads the manifest of an index directory; `Ok(None)` when there is none.
    pub fn load(index_dir: &Path) -> Result<Option<Self>> {
        let path = index_dir.join(FILE_NAME);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::BadIndex {
                path: index_dir.to_owned(),
                reason: format!("{} is unreadable ({e})", FILE_NAME),
            })
    }

    /// Writes the manifest atomically (a temporary file renamed over the old one).
    pub fn save(&self, index_dir: &Path) -> Result<()> {
        let path = index_dir.join(FILE_NAME);
        let tmp = index_dir.join(format!("{FILE_NAME}.tmp"));
        let json = serde_json::to_vec(self).map_err(|e| Error::Invalid(e.to_string()))?;
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| Error::io(&path, e))
    }

    /// Whether the versions match the running program.
    pub fn is_current(&self) -> bool {
        self.pipeline_version == crate::ingest::PIPELINE_VERSION
            && self.schema_version == super::schema::SCHEMA_VERSION
    }
}

impl Default for Manifest {
    fn default() -> Self {
        Self::new()
    }
}

/// The name of a metadata origin, as stored.
pub fn origin_name(o: Origin) -> String {
    match o {
        Origin::Catalog => "catalog",
        Origin::Inferred => "inferred",
        Origin::Unknown => "unknown",
    }
    .into()
}

/// Fills the metadata part of an entry.
pub fn entry_for(file: &SourceFile, hash: u64, catalog_hash: u64, meta: &Metadata) -> DocEntry {
    DocEntry {
        path: file.path.clone(),
        stamp: Stamp::of(file),
        hash: format!("{hash:016x}"),
        catalog_hash: format!("{catalog_hash:016x}"),
        title: meta.title.clone(),
        authors: meta.authors.clone(),
        year: meta.year,
        source: meta.source.clone(),
        title_from: origin_name(meta.title_from),
        author_from: origin_name(meta.author_from),
        year_from: origin_name(meta.year_from),
        encoding: String::new(),
        repairs: BTreeMap::new(),
        paragraphs: 0,
        passages: 0,
    }
}

/// FNV-1a 64 of bytes: the content hash of raw files.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    crate::hash::fnv1a(bytes)
}
