//! In-process query latency per class on the bundled corpus: top 10 with one passage of
//! context and highlights, as `serge search` does. Each query first asserts its hit count.
//! Also the index build of the bundled corpus.

use criterion::{criterion_group, criterion_main, Criterion};
use serge::query::{Engine, Request};
use std::hint::black_box;

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let index = dir.path().join("index");
    serge::index::update(&corpus, &index, Default::default(), None).unwrap();
    let opened = serge::index::open_existing(&index).unwrap().unwrap();
    (dir, Engine::new(opened).unwrap())
}

fn bench_search(c: &mut Criterion) {
    let (_dir, mut engine) = engine();
    // (class, query, --author, --year, expected hits)
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, usize);
    let cases: &[Case] = &[
        ("term", "Kronstadt", None, None, 8),
        ("and2", "Trotsky Kronstadt", None, None, 4),
        ("phrase", "\"old muck\"", None, None, 6),
        ("slop", "\"kingdom will\"~3", None, None, 2),
        ("filtered", "Kronstadt", Some("Weissman"), None, 2),
        ("year", "revolution", None, Some("1930..1940"), 9),
    ];
    let mut group = c.benchmark_group("search");
    for &(class, query, author, year, expected) in cases {
        let request = Request {
            query: query.into(),
            limit: 10,
            context: 1,
            author: author.map(Into::into),
            year: year.map(Into::into),
            doc: None,
            like: None,
        };
        assert_eq!(
            engine.search(&request).unwrap().len(),
            expected,
            "{class}: {query}"
        );
        group.bench_function(class, |b| {
            b.iter(|| black_box(engine.search(black_box(&request)).unwrap()))
        });
    }
    group.finish();
}

/// Index build throughput on the bundled corpus, from empty, both cores.
fn bench_build(c: &mut Criterion) {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let bytes: u64 = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| e.metadata().unwrap().len())
        .sum();
    let mut group = c.benchmark_group("build");
    group.sample_size(20);
    group.throughput(criterion::Throughput::Bytes(bytes));
    group.bench_function("bundled", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().unwrap();
            let summary =
                serge::index::update(&corpus, &dir.path().join("index"), Default::default(), None)
                    .unwrap();
            assert_eq!(summary.added, 5, "the five bundled documents are indexed");
        })
    });
    group.finish();
}

criterion_group!(benches, bench_search, bench_build);
criterion_main!(benches);
