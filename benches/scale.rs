//! The same measurements on the 100 MB scale corpus (generated with seed 1 into
//! `target/scale/100MB` when missing, indexed into `target/scale/index-100MB`): cleaning
//! throughput, index build throughput (on a 10 MB slice, from empty, both cores) and query
//! latency per class. Every query's total hit count is first checked against a scan of the
//! stored passages that does not use the index; the build checks its document count.
//!
//! `SERGE_SCALE_SIZE=1GB cargo bench --bench scale` runs it on another size.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serge::index::analyzer;
use serge::query::{Engine, Request};
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn scale_dir() -> (String, PathBuf) {
    let size = std::env::var("SERGE_SCALE_SIZE").unwrap_or_else(|_| "100MB".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/scale").join(&size);
    if !dir.join("catalog.json").exists() {
        let bytes = match size.to_ascii_uppercase().as_str() {
            "1GB" => 1_000_000_000,
            "1MB" => 1_000_000,
            _ => 100_000_000,
        };
        serge::scale::generate(
            &root.join("corpus"),
            &dir,
            serge::scale::ScaleOptions {
                bytes,
                seed: 1,
                ..Default::default()
            },
        )
        .expect("generate the scale corpus");
    }
    (size, dir)
}

fn raw_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walk(dir);
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "txt") {
            out.push(p);
        }
    }
    out
}

/// Counts the passages matching a phrase (or one word) by scanning every stored passage
/// with the exact analyzer: an answer that does not come from the postings.
fn scan_count(
    passages: &[(String, Option<i64>, Vec<String>)],
    words: &[&str],
    years: Option<(i64, i64)>,
) -> u64 {
    passages
        .iter()
        .filter(|(_, year, tokens)| {
            years.is_none_or(|(lo, hi)| year.is_some_and(|y| (lo..=hi).contains(&y)))
                && tokens
                    .windows(words.len())
                    .any(|w| w.iter().zip(words).all(|(a, b)| a == b))
        })
        .count() as u64
}

fn bench_scale(c: &mut Criterion) {
    let (size, dir) = scale_dir();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let index = root.join("target/scale").join(format!("index-{size}"));
    serge::index::update(&dir, &index, Default::default(), None).expect("index the scale corpus");
    let opened = serge::index::open_existing(&index).unwrap().unwrap();
    let documents = opened.manifest.as_ref().unwrap().docs.len();
    let files = raw_files(&dir);
    assert_eq!(documents, files.len(), "every generated file is indexed");
    let mut engine = Engine::new(opened).unwrap();

    // Cleaning, one core, on the first 10 MB of files.
    let mut slice = Vec::new();
    let mut total = 0u64;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        total += bytes.len() as u64;
        slice.push(bytes);
        if total > 10_000_000 {
            break;
        }
    }
    for b in &slice {
        let cleaned = serge::ingest::clean_bytes(b).unwrap();
        let text = serge::ingest::render(&cleaned.paragraphs);
        assert!(!text.contains("â€"), "mojibake left after cleaning");
    }
    let mut group = c.benchmark_group(format!("scale{size}"));
    group.sample_size(10);
    group.throughput(Throughput::Bytes(total));
    group.bench_function("clean", |b| {
        b.iter(|| {
            for bytes in &slice {
                black_box(serge::ingest::clean_bytes(black_box(bytes)).unwrap());
            }
        })
    });

    // Index build from empty on the same slice of files, both cores.
    let slice_dir = tempfile::tempdir().unwrap();
    for f in files.iter().take(slice.len()) {
        std::fs::copy(f, slice_dir.path().join(f.file_name().unwrap())).unwrap();
    }
    std::fs::copy(
        dir.join("catalog.json"),
        slice_dir.path().join("catalog.json"),
    )
    .unwrap();
    group.bench_function("index", |b| {
        b.iter(|| {
            let out = tempfile::tempdir().unwrap();
            let summary = serge::index::update(
                slice_dir.path(),
                &out.path().join("index"),
                Default::default(),
                None,
            )
            .unwrap();
            assert_eq!(summary.added, slice.len());
        })
    });
    group.finish();

    // Queries: the total hit count (facets) must equal a scan of the stored passages.
    let mut exact = analyzer::exact();
    let mut passages = Vec::new();
    let manifest = engine.manifest().clone();
    serge::query::quotes::for_each_passage(&engine, |doc, _, text| {
        let tokens = analyzer::tokens(&mut exact, text)
            .into_iter()
            .map(|t| t.0)
            .collect();
        passages.push((
            doc.to_owned(),
            manifest.docs.get(doc).and_then(|e| e.year),
            tokens,
        ));
    })
    .unwrap();
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a [&'a str],
        Option<&'a str>,
        Option<(i64, i64)>,
    );
    let cases: &[Case] = &[
        ("term", "Kronstadt", &["kronstadt"], None, None),
        ("phrase2", "\"old muck\"", &["old", "muck"], None, None),
        (
            "phrase3",
            "\"socialism in one\"",
            &["socialism", "in", "one"],
            None,
            None,
        ),
        (
            "phrase4",
            "\"kingdom of the will\"",
            &["kingdom", "of", "the", "will"],
            None,
            None,
        ),
        (
            "filtered",
            "\"old muck\"",
            &["old", "muck"],
            Some("1930..1950"),
            Some((1930, 1950)),
        ),
    ];
    let mut group = c.benchmark_group(format!("scale{size}-search"));
    for &(class, query, words, year, years) in cases {
        let request = Request {
            query: query.into(),
            limit: 10,
            context: 1,
            year: year.map(Into::into),
            ..Default::default()
        };
        let expected = scan_count(&passages, words, years);
        assert!(expected > 0, "{class}: the scale corpus has hits");
        assert_eq!(
            engine.facets(&request).unwrap().hits,
            expected,
            "{class}: {query}"
        );
        assert_eq!(
            engine.search(&request).unwrap().len() as u64,
            expected.min(10)
        );
        group.bench_function(class, |b| {
            b.iter(|| black_box(engine.search(black_box(&request)).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_scale);
criterion_main!(benches);
