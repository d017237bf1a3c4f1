//! Building and updating the index: compare the corpus with the manifest, re-ingest only what
//! changed (delete by document id, then add, in one commit), drop what was removed, then write
//! the manifest. A run killed at any point leaves the last commit readable; the manifest is
//! written after the commit, so the next run redoes whatever the manifest does not yet show.

use super::manifest::SkippedEntry;
use super::manifest::{entry_for, hash_bytes, DocEntry, Manifest, Stamp};
use super::passage::passages;
use super::schema::{self, Fields};
use super::{open_or_create, Opened};
use crate::error::{Error, Result};
use crate::ingest::{self, Catalog, CleanDoc, SourceFile};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use tantivy::indexer::UserOperation;
use tantivy::schema::document::Document;
use tantivy::schema::Term;
use tantivy::{IndexWriter, TantivyDocument};

/// Memory budget of the index writer, shared by its threads.
pub const WRITER_MEMORY: usize = 256 * 1024 * 1024;

/// Segments holding this many passages or more are not merged further.
pub const MAX_MERGED_PASSAGES: usize = 100_000;

/// Raw bytes of documents handed to the writer but not yet indexed, at most. tantivy's queue
/// holds up to 10,000 operation groups (one per document here), which for a large corpus
/// meant about a gigabyte of queued passages; this bound keeps the queue to a few documents.
pub const IN_FLIGHT_BYTES: u64 = 24 * 1024 * 1024;

/// Bytes queued for the writer, and a signal when they go down.
#[derive(Default)]
struct InFlight {
    bytes: Mutex<u64>,
    drained: Condvar,
}

impl InFlight {
    /// Waits until `bytes` more fit under the bound (one document always fits), then counts
    /// them and returns the ticket that gives them back when dropped.
    fn admit(self: &Arc<Self>, bytes: u64) -> Arc<Ticket> {
        let mut queued = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        while *queued > 0 && *queued + bytes > IN_FLIGHT_BYTES {
            let (guard, _) = self
                .drained
                .wait_timeout(queued, std::time::Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner());
            queued = guard;
        }
        *queued += bytes;
        Arc::new(Ticket {
            bytes,
            flight: Arc::clone(self),
        })
    }
}

/// Shared by the passages of one document; dropped when tantivy has indexed the last one.
struct Ticket {
    bytes: u64,
    flight: Arc<InFlight>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut queued = self.flight.bytes.lock().unwrap_or_else(|e| e.into_inner());
        *queued = queued.saturating_sub(self.bytes);
        self.flight.drained.notify_all();
    }
}

/// A passage as the writer receives it: a tantivy document and its document's ticket.
pub struct Tracked {
    doc: TantivyDocument,
    _ticket: Arc<Ticket>,
}

impl Document for Tracked {
    type Value<'a> = <TantivyDocument as Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.doc.iter_fields_and_values()
    }

    fn into_tantivy_document(self) -> TantivyDocument {
        self.doc
    }
}

/// What a run did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Files that could not be used, with the reason.
    pub skipped: Vec<ingest::Skipped>,
    /// Notes for the user (why everything was re-ingested, a catalog problem…).
    pub notes: Vec<String>,
    /// An error that did not stop the run but must make it exit 2 (an invalid catalog).
    pub failure: Option<String>,
}

impl Summary {
    /// The one summary line `serge index` prints.
    pub fn line(&self) -> String {
        format!(
            "{} added, {} updated, {} removed, {} unchanged",
            self.added, self.updated, self.removed, self.unchanged
        )
    }
}

/// Reports progress while files are ingested: (files done, files total, bytes done).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize, u64);

/// Options of an update run.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdateOptions {
    /// Start from empty (searches keep seeing the previous commit until this one lands).
    pub rebuild: bool,
    /// Indexing threads (0: one per core, at most 2).
    pub threads: usize,
}

/// Reads `catalog.json` of a corpus; an invalid one is reported and treated as empty so that
/// the documents still index.
fn load_catalog(corpus: &Path, summary: &mut Summary) -> Catalog {
    match ingest::read_catalog(&corpus.join("catalog.json")) {
        Ok(c) => c,
        Err(e) => {
            summary.failure = Some(e.to_string());
            Catalog::new()
        }
    }
}

fn catalog_hash(catalog: &Catalog, id: &str) -> u64 {
    catalog
        .get(id)
        .map_or(0, |e| hash_bytes(format!("{e:?}").as_bytes()))
}

/// Brings the index at `index_dir` up to date with `corpus`.
pub fn update(
    corpus: &Path,
    index_dir: &Path,
    options: UpdateOptions,
    progress: Option<Progress<'_>>,
) -> Result<Summary> {
    let mut summary = Summary::default();
    let (files, skipped) = ingest::discover(corpus)?;
    summary.skipped = skipped;
    let catalog = load_catalog(corpus, &mut summary);
    let Opened {
        index,
        fields,
        manifest,
        note,
        ..
    } = open_or_create(index_dir, options.rebuild)?;
    summary.notes.extend(note);
    let committed = committed_opstamp(&index)?;
    let mut manifest = match manifest {
        Some(m) if !options.rebuild && m.is_current() && m.opstamp == committed => m,
        Some(m) if !options.rebuild && m.is_current() => {
            summary.notes.push(
                "the last indexing run was interrupted after its commit; re-ingesting everything"
                    .to_owned(),
            );
            drop(m);
            Manifest::new()
        }
        Some(m) if !options.rebuild => {
            summary.notes.push(format!(
                "the index was written by another version of the pipeline or schema (pipeline {} schema {}, now {} and {}); re-ingesting everything",
                m.pipeline_version,
                m.schema_version,
                ingest::PIPELINE_VERSION,
                schema::SCHEMA_VERSION
            ));
            Manifest::new()
        }
        _ => Manifest::new(),
    };
    let threads = if options.threads == 0 {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(2)
    } else {
        options.threads
    };
    let mut writer: IndexWriter<Tracked> =
        match index.writer_with_num_threads(threads, WRITER_MEMORY) {
            Ok(w) => w,
            Err(tantivy::TantivyError::LockFailure(..)) => {
                return Err(Error::Locked(index_dir.to_owned()))
            }
            Err(e) => return Err(e.into()),
        };
    // Segments stop being merged once they hold about 100 MB of passages: a large corpus then
    // never merges (and maps) the whole index at once, which kept a 1 GB build's memory and
    // time down, at the cost of a few more segments to search.
    let mut policy = tantivy::indexer::LogMergePolicy::default();
    policy.set_max_docs_before_merge(MAX_MERGED_PASSAGES);
    writer.set_merge_policy(Box::new(policy));
    if options.rebuild || manifest.docs.is_empty() {
        writer.delete_all_documents()?;
        manifest.docs.clear();
        manifest.skipped.clear();
    }

    let present: std::collections::HashSet<&str> = files.iter().map(|f| f.id.as_str()).collect();
    manifest
        .skipped
        .retain(|id, _| present.contains(id.as_str()));
    let removed: Vec<String> = manifest
        .docs
        .keys()
        .filter(|id| !present.contains(id.as_str()))
        .cloned()
        .collect();
    for id in &removed {
        writer.delete_term(Term::from_field_text(fields.doc, id));
        manifest.docs.remove(id);
    }
    summary.removed = removed.len();

    // Files whose size and time already say they are unchanged are not read; the others are
    // read, hashed and cleaned by `workers` threads, in order, while tantivy's own threads
    // index what came before.
    let total = files.len();
    let mut jobs: Vec<Job<'_>> = Vec::new();
    for file in &files {
        let cat_hash = catalog_hash(&catalog, &file.id);
        if let Some(old) = manifest.skipped.get(&file.id) {
            if old.stamp == Stamp::of(file) && old.path == file.path {
                summary.skipped.push(ingest::Skipped {
                    path: file.path.clone(),
                    reason: old.reason.clone(),
                });
                continue;
            }
        }
        manifest.skipped.remove(&file.id);
        let known = manifest.docs.get(&file.id);
        let unchanged_stamp = known.is_some_and(|e| {
            e.stamp == Stamp::of(file)
                && e.path == file.path
                && e.catalog_hash == format!("{cat_hash:016x}")
        });
        if unchanged_stamp {
            summary.unchanged += 1;
            continue;
        }
        jobs.push(Job {
            file,
            cat_hash,
            known: known.map(|e| (e.hash.clone(), e.catalog_hash.clone())),
        });
    }
    let done_before = total - jobs.len();
    let workers = threads.min(jobs.len()).max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut bytes_done = 0u64;
    let mut report = progress;
    let mut failure: Option<Error> = None;
    let flight = Arc::new(InFlight::default());
    std::thread::scope(|scope| {
        // A bounded queue keeps memory flat however large the corpus: at most a few cleaned
        // documents wait for the writer.
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Prepared)>(workers * 2);
        for _ in 0..workers {
            let tx = tx.clone();
            let (jobs, next, catalog) = (&jobs, &next, &catalog);
            scope.spawn(move || loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(job) = jobs.get(n) else { break };
                if tx.send((n, prepare(job, catalog, fields))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut waiting: std::collections::BTreeMap<usize, Prepared> = Default::default();
        let mut expected = 0;
        for (n, prepared) in rx {
            waiting.insert(n, prepared);
            while let Some(prepared) = waiting.remove(&expected) {
                let job = &jobs[expected];
                expected += 1;
                if failure.is_some() {
                    continue;
                }
                bytes_done += prepared.bytes;
                if let Err(e) = apply(
                    job,
                    prepared,
                    &writer,
                    &flight,
                    fields,
                    &mut manifest,
                    &mut summary,
                ) {
                    failure = Some(e);
                    // Stop the workers: no more jobs are handed out.
                    next.store(usize::MAX / 2, std::sync::atomic::Ordering::Relaxed);
                }
                if let Some(report) = report.as_mut() {
                    report(done_before + expected, total, bytes_done);
                }
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    manifest.catalog = Stamp::of_path(&corpus.join("catalog.json"));
    manifest.opstamp = writer.commit()?;
    manifest.save(index_dir)?;
    super::stamps::Stamps::of_corpus(corpus, &files, manifest.opstamp).save(index_dir)?;
    writer.wait_merging_threads()?;
    Ok(summary)
}

/// A file to read, with what the manifest knows of it.
struct Job<'a> {
    file: &'a SourceFile,
    cat_hash: u64,
    /// Content hash and catalog hash in the manifest, when the document is known.
    known: Option<(String, String)>,
}

/// What a worker made of a file.
struct Prepared {
    bytes: u64,
    outcome: Outcome,
}

enum Outcome {
    /// Could not be read or cleaned: skipped with this reason.
    Skip(String),
    /// Same bytes and catalog entry as indexed (only its time or path changed).
    Same,
    /// A new or changed document, ready to be indexed.
    Ready {
        entry: Box<DocEntry>,
        docs: Vec<TantivyDocument>,
    },
}

/// Reads, hashes and cleans one file, and builds its passages' documents (run by workers).
fn prepare(job: &Job<'_>, catalog: &Catalog, fields: Fields) -> Prepared {
    let file = job.file;
    let bytes = match ingest::read_limited(&file.path) {
        Ok(b) => b,
        Err(e) => {
            return Prepared {
                bytes: 0,
                outcome: Outcome::Skip(skip_reason(&e)),
            }
        }
    };
    let size = bytes.len() as u64;
    let hash = hash_bytes(&bytes);
    if job.known.as_ref().is_some_and(|(h, c)| {
        *h == format!("{hash:016x}") && *c == format!("{:016x}", job.cat_hash)
    }) {
        return Prepared {
            bytes: size,
            outcome: Outcome::Same,
        };
    }
    let outcome = match ingest::clean_doc(&file.id, &file.path, &bytes, catalog) {
        Ok(doc) => {
            let (entry, docs) = documents(fields, file, hash, job.cat_hash, &doc);
            Outcome::Ready {
                entry: Box::new(entry),
                docs,
            }
        }
        Err(e) => Outcome::Skip(skip_reason(&e)),
    };
    Prepared {
        bytes: size,
        outcome,
    }
}

/// Applies a prepared file to the writer and the manifest (on the calling thread, in order).
fn apply(
    job: &Job<'_>,
    prepared: Prepared,
    writer: &IndexWriter<Tracked>,
    flight: &Arc<InFlight>,
    fields: Fields,
    manifest: &mut Manifest,
    summary: &mut Summary,
) -> Result<()> {
    let file = job.file;
    let was_known = manifest.docs.contains_key(&file.id);
    match prepared.outcome {
        Outcome::Same => {
            if let Some(entry) = manifest.docs.get_mut(&file.id) {
                entry.stamp = Stamp::of(file);
                entry.path = file.path.clone();
            }
            summary.unchanged += 1;
        }
        Outcome::Ready { entry, docs } => {
            // A document new to the manifest may still be in the index (a run killed after its
            // commit but before its manifest was saved), so the delete is queued in every case.
            let mut ops = Vec::with_capacity(docs.len() + 1);
            ops.push(UserOperation::Delete(Term::from_field_text(
                fields.doc, &file.id,
            )));
            let ticket = flight.admit(prepared.bytes);
            ops.extend(docs.into_iter().map(|doc| {
                UserOperation::Add(Tracked {
                    doc,
                    _ticket: Arc::clone(&ticket),
                })
            }));
            drop(ticket);
            writer.run(ops)?;
            manifest.docs.insert(file.id.clone(), *entry);
            if was_known {
                summary.updated += 1;
            } else {
                summary.added += 1;
            }
        }
        Outcome::Skip(reason) => {
            if was_known {
                writer.delete_term(Term::from_field_text(fields.doc, &file.id));
                manifest.docs.remove(&file.id);
                summary.removed += 1;
            }
            manifest.skipped.insert(
                file.id.clone(),
                SkippedEntry {
                    path: file.path.clone(),
                    stamp: Stamp::of(file),
                    reason: reason.clone(),
                },
            );
            summary.skipped.push(ingest::Skipped {
                path: file.path.clone(),
                reason,
            });
        }
    }
    Ok(())
}

fn skip_reason(e: &Error) -> String {
    match e {
        Error::Unusable { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

/// Turns a cleaned document into its passages' tantivy documents and its manifest entry.
fn documents(
    fields: Fields,
    file: &SourceFile,
    hash: u64,
    cat_hash: u64,
    doc: &CleanDoc,
) -> (DocEntry, Vec<TantivyDocument>) {
    let ps = passages(&doc.paragraphs);
    let key = schema::doc_key(&doc.id);
    let mut docs = Vec::with_capacity(ps.len());
    for p in &ps {
        let mut d = TantivyDocument::default();
        d.add_text(fields.doc, &doc.id);
        d.add_u64(fields.doc_key, key);
        d.add_text(fields.title, &doc.meta.title);
        for a in &doc.meta.authors {
            d.add_text(fields.author, a);
        }
        if let Some(y) = doc.meta.year {
            d.add_i64(fields.year, y);
        }
        if let Some(s) = &p.section {
            d.add_text(fields.section, s);
        }
        d.add_u64(fields.paragraph, p.paragraph);
        d.add_u64(fields.ord, p.ord);
        d.add_u64(fields.len, p.text.len() as u64);
        d.add_text(fields.text, &p.text);
        d.add_text(fields.text_stem, &p.text);
        docs.push(d);
    }
    let mut entry = entry_for(file, hash, cat_hash, &doc.meta);
    entry.encoding = doc.encoding.to_string();
    entry.repairs = doc
        .repairs
        .0
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    entry.paragraphs = doc.paragraphs.len() as u64;
    entry.passages = ps.len() as u64;
    (entry, docs)
}

/// The opstamp of the index's last commit.
pub fn committed_opstamp(index: &tantivy::Index) -> Result<u64> {
    Ok(index.load_metas()?.opstamp)
}

/// Whether an opened index must be brought up to date before a search: its stamps file is
/// missing, describes another commit or versions, or the corpus changed (see
/// [`super::stamps`]). No file of the corpus is read.
pub fn is_stale(corpus: &Path, opened: &Opened) -> Result<bool> {
    let Some(stamps) = &opened.stamps else {
        return Ok(true);
    };
    Ok(stamps.is_stale(corpus, committed_opstamp(&opened.index)?))
}
