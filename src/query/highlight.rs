//! Highlighting that knows phrases: for `"old muck"` only the phrase occurrences are marked,
//! not every `old`. Built on the analyzer's token offsets, so what is marked is exactly what
//! matched: folded, accent-free, with quote and dash style ignored.

use tantivy::tokenizer::TextAnalyzer;

/// What to highlight: stemmed bare words and exact phrases (with slop).
#[derive(Debug, Default, Clone)]
pub struct Targets {
    pub stems: Vec<String>,
    pub phrases: Vec<(Vec<String>, u32)>,
}

impl Targets {
    pub fn is_empty(&self) -> bool {
        self.stems.is_empty() && self.phrases.is_empty()
    }
}

/// The byte ranges of `text` to highlight, sorted and merged.
pub fn highlight(
    text: &str,
    targets: &Targets,
    exact: &mut TextAnalyzer,
    stemmed: &mut TextAnalyzer,
) -> Vec<(usize, usize)> {
    if targets.is_empty() {
        return Vec::new();
    }
    let tokens = crate::index::analyzer::tokens(exact, text);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    if !targets.stems.is_empty() {
        let stems = crate::index::analyzer::tokens(stemmed, text);
        for (stem, from, to) in &stems {
            if targets.stems.iter().any(|s| s == stem) {
                ranges.push((*from, *to));
            }
        }
    }
    for (phrase, slop) in &targets.phrases {
        if phrase.is_empty() {
            continue;
        }
        for start in 0..tokens.len() {
            if tokens[start].0 != phrase[0] {
                continue;
            }
            if let Some(matched) = match_from(&tokens, start, phrase, *slop) {
                if *slop == 0 {
                    ranges.push((
                        tokens[start].1,
                        tokens[*matched.last().expect("non-empty")].2,
                    ));
                } else {
                    ranges.extend(matched.iter().map(|&i| (tokens[i].1, tokens[i].2)));
                }
            }
        }
    }
    merge(ranges)
}

/// Matches `phrase` with its first word at `start`, each next word within the slop budget
/// that is left; returns the token indices matched.
fn match_from(
    tokens: &[(String, usize, usize)],
    start: usize,
    phrase: &[String],
    slop: u32,
) -> Option<Vec<usize>> {
    let mut matched = vec![start];
    let mut budget = slop as usize;
    let mut at = start;
    for word in &phrase[1..] {
        let window = tokens.get(at + 1..=(at + 1 + budget).min(tokens.len().saturating_sub(1)))?;
        let offset = window.iter().position(|t| &t.0 == word)?;
        budget -= offset;
        at += 1 + offset;
        matched.push(at);
    }
    Some(matched)
}

fn merge(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::analyzer::{exact, stemmed};

    fn marks(text: &str, t: &Targets) -> Vec<String> {
        highlight(text, t, &mut exact(), &mut stemmed())
            .into_iter()
            .map(|(a, b)| text[a..b].to_string())
            .collect()
    }

    fn phrase(words: &[&str], slop: u32) -> Targets {
        Targets {
            stems: vec![],
            phrases: vec![(words.iter().map(|w| w.to_string()).collect(), slop)],
        }
    }

    #[test]
    fn phrases_not_every_word() {
        let text = "The old regime. All the ‘old muck’ rises; old friends; the ‘Old Muck’ again.";
        assert_eq!(
            marks(text, &phrase(&["old", "muck"], 0)),
            ["old muck", "Old Muck"]
        );
    }

    #[test]
    fn slop_phrases_mark_each_word() {
        let text = "entering the kingdom of the will, and the kingdom of will.";
        assert_eq!(
            marks(text, &phrase(&["kingdom", "will"], 3)),
            ["kingdom", "will", "kingdom", "will"]
        );
        assert_eq!(
            marks("kingdom a b c d will", &phrase(&["kingdom", "will"], 3)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn stems_match_inflections_and_folding() {
        let stems = crate::index::analyzer::tokens(&mut stemmed(), "anarchists musee")
            .into_iter()
            .map(|t| t.0)
            .collect();
        let t = Targets {
            stems,
            phrases: vec![],
        };
        assert_eq!(
            marks("Anarchists and an anarchist at the Musée", &t),
            ["Anarchists", "anarchist", "Musée"]
        );
    }

    #[test]
    fn dashes_and_quotes_in_phrases() {
        assert_eq!(
            marks(
                "the men of 1917–18 become aware",
                &phrase(&["1917", "18", "become", "aware"], 0)
            ),
            ["1917–18 become aware"]
        );
    }
}
