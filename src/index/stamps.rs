//! The search-time staleness check: a small text file beside the manifest with what the
//! last update saw (the commit it made, the versions, `catalog.json`'s stamp, the
//! modification time of every corpus directory and the size and time of every file), so
//! that `serge search` can tell whether the corpus changed without reading the manifest or
//! any file.
//!
//! Adding, removing or renaming a file changes its directory's modification time, so
//! directories are always compared (a few `stat` calls). Files edited in place change only
//! their own stamp: they are compared one by one when the corpus has at most
//! [`FULL_CHECK_FILES`] files; above that, a search leaves in-place edits to the next
//! `serge index`, so that it stays fast (tens of thousands of `stat` calls take longer than
//! the search itself).

use super::manifest::Stamp;
use crate::error::{Error, Result};
use crate::ingest::SourceFile;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file's name inside the index directory.
pub const FILE_NAME: &str = "serge-stamps.tsv";

/// Corpora with at most this many files have every file checked before each search.
pub const FULL_CHECK_FILES: usize = 2_000;

const MAGIC: &str = "serge-stamps 1";

/// What an update saw.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stamps {
    pub opstamp: u64,
    pub pipeline_version: u32,
    pub schema_version: u32,
    pub catalog: Option<Stamp>,
    pub dirs: Vec<(PathBuf, u64)>,
    /// How many files the corpus had.
    pub file_count: usize,
    /// Their stamps; left empty by [`Stamps::load`] above [`FULL_CHECK_FILES`] files.
    pub files: Vec<(PathBuf, Stamp)>,
}

/// A directory's modification time, 0 where there is none (as it is then written and read).
fn mtime_ns(m: &std::fs::Metadata) -> u64 {
    super::manifest::mtime_ns(m).unwrap_or(0)
}

/// Escapes a path for one line of the file (backslashes and newlines).
fn escape(path: &Path) -> String {
    path.to_string_lossy()
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
}

fn unescape(s: &str) -> PathBuf {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    PathBuf::from(out)
}

impl Stamps {
    /// The stamps of a corpus as an update leaves it: its directories (hidden ones excepted,
    /// as in discovery) and the files it found.
    pub fn of_corpus(corpus: &Path, files: &[SourceFile], opstamp: u64) -> Self {
        let mut dirs = Vec::new();
        let walker = walkdir::WalkDir::new(corpus)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || e.file_type().is_dir() && !e.file_name().to_string_lossy().starts_with('.')
            });
        for entry in walker.flatten() {
            if entry.file_type().is_dir() {
                if let Ok(m) = entry.metadata() {
                    dirs.push((entry.path().to_owned(), mtime_ns(&m)));
                }
            }
        }
        Stamps {
            opstamp,
            pipeline_version: crate::ingest::PIPELINE_VERSION,
            schema_version: super::schema::SCHEMA_VERSION,
            catalog: Stamp::of_path(&corpus.join("catalog.json")),
            dirs,
            file_count: files.len(),
            files: files
                .iter()
                .map(|f| (f.path.clone(), Stamp::of(f)))
                .collect(),
        }
    }

    /// Writes the file atomically.
    pub fn save(&self, index_dir: &Path) -> Result<()> {
        let mut text = String::with_capacity(64 + self.files.len() * 80);
        let _ = writeln!(text, "{MAGIC}");
        let _ = writeln!(text, "opstamp\t{}", self.opstamp);
        let _ = writeln!(
            text,
            "versions\t{}\t{}",
            self.pipeline_version, self.schema_version
        );
        match self.catalog {
            Some(c) => {
                let _ = writeln!(text, "catalog\t{}\t{}", c.size, c.mtime_ns);
            }
            None => text.push_str("catalog\t-\n"),
        }
        for (path, mtime) in &self.dirs {
            let _ = writeln!(text, "dir\t{mtime}\t{}", escape(path));
        }
        let _ = writeln!(text, "files\t{}", self.files.len());
        for (path, s) in &self.files {
            let _ = writeln!(text, "file\t{}\t{}\t{}", s.size, s.mtime_ns, escape(path));
        }
        let path = index_dir.join(FILE_NAME);
        let tmp = index_dir.join(format!("{FILE_NAME}.tmp"));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| Error::io(&path, e))
    }

    /// Reads the file; `None` when it is missing or not in this format (the index is then
    /// treated as stale, and the next update writes it again). The file stamps are read only
    /// when there are at most [`FULL_CHECK_FILES`] of them (the search-time check does not
    /// compare more).
    pub fn load(index_dir: &Path) -> Option<Self> {
        use std::io::BufRead;
        let file = std::fs::File::open(index_dir.join(FILE_NAME)).ok()?;
        let mut lines = std::io::BufReader::with_capacity(64 * 1024, file).lines();
        if lines.next()?.ok()? != MAGIC {
            return None;
        }
        let mut s = Stamps::default();
        for line in lines {
            let line = line.ok()?;
            let line = line.as_str();
            let mut parts = line.splitn(4, '\t');
            match parts.next()? {
                "opstamp" => s.opstamp = parts.next()?.parse().ok()?,
                "versions" => {
                    s.pipeline_version = parts.next()?.parse().ok()?;
                    s.schema_version = parts.next()?.parse().ok()?;
                }
                "catalog" => {
                    let size = parts.next()?;
                    if size != "-" {
                        s.catalog = Some(Stamp {
                            size: size.parse().ok()?,
                            mtime_ns: parts.next()?.parse().ok()?,
                        });
                    }
                }
                "dir" => {
                    let mtime = parts.next()?.parse().ok()?;
                    let rest = line.splitn(3, '\t').nth(2)?;
                    s.dirs.push((unescape(rest), mtime));
                }
                "files" => {
                    s.file_count = parts.next()?.parse().ok()?;
                    if s.file_count > FULL_CHECK_FILES {
                        break;
                    }
                }
                "file" => {
                    let size = parts.next()?.parse().ok()?;
                    let mtime_ns = parts.next()?.parse().ok()?;
                    s.files
                        .push((unescape(parts.next()?), Stamp { size, mtime_ns }));
                }
                _ => return None,
            }
        }
        Some(s)
    }

    /// Whether the corpus (or the index) changed since these stamps were written.
    pub fn is_stale(&self, corpus: &Path, committed_opstamp: u64) -> bool {
        if self.opstamp != committed_opstamp
            || self.pipeline_version != crate::ingest::PIPELINE_VERSION
            || self.schema_version != super::schema::SCHEMA_VERSION
            || Stamp::of_path(&corpus.join("catalog.json")) != self.catalog
            || self.dirs.first().is_none_or(|(d, _)| d != corpus)
        {
            return true;
        }
        let dir_changed = self.dirs.iter().any(|(path, mtime)| {
            std::fs::metadata(path).map_or(true, |m| !m.is_dir() || mtime_ns(&m) != *mtime)
        });
        if dir_changed {
            return true;
        }
        self.file_count <= FULL_CHECK_FILES
            && self
                .files
                .iter()
                .any(|(path, stamp)| Stamp::of_path(path) != Some(*stamp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_odd_names() {
        let dir = tempfile::tempdir().unwrap();
        let s = Stamps {
            opstamp: 42,
            pipeline_version: 1,
            schema_version: 2,
            catalog: Some(Stamp {
                size: 10,
                mtime_ns: 20,
            }),
            dirs: vec![(PathBuf::from("corpus"), 5)],
            file_count: 2,
            files: vec![
                (
                    PathBuf::from("corpus/a\tb.txt"),
                    Stamp {
                        size: 1,
                        mtime_ns: 2,
                    },
                ),
                (
                    PathBuf::from("corpus/new\nline \\ name.txt"),
                    Stamp {
                        size: 3,
                        mtime_ns: 4,
                    },
                ),
            ],
        };
        s.save(dir.path()).unwrap();
        assert_eq!(Stamps::load(dir.path()), Some(s.clone()));
        // Above the full-check size, the file stamps are not read.
        let many = Stamps {
            file_count: FULL_CHECK_FILES + 1,
            files: vec![s.files[0].clone(); FULL_CHECK_FILES + 1],
            ..s
        };
        many.save(dir.path()).unwrap();
        let loaded = Stamps::load(dir.path()).unwrap();
        assert_eq!(loaded.file_count, FULL_CHECK_FILES + 1);
        assert!(loaded.files.is_empty());
        std::fs::write(dir.path().join(FILE_NAME), "something else\n").unwrap();
        assert_eq!(Stamps::load(dir.path()), None);
    }
}
