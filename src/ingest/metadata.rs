//! Document metadata: from `catalog.json` where the catalog has it, otherwise inferred from the
//! text: the title from the first line, the author and year from a byline (`By NAME, YEAR`,
//! `Submitted by NAME on DATE`, a name alone under the title) or a closing signature (`NAME`
//! over `PLACE, MONTH YEAR`).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Where a metadata field came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Catalog,
    Inferred,
    Unknown,
}

/// A document's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i64>,
    pub source: Option<String>,
    pub title_from: Origin,
    pub author_from: Origin,
    pub year_from: Origin,
}

impl Metadata {
    /// The authors joined for display ("A and B").
    pub fn author_line(&self) -> String {
        self.authors.join(" and ")
    }
}

/// One entry of `catalog.json`. A field that is present, even as `null`, is authoritative;
/// a field that is absent is inferred from the text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    #[serde(default, deserialize_with = "present")]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present_authors")]
    pub author: Option<Option<Authors>>,
    #[serde(default, deserialize_with = "present")]
    pub year: Option<Option<i64>>,
    #[serde(default)]
    pub source: Option<String>,
}

/// `author` may be a string or a list of strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Authors {
    One(String),
    Many(Vec<String>),
}

fn present<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

fn present_authors<'de, D>(d: D) -> std::result::Result<Option<Option<Authors>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<Authors>::deserialize(d).map(Some)
}

/// The catalog: document id to entry.
pub type Catalog = BTreeMap<String, CatalogEntry>;

/// Reads `catalog.json`; a missing file is an empty catalog, an invalid one an error naming
/// the file, line and column.
pub fn read_catalog(path: &Path) -> Result<Catalog> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Catalog::new()),
        Err(e) => return Err(Error::io(path, e)),
    };
    serde_json::from_str(&text).map_err(|e| Error::Catalog {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or_default()
            .to_owned(),
    })
}

/// Builds a document's metadata from its catalog entry and what its text shows.
pub fn resolve(
    entry: Option<&CatalogEntry>,
    head: &[String],
    tail: &[String],
    fallback_title: &str,
) -> Metadata {
    let inferred = infer(head, tail);
    let entry = entry.cloned().unwrap_or_default();
    let (title, title_from) = match entry.title {
        Some(Some(t)) => (t, Origin::Catalog),
        Some(None) => (fallback_title.to_owned(), Origin::Unknown),
        None => match inferred.title {
            Some(t) => (t, Origin::Inferred),
            None => (fallback_title.to_owned(), Origin::Unknown),
        },
    };
    let (authors, author_from) = match entry.author {
        Some(Some(Authors::One(a))) => (vec![a], Origin::Catalog),
        Some(Some(Authors::Many(list))) => (list, Origin::Catalog),
        Some(None) => (vec![], Origin::Catalog),
        None if inferred.author.is_some() => {
            (inferred.author.into_iter().collect(), Origin::Inferred)
        }
        None => (vec![], Origin::Unknown),
    };
    let (year, year_from) = match entry.year {
        Some(y) => (y, Origin::Catalog),
        None if inferred.year.is_some() => (inferred.year, Origin::Inferred),
        None => (None, Origin::Unknown),
    };
    Metadata {
        title,
        authors,
        year,
        source: entry.source,
        title_from,
        author_from,
        year_from,
    }
}

/// What the text itself says.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Inferred {
    pub title: Option<String>,
    pub author: Option<String>,
    pub year: Option<i64>,
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Infers title, author and year from the first and last lines of a document.
pub fn infer(head: &[String], tail: &[String]) -> Inferred {
    let mut out = Inferred {
        title: head
            .first()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        ..Inferred::default()
    };
    for line in head.iter().skip(1).take(8) {
        if let Some((name, rest)) = byline(line) {
            out.author = Some(name);
            out.year = out.year.or_else(|| first_year(rest));
            break;
        }
    }
    if out.author.is_none() {
        // A name alone on a line near the top, under the title.
        out.author = head.iter().skip(1).take(5).find(|l| is_name(l)).cloned();
    }
    if out.author.is_none() || out.year.is_none() {
        if let Some((name, year)) = signature(tail) {
            out.author = out.author.or(Some(name));
            out.year = out.year.or(Some(year));
        }
    }
    if out.year.is_none() {
        out.year = head
            .iter()
            .skip(1)
            .take(5)
            .filter(|l| l.len() < 120)
            .find_map(|l| first_year(l));
    }
    out
}

/// `By NAME, YEAR` / `By NAME` / `Submitted by NAME on DATE`: the name and the rest of the line.
fn byline(line: &str) -> Option<(String, &str)> {
    let line = line.trim();
    if line.len() > 120 {
        return None;
    }
    let rest = line
        .strip_prefix("Submitted by ")
        .or_else(|| line.strip_prefix("Posted by "))
        .or_else(|| line.strip_prefix("Written by "))
        .or_else(|| line.strip_prefix("By "))
        .or_else(|| line.strip_prefix("by "))?;
    let end = rest
        .find([',', '|', '('])
        .into_iter()
        .chain(rest.find(" on "))
        .min()
        .unwrap_or(rest.len());
    let name = rest[..end].trim();
    let looks_like_name = !name.is_empty()
        && name.split_whitespace().count() <= 5
        && name.split_whitespace().all(|w| {
            w.chars().next().is_some_and(|c| c.is_uppercase())
                || w == "de"
                || w == "van"
                || w == "von"
        })
        && !name.chars().any(|c| c.is_ascii_digit());
    looks_like_name.then(|| (name.to_owned(), &rest[end..]))
}

/// Two to four capitalised words and nothing else: a name standing alone.
fn is_name(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(char::is_uppercase)
                && cs.all(|c| c.is_alphabetic() || c == '.' || c == '-' || c == '’' || c == '\'')
        })
        && !words
            .iter()
            .any(|w| MONTHS.contains(&w.to_lowercase().as_str()))
}

/// A year between 1500 and 2100 standing as a word.
fn first_year(text: &str) -> Option<i64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<i64>().ok())
        .find(|y| (1500..=2100).contains(y))
}

/// `NAME` on one line, then `PLACE, MONTH YEAR` on the next, near the end.
fn signature(tail: &[String]) -> Option<(String, i64)> {
    tail.windows(2).rev().find_map(|w| {
        let dated = w[1].len() < 60 && MONTHS.iter().any(|m| w[1].to_lowercase().contains(m));
        let year = first_year(&w[1])?;
        (dated && is_name(&w[0])).then(|| (w[0].trim().to_owned(), year))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn submitted_by() {
        let head = lines(&[
            "Victor Serge’s ‘Memoirs’",
            "Last month we read it.",
            "Submitted by AngryWorkersWorld on December 9, 2021",
        ]);
        let got = infer(&head, &[]);
        assert_eq!(got.title.as_deref(), Some("Victor Serge’s ‘Memoirs’"));
        assert_eq!(got.author.as_deref(), Some("AngryWorkersWorld"));
        assert_eq!(got.year, Some(2021));
    }

    #[test]
    fn by_name_year() {
        let got = infer(&lines(&["On Kronstadt", "By Ida Mett, 1938"]), &[]);
        assert_eq!(
            (got.author.as_deref(), got.year),
            (Some("Ida Mett"), Some(1938))
        );
    }

    #[test]
    fn name_alone_under_title() {
        let head = lines(&[
            "Victor Serge’s World and Ours",
            "Against the Current, No. 12-13, January-April 1988",
            "Susan Weissman",
            "THE RUSSIAN REVOLUTION of October 1917 ushered in a new epoch.",
        ]);
        let got = infer(&head, &[]);
        assert_eq!(
            (got.author.as_deref(), got.year),
            (Some("Susan Weissman"), Some(1988))
        );
    }

    #[test]
    fn closing_signature() {
        let tail = lines(&[
            "This nightmare state will be carried off.",
            "Victor Serge",
            "Paris, September 1938",
            "Translated by Richard Greeman",
        ]);
        let got = infer(
            &lines(&[
                "Preface to the 1938 Edition:",
                "In January 1930, in Leningrad, I finished this book.",
            ]),
            &tail,
        );
        assert_eq!(
            (got.author.as_deref(), got.year),
            (Some("Victor Serge"), Some(1938))
        );
    }

    #[test]
    fn nothing_to_find() {
        let got = infer(&lines(&["Review: Victor Serge's final words", "Victor Serge was one of the great witnesses to the revolutionary history of the first half of the twentieth century."]), &[]);
        assert_eq!(got.author, None);
    }

    #[test]
    fn catalog_wins_and_null_is_authoritative() {
        let entry: CatalogEntry = serde_json::from_str(r#"{"title":"T","author":null}"#).unwrap();
        let m = resolve(
            Some(&entry),
            &lines(&["Other", "By Someone Else, 1999"]),
            &[],
            "id",
        );
        assert_eq!(m.title, "T");
        assert!(m.authors.is_empty());
        assert_eq!(m.author_from, Origin::Catalog);
        assert_eq!((m.year, m.year_from), (Some(1999), Origin::Inferred));
    }

    #[test]
    fn catalog_errors_name_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.json");
        std::fs::write(&path, "{\n  \"a\": {\"title\": \"x\",}\n}").unwrap();
        let err = read_catalog(&path).unwrap_err().to_string();
        assert!(err.contains("catalog.json:2:"), "{err}");
        std::fs::write(&path, r#"{"a": {"titel": "x"}}"#).unwrap();
        assert!(read_catalog(&path)
            .unwrap_err()
            .to_string()
            .contains("titel"));
        std::fs::write(
            &path,
            r#"{"a": {"title": "x", "author": ["A", "B"], "year": 1938}}"#,
        )
        .unwrap();
        assert_eq!(read_catalog(&path).unwrap().len(), 1);
    }
}
