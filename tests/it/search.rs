//! `serge search` on the bundled corpus: the acceptance queries of the search issue.

use crate::util::{docs, marked, Workspace};
use std::collections::BTreeSet;

fn doc_set(hits: &[serde_json::Value]) -> BTreeSet<String> {
    docs(hits).into_iter().map(|d| d[..3].to_owned()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn first_use_builds_the_index() {
    let ws = Workspace::bundled();
    let run = ws.run(&["search", "--json", "\"old muck\""]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("building the index"), "{}", run.stderr);
    let again = ws.run(&["search", "--json", "\"old muck\""]);
    assert!(
        again.stderr.is_empty(),
        "no note once the index is fresh: {}",
        again.stderr
    );
    assert_eq!(run.stdout, again.stdout);
}

#[test]
fn old_muck_phrase_and_its_highlights() {
    let ws = Workspace::bundled();
    let hits = ws.hits(&["\"old muck\"", "-n", "50"]);
    assert!(hits[0]["doc"].as_str().unwrap().starts_with("000_"));
    for hit in &hits {
        let text = hit["text"].as_str().unwrap();
        let occurrences = text.to_lowercase().matches("old muck").count();
        assert!(occurrences > 0, "every hit contains the phrase");
        let marks = marked(hit);
        assert_eq!(
            marks.len(),
            occurrences,
            "one highlight per occurrence, nothing else"
        );
        assert!(marks.iter().all(|m| m.eq_ignore_ascii_case("old muck")));
    }
    let first = &hits[0];
    assert!(first["text"].as_str().unwrap().contains("old muck"));
    assert_eq!(marked(first), ["old muck", "old muck"]);
}

#[test]
fn kingdom_of_the_will() {
    let ws = Workspace::bundled();
    assert_eq!(
        doc_set(&ws.hits(&["\"kingdom will\"~3", "-n", "100"])),
        set(&["001", "002"])
    );
    assert_eq!(
        doc_set(&ws.hits(&["\"kingdom of the will\"", "-n", "100"])),
        set(&["002"])
    );
}

#[test]
fn filters() {
    let ws = Workspace::bundled();
    assert_eq!(
        doc_set(&ws.hits(&["Kronstadt", "--author", "Weissman", "-n", "100"])),
        set(&["001"])
    );
    assert_eq!(
        doc_set(&ws.hits(&["revolution", "--year", "1930..1940", "-n", "100"])),
        set(&["003"])
    );
    assert_eq!(
        doc_set(&ws.hits(&["revolution", "--doc", "004", "-n", "100"])),
        set(&["004"])
    );
    assert_eq!(
        doc_set(&ws.hits(&["revolution year:[1930 TO 1940]", "-n", "100"])),
        set(&["003"])
    );
    assert_eq!(
        doc_set(&ws.hits(&["Kronstadt author:weissman", "-n", "100"])),
        set(&["001"])
    );
    assert_eq!(
        doc_set(&ws.hits(&["Trotsky", "--year", "1994", "-n", "100"])),
        set(&["002"])
    );
}

#[test]
fn folding_of_accents_quotes_and_dashes() {
    let ws = Workspace::bundled();
    assert_eq!(doc_set(&ws.hits(&["\"musee sociale\""])), set(&["002"]));
    assert_eq!(
        doc_set(&ws.hits(&["\"1917-18 become aware\""])),
        set(&["003"])
    );
    assert_eq!(
        doc_set(&ws.hits(&["\"Trotsky's History of the Russian Revolution\""])),
        set(&["000"])
    );
    assert_eq!(ws.hits(&["\"Johnny-come-latelys\""]).len(), 1);
}

#[test]
fn boolean_operators() {
    let ws = Workspace::bundled();
    let both = ws.hits(&["Kronstadt Orenburg", "-n", "100"]);
    assert!(both.iter().all(|h| {
        let t = h["text"].as_str().unwrap();
        t.contains("Kronstadt") && t.contains("Orenburg")
    }));
    let either = ws.hits(&["Kronstadt OR Orenburg", "-n", "100"]).len();
    let k = ws.hits(&["Kronstadt", "-n", "100"]).len();
    assert!(either > k);
    let without = ws.hits(&["Kronstadt -Orenburg", "-n", "100"]);
    assert!(without
        .iter()
        .all(|h| !h["text"].as_str().unwrap().contains("Orenburg")));
    assert_eq!(without.len() + both.len(), k);
    // An OR adds the scores of its words: each passage scores what it scores for each word
    // alone, summed (the length prior multiplies both sides alike).
    let score_of = |q: &str| -> std::collections::HashMap<(String, u64), f64> {
        ws.hits(&[q, "-n", "1000"])
            .iter()
            .map(|h| {
                let key = (
                    h["doc"].as_str().unwrap().to_owned(),
                    h["paragraph"].as_u64().unwrap(),
                );
                (key, h["score"].as_f64().unwrap())
            })
            .collect()
    };
    let (k, o, or) = (
        score_of("Kronstadt"),
        score_of("Orenburg"),
        score_of("Kronstadt OR Orenburg"),
    );
    assert_eq!(
        or.len(),
        k.keys().chain(o.keys()).collect::<BTreeSet<_>>().len()
    );
    for (key, score) in &or {
        let sum = k.get(key).unwrap_or(&0.0) + o.get(key).unwrap_or(&0.0);
        assert!(
            (score - sum).abs() < 1e-4 * sum,
            "{key:?}: {score} vs {sum}"
        );
    }
}

#[test]
fn one_word_queries_rank_substance_first() {
    let ws = Workspace::bundled();
    for word in ["Trotsky", "anarchism"] {
        let hits = ws.hits(&[word, "-n", "3"]);
        for h in &hits {
            assert!(
                h["text"].as_str().unwrap().len() > 300,
                "{word}: {}",
                h["text"]
            );
        }
    }
}

#[test]
fn stemming_for_bare_words_only() {
    let ws = Workspace::bundled();
    let bare = ws.hits(&["anarchists", "-n", "100"]);
    assert!(bare
        .iter()
        .any(|h| h["text"].as_str().unwrap().contains("anarchist ")));
    let exact = ws.hits(&["\"anarchists\"", "-n", "100"]);
    assert!(exact.iter().all(|h| h["text"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("anarchists")));
    assert!(exact.len() < bare.len());
}

#[test]
fn context_passages() {
    let ws = Workspace::bundled();
    let hits = ws.hits(&["\"Johnny-come-latelys\"", "-C", "2"]);
    assert_eq!(hits[0]["before"].as_array().unwrap().len(), 2);
    assert_eq!(hits[0]["after"].as_array().unwrap().len(), 2);
    assert!(hits[0]["before"][1]
        .as_str()
        .unwrap()
        .contains("\n\nIn 1925–26"));
    let none = ws.hits(&["\"Johnny-come-latelys\"", "-C", "0"]);
    assert!(none[0]["before"].as_array().unwrap().is_empty());
    let first = ws.hits(&["\"dug into Victor Serge\""]);
    assert!(
        first[0]["before"].as_array().unwrap().is_empty(),
        "nothing before the first passage"
    );
}

#[test]
fn json_fields_follow_the_contract() {
    let ws = Workspace::bundled();
    let hits = ws.hits(&["contemptuous", "--doc", "002", "-n", "1"]);
    let h = &hits[0];
    for key in [
        "rank",
        "score",
        "doc",
        "title",
        "author",
        "year",
        "section",
        "paragraph",
        "text",
        "highlights",
        "before",
        "after",
    ] {
        assert!(h.get(key).is_some(), "missing {key}");
    }
    assert_eq!(h["rank"], 1);
    assert_eq!(h["section"], "Prewar Anarchism");
    assert_eq!(h["title"], "The Serge–Trotsky Papers");
    let none = ws.hits(&["Notebooks", "--doc", "004", "-n", "1"]);
    assert!(none[0]["author"].is_null());
}

#[test]
fn text_output_and_colour() {
    let ws = Workspace::bundled();
    let run = ws.run(&["search", "\"old muck\"", "-n", "1"]);
    assert_eq!(run.code, 0);
    let header = run.stdout.lines().next().unwrap();
    assert!(header.starts_with("1. Victor Serge’s ‘Memoirs of a revolutionary’ — AngryWorkersWorld (2021) [000_2b4d951a94e98a10 ¶"), "{header}");
    assert!(!run.stdout.contains('\x1b'), "no colour when piped");
    let color = ws.run(&["search", "\"old muck\"", "-n", "1", "--color", "always"]);
    assert!(color.stdout.contains("\x1b[1;31mold muck\x1b[0m"));
}

#[test]
fn no_hits_exit_1() {
    let ws = Workspace::bundled();
    let run = ws.run(&["search", "xylophone"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
}

#[test]
fn equal_scores_are_ordered_by_document_then_passage() {
    // Passages of the same length with one "Kronstadt" each score exactly alike; their order
    // must then be document id, then passage order, whatever order the files were indexed in.
    let ws = Workspace::empty();
    let paragraph = |tag: &str| {
        let words: Vec<String> = (0..100).map(|j| format!("{tag}w{j:02}")).collect();
        format!("Kronstadt {}.", words.join(" "))
    };
    let write = |name: &str, tags: &[&str]| {
        let body: Vec<String> = tags.iter().map(|t| paragraph(t)).collect();
        ws.write(name, format!("# Notes\n\n{}\n", body.join("\n\n")));
    };
    // Indexed in two batches of several documents, so that the index's own order (segments
    // in the order they were written) is not the document order, and segments hold several
    // documents each.
    write("c.txt", &["c1"]);
    write("z.txt", &["z2", "z1"]);
    write("x.txt", &["x1"]);
    write("w.txt", &["w1"]);
    assert_eq!(ws.run(&["index"]).code, 0);
    for name in ["a", "b", "y", "d"] {
        write(&format!("{name}.txt"), &[&format!("{name}1")]);
    }
    assert_eq!(ws.run(&["index"]).code, 0);
    let hits = ws.hits(&["Kronstadt", "-C", "0"]);
    let order: Vec<(String, String)> = hits
        .iter()
        .map(|h| {
            let text = h["text"].as_str().unwrap();
            (
                h["doc"].as_str().unwrap().to_owned(),
                text[10..12].to_owned(),
            )
        })
        .collect();
    let expected = [
        ("a", "a1"),
        ("b", "b1"),
        ("c", "c1"),
        ("d", "d1"),
        ("w", "w1"),
        ("x", "x1"),
        ("y", "y1"),
        ("z", "z2"),
        ("z", "z1"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(d, t)| (d.to_string(), t.to_string()))
        .collect();
    assert_eq!(order, expected);
    let scores: BTreeSet<String> = hits.iter().map(|h| h["score"].to_string()).collect();
    assert_eq!(scores.len(), 1, "the passages should tie: {scores:?}");
}
