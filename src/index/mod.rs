//! The index: schema and analyzers, passages, the manifest, and the writer that keeps the
//! tantivy index in step with the corpus.

pub mod analyzer;
pub mod manifest;
pub mod passage;
pub mod schema;
pub mod stamps;
pub mod writer;

pub use manifest::{DocEntry, Manifest};
pub use passage::{passages, Passage};
pub use schema::Fields;
pub use writer::{is_stale, update, Summary, UpdateOptions};

use crate::error::{Error, Result};
use std::path::Path;
use tantivy::directory::MmapDirectory;
use tantivy::Index;

/// An opened index with its fields, and its manifest when opened for writing (searching
/// loads the manifest only when a view needs it).
pub struct Opened {
    pub index: Index,
    pub fields: Fields,
    /// The index directory.
    pub dir: std::path::PathBuf,
    pub manifest: Option<Manifest>,
    /// The stamps file as the last update left it (read once, for the format check and the
    /// staleness check).
    pub stamps: Option<stamps::Stamps>,
    /// Why the index was recreated, when it was (another schema version).
    pub note: Option<String>,
}

/// Files that may sit in an index directory besides tantivy's own.
fn ours(name: &str) -> bool {
    name == ".gitkeep"
        || name.starts_with(manifest::FILE_NAME)
        || name.starts_with(stamps::FILE_NAME)
        || name.starts_with(".tantivy-")
}

fn bad(path: &Path, reason: impl Into<String>) -> Error {
    Error::BadIndex {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// Whether the directory holds a tantivy index.
pub fn exists(index_dir: &Path) -> bool {
    index_dir.join("meta.json").is_file()
}

/// Opens an existing index for searching; `Ok(None)` when there is none yet.
pub fn open_existing(index_dir: &Path) -> Result<Option<Opened>> {
    if !exists(index_dir) {
        return Ok(None);
    }
    let old_format = || match Manifest::load(index_dir) {
        Ok(Some(m)) if m.schema_version != schema::SCHEMA_VERSION => Some(Error::OldFormat {
            path: index_dir.to_owned(),
            found: m.schema_version,
            expected: schema::SCHEMA_VERSION,
        }),
        _ => None,
    };
    let index = match Index::open_in_dir(index_dir) {
        Ok(index) => index,
        Err(e) => {
            return Err(old_format()
                .unwrap_or_else(|| bad(index_dir, format!("it is corrupt or unreadable ({e})"))))
        }
    };
    let Some(fields) = schema::fields_of(&index.schema()) else {
        return Err(old_format().unwrap_or_else(|| {
            bad(
                index_dir,
                "it was written with another schema (an older serge, or another program)",
            )
        }));
    };
    let stamps = stamps::Stamps::load(index_dir);
    if stamps
        .as_ref()
        .is_some_and(|s| s.schema_version != schema::SCHEMA_VERSION)
    {
        if let Some(e) = old_format() {
            return Err(e);
        }
    }
    analyzer::register(&index);
    Ok(Some(Opened {
        index,
        fields,
        dir: index_dir.to_owned(),
        manifest: None,
        stamps,
        note: None,
    }))
}

/// Removes tantivy's files (and the manifest) from an index directory, leaving anything else.
fn wipe(index_dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(index_dir).map_err(|e| Error::io(index_dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let tantivy_file = name == "meta.json"
            || name == ".managed.json"
            || name.starts_with(manifest::FILE_NAME)
            || name.starts_with(stamps::FILE_NAME)
            || name.contains('.')
                && name.split('.').next().is_some_and(|stem| {
                    stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit())
                });
        if tantivy_file && entry.path().is_file() {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
}

/// Opens the index for writing, creating it when the directory is new or empty. A corrupt
/// index, or one of another schema, is an error unless `rebuild` is set, in which case its
/// files are removed and a new index is created. A directory holding files that are not an
/// index is never touched.
pub fn open_or_create(index_dir: &Path, rebuild: bool) -> Result<Opened> {
    std::fs::create_dir_all(index_dir).map_err(|e| Error::io(index_dir, e))?;
    let mut note = None;
    if exists(index_dir) {
        match open_existing(index_dir) {
            Ok(Some(mut opened)) => {
                opened.manifest = Manifest::load(index_dir)?;
                return Ok(opened);
            }
            Ok(None) => {}
            Err(Error::OldFormat {
                found, expected, ..
            }) => {
                note = Some(format!(
                    "the index was written with schema version {found} and this serge uses {expected}; rebuilding it from the corpus"
                ));
                wipe(index_dir)?;
            }
            Err(e) if !rebuild => return Err(e),
            Err(_) => wipe(index_dir)?,
        }
    } else {
        let foreign = std::fs::read_dir(index_dir)
            .map_err(|e| Error::io(index_dir, e))?
            .flatten()
            .any(|e| !ours(&e.file_name().to_string_lossy()));
        if foreign {
            return Err(Error::Invalid(format!(
                "{} holds files that are not a serge index; choose an empty directory with --index DIR",
                index_dir.display()
            )));
        }
    }
    let (schema, fields) = schema::build();
    let dir = MmapDirectory::open(index_dir).map_err(|e| bad(index_dir, e.to_string()))?;
    let index = Index::open_or_create(dir, schema).map_err(|e| bad(index_dir, e.to_string()))?;
    analyzer::register(&index);
    Ok(Opened {
        index,
        fields,
        dir: index_dir.to_owned(),
        manifest: None,
        stamps: None,
        note,
    })
}
