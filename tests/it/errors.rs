//! Bad input of every kind: one line on stderr naming the problem and the fix, exit 2.

use crate::util::Workspace;

fn one_line_error(run: &crate::util::Run) -> String {
    assert_eq!(run.code, 2, "stdout: {} stderr: {}", run.stdout, run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
    lines[0].to_owned()
}

#[test]
fn bad_queries() {
    let ws = Workspace::bundled();
    let line = one_line_error(&ws.run(&["search", "titel:memoirs"]));
    assert_eq!(
        line,
        "error: unknown field 'titel' in query; fields are title, author, year, doc"
    );
    assert!(one_line_error(&ws.run(&["search", "\"old muck"])).contains("unbalanced quote"));
    assert!(one_line_error(&ws.run(&["search", "year:[1940 TO 1930]"])).contains("bad year range"));
    assert!(one_line_error(&ws.run(&["search", "muck", "--year", "19x"])).contains("--year"));
    assert!(one_line_error(&ws.run(&["search", "((("])).contains("parenthesis"));
    assert!(one_line_error(&ws.run(&["search", ""])).contains("empty query"));
    assert!(one_line_error(&ws.run(&["search", "— …"])).contains("no searchable words"));
    assert!(one_line_error(&ws.run(&["search", "muck", "--limit", "lots"])).contains("--limit"));
}

#[test]
fn missing_corpus() {
    let ws = Workspace::empty();
    let line = one_line_error(&ws.run(&["search", "x", "--corpus", "nowhere"]));
    assert!(
        line.contains("nowhere") && line.contains("--corpus"),
        "{line}"
    );
}

#[test]
fn corrupt_index_then_rebuild() {
    let ws = Workspace::bundled();
    assert_eq!(ws.run(&["index"]).code, 0);
    std::fs::write(ws.index().join("meta.json"), b"{ this is not json").unwrap();
    let line = one_line_error(&ws.run(&["search", "Kronstadt"]));
    assert!(line.contains("serge index --rebuild"), "{line}");
    let rebuilt = ws.run(&["index", "--rebuild"]);
    assert_eq!(rebuilt.code, 0, "{}", rebuilt.stderr);
    assert_eq!(
        rebuilt.stdout.trim(),
        "5 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert_eq!(ws.run(&["search", "Kronstadt"]).code, 0);
}

#[test]
fn foreign_directory_is_not_touched() {
    let ws = Workspace::bundled();
    std::fs::create_dir(ws.index()).unwrap();
    std::fs::write(ws.index().join("thesis.docx"), b"precious").unwrap();
    let line = one_line_error(&ws.run(&["index", "--rebuild"]));
    assert!(line.contains("not a serge index"), "{line}");
    assert_eq!(
        std::fs::read(ws.index().join("thesis.docx")).unwrap(),
        b"precious"
    );
}

#[test]
fn invalid_catalog_names_line_and_column_and_documents_still_index() {
    let ws = Workspace::bundled();
    ws.write(
        "catalog.json",
        "{\n  \"000_2b4d951a94e98a10\": {\"title\": \"x\",,}\n}\n",
    );
    let run = ws.run(&["index"]);
    let line = one_line_error(&run);
    assert!(line.contains("catalog.json:2:"), "{line}");
    assert_eq!(
        run.stdout.trim(),
        "5 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert_eq!(ws.run(&["search", "Kronstadt", "--json"]).code, 0);
}

#[test]
fn unusable_files_are_skipped_with_reasons() {
    let ws = Workspace::bundled();
    ws.write("empty.txt", "");
    ws.write(
        "image.png",
        [
            0x89, b'P', b'N', b'G', 0, 0, 0, 0x0D, 0, 0, 0, 0, 0xFF, 0x00,
        ],
    );
    let run = ws.run(&["index"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "5 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert!(
        run.stderr.contains("empty.txt") && run.stderr.contains("image.png"),
        "{}",
        run.stderr
    );
    let search = ws.run(&["search", "Kronstadt"]);
    assert_eq!(search.code, 0);
    assert!(
        !search.stderr.contains("updating"),
        "skipped files do not make the index look stale: {}",
        search.stderr
    );
}

#[test]
fn another_writer_holds_the_index() {
    let ws = Workspace::bundled();
    assert_eq!(ws.run(&["index"]).code, 0);
    let opened = serge::index::open_existing(&ws.index()).unwrap().unwrap();
    let _writer: tantivy::IndexWriter =
        opened.index.writer_with_num_threads(1, 15_000_000).unwrap();
    ws.write("005_new.txt", "A new document about Kronstadt.\n");
    let line = one_line_error(&ws.run(&["index"]));
    assert!(line.contains("being updated by another process"), "{line}");
    let search = ws.run(&["search", "Kronstadt", "--json"]);
    assert_eq!(
        search.code, 0,
        "searches keep working on the last commit: {}",
        search.stderr
    );
    assert!(search.stderr.contains("another process"));
}

/// Inputs the fuzzers found (tests/data/fuzz): each must give hits, no hits or one error
/// line, never a panic, as a query and as a file.
#[test]
fn fuzz_findings_do_not_panic() {
    let ws = Workspace::bundled();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        n += 1;
        if let Ok(raw) = std::str::from_utf8(&bytes) {
            // In process, the exact string (a NUL byte cannot be a command-line argument).
            assert_eq!(ws.run(&["index"]).code, 0);
            let opened = serge::index::open_existing(&ws.index()).unwrap().unwrap();
            let mut engine = serge::query::Engine::new(opened).unwrap();
            for context in [0, 2] {
                let _ = engine.search(&serge::query::Request {
                    query: raw.to_owned(),
                    limit: 5,
                    context,
                    ..Default::default()
                });
            }
            let query = raw.replace('\0', " ");
            let query = query.as_str();
            for extra in [&[][..], &["--kwic"], &["--facets", "-C", "3"]] {
                let mut args = vec!["search", "--color", "always", "--", query];
                args.splice(1..1, extra.iter().copied());
                let run = ws.run(&args);
                assert!(matches!(run.code, 0..=2), "{query:?}: {}", run.stderr);
                assert!(
                    !run.stderr.contains("panicked"),
                    "{query:?}: {}",
                    run.stderr
                );
            }
        }
        let path = ws.dir.path().join("fuzz-input.txt");
        std::fs::write(&path, &bytes).unwrap();
        let run = ws.run(&["clean", path.to_str().unwrap()]);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    assert!(n > 0, "the findings are there");
}
