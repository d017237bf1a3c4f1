//! The research views on the bundled corpus: concordance lines, facets, the timeline, similar
//! passages and shared quotations.

use crate::util::Workspace;
use serde_json::Value;
use std::collections::BTreeMap;

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

fn ok(ws: &Workspace, args: &[&str]) -> String {
    let run = ws.run(args);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.stdout
}

/// Every matching passage (no context), as JSON.
fn all_hits(ws: &Workspace, query: &str) -> Vec<Value> {
    json_lines(&ok(
        ws,
        &["search", "--json", "-n", "100000", "-C", "0", query],
    ))
}

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn kwic_has_one_line_per_occurrence_centred() {
    let ws = Workspace::bundled();
    let hits = all_hits(&ws, "\"old muck\"");
    let occurrences: usize = hits
        .iter()
        .map(|h| {
            h["text"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .matches("old muck")
                .count()
        })
        .sum();
    assert!(occurrences > hits.len(), "some passage holds two");

    let lines = json_lines(&ok(&ws, &["search", "--kwic", "--json", "\"old muck\""]));
    assert_eq!(
        lines.len(),
        occurrences,
        "one line per occurrence, not per passage"
    );
    let texts: BTreeMap<(String, u64), String> = hits
        .iter()
        .map(|h| {
            (
                (
                    h["doc"].as_str().unwrap().to_owned(),
                    h["paragraph"].as_u64().unwrap(),
                ),
                flat(h["text"].as_str().unwrap()),
            )
        })
        .collect();
    for l in &lines {
        assert!(l["match"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("old muck"));
        let left = l["left"].as_str().unwrap();
        let right = l["right"].as_str().unwrap();
        assert!(left.chars().count() <= 40 && right.chars().count() <= 40);
        let key = (
            l["doc"].as_str().unwrap().to_owned(),
            l["paragraph"].as_u64().unwrap(),
        );
        let line = format!("{left}{}{right}", l["match"].as_str().unwrap());
        assert!(
            texts[&key].contains(&line),
            "{line:?} is not in its passage"
        );
        assert!(l["year"].is_i64());
    }

    // Text: the match starts at column 40 on every line, and the line ends with doc and year.
    let text = ok(
        &ws,
        &["search", "--kwic", "--color", "never", "\"old muck\""],
    );
    assert_eq!(text.lines().count(), occurrences);
    for line in text.lines() {
        let after: String = line.chars().skip(40).collect();
        assert!(after.to_lowercase().starts_with("old muck"), "{line}");
        assert!(line.ends_with(" 2021"), "{line}");
        assert!(line.contains("000_2b4d951a94e98a10"), "{line}");
    }
    let narrow = ok(
        &ws,
        &[
            "search",
            "--kwic",
            "--width",
            "10",
            "--color",
            "never",
            "\"old muck\"",
        ],
    );
    for line in narrow.lines() {
        let after: String = line.chars().skip(10).collect();
        assert!(after.to_lowercase().starts_with("old muck"), "{line}");
    }
}

/// The folded words (case and accents) of a context, nearest first for the left side.
fn words(s: &str, left: bool) -> Vec<String> {
    let mut w: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(serge::index::analyzer::fold)
        .collect();
    if left {
        w.reverse();
    }
    w
}

#[test]
fn kwic_sorts_by_left_and_right_words_doc_and_year() {
    let ws = Workspace::bundled();
    let rank = json_lines(&ok(&ws, &["search", "--kwic", "--json", "Revolution"]));
    assert!(rank.len() > 20);
    for (side, left) in [("left", true), ("right", false)] {
        let lines = json_lines(&ok(
            &ws,
            &["search", "--kwic", "--json", "--sort", side, "Revolution"],
        ));
        assert_eq!(lines.len(), rank.len(), "sorting keeps every line");
        let keys: Vec<String> = lines
            .iter()
            .map(|l| {
                words(l[side].as_str().unwrap(), left)
                    .first()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(
            keys, sorted,
            "--sort {side} orders by the nearest word ({side}1)"
        );
    }
    let by_year = json_lines(&ok(
        &ws,
        &["search", "--kwic", "--json", "--sort", "year", "Revolution"],
    ));
    let years: Vec<i64> = by_year
        .iter()
        .map(|l| l["year"].as_i64().unwrap_or(i64::MAX))
        .collect();
    assert!(years.windows(2).all(|w| w[0] <= w[1]), "{years:?}");
    assert_eq!(years[0], 1938);
    let by_doc = json_lines(&ok(
        &ws,
        &[
            "search",
            "--kwic",
            "--json",
            "--sort",
            "doc",
            "-n",
            "5",
            "Revolution",
        ],
    ));
    assert_eq!(by_doc.len(), 5, "-n bounds the lines");
    assert!(by_doc.iter().all(|l| l["doc"] == "000_2b4d951a94e98a10"));
}

#[test]
fn facets_count_every_hit_by_author_and_decade() {
    let ws = Workspace::bundled();
    let hits = all_hits(&ws, "Trotsky");
    let mut by_author: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_decade: BTreeMap<i64, u64> = BTreeMap::new();
    let mut undated = 0;
    for h in &hits {
        let author = h["author"].as_str().unwrap_or("unknown author").to_owned();
        *by_author.entry(author).or_default() += 1;
        match h["year"].as_i64() {
            Some(y) => *by_decade.entry(y / 10 * 10).or_default() += 1,
            None => undated += 1,
        }
    }
    let out = json_lines(&ok(
        &ws,
        &["search", "--json", "--facets", "-n", "2", "Trotsky"],
    ));
    assert_eq!(out.len(), 3, "two hits, then the facets");
    let f = &out[2]["facets"];
    assert_eq!(
        f["hits"].as_u64().unwrap() as usize,
        hits.len(),
        "facets count all hits, not the shown ones"
    );
    assert_eq!(f["documents"], 5);
    assert_eq!(f["by"], "decade", "1938 to 2021 spreads wide");
    let authors: BTreeMap<String, u64> = f["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["label"].as_str().unwrap().to_owned(),
                b["hits"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(authors, by_author);
    let decades: BTreeMap<i64, u64> = f["years"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["hits"].as_u64().unwrap() > 0)
        .map(|b| (b["from"].as_i64().unwrap(), b["hits"].as_u64().unwrap()))
        .collect();
    assert_eq!(decades, by_decade);
    assert_eq!(f["undated"]["hits"], undated);

    let text = ok(
        &ws,
        &[
            "search", "--facets", "--color", "never", "-n", "1", "--author", "Weissman", "Trotsky",
        ],
    );
    let tail: Vec<&str> = text.lines().rev().take(3).collect();
    assert!(tail[2].starts_with("facets: "), "{text}");
    assert!(
        tail[1].contains("Susan Weissman")
            && tail[1].contains(&format!("{} passages", by_author["Susan Weissman"])),
        "{text}"
    );
    assert!(
        tail[0].contains("1988"),
        "a narrow spread is counted by year: {text}"
    );
}

#[test]
fn timeline_draws_a_bar_per_decade_and_per_author() {
    let ws = Workspace::bundled();
    let hits = all_hits(&ws, "Kronstadt");
    let t: Value = serde_json::from_str(&ok(&ws, &["timeline", "--json", "Kronstadt"])).unwrap();
    assert_eq!(t["by"], "decade");
    let bins = t["bins"].as_array().unwrap();
    let labels: Vec<&str> = bins.iter().map(|b| b["label"].as_str().unwrap()).collect();
    assert_eq!(labels.first(), Some(&"1930s"));
    assert!(
        labels.contains(&"1950s"),
        "empty decades are shown: {labels:?}"
    );
    let total: u64 = bins.iter().map(|b| b["hits"].as_u64().unwrap()).sum();
    assert_eq!(total as usize, hits.len());

    let text = ok(&ws, &["timeline", "--color", "never", "Kronstadt"]);
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), bins.len());
    let max = bins
        .iter()
        .map(|b| b["hits"].as_u64().unwrap())
        .max()
        .unwrap();
    for (row, bin) in rows.iter().zip(bins) {
        let n = bin["hits"].as_u64().unwrap();
        assert!(row.starts_with(bin["label"].as_str().unwrap()), "{row}");
        assert!(row.trim_end().ends_with(&format!(" {n}")), "{row}");
        let blocks = row.chars().filter(|&c| c == '█').count();
        if n == max {
            assert!(blocks >= 60, "the largest bar fills the width: {row}");
        } else if n == 0 {
            assert_eq!(blocks, 0, "{row}");
        }
    }

    let by_author: Value = serde_json::from_str(&ok(
        &ws,
        &["timeline", "--json", "--by", "author", "Kronstadt"],
    ))
    .unwrap();
    let authors: Vec<&str> = by_author["bins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert!(
        authors.contains(&"Susan Weissman") && authors.contains(&"D.J. Cotterill"),
        "{authors:?}"
    );
    assert_eq!(ws.run(&["timeline", "nonexistentword"]).code, 1);
}

#[test]
fn similar_finds_the_other_copy_of_a_quotation_and_says_why() {
    let ws = Workspace::bundled();
    // 001 ¶1 quotes the "kingdom of the will" passage that 002 quotes too.
    let hits = json_lines(&ok(&ws, &["similar", "--json", "001_862357227f09bacf:1"]));
    assert!(!hits.is_empty());
    assert_eq!(hits[0]["doc"], "002_454e5b72116ba4b2");
    assert!(hits[0]["text"]
        .as_str()
        .unwrap()
        .contains("kingdom of the will"));
    let shared: Vec<&str> = hits[0]["shared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        shared.contains(&"kingdom") && shared.contains(&"void"),
        "{shared:?}"
    );
    assert!(
        hits.iter().all(|h| !(h["doc"] == "001_862357227f09bacf" && h["paragraph"].as_u64().unwrap() <= 5)),
        "the passage and its neighbours are left out"
    );
    // The same through search --like, narrowed by a query.
    let like = json_lines(&ok(
        &ws,
        &["search", "--json", "--like", "001:1", "Barcelona"],
    ));
    assert!(!like.is_empty());
    assert!(like
        .iter()
        .all(|h| h["text"].as_str().unwrap().contains("Barcelona")));
    // Facets count a query's hits; a --like ranking has none to count.
    let both = ws.run(&["search", "--like", "001:1", "--facets"]);
    assert_eq!(both.code, 2);
    assert!(
        both.stdout.is_empty(),
        "nothing is printed before the error"
    );
    assert_eq!(both.stderr.lines().count(), 1, "{}", both.stderr);
    let text = ok(&ws, &["similar", "--color", "never", "-n", "1", "001:1"]);
    assert!(text.contains("shared: "), "{text}");
    for bad in ["001:0", "001:100000", "nope:3", "001"] {
        let run = ws.run(&["similar", bad]);
        assert_eq!(run.code, 2, "{bad}");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
}

#[test]
fn quotes_finds_exactly_the_kingdom_of_the_will() {
    let ws = Workspace::bundled();
    let groups = json_lines(&ok(&ws, &["quotes", "--json"]));
    assert_eq!(groups.len(), 1, "{groups:?}");
    let g = &groups[0];
    assert_eq!(g["wording"], "leaving the void and entering the kingdom of");
    assert_eq!(g["words"], 8);
    let docs: Vec<&str> = g["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["doc"].as_str().unwrap())
        .collect();
    assert_eq!(docs, ["001_862357227f09bacf", "002_454e5b72116ba4b2"]);
    for c in g["copies"].as_array().unwrap() {
        assert!(c["year"].is_i64() && c["paragraph"].as_u64().unwrap() >= 1);
    }
    let text = ok(&ws, &["quotes", "--color", "never"]);
    assert!(
        text.starts_with(
            "1. “leaving the void and entering the kingdom of” — 8 words, 2 documents"
        ),
        "{text}"
    );
    assert!(text.contains("as if we were leaving the void"), "{text}");
    // Shorter runs find more groups; a run of 30 words is quoted nowhere.
    assert!(json_lines(&ok(&ws, &["quotes", "--json", "--words", "5"])).len() > 1);
    assert_eq!(ws.run(&["quotes", "--words", "30"]).code, 1);
    assert_eq!(ws.run(&["quotes", "--words", "1"]).code, 2);
}
