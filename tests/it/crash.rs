//! Crash safety and concurrency: `serge index` killed (SIGKILL) at several points, a second
//! writer while one runs, searches during a rebuild. After each kill the index must open and
//! answer searches, and the next `serge index` must give exactly what a clean build gives.

use crate::util::Workspace;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A workspace with a generated corpus of about `size` (e.g. "3MB").
fn generated(size: &str, seed: &str) -> Workspace {
    let ws = Workspace::empty();
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let run = ws.run(&[
        "--corpus",
        bundled.to_str().unwrap(),
        "generate",
        "corpus",
        "--size",
        size,
        "--seed",
        seed,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    ws
}

/// Every passage containing "the" (nearly all of them), as (doc, paragraph, text), plus the
/// document list: what must be equal between an updated index and a clean build.
fn snapshot(ws: &Workspace, index: &str) -> (BTreeSet<String>, BTreeSet<(String, u64, String)>) {
    let docs = ws.run(&["--index", index, "docs", "--json"]);
    assert_eq!(docs.code, 0, "{}", docs.stderr);
    let docs = docs.stdout.lines().map(str::to_owned).collect();
    let run = ws.run(&[
        "--index", index, "search", "--json", "-n", "1000000", "-C", "0", "the",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let passages = run
        .stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["doc"].as_str().unwrap().to_owned(),
                v["paragraph"].as_u64().unwrap(),
                v["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (docs, passages)
}

/// The index opens in process and answers a search with the last committed state.
fn answers_searches(index: &Path) {
    let opened = serge::index::open_existing(index)
        .expect("the index opens after a kill")
        .expect("an index exists");
    let mut engine = serge::query::Engine::new(opened).unwrap();
    let hits = engine
        .search(&serge::query::Request {
            query: "revolution".into(),
            limit: 5,
            context: 1,
            ..Default::default()
        })
        .expect("search after a kill");
    assert!(!hits.is_empty(), "the last commit still answers");
}

/// Changes the corpus: removes, edits and adds documents.
fn change_corpus(ws: &Workspace) {
    let mut files: Vec<_> = walkdir::WalkDir::new(ws.corpus())
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| e.path().to_owned())
        .collect();
    files.sort();
    for f in files.iter().take(3) {
        std::fs::remove_file(f).unwrap();
    }
    for f in files.iter().skip(3).step_by(3) {
        let mut bytes = std::fs::read(f).unwrap();
        bytes.extend_from_slice(
            b"\n\nA closing paragraph added later about the Solovetsky camps.\n",
        );
        std::fs::write(f, bytes).unwrap();
    }
    for n in 0..3 {
        ws.write(
            &format!("new_{n}.txt"),
            format!("Notes {n}\n\nBy Jane Roe, 2001\n\nThe sailors of Kronstadt and the revolution, note {n}.\n"),
        );
    }
}

fn spawn_index(ws: &Workspace, args: &[&str]) -> Child {
    let mut all = vec!["index"];
    all.extend_from_slice(args);
    ws.command(&all)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until `ready` holds (or the child ends, or 20 s pass), then kills the child.
fn kill_when(child: &mut Child, ready: impl Fn() -> bool) {
    let start = Instant::now();
    while !ready() && start.elapsed() < Duration::from_secs(20) {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn segment_files(index: &Path) -> usize {
    std::fs::read_dir(index)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".idx"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn kill_9_at_several_points_then_index_gives_a_clean_build() {
    let ws = generated("3MB", "11");
    let first = ws.run(&["index"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let original = ws.dir.path().join("index-original");
    copy_dir(&ws.index(), &original);
    change_corpus(&ws);
    let reference = ws.run(&["--index", "ref", "index"]);
    assert_eq!(reference.code, 0, "{}", reference.stderr);
    let expected = snapshot(&ws, "ref");
    let index = ws.index();
    let meta = index.join("meta.json");
    let meta_before = std::fs::read(&meta).unwrap();

    // Kill points: at once; when the writer holds its lock; when a new segment appears; after
    // fixed delays; each for an update and for a rebuild.
    type Ready<'a> = Box<dyn Fn() -> bool + 'a>;
    let lock = index.join(".tantivy-writer.lock");
    let segments = segment_files(&index);
    let points: Vec<(&str, Ready)> = vec![
        ("at once", Box::new(|| true)),
        ("lock taken", Box::new(|| lock.exists())),
        ("new segment", Box::new(|| segment_files(&index) > segments)),
        ("20 ms", Box::new(sleep_then(20))),
        ("80 ms", Box::new(sleep_then(80))),
        ("250 ms", Box::new(sleep_then(250))),
    ];
    let mut killed_mid_run = 0;
    for (name, ready) in &points {
        for args in [&[][..], &["--rebuild"][..]] {
            let mut child = spawn_index(&ws, args);
            kill_when(&mut child, ready);
            if std::fs::read(&meta).unwrap() == meta_before {
                killed_mid_run += 1;
            }
            answers_searches(&index);
            let run = ws.run(&["index"]);
            assert_eq!(
                run.code, 0,
                "after a kill ({name} {args:?}): {}",
                run.stderr
            );
            assert_eq!(
                snapshot(&ws, "index"),
                expected,
                "after a kill ({name} {args:?}) the index differs from a clean build"
            );
            let rerun = ws.run(&["index"]);
            assert!(
                rerun.stdout.starts_with("0 added, 0 updated, 0 removed"),
                "{}",
                rerun.stdout
            );
            // Back to the index of the original corpus, so the next kill interrupts real work.
            std::fs::remove_dir_all(&index).unwrap();
            copy_dir(&original, &index);
        }
    }
    assert!(
        killed_mid_run > 0,
        "at least one kill must land before the commit"
    );
}

fn sleep_then(ms: u64) -> impl Fn() -> bool {
    let start = Instant::now();
    move || start.elapsed() >= Duration::from_millis(ms)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn killed_between_commit_and_manifest_then_index_gives_a_clean_build() {
    let ws = Workspace::bundled();
    assert_eq!(ws.run(&["index"]).code, 0);
    let manifest = ws.index().join("serge-manifest.json");
    let old_manifest = std::fs::read(&manifest).unwrap();
    // The run commits a new document; then the manifest of the run before is put back, which
    // is the state a kill between the commit and the manifest's save leaves.
    ws.write(
        "005_new.txt",
        "Notes\n\nA passage about the Solovetsky camps.\n",
    );
    assert_eq!(ws.run(&["index"]).code, 0);
    std::fs::write(&manifest, &old_manifest).unwrap();
    std::fs::remove_file(ws.corpus().join("005_new.txt")).unwrap();

    answers_searches(&ws.index());
    let run = ws.run(&["index"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert!(
        ws.hits(&["Solovetsky"]).is_empty(),
        "the committed document whose file is gone was removed"
    );
    assert_eq!(ws.run(&["--index", "ref", "index"]).code, 0);
    assert_eq!(snapshot(&ws, "index"), snapshot(&ws, "ref"));
}

/// The (doc, paragraph) of every passage matching a query.
fn matching(ws: &Workspace, query: &str) -> (i32, BTreeSet<(String, u64)>) {
    let run = ws.run(&["search", "--json", "-n", "100000", "-C", "0", query]);
    let set = run
        .stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["doc"].as_str().unwrap().to_owned(),
                v["paragraph"].as_u64().unwrap(),
            )
        })
        .collect();
    (run.code, set)
}

#[test]
fn two_writers_at_once_and_searches_during_a_rebuild() {
    let ws = generated("6MB", "12");
    assert_eq!(ws.run(&["index"]).code, 0);
    let (_, before) = matching(&ws, "Kronstadt");
    assert!(!before.is_empty());

    // Two writers started together: one wins the lock; the other either waits its turn or
    // exits 2 naming the problem. Neither may damage the index.
    let a = spawn_index(&ws, &["--rebuild"]);
    let b = spawn_index(&ws, &["--rebuild"]);
    let mut searches = 0;
    let mut outputs = Vec::new();
    let mut children = vec![a, b];
    while children.iter_mut().any(|c| c.try_wait().unwrap().is_none()) {
        let (code, found) = matching(&ws, "Kronstadt");
        assert_eq!(code, 0, "searches keep working during a rebuild");
        assert_eq!(found, before, "searches see a complete commit");
        searches += 1;
    }
    for c in children.drain(..) {
        outputs.push(c.wait_with_output().unwrap());
    }
    let ok = outputs.iter().filter(|o| o.status.success()).count();
    assert!(ok >= 1, "one writer succeeds");
    for o in &outputs {
        if !o.status.success() {
            assert_eq!(o.status.code(), Some(2));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains("being updated by another process"), "{err}");
            assert_eq!(err.trim().lines().count(), 1, "{err}");
        }
    }
    assert!(searches > 0, "at least one search ran during the rebuild");
    assert_eq!(matching(&ws, "Kronstadt").1, before);
    let rerun = ws.run(&["index"]);
    assert_eq!(
        rerun.stdout.trim(),
        format!(
            "0 added, 0 updated, 0 removed, {} unchanged",
            serde_json::from_str::<serde_json::Value>(
                &std::fs::read_to_string(ws.corpus().join("catalog.json")).unwrap()
            )
            .unwrap()
            .as_object()
            .unwrap()
            .len()
        )
    );
}
