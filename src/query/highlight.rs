//! Highlighting that knows phrases: for `"old muck"` only the phrase occurrences are marked,
//! not every `old`. Built on the analyzer's token offsets, so what is marked is exactly what
//! matched: folded, accent-free, with quote and dash style ignored.

use crate::index::analyzer;
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

/// A token of the passage that equals a word of some phrase: its position, byte range, and
/// which word it is (tokens that match no phrase word are only counted, never stored).
struct Hit {
    position: usize,
    from: usize,
    to: usize,
    word: usize,
}

/// The byte ranges of `text` to highlight, sorted and merged.
pub fn highlight(text: &str, targets: &Targets, stemmed: &mut TextAnalyzer) -> Vec<(usize, usize)> {
    if targets.is_empty() {
        return Vec::new();
    }
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    if !targets.stems.is_empty() {
        stem_ranges(text, &targets.stems, stemmed, &mut ranges);
    }
    if !targets.phrases.is_empty() {
        let mut words: Vec<&str> = targets
            .phrases
            .iter()
            .flat_map(|(p, _)| p.iter().map(String::as_str))
            .collect();
        words.sort_unstable();
        words.dedup();
        let mut hits: Vec<Hit> = Vec::new();
        let mut position = 0;
        let mut scratch = String::new();
        // Words are compared without being lower-cased into tokens; only the (few) phrase words
        // that occur are recorded.
        analyzer::for_each_word(text, &mut scratch, |from, to, raw, folded| {
            if let Some(word) = words.iter().position(|w| analyzer::word_is(raw, folded, w)) {
                hits.push(Hit {
                    position,
                    from,
                    to,
                    word,
                });
            }
            position += 1;
        });
        for (phrase, slop) in &targets.phrases {
            let ids: Vec<usize> = phrase
                .iter()
                .filter_map(|w| words.iter().position(|x| x == w))
                .collect();
            if ids.len() != phrase.len() || ids.is_empty() {
                continue;
            }
            for start in 0..hits.len() {
                if hits[start].word != ids[0] {
                    continue;
                }
                if let Some(matched) = match_from(&hits, start, &ids, *slop) {
                    if *slop == 0 {
                        ranges.push((
                            hits[start].from,
                            hits[*matched.last().expect("non-empty")].to,
                        ));
                    } else {
                        ranges.extend(matched.iter().map(|&i| (hits[i].from, hits[i].to)));
                    }
                }
            }
        }
    }
    merge(ranges)
}

/// Pushes the byte range of every word of `text` whose stem is one of `stems`.
///
/// English Snowball stemming keeps a word's first letter (its exceptional forms too: dying →
/// die) and never lengthens it, so only words that start like some stem and are at least as
/// long as the shortest are stemmed. In a fresh process the stem cache is empty, and stemming
/// every word of every hit was most of a bare-word search.
fn stem_ranges(
    text: &str,
    stems: &[String],
    stemmed: &mut TextAnalyzer,
    ranges: &mut Vec<(usize, usize)>,
) {
    let firsts: Vec<u8> = stems.iter().filter_map(|s| s.bytes().next()).collect();
    let shortest = stems.iter().map(String::len).min().unwrap_or(0);
    let mut scratch = String::new();
    let mut lower = String::new();
    analyzer::for_each_word(text, &mut scratch, |from, to, raw, folded| {
        // An ASCII word's folded form is its lower case, of the same length: test before
        // building it.
        let (len, first) = match folded {
            Some(f) => (f.len(), f.as_bytes()[0]),
            None => (raw.len(), raw.as_bytes()[0].to_ascii_lowercase()),
        };
        if len < shortest || !firsts.contains(&first) {
            return;
        }
        let folded = match folded {
            Some(f) => f,
            None => {
                lower.clear();
                lower.push_str(raw);
                lower.make_ascii_lowercase();
                &lower
            }
        };
        let mut stream = stemmed.token_stream(folded);
        if let Some(t) = stream.next() {
            if stems.contains(&t.text) {
                ranges.push((from, to));
            }
        }
    });
}

/// Matches the phrase (as word ids) with its first word at `hits[start]`, each next word
/// within the slop budget that is left; returns the indices into `hits` matched.
fn match_from(hits: &[Hit], start: usize, ids: &[usize], slop: u32) -> Option<Vec<usize>> {
    let mut matched = vec![start];
    let mut budget = slop as usize;
    let mut at = start;
    for &word in &ids[1..] {
        let expected = hits[at].position + 1;
        let next = hits[at + 1..]
            .iter()
            .take_while(|h| h.position <= expected + budget)
            .position(|h| h.word == word)?;
        let index = at + 1 + next;
        budget -= hits[index].position - expected;
        at = index;
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
    use crate::index::analyzer::stemmed;

    fn marks(text: &str, t: &Targets) -> Vec<String> {
        highlight(text, t, &mut stemmed())
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

    /// The shortcut of [`stem_ranges`] marks exactly the words the stemming analyzer would.
    #[test]
    fn stem_shortcut_agrees_with_the_analyzer_on_the_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut text = String::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "txt") {
                text.push_str(&String::from_utf8_lossy(&std::fs::read(path).unwrap()));
            }
        }
        text.push_str(" dying lying tying skies skis idly gently ugly early only singly news");
        let mut analyzer = stemmed();
        let all = crate::index::analyzer::tokens(&mut analyzer, &text);
        // Every distinct stem of the corpus, in batches, as the targets of a query would be.
        let mut stems: Vec<String> = all.iter().map(|t| t.0.clone()).collect();
        stems.sort();
        stems.dedup();
        assert!(stems.len() > 3000, "{}", stems.len());
        for batch in stems.chunks(7) {
            let expected: Vec<(usize, usize)> = all
                .iter()
                .filter(|t| batch.contains(&t.0))
                .map(|t| (t.1, t.2))
                .collect();
            let mut got = Vec::new();
            stem_ranges(&text, batch, &mut analyzer, &mut got);
            assert_eq!(got, expected, "stems {batch:?}");
        }
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
