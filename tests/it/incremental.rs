//! `serge index`: only what changed is touched.

use crate::util::{docs, Workspace};

fn index(ws: &Workspace) -> String {
    let run = ws.run(&["index"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout.trim().to_owned()
}

#[test]
fn add_change_remove_rename_and_no_op() {
    let ws = Workspace::bundled();
    assert_eq!(index(&ws), "5 added, 0 updated, 0 removed, 0 unchanged");
    assert_eq!(index(&ws), "0 added, 0 updated, 0 removed, 5 unchanged");

    ws.write("005_new.txt", "On Tulayev\n\nBy Jane Roe, 2001\n\nThe Case of Comrade Tulayev is a novel of the purges.\n");
    assert_eq!(index(&ws), "1 added, 0 updated, 0 removed, 5 unchanged");
    let hits = ws.hits(&["Tulayev", "--doc", "005"]);
    assert_eq!(hits[0]["author"], "Jane Roe");
    assert_eq!(hits[0]["year"], 2001);

    ws.write(
        "005_new.txt",
        "On Tulayev\n\nBy Jane Roe, 2001\n\nThe novel was rewritten about Kostrov.\n",
    );
    assert_eq!(index(&ws), "0 added, 1 updated, 0 removed, 5 unchanged");
    assert!(ws.hits(&["Kostrov"]).len() == 1);
    assert!(
        ws.hits(&["purges", "--doc", "005"]).is_empty(),
        "the old version is gone"
    );

    std::fs::rename(
        ws.corpus().join("005_new.txt"),
        ws.corpus().join("006_renamed.txt"),
    )
    .unwrap();
    assert_eq!(index(&ws), "1 added, 0 updated, 1 removed, 5 unchanged");
    assert_eq!(docs(&ws.hits(&["Kostrov"])), ["006_renamed"]);

    std::fs::remove_file(ws.corpus().join("006_renamed.txt")).unwrap();
    assert_eq!(index(&ws), "0 added, 0 updated, 1 removed, 5 unchanged");
    assert!(ws.hits(&["Kostrov"]).is_empty());
}

#[test]
fn touching_a_file_without_changing_it_is_unchanged() {
    let ws = Workspace::bundled();
    index(&ws);
    let path = ws.corpus().join("000_2b4d951a94e98a10.txt");
    let bytes = std::fs::read(&path).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(index(&ws), "0 added, 0 updated, 0 removed, 5 unchanged");
}

#[test]
fn search_refreshes_a_stale_index() {
    let ws = Workspace::bundled();
    index(&ws);
    ws.write(
        "005_new.txt",
        "Notes\n\nA passage about the Solovetsky camps.\n",
    );
    let run = ws.run(&["search", "Solovetsky", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("corpus changed"), "{}", run.stderr);
}

#[test]
fn catalog_edit_updates_metadata() {
    let ws = Workspace::bundled();
    index(&ws);
    let catalog = std::fs::read_to_string(ws.corpus().join("catalog.json")).unwrap();
    ws.write(
        "catalog.json",
        catalog.replace("\"year\": 2021", "\"year\": 2022"),
    );
    assert_eq!(index(&ws), "0 added, 1 updated, 0 removed, 4 unchanged");
    assert_eq!(ws.hits(&["\"old muck\"", "-n", "1"])[0]["year"], 2022);
}

#[test]
fn rebuild_matches_incremental() {
    let ws = Workspace::bundled();
    index(&ws);
    ws.write(
        "005_new.txt",
        "Notes\n\nA passage about Kronstadt and the sailors.\n",
    );
    index(&ws);
    let incremental = ws
        .run(&["search", "--json", "Kronstadt", "-n", "100"])
        .stdout;
    let run = ws.run(&["index", "--rebuild"]);
    assert_eq!(
        run.stdout.trim(),
        "6 added, 0 updated, 0 removed, 0 unchanged"
    );
    let rebuilt = ws
        .run(&["search", "--json", "Kronstadt", "-n", "100"])
        .stdout;
    assert_eq!(incremental, rebuilt);
}

/// Rewrites one number field of the index's manifest, as an older serge would have left it.
fn set_manifest_field(ws: &Workspace, field: &str, value: u64) {
    let path = ws.index().join("serge-manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(m.get(field).is_some(), "the manifest records {field}");
    m[field] = value.into();
    std::fs::write(&path, m.to_string()).unwrap();
    // The stamps file records the versions too.
    let stamps = ws.index().join("serge-stamps.tsv");
    let text = std::fs::read_to_string(&stamps).unwrap();
    let text: String = text
        .lines()
        .map(|l| match l.split('\t').collect::<Vec<_>>().as_slice() {
            ["versions", p, _] if field == "schema_version" => format!("versions\t{p}\t{value}\n"),
            ["versions", _, s] if field == "pipeline_version" => {
                format!("versions\t{value}\t{s}\n")
            }
            _ => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&stamps, text).unwrap();
}

#[test]
fn pipeline_version_change_re_ingests_everything_with_a_note() {
    let ws = Workspace::bundled();
    index(&ws);
    let before = ws.hits(&["\"old muck\""]);
    set_manifest_field(&ws, "pipeline_version", 0);
    let run = ws.run(&["index"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "5 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert!(
        run.stderr.contains("another version of the pipeline"),
        "{}",
        run.stderr
    );
    assert_eq!(index(&ws), "0 added, 0 updated, 0 removed, 5 unchanged");
    assert_eq!(ws.hits(&["\"old muck\""]), before);
}

#[test]
fn schema_version_change_rebuilds_with_a_note_for_index_and_search() {
    let ws = Workspace::bundled();
    index(&ws);
    let before = ws.run(&["search", "--json", "\"old muck\""]).stdout;
    set_manifest_field(&ws, "schema_version", 0);
    let run = ws.run(&["index"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "5 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert!(run.stderr.contains("schema version 0"), "{}", run.stderr);

    set_manifest_field(&ws, "schema_version", 0);
    let search = ws.run(&["search", "--json", "\"old muck\""]);
    assert_eq!(search.code, 0, "{}", search.stderr);
    assert!(
        search.stderr.contains("another format"),
        "{}",
        search.stderr
    );
    assert_eq!(search.stdout, before);
    assert_eq!(index(&ws), "0 added, 0 updated, 0 removed, 5 unchanged");
}

#[test]
fn search_notices_a_file_edited_in_place() {
    let ws = Workspace::bundled();
    index(&ws);
    let path = ws.corpus().join("004_b9b27ecb807e20ca.txt");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"\n\nA late note about the Solovetsky camps.\n");
    std::thread::sleep(std::time::Duration::from_millis(20));
    // Rewritten in place (same file, no rename), so its directory's time does not change.
    let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    std::io::Write::write_all(&mut f, &bytes).unwrap();
    drop(f);
    let run = ws.run(&["search", "--json", "Solovetsky"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("corpus changed"), "{}", run.stderr);
}
