//! Cleaning throughput on one core: clean UTF-8 (the bundled corpus) and mojibake-heavy text
//! (the same text damaged by a wrong decoder). Each bench first checks its output, so a
//! benchmark is also a correctness check.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn corpus_text() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn bench_clean(c: &mut Criterion) {
    let clean = corpus_text();
    let damaged = serge::ingest::mojibake::damage(&clean);
    // Correctness first: the damaged copy cleans to the same paragraphs as the original.
    let a = serge::ingest::clean_bytes(clean.as_bytes()).unwrap();
    let b = serge::ingest::clean_bytes(damaged.as_bytes()).unwrap();
    assert_eq!(a.paragraphs, b.paragraphs);
    assert_eq!(
        a.paragraphs.len(),
        333,
        "paragraph count of the bundled corpus changed"
    );

    // The same bytes for the baseline: benches/ftfy_baseline.py times ftfy's fix_text on these files.
    let inputs = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(inputs.join("clean-utf8.txt"), &clean).unwrap();
    std::fs::write(inputs.join("clean-mojibake.txt"), &damaged).unwrap();

    let mut group = c.benchmark_group("clean");
    group.throughput(Throughput::Bytes(clean.len() as u64));
    group.bench_function("utf8", |bench| {
        bench.iter(|| serge::ingest::clean_bytes(black_box(clean.as_bytes())).unwrap())
    });
    group.throughput(Throughput::Bytes(damaged.len() as u64));
    group.bench_function("mojibake", |bench| {
        bench.iter(|| serge::ingest::clean_bytes(black_box(damaged.as_bytes())).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_clean);
criterion_main!(benches);
